"""The outbox: the write side for bulk producers (:func:`event_rows`, :func:`write`) and the relay, which
publishes outbox rows to Kafka in batches and marks them published.

Rows are never deleted: the outbox is the service's event log. When the broker turns out to be new (the
embedded broker keeps nothing across a restart; see :func:`shared.kafka.claim_marker`), the relay marks
every row unpublished and publishes the log again; consumers are idempotent, so nothing counts twice.
"""

from __future__ import annotations

import asyncio
import functools
import json
import logging
import os
import time
import uuid
from collections.abc import Iterable
from datetime import UTC, datetime

from aiokafka.errors import KafkaError
from pydantic import BaseModel
from sqlalchemy import func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from shared import kafka
from shared.dates import event_time
from shared.db import Database
from shared.events.envelope import CONTENT_TYPE, SPECVERSION, Envelope
from shared.events.registry import REGISTRY, EventSpec, topic_for
from shared.metrics import EVENTS_PUBLISHED, OUTBOX_PENDING, OUTBOX_REPUBLISHED
from shared.outbox_tables import outbox
from shared.settings import ServiceSettings
from shared.status import BrokerStatus, supervise
from shared.upsert import insert_rows

log = logging.getLogger(__name__)

# One relay at a time per outbox (PostgreSQL advisory lock, held for a batch's transaction). Row locks with
# SKIP LOCKED let a second relay publish later rows of an aggregate while the first still sends earlier ones:
# tests/faults/test_scale_out.py saw 7 aggregates out of order with two instances and batches of three.
RELAY_LOCK = 1_402_017


# --- writing ------------------------------------------------------------------------------------------
_SPECS: dict[tuple[str, type], EventSpec] = {}


def _spec(source_service: str, data: BaseModel) -> EventSpec:
    """The registered event type of ``data`` that ``source_service`` publishes (cached per class)."""
    cached = _SPECS.get((source_service, type(data)))
    if cached is None:
        matching = [s for s in REGISTRY.values() if isinstance(data, s.model)]
        if not matching:
            raise KeyError(f"no event type registered for {type(data).__name__}")
        cached = next((s for s in matching if s.service == source_service), None)
        if cached is None:
            raise ValueError(f"{source_service} cannot publish {matching[0].type}")
        _SPECS[(source_service, type(data))] = cached
    return cached


def event_rows(source_service: str, events: Iterable[BaseModel]) -> list[dict]:
    """Outbox rows for ``events`` (registered schema instances), in order: the same CloudEvents envelope as
    :meth:`shared.db.UnitOfWork.publish` writes, built from the already validated data without validating it
    again (a bulk import writes a few events per row). Each event gets its own, strictly later time
    (:func:`shared.dates.event_time`): consumers order an aggregate's events by time."""
    events = list(events)
    random = os.urandom(16 * len(events))  # one system call for all the ids
    rows = []
    for i, data in enumerate(events):
        occurred = event_time()
        at = occurred.isoformat()
        spec = _spec(source_service, data)
        before_id, before_time, before_subject, before_data = _envelope_parts(spec)
        event_id, key = str(uuid.UUID(bytes=random[16 * i:16 * i + 16], version=4)), spec.key(data)
        envelope = (f"{before_id}{event_id}{before_time}{at}{before_subject}{json.dumps(key)}{before_data}"
                    f"{data.model_dump_json()}}}")
        rows.append({"event_id": event_id, "topic": spec.topic, "key": key, "event_type": spec.type,
                     "occurred_at": occurred, "envelope": envelope})
    return rows


@functools.cache
def _envelope_parts(spec: EventSpec) -> tuple[str, str, str, str]:
    """The envelope's JSON (attributes in :class:`Envelope`'s order) around its id, time, subject and data."""
    def j(value: str) -> str:
        return json.dumps(value)
    return (f'{{"specversion":{j(SPECVERSION)},"id":"', f'","source":{j(spec.source)},"type":{j(spec.type)},"time":"',
            '","subject":', f',"datacontenttype":{j(CONTENT_TYPE)},"dataschema":{j(spec.dataschema)},"data":')


