"""One status per steering parameter: value, projection and risk for a year as of a date.

The overview, every report and the risk sweep call :func:`sp_status`, so a ``risiko-endret`` event and a
report as of the same date say the same. The year is cut once (:func:`months_counted`): as of a date in
the year, the months up to and including the date's month; after the year, all twelve; before it, none.
For a flow share with a deadline per person (SP1–SP3) the status also says what is still reachable this
year, from the queue (:mod:`rapportering.outlook`).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy.ext.asyncio import AsyncSession

from rapportering import engine, queries
from rapportering.outlook import Outlook, outlook
from rapportering.risk import Projection, Status, compound_risk, not_measured, project_share, sp_risk
from rapportering.steering import Styringsmodell, Styringsparameter
from shared.measures import BESIDE, Measure


def months_counted(year: int, as_of: date) -> int:
    if as_of.year < year:
        return 0
    return 12 if as_of.year > year else as_of.month


@dataclass(frozen=True)
class Count:
    teller: int
    nevner: int


@dataclass(frozen=True)
class SpStatus:
    sp: Styringsparameter
    measure: Measure | None
    total: Count | None
    by_sex: dict[str, Count]
    beside: Count | None
    beside_by_sex: dict[str, Count]
    projection: Projection | None
    outlook: Outlook | None
    risk: Status


async def _year_to_date(session: AsyncSession, measure: str, year: int, months: int, dimension: str,
                        ) -> dict[str, Count]:
    out = {}
    for value, by_month in (await queries.monthly(session, measure, year, dimension)).items():
        upto = [v for m, v in by_month.items() if m <= months]
        out[value] = Count(sum(v[0] for v in upto), sum(v[1] for v in upto))
    return out


async def sp_status(session: AsyncSession, model: Styringsmodell, sp: Styringsparameter, as_of: date) -> SpStatus:
    found = engine.measure(sp.id)
    if found is None:
        return SpStatus(sp, None, None, {}, None, {}, None, None, not_measured(sp, engine.awaiting(sp.id)))
    measure, _ = found
    months = months_counted(model.ar, as_of)
    monthly = (await queries.monthly(session, sp.id, model.ar)).get("alle", {})
    upto = {m: v for m, v in monthly.items() if m <= months}
    total = Count(sum(v[0] for v in upto.values()), sum(v[1] for v in upto.values()))
    projection = project_share(upto, months, sp.resultatkrav.verdi) if total.nevner and months else None
    by_sex = await _year_to_date(session, sp.id, model.ar, months, "kjonn")
    beside = beside_by_sex = None
    if measure.beside_text:
        beside = (await _year_to_date(session, sp.id + BESIDE, model.ar, months, "alle")).get("alle", Count(0, 0))
        beside_by_sex = await _year_to_date(session, sp.id + BESIDE, model.ar, months, "kjonn")
    ahead = None
    if measure.deadline is not None and months and as_of.year == model.ar:
        deadlines = await queries.queue_deadlines(session, measure, as_of)
        ahead = outlook(total.teller, total.nevner, deadlines, as_of, sp.resultatkrav.verdi)
    risk = sp_risk(sp, projection, True)
    if measure.targets and total.nevner:
        cells = {(d, v): (c.teller, c.nevner) for d in {t.dimension for t in measure.targets}
                 for v, c in (await _year_to_date(session, sp.id, model.ar, months, d)).items()}
        risk = compound_risk(measure.targets, cells)
    return SpStatus(sp, measure, total, by_sex, beside, beside_by_sex or {}, projection, ahead, risk)
