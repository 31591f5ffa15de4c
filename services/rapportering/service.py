from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from rapportering.models import measure_cell
from shared.measure_schemas import MaalVerdi, from_cells
from shared.problems import Problem
from shared.settlement_measures import BY_ID


async def get(*, session: AsyncSession, measure: str, period: str) -> MaalVerdi:
    if measure not in BY_ID:
        raise Problem(404, f"Styringsparameteren {measure} måles ikke (ennå).")
    rows = (await session.execute(select(measure_cell).where(
        measure_cell.c.measure == measure, measure_cell.c.period == period))).mappings().all()
    return from_cells(measure, period, {(r["dimension"], r["value"]): (r["numerator"], r["denominator"])
                                        for r in rows})
