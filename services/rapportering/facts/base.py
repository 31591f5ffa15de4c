"""A fact type: which events make the current fact of a subject, how the fact is built, and where it is kept.

Most fact types are kept in the generic ``fact`` table (one row per fact type and subject, the fact as JSON,
with the first and last date it puts the fact in a period so lineage can filter); a fact type with a volume
or query that needs columns (SP1–SP3's settled persons, the queue) has a table of its own.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import date
from functools import cache
from typing import Any

from pydantic import TypeAdapter
from sqlalchemy import Column, Table

from rapportering.models import fact as fact_table
from shared.consumer import Received
from shared.measures import Cell, CellKey, Measure, contributions, counted


@cache
def _adapter(fact_class: type) -> TypeAdapter:
    return TypeAdapter(fact_class)


@dataclass(frozen=True)
class FactType:
    """The current fact per subject: built from the events in ``reads`` (``build`` raises
    :class:`shared.consumer.Rejected` for an event it cannot use), counted by ``measures``. ``fact_class`` is a
    frozen dataclass of str, int, bool, date and None fields. ``table`` None: kept in the generic ``fact``
    table; otherwise in ``table`` keyed by ``key``, with ``date_column`` the date lineage filters on."""

    name: str
    reads: tuple[str, ...]
    fact_class: type
    subject: Callable[[Received], str]
    build: Callable[[Received], tuple[str, Any]]
    measures: tuple[Measure, ...]
    merge: Callable[[Any, Any], Any] | None = None  # (stored fact, newer fact) → the fact to keep
    table: Table | None = None
    key: str = "subject"
    date_column: str | None = None

    def contributions(self, fact: Any) -> Iterator[Cell]:
        return contributions(self.measures, fact)

    def counted(self, fact: Any) -> list[tuple[list[CellKey], int]]:
        return counted(self.measures, fact)

    @property
    def stored_in(self) -> Table:
        return fact_table if self.table is None else self.table

    @property
    def key_column(self) -> Column:
        return self.stored_in.c[self.key]

    def where(self) -> list:
        """The condition that selects this fact type's rows in its table."""
        return [fact_table.c.fact_type == self.name] if self.table is None else []

    def from_row(self, row: Any) -> Any:
        if self.table is None:
            return _adapter(self.fact_class).validate_python(row["data"])
        return self.fact_class(**{k: row[k] for k in self.fact_class.__dataclass_fields__})

    def to_row(self, subject: str, fact: Any) -> dict:
        if self.table is not None:
            return {self.key: subject, **vars(fact)}
        dates = self.dates(fact)
        return {"fact_type": self.name, "subject": subject,
                "data": _adapter(self.fact_class).dump_python(fact, mode="json"),
                "fra": min(dates) if dates else None, "til": max(dates) if dates else None}

    def dates(self, fact: Any) -> list[date]:
        """Every date that puts the fact in a period, over the measures that count it."""
        return [d for m in self.measures if m.population(fact) or m.beside(fact) for d in m.period_date(fact)]

    def in_period(self, start: date, end: date) -> list:
        """The condition that selects the facts that may count in a period from ``start`` to ``end``."""
        if self.table is None:
            return [fact_table.c.fra <= end, fact_table.c.til >= start]
        column = self.table.c[self.date_column]
        return [column >= start, column <= end]
