"""Scale-out on PostgreSQL: two bosetting instances (two relays on one outbox) publish every row once and each
aggregate's rows in order; two rapportering instances share the partitions, one is killed under load and the
other takes over with every figure exact."""

from __future__ import annotations

import asyncio
import threading

import pytest

from tests.faults.harness import Load, asyncpg_dsn, read_topic, settle

pytestmark = pytest.mark.e2e


async def _outbox(database_url: str) -> list:
    import asyncpg

    conn = await asyncpg.connect(asyncpg_dsn(database_url))
    try:
        return [(r["event_id"], r["key"], r["published_at"]) for r in
                await conn.fetch("SELECT event_id, key, published_at FROM outbox ORDER BY seq")]
    finally:
        await conn.close()


def test_two_relays_publish_each_row_once_and_in_order(system_factory, year):
    system = system_factory("bosetting", "bosetting-2", IMDI_RELAY_BATCH_SIZE="3")
    rows, corrections = year
    loads = [Load(system, rows[i::2], corrections[i::2], chunk=5, pause=0.02, instance=name)
             for i, name in enumerate(("bosetting", "bosetting-2"))]
    for load in loads:
        load.start()
    for load in loads:
        load.finish()
    outbox = asyncio.run(_outbox(system.database_urls["bosetting"]))
    deadline_ok = threading.Event()
    for _ in range(60):
        outbox = asyncio.run(_outbox(system.database_urls["bosetting"]))
        if all(published for _, _, published in outbox):
            deadline_ok.set()
            break
        asyncio.run(asyncio.sleep(0.5))
    assert deadline_ok.is_set(), "every row published"
    messages = asyncio.run(read_topic(system.broker.bootstrap, "imdi.bosetting.v1"))
    ids = [dict(m.headers)["ce_id"].decode() for m in messages]
    assert len(ids) == len(set(ids)) == len(outbox), "each row published exactly once"
    position = {event_id: (m.partition, m.offset) for event_id, m in zip(ids, messages, strict=True)}
    by_key: dict[str, list] = {}
    for event_id, key, _ in outbox:
        by_key.setdefault(key, []).append(position[event_id])
    out_of_order = [k for k, positions in by_key.items() if positions != sorted(positions)]
    assert not out_of_order, f"{len(out_of_order)} aggregates published out of outbox order"


def _consumed(system, name: str) -> float:
    import httpx

    text = httpx.get(system.url(name) + "/metrics", timeout=5).text
    return sum(float(line.rsplit(" ", 1)[1]) for line in text.splitlines()
               if line.startswith("imdi_events_consumed_total{"))


@pytest.mark.soak
def test_two_rapportering_instances_one_killed_under_load(system_factory, year):
    system = system_factory("bosetting", "rapportering", "rapportering-2")
    load = Load(system, *year, chunk=10, pause=0.3)
    load.start()
    for _ in range(200):
        if _consumed(system, "rapportering") > 0 and _consumed(system, "rapportering-2") > 0:
            break
        asyncio.run(asyncio.sleep(0.2))
    shared = (_consumed(system, "rapportering"), _consumed(system, "rapportering-2"))
    assert all(shared), f"both instances consume (partitions shared): {shared}"
    system.kill9("rapportering-2")
    load.finish()
    settle(system, timeout=180)
    print(f"consumed before the kill: {shared}")
