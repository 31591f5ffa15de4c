"""SP1–SP3 as section 3.1 of the letter defines them. bosetting and rapportering both count with this, so they
agree exactly.

Population: persons who applied for protection and were granted a permit that gives the basis for settlement
(``asyl``) and resettlement refugees (``overforingsflyktning``), settled by a municipality with public
assistance or settling themselves by agreement with a municipality (bosetting sends both as
``person-bosatt``). Family-reunified persons are not in SP1–SP3; their count is kept beside, as information.
Of the persons settled in the period (by settlement date), the share settled within 6 (SP1) or 12 (SP2)
calendar months of the decision or entry permit, and for unaccompanied minors within 3 months (SP3):
settlement date ≤ decision date + N calendar months, the day clamped to the month's end.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date

from shared.dates import add_months
from shared.events.schemas import PERSON_BOSATT_V1
from shared.measures import Cell, Measure, periods
from shared.measures import contributions as _contributions

__all__ = ["SettledPerson", "SETTLEMENT_MEASURES", "BY_ID", "DIMENSIONS", "periods", "contributions"]

IN_POPULATION = frozenset({"asyl", "overforingsflyktning"})


@dataclass(frozen=True)
class SettledPerson:
    vedtaksdato: date
    bosettingsdato: date
    kommunenummer: str
    fylkesnummer: str
    kjonn: str
    kategori: str
    enslig_mindrearig: bool
    em_aldersgruppe: str | None


DIMENSIONS = ("alle", "kjonn", "fylke", "kommune", "em_aldersgruppe", "kategori")


def breakdown(p: SettledPerson) -> list[tuple[str, str]]:
    return [("alle", "alle"), ("kjonn", p.kjonn), ("fylke", p.fylkesnummer), ("kommune", p.kommunenummer),
            ("em_aldersgruppe", p.em_aldersgruppe or "ikke_em"), ("kategori", p.kategori)]


def _settlement_measure(sp: str, months: int, em_only: bool, links: dict[str, str]) -> Measure:
    def group(p: SettledPerson) -> bool:
        return p.enslig_mindrearig or not em_only

    return Measure(
        id=sp, kind="flyt", subject="person", reads=(PERSON_BOSATT_V1.type,),
        population=lambda p: group(p) and p.kategori in IN_POPULATION,
        beside=lambda p: group(p) and p.kategori not in IN_POPULATION,
        beside_text="Familiegjenforente bosatt i perioden (ikke med i styringsparameteren, vist som informasjon)",
        hit=lambda p: p.bosettingsdato <= add_months(p.vedtaksdato, months),
        deadline=lambda p: add_months(p.vedtaksdato, months),
        period_date=lambda p: (p.bosettingsdato,), breakdown=breakdown, links=links)


SETTLEMENT_MEASURES = (
    _settlement_measure("SP1", 6, em_only=False, links={"statistikk": "totalt", "treff_innenfor": "SP2"}),
    _settlement_measure("SP2", 12, em_only=False, links={"statistikk": "totalt"}),
    _settlement_measure("SP3", 3, em_only=True, links={"statistikk": "enslige_mindrearige"}),
)
BY_ID = {m.id: m for m in SETTLEMENT_MEASURES}


def contributions(p: SettledPerson) -> Iterator[Cell]:
    """(measure, period, dimension, value, numerator, denominator) for every cell the person counts in."""
    return _contributions(SETTLEMENT_MEASURES, p)
