"""rapportering's use cases: inputs (as events on its own topic), live overviews, report versions, risk sweep."""

from __future__ import annotations

import asyncio
import base64
import hashlib
import json
import logging
import zlib
from collections import OrderedDict
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from rapportering import disclosure, engine, queries, reports, stages, status
from rapportering.models import measure_cell, read_model_version, report_version, risk_state
from rapportering.risk import assignment_risk
from rapportering.steering import Styringsmodell, load, years
from shared import errors
from shared.db import Database, UnitOfWork
from shared.events import schemas as ev
from shared.geo import kommuner_2017
from shared.measure_schemas import MaalVerdi, from_cells
from shared.measures import is_month, kept_by_month
from shared.outbox_tables import processed_event

log = logging.getLogger(__name__)


def model_for(year: int) -> Styringsmodell:
    try:
        return load(year)
    except KeyError as exc:
        raise errors.NotFound(f"Det finnes ingen styringsmodell for {year}. Tilgjengelig: "
                      f"{', '.join(map(str, years()))}.") from exc


def check_measured(measure: str) -> None:
    if engine.measure(measure) is None:
        raise errors.NotFound(f"Styringsparameteren {measure} måles ikke fra hendelser (ennå).")


async def get(*, session: AsyncSession, measure: str, period: str) -> MaalVerdi:
    check_measured(measure)
    definition, _ = engine.measure(measure)
    if is_month(period) and kept_by_month(definition) is not None:  # the month's breakdowns are not kept
        return from_cells(measure, period, await queries.cells_from_facts(session, measure, period))
    rows = (await session.execute(select(measure_cell).where(
        measure_cell.c.measure == measure, measure_cell.c.period == period))).mappings().all()
    return from_cells(measure, period, {(r["dimension"], r["value"]): (r["numerator"], r["denominator"])
                                        for r in rows})


# --- answers cached by the read model's version --------------------------------------------------------
@dataclass(frozen=True)
class Answer:
    """An answer's bytes and its strong ETag (the SHA-256 of the bytes)."""

    body: bytes
    etag: str

    @classmethod
    def of(cls, body: bytes) -> Answer:
        return cls(body, f'"{hashlib.sha256(body).hexdigest()}"')


class AnswerCache:
    """Answers computed from the read model, kept until the read model's version changes.

    The consumer bumps the version in the same transaction as the cells (``read_model_version``), and a read
    takes the version before it reads the cells, so an entry never holds figures older than its version: once a
    batch of events commits, every later read misses and recomputes. The key must name everything the answer
    depends on besides the data (the question, the reader's rendering). One per application (one database).
    """

    def __init__(self, size: int = 512) -> None:
        self.size = size
        self._version: int | None = None
        self._entries: OrderedDict[tuple, Answer] = OrderedDict()

    async def answer(self, session: AsyncSession, key: tuple, compute: Callable[[], Awaitable[bytes]]) -> Answer:
        version = await data_version(session)
        if version != self._version:
            self._entries.clear()
            self._version = version
        found = self._entries.get(key)
        if found is not None:
            self._entries.move_to_end(key)
            return found
        answer = Answer.of(await compute())
        if self._version == version:  # not if a newer version was seen meanwhile
            self._entries[key] = answer
            if len(self._entries) > self.size:
                self._entries.popitem(last=False)
        return answer


async def data_version(session: AsyncSession) -> int:
    """The read model's version (bumped by every batch the consumer applies)."""
    return (await session.execute(select(read_model_version.c.version))).scalar_one()


async def value_answer(*, session: AsyncSession, cache: AnswerCache, measure: str, period: str,
                       internal: bool) -> Answer:
    """An SP's value as JSON bytes, from the cache while the read model is unchanged. Keyed by the rendering
    (internal or not) too, although only IMDi's readers get live values today: an external answer must never
    be served from an internal one."""
    check_measured(measure)

    async def compute() -> bytes:
        return (await get(session=session, measure=measure, period=period)).model_dump_json().encode()

    return await cache.answer(session, ("verdi", measure, period, "intern" if internal else "ekstern"), compute)


async def stage_times(*, session: AsyncSession, year: int, as_of: date, kommunenummer: str | None = None,
                      fylkesnummer: str | None = None, em: bool | None = None) -> stages.StageTimes:
    """Time in each settlement stage and the bottleneck (O1), by the rule in :mod:`rapportering.stages`."""
    if kommunenummer is not None and kommunenummer not in kommuner_2017():
        raise errors.NotFound(f"Kommunenummer {kommunenummer} finnes ikke i 2017-inndelingen.")
    if fylkesnummer is not None and fylkesnummer not in {k.fylkesnummer for k in kommuner_2017().values()}:
        raise errors.NotFound(f"Fylkesnummer {fylkesnummer} finnes ikke i 2017-inndelingen.")
    return stages.stage_times(await queries.stage_dates(session), year=year, as_of=as_of,
                              kommunenummer=kommunenummer, fylkesnummer=fylkesnummer, em=em)


# --- inputs: recorded as events, applied by the consumer like any other ---------------------------------
async def record(*, uow: UnitOfWork, data) -> str:
    async with uow:
        envelope = uow.publish(data)
    return envelope.id


