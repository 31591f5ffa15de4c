"""The read model keeps a flow's month cells only for the breakdowns read by month (all, kjønn); a month by
kommune is counted from the facts when asked for. Either way every figure is the shared definition applied to
the current facts, corrections included. Real database (SQLite and PostgreSQL); records are fed to the consumer
as Kafka would hand them."""

from __future__ import annotations

import random
from collections import Counter
from datetime import UTC, date, datetime, timedelta

from sqlalchemy import select

from rapportering import engine, service, status
from rapportering.models import measure_cell
from rapportering.steering import load
from shared.events.envelope import Envelope
from shared.events.schemas import PERSON_BOSATT_V1, PersonBosattV1
from shared.geo import kommuner_2017
from shared.measures import contributions, is_month
from tests.integration.test_replay_order import fresh_consumer, records


def _settled(rng: random.Random, ref: str, kommuner: list[str], sent: datetime) -> tuple[str, Envelope]:
    decided = date(2016, 9, 1) + timedelta(days=rng.randrange(200))
    data = PersonBosattV1(person_ref=ref, vedtaksdato=decided, bosettingsdato=decided + timedelta(days=rng.randrange(
        20, 300)), kommunenummer=rng.choice(kommuner), kjonn=rng.choice("KM"), enslig_mindrearig=rng.random() < 0.2,
        fodselsar=rng.randrange(1970, 2010))
    env = Envelope.new(source=PERSON_BOSATT_V1.source, type=PERSON_BOSATT_V1.type, subject=ref,
                       data=data.model_dump(mode="json"))
    return ref, env.model_copy(update={"time": sent})


def _expected(facts, period: str, dimension: str) -> dict[str, tuple[int, int]]:
    sums: Counter = Counter()
    for fact in facts:
        for m, p, d, value, num, den in contributions(engine.SETTLED_PERSON.measures, fact):
            if m == "SP1" and p == period and d == dimension:
                sums[(value, "num")] += num
                sums[(value, "den")] += den
    return {v: (sums[(v, "num")], sums[(v, "den")]) for v, part in sums if part == "den" and sums[(v, "den")]}


async def test_months_by_kommune_and_status_by_sex_follow_the_definition(db_url_factory):
    consumer = await fresh_consumer(await db_url_factory("rapportering"))
    rng, kommuner = random.Random(5), sorted(kommuner_2017())[:12]
    start = datetime(2017, 6, 1, tzinfo=UTC)
    first = [_settled(rng, f"p-{i:032x}", kommuner, start) for i in range(150)]
    corrected = [_settled(rng, ref, kommuner, start + timedelta(hours=1)) for ref, _ in first[:40]]
    for i in range(0, 190, 60):  # several batches: corrections move cells between batches too
        await consumer.process(records((first + corrected)[i:i + 60]))

    async with consumer.db.sessions() as s:
        facts = [engine.SETTLED_PERSON.from_row(r) for r in (await s.execute(
            select(engine.SETTLED_PERSON.stored_in))).mappings()]
        kept = {(r.dimension, is_month(r.period)) for r in (await s.execute(select(measure_cell).where(
            measure_cell.c.measure == "SP1"))).all()}
        months = sorted({f"2017-{f.bosettingsdato.month:02d}" for f in facts if f.bosettingsdato.year == 2017})
        for month in months:
            value = await service.get(session=s, measure="SP1", period=month)
            by_kommune = {k: (c.teller, c.nevner) for k, c in value.fordeling["kommune"].items()}
            assert by_kommune == _expected(facts, month, "kommune"), month
        model = load(2017)
        by_sex = (await status.sp_status(s, model, model.sp("SP1"), date(2017, 12, 31))).by_sex
    assert {k: (c.teller, c.nevner) for k, c in by_sex.items()} == _expected(facts, "2017", "kjonn")
    assert len(facts) == 150 and len(months) > 3
    assert ("kjonn", True) in kept and ("kommune", False) in kept
    assert ("kommune", True) not in kept, "a month by kommune is counted from the facts, not kept"
