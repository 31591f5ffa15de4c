"""Pure rules for the grants that settlements trigger, and for the forecast. No database here.

- **Integreringstilskudd** (kap. 496 post 60): for the settlement year and the four following years. Year one's
  rate depends on the group (single adult, adult, child, EM: ``tilskuddsgruppe`` in bosetting's person-bosatt);
  years 2–5 have one rate each for everyone. A person whose group bosetting could not tell (no birth year) gets
  the adult rate.
- **EM grant** (post 61): for an unaccompanied minor, every year from the settlement year to and including the
  year they turn 20 (``til_og_med_alder``), at the higher rate to and including the year they turn 16; no birth
  year, no EM grant until bosetting sends one (a corrected settlement).
- Each year's amount uses that year's rates (``data/satser-<year>.yaml``); for a year without rates, the nearest
  year's (``frame.rates``), recorded as ``sats_ar`` (provisional).
- Year one is paid in the settlement month (on the settlement date), later years on the first day of the
  configured month of that year.
- The forecast of settlements still to come in a year: per municipality, what it decided (kommunevedtak) less
  what it has settled, never below zero; EM and others apart; and never more than the persons waiting in the
  settlement queue (a decision, not yet settled or closed).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date

from tilskudd.frame import Rates

INTEGRERINGSTILSKUDD_YEARS = 5
POST_IT, POST_EM = "60", "61"
KAPITTEL = 496


@dataclass(frozen=True)
class Entitlement:
    ar: int
    post: str
    arstrinn: int
    belop_ore: int
    sats_ar: int
    utbetalingsdato: date


def _paid(year: int, settled: date, rates: Rates) -> date:
    return settled if year == settled.year else date(year, rates.utbetalingsmaned_senere_ar, 1)


def entitlements(*, bosettingsdato: date, tilskuddsgruppe: str | None, enslig_mindrearig: bool,
                 fodselsar: int | None, rates_for: Callable[[int], Rates]) -> list[Entitlement]:
    out: list[Entitlement] = []
    first = bosettingsdato.year
    group = tilskuddsgruppe or ("enslig_mindrearig" if enslig_mindrearig else "voksen")
    for step in range(1, INTEGRERINGSTILSKUDD_YEARS + 1):
        year = first + step - 1
        r = rates_for(year)
        amount = r.ar1[group] if step == 1 else r.senere_ar[step]
        out.append(Entitlement(year, POST_IT, step, amount, r.ar, _paid(year, bosettingsdato, r)))
    if enslig_mindrearig and fodselsar is not None:
        last = fodselsar + rates_for(first).em_til_og_med_alder
        for year in range(first, last + 1):
            r = rates_for(year)
            amount = r.em_hoy if year - fodselsar <= r.em_hoy_til_og_med_alder else r.em_lav
            out.append(Entitlement(year, POST_EM, year - first + 1, amount, r.ar, _paid(year, bosettingsdato, r)))
    return out


@dataclass(frozen=True)
class Expected:
    """Settlements still to come in the year, by the municipalities' decisions."""

    others: int
    em: int


def expected_settlements(decided: dict[str, tuple[int, int]], settled: dict[str, tuple[int, int]],
                         waiting: tuple[int, int] | None = None) -> Expected:
    """``decided``: kommune → (places, of which EM); ``settled``: kommune → (settled, of which EM); ``waiting``:
    (persons in the settlement queue, of which EM): no more can be settled than are waiting."""
    others = em = 0
    for kommune, (places, em_places) in decided.items():
        done, done_em = settled.get(kommune, (0, 0))
        others += max(0, (places - em_places) - (done - done_em))
        em += max(0, em_places - done_em)
    if waiting is not None:
        queue, queue_em = waiting
        others, em = min(others, queue - queue_em), min(em, queue_em)
    return Expected(others, em)


def month_ends(start: date, year: int) -> list[date]:
    """The last day of every month of ``year`` from ``start``'s month (all twelve if ``start`` is earlier)."""
    first_month = start.month if start.year == year else (1 if start.year < year else 13)
    out = []
    for month in range(first_month, 13):
        nxt = date(year + 1, 1, 1) if month == 12 else date(year, month + 1, 1)
        out.append(date.fromordinal(nxt.toordinal() - 1))
    return out
