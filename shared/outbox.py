"""The outbox relay: publishes outbox rows to Kafka in batches and marks them published.

Rows are never deleted: the outbox is the service's event log. When the broker turns out to have lost
what was published (the embedded broker keeps nothing across a restart), the relay marks the topic's
rows unpublished and publishes them again; consumers are idempotent, so nothing is counted twice.
"""

from __future__ import annotations

import asyncio
import logging
import time
from datetime import UTC, datetime

from aiokafka import TopicPartition
from aiokafka.errors import KafkaError
from sqlalchemy import func, select, update

from shared import kafka
from shared.db import Database
from shared.events.envelope import Envelope
from shared.events.registry import topic_for
from shared.metrics import EVENTS_PUBLISHED, OUTBOX_PENDING, OUTBOX_REPUBLISHED
from shared.outbox_tables import outbox
from shared.settings import ServiceSettings
from shared.status import BrokerStatus

log = logging.getLogger(__name__)


class OutboxRelay:
    def __init__(self, db: Database, settings: ServiceSettings, status: BrokerStatus) -> None:
        self.db = db
        self.settings = settings
        self.status = status
        self._wake = asyncio.Event()
        self._producer = None
        self._probe = None

    def notify(self) -> None:
        """Wake the relay now (called after a commit that wrote events)."""
        self._wake.set()

    async def run(self, stop: asyncio.Event) -> None:
        backoff = 0.2
        while not stop.is_set():
            try:
                await self._connect()
                await self.check_broker_reset()
                self.status.ok("relay")
                backoff = 0.2
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
            except asyncio.CancelledError:
                raise
            except (KafkaError, OSError, TimeoutError) as exc:
                self.status.failed("relay", exc)
                log.warning("relay lost the broker; retrying", extra={"error": type(exc).__name__,
                                                                       "retry_in_s": backoff})
            except Exception as exc:  # database down, or a bug: never let the relay die
                self.status.failed("relay", exc)
                log.exception("relay failed; retrying", extra={"retry_in_s": backoff})
            await self._close()
            try:
                await asyncio.wait_for(stop.wait(), backoff)
            except TimeoutError:
                pass
            backoff = min(backoff * 2, 5.0)
        await self._close()

    async def _connect(self) -> None:
        await kafka.ensure_topics(self.settings, [topic_for(self.settings.service_name)])
        self._producer = kafka.producer(self.settings)
        await self._producer.start()
        self._probe = kafka.offsets_probe(self.settings)
        await self._probe.start()

    async def _close(self) -> None:
        for client in (self._producer, self._probe):
            if client is not None:
                try:
                    await client.stop()
                except Exception:  # noqa: BLE001 - closing a broken client
                    pass
        self._producer = self._probe = None

    async def publish_batch(self) -> int:
        """Publish up to one batch of unpublished rows, in outbox order. Returns how many."""
        async with self.db.sessions() as session, session.begin():
            query = (
                select(outbox.c.seq, outbox.c.topic, outbox.c.key, outbox.c.envelope)
                .where(outbox.c.published_at.is_(None))
                .order_by(outbox.c.seq)
                .limit(self.settings.relay_batch_size)
            )
            if not self.db.is_sqlite:
                query = query.with_for_update(skip_locked=True)
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
        """If a topic holds fewer messages than we have published to it, the broker lost them: republish."""
        async with self.db.sessions() as session:
            topics = list((await session.execute(select(outbox.c.topic).distinct())).scalars())
            pending = (await session.execute(
                select(func.count()).select_from(outbox).where(outbox.c.published_at.is_(None)))).scalar_one()
            OUTBOX_PENDING.labels(self.settings.service_name).set(pending)
        if not topics:
            return
        await kafka.ensure_topics(self.settings, topics)
        for topic in topics:
            async with self.db.sessions() as session:
                published = (await session.execute(
                    select(func.count()).select_from(outbox).where(
                        outbox.c.topic == topic, outbox.c.published_at.is_not(None)))).scalar_one()
            if published == 0:
                continue
            end = await self._end_offset_sum(topic)
            if end < published:
                async with self.db.sessions() as session, session.begin():
                    result = await session.execute(
                        update(outbox).where(outbox.c.topic == topic, outbox.c.published_at.is_not(None))
                        .values(published_at=None))
                OUTBOX_REPUBLISHED.labels(self.settings.service_name, topic).inc(result.rowcount)
                log.warning("broker holds fewer events than were published: republishing from the outbox",
                            extra={"topic": topic, "broker_end_offsets": end, "published": published})

    async def _end_offset_sum(self, topic: str) -> int:
        partitions = None
        for _ in range(20):
            await self._probe._client.force_metadata_update()
            partitions = self._probe._client.cluster.partitions_for_topic(topic)
            if partitions:
                break
            await asyncio.sleep(0.1)
        if not partitions:
            return 0
        ends = await self._probe.end_offsets([TopicPartition(topic, p) for p in partitions])
        return sum(ends.values())
