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
from rapportering.risk import (
    Projection,
    Status,
    compound_risk,
    not_measured,
    project_share,
    project_stock,
    sp_risk,
    stock_risk,
    unit_risk,
)
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
    previous: Count | None = None  # a share of units: last year's value, beside this year's


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
    if measure.kind == "enheter":
        return await _units_status(session, model, sp, measure, months)
    if measure.kind == "bestand":
        return await _stock_status(session, model, sp, measure, months)
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


async def _cell(session: AsyncSession, measure: str, period: str, dimension: str = "alle") -> dict[str, Count]:
    return {v: Count(n, d) for v, (n, d) in (await queries.period_cells(session, measure, period, dimension)).items()}


async def _units_status(session: AsyncSession, model: Styringsmodell, sp: Styringsparameter, measure: Measure,
                        months: int) -> SpStatus:
    """A share of units in a year (SP6, SP7, SP11): the year's cell (each unit once, its latest answer), with
    last year's beside. Before the year starts there is nothing to count."""
    total = (await _cell(session, sp.id, str(model.ar))).get("alle", Count(0, 0)) if months else Count(0, 0)
    previous = (await _cell(session, sp.id, str(model.ar - 1))).get("alle")
    value = total.teller / total.nevner if total.nevner else None
    risk = unit_risk(sp, value, previous.teller / previous.nevner if previous and previous.nevner else None,
                     final=months == 12)
    projection = None if value is None else Projection(value, value, value, None, months,
                                                        "siste svar per enhet for året (ingen framskriving)")
    return SpStatus(sp, measure, total, {}, None, {}, projection, None, risk, previous)


async def _stock_status(session: AsyncSession, model: Styringsmodell, sp: Styringsparameter, measure: Measure,
                        months: int) -> SpStatus:
    """A stock on a date (SP10): the count at the end of the as-of month (the count date, 31.12, after the
    year), and the trend of the month-end counts so far to the count date."""
    if not months:
        return SpStatus(sp, measure, Count(0, 0), {}, None, {}, None, None, stock_risk(sp, measure.targets,
                                                                                       (0, 0), None, False))
    series = {m: (v[0], v[1]) for m, v in (await queries.monthly(session, sp.id, model.ar)).get("alle", {}).items()
              if m <= months}
    now = series.get(months, (0, 0))
    projected = project_stock(series, months)
    risk = stock_risk(sp, measure.targets, now, projected, final=months == 12)
    projection = None if projected is None or not projected[0] else Projection(
        projected[1] / projected[0], projected[1] / projected[0], projected[1] / projected[0], None, months,
        f"trend i månedstallene til 31.12: {round(projected[0])} i registeret")
    return SpStatus(sp, measure, Count(*now), {}, None, {}, projection, None, risk)