def check_milestone(model: Styringsmodell, oppdrag: str, milepael: str) -> None:
    try:
        o = model.oppdrag_by_id(oppdrag)
    except StopIteration as exc:
        raise errors.NotFound(f"Oppdraget {oppdrag} finnes ikke i styringsmodellen for {model.ar}.") from exc
    if milepael not in {m.id for m in o.alle_milepaeler}:
        raise errors.NotFound(f"Oppdraget {oppdrag} har ingen milepæl {milepael}.")


def check_object(model: Styringsmodell, objekt: str) -> None:
    if objekt not in {s.id for s in model.styringsparametere} | {o.id for o in model.oppdrag}:
        raise errors.NotFound(f"{objekt} finnes ikke i styringsmodellen for {model.ar}.")


# --- live overviews ------------------------------------------------------------------------------------
async def sp_overview(*, session: AsyncSession, model: Styringsmodell, as_of: date) -> list[dict[str, Any]]:
    assessed = await queries.assessments(session, model.ar, as_of)
    out = []
    for goal in model.mal:
        for sp in (s for s in model.styringsparametere if s.mal == goal.id):
            out.append(await reports._sp_section(session, model, sp, as_of, assessed.get(sp.id), str(model.ar)))
    return out


async def assignment_overview(*, session: AsyncSession, model: Styringsmodell, as_of: date) -> list[dict[str, Any]]:
    assessed = await queries.assessments(session, model.ar, as_of)
    return [await reports._assignment_section(session, model, o, as_of, assessed.get(o.id)) for o in model.oppdrag]


async def computed_statuses(session: AsyncSession, model: Styringsmodell, as_of: date) -> dict[str, tuple[str, str]]:
    out: dict[str, tuple[str, str]] = {}
    for sp in model.styringsparametere:
        risk = (await status.sp_status(session, model, sp, as_of)).risk
        out[sp.id] = (risk.status, risk.begrunnelse)
    for o in model.oppdrag:
        risk = assignment_risk(o, await queries.milestones(session, model.ar, o, as_of), as_of,
                               model.risiko.oppdrag.rod_etter_dager)
        out[o.id] = (risk.status, risk.begrunnelse)
    return out


async def risk_sweep(db: Database, today: date) -> int:
    """Compare every computed status with the last one seen; record and publish the changes."""
    from rapportering import workflow  # the workflow builds on this module

    changed = 0
    for year in years():
        model = load(year)
        as_of = min(today, date(year, 12, 31))
        uow = db.unit_of_work(source_service="rapportering")
        async with uow:
            now = await computed_statuses(uow.session, model, as_of)
            now.update(await workflow.obligation_risks(uow.session, model, today))
            seen = {r["objekt"]: r for r in (await uow.session.execute(
                select(risk_state).where(risk_state.c.ar == year))).mappings()}
            for objekt, (status, reason) in sorted(now.items()):
                before = seen.get(objekt)
                if before is not None and before["status"] == status:
                    continue
                values = {"ar": year, "objekt": objekt, "status": status, "begrunnelse": reason,
                          "endret": datetime.now(UTC)}
                if before is None:
                    await uow.session.execute(risk_state.insert().values(**values))
                else:
                    await uow.session.execute(risk_state.update().where(
                        risk_state.c.ar == year, risk_state.c.objekt == objekt).values(**values))
                uow.publish(ev.RisikoEndretV1(ar=year, objekt=objekt, fra=before["status"] if before else None,
                                              til=status, begrunnelse=reason, per_dato=as_of))
                changed += 1
    return changed


# --- report versions -----------------------------------------------------------------------------------
async def data_position(session: AsyncSession, consumer: str) -> dict[str, Any]:
    """The set of events the read model holds: every report records it, so it can be reproduced."""
    ids = sorted((await session.execute(select(processed_event.c.event_id).where(
        processed_event.c.consumer == consumer))).scalars())
    joined = "\n".join(ids).encode()
    return {"hendelser": len(ids), "sha256": reports.sha256(joined),
            "ider": base64.b64encode(zlib.compress(joined, 9)).decode()}


def position_ids(position: dict[str, Any]) -> frozenset[str]:
    raw = zlib.decompress(base64.b64decode(position["ider"])).decode()
    return frozenset(raw.split("\n")) if raw else frozenset()


async def latest_version(session: AsyncSession, report_type: str, period: str) -> dict | None:
    row = (await session.execute(select(report_version).where(
        report_version.c.rapporttype == report_type, report_version.c.periode == period)
        .order_by(report_version.c.versjon.desc()).limit(1))).mappings().first()
    return dict(row) if row else None


async def get_version(session: AsyncSession, report_type: str, period: str, version: int) -> dict:
    row = (await session.execute(select(report_version).where(
        report_version.c.rapporttype == report_type, report_version.c.periode == period,
        report_version.c.versjon == version))).mappings().first()
    if row is None:
        raise errors.NotFound(f"Versjon {version} av {report_type} {period} finnes ikke.")
    return dict(row)


