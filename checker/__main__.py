"""``python -m checker``: compare rapportering's SP1–SP3 with bosetting's database; exit 1 on any difference."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Annotated

import httpx
import typer

from checker.core import compare, expected_from_bosetting, periods_of, reported_by_rapportering, years_in
from shared.auth import ensure_dev_keypair, issue_token

app = typer.Typer(add_completion=False)


@app.command()
def main(bosetting_db: Annotated[str, typer.Option(help="bosetting's database URL (SQLAlchemy, async driver).")],
         rapportering_url: str = "http://127.0.0.1:8005",
         token: Annotated[str | None, typer.Option(envvar="IMDI_TOKEN", help="imdi:rapport.intern token. "
                                                   "Default: a development token from --var-dir.")] = None,
         var_dir: Path = Path("var"), year: Annotated[list[int] | None, typer.Option()] = None) -> None:
    expected = asyncio.run(expected_from_bosetting(bosetting_db))
    if token is None:
        private, _ = ensure_dev_keypair(var_dir)
        token = issue_token(private.read_bytes(), scopes=["imdi:rapport.intern"], subject="checker")
    with httpx.Client(base_url=rapportering_url, headers={"Authorization": f"Bearer {token}"}, timeout=30) as c:
        reported = reported_by_rapportering(c, periods_of(year or years_in(expected) or {2017}))
    diffs = compare(expected, reported)
    for d in diffs[:50]:
        typer.echo(f"{d.measure} {d.period} {d.dimension}={d.value}: kilde {d.expected}, rapportering {d.reported}")
    typer.echo(f"{len(expected)} mål×perioder fra kilden, {len(diffs)} avvik")
    raise typer.Exit(1 if diffs else 0)


if __name__ == "__main__":
    app()
