"""Entitlements from bosetting's settlements, through the idempotent consumer on SQLite and PostgreSQL: an event
delivered twice creates one entitlement set, a corrected settlement corrects it, an older one changes nothing;
the special criterion is counted; the forecast of posts 60/61 follows kommunevedtak."""

from __future__ import annotations

from collections import namedtuple
from datetime import date

from sqlalchemy import func, select

from shared.consumer import IdempotentConsumer
from shared.db import Database, migrate
from shared.events import schemas as ev
from shared.events.envelope import Envelope
from shared.outbox_tables import outbox
from shared.status import BrokerStatus
from tests.conftest import ROOT, bearer, running_app, service_settings
from tilskudd import frame
from tilskudd.config import Settings
from tilskudd.entitlements import EntitlementProjection
from tilskudd.models import rettighet

Record = namedtuple("Record", "topic partition offset key value headers")
P1 = "p-" + "1" * 32
P2 = "p-" + "2" * 32


def settled(person_ref: str = P1, **kw) -> Envelope:
    data = {"person_ref": person_ref, "kjonn": "K", "fodselsar": 1990, "vedtaksdato": date(2017, 1, 10),
            "bosettingsdato": date(2017, 5, 2), "kommunenummer": "0301", "tilskuddsgruppe": "voksen", **kw}
    spec = ev.PERSON_BOSATT_V1
    model = ev.PersonBosattV1(**data)
    return Envelope.new(source=spec.source, type=spec.type, subject=spec.key(model), data=model.model_dump(mode="json"))


def registered(person_ref: str, em: bool = False) -> Envelope:
    spec = ev.SAK_REGISTRERT_V1
    model = ev.SakRegistrertV1(person_ref=person_ref, kjonn="M", fodselsar=2003 if em else 1990,
                               enslig_mindrearig=em, vedtaksdato=date(2017, 1, 10))
    return Envelope.new(source=spec.source, type=spec.type, subject=person_ref, data=model.model_dump(mode="json"))


def decided(kommune: str, antall: int, em: int) -> Envelope:
    spec = ev.KOMMUNEVEDTAK_FATTET_V1
    model = ev.KommunevedtakFattetV1(kommunenummer=kommune, ar=2017, antall=antall, herav_em=em,
                                     vedtaksdato=date(2016, 12, 1))
    return Envelope.new(source=spec.source, type=spec.type, subject=kommune, data=model.model_dump(mode="json"))


async def consumer(url: str) -> IdempotentConsumer:
    await migrate(url, ROOT / "services/tilskudd/migrations")
    settings = Settings(environment="test", database_url=url, kafka_enabled=False)
    return IdempotentConsumer(Database(url), settings, EntitlementProjection(), BrokerStatus(["consumer"]))


async def feed(c: IdempotentConsumer, *envelopes: Envelope) -> None:
    await c.process([Record("imdi.bosetting.v1", 0, i, b"k", e.kafka_value(), e.kafka_headers())
                     for i, e in enumerate(envelopes)])


async def entitlements(c: IdempotentConsumer, person_ref: str = P1) -> list[tuple]:
    async with c.db.sessions() as s:
        return [tuple(r) for r in (await s.execute(select(
            rettighet.c.post, rettighet.c.ar, rettighet.c.belop_ore, rettighet.c.kommunenummer).where(
            rettighet.c.person_ref == person_ref).order_by(rettighet.c.post, rettighet.c.ar))).all()]


async def published(c: IdempotentConsumer, name: str) -> int:
    async with c.db.sessions() as s:
        return (await s.execute(select(func.count()).select_from(outbox).where(
            outbox.c.event_type == f"no.imdi.tilskudd.{name}.v1"))).scalar_one()


async def test_an_event_delivered_twice_creates_one_entitlement_set(db_url_factory):
    c = await consumer(await db_url_factory("t"))
    event = settled()
    await feed(c, event, event)
    await feed(c, event)
    r = frame.rates(2017)
    assert await entitlements(c) == [("60", 2017, r.ar1["voksen"], "0301")] + [
        ("60", 2017 + i, r.senere_ar[i + 1], "0301") for i in range(1, 5)]
    assert await published(c, "rettighet-endret") == 1
    assert await published(c, "prognose-oppdatert") == 2 * 12  # posts 60 and 61, from the decision (January)
    # the same settlement re-sent as a new event (bosetting republishes after a correction): still one set
    await feed(c, settled())
    async with c.db.sessions() as s:
        assert (await s.execute(select(func.count()).select_from(rettighet))).scalar_one() == 5


