"""Reads of the read model, as of a date. Everything a report holds comes through here."""

from __future__ import annotations

from collections import defaultdict
from datetime import date

from sqlalchemy import and_, func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from rapportering import engine
from rapportering.facts.bosetting import STAGE_DATES, StageDates
from rapportering.models import (
    assessment,
    case_queue,
    fact,
    key_figure,
    measure_cell,
    milestone_update,
    places,
    report_text,
    settlement,
)
from rapportering.risk import MilestoneState
from rapportering.steering import Oppdrag
from shared.dates import period_range
from shared.measures import Measure, contributions
from shared.outbox_tables import processed_event


async def monthly(session: AsyncSession, measure: str, year: int, dimension: str = "alle",
                  ) -> dict[str, dict[int, tuple[int, int]]]:
    """value → month → (numerator, denominator) for one measure and year."""
    rows = await session.execute(select(measure_cell).where(
        measure_cell.c.measure == measure, measure_cell.c.dimension == dimension,
        measure_cell.c.period.like(f"{year}-__"), measure_cell.c.period.notlike(f"{year}-H%")))
    out: dict[str, dict[int, tuple[int, int]]] = defaultdict(dict)
    for r in rows.mappings():
        out[r["value"]][int(r["period"][5:7])] = (r["numerator"], r["denominator"])
    return out


async def period_cells(session: AsyncSession, measure: str, period: str, dimension: str = "alle",
                       ) -> dict[str, tuple[int, int]]:
    """value → (numerator, denominator) for one measure, period key and dimension."""
    rows = await session.execute(select(measure_cell).where(
        measure_cell.c.measure == measure, measure_cell.c.period == period, measure_cell.c.dimension == dimension))
    return {r["value"]: (r["numerator"], r["denominator"]) for r in rows.mappings()}


async def cells_from_facts(session: AsyncSession, measure: str, period: str,
                           ) -> dict[tuple[str, str], tuple[int, int]]:
    """(dimension, value) → (numerator, denominator) of one measure in one period, counted from the current facts
    with the measure's definition: the cells the read model does not keep (a flow's months by kommune, fylke or
    group; ``shared.measures.kept_by_month``) are answered so."""
    found = engine.measure(measure)
    if found is None:
        return {}
    definition, fact_type = found
    start, end = period_range(period)
    rows = await session.execute(select(fact_type.stored_in).where(*fact_type.where(),
                                                                   *fact_type.in_period(start, end)))
    out: dict[tuple[str, str], list[int]] = defaultdict(lambda: [0, 0])
    for row in rows.mappings():
        for name, p, dimension, value, num, den in contributions((definition,), fact_type.from_row(row)):
            if name == definition.id and p == period:
                cell = out[(dimension, value)]
                cell[0] += num
                cell[1] += den
    return {key: (num, den) for key, (num, den) in out.items()}


async def milestones(session: AsyncSession, year: int, o: Oppdrag, as_of: date) -> list[MilestoneState]:
    """Each milestone as its latest update dated on or before ``as_of`` says (latest by date, time, id)."""
    rows = (await session.execute(select(milestone_update).where(
        milestone_update.c.ar == year, milestone_update.c.oppdrag == o.id, milestone_update.c.dato <= as_of)
        .order_by(milestone_update.c.dato, milestone_update.c.event_time, milestone_update.c.event_id))).mappings()
    latest = {r["milepael"]: r for r in rows}
    out = []
    for m in o.alle_milepaeler:
        r = latest.get(m.id)
        out.append(MilestoneState(id=m.id, tekst=m.tekst, frist=m.frist, ferdig=bool(r and r["ferdig"]),
                                  fremdrift=r["fremdrift"] if r else None,
                                  dato=r["dato"] if r else None, kommentar=r["kommentar"] if r else None))
    return out


async def key_figures(session: AsyncSession, year: int, objekt: str) -> dict[str, list[dict]]:
    """periode → the current key figures of an assignment or requirement (the latest event for each figure,
    breakdown and period), sorted by name, dimension and category."""
    rows = (await session.execute(select(key_figure).where(key_figure.c.ar == year, key_figure.c.objekt == objekt)
                                  .order_by(key_figure.c.event_time, key_figure.c.event_id))).mappings()
    latest = {(r["periode"], r["navn"], r["dimensjon"], r["kategori"]): r for r in rows}
    out: dict[str, list[dict]] = defaultdict(list)
    for (periode, navn, dimensjon, kategori), r in sorted(latest.items()):
        out[periode].append({"navn": navn, "tekst": r["tekst"], "dimensjon": dimensjon, "kategori": kategori,
                             "antall": r["antall"], "nevner": r["nevner"], "personer": r["personer"]})
    return out


