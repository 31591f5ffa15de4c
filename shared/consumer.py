"""The idempotent consumer.

Each fetched batch is applied in one database transaction together with the ids of the events it
applied (the tracking table), and Kafka offsets are committed only after that commit. An event already
in the tracking table is skipped. An event that cannot be processed (not a CloudEvent, unknown type,
data that fails its schema, too large, or rejected by the handler) goes to the dead-letter topic with
the reason, and consumption goes on. Transient failures (database or broker unavailable) are retried
without committing anything, so nothing is lost.
"""

from __future__ import annotations

import asyncio
import gc
import logging
import time
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Protocol

from aiokafka.errors import KafkaError
from pydantic import BaseModel, ValidationError
from sqlalchemy import insert
from sqlalchemy.exc import DBAPIError, InterfaceError, OperationalError
from sqlalchemy.ext.asyncio import AsyncSession

from shared import kafka
from shared.db import Database
from shared.events.envelope import Envelope
from shared.events.registry import REGISTRY, dead_letter_topic_for
from shared.metrics import CONSUMER_BATCH_SECONDS, EVENTS_CONSUMED, EVENTS_DEAD_LETTERED, EVENTS_DUPLICATE
from shared.outbox_tables import dead_letter, processed_event
from shared.settings import ServiceSettings
from shared.status import BrokerStatus, supervise
from shared.upsert import insert_new

log = logging.getLogger(__name__)

# A consumer allocates a few dozen short-lived tuples and lists per event. At CPython's default (a young collection
# every 700 allocations) the collections showed in py-spy as time in whichever line allocated (2026-11-28); a young
# collection every 50 000 allocations costs a few MiB and gave rapportering's consumer +30-45 % events/s.
GC_YOUNG_THRESHOLD = 50_000

TRANSIENT = (OperationalError, InterfaceError, OSError, TimeoutError, KafkaError, ConnectionError)

ANALYZE_FIRST_AFTER = 5_000
"""Events applied before the read model's statistics are first refreshed; then each time this process has applied
a quarter more than at the last refresh (a geometric schedule: a handful of ANALYZE runs over a million events)."""


class Rejected(Exception):
    """Raised by a handler for an event that can never be applied (it goes to the dead-letter topic)."""


@dataclass(frozen=True)
class Received:
    envelope: Envelope
    data: BaseModel
    topic: str
    partition: int
    offset: int
    raw: Any = None


@dataclass(frozen=True)
class _Dead:
    record: Any
    reason: str
    event_id: str | None = None
    event_type: str | None = None


class Projection(Protocol):
    """What a consumer applies events to. ``apply`` gets the batch in delivery order, in one transaction."""

    topics: Sequence[str]
    handles: frozenset[str]

    async def apply(self, session: AsyncSession, events: Sequence[Received]) -> None: ...


def _is_transient(exc: BaseException) -> bool:
    if isinstance(exc, DBAPIError) and exc.connection_invalidated:
        return True
    return isinstance(exc, TRANSIENT) and not isinstance(exc, Rejected)


def tune_gc() -> None:
    """Collect young objects less often (see :data:`GC_YOUNG_THRESHOLD`); process-wide, never lowers it."""
    young, *older = gc.get_threshold()
    if young < GC_YOUNG_THRESHOLD:
        gc.set_threshold(GC_YOUNG_THRESHOLD, *older)


