"""tolkeregister's audit log on SQLite and PostgreSQL: every internal read and change of an interpreter, an ID card
or a complaint, every imported row and every public verification of an existing card leaves exactly one entry
with who, what and why (the interpreter's pseudonymous ``tolk_ref`` as ``person_ref``); the public search leaves
none; what fails leaves none (the entry is in the change's transaction); no name, fødselsnummer, address, phone or
e-mail in any column; append-only."""

from __future__ import annotations

import json

import pytest
from sqlalchemy import select

from shared.audit import NOT_GIVEN, SCOPE, SYSTEM_IMPORT
from tests.conftest import bearer, is_problem
from tests.integration import test_tolkeregister
from tests.integration.test_audit import (
    Log,
    assert_append_only,
    assert_read_only_route,
    attempt,
    failing_commit,
    one_entry,
)
from tests.integration.test_tolkeregister import CAT5, tolk_body
from tests.log_guard import personal_data_in
from tolkeregister.models import Tolk

SUBJECT = "forvalter-2"
NDJSON = {"Content-Type": "application/x-ndjson"}
tolk = test_tolkeregister.tolk  # the fixture


@pytest.fixture
def write(token):
    return bearer(token("imdi:tolkeregister.write", subject=SUBJECT))


@pytest.fixture
def log(tolk, token):
    return Log(tolk, bearer(token(SCOPE, subject="revisor")))


async def ref_of(client, tolk_id: str) -> str:
    async with client.app.state.db.sessions() as s:
        return (await s.execute(select(Tolk.tolk_ref).where(Tolk.id == tolk_id))).scalar_one()


def _one(entries: list[dict], handling: str, objekt: str, objekt_id: str, ref: str, rute: str,
         formal: str = NOT_GIVEN, hvem: str = SUBJECT) -> None:
    one_entry(entries, handling, objekt, objekt_id, ref, rute, formal=formal, hvem=hvem)


async def test_every_read_and_change_of_an_interpreter_leaves_one_entry(tolk, write, log):
    r = await tolk.post("/api/v1/tolker", json=tolk_body(1), headers={**write, "X-Formaal": "soknad:2017/7"})
    assert r.status_code == 201, r.text
    tolk_id = r.json()["id"]
    ref = await ref_of(tolk, tolk_id)
    _one(await log.new(), "opprett", "tolk", tolk_id, ref, "POST /api/v1/tolker", "soknad:2017/7")
    assert (await tolk.get(f"/api/v1/tolker/{tolk_id}", headers=write)).status_code == 200
    _one(await log.new(), "les", "tolk", tolk_id, ref, "GET /api/v1/tolker/{tolk_id}")
    other = (await tolk.post("/api/v1/tolker", json=tolk_body(2), headers=write)).json()["id"]
    await log.new()
    assert (await tolk.get("/api/v1/tolker", headers=write)).json()["antall"] == 2
    entries = await log.new()
    assert sorted((e["handling"], e["objekt_id"], e["rute"]) for e in entries) == sorted(
        ("les", i, "GET /api/v1/tolker") for i in (tolk_id, other))

    url = f"/api/v1/tolker/{tolk_id}"
    assert (await tolk.patch(url, json={"telefon": "+47 411 11 111"}, headers=write)).status_code == 200
    _one(await log.new(), "endre", "tolk", tolk_id, ref, "PATCH /api/v1/tolker/{tolk_id}")
    assert (await tolk.patch(url, json={"telefon": "+47 411 11 111"}, headers=write)).status_code == 200
    _one(await log.new(), "sammenlign", "tolk", tolk_id, ref, "PATCH /api/v1/tolker/{tolk_id}")
    r = await tolk.post(f"{url}/status", json={"status": "suspendert", "dato": "2017-02-01", "arsak": "Klagesak"},
                        headers=write)
    assert r.status_code == 200, r.text
    _one(await log.new(), "endre", "tolk", tolk_id, ref, "POST /api/v1/tolker/{tolk_id}/status")

    # what is refused or not found leaves no entry
    bad = await tolk.patch(url, json={"sprak": [{"sprak": "ar", "bevis": [{"type": "tao", "dato": "2013-01-01"}]}]},
                           headers=write)
    assert is_problem(bad, 422)
    early = await tolk.post(f"{url}/status", json={"status": "aktiv", "dato": "2016-01-01", "arsak": "x"},
                            headers=write)
    assert is_problem(early, 422)
    assert is_problem(await tolk.get("/api/v1/tolker/finnes-ikke", headers=write), 404)
    assert await log.new() == []


