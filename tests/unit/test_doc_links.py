"""Everything a reader is pointed to is in the repository: every relative link and every file path named in
the README and docs/*.md exists (and a link's #anchor names a heading of the file it points to)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
DOCUMENTS = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]
# Paths the README names that a run creates or the operator writes; they are not in a clean clone.
CREATED_AT_RUN_TIME = ("var/", ".venv/", "deploy/production.env")

LINK = re.compile(r"\[[^\]]*\]\(([^)\s]+)\)")
CODE = re.compile(r"`([^`\s]+)`")
PATH = re.compile(r"^[\w.-]+(/[\w.-]+)+/?$")
TOP_LEVEL_DOCUMENT = re.compile(r"^[\w.-]+\.(md|toml|yml|yaml)$")  # e.g. DESIGN.md, pyproject.toml
REPO_DIRS = {p.name for p in ROOT.iterdir() if p.is_dir()} - {"var", ".venv", ".git"}


def _slug(heading: str) -> str:
    """GitHub's anchor for a heading: lower case, punctuation dropped, spaces to hyphens."""
    return re.sub(r"[^\w\- ]", "", heading.strip().lower().replace("`", "")).replace(" ", "-")


def _anchors(document: Path) -> set[str]:
    return {_slug(m) for m in re.findall(r"^#+ (.+)$", document.read_text(), flags=re.MULTILINE)}


def _outside_code_blocks(text: str) -> str:
    return re.sub(r"^```.*?^```", "", text, flags=re.MULTILINE | re.DOTALL)


def _links(document: Path) -> list[str]:
    return [t for t in LINK.findall(_outside_code_blocks(document.read_text()))
            if not re.match(r"^[a-z]+:", t)]  # https:, mailto: … are not files


def _is_file_reference(token: str) -> bool:
    """``shared/x.py``, ``docs/openapi/`` (a path into one of the repository's folders) or ``DESIGN.md``;
    not a media type (``text/csv``), an API path or a path a run creates."""
    if token.startswith(CREATED_AT_RUN_TIME):
        return False
    if PATH.match(token):
        return token.split("/")[0] in REPO_DIRS
    return bool(TOP_LEVEL_DOCUMENT.match(token))


def _file_references(document: Path) -> list[str]:
    text = _outside_code_blocks(document.read_text())
    named_in_prose = re.findall(r"(?<![\w/.`-])([A-Za-z][\w-]*\.md)\b", LINK.sub("", text))  # "see DESIGN.md"
    return [t for t in CODE.findall(text) if _is_file_reference(t)] + named_in_prose


def _exists(base: Path, reference: str) -> bool:
    """Relative to the document, or (as prose usually means) to the repository root."""
    return (base / reference).exists() or (ROOT / reference).exists()


@pytest.mark.parametrize("document", DOCUMENTS, ids=lambda p: str(p.relative_to(ROOT)))
def test_every_link_and_file_reference_exists(document):
    missing = []
    for link in _links(document):
        target, _, anchor = link.partition("#")
        path = (document.parent / target).resolve() if target else document
        if not path.exists() or ROOT not in path.parents and path != ROOT:
            missing.append(link)
        elif anchor and path.suffix == ".md" and anchor not in _anchors(path):
            missing.append(link)
    missing += [ref for ref in _file_references(document) if not _exists(document.parent, ref)]
    assert missing == [], f"{document.name} points to what is not in the repository: {missing}"


def test_the_checks_see_the_references():
    readme = ROOT / "README.md"
    assert "docs/architecture.md" in _links(readme)
    assert "shared/measures.py" in _file_references(readme)


def test_code_names_only_documents_in_the_repository():
    """A docstring or comment that says 'as X.md defines' must point to a file a reader has."""
    missing = []
    for source in ROOT.glob("[!.]*/**/*.py"):
        if ".venv" in source.parts or "var" in source.parts or source == Path(__file__):
            continue
        for name in re.findall(r"(?<![\w/.-])([A-Za-z][\w/.-]*\.md)\b", source.read_text()):
            if not (ROOT / name).exists() and not (ROOT / "docs" / name).exists():
                missing.append(f"{source.relative_to(ROOT)}: {name}")
    assert missing == []
