"""The event pipeline against the real broker and a real database (SQLite and PostgreSQL)."""

from __future__ import annotations

import asyncio
import json

from aiokafka import AIOKafkaConsumer, AIOKafkaProducer
from sqlalchemy import func, select

from rapportering.models import milestone_update
from shared.events.envelope import Envelope
from shared.events.schemas import MILEPAEL_OPPDATERT_V1, PERSON_BOSATT_V1, PersonBosattV1
from shared.outbox_tables import dead_letter, outbox, processed_event
from tests.conftest import bearer, case_body, eventually, is_problem, running_app, service_settings

SP1 = "/api/v1/styringsparametere/SP1/verdi?periode=2017"


async def sp1(client, token) -> dict:
    r = await client.get(SP1, headers=bearer(token("imdi:rapport.intern")))
    assert r.status_code == 200, r.text
    return r.json()


def bosatt_envelope(ref_digit: str = "a", **data) -> Envelope:
    payload = PersonBosattV1(**{**PERSON_BOSATT_V1.example.model_dump(), "person_ref": "p-" + ref_digit * 32,
                                **data})
    return Envelope.new(source=PERSON_BOSATT_V1.source, type=PERSON_BOSATT_V1.type, subject=payload.person_ref,
                        data=payload.model_dump(mode="json"))


async def produce(bootstrap: str, messages: list[tuple[bytes | None, bytes, list]]) -> None:
    producer = AIOKafkaProducer(bootstrap_servers=bootstrap, acks="all")
    await producer.start()
    try:
        for key, value, headers in messages:
            await producer.send_and_wait("imdi.bosetting.v1", value, key=key, headers=headers)
    finally:
        await producer.stop()


async def test_settlement_flows_to_sp1(system, token):
    bos, rap = system
    write = bearer(token("imdi:bosetting.write"))
    # within 6 months; 31 August + 6 months = 28 February: settled 28.02 counts, 01.03 does not
    cases = [
        case_body("201612345601", vedtaksdato="2017-01-10", bosettingsdato="2017-05-02"),
        case_body("201612345602", kjonn="M", vedtaksdato="2016-08-31", bosettingsdato="2017-02-28"),
        case_body("201612345603", kjonn="M", vedtaksdato="2016-08-31", bosettingsdato="2017-03-01",
                  kommunenummer="1201"),
        case_body("201612345604", vedtaksdato="2016-01-05", bosettingsdato="2016-12-01"),  # 2016: not counted
    ]
    for body in cases:
        r = await bos.post("/api/v1/saker", json=body, headers=write)
        assert r.status_code == 201, r.text
        assert r.headers["location"].startswith("/api/v1/saker/")

    async def counted() -> bool:
        return (await sp1(rap, token))["nevner"] == 3

    await eventually(counted, what="three 2017 settlements counted")
    value = await sp1(rap, token)
    assert value["teller"] == 2 and value["andel"] == round(2 / 3, 6)
    assert value["fordeling"]["kjonn"]["M"] == {"teller": 1, "nevner": 2, "andel": 0.5, "prikket": False}
    assert value["fordeling"]["fylke"]["12"]["teller"] == 0
    jd = await rap.get(SP1, headers=bearer(token("imdi:rapport.read")))
    assert jd.status_code == 403, "JD reads published reports only, never live figures"
    r2016 = await rap.get("/api/v1/styringsparametere/SP1/verdi?periode=2016",
                          headers=bearer(token("imdi:rapport.intern")))
    assert r2016.json()["nevner"] == 1
    empty = await rap.get("/api/v1/styringsparametere/SP3/verdi?periode=2017",
                          headers=bearer(token("imdi:rapport.intern")))
    assert empty.json()["status"] == "ingen_data" and empty.json()["andel"] is None


async def test_correction_replaces_the_earlier_settlement(system, token):
    bos, rap = system
    write = bearer(token("imdi:bosetting.write"))
    r = await bos.post("/api/v1/saker", json=case_body(bosettingsdato=None, kommunenummer=None), headers=write)
    sak = r.json()
    r = await bos.post(f"/api/v1/saker/{sak['id']}/stadier", headers={**write, "If-Match": r.headers["etag"]},
                       json={"stadium": "bosatt", "dato": "2017-12-01", "kommunenummer": "0301"})
    assert r.status_code == 200, r.text
    stale = await bos.post(f"/api/v1/saker/{sak['id']}/stadier",
                           headers={**write, "If-Match": f'W/"{sak["id"]}-1"'},
                           json={"stadium": "bosatt", "dato": "2017-03-01", "kommunenummer": "0301"})
    assert stale.status_code == 412
    r = await bos.post(f"/api/v1/saker/{sak['id']}/stadier", headers={**write, "If-Match": r.headers["etag"]},
                       json={"stadium": "bosatt", "dato": "2017-03-01", "kommunenummer": "1201"})
    assert r.status_code == 200

    async def corrected() -> bool:
        v = await sp1(rap, token)
        return v["teller"] == 1 and "12" in v["fordeling"].get("fylke", {})

    await eventually(corrected, what="correction applied")
    v = await sp1(rap, token)
    assert v["nevner"] == 1 and "03" not in v["fordeling"]["fylke"]


