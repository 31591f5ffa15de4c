"""The facts bosetting's events make: a settled person (SP1–SP3) and the queue of persons with a decision
(what is still reachable this year)."""

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

FACT_TYPES: tuple[FactType, ...] = (SETTLED_PERSON, QUEUE)
