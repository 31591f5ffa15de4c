"""Every log line the test suite writes is scanned for personal data (issue 16).

An autouse fixture (imported by ``tests/conftest.py``) attaches a handler to the root logger for each test. It
formats every record as production does (:class:`shared.logging.JsonFormatter`, exception text and extra fields
included) and fails the test at teardown if a line holds a DUF-nummer, a valid fødselsnummer or D-nummer, or a
person's name used in the tests. At the end of the session, every ``*.log`` file under the session's temporary
directory (the logs of services and brokers started as processes) is scanned the same way.
"""

from __future__ import annotations

import logging
import re
from functools import cache
from pathlib import Path

import pytest
from stdnum.no import fodselsnummer

from shared.logging import JsonFormatter

TESTS = Path(__file__).resolve().parent
DUF = re.compile(r"(?<!\d)(?:19|20)\d{10}(?!\d)")
ELEVEN_DIGITS = re.compile(r"(?<!\d)\d{11}(?!\d)")
UUID = re.compile(r"[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}")
NAME_IN_SOURCE = re.compile(r"""navn["']?\s*[:=]\s*["']([^"']{3,})["']""")


@cache
def person_names() -> frozenset[str]:
    """The person names the test sources put in cases (``navn=...`` / ``"navn": ...``); machine names (a key
    figure's ``navn="klager"``) are not persons, and would match every URL that holds the word."""
    return frozenset(m for path in TESTS.rglob("*.py") for m in NAME_IN_SOURCE.findall(path.read_text())
                     if not re.fullmatch(r"[a-z0-9_]+", m))


def personal_data_in(line: str) -> list[str]:
    """What in ``line`` looks like personal data: DUF-nummer, fødselsnummer/D-nummer, a test person's name. A
    UUID's last group is all digits now and then (a case id in a URL): UUIDs are taken out first."""
    line = UUID.sub("<uuid>", line)
    found = DUF.findall(line)
    found += [n for n in ELEVEN_DIGITS.findall(line) if fodselsnummer.is_valid(n)]
    found += [name for name in person_names() if name in line]
    return found


class LeakCatcher(logging.Handler):
    def __init__(self) -> None:
        super().__init__(level=logging.DEBUG)
        self.setFormatter(JsonFormatter("test"))
        self.leaks: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        line = self.format(record)
        if found := personal_data_in(line):
            self.leaks.append(f"{found}: {line[:500]}")


@pytest.fixture(autouse=True)
def no_personal_data_in_logs():
    catcher = LeakCatcher()
    root = logging.getLogger()
    root.addHandler(catcher)
    try:
        yield catcher
    finally:
        root.removeHandler(catcher)
    if catcher.leaks:
        pytest.fail("personal data in the log:\n" + "\n".join(catcher.leaks[:5]), pytrace=False)


@pytest.fixture(scope="session", autouse=True)
def no_personal_data_in_log_files(tmp_path_factory):
    yield
    leaks = [f"{path.name}: {found}" for path in tmp_path_factory.getbasetemp().rglob("*.log")
             for line in path.read_text(errors="replace").splitlines() if (found := personal_data_in(line))]
    if leaks:
        pytest.fail("personal data in log files:\n" + "\n".join(leaks[:5]), pytrace=False)
