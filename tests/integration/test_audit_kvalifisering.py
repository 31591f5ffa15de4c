"""kvalifisering's audit log on SQLite and PostgreSQL: every read and change of a person-level record (training,
programme participant, Jobbsjansen participant, reception-centre resident, competence registration), every
imported row and every record a settlement event opens leaves exactly one entry with who, what and why; what fails
leaves none (the entry is in the change's transaction); no name or DUF-nummer in any column; append-only."""

from __future__ import annotations

import json

import pytest

from kvalifisering.projection import SettlementProjection
from shared.audit import NOT_GIVEN, SCOPE, SYSTEM_IMPORT
from shared.consumer import Received
from shared.events.envelope import Envelope
from shared.events.schemas import PERSON_BOSATT_V1
from shared.pseudonym import person_ref
from tests.conftest import bearer, is_problem
from tests.integration import test_kvalifisering_api
from tests.integration.test_audit import (
    Log,
    assert_append_only,
    assert_read_only_route,
    attempt,
    failing_commit,
    one_entry,
)
from tests.integration.test_kvalifisering_api import DUF, READ, WRITE, participant, training
from tests.integration.test_kvalifisering_progress import registration, resident
from tests.log_guard import personal_data_in

SUBJECT = "veileder-3"
kval = test_kvalifisering_api.kval  # the fixture


@pytest.fixture
def write(token):
    return bearer(token(WRITE, subject=SUBJECT))


@pytest.fixture
def log(kval, token):
    return Log(kval, bearer(token(SCOPE, subject="revisor")))


def _one(entries: list[dict], handling: str, objekt: str, objekt_id: str, ref: str, rute: str,
         formal: str = NOT_GIVEN, hvem: str = SUBJECT) -> None:
    one_entry(entries, handling, objekt, objekt_id, ref, rute, formal=formal, hvem=hvem)


def _ref(kval, duf: str) -> str:
    return person_ref(kval.app.state.settings.pseudonym_key.get_secret_value(), duf)


async def test_training_and_programme_reads_and_changes_leave_one_entry_each(kval, write, log, token):
    why = {**write, "X-Formaal": "tilsyn"}
    r = await kval.post("/api/v1/opplaering", json=training(), headers=why)
    assert r.status_code == 200, r.text
    _one(await log.new(), "opprett", "opplaering", kval.ref, kval.ref, "POST /api/v1/opplaering", "tilsyn")
    await kval.post("/api/v1/opplaering", json=training(), headers=write)
    _one(await log.new(), "sammenlign", "opplaering", kval.ref, kval.ref, "POST /api/v1/opplaering")
    await kval.post("/api/v1/opplaering", json=training(timer_norsk=120), headers=write)
    _one(await log.new(), "endre", "opplaering", kval.ref, kval.ref, "POST /api/v1/opplaering")
    assert (await kval.get(f"/api/v1/opplaering/{kval.ref}", headers=write)).status_code == 200
    _one(await log.new(), "les", "opplaering", kval.ref, kval.ref, "GET /api/v1/opplaering/{person_ref}")

    # what is refused or not found leaves no entry: a rule, another municipality's record, an unknown person
    assert is_problem(await kval.post("/api/v1/opplaering", json=training(oppfylt_dato="2016-01-01"),
                                      headers=write), 422)
    bergen = bearer(token(READ, kommune="1201", subject="bergen-1"))
    assert is_problem(await kval.get(f"/api/v1/opplaering/{kval.ref}", headers=bergen), 404)
    assert is_problem(await kval.get(f"/api/v1/opplaering/p-{'0' * 32}", headers=write), 404)
    assert await log.new() == []

    ref = _ref(kval, participant(1)["duf_nummer"])
    r = await kval.post("/api/v1/introduksjonsprogram/deltakere", json=participant(1), headers=write)
    assert r.status_code == 200, r.text
    _one(await log.new(), "opprett", "introdeltaker", ref, ref, "POST /api/v1/introduksjonsprogram/deltakere")
    oslo = bearer(token(READ, kommune="0301", subject="oslo-1"))
    assert (await kval.get(f"/api/v1/introduksjonsprogram/deltakere/{ref}", headers=oslo)).status_code == 200
    _one(await log.new(), "les", "introdeltaker", ref, ref, "GET /api/v1/introduksjonsprogram/deltakere/{person_ref}",
         hvem="oslo-1")
    assert (await log.all())[-1]["rolle"] == "imdi:kvalifisering.read kommune:0301"


