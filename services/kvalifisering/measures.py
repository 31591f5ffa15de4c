"""SP4–SP9.2 counted by kvalifisering from its own records, with the same definitions rapportering counts its
events with (``shared.kvalifisering_measures``): the facts below are the ones the service publishes, built from
the same rows, so the two agree cell by cell."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from kvalifisering import rules
from kvalifisering.models import Introdeltaker, IntroprogramAr, JobbsjansenDeltaker, Kommuneundersokelse, Opplaering
from shared.kvalifisering_measures import (
    KVALIFISERING_MEASURES,
    JobbsjansenEnded,
    MunicipalityProgrammeYear,
    MunicipalitySurvey,
    ProgrammeEnded,
    TrainingDuty,
    TrainingRight,
)
from shared.measure_schemas import MaalVerdi, from_cells
from shared.measures import contributions

BY_ID = {m.id: m for m in KVALIFISERING_MEASURES}


def training_right(o: Opplaering) -> TrainingRight:
    return TrainingRight(kjonn=o.kjonn, rett_fra=o.rett_fra, opplaering_start=o.start_dato,
                         fritatt=o.fritak_arsak is not None)


def training_duty(o: Opplaering) -> TrainingDuty:
    return TrainingDuty(kjonn=o.kjonn, frist=rules.deadline(o.rett_fra), oppfylt=o.oppfylt_dato,
                        fritatt=o.fritak_arsak is not None)


def programme_ended(p: Introdeltaker) -> ProgrammeEnded:
    return ProgrammeEnded(kjonn=p.kjonn, kategori=p.kategori, avsluttet=p.avsluttet_dato,
                          arbeid_eller_utdanning_ett_ar_etter=rules.in_work_or_education(p.status_ett_ar_etter))


def jobbsjansen_ended(d: JobbsjansenDeltaker) -> JobbsjansenEnded:
    return JobbsjansenEnded(kjonn=d.kjonn, programdel=d.del_, avsluttet=d.slutt_dato,
                            direkte_til_arbeid_eller_utdanning=rules.directly_to_work_or_education(d.utfall))


async def _facts(session: AsyncSession, measure_id: str) -> Iterable:
    if measure_id in ("SP4", "SP5"):
        build = training_right if measure_id == "SP4" else training_duty
        return [build(o) for o in (await session.execute(select(Opplaering))).scalars()]
    if measure_id == "SP6":
        return [MunicipalityProgrammeYear(r.kommunenummer, r.ar, r.deltakere, r.med_grunnskole_eller_vgs)
                for r in (await session.execute(select(IntroprogramAr))).scalars()]
    if measure_id == "SP7":
        return [MunicipalitySurvey(r.kommunenummer, r.ar, r.tilbyr_egne_innbyggere or r.tilbyr_andre_kommuner,
                                   r.har_resultatmal)
                for r in (await session.execute(select(Kommuneundersokelse))).scalars()]
    if measure_id == "SP8":
        return [programme_ended(p) for p in (await session.execute(
            select(Introdeltaker).where(Introdeltaker.avsluttet_dato.is_not(None)))).scalars()]
    return [jobbsjansen_ended(d) for d in (await session.execute(select(JobbsjansenDeltaker).where(
        JobbsjansenDeltaker.slutt_dato.is_not(None), JobbsjansenDeltaker.del_.in_(("A", "C"))))).scalars()]


async def measure(*, session: AsyncSession, measure_id: str, period: str) -> MaalVerdi:
    """One SP for a period, by the shared definition (the same rapportering counts with)."""
    definition = BY_ID[measure_id]
    cells: dict[tuple[str, str], list[int]] = defaultdict(lambda: [0, 0])
    for fact in await _facts(session, measure_id):
        for m, p, dimension, value, num, den in contributions((definition,), fact):
            if m == measure_id and p == period:
                cells[(dimension, value)][0] += num
                cells[(dimension, value)][1] += den
    return from_cells(measure_id, period, {k: (v[0], v[1]) for k, v in cells.items()})
