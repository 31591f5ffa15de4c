"""Events delivered twice, or out of order between aggregates, change no figure; milestones arrive from any
service. Real database (SQLite and PostgreSQL); records are fed to the consumer as Kafka would hand them."""

from __future__ import annotations

import json
import random
from collections import defaultdict, namedtuple

from sqlalchemy import select

from rapportering import reports
from rapportering.config import Settings
from rapportering.projection import MeasureProjection
from rapportering.steering import load
from shared.consumer import IdempotentConsumer
from shared.db import Database, migrate
from shared.events import schemas as ev
from shared.events.envelope import Envelope
from shared.outbox_tables import outbox
from shared.status import BrokerStatus
from tests.conftest import ROOT, bearer, running_app, service_settings
from tests.integration.test_agreement import random_cases

Record = namedtuple("Record", "topic partition offset key value headers")


async def fresh_consumer(url: str) -> IdempotentConsumer:
    await migrate(url, ROOT / "services/rapportering/migrations")
    settings = Settings(environment="test", database_url=url, kafka_enabled=False)
    return IdempotentConsumer(Database(url), settings, MeasureProjection(), BrokerStatus(["consumer"]))


def records(envelopes: list[tuple[str, Envelope]]) -> list[Record]:
    return [Record(f"imdi.{env.source.rsplit('/', 1)[-1]}.v1", 0, i, key.encode(), env.kafka_value(),
                   env.kafka_headers()) for i, (key, env) in enumerate(envelopes)]


def shuffled_keeping_key_order(items: list[tuple[str, Envelope]], rng: random.Random) -> list[tuple[str, Envelope]]:
    """Any interleaving of the aggregates, each aggregate's own events in order (Kafka's per-key guarantee)."""
    queues: dict[str, list] = defaultdict(list)
    for item in items:
        queues[item[0]].append(item)
    out = []
    while queues:
        key = rng.choice(sorted(queues))
        out.append(queues[key].pop(0))
        if not queues[key]:
            del queues[key]
    return out


async def content(consumer: IdempotentConsumer) -> bytes:
    async with consumer.db.sessions() as s:
        return reports.canonical(await reports.build(s, load(2017), "arsrapport", "2017"))


async def test_duplicates_and_order_between_aggregates_change_nothing(db_url_factory, keys, token, tmp_path):
    settings = service_settings("bosetting", db_url=await db_url_factory("bosetting"), bootstrap="127.0.0.1:1",
                                keys=keys, var_dir=tmp_path, kafka_enabled=False)
    async with running_app("bosetting", settings) as bos:
        rows = random_cases(150, seed=9)
        body = "".join(json.dumps(r) + "\n" for r in rows).encode()
        headers = {**bearer(token("imdi:bosetting.write")), "Content-Type": "application/x-ndjson"}
        await bos.post("/api/v1/import/saker", content=body, headers=headers)
        for r in rows[:25]:  # corrections: later events for the same aggregates
            if "bosettingsdato" in r:
                r["kommunenummer"] = "1201"
        body = "".join(json.dumps(r) + "\n" for r in rows[:25]).encode()
        await bos.post("/api/v1/import/saker", content=body, headers=headers)
        for k, n in (("0301", 50), ("1201", 20)):
            await bos.put(f"/api/v1/anmodninger/2017/{k}", json={"antall": n, "herav_em": 2,
                                                                "sendt_dato": "2016-09-15"},
                          headers=bearer(token("imdi:bosetting.write")))
        async with bos.app.state.db.sessions() as s:
            logged = [(r.key, Envelope.model_validate_json(r.envelope))
                      for r in (await s.execute(select(outbox.c.key, outbox.c.envelope).order_by(outbox.c.seq)))]
    # a milestone from tilskudd, as any service may send one
    milestone = ev.MilepaelOppdatertV1(ar=2017, oppdrag="O10", milepael="M1", ferdig=True, fremdrift=100,
                                       dato="2017-02-20")
    spec = ev.MILEPAEL_OPPDATERT_V1["tilskudd"]
    logged.append((spec.key(milestone), Envelope.new(source=spec.source, type=spec.type, subject=spec.key(milestone),
                                                     data=milestone.model_dump(mode="json"))))

    in_order = await fresh_consumer(await db_url_factory("inorder"))
    await in_order.process(records(logged))
    expected = await content(in_order)

    rng = random.Random(4)
    mixed = shuffled_keeping_key_order(logged, rng)
    mixed += rng.sample(logged, 60)  # redelivered
    other = await fresh_consumer(await db_url_factory("mixed"))
    i = 0
    while i < len(mixed):
        size = rng.randint(1, 90)
        await other.process(records(mixed[i:i + size]))
        i += size
    assert await content(other) == expected

    report = json.loads(expected)
    o10 = next(o for o in report["oppdrag"] if o["id"] == "O10")
    assert o10["milepaeler"][0]["ferdig"] is True
    for consumer in (in_order, other):
        await consumer.db.dispose()