async def test_jobbsjansen_residents_and_competence_leave_one_entry_each(kval, write, log):
    r = await kval.put("/api/v1/jobbsjansen/prosjekter/JS-A", headers=write, json={
        "del": "A", "eiertype": "kommune", "eier": "0301", "tilskudd_ref": "T-1", "periode_fra": "2017-01-01",
        "periode_til": "2017-12-31"})
    assert r.status_code == 200, r.text
    assert await log.new() == []  # a project is no person
    duf = "201600000042"
    r = await kval.post("/api/v1/jobbsjansen/deltakere", headers=write, json={
        "duf_nummer": duf, "prosjekt_id": "JS-A", "kjonn": "M", "start_dato": "2017-02-01"})
    assert r.status_code == 200, r.text
    _one(await log.new(), "opprett", "jobbsjansen-deltaker", f"{_ref(kval, duf)}/A", _ref(kval, duf),
         "POST /api/v1/jobbsjansen/deltakere")

    late, on_time = resident(7, "2017-03-01", None), resident(8, "2017-03-01", "2017-03-05")
    for body in (late, on_time):
        assert (await kval.post("/api/v1/integreringsmottak/beboere", json=body, headers=write)).status_code == 200
    entries = await log.new()
    assert [(e["handling"], e["objekt"], e["person_ref"]) for e in entries] == [
        ("opprett", "mottaksbeboer", _ref(kval, b["duf_nummer"])) for b in (late, on_time)]
    status = (await kval.get("/api/v1/integreringsmottak/avvik?periode=2017-03", headers=write)).json()
    assert [a["person_ref"] for a in status["avvik"]] == [_ref(kval, late["duf_nummer"])]
    _one(await log.new(), "les", "mottaksbeboer", _ref(kval, late["duf_nummer"]), _ref(kval, late["duf_nummer"]),
         "GET /api/v1/integreringsmottak/avvik")

    body = registration(9, "2017-03-05")
    ref = _ref(kval, body["duf_nummer"])
    assert (await kval.post("/api/v1/kompetanse", json=body, headers=write)).status_code == 200
    _one(await log.new(), "opprett", "kompetanseregistrering", ref, ref, "POST /api/v1/kompetanse")
    assert (await kval.post("/api/v1/kompetanse", json={**body, "sprak": ["ti"]}, headers=write)).status_code == 200
    _one(await log.new(), "endre", "kompetanseregistrering", ref, ref, "POST /api/v1/kompetanse")
    assert (await kval.get(f"/api/v1/kompetanse/{ref}", headers=write)).status_code == 200
    _one(await log.new(), "les", "kompetanseregistrering", ref, ref, "GET /api/v1/kompetanse/{person_ref}")


