"""The measure engine: every steering parameter measured from events, through one set of definitions.

A :class:`FactType` (``rapportering.facts``, one module per source service) says which events make the
current fact of a subject (a settled person, an interpreter, a municipality's year, …), how the fact is built
from an event and where it is kept (the generic fact store, or a table of its own). A
:class:`shared.measures.Measure` says how a fact counts. The projection keeps, per subject, the fact of the
newest event and the (measure, period, dimension, value) → (numerator, denominator) cells: a new fact
subtracts the old one's contributions and adds its own, so one event costs the same whatever the volume.
Lineage, the overview, reports, disclosure control and the risk sweep read the definitions here and name no
measure.

Adding a measure: see "Adding a measure" in the README.
"""

from __future__ import annotations

from datetime import date

from rapportering.facts import FACT_TYPES, FactType
from rapportering.facts.bosetting import QUEUE, SETTLED_PERSON, QueuedPerson
from shared.letter_measures import LETTER_MEASURES
from shared.measures import Measure

__all__ = ["FACT_TYPES", "QUEUE", "SETTLED_PERSON", "FactType", "QueuedPerson", "awaiting", "defined",
           "fact_type_for", "in_range", "measure", "measures"]


def defined() -> dict[str, Measure]:
    """Every SP of the letter the engine has a definition of, counted or still waiting for its events."""
    return {**{m.id: m for m in LETTER_MEASURES}, **{m.id: m for m, _ in measures().values()}}


def awaiting(sp: str) -> Measure | None:
    """A definition whose source service publishes no events yet (no fact type keeps its facts)."""
    return None if sp in measures() else defined().get(sp)


def measures() -> dict[str, tuple[Measure, FactType]]:
    """Every measure the engine counts, with its fact type, by SP id."""
    return {m.id: (m, f) for f in FACT_TYPES for m in f.measures}


def measure(sp: str) -> tuple[Measure, FactType] | None:
    return measures().get(sp)


def fact_type_for(event_type: str) -> FactType | None:
    return next((f for f in FACT_TYPES if event_type in f.reads), None)


def in_range(day: date, start: date, end: date) -> bool:
    return start <= day <= end
