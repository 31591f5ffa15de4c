"""Read the CloudEvents on a topic, for operators (``imdi hendelser``): from the start, or following new ones.

Reads without a consumer group (nothing is committed, no service's position moves). Works against the
embedded Tansu broker and Apache Kafka alike; it uses the same aiokafka client as the services.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Sequence
from dataclasses import dataclass

from aiokafka import AIOKafkaConsumer, TopicPartition
from aiokafka.structs import ConsumerRecord

from shared.events.envelope import Envelope
from shared.events.registry import topic_for
from shared.kafka import close_quietly

IDLE_MS = 1000  # without --folg: stop once the end is reached and a fetch this long brings nothing new


class UnknownTopic(LookupError):
    pass


@dataclass(frozen=True)
class Unreadable:
    """A message on the topic that is not a CloudEvent in the binary binding (e.g. on a dead-letter topic)."""

    partition: int
    offset: int
    reason: str


def topic_name(topic_or_service: str) -> str:
    """``bosetting`` → ``imdi.bosetting.v1``; a full topic name is kept as it is."""
    return topic_or_service if "." in topic_or_service else topic_for(topic_or_service)


def type_matches(event_type: str, wanted: Sequence[str]) -> bool:
    """No filter, the full type (``no.imdi.bosetting.person-bosatt.v1``) or its event name (``person-bosatt``)."""
    if not wanted:
        return True
    parts = event_type.split(".")
    return event_type in wanted or (len(parts) >= 2 and parts[-2] in wanted)


def parse(record: ConsumerRecord) -> Envelope | Unreadable:
    try:
        return Envelope.from_kafka(record.headers, record.value)
    except Exception as exc:  # noqa: BLE001 - any failure means: not a CloudEvent we can read
        return Unreadable(record.partition, record.offset, type(exc).__name__)


async def read_events(bootstrap: str, topic: str, *, follow: bool = False,
                      types: Sequence[str] = ()) -> AsyncIterator[Envelope | Unreadable]:
    """Every event on ``topic`` from the beginning (of the wanted types); with ``follow``, then wait for more.

    Tansu's end offsets undercount (the last batch's base offset plus one), so the end is where every
    partition has reached its reported end offset and a fetch brings nothing more.
    """
    consumer = AIOKafkaConsumer(bootstrap_servers=bootstrap, group_id=None, enable_auto_commit=False,
                                client_id="imdi-hendelser")
    await consumer.start()
    try:
        partitions = await _assign_from_start(consumer, topic)
        ends = await consumer.end_offsets(partitions)
        while True:
            batch = await consumer.getmany(timeout_ms=IDLE_MS)
            for record in (r for records in batch.values() for r in records):
                item = parse(record)
                if isinstance(item, Unreadable) or type_matches(item.type, types):
                    yield item
            if not batch and not follow and await _at_end(consumer, ends):
                return
    finally:
        await close_quietly(consumer)


async def _assign_from_start(consumer: AIOKafkaConsumer, topic: str) -> list[TopicPartition]:
    if topic not in await consumer.topics():  # asks the broker, so the list is current
        raise UnknownTopic(topic)
    numbers = consumer.partitions_for_topic(topic)
    if not numbers:
        raise UnknownTopic(topic)
    partitions = [TopicPartition(topic, p) for p in sorted(numbers)]
    consumer.assign(partitions)
    await consumer.seek_to_beginning(*partitions)
    return partitions


async def _at_end(consumer: AIOKafkaConsumer, ends: dict[TopicPartition, int]) -> bool:
    positions = await asyncio.gather(*(consumer.position(tp) for tp in ends))
    return all(pos >= end for pos, end in zip(positions, ends.values(), strict=True))