async def versions(session: AsyncSession, report_type: str | None, period: str | None) -> list[dict]:
    query = select(report_version.c.rapporttype, report_version.c.periode, report_version.c.versjon,
                   report_version.c.sha256, report_version.c.sha256_ekstern, report_version.c.publisert,
                   report_version.c.publisert_av)
    if report_type:
        query = query.where(report_version.c.rapporttype == report_type)
    if period:
        query = query.where(report_version.c.periode == period)
    query = query.order_by(report_version.c.rapporttype, report_version.c.periode, report_version.c.versjon)
    return [dict(r) for r in (await session.execute(query)).mappings()]


def year_of(period: str) -> int:
    return int(period[:4])


# one publisher per year at a time in this process (SQLite); PostgreSQL also takes an advisory lock, since the
# year's reports are suppressed jointly and each must see the others' published patterns
_year_locks: dict[int, asyncio.Lock] = {}
SYSTEM = "system"


async def publish(*, db: Database, consumer: str, report_type: str, period: str, by: str,
                  threshold: int) -> tuple[dict, bool]:
    """Freeze the report as a new version unless it equals the latest. Returns (version row, created).

    The version stores the internal content and the external rendering (disclosure control against every
    other published version of the year), each with its SHA-256. Safe under concurrency: a writer that
    loses the race for the version number re-reads and returns the winner's version."""
    model = model_for(year_of(period))
    try:
        async with _year_locks.setdefault(model.ar, asyncio.Lock()):
            return await _publish(db, consumer, model, report_type, period, by, threshold)
    except IntegrityError:
        async with db.sessions() as session:
            latest = await latest_version(session, report_type, period)
        if latest is None:
            raise
        return latest, False


async def _publish(db: Database, consumer: str, model: Styringsmodell, report_type: str, period: str, by: str,
                   threshold: int) -> tuple[dict, bool]:
    async with db.sessions() as session, session.begin():
        if not db.is_sqlite:
            await session.execute(select(func.pg_advisory_xact_lock(func.hashtext(f"rapport/{model.ar}"))))
        try:
            content = await reports.build(session, model, report_type, period)
        except reports.UnknownPeriod as exc:
            raise errors.NotFound(str(exc)) from exc
        body = reports.canonical(content)
        digest = reports.sha256(body)
        latest = await latest_version(session, report_type, period)
        if latest is not None and latest["sha256"] == digest:
            return latest, False
        linked = await linked_versions(session, model.ar) if report_type != "manedsrapport" else []
        external = reports.canonical(disclosure.protect(content, linked, threshold))
        row = {"rapporttype": report_type, "periode": period, "versjon": (latest["versjon"] + 1) if latest else 1,
               "innhold": body.decode(), "sha256": digest, "innhold_ekstern": external.decode(),
               "sha256_ekstern": reports.sha256(external),
               "posisjon": json.dumps(await data_position(session, consumer)), "publisert": datetime.now(UTC),
               "publisert_av": by}
        await session.execute(report_version.insert().values(**row))
    log.info("report published", extra={"rapporttype": report_type, "periode": period, "versjon": row["versjon"],
                                        "sha256": digest})
    return row, True


async def linked_versions(session: AsyncSession, year: int) -> list[tuple[dict, dict]]:
    """(internal, external) content of every published half-year and annual version of the year. Versions
    published before disclosure control (no external rendering) are not served to external readers any more
    and are left out; what they showed before cannot be taken back."""
    rows = (await session.execute(select(report_version.c.innhold, report_version.c.innhold_ekstern).where(
        report_version.c.rapporttype.in_(["halvarsrapport", "arsrapport"]),
        report_version.c.periode.like(f"{year}%")).order_by(
        report_version.c.rapporttype, report_version.c.periode, report_version.c.versjon))).all()
    return [(json.loads(full), json.loads(external)) for full, external in rows if external is not None]


def shown_publisher(by: str) -> str:
    """What an external reader sees as publisher: a unit or the system, never a person's token subject."""
    return "system" if by.startswith(SYSTEM) else "IMDi (analyse og rapportering)"


async def publish_closed_months(*, db: Database, consumer: str, today: date, threshold: int) -> int:
    """The scheduler's job: freeze the monthly report of every closed month that has none yet and send it to
    JD (monthly reports are not approved: the workflow records the step with the role ``system``). A month
    frozen but not sent (a crash between the two) is sent on the next round."""
    from rapportering import workflow  # the workflow builds on this module

    published = 0
    for year in years():
        model = load(year)
        for month in range(1, 13):
            period = f"{year}-{month:02d}"
            info = reports.period_info(model, "manedsrapport", period)
            if info["telletidspunkt"] >= today:
                break
            async with db.sessions() as session:
                latest = await latest_version(session, "manedsrapport", period)
                if latest is not None and (await workflow.state_of(session, "manedsrapport", period)).sendte:
                    continue
            if latest is None:
                latest, created = await publish(db=db, consumer=consumer, report_type="manedsrapport",
                                                period=period, by=f"{SYSTEM} (måned avsluttet)", threshold=threshold)
                published += created
            await workflow.send_month(db, period, latest)
    return published