async def test_same_event_three_times_is_counted_once(broker, db_url_factory, keys, token, tmp_path):
    settings = service_settings("rapportering", db_url=await db_url_factory("rapportering"),
                                bootstrap=broker.bootstrap, keys=keys, var_dir=tmp_path)
    async with running_app("rapportering", settings) as rap:
        env = bosatt_envelope("b")
        await produce(broker.bootstrap, [(b"k", env.kafka_value(), env.kafka_headers())] * 3)
        marker = bosatt_envelope("c")
        await produce(broker.bootstrap, [(b"m", marker.kafka_value(), marker.kafka_headers())])

        async def both() -> bool:
            return (await sp1(rap, token))["nevner"] >= 2

        await eventually(both, what="events consumed")
        await asyncio.sleep(0.5)
        assert (await sp1(rap, token))["nevner"] == 2
        async with rap.app.state.db.sessions() as s:
            assert (await s.execute(select(func.count()).select_from(processed_event))).scalar_one() == 2


def milestone_envelope(fremdrift: int) -> Envelope:
    spec = MILEPAEL_OPPDATERT_V1["bosetting"]
    data = {**spec.example.model_dump(mode="json"), "fremdrift": fremdrift}
    return Envelope.new(source=spec.source, type=spec.type, subject=spec.key(spec.example), data=data)


async def _milestone_rows(client) -> dict[str, int]:
    async with client.app.state.db.sessions() as s:
        rows = (await s.execute(select(milestone_update.c.event_id, func.count())
                                .group_by(milestone_update.c.event_id))).all()
    return dict(rows)


async def test_a_redelivered_history_event_is_recorded_once(broker, db_url_factory, keys, tmp_path):
    """A milestone update is a history row per event: applying a redelivery again would add a row (or clash).

    Each redelivery comes in a batch of its own, after a marker event on the same key (so the same partition)
    has been applied, so only the consumer's tracking table can tell it was seen before.
    """
    settings = service_settings("rapportering", db_url=await db_url_factory("rapportering"),
                                bootstrap=broker.bootstrap, keys=keys, var_dir=tmp_path)
    async with running_app("rapportering", settings) as rap:
        event = milestone_envelope(40)
        for delivery in range(3):
            marker = milestone_envelope(50 + delivery)
            await produce(broker.bootstrap, [(b"2017-O10", event.kafka_value(), event.kafka_headers()),
                                             (b"2017-O10", marker.kafka_value(), marker.kafka_headers())])

            async def marker_applied(marker_id: str = marker.id) -> bool:
                return marker_id in await _milestone_rows(rap)

            await eventually(marker_applied, what=f"delivery {delivery + 1} consumed")
        rows = await _milestone_rows(rap)
        assert rows[event.id] == 1 and len(rows) == 4, "one row for the event delivered three times, one per marker"
        async with rap.app.state.db.sessions() as s:
            assert (await s.execute(select(func.count()).select_from(processed_event))).scalar_one() == 4
            assert (await s.execute(select(func.count()).select_from(dead_letter))).scalar_one() == 0