async def test_id_cards_and_complaints_leave_one_entry_each_and_the_public_search_none(tolk, write, log):
    tolk_id = (await tolk.post("/api/v1/tolker", json=tolk_body(3), headers=write)).json()["id"]
    ref = await ref_of(tolk, tolk_id)
    await log.new()
    card = {"kortnummer": "KORT2017001", "utstedt": "2017-03-01", "utloper": "2020-02-29"}
    assert (await tolk.post(f"/api/v1/tolker/{tolk_id}/id-kort", json=card, headers=write)).status_code == 201
    _one(await log.new(), "opprett", "id-kort", "KORT2017001", ref, "POST /api/v1/tolker/{tolk_id}/id-kort")

    # public: a verification of a card that exists is one entry, of the anonymous caller; the search is none
    assert (await tolk.get("/api/v1/offentlig/id-kort/KORT2017001")).status_code == 200
    _one(await log.new(), "les", "id-kort", "KORT2017001", ref, "GET /api/v1/offentlig/id-kort/{kortnummer}",
         "verifisering", "offentlig")
    assert (await tolk.get("/api/v1/offentlig/id-kort/KORT2017999")).json()["gyldig"] is False
    search = await tolk.get("/api/v1/offentlig/tolker", params={"sprak": "so"})
    assert search.status_code == 200 and search.json()["treff"] == 1
    assert await log.new() == []

    r = await tolk.post("/api/v1/id-kort/KORT2017001/tilbakekall", json={"dato": "2017-06-01", "arsak": "Tapt"},
                        headers=write)
    assert r.status_code == 200, r.text
    _one(await log.new(), "endre", "id-kort", "KORT2017001", ref, "POST /api/v1/id-kort/{kortnummer}/tilbakekall")

    r = await tolk.post(f"/api/v1/tolker/{tolk_id}/klager", headers=write, json={
        "mottatt": "2017-03-10", "klager": "offentlig_etat", "klagetype": "taushetsplikt",
        "beskrivelse": "Tolken Kari Nordmann omtalte saken"})
    assert r.status_code == 201, r.text
    klage = r.json()["id"]
    _one(await log.new(), "opprett", "klage", klage, ref, "POST /api/v1/tolker/{tolk_id}/klager")
    assert len((await tolk.get(f"/api/v1/tolker/{tolk_id}/klager", headers=write)).json()) == 1
    _one(await log.new(), "les", "klage", klage, ref, "GET /api/v1/tolker/{tolk_id}/klager")
    r = await tolk.post(f"/api/v1/klager/{klage}/avgjorelse", headers={**write, "X-Formaal": "klage"},
                        json={"avgjort": "2017-04-20", "utfall": "medhold", "konsekvens": "suspensjon"})
    assert r.status_code == 200, r.text
    entries = await log.new()  # the decision, and the suspension it makes
    assert sorted((e["handling"], e["objekt"], e["objekt_id"], e["person_ref"], e["formal"]) for e in entries) == [
        ("endre", "klage", klage, ref, "klage"), ("endre", "tolk", tolk_id, ref, "klage")]
    again = await tolk.post(f"/api/v1/klager/{klage}/avgjorelse", headers=write,
                            json={"avgjort": "2017-04-21", "utfall": "medhold", "konsekvens": "advarsel"})
    assert is_problem(again, 409) and await log.new() == []


async def test_the_import_leaves_one_entry_per_applied_row(tolk, write, log):
    rows = [{**tolk_body(i), "ekstern_id": f"NTR-{i}"} for i in range(3)]
    r = await tolk.post("/api/v1/import/tolker", content="".join(json.dumps(x) + "\n" for x in rows),
                        headers={**write, **NDJSON})
    assert r.status_code == 200 and r.json()["opprettet"] == 3, r.text
    entries = await log.new()
    assert {(e["handling"], e["objekt"], e["formal"], e["rute"]) for e in entries} == {
        ("opprett", "tolk", SYSTEM_IMPORT, "POST /api/v1/import/tolker")}
    listed = (await tolk.get("/api/v1/tolker", headers=write)).json()["tolker"]
    await log.new()
    ids = {t["ekstern_id"]: t["id"] for t in listed}
    assert sorted(e["objekt_id"] for e in entries) == sorted(ids.values())
    assert {e["person_ref"] for e in entries} == {await ref_of(tolk, i) for i in ids.values()}

    rows[0]["sprak"] = [{"sprak": "ar", "bevis": CAT5}]  # one changed, one unchanged, one refused
    rows[2]["kommunenummer"] = "9999"
    r = await tolk.post("/api/v1/import/tolker", content="".join(json.dumps(x) + "\n" for x in rows),
                        headers={**write, **NDJSON, "X-Formaal": "nattlig-import"})
    assert (r.json()["endret"], r.json()["uendret"], r.json()["avvist"]) == (1, 1, 1), r.text
    entries = await log.new()
    assert sorted((e["handling"], e["objekt_id"], e["formal"]) for e in entries) == sorted([
        ("endre", ids["NTR-0"], "nattlig-import"), ("sammenlign", ids["NTR-1"], "nattlig-import")])


async def test_a_change_whose_commit_fails_leaves_no_entry(tolk, write, log, backend):
    async with failing_commit(tolk, backend):
        assert await attempt(tolk.post("/api/v1/tolker", json=tolk_body(4), headers=write)) in (None, 500)
    assert (await tolk.get("/api/v1/tolker", headers=write)).json()["antall"] == 0
    assert await log.new() == []


async def test_the_log_holds_no_personal_data_and_cannot_be_changed(tolk, write, log, backend):
    body = tolk_body(5, navn="Amina Hassan")
    tolk_id = (await tolk.post("/api/v1/tolker", json=body, headers=write)).json()["id"]
    await tolk.get(f"/api/v1/tolker/{tolk_id}", headers=write)
    await tolk.post(f"/api/v1/tolker/{tolk_id}/klager", headers=write, json={
        "mottatt": "2017-03-10", "klager": "privatperson", "klagetype": "kvalitet", "beskrivelse": "Ola ringte"})
    entries = await log.all()
    assert len(entries) == 3
    dumped = json.dumps(entries)
    assert personal_data_in(dumped) == []
    assert not [v for v in ("Amina", "Hassan", body["fodselsnummer"], "Hemmeligveien", "400 00 000",
                            body["epost"], "Ola ringte") if v in dumped]
    await assert_append_only(tolk, backend)
    assert len(await log.all()) == 3


async def test_no_route_writes_the_log_and_only_its_scope_reads_it(tolk, write, token):
    await assert_read_only_route(tolk, token, write)
