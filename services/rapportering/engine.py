"""The measure engine: every steering parameter measured from events, through one set of definitions.

A :class:`FactType` says which events make the current fact of a subject (a settled person, …), how the fact
is built from an event and where it is kept. A :class:`shared.measures.Measure` says how a fact counts. The
projection keeps, per subject, the fact of the newest event and the (measure, period, dimension, value) →
(numerator, denominator) cells: a new fact subtracts the old one's contributions and adds its own, so one
event costs the same whatever the volume. Lineage, the overview, reports, disclosure control and the risk
sweep read the definitions here and name no measure.

Adding a measure: see "Adding a measure" in the README.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import Table

from rapportering.models import case_queue, settlement
from shared.consumer import Received, Rejected
from shared.events import schemas as ev
from shared.geo import kommuner_2017
from shared.letter_measures import LETTER_MEASURES
from shared.measures import Cell, Measure, contributions
from shared.settlement_measures import SETTLEMENT_MEASURES, SettledPerson


@dataclass(frozen=True)
class FactType:
    """The current fact per subject: built from the events in ``reads``, kept in ``table`` keyed by ``key``;
    ``date_column`` holds the date that puts the fact in a period (lineage filters on it)."""

    name: str
    reads: tuple[str, ...]
    table: Table
    key: str
    date_column: str
    fact_class: type
    subject: Callable[[Received], str]
    build: Callable[[Received], tuple[str, Any]]
    measures: tuple[Measure, ...]
    merge: Callable[[Any, Any], Any] | None = None  # (stored fact, newer fact) → the fact to keep

    def contributions(self, fact: Any) -> Iterator[Cell]:
        return contributions(self.measures, fact)

    def from_row(self, row: Any) -> Any:
        return self.fact_class(**{k: row[k] for k in self.fact_class.__dataclass_fields__})


def _settled_person(item: Received) -> tuple[str, SettledPerson]:
    data: ev.PersonBosattV1 = item.data  # type: ignore[assignment]
    kommune = kommuner_2017().get(data.kommunenummer)
    if kommune is None:  # the reason never echoes event content
        raise Rejected("kommunenummer is not in the 2017 division")
    if data.bosettingsdato < data.vedtaksdato:
        raise Rejected("settlement date before decision date")
    return data.person_ref, SettledPerson(
        vedtaksdato=data.vedtaksdato, bosettingsdato=data.bosettingsdato, kommunenummer=data.kommunenummer,
        fylkesnummer=kommune.fylkesnummer, kjonn=data.kjonn, kategori=data.kategori,
        enslig_mindrearig=data.enslig_mindrearig, em_aldersgruppe=data.em_aldersgruppe)


SETTLED_PERSON = FactType(name="bosatt_person", reads=(ev.PERSON_BOSATT_V1.type,), table=settlement,
                          key="person_ref", date_column="bosettingsdato", fact_class=SettledPerson,
                          subject=lambda item: item.data.person_ref, build=_settled_person,
                          measures=SETTLEMENT_MEASURES)

@dataclass(frozen=True)
class QueuedPerson:
    """A person with a decision; ``avsluttet`` is the date their case was settled or closed (None: waiting).
    Its fields carry the names the settlement measures' population reads (kategori, enslig_mindrearig)."""

    vedtaksdato: date
    kategori: str
    enslig_mindrearig: bool
    avsluttet: date | None


def _queued_person(item: Received) -> tuple[str, QueuedPerson]:
    data = item.data
    closed = getattr(data, "bosettingsdato", None) or getattr(data, "avsluttet_dato", None)
    return data.person_ref, QueuedPerson(vedtaksdato=data.vedtaksdato, kategori=data.kategori,
                                         enslig_mindrearig=data.enslig_mindrearig, avsluttet=closed)


def _stays_closed(stored: QueuedPerson, newer: QueuedPerson) -> QueuedPerson:
    """A case only moves forward: a later statistics correction keeps the settlement or closing date."""
    if newer.avsluttet is None and stored.avsluttet is not None:
        return QueuedPerson(newer.vedtaksdato, newer.kategori, newer.enslig_mindrearig, stored.avsluttet)
    return newer


QUEUE = FactType(name="ko", reads=tuple(s.type for s in (
    ev.SAK_REGISTRERT_V1, ev.SAK_ENDRET_V1, ev.PERSON_KLAR_V1, ev.PERSON_UTVALGT_V1, ev.PERSON_AKSEPTERT_V1,
    ev.PERSON_BOSATT_V1, ev.SAK_AVSLUTTET_V1)), table=case_queue, key="person_ref", date_column="vedtaksdato",
    fact_class=QueuedPerson, subject=lambda item: item.data.person_ref, build=_queued_person, measures=(),
    merge=_stays_closed)

FACT_TYPES: tuple[FactType, ...] = (SETTLED_PERSON, QUEUE)


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