async def test_poison_events_go_to_dead_letter_topic_and_consumption_goes_on(broker, db_url_factory, keys,
                                                                              token, tmp_path):
    settings = service_settings("rapportering", db_url=await db_url_factory("rapportering"),
                                bootstrap=broker.bootstrap, keys=keys, var_dir=tmp_path)
    async with running_app("rapportering", settings) as rap:
        good_before = bosatt_envelope("d")
        bad_schema = bosatt_envelope("e")
        bad_headers = [(k, v) for k, v in bad_schema.kafka_headers()]
        wrong_data = json.dumps({**bad_schema.data, "kommunenummer": "oslo"}).encode()
        unknown_kommune = bosatt_envelope("f", kommunenummer="9999")
        unknown_type = bosatt_envelope("1")
        unknown_type_headers = [(k, b"no.imdi.bosetting.person-teleportert.v1" if k == "ce_type" else v)
                                for k, v in unknown_type.kafka_headers()]
        oversize = bosatt_envelope("2")
        oversize_value = json.dumps({**oversize.data, "fyll": "x" * settings.max_event_bytes}).encode()
        good_after = bosatt_envelope("0")
        await produce(broker.bootstrap, [
            (b"1", good_before.kafka_value(), good_before.kafka_headers()),
            (b"2", b"\xff\xfe not json", [("ce_id", b"x")]),
            (b"3", wrong_data, bad_headers),
            (b"4", unknown_kommune.kafka_value(), unknown_kommune.kafka_headers()),
            (b"6", unknown_type.kafka_value(), unknown_type_headers),
            (b"7", oversize_value, oversize.kafka_headers()),
            (b"5", good_after.kafka_value(), good_after.kafka_headers()),
        ])

        async def done() -> bool:
            return (await sp1(rap, token))["nevner"] == 2

        await eventually(done, what="good events around poison consumed")
        dead = await _dead_letters(broker.bootstrap, 5)
        reasons = sorted(dict(m.headers)["dlq_reason"].decode() for m in dead)
        assert any(r.startswith("not a CloudEvent") for r in reasons)
        assert any("kommunenummer" in r and "schema" in r for r in reasons)
        assert "Rejected: kommunenummer is not in the 2017 division" in reasons
        assert "unknown event type no.imdi.bosetting.person-teleportert.v1" in reasons
        assert f"event larger than {settings.max_event_bytes} bytes" in reasons
        assert all("oslo" not in r and "9999" not in r for r in reasons), "reasons must not echo event content"
        origins = {tuple(dict(m.headers)[h] for h in ("dlq_topic", "dlq_partition", "dlq_offset")) for m in dead}
        assert len(origins) == 5 and {t for t, _, _ in origins} == {b"imdi.bosetting.v1"}
        async with rap.app.state.db.sessions() as s:
            assert (await s.execute(select(func.count()).select_from(dead_letter))).scalar_one() == 5


async def _dead_letters(bootstrap: str, expected: int) -> list:
    consumer = AIOKafkaConsumer("imdi.rapportering.dlq.v1", bootstrap_servers=bootstrap,
                                auto_offset_reset="earliest", enable_auto_commit=False)
    await consumer.start()
    dead: list = []
    try:
        async def all_dead() -> bool:
            batch = await consumer.getmany(timeout_ms=200)
            dead.extend(m for ms in batch.values() for m in ms)
            return len(dead) >= expected

        await eventually(all_dead, what=f"{expected} dead letters")
    finally:
        await consumer.stop()
    return dead


async def test_write_succeeds_without_broker_and_is_delivered_later(system, broker, token, db_url_factory, keys,
                                                                   tmp_path):
    """Writes go on while the broker is down; an empty broker coming back gets the whole event log again.

    A second read model, started only after the restart, must count the settlement published before the
    broker went away: only the relay's republish can bring that event back.
    """
    bos, rap = system
    write = bearer(token("imdi:bosetting.write"))
    r = await bos.post("/api/v1/saker", json=case_body("201612340001"), headers=write)
    assert r.status_code == 201
    await eventually(lambda: _nevner_is(rap, token, 1), what="first event counted")
    assert (await bos.get("/health/ready")).status_code == 200

    broker.stop()
    for i in range(2, 5):
        r = await bos.post("/api/v1/saker", json=case_body(f"20161234000{i}"), headers=write)
        assert r.status_code == 201, "writes must not depend on the broker"
    async with bos.app.state.db.sessions() as s:
        pending = (await s.execute(select(func.count()).select_from(outbox)
                                   .where(outbox.c.published_at.is_(None)))).scalar_one()
    assert pending == 6  # sak-registrert and person-bosatt for each of the three
    await eventually(lambda: _not_ready_for_the_broker(bos), what="bosetting reporting the broker as down")

    broker.start()  # same port, fresh memory: the first event is gone from the broker too
    await eventually(lambda: _nevner_is(rap, token, 4), timeout=90, what="all four counted after restart")
    await eventually(lambda: _ready(bos), what="bosetting ready again")
    async with bos.app.state.db.sessions() as s:
        assert (await s.execute(select(func.count()).select_from(outbox)
                                .where(outbox.c.published_at.is_(None)))).scalar_one() == 0

    rebuild = service_settings("rapportering", db_url=await db_url_factory("rebuild"), bootstrap=broker.bootstrap,
                               keys=keys, var_dir=tmp_path, kafka_group_id="imdi.rapportering.rebuild",
                               risk_sweep_seconds=3600)
    async with running_app("rapportering", rebuild) as fresh:
        await eventually(lambda: _nevner_is(fresh, token, 4), timeout=60,
                         what="the settlement published before the restart republished to the new broker")
    await asyncio.sleep(1)
    assert (await sp1(rap, token))["nevner"] == 4


async def _ready(client) -> bool:
    return (await client.get("/health/ready")).status_code == 200


async def _not_ready_for_the_broker(client) -> bool:
    r = await client.get("/health/ready")
    return is_problem(r, 503) and any(k.startswith("megler.") for k in r.json()["ikke_klar"])


async def _nevner_is(client, token, n: int) -> bool:
    return (await sp1(client, token))["nevner"] == n
