"""The facts bosetting's events make: a settled person (SP1–SP3), the queue of persons with a decision
(what is still reachable this year) and each person's stage dates (time per stage, :mod:`rapportering.stages`)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from rapportering.facts.base import FactType
from rapportering.models import case_queue, settlement
from shared.consumer import Received, Rejected
from shared.events import schemas as ev
from shared.geo import kommuner_2017
from shared.settlement_measures import SETTLEMENT_MEASURES, SettledPerson


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



@dataclass(frozen=True)
class StageDates:
    """A person's settlement stages so far: the date of each stage seen (None: not reached or not known), the
    latest municipality (proposed, accepted, settled or self-settled in) and the group EM statistics need.
    :mod:`rapportering.stages` reads it."""

    vedtaksdato: date
    kategori: str
    enslig_mindrearig: bool
    klar_dato: date | None = None
    utvalgt_dato: date | None = None
    akseptert_dato: date | None = None
    bosettingsdato: date | None = None
    avsluttet_dato: date | None = None
    kommunenummer: str | None = None


def _stage_dates(item: Received) -> tuple[str, StageDates]:
    """Never rejects: an event this fact type refused would be dead-lettered for the queue too (a kommunenummer
    outside the 2017 division is kept; it is then in no fylke)."""
    data = item.data
    kommune = getattr(data, "kommunenummer", None)
    return data.person_ref, StageDates(
        vedtaksdato=data.vedtaksdato, kategori=data.kategori, enslig_mindrearig=data.enslig_mindrearig,
        **{f: getattr(data, f, None) for f in ("klar_dato", "utvalgt_dato", "akseptert_dato", "bosettingsdato",
                                               "avsluttet_dato")}, kommunenummer=kommune)


def _merge_forward(stored: StageDates, newer: StageDates) -> StageDates:
    """Merging forward: a date or municipality the newer event carries replaces the stored one (a correction, or
    a new proposal to another municipality), and one it does not carry (None) keeps the stored one — so a
    ``sak-endret`` or a ``person-bosatt`` without the earlier dates never erases a known date. The decision
    date and the group are on every event: the newest stands (a statistics correction)."""
    return StageDates(**{f: getattr(stored, f) if getattr(newer, f) is None else getattr(newer, f)
                         for f in StageDates.__dataclass_fields__})


STAGE_DATES = FactType(name="bosetting_stadier", reads=QUEUE.reads, fact_class=StageDates,
                       subject=lambda item: item.data.person_ref, build=_stage_dates, measures=(),
                       merge=_merge_forward)

FACT_TYPES: tuple[FactType, ...] = (SETTLED_PERSON, QUEUE, STAGE_DATES)
