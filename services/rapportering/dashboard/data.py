"""The dashboard's own reads: small helpers on rapportering's read model, as of a date (read-only)."""

from __future__ import annotations

from collections import Counter
from datetime import date

from sqlalchemy import or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from rapportering import queries, stages
from rapportering.models import case_queue
from rapportering.status import months_counted

AGE_BUCKETS = [(0, 90, "Under 3 måneder"), (90, 182, "3–6 måneder"), (182, 365, "6–12 måneder"),
               (365, None, "Over 12 måneder")]


async def year_so_far(session: AsyncSession, measure: str, year: int, as_of: date) -> dict[int, tuple[int, int]]:
    """Month → (teller, nevner) of the measure for the months counted as of ``as_of`` (as the status cuts)."""
    months = months_counted(year, as_of)
    monthly = (await queries.monthly(session, measure, year)).get("alle", {})
    return {m: v for m, v in monthly.items() if m <= months}


async def queue_ages(session: AsyncSession, as_of: date) -> dict:
    """Persons with a decision who are neither settled nor closed on ``as_of``, by time waited since the decision."""
    rows = (await session.execute(select(case_queue.c.vedtaksdato, case_queue.c.enslig_mindrearig).where(
        case_queue.c.vedtaksdato <= as_of,
        or_(case_queue.c.avsluttet.is_(None), case_queue.c.avsluttet > as_of)))).all()
    buckets: Counter[str] = Counter()
    em = 0
    ages = []
    for vedtaksdato, enslig in rows:
        days = (as_of - vedtaksdato).days
        ages.append(days)
        em += bool(enslig)
        for low, high, label in AGE_BUCKETS:
            if days >= low and (high is None or days < high):
                buckets[label] += 1
                break
    return {"antall": len(rows), "em": em, "grupper": [(label, buckets[label]) for _, _, label in AGE_BUCKETS],
            "median_dager": stages.median(ages), "lengst_dager": max(ages, default=None)}
