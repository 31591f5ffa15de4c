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

from rapportering import engine, queries, status
from rapportering.facts.base import FactType
from rapportering.models import fact, measure_cell
from rapportering.steering import load
from shared.consumer import Rejected
from shared.events import tolkeregister as tk_ev
from shared.events.envelope import Envelope
from shared.measures import contributions
from shared.tolkeregister_measures import TOLKEREGISTER_MEASURES, InterpreterGuidelines, RegisteredInterpreter
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


SP11 = next(m for m in TOLKEREGISTER_MEASURES if m.id == "SP11")
AGENCIES = FactType(
    name="test_etat", reads=(tk_ev.ETAT_TOLKERETNINGSLINJER_V1.type,), fact_class=InterpreterGuidelines,
    subject=lambda item: f"{item.data.etat}:{item.data.ar}",
    build=lambda item: (f"{item.data.etat}:{item.data.ar}", InterpreterGuidelines(
        enhetstype="etat", enhet=item.data.etat, ar=item.data.ar,
        retningslinjer_med_register=item.data.tolkeretningslinjer_med_register)),
    measures=(SP11,))


def agency(etat: str, ar: int, yes: bool) -> tuple[str, Envelope]:
    spec = tk_ev.ETAT_TOLKERETNINGSLINJER_V1
    data = tk_ev.EtatTolkeretningslinjerV1(etat=etat, ar=ar, tolkeretningslinjer_med_register=yes)
    return etat, Envelope.new(source=spec.source, type=spec.type, subject=etat, data=data.model_dump(mode="json"))


async def test_status_fits_the_kind_units_in_a_year_and_a_stock_on_a_date(monkeypatch, db_url_factory):
    """SP11 (units): this year's share from each unit's latest answer, last year's beside, judged against the
    target with its tolerance. SP10 (stock): the count at the as-of month's end and the share in the top three,
    the trend of the month ends to 31.12, and both parts of the compound target."""
    from rapportering.facts import bosetting
    monkeypatch.setattr(engine, "FACT_TYPES", (*bosetting.FACT_TYPES, REGISTER, AGENCIES))
    orgs = [f"9{i:08d}" for i in range(20)]
    log = [agency(o, 2016, i < 2) for i, o in enumerate(orgs[:10])]            # 2016: 2 of 10
    log += [agency(o, 2017, i < 4) for i, o in enumerate(orgs)]                 # 2017: 4 of 20 …
    log += [agency(o, 2017, True) for o in orgs[4:5]]                          # … then one more says yes
    # the register: 100 interpreters on 1.1, 10 more entered each month, 60 % in the top three
    for i in range(220):
        entered = date(2016, 6, 1) if i < 100 else date(2017, 1 + (i - 100) // 10, 5)
        log.append(event(f"t-{i:032x}", 1 + (i % 5 > 2) * 3, entered, None))  # i%5 in 0,1,2 → 1; 3,4 → 4
    consumer = await fresh_consumer(await db_url_factory("kinds"))
    try:
        await consumer.process(records(log))
        model = load(2017)
        sp11, sp10 = (next(s for s in model.styringsparametere if s.id == i) for i in ("SP11", "SP10"))
        async with consumer.db.sessions() as s:
            units = await status.sp_status(s, model, sp11, date(2017, 6, 30))
            stock_june = await status.sp_status(s, model, sp10, date(2017, 6, 15))
            stock_year = await status.sp_status(s, model, sp10, date(2018, 2, 1))
            before = await status.sp_status(s, model, sp11, date(2016, 12, 31))
    finally:
        await consumer.db.dispose()

    assert (units.total.teller, units.total.nevner) == (5, 20)
    assert (units.previous.teller, units.previous.nevner) == (2, 10)
    assert units.risk.status == "gul", units.risk  # 25 % against 30 %, within the 5-point tolerance
    assert "25,0 % mot krav 30,0 %; i fjor 20,0 %" in units.risk.begrunnelse
    assert before.total.nevner == 0 and before.risk.status == "ingen_data"

    assert (stock_june.total.teller, stock_june.total.nevner) == (96, 160)  # 100 + 6 months × 10, 60 % top three
    assert "I dag 160" in stock_june.risk.begrunnelse and "Framskrevet til 31.12" in stock_june.risk.begrunnelse
    assert stock_june.risk.status == "rod" and "antall tolker" in stock_june.risk.begrunnelse  # 220 ≪ 1 800
    assert (stock_year.total.teller, stock_year.total.nevner) == (132, 220)
    assert "Ved telledatoen" in stock_year.risk.begrunnelse
