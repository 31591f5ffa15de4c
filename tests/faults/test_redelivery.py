"""Every event delivered twice, aggregates interleaved out of order, and poison events among them, under load
with bosetting and rapportering as real processes on PostgreSQL. The checker's figures equal rapportering's,
and the dead-letter topic holds exactly the poison events, each with a reason."""

from __future__ import annotations

import asyncio
import json
import random
import time

import asyncpg
import pytest
from aiokafka import AIOKafkaProducer

from shared.events.envelope import Envelope
from shared.events.schemas import PERSON_BOSATT_V1
from tests.faults.harness import Load, asyncpg_dsn, read_topic, scalar, settle

pytestmark = pytest.mark.e2e
TOPIC, DLQ = "imdi.bosetting.v1", "imdi.rapportering.dlq.v1"


def interleaved(rows: list, seed: int) -> list:
    """The rows in a random order across aggregates (keys), each aggregate's own rows still in order."""
    by_key: dict[str, list] = {}
    for row in rows:
        by_key.setdefault(row["key"], []).append(row)
    rng, queues, out = random.Random(seed), [list(v) for v in by_key.values()], []
    while queues:
        q = rng.choice(queues)
        out.append(q.pop(0))
        if not q:
            queues.remove(q)
    return out


async def outbox_rows(database_url: str) -> list:
    conn = await asyncpg.connect(asyncpg_dsn(database_url))
    try:
        return [dict(r) for r in await conn.fetch("SELECT key, event_type, envelope FROM outbox ORDER BY seq")]
    finally:
        await conn.close()


def poison() -> list[tuple[bytes, bytes, list]]:
    """(key, value, headers) of events rapportering can never apply: each kind the consumer knows."""
    spec = PERSON_BOSATT_V1
    good = Envelope.new(source=spec.source, type=spec.type, subject="p-" + "f" * 32,
                        data={**spec.example.model_dump(mode="json"), "person_ref": "p-" + "f" * 32})
    headers = good.kafka_headers()
    other_type = [(k, b"no.imdi.bosetting.person-teleportert.v1" if k == "ce_type" else v) for k, v in headers]
    return [
        (b"poison-not-json", b"\xff\xfe not json", [("ce_id", b"x")]),
        (b"poison-schema", json.dumps({**good.data, "kommunenummer": "oslo"}).encode(), headers),
        (b"poison-kommune", json.dumps({**good.data, "kommunenummer": "9999"}).encode(), headers),
        (b"poison-type", good.kafka_value(), other_type),
        (b"poison-size", json.dumps({**good.data, "fyll": "x" * 300_000}).encode(), headers),
    ]


async def produce(bootstrap: str, messages: list[tuple[bytes, bytes, list]]) -> None:
    producer = AIOKafkaProducer(bootstrap_servers=bootstrap, acks="all", max_request_size=2_000_000)
    await producer.start()
    try:
        for key, value, headers in messages:
            await producer.send_and_wait(TOPIC, value, key=key, headers=headers)
    finally:
        await producer.stop()


def superseded(rows: list) -> list:
    """Each aggregate's events but its last: a late duplicate of these must not undo a correction."""
    last: dict[str, dict] = {}
    for row in rows:
        last[row["key"]] = row
    return [row for row in rows if row is not last[row["key"]]]


async def redeliver(system, seed: int, stale_only: bool = False) -> int:
    rows = await outbox_rows(system.database_urls["bosetting"])
    rows = superseded(rows) if stale_only else interleaved(rows, seed)
    messages = []
    for row in rows:
        env = Envelope.model_validate_json(row["envelope"])
        messages.append((row["key"].encode(), env.kafka_value(), env.kafka_headers()))
    await produce(system.broker.bootstrap, messages)
    return len(messages)


async def dead_letters(bootstrap: str, topic: str = DLQ) -> list:
    return await read_topic(bootstrap, topic)


def personal_data_on_topics(system, year) -> list[str]:
    """Every event on every topic against the loaded persons' DUF-nummer, fødselsnummer and names."""
    secrets = set()
    for line in year[0]:
        row = json.loads(line)
        secrets.update(v for k in ("duf_nummer", "fodselsnummer", "navn") if (v := row.get(k)))
    leaks = []
    for topic in (TOPIC, "imdi.rapportering.v1", DLQ):
        for m in asyncio.run(dead_letters(system.broker.bootstrap, topic)):
            text = (m.value or b"").decode("utf-8", "replace") + " ".join(
                v.decode("utf-8", "replace") for _, v in m.headers)
            leaks += [f"{topic}@{m.partition}/{m.offset}" for s in secrets if s in text]
    return leaks


def test_duplicates_out_of_order_and_poison_under_load(system_factory, year):
    system = system_factory("bosetting", "rapportering")
    load = Load(system, *year, chunk=10, pause=0.2)
    load.start()
    bad = poison()
    while load.sent < len(load.batches) // 3:
        time.sleep(0.1)
    asyncio.run(produce(system.broker.bootstrap, bad[:2]))
    first = asyncio.run(redeliver(system, seed=1))  # what exists so far, again, while the load goes on
    assert first > 0
    asyncio.run(produce(system.broker.bootstrap, bad[2:]))
    load.finish()
    second = asyncio.run(redeliver(system, seed=2))  # everything once more, in another order
    stale = asyncio.run(redeliver(system, seed=3, stale_only=True))  # and late copies of replaced versions
    settle(system)

    dead = asyncio.run(dead_letters(system.broker.bootstrap))
    assert sorted(m.key for m in dead) == sorted(k for k, _, _ in bad), "exactly the poison events"
    assert all(dict(m.headers)["dlq_reason"] for m in dead)
    assert asyncio.run(scalar(system.database_urls["rapportering"], "SELECT count(*) FROM dead_letter")) == len(bad)
    leaks = personal_data_on_topics(system, year)
    assert not leaks, leaks[:5]
    print(f"{first} + {second} + {stale} events redelivered, {len(dead)} dead letters")
