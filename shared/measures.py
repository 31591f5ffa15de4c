"""A measure, written once: which facts it counts, the population, what makes a hit, the date that puts a
fact in a period, and its breakdowns. rapportering's engine keeps the cells of every measure incrementally
from these definitions; a service that owns the source data (bosetting for SP1–SP3) counts with the same
definition, so the two agree exactly.

Three kinds, as the steering letter needs them:

* ``flyt`` (shares over a flow): a subject counts once, in the periods (year, half-year, month) of the date
  its outcome is known;
* ``enheter`` (shares of units in a year): a unit (municipality, agency) counts once per year, from its latest
  answer for that year;
* ``bestand`` (a stock on a date): a subject counts in every period whose count date falls while it is in
  the stock.
"""

from __future__ import annotations

import calendar
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date
from functools import lru_cache
from typing import Any, Literal

Kind = Literal["flyt", "enheter", "bestand"]
Cell = tuple[str, str, str, str, int, int]  # (measure, period, dimension, value, numerator, denominator)
CellKey = tuple[str, str, str, str]  # (measure, period, dimension, value)
BESIDE = ":utenfor"  # suffix of the cells counting persons shown beside a measure (outside its population)


@lru_cache(maxsize=8192)
def periods(day: date) -> tuple[str, ...]:
    """The periods a dated fact counts in: the year, the half-year, the month."""
    return str(day.year), f"{day.year}-H{1 if day.month <= 6 else 2}", f"{day.year}-{day.month:02d}"


@lru_cache(maxsize=16384)
def period_keys(kind: Kind, day: date) -> tuple[str, ...]:
    """The periods a fact dated ``day`` counts in, by kind: a flow in the year, half-year and month of the
    date; a unit once in its year; a stock in the periods whose count date ``day`` is (every month end; 30.6
    also the first half-year's, 31.12 the second's and the year's)."""
    if kind == "enheter":
        return (str(day.year),)
    if kind == "bestand":
        keys = [f"{day.year}-{day.month:02d}"]
        if day.month == 6:
            keys.append(f"{day.year}-H1")
        if day.month == 12:
            keys += [f"{day.year}-H2", str(day.year)]
        return tuple(keys)
    return periods(day)


STOCK_HORIZON = date(2020, 12, 31)  # the last count date a stock is kept for; move it with the next letters


def month_ends(start: date, end: date | None) -> list[date]:
    """The count dates (month ends up to :data:`STOCK_HORIZON`) on which something in a stock from ``start``
    until ``end`` (exclusive; None: still in it) is counted."""
    out, year, month = [], start.year, start.month
    while True:
        last = date(year, month, calendar.monthrange(year, month)[1])
        if last > STOCK_HORIZON or (end is not None and last >= end):
            return out
        out.append(last)
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)


@dataclass(frozen=True)
class Target:
    """One part of a compound target: the share (``minst``: at least, ``over``: above) or the count
    (``antall``: denominator at least) of one cell."""

    navn: str
    dimension: str
    value: str
    threshold: float
    rule: Literal["minst", "over", "antall"]

    def holds(self, num: int, den: int) -> bool | None:
        if self.rule == "antall":
            return den >= self.threshold
        if not den:
            return None
        share = num / den
        return share >= self.threshold if self.rule == "minst" else share > self.threshold


@dataclass(frozen=True)
class Measure:
    """One steering parameter's definition. ``beside``: subjects of the measure's wider group that the
    letter keeps out of the population; their count is kept beside the measure as information."""

    id: str
    kind: Kind
    subject: str
    reads: tuple[str, ...]
    population: Callable[[Any], bool]
    hit: Callable[[Any], bool]
    period_date: Callable[[Any], Iterable[date]]
    breakdown: Callable[[Any], list[tuple[str, str]]]
    beside: Callable[[Any], bool] = field(default=lambda fact: False)
    beside_text: str | None = None
    deadline: Callable[[Any], date] | None = None
    """For a flow share with a deadline per subject: the last day an outcome is in time. A subject still
    waiting (the queue) can then be told apart as inside or past its window."""
    targets: tuple[Target, ...] = ()
    """A compound target (SP8, SP10): met only when every part holds."""
    links: dict[str, str] = field(default_factory=dict)
    """How the measure's published cells relate to a report's other tables (disclosure control uses them):
    ``statistikk``: the settlement-statistics column that its population plus those beside add up to
    (``totalt`` by kjønn, or ``enslige_mindrearige`` overall); ``treff_innenfor``: a measure whose hits
    include every hit of this one."""


MONTHLY_DIMENSIONS = ("alle", "kjonn")
"""The breakdowns of a flow the read model keeps month by month: what the status, its projection and the
dashboard's charts read by month (with the dimensions of a compound target). A flow's month by kommune, fylke or
group is computed from the facts when asked for (``rapportering.queries.cells_from_facts``)."""


def kept_by_month(measure: Measure) -> frozenset[str] | None:
    """The dimensions whose month cells the read model keeps for ``measure`` (None: every dimension)."""
    found = _kept.get(id(measure))
    if found is None or found[0] is not measure:  # measures hold a dict, so they cannot be hashed
        kept = None if measure.kind != "flyt" else frozenset(MONTHLY_DIMENSIONS) | {t.dimension
                                                                                  for t in measure.targets}
        found = _kept[id(measure)] = (measure, kept)  # a stock's month ends are count dates; a unit has a year
    return found[1]


_kept: dict[int, tuple[Measure, frozenset[str] | None]] = {}


def is_month(period: str) -> bool:
    return len(period) == 7 and period[5] != "H"


def counted(measures: Iterable[Measure], fact: Any, every: bool = False,
            ) -> list[tuple[list[CellKey], int]]:
    """The cells ``fact`` counts in, per measure defined on its kind of fact: (cell keys, hit). The consumer sums
    these; building each key once per fact (not a six-tuple per cell) is most of its cell expansion.
    ``every``: also the month cells the read model does not keep (:func:`kept_by_month`)."""
    out = []
    for measure in measures:
        if measure.population(fact):
            name, hit = measure.id, 1 if measure.hit(fact) else 0
        elif measure.beside(fact):
            name, hit = measure.id + BESIDE, 0
        else:
            continue
        cells = measure.breakdown(fact)
        monthly = None if every else kept_by_month(measure)
        keys: list[CellKey] = []
        for day in measure.period_date(fact):
            for period in period_keys(measure.kind, day):
                if monthly is not None and is_month(period):
                    keys.extend((name, period, dimension, value) for dimension, value in cells if dimension in monthly)
                else:
                    keys.extend((name, period, dimension, value) for dimension, value in cells)
        out.append((keys, hit))
    return out


def contributions(measures: Iterable[Measure], fact: Any) -> Iterator[Cell]:
    """Every cell ``fact`` counts in, for each measure defined on its kind of fact (the definition: what a
    figure is, whichever cells the read model keeps)."""
    for keys, hit in counted(measures, fact, every=True):
        for measure, period, dimension, value in keys:
            yield measure, period, dimension, value, hit, 1