async def test_a_corrected_settlement_corrects_the_entitlement_and_an_older_one_changes_nothing(db_url_factory):
    c = await consumer(await db_url_factory("t"))
    first = settled()
    corrected = settled(bosettingsdato=date(2017, 8, 1), kommunenummer="1201", tilskuddsgruppe="enslig_voksen")
    await feed(c, first, corrected)
    r = frame.rates(2017)
    after = await entitlements(c)
    assert after[0] == ("60", 2017, r.ar1["enslig_voksen"], "1201") and len(after) == 5
    await feed(c, settled(bosettingsdato=date(2016, 1, 1)))  # new id but … created now: newer, so it stands
    assert (await entitlements(c))[0][1] == 2016
    older = Envelope.model_validate({**first.model_dump(), "id": "older-copy"})  # the first event's time
    await feed(c, older)
    assert (await entitlements(c))[0][1] == 2016


async def test_an_em_settled_at_14_gets_the_right_yearly_grants_to_20(db_url_factory):
    c = await consumer(await db_url_factory("t"))
    await feed(c, settled(P2, fodselsar=2003, enslig_mindrearig=True, em_aldersgruppe="under_15",
                          tilskuddsgruppe="enslig_mindrearig"))
    r = frame.rates(2017)
    em = [e for e in await entitlements(c, P2) if e[0] == "61"]
    assert [(e[1], e[2]) for e in em] == [(y, r.em_hoy) for y in (2017, 2018, 2019)] + [
        (y, r.em_lav) for y in (2020, 2021, 2022, 2023)]


async def test_the_forecast_of_posts_60_and_61_follows_kommunevedtak_and_special_criterion_is_counted(
        db_url_factory, keys, tmp_path, token):
    url = await db_url_factory("t")
    c = await consumer(url)
    waiting = [registered(f"p-{i:032x}", em=i < 2) for i in range(11)]  # 9 others and 2 EM wait to be settled
    await feed(c, decided("0301", 10, 2), decided("1201", 3, 0), *waiting, settled(),
               settled(P2, fodselsar=2003, enslig_mindrearig=True, tilskuddsgruppe="enslig_mindrearig",
                       kommunenummer="1201"))
    settings = service_settings("tilskudd", db_url=url, bootstrap="127.0.0.1:1", keys=keys, var_dir=tmp_path,
                                kafka_enabled=False)
    write = bearer(token("imdi:tilskudd.write"))
    async with running_app("tilskudd", settings) as til:
        r = frame.rates(2017)
        lines = {x["id"]: x for x in (await til.get("/api/v1/forbruk/2017?per_dato=2017-06-30",
                                                     headers=write)).json()["linjer"]}
        p60, p61 = lines["496.60"], lines["496.61"]
        # still to come: 0301 (10 places, 2 EM) settled one adult: 7 others and 2 EM; 1201 (3 places, no EM)
        # settled one EM, beyond its decision: 3 others. But only 9 others wait in the queue: 9 and 2 EM.
        expect_60 = 9 * r.prognose_ar1 + 2 * r.ar1["enslig_mindrearig"]
        paid_60 = r.ar1["voksen"] + r.ar1["enslig_mindrearig"]
        assert p60["utbetalt"] == f"{paid_60 // 100}.00" and p60["forpliktet"] == p60["utbetalt"]
        assert p60["prognose_rest"] == f"{expect_60 // 100}.00"
        assert p61["utbetalt"] == f"{r.em_hoy // 100}.00" and p61["prognose_rest"] == f"{2 * r.prognose_em // 100}.00"
        assert p60["saerskilt_kriterium"] == 0
        marked = await til.put(f"/api/v1/rettigheter/{P1}/saerskilt-kriterium", headers=write,
                               json={"saerskilt_kriterium": True})
        assert marked.status_code == 200
        lines = {x["id"]: x for x in (await til.get("/api/v1/forbruk/2017?per_dato=2017-06-30",
                                                     headers=write)).json()["linjer"]}
        assert lines["496.60"]["saerskilt_kriterium"] == 1
        april = {x["id"]: x for x in (await til.get("/api/v1/forbruk/2017?per_dato=2017-04-30",
                                                     headers=write)).json()["linjer"]}
        assert april["496.60"]["saerskilt_kriterium"] == 0 and april["496.60"]["utbetalt"] == "0.00"
        december = {x["id"]: x for x in (await til.get("/api/v1/forbruk/2017?per_dato=2017-12-31",
                                                        headers=write)).json()["linjer"]}
        assert december["496.60"]["prognose_rest"] == "0.00"