class IdempotentConsumer:
    def __init__(self, db: Database, settings: ServiceSettings, projection: Projection,
                 status: BrokerStatus) -> None:
        tune_gc()
        self.db = db
        self.settings = settings
        self.projection = projection
        self.status = status
        self.name = settings.consumer_group
        self.dlq_topic = dead_letter_topic_for(settings.service_name)
        self._consumer = None
        self._producer = None
        self._applied = 0
        self._analyze_at = ANALYZE_FIRST_AFTER

    async def run(self, stop: asyncio.Event) -> None:
        await supervise("consumer", stop, self.status, lambda connected: self._work(stop, connected), self._close,
                        transient=_is_transient)

    async def _work(self, stop: asyncio.Event, connected) -> None:
        await kafka.ensure_topics(self.settings, [*self.projection.topics, self.dlq_topic])
        self._consumer = kafka.group_consumer(self.settings, list(self.projection.topics))
        await self._consumer.start()
        self._producer = kafka.producer(self.settings)
        await self._producer.start()
        connected()
        await self._loop(stop)

    async def _close(self) -> None:
        for client in (self._consumer, self._producer):
            await kafka.close_quietly(client)
        self._consumer = self._producer = None

    async def _loop(self, stop: asyncio.Event) -> None:
        rewind = await kafka.claim_marker(self.settings, "consumer")
        last_check = time.monotonic()
        while not stop.is_set():
            if time.monotonic() - last_check > self.settings.relay_check_seconds:
                last_check = time.monotonic()
                try:
                    rewind = rewind or await kafka.claim_marker(self.settings, "consumer")
                except (KafkaError, OSError, TimeoutError):
                    pass  # broker unreachable: cannot tell yet; aiokafka reconnects by itself, look again later
            if rewind and self._consumer.assignment():
                await self._rewind()
                rewind = False
            batches = await self._consumer.getmany(timeout_ms=200, max_records=self.settings.consumer_batch_size)
            records = [r for recs in batches.values() for r in recs]
            if records:
                started = time.perf_counter()
                await self.process(records)
                await self._consumer.commit({tp: recs[-1].offset + 1 for tp, recs in batches.items()})
                CONSUMER_BATCH_SECONDS.labels(self.settings.service_name).observe(time.perf_counter() - started)

    async def _rewind(self) -> None:
        """The broker is new to this consumer (it restarted and lost its log): read every topic from the start.

        Our in-memory positions may lie beyond the fresh log's end, where Tansu stalls silently, or inside a
        refilled log whose offsets now hold other events. Already applied events are skipped as duplicates.
        """
        assigned = list(self._consumer.assignment())
        log.warning("the broker is new to this consumer: reading from the beginning",
                    extra={"partitions": len(assigned)})
        await self._consumer.seek_to_beginning(*assigned)

    # --- one batch ---------------------------------------------------------------------------------
    async def process(self, records: Sequence[Any]) -> None:
        """Apply a batch of Kafka records (anything with topic/partition/offset/key/value/headers)."""
        good: list[Received] = []
        dead: list[_Dead] = []
        for record in records:
            received = self._parse(record, dead)
            if received is not None:
                good.append(received)
        if good:
            try:
                await self._apply(good)
            except Exception as exc:
                if _is_transient(exc):
                    raise
                # Find the culprit: apply one at a time; the ones the handler rejects are dead letters.
                log.warning("batch rejected; applying events one by one", extra={"error": type(exc).__name__})
                for item in good:
                    try:
                        await self._apply([item])
                    except Exception as one_exc:
                        if _is_transient(one_exc):
                            raise
                        dead.append(_Dead(item.raw, _reason(one_exc), item.envelope.id, item.envelope.type))
        if dead:
            await self._dead_letter(dead)

    def _parse(self, record: Any, dead: list[_Dead]) -> Received | None:
        if record.value is not None and len(record.value) > self.settings.max_event_bytes:
            dead.append(_Dead(record, f"event larger than {self.settings.max_event_bytes} bytes"))
            return None
        try:
            envelope = Envelope.attributes_from_kafka(record.headers, record.value)
        except (ValueError, ValidationError, UnicodeDecodeError) as exc:
            dead.append(_Dead(record, "not a CloudEvent: " + _reason(exc)))
            return None
        spec = REGISTRY.get(envelope.type)
        if spec is None:
            dead.append(_Dead(record, f"unknown event type {envelope.type}", envelope.id, envelope.type))
            return None
        if envelope.type not in self.projection.handles:
            return None
        try:
            data = spec.model.model_validate_json(record.value)
        except ValidationError as exc:
            dead.append(_Dead(record, "data does not match its schema: " + _reason(exc), envelope.id,
                              envelope.type))
            return None
        return Received(envelope, data, record.topic, record.partition, record.offset, record)

    async def _apply(self, items: list[Received]) -> None:
        """Apply the events not applied before, and record them as applied, in one transaction.

        The tracking rows are inserted first with ON CONFLICT DO NOTHING: the ids that come back are exactly
        the new events (the unique index decides, whatever the planner thinks of the table's size).
        """
        unique: dict[str, Received] = {}
        for item in items:
            unique.setdefault(item.envelope.id, item)
        async with self.db.sessions() as session, session.begin():
            new_ids = await insert_new(session, processed_event, [
                {"consumer": self.name, "event_id": i.envelope.id, "event_type": i.envelope.type,
                 "topic": i.topic, "partition": i.partition, "offset": i.offset} for i in unique.values()],
                returning="event_id")
            fresh = [i for i in unique.values() if i.envelope.id in new_ids]
            if fresh:
                await self.projection.apply(session, fresh)
        duplicates = len(items) - len(fresh)
        if duplicates:
            EVENTS_DUPLICATE.labels(self.settings.service_name).inc(duplicates)
        for event_type, count in Counter(item.envelope.type for item in fresh).items():
            EVENTS_CONSUMED.labels(self.settings.service_name, event_type).inc(count)
        self._applied += len(fresh)
        if self._applied >= self._analyze_at:
            await self._refresh_statistics()

    async def _refresh_statistics(self) -> None:
        """``ANALYZE`` the service's database (PostgreSQL) as its read model grows. Without statistics the planner
        takes a grown table for a small one, and a batch's lookup of its subjects (``subject = ANY(…)`` on a
        composite key) became a scan of every row of the fact type: 10× slower per event after 200 000 events
        (measured 2026-11-28; autovacuum is off on the development and CI machines, and behind in a replay)."""
        self._analyze_at = max(self._analyze_at + ANALYZE_FIRST_AFTER, int(self._applied * 1.25))
        if self.db.engine.dialect.name != "postgresql":
            return
        started = time.perf_counter()
        async with self.db.engine.connect() as conn:
            await conn.execution_options(isolation_level="AUTOCOMMIT")
            await conn.exec_driver_sql("ANALYZE")
        log.info("read-model statistics refreshed", extra={"events": self._applied,
                                                           "seconds": round(time.perf_counter() - started, 3)})

    async def _dead_letter(self, dead: list[_Dead]) -> None:
        futures = []
        for d in dead:
            rec = d.record
            value, key, headers = rec.value, rec.key, list(rec.headers or ())
            topic, partition, offset = rec.topic, rec.partition, rec.offset
            headers = [*headers, ("dlq_reason", d.reason.encode()), ("dlq_consumer", self.name.encode()),
                       ("dlq_topic", topic.encode()), ("dlq_partition", str(partition).encode()),
                       ("dlq_offset", str(offset).encode())]
            futures.append(await self._producer.send(self.dlq_topic, value, key=key, headers=headers))
        await asyncio.gather(*futures)
        async with self.db.sessions() as session, session.begin():
            await session.execute(insert(dead_letter), [
                {"consumer": self.name, "topic": d.record.topic, "partition": d.record.partition,
                 "offset": d.record.offset, "event_id": d.event_id, "event_type": d.event_type,
                 "reason": d.reason} for d in dead])
        EVENTS_DEAD_LETTERED.labels(self.settings.service_name).inc(len(dead))
        for d in dead:
            log.warning("event sent to the dead-letter topic",
                        extra={"event_id": d.event_id, "event_type": d.event_type, "topic": d.record.topic,
                               "partition": d.record.partition, "offset": d.record.offset})


def _reason(exc: BaseException) -> str:
    """A reason without the offending values: validation errors can echo input, so keep locations only."""
    if isinstance(exc, ValidationError):
        return "; ".join(f"{'.'.join(str(p) for p in e['loc']) or '(root)'}: {e['msg']}" for e in exc.errors(
            include_input=False, include_url=False))[:1000]
    return f"{type(exc).__name__}: {exc}"[:1000]
