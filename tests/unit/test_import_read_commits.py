"""A read's audit entries on SQLite are committed one transaction at a time per database in the process (the
case read that bosetting answers at 500 requests/s): concurrent writers would otherwise wait in SQLite's busy
handler, sleeping up to 100 ms a try."""

from __future__ import annotations

import asyncio

from sqlalchemy import func, select

from bosetting.models import revisjonslogg
from shared import audit
from shared.db import Database, migrate
from tests.conftest import ROOT

ACTOR = audit.Actor(hvem="test", rolle="imdi:bosetting.read", rute="GET /api/v1/saker/{sak_id}", formal="klage")


async def test_reads_commit_their_entries_one_transaction_at_a_time(tmp_path, monkeypatch):
    url = f"sqlite+aiosqlite:///{tmp_path / 'b.db'}"
    await migrate(url, ROOT / "services/bosetting/migrations")
    db = Database(url)
    open_writes, most = 0, 0
    record = audit.record

    async def counting_record(*args, **kwargs):
        nonlocal open_writes, most
        open_writes += 1
        most = max(most, open_writes)
        await record(*args, **kwargs)

    async def read(i: int) -> None:
        nonlocal open_writes
        async with db.sessions() as session:
            await session.execute(select(revisjonslogg.c.id).limit(1))
            await audit.record_read(session, revisjonslogg, ACTOR, [(f"sak-{i}", None)], objekt="sak")
            open_writes -= 1  # committed

    monkeypatch.setattr(audit, "record", counting_record)
    await asyncio.gather(*(read(i) for i in range(20)))
    async with db.sessions() as session:
        assert (await session.execute(select(func.count()).select_from(revisjonslogg))).scalar_one() == 20
    await db.dispose()
    assert most == 1
