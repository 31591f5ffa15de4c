"""The consumer refreshes its database's statistics as the read model grows (PostgreSQL): without them the planner
takes a grown table for a small one and a batch's lookup of its subjects scans every fact of the type (10× slower
per event after 200 000 events, the benchmark's ``per_event_cost``). On SQLite there is nothing to refresh."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import text

from shared import consumer as consumer_module
from tests.integration.test_replay_order import fresh_consumer, records
from tests.integration.test_stage_times_api import person


async def _analyzed(c) -> int:
    async with c.db.engine.connect() as conn:
        return (await conn.execute(text(
            "SELECT analyze_count FROM pg_stat_user_tables WHERE relname = 'fact'"))).scalar_one()


async def test_statistics_are_refreshed_on_a_geometric_schedule(db_url_factory, backend, monkeypatch):
    if backend != "postgresql":
        pytest.skip("PostgreSQL keeps planner statistics; SQLite's planner needs none here")
    monkeypatch.setattr(consumer_module, "ANALYZE_FIRST_AFTER", 20)
    c = await fresh_consumer(await db_url_factory("rapportering"))
    events = [e for i in range(60) for e in person(f"p-{i:032x}", date(2017, 1, 2), klar=date(2017, 1, 9))]
    batches = [records(events)[i:i + 10] for i in range(0, len(events), 10)]  # 120 events, 10 a batch
    counts = []
    for batch in batches:
        await c.process(batch)
        counts.append(await _analyzed(c))
    # first after 20 events, then at a quarter more than applied by then, at least 20 more: 40, 60, 80, 100, 125
    assert counts[0] == 0 and counts[1] >= 1
    assert counts[-1] == 5, counts
    async with c.db.engine.connect() as conn:
        tuples = (await conn.execute(text("SELECT reltuples FROM pg_class WHERE relname = 'fact'"))).scalar_one()
    assert tuples >= 50  # the planner knows the fact table's size as of the last refresh (100 events, 50 persons)
