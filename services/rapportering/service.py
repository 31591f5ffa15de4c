from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from rapportering.measures import MEASURE_IDS
from rapportering.models import measure_cell
from rapportering.schemas import Celle, MaalVerdi
from shared.problems import Problem


def _cell(num: int, den: int) -> Celle:
    return Celle(teller=num, nevner=den, andel=round(num / den, 6) if den else None)


async def get(*, session: AsyncSession, measure: str, period: str) -> MaalVerdi:
    if measure not in MEASURE_IDS:
        raise Problem(404, f"Styringsparameteren {measure} måles ikke (ennå).")
    rows = (await session.execute(select(measure_cell).where(
        measure_cell.c.measure == measure, measure_cell.c.period == period))).mappings().all()
    total = next((r for r in rows if r["dimension"] == "alle"), None)
    breakdown: dict[str, dict[str, Celle]] = {}
    for r in rows:
        if r["dimension"] != "alle" and r["denominator"]:
            breakdown.setdefault(r["dimension"], {})[r["value"]] = _cell(r["numerator"], r["denominator"])
    if total is None or not total["denominator"]:
        return MaalVerdi(styringsparameter=measure, periode=period, status="ingen_data", teller=0, nevner=0,
                         andel=None)
    cell = _cell(total["numerator"], total["denominator"])
    return MaalVerdi(styringsparameter=measure, periode=period, status="data", teller=cell.teller,
                     nevner=cell.nevner, andel=cell.andel, fordeling=breakdown)