async def test_imports_leave_one_entry_per_applied_row(kval, write, log):
    ndjson = {**write, "Content-Type": "application/x-ndjson"}
    rows = [training(ekstern_id=f"OPP-{i}", duf_nummer=f"20165550000{i}") for i in range(3)]
    r = await kval.post("/api/v1/import/opplaering", content="".join(json.dumps(x) + "\n" for x in rows),
                        headers=ndjson)
    assert r.status_code == 200 and r.json()["opprettet"] == 3, r.text
    entries = await log.new()
    assert sorted(e["person_ref"] for e in entries) == sorted(_ref(kval, x["duf_nummer"]) for x in rows)
    assert {(e["handling"], e["objekt"], e["formal"], e["rute"]) for e in entries} == {
        ("opprett", "opplaering", SYSTEM_IMPORT, "POST /api/v1/import/opplaering")}

    rows[0]["timer_norsk"] = 200  # one changed, one unchanged, one refused
    rows[2]["oppfylt_dato"] = "2016-01-01"
    r = await kval.post("/api/v1/import/opplaering", content="".join(json.dumps(x) + "\n" for x in rows),
                        headers={**ndjson, "X-Formaal": "nattlig-import"})
    assert (r.json()["endret"], r.json()["uendret"], len(r.json()["feil"])) == (1, 1, 1), r.text
    entries = await log.new()
    assert sorted((e["handling"], e["person_ref"]) for e in entries) == sorted([
        ("endre", _ref(kval, rows[0]["duf_nummer"])), ("sammenlign", _ref(kval, rows[1]["duf_nummer"]))])
    assert {e["formal"] for e in entries} == {"nattlig-import"}

    r = await kval.post("/api/v1/import/introduksjonsprogram", content=json.dumps(participant(4)) + "\n",
                        headers=ndjson)
    assert r.status_code == 200 and r.json()["opprettet"] == 1, r.text
    ref = _ref(kval, participant(4)["duf_nummer"])
    _one(await log.new(), "opprett", "introdeltaker", ref, ref, "POST /api/v1/import/introduksjonsprogram",
         SYSTEM_IMPORT)


async def test_a_settlement_event_that_opens_or_moves_training_is_logged_as_the_system(kval, log):
    async def settle(data) -> None:
        envelope = Envelope.new(source="bosetting", type=PERSON_BOSATT_V1.type, subject=None,
                                data=data.model_dump(mode="json"))
        item = Received(envelope=envelope, data=data, topic="imdi.bosetting.v1", partition=0, offset=0)
        async with kval.app.state.db.sessions() as session:
            await SettlementProjection().apply(session, [item])
            await session.commit()

    data = PERSON_BOSATT_V1.example
    await settle(data)
    route = f"hendelse {PERSON_BOSATT_V1.type}"
    _one(await log.new(), "opprett", "opplaering", data.person_ref, data.person_ref, route, "bosetting",
         "kvalifisering")
    await settle(data)  # redelivered: nothing changes, nothing is logged
    assert await log.new() == []
    await settle(data.model_copy(update={"kommunenummer": "1201"}))  # a corrected settlement moves the record
    _one(await log.new(), "endre", "opplaering", data.person_ref, data.person_ref, route, "bosetting",
         "kvalifisering")


async def test_a_change_whose_commit_fails_leaves_no_entry(kval, write, log, backend):
    async with failing_commit(kval, backend):
        assert await attempt(kval.post("/api/v1/opplaering", json=training(), headers=write)) in (None, 500)
    assert is_problem(await kval.get(f"/api/v1/opplaering/{kval.ref}", headers=write), 404)
    assert await log.new() == []


async def test_the_log_holds_no_personal_data_and_cannot_be_changed(kval, write, log, backend):
    await kval.post("/api/v1/opplaering", json=training(), headers=write)
    await kval.get(f"/api/v1/opplaering/{kval.ref}", headers=write)
    await kval.post("/api/v1/kompetanse", json=registration(5, "2017-03-05", arbeidserfaring="Sveiser i Kari AS"),
                    headers=write)
    entries = await log.all()
    assert len(entries) == 3
    dumped = json.dumps(entries)
    assert personal_data_in(dumped) == []
    assert not [v for v in (DUF, "201600000005", "Sveiser", "Kari") if v in dumped]
    await assert_append_only(kval, backend)
    assert len(await log.all()) == 3


async def test_no_route_writes_the_log_and_only_its_scope_reads_it(kval, write, token):
    await assert_read_only_route(kval, token, write)

