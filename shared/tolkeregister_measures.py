"""SP10 and SP11 as the letter defines them (section 3.2.5), written once as engine definitions
(``shared.measures.Measure``). tolkeregister publishes the register's entries and the state agencies'
guidelines (``shared.events.tolkeregister``); the municipalities' guidelines come from kvalifisering's
survey (``shared.events.kvalifisering``).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from shared.events import kvalifisering as kv_ev
from shared.events import tolkeregister as ev
from shared.measures import Measure, Target, month_ends

# --- units in a year ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class InterpreterGuidelines:
    """SP11: a municipality that answered the survey, or a state agency on the list, and whether its guidelines
    for ordering interpreters include the register (the latest answer for the year)."""

    enhetstype: str  # "kommune" or "etat"
    enhet: str
    ar: int
    retningslinjer_med_register: bool


# --- tolkeregister: a stock -------------------------------------------------------------------------------


@dataclass(frozen=True)
class RegisteredInterpreter:
    """SP10: an interpreter in the register from ``oppfort`` until ``avregistrert`` (exclusive), by the highest
    qualification category; ``tre_hoyeste``: that category is one of the scheme's three highest (the scheme,
    not this definition, says which: 1–3 in 2017)."""

    hoyeste_kategori: str
    tre_hoyeste: bool
    oppfort: date
    avregistrert: date | None


def _year_end(ar: int) -> tuple[date]:
    return (date(ar, 12, 31),)


TOLKEREGISTER_MEASURES: tuple[Measure, ...] = (
    Measure(id="SP10", kind="bestand", subject="tolk", reads=(ev.TOLK_OPPFORT_V1.type,),
            population=lambda f: True, hit=lambda f: f.tre_hoyeste,
            period_date=lambda f: month_ends(f.oppfort, f.avregistrert),
            breakdown=lambda f: [("alle", "alle"), ("kategori", f.hoyeste_kategori)],
            targets=(Target("antall tolker", "alle", "alle", 1800, "antall"),
                     Target("andel i de tre høyeste kategoriene", "alle", "alle", 0.60, "minst"))),
    Measure(id="SP11", kind="enheter", subject="kommune eller etat",
            reads=(kv_ev.KOMMUNEUNDERSOKELSE_V1.type, ev.ETAT_TOLKERETNINGSLINJER_V1.type),
            population=lambda f: True, hit=lambda f: f.retningslinjer_med_register,
            period_date=lambda f: _year_end(f.ar),
            breakdown=lambda f: [("alle", "alle"), ("enhetstype", f.enhetstype)]),
)
