"""SP1–SP3 as docs/architecture.md ("Measuring the letter") defines them. bosetting and rapportering both count
with this, so they agree exactly.

Of the persons settled in the period (by settlement date), the share settled within 6 (SP1) or 12 (SP2)
calendar months of the decision or entry permit, and for unaccompanied minors within 3 months (SP3):
settlement date ≤ decision date + N calendar months, the day clamped to the month's end.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import date

from shared.dates import add_months


@dataclass(frozen=True)
class SettledPerson:
    vedtaksdato: date
    bosettingsdato: date
    kommunenummer: str
    fylkesnummer: str
    kjonn: str
    kategori: str
    enslig_mindrearig: bool
    em_aldersgruppe: str | None


@dataclass(frozen=True)
class SettlementMeasure:
    id: str
    months: int
    population: Callable[[SettledPerson], bool]

    def hit(self, p: SettledPerson) -> bool:
        return p.bosettingsdato <= add_months(p.vedtaksdato, self.months)


SETTLEMENT_MEASURES = (
    SettlementMeasure("SP1", 6, lambda p: True),
    SettlementMeasure("SP2", 12, lambda p: True),
    SettlementMeasure("SP3", 3, lambda p: p.enslig_mindrearig),
)
BY_ID = {m.id: m for m in SETTLEMENT_MEASURES}

DIMENSIONS = ("alle", "kjonn", "fylke", "kommune", "em_aldersgruppe", "kategori")


def periods(day: date) -> list[str]:
    """The periods a dated fact counts in: the year, the half-year, the month."""
    return [str(day.year), f"{day.year}-H{1 if day.month <= 6 else 2}", f"{day.year}-{day.month:02d}"]


def breakdown(p: SettledPerson) -> list[tuple[str, str]]:
    return [("alle", "alle"), ("kjonn", p.kjonn), ("fylke", p.fylkesnummer), ("kommune", p.kommunenummer),
            ("em_aldersgruppe", p.em_aldersgruppe or "ikke_em"), ("kategori", p.kategori)]


def contributions(p: SettledPerson) -> Iterator[tuple[str, str, str, str, int, int]]:
    """(measure, period, dimension, value, numerator, denominator) for every cell the person counts in."""
    cells = breakdown(p)
    for measure in SETTLEMENT_MEASURES:
        if not measure.population(p):
            continue
        hit = 1 if measure.hit(p) else 0
        for period in periods(p.bosettingsdato):
            for dimension, value in cells:
                yield measure.id, period, dimension, value, hit, 1
