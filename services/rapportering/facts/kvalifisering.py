"""The facts kvalifisering's events make, kept in the generic fact store (see :mod:`rapportering.facts.base`):
SP4–SP9.2 as ``shared.kvalifisering_measures`` defines them. A person's fact is keyed by the person reference; a
municipality's by kommune and year (it counts once per year, from its latest figures)."""

from __future__ import annotations

from rapportering.facts.base import FactType
from shared.consumer import Received, Rejected
from shared.events import kvalifisering as ev
from shared.geo import kommuner_2017
from shared.kvalifisering_measures import (
    KVALIFISERING_MEASURES,
    JobbsjansenEnded,
    MunicipalityProgrammeYear,
    MunicipalitySurvey,
    ProgrammeEnded,
    TrainingDuty,
    TrainingRight,
)

_BY_ID = {m.id: m for m in KVALIFISERING_MEASURES}


def _kommune(nummer: str) -> None:
    if nummer not in kommuner_2017():  # the reason never echoes event content
        raise Rejected("kommunenummer is not in the 2017 division")


def _training_right(item: Received) -> tuple[str, TrainingRight]:
    d = item.data
    _kommune(d.kommunenummer)
    if d.opplaering_start is not None and d.opplaering_start < d.rett_fra:
        raise Rejected("training started before the right began")
    return d.person_ref, TrainingRight(kjonn=d.kjonn, rett_fra=d.rett_fra, opplaering_start=d.opplaering_start,
                                       fritatt=d.fritatt)


def _training_duty(item: Received) -> tuple[str, TrainingDuty]:
    d = item.data
    _kommune(d.kommunenummer)
    return d.person_ref, TrainingDuty(kjonn=d.kjonn, frist=d.frist, oppfylt=d.oppfylt, fritatt=d.fritatt)


def _year_subject(item: Received) -> str:
    return f"{item.data.kommunenummer}:{item.data.ar}"


def _programme_year(item: Received) -> tuple[str, MunicipalityProgrammeYear]:
    d = item.data
    _kommune(d.kommunenummer)
    if d.med_grunnskole_eller_vgs > d.deltakere:
        raise Rejected("more participants with school than participants")
    return _year_subject(item), MunicipalityProgrammeYear(kommunenummer=d.kommunenummer, ar=d.ar,
                                                          deltakere=d.deltakere,
                                                          med_grunnskole_eller_vgs=d.med_grunnskole_eller_vgs)


def _survey(item: Received) -> tuple[str, MunicipalitySurvey]:
    d = item.data
    _kommune(d.kommunenummer)
    return _year_subject(item), MunicipalitySurvey(kommunenummer=d.kommunenummer, ar=d.ar,
                                                   tilbyr_introduksjonsprogram=d.tilbyr_introduksjonsprogram,
                                                   har_resultatmal=d.har_resultatmal)


def _programme_ended(item: Received) -> tuple[str, ProgrammeEnded]:
    d = item.data
    _kommune(d.kommunenummer)
    return d.person_ref, ProgrammeEnded(kjonn=d.kjonn, kategori=d.kategori, avsluttet=d.avsluttet_dato,
                                        arbeid_eller_utdanning_ett_ar_etter=d.arbeid_eller_utdanning_ett_ar_etter)


def _jobbsjansen_subject(item: Received) -> str:
    return f"{item.data.person_ref}:{item.data.programdel}"  # a person takes part in each part once


def _jobbsjansen_ended(item: Received) -> tuple[str, JobbsjansenEnded]:
    d = item.data
    return _jobbsjansen_subject(item), JobbsjansenEnded(
        kjonn=d.kjonn, programdel=d.programdel, avsluttet=d.avsluttet_dato,
        direkte_til_arbeid_eller_utdanning=d.direkte_til_arbeid_eller_utdanning)


def _person(item: Received) -> str:
    return item.data.person_ref


FACT_TYPES: tuple[FactType, ...] = (
    FactType(name="opplaering_rett", reads=(ev.OPPLAERING_RETT_V1.type,), fact_class=TrainingRight,
             subject=_person, build=_training_right, measures=(_BY_ID["SP4"],)),
    FactType(name="opplaering_plikt", reads=(ev.OPPLAERING_PLIKT_V1.type,), fact_class=TrainingDuty,
             subject=_person, build=_training_duty, measures=(_BY_ID["SP5"],)),
    FactType(name="introprogram_ar", reads=(ev.INTRODUKSJONSPROGRAM_AR_V1.type,),
             fact_class=MunicipalityProgrammeYear, subject=_year_subject, build=_programme_year,
             measures=(_BY_ID["SP6"],)),
    FactType(name="kommuneundersokelse", reads=(ev.KOMMUNEUNDERSOKELSE_V1.type,), fact_class=MunicipalitySurvey,
             subject=_year_subject, build=_survey, measures=(_BY_ID["SP7"],)),
    FactType(name="introprogram_avsluttet", reads=(ev.INTRODUKSJONSPROGRAM_AVSLUTTET_V1.type,),
             fact_class=ProgrammeEnded, subject=_person, build=_programme_ended, measures=(_BY_ID["SP8"],)),
    FactType(name="jobbsjansen_avsluttet", reads=(ev.JOBBSJANSEN_AVSLUTTET_V1.type,), fact_class=JobbsjansenEnded,
             subject=_jobbsjansen_subject, build=_jobbsjansen_ended, measures=(_BY_ID["SP9.1"], _BY_ID["SP9.2"])),
)