async def write(session: AsyncSession, rows: list[dict]) -> None:
    """Append :func:`event_rows` to the outbox in ``session``'s transaction (one statement)."""
    await insert_rows(session, outbox, rows)


class OutboxRelay:
    def __init__(self, db: Database, settings: ServiceSettings, status: BrokerStatus) -> None:
        self.db = db
        self.settings = settings
        self.status = status
        self._wake = asyncio.Event()
        self._producer = None

    def notify(self) -> None:
        """Wake the relay now (called after a commit that wrote events)."""
        self._wake.set()

    async def run(self, stop: asyncio.Event) -> None:
        await supervise("relay", stop, self.status, lambda connected: self._work(stop, connected), self._close,
                        transient=lambda exc: isinstance(exc, (KafkaError, OSError, TimeoutError)))

    async def _work(self, stop: asyncio.Event, connected) -> None:
        await self._connect()
        await self.check_broker_reset()
        connected()
        last_check = time.monotonic()
        while not stop.is_set():
            published = await self.publish_batch()
            if time.monotonic() - last_check > self.settings.relay_check_seconds:
                await self.check_broker_reset()
                last_check = time.monotonic()
            if published == 0:
                self._wake.clear()
                try:
                    await asyncio.wait_for(self._wake.wait(), self.settings.relay_idle_seconds)
                except TimeoutError:
                    pass

    async def _connect(self) -> None:
        await kafka.ensure_topics(self.settings, [topic_for(self.settings.service_name)])
        self._producer = kafka.producer(self.settings)
        await self._producer.start()

    async def _close(self) -> None:
        await kafka.close_quietly(self._producer)
        self._producer = None

    async def publish_batch(self) -> int:
        """Publish up to one batch of unpublished rows, in outbox order. Returns how many."""
        async with self.db.sessions() as session, session.begin():
            if not self.db.is_sqlite and not (await session.execute(select(func.pg_try_advisory_xact_lock(
                    RELAY_LOCK)))).scalar_one():
                return 0  # another instance's relay is publishing; it goes on until the outbox is empty
            query = (
                select(outbox.c.seq, outbox.c.topic, outbox.c.key, outbox.c.envelope)
                .where(outbox.c.published_at.is_(None))
                .order_by(outbox.c.seq)
                .limit(self.settings.relay_batch_size)
            )
            rows = (await session.execute(query)).all()
            if not rows:
                OUTBOX_PENDING.labels(self.settings.service_name).set(0)
                return 0
            futures = []
            for row in rows:
                env = Envelope.model_validate_json(row.envelope)
                futures.append(await self._producer.send(
                    row.topic, env.kafka_value(), key=row.key.encode(), headers=env.kafka_headers()))
            await asyncio.gather(*futures)
            seqs = [row.seq for row in rows]
            now = datetime.now(UTC)
            for i in range(0, len(seqs), 500):
                await session.execute(
                    update(outbox).where(outbox.c.seq.in_(seqs[i:i + 500])).values(published_at=now))
        for topic in {row.topic for row in rows}:
            EVENTS_PUBLISHED.labels(self.settings.service_name, topic).inc(
                sum(1 for r in rows if r.topic == topic))
        return len(rows)

    async def check_broker_reset(self) -> None:
        """On a broker that is new to this relay, publish the whole event log again."""
        async with self.db.sessions() as session:
            pending = (await session.execute(
                select(func.count()).select_from(outbox).where(outbox.c.published_at.is_(None)))).scalar_one()
        OUTBOX_PENDING.labels(self.settings.service_name).set(pending)
        if not await kafka.claim_marker(self.settings, "relay"):
            return
        async with self.db.sessions() as session, session.begin():
            topics = list((await session.execute(select(outbox.c.topic).distinct())).scalars())
            result = await session.execute(
                update(outbox).where(outbox.c.published_at.is_not(None)).values(published_at=None))
        if topics:
            await kafka.ensure_topics(self.settings, topics)
        if result.rowcount:
            OUTBOX_REPUBLISHED.labels(self.settings.service_name, "all").inc(result.rowcount)
            log.warning("the broker is new to this relay: republishing the event log",
                        extra={"events": result.rowcount})
