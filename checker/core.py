"""Expected figures from the source database, actual figures from rapportering's API, and their difference."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date

import httpx
from sqlalchemy import text
from sqlalchemy.ext.asyncio import create_async_engine

from shared.dates import age_on
from shared.geo import fylke_for
from shared.settlement_measures import SETTLEMENT_MEASURES, SettledPerson, contributions

Cells = dict[tuple[str, str], tuple[int, int]]  # (dimension, value) → (numerator, denominator)
Figures = dict[tuple[str, str], Cells]  # (measure, period) → cells

# Settled by the scheme: settled by a municipality, or settled by oneself by agreement with one (a closed case
# with the agreement's date and kommune as its settlement's).
_SETTLED = text("SELECT vedtaksdato, bosettingsdato, kommunenummer, kjonn, kategori, enslig_mindrearig, "
                "fodselsdato, fodselsar FROM sak WHERE status = 'bosatt' "
                "OR (status = 'avsluttet' AND avslutningsarsak = 'selvbosatt_etter_avtale')")


def _day(value) -> date:
    return value if isinstance(value, date) else date.fromisoformat(value)


def settled_person(row) -> SettledPerson:
    """A settled case row as the shared definition sees it (EM age group worked out here, not by bosetting)."""
    vedtak = _day(row.vedtaksdato)
    birth = _day(row.fodselsdato) if row.fodselsdato else None
    age = age_on(vedtak, birth, row.fodselsar) if row.enslig_mindrearig else None
    return SettledPerson(vedtaksdato=vedtak, bosettingsdato=_day(row.bosettingsdato),
                         kommunenummer=row.kommunenummer, fylkesnummer=fylke_for(row.kommunenummer),
                         kjonn=row.kjonn, kategori=row.kategori, enslig_mindrearig=bool(row.enslig_mindrearig),
                         em_aldersgruppe=None if age is None else ("under_15" if age < 15 else "15_18"))


def count(persons: Iterable[SettledPerson]) -> Figures:
    """The SP1–SP3 cells rapportering answers for (the counts kept beside a measure, outside the letter's
    population, are not part of its answer and are left out here)."""
    reported = {m.id for m in SETTLEMENT_MEASURES}
    sums: dict[tuple[str, str], dict[tuple[str, str], list[int]]] = defaultdict(lambda: defaultdict(lambda: [0, 0]))
    for p in persons:
        for measure, period, dimension, value, num, den in contributions(p):
            if measure not in reported:
                continue
            cell = sums[(measure, period)][(dimension, value)]
            cell[0] += num
            cell[1] += den
    return {key: {k: (v[0], v[1]) for k, v in cells.items()} for key, cells in sums.items()}


async def expected_from_bosetting(database_url: str) -> Figures:
    """SP1–SP3 for every period, counted from bosetting's ``sak`` rows."""
    engine = create_async_engine(database_url)
    try:
        async with engine.connect() as conn:
            rows = (await conn.execute(_SETTLED)).all()
    finally:
        await engine.dispose()
    return count(settled_person(r) for r in rows)


def periods_of(years: Iterable[int]) -> list[str]:
    return [p for y in sorted(set(years)) for p in (str(y), f"{y}-H1", f"{y}-H2", *(f"{y}-{m:02d}" for m in
                                                                                      range(1, 13)))]


def cells_of(answer: dict) -> Cells:
    """rapportering's ``MaalVerdi`` answer as cells (an ``ingen_data`` answer has none)."""
    if answer["status"] != "data":
        return {}
    cells = {("alle", "alle"): (answer["teller"], answer["nevner"])}
    for dimension, values in answer["fordeling"].items():
        for value, c in values.items():
            cells[(dimension, value)] = (c["teller"], c["nevner"])
    return cells


def reported_by_rapportering(client: httpx.Client, periods: Iterable[str]) -> Figures:
    """What rapportering answers for SP1–SP3 in each period (``client`` carries base URL and an IMDi token)."""
    figures: Figures = {}
    for period in periods:
        for measure in SETTLEMENT_MEASURES:
            r = client.get(f"/api/v1/styringsparametere/{measure.id}/verdi", params={"periode": period})
            r.raise_for_status()
            if cells := cells_of(r.json()):
                figures[(measure.id, period)] = cells
    return figures


@dataclass(frozen=True)
class Difference:
    measure: str
    period: str
    dimension: str
    value: str
    expected: tuple[int, int] | None
    reported: tuple[int, int] | None


def compare(expected: Figures, reported: Figures) -> list[Difference]:
    """Every cell where the two disagree (a cell missing on one side counts as absent, not as zero)."""
    out = []
    for key in sorted(set(expected) | set(reported)):
        e, r = expected.get(key, {}), reported.get(key, {})
        for cell in sorted(set(e) | set(r)):
            if e.get(cell) != r.get(cell):
                out.append(Difference(*key, *cell, e.get(cell), r.get(cell)))
    return out


def years_in(figures: Figures) -> set[int]:
    return {int(period[:4]) for _, period in figures}
