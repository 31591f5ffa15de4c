"""Pipeline throughput: outbox relay → Tansu → idempotent consumer → SP read model.

Writes N person-bosatt events into a bosetting outbox (as the API's unit of work would), then measures
(1) the relay publishing them and (2) rapportering's consumer applying them, on SQLite and PostgreSQL.
Run with ``make bench``; results go in the README with the machine they ran on.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import platform
import random
import resource
import tempfile
import time
import uuid
from datetime import date, timedelta
from pathlib import Path

import asyncpg
from sqlalchemy import func, insert, select

from bosetting.config import Settings as BSettings
from rapportering.config import Settings as RSettings
from rapportering.projection import MeasureProjection
from shared.broker import EmbeddedBroker
from shared.consumer import IdempotentConsumer
from shared.db import Database, migrate
from shared.events.envelope import Envelope
from shared.events.schemas import PERSON_BOSATT_V1, PersonBosattV1
from shared.geo import kommuner_2017
from shared.outbox import OutboxRelay
from shared.outbox_tables import outbox, processed_event
from shared.status import BrokerStatus

ROOT = Path(__file__).resolve().parent.parent
PG = os.environ.get("IMDI_TEST_PG", "postgresql://postgres@127.0.0.1:5432/postgres")


def events(n: int) -> list[dict]:
    rng = random.Random(7)
    kommuner = list(kommuner_2017())
    rows = []
    for i in range(n):
        vedtak = date(2016, 7, 1) + timedelta(days=rng.randrange(365))
        data = PersonBosattV1(person_ref=f"p-{i:032x}", vedtaksdato=vedtak,
                              bosettingsdato=vedtak + timedelta(days=rng.randrange(20, 300)),
                              kommunenummer=rng.choice(kommuner), kjonn=rng.choice("KM"),
                              enslig_mindrearig=rng.random() < 0.07, fodselsar=rng.randrange(1960, 2016))
        env = Envelope.new(source=PERSON_BOSATT_V1.source, type=PERSON_BOSATT_V1.type, subject=data.person_ref,
                           data=data.model_dump(mode="json"))
        rows.append({"event_id": env.id, "topic": PERSON_BOSATT_V1.topic, "key": data.person_ref,
                     "event_type": env.type, "occurred_at": env.time, "envelope": env.to_json()})
    return rows


async def database(backend: str, label: str, tmp: Path) -> tuple[str, callable]:
    if backend == "sqlite":
        return f"sqlite+aiosqlite:///{tmp / (label + '.db')}", None
    name = f"imdi_bench_{label}_{uuid.uuid4().hex[:8]}"
    conn = await asyncpg.connect(PG)
    await conn.execute(f'CREATE DATABASE "{name}"')
    await conn.close()

    async def drop():
        c = await asyncpg.connect(PG)
        await c.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        await c.close()

    return PG.rsplit("/", 1)[0].replace("postgresql://", "postgresql+asyncpg://") + "/" + name, drop


async def run(backend: str, n: int) -> dict:
    with tempfile.TemporaryDirectory() as tmpdir, EmbeddedBroker() as broker:
        tmp = Path(tmpdir)
        b_url, b_drop = await database(backend, "bosetting", tmp)
        r_url, r_drop = await database(backend, "rapportering", tmp)
        try:
            bs = BSettings(environment="test", database_url=b_url, kafka_bootstrap=broker.bootstrap, var_dir=tmp)
            rs = RSettings(environment="test", database_url=r_url, kafka_bootstrap=broker.bootstrap, var_dir=tmp)
            await migrate(b_url, ROOT / "services/bosetting/migrations")
            await migrate(r_url, ROOT / "services/rapportering/migrations")
            bdb, rdb = Database(b_url), Database(r_url)
            rows = events(n)
            async with bdb.sessions() as s, s.begin():
                for i in range(0, n, 5000):
                    await s.execute(insert(outbox), rows[i:i + 5000])

            relay = OutboxRelay(bdb, bs, BrokerStatus(["relay"]))
            await relay._connect()
            started = time.perf_counter()
            while await relay.publish_batch():
                pass
            relay_s = time.perf_counter() - started
            await relay._close()

            consumer = IdempotentConsumer(rdb, rs, MeasureProjection(), BrokerStatus(["consumer"]))
            stop = asyncio.Event()
            task = asyncio.create_task(consumer.run(stop))
            started = None
            while True:
                async with rdb.sessions() as s:
                    done = (await s.execute(select(func.count()).select_from(processed_event))).scalar_one()
                if done and started is None:
                    started, first = time.perf_counter(), done
                if done >= n:
                    break
                await asyncio.sleep(0.05)
            consume_s = time.perf_counter() - started
            stop.set()
            await task
            await bdb.dispose()
            await rdb.dispose()
            return {"backend": backend, "events": n, "relay_events_per_s": round(n / relay_s),
                    "consumer_events_per_s": round((n - first) / consume_s)}
        finally:
            for drop in (b_drop, r_drop):
                if drop:
                    await drop()


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--events", type=int, default=50_000)
    parser.add_argument("--backend", choices=["sqlite", "postgresql", "both"], default="both")
    args = parser.parse_args()
    print(f"machine: {platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}")
    for backend in (["sqlite", "postgresql"] if args.backend == "both" else [args.backend]):
        result = asyncio.run(run(backend, args.events))
        print(result)
    print(f"peak RSS: {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024} MiB")


if __name__ == "__main__":
    main()
