"""The generic fact store: a fact type with no table of its own (here SP10's register entries) is kept as JSON
per subject; corrections replace the fact and move its cells, redelivery changes nothing, and lineage finds
the events behind a cell (a poison event's way to the dead-letter topic is the same for every fact type:
tests/integration/test_pipeline.py). Real database (SQLite and PostgreSQL); records are
fed to the consumer as Kafka would hand them. The expected cells are computed from the final facts with the
shared definition, independently of the projection's incremental bookkeeping."""

from __future__ import annotations

import random
from collections import Counter
from datetime import date, timedelta

import pytest
from sqlalchemy import select

from rapportering import engine, queries
from rapportering.facts.base import FactType
from rapportering.models import fact, measure_cell
from shared.consumer import Rejected
from shared.events import tolkeregister as tk_ev
from shared.events.envelope import Envelope
from shared.measures import contributions
from shared.tolkeregister_measures import TOLKEREGISTER_MEASURES, RegisteredInterpreter
from tests.integration.test_replay_order import fresh_consumer, records

SP10 = next(m for m in TOLKEREGISTER_MEASURES if m.id == "SP10")


def _entry(item) -> tuple[str, RegisteredInterpreter]:
    data = item.data
    if data.avregistrert_dato is not None and data.avregistrert_dato < data.oppfort_dato:
        raise Rejected("removed before entered")
    return data.tolk_ref, RegisteredInterpreter(hoyeste_kategori=data.hoyeste_kategori, oppfort=data.oppfort_dato,
                                                avregistrert=data.avregistrert_dato)


REGISTER = FactType(name="test_tolk", reads=(tk_ev.TOLK_OPPFORT_V1.type,), fact_class=RegisteredInterpreter,
                    subject=lambda item: item.data.tolk_ref, build=_entry, measures=(SP10,))


@pytest.fixture
def with_register(monkeypatch):
    from rapportering.facts import bosetting
    monkeypatch.setattr(engine, "FACT_TYPES", (*bosetting.FACT_TYPES, REGISTER))


def event(ref: str, kategori: int, inn: date, ut: date | None) -> tuple[str, Envelope]:
    spec = tk_ev.TOLK_OPPFORT_V1
    data = tk_ev.TolkOppfortV1(tolk_ref=ref, hoyeste_kategori=kategori, oppfort_dato=inn, avregistrert_dato=ut)
    return ref, Envelope.new(source=spec.source, type=spec.type, subject=ref, data=data.model_dump(mode="json"))


async def test_generic_facts_follow_corrections_and_answer_lineage(with_register, db_url_factory):
    rng = random.Random(10)
    refs = [f"t-{i:032x}" for i in range(60)]
    final: dict[str, tuple[str, Envelope]] = {}
    log: list[tuple[str, Envelope]] = []
    for ref in refs:
        inn = date(2015, 1, 1) + timedelta(days=rng.randrange(1000))
        ut = inn + timedelta(days=rng.randrange(30, 900)) if rng.random() < 0.3 else None
        log.append(event(ref, rng.randint(1, 5), inn, ut))
    for ref in rng.sample(refs, 20):  # corrections: a new category, or a removal undone
        inn = date(2016, 1, 1) + timedelta(days=rng.randrange(300))
        log.append(event(ref, rng.randint(1, 5), inn, None))
    for key, env in log:
        final[key] = (key, env)

    consumer = await fresh_consumer(await db_url_factory("facts"))
    try:
        await consumer.process(records([*log, *rng.sample(log, 15)]))  # and redelivered

        facts = {key: RegisteredInterpreter(hoyeste_kategori=env.data["hoyeste_kategori"],
                                            oppfort=date.fromisoformat(env.data["oppfort_dato"]),
                                            avregistrert=(date.fromisoformat(env.data["avregistrert_dato"])
                                                          if env.data.get("avregistrert_dato") else None))
                 for key, (_, env) in final.items()}
        expected: Counter = Counter()
        for f in facts.values():
            for m, period, dim, value, num, den in contributions((SP10,), f):
                expected[(m, period, dim, value, "teller")] += num
                expected[(m, period, dim, value, "nevner")] += den
        async with consumer.db.sessions() as s:
            stored = (await s.execute(select(fact).where(fact.c.fact_type == "test_tolk"))).mappings().all()
            assert len(stored) == len(refs)  # one row per subject
            assert {r["subject"]: REGISTER.from_row(r) for r in stored} == facts
            cells = (await s.execute(select(measure_cell).where(measure_cell.c.measure == "SP10"))).mappings().all()
            got: Counter = Counter()
            for c in cells:
                got[(c["measure"], c["period"], c["dimension"], c["value"], "teller")] += c["numerator"]
                got[(c["measure"], c["period"], c["dimension"], c["value"], "nevner")] += c["denominator"]
            assert +got == +expected  # zero cells left by corrections are equal to absent ones
            assert expected[("SP10", "2017", "alle", "alle", "nevner")] > 0

            behind = await queries.events_for_cell(s, "SP10", "2017", "kategori", "2", limit=1000, after=None)
            want = {env.id for key, (_, env) in final.items()
                    if any(c[:4] == ("SP10", "2017", "kategori", "2") for c in contributions((SP10,), facts[key]))}
            assert {r["event_id"] for r in behind} == want and want
    finally:
        await consumer.db.dispose()
