"""SP4–SP9.2 as the letter defines them (sections 3.2.1–3.2.4), written once as engine definitions
(``shared.measures.Measure``). kvalifisering publishes the facts (``shared.events.kvalifisering``);
rapportering counts them with these definitions and kvalifisering can count its own data with the same, so
the two agree exactly. Each fact below is what the engine keeps per subject; the definitions are pure and
unit-tested on synthetic facts.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from shared.dates import add_months
from shared.events import kvalifisering as ev
from shared.measures import Measure, Target

# --- kvalifisering: persons ---------------------------------------------------------------------------


@dataclass(frozen=True)
class TrainingRight:
    """SP4: a person's right and duty to training in Norwegian and social studies, and when training began."""

    kjonn: str
    rett_fra: date
    opplaering_start: date | None
    fritatt: bool = False  # exempted from the duty: not in the population


@dataclass(frozen=True)
class TrainingDuty:
    """SP5: a person's three-year deadline and when the duty was fulfilled."""

    kjonn: str
    frist: date
    oppfylt: date | None
    fritatt: bool = False  # exempted from the duty: not in the population


@dataclass(frozen=True)
class ProgrammeEnded:
    """SP8: a participant who ended the introduction programme, and (once known) the register status one year
    after: in work or education or not."""

    kjonn: str
    kategori: str
    avsluttet: date
    arbeid_eller_utdanning_ett_ar_etter: bool | None


@dataclass(frozen=True)
class JobbsjansenEnded:
    """SP9.1/SP9.2: a participant in Jobbsjansen part A or C who ended, and whether they went directly to work
    or education."""

    kjonn: str
    programdel: str
    avsluttet: date
    direkte_til_arbeid_eller_utdanning: bool


# --- units in a year ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class MunicipalityProgrammeYear:
    """SP6: a municipality's introduction programme in a year (the latest data for that year)."""

    kommunenummer: str
    ar: int
    deltakere: int
    med_grunnskole_eller_vgs: int


@dataclass(frozen=True)
class MunicipalitySurvey:
    """SP7: a municipality's answer to the year's municipality survey (the latest answer for that year)."""

    kommunenummer: str
    ar: int
    tilbyr_introduksjonsprogram: bool
    har_resultatmal: bool


def _year_end(ar: int) -> tuple[date]:
    return (date(ar, 12, 31),)


def _by_sex(f) -> list[tuple[str, str]]:
    return [("alle", "alle"), ("kjonn", f.kjonn)]


KVALIFISERING_MEASURES: tuple[Measure, ...] = (
    Measure(id="SP4", kind="flyt", subject="person", reads=(ev.OPPLAERING_RETT_V1.type,),
            population=lambda f: not f.fritatt,
            hit=lambda f: f.opplaering_start is not None and f.opplaering_start <= add_months(f.rett_fra, 3),
            period_date=lambda f: (add_months(f.rett_fra, 3),), breakdown=_by_sex),
    Measure(id="SP5", kind="flyt", subject="person", reads=(ev.OPPLAERING_PLIKT_V1.type,),
            population=lambda f: not f.fritatt, hit=lambda f: f.oppfylt is not None and f.oppfylt <= f.frist,
            period_date=lambda f: (f.frist,), breakdown=_by_sex),
    Measure(id="SP6", kind="enheter", subject="kommune", reads=(ev.INTRODUKSJONSPROGRAM_AR_V1.type,),
            population=lambda f: f.deltakere >= 1, hit=lambda f: f.med_grunnskole_eller_vgs >= 1,
            period_date=lambda f: _year_end(f.ar), breakdown=lambda f: [("alle", "alle")]),
    Measure(id="SP7", kind="enheter", subject="kommune", reads=(ev.KOMMUNEUNDERSOKELSE_V1.type,),
            population=lambda f: f.tilbyr_introduksjonsprogram, hit=lambda f: f.har_resultatmal,
            period_date=lambda f: _year_end(f.ar), breakdown=lambda f: [("alle", "alle")]),
    Measure(id="SP8", kind="flyt", subject="person", reads=(ev.INTRODUKSJONSPROGRAM_AVSLUTTET_V1.type,),
            population=lambda f: f.arbeid_eller_utdanning_ett_ar_etter is not None,
            hit=lambda f: bool(f.arbeid_eller_utdanning_ett_ar_etter),
            # counted when the outcome is known, one year after the end: the letter's "result in 2014" is the
            # 2013 cohort's status in 2014, so the figure for 2017 is the cohort that ended in 2016
            period_date=lambda f: (add_months(f.avsluttet, 12),),
            breakdown=lambda f: [*_by_sex(f), ("kategori", f.kategori)],
            targets=(Target("samlet", "alle", "alle", 0.70, "minst"),
                     Target("menn", "kjonn", "M", 0.72, "over"),  # the letter's 2014 result per group
                     Target("kvinner", "kjonn", "K", 0.50, "over"))),
    Measure(id="SP9.1", kind="flyt", subject="person", reads=(ev.JOBBSJANSEN_AVSLUTTET_V1.type,),
            population=lambda f: f.programdel == "A", hit=lambda f: f.direkte_til_arbeid_eller_utdanning,
            period_date=lambda f: (f.avsluttet,), breakdown=_by_sex),
    Measure(id="SP9.2", kind="flyt", subject="person", reads=(ev.JOBBSJANSEN_AVSLUTTET_V1.type,),
            population=lambda f: f.programdel == "C", hit=lambda f: f.direkte_til_arbeid_eller_utdanning,
            period_date=lambda f: (f.avsluttet,), breakdown=_by_sex),
)
