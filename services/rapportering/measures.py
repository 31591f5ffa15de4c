"""Measure definitions. Adding a steering parameter is adding a definition here, not a pipeline.

A definition maps one fact (for example one settled person) to its contributions: which cells
(measure, period, dimension, value) it adds to the numerator and the denominator. The projection
applies a fact's contributions when it arrives and subtracts the old fact's when a correction replaces
it, so the cost of one event does not grow with the amount of data.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import date

from shared.dates import add_months


@dataclass(frozen=True)
class Settlement:
    person_ref: str
    vedtaksdato: date
    bosettingsdato: date
    kommunenummer: str
    fylkesnummer: str
    kjonn: str
    enslig_mindrearig: bool
    fodselsar: int | None


@dataclass(frozen=True)
class SettlementWithin:
    """Of the persons settled in the period, the share settled within ``months`` calendar months of the
    decision or entry permit (settlement date ≤ decision date + months, the day clamped to month's end)."""

    id: str
    months: int
    population: Callable[[Settlement], bool]

    def contributions(self, s: Settlement) -> Iterator[tuple[str, str, str, str, int, int]]:
        if not self.population(s):
            return
        hit = 1 if s.bosettingsdato <= add_months(s.vedtaksdato, self.months) else 0
        for period in periods(s.bosettingsdato):
            for dimension, value in breakdown(s):
                yield self.id, period, dimension, value, hit, 1


def periods(day: date) -> list[str]:
    """The periods a dated fact counts in: the year, the half-year, the month."""
    return [str(day.year), f"{day.year}-H{1 if day.month <= 6 else 2}", f"{day.year}-{day.month:02d}"]


def breakdown(s: Settlement) -> list[tuple[str, str]]:
    return [("alle", "alle"), ("kjonn", s.kjonn), ("fylke", s.fylkesnummer), ("kommune", s.kommunenummer),
            ("em", "ja" if s.enslig_mindrearig else "nei")]


SETTLEMENT_MEASURES = (
    SettlementWithin("SP1", 6, lambda s: True),
    SettlementWithin("SP2", 12, lambda s: True),
    SettlementWithin("SP3", 3, lambda s: s.enslig_mindrearig),
)

MEASURE_IDS = frozenset(m.id for m in SETTLEMENT_MEASURES)
DIMENSIONS = ("alle", "kjonn", "fylke", "kommune", "em")


def settlement_contributions(s: Settlement) -> Iterator[tuple[str, str, str, str, int, int]]:
    for measure in SETTLEMENT_MEASURES:
        yield from measure.contributions(s)