async def milestone_history(session: AsyncSession, year: int, oppdrag: str, milepael: str) -> list[dict]:
    rows = await session.execute(select(milestone_update).where(
        milestone_update.c.ar == year, milestone_update.c.oppdrag == oppdrag, milestone_update.c.milepael == milepael)
        .order_by(milestone_update.c.event_time, milestone_update.c.event_id))
    return [dict(r) for r in rows.mappings()]


async def assessments(session: AsyncSession, year: int, as_of: date) -> dict[str, dict]:
    rows = (await session.execute(select(assessment).where(assessment.c.ar == year, assessment.c.dato <= as_of)
                                  .order_by(assessment.c.dato, assessment.c.event_time, assessment.c.event_id)))
    return {r["objekt"]: {"status": r["status"], "begrunnelse": r["begrunnelse"], "tiltak": r["tiltak"],
                          "dato": r["dato"].isoformat()} for r in rows.mappings()}


async def texts(session: AsyncSession, report_type: str, period: str) -> dict[str, str]:
    rows = await session.execute(select(report_text).where(
        report_text.c.rapporttype == report_type, report_text.c.periode == period)
        .order_by(report_text.c.event_time, report_text.c.event_id))
    return {r["krav"]: r["tekst"] for r in rows.mappings()}


async def settled_counts(session: AsyncSession, start: date, end: date) -> tuple[list[dict], dict[str, int]]:
    """Persons settled between ``start`` and ``end`` by kommune and kjønn, with EM."""
    rows = await session.execute(
        select(settlement.c.kommunenummer, settlement.c.fylkesnummer, settlement.c.kjonn,
               func.count().label("antall"))
        .where(and_(settlement.c.bosettingsdato >= start, settlement.c.bosettingsdato <= end))
        .group_by(settlement.c.kommunenummer, settlement.c.fylkesnummer, settlement.c.kjonn))
    counts = [dict(r) for r in rows.mappings()]
    em_rows = await session.execute(
        select(settlement.c.kommunenummer, func.count().label("em"))
        .where(and_(settlement.c.bosettingsdato >= start, settlement.c.bosettingsdato <= end,
                    settlement.c.enslig_mindrearig.is_(True)))
        .group_by(settlement.c.kommunenummer))
    em = {r["kommunenummer"]: r["em"] for r in em_rows.mappings()}
    return counts, em


async def places_for(session: AsyncSession, year: int) -> list[dict]:
    rows = await session.execute(select(places).where(places.c.ar == year).order_by(places.c.kommunenummer))
    return [dict(r) for r in rows.mappings()]


async def events_for_cell(session: AsyncSession, measure: str, period: str, dimension: str, value: str,
                          limit: int, after: str | None) -> list[dict]:
    """The events behind one cell of any measure (the lineage of a figure): the facts of the measure's kind
    dated in the period whose contributions include the cell, by event id, a page at a time."""
    found = engine.measure(measure)
    if found is None:
        return []
    definition, fact_type = found
    table, (start, end) = fact_type.stored_in, period_range(period)
    wanted = (definition.id, period, dimension, value)
    base = (select(table, processed_event.c.event_type, processed_event.c.processed_at)
            .join(processed_event, processed_event.c.event_id == table.c.event_id)
            .where(*fact_type.where(), *fact_type.in_period(start, end))
            .order_by(table.c.event_id))
    out: list[dict] = []
    while len(out) < limit:
        query = base.limit(limit) if after is None else base.where(table.c.event_id > after).limit(limit)
        rows = (await session.execute(query)).mappings().all()
        for row in rows:
            cells = contributions((definition,), fact_type.from_row(row))
            if any(cell[:4] == wanted for cell in cells):
                out.append(dict(row))
                if len(out) == limit:
                    break
        if len(rows) < limit:
            break
        after = rows[-1]["event_id"]
    return out


async def queue_deadlines(session: AsyncSession, measure: Measure, as_of: date) -> list[date]:
    """The deadline of every person in the measure's population who has a decision and is not settled (nor
    closed) on ``as_of``: the queue the status reads what is still reachable from."""
    rows = await session.execute(select(case_queue).where(
        case_queue.c.vedtaksdato <= as_of, or_(case_queue.c.avsluttet.is_(None), case_queue.c.avsluttet > as_of)))
    facts = (engine.QUEUE.from_row(r) for r in rows.mappings())
    return [measure.deadline(f) for f in facts if measure.population(f)]


async def stage_dates(session: AsyncSession) -> list[StageDates]:
    """Every person's settlement stage dates (the ``bosetting_stadier`` facts); :mod:`rapportering.stages` selects
    and counts."""
    rows = await session.execute(select(fact.c.data).where(*STAGE_DATES.where()))
    return [STAGE_DATES.from_row({"data": d}) for (d,) in rows]
