"""tolkeregister's API on SQLite and PostgreSQL: interpreters with derived categories, status, ID cards,
complaints, state agencies' guidelines, and the events they publish (pseudonymous only)."""

from __future__ import annotations

import json
from datetime import date, timedelta

import pytest
from sqlalchemy import func, select
from stdnum.no import fodselsnummer as fnr_lib

from shared.dates import today_oslo
from shared.outbox_tables import outbox
from tests.conftest import bearer, is_problem, running_app, service_settings
from tolkeregister.models import Tolk

CAT1 = [{"type": "statsautorisasjon", "dato": "2015-06-01"}, {"type": "tolkeutdanning", "dato": "2014-06-15"}]
CAT2 = [{"type": "statsautorisasjon", "dato": "2015-06-01"}]
CAT3 = [{"type": "tolkeutdanning", "dato": "2014-06-15"}]
CAT4 = [{"type": "sertifisert_translator", "dato": "2012-01-10"}, {"type": "tao", "dato": "2012-09-01"}]
CAT5 = [{"type": "tospot", "dato": "2013-05-01"}, {"type": "tao", "dato": "2013-09-01"}]


def make_fnr(born: date, kjonn: str, serial: int = 0, d_nummer: bool = False) -> str:
    """A valid fødselsnummer (or D-nummer) for someone born in the 1900s; ``serial`` picks among the valid ones."""
    day = born.day + (40 if d_nummer else 0)
    base = f"{day:02d}{born.month:02d}{born.year % 100:02d}"
    found = -1
    for individual in range(500):
        if (individual % 2 == 1) != (kjonn == "M"):
            continue
        digits = base + f"{individual:03d}"
        k1 = fnr_lib.calc_check_digit1(digits)
        if k1 == "10" or len(k1) != 1:
            continue
        k2 = fnr_lib.calc_check_digit2(digits + k1)
        if len(k2) != 1:
            continue
        number = digits + k1 + k2
        if fnr_lib.is_valid(number):
            found += 1
            if found == serial:
                return number
    raise AssertionError("no such number")


def tolk_body(i: int = 0, **overrides) -> dict:
    kjonn = overrides.pop("kjonn", "KM"[i % 2])
    body = {"fodselsnummer": make_fnr(date(1975, 1, 1 + i % 28), kjonn, serial=i // 28), "navn": f"Tolk Nummer{i}",
            "kjonn": kjonn, "kommunenummer": "1201", "adresse": f"Hemmeligveien {i}, 5000 Bergen",
            "telefon": "+47 400 00 000", "epost": f"tolk{i}@example.no", "oppfort_dato": "2016-03-01",
            "sprak": [{"sprak": "so", "bevis": CAT1}, {"sprak": "ar", "bevis": CAT5}]}
    body.update(overrides)
    return body


@pytest.fixture
async def tolk(db_url_factory, keys, tmp_path):
    """tolkeregister in this process without a broker (events stay in the outbox)."""
    settings = service_settings("tolkeregister", db_url=await db_url_factory("tolkeregister"),
                                bootstrap="127.0.0.1:1", keys=keys, var_dir=tmp_path, kafka_enabled=False,
                                offentlig_kvote=10_000)
    async with running_app("tolkeregister", settings) as client:
        yield client


@pytest.fixture
def write(token):
    return bearer(token("imdi:tolkeregister.write"))


async def events(client) -> list[tuple[str, dict]]:
    async with client.app.state.db.sessions() as s:
        rows = (await s.execute(select(outbox.c.event_type, outbox.c.envelope).order_by(outbox.c.seq))).all()
    return [(t.split(".")[3], json.loads(e)["data"]) for t, e in rows]


async def count(client) -> int:
    async with client.app.state.db.sessions() as s:
        return (await s.execute(select(func.count()).select_from(Tolk))).scalar_one()


async def test_categories_are_derived_from_the_evidence_and_the_event_is_pseudonymous(tolk, write):
    body = tolk_body(0)
    r = await tolk.post("/api/v1/tolker", json=body, headers=write)
    assert r.status_code == 201, r.text
    got = r.json()
    assert {s["sprak"]: s["kategori"] for s in got["sprak"]} == {"so": "1", "ar": "5"}
    assert (got["hoyeste_kategori"], got["tre_hoyeste"], got["status"]) == ("1", True, "aktiv")
    [(kind, data)] = await events(tolk)
    assert kind == "tolk-oppfort"
    assert data["hoyeste_kategori"] == "1" and data["tre_hoyeste"] and data["oppfort_dato"] == "2016-03-01"
    assert data["tolk_ref"].startswith("t-") and data["avregistrert_dato"] is None
    text = json.dumps(data)
    assert body["fodselsnummer"] not in text and "Nummer0" not in text and "Hemmeligveien" not in text


@pytest.mark.parametrize("languages, highest, top", [
    ([CAT5, CAT4], "4", False), ([CAT5, CAT3], "3", True), ([CAT2], "2", True), ([CAT5], "5", False)])
async def test_the_highest_category_is_the_best_over_the_languages(tolk, write, languages, highest, top):
    codes = ["so", "ar", "ti"]
    body = tolk_body(1, sprak=[{"sprak": codes[i], "bevis": b} for i, b in enumerate(languages)])
    got = (await tolk.post("/api/v1/tolker", json=body, headers=write)).json()
    assert (got["hoyeste_kategori"], got["tre_hoyeste"]) == (highest, top)


async def test_a_d_nummer_is_accepted(tolk, write):
    body = tolk_body(2, fodselsnummer=make_fnr(date(1980, 5, 17), "K", d_nummer=True), kjonn="K")
    assert (await tolk.post("/api/v1/tolker", json=body, headers=write)).status_code == 201


@pytest.mark.parametrize("change, field", [
    ({"fodselsnummer": "01017512345"}, "fodselsnummer"),
    ({"kommunenummer": "9999"}, "kommunenummer"),
    ({"hoyeste_kategori": "1"}, "hoyeste_kategori"),  # never typed in
    ({"sprak": [{"sprak": "so", "kategori": "1", "bevis": CAT1}]}, "sprak.0.kategori"),
    ({"sprak": [{"sprak": "so", "bevis": [{"type": "tao", "dato": "2013-09-01"}]}]}, "sprak.0.bevis"),
    ({"sprak": [{"sprak": "so", "bevis": [{"type": "magi", "dato": "2013-09-01"}]}]}, "sprak.0.bevis"),
    ({"sprak": [{"sprak": "so", "bevis": CAT1}, {"sprak": "so", "bevis": CAT5}]}, "sprak"),
    ({"kjonn": "M", "fodselsnummer": make_fnr(date(1975, 1, 4), "K")}, "kjonn"),  # not the number's gender
    ({"oppfort_dato": (today_oslo() + timedelta(days=1)).isoformat()}, "oppfort_dato"),
])
async def test_invalid_input_is_422_naming_the_field_and_stores_nothing(tolk, write, change, field):
    r = await tolk.post("/api/v1/tolker", json=tolk_body(3, **change), headers=write)
    assert is_problem(r, 422), r.text
    fields = [f["felt"] for f in r.json()["feil"]]
    assert any(f == field or f.startswith(field + ".") for f in fields), fields
    assert await count(tolk) == 0 and await events(tolk) == []


async def test_the_same_identity_number_twice_is_a_conflict(tolk, write):
    assert (await tolk.post("/api/v1/tolker", json=tolk_body(4), headers=write)).status_code == 201
    again = await tolk.post("/api/v1/tolker", json=tolk_body(4, navn="Annen Person"), headers=write)
    assert is_problem(again, 409) and await count(tolk) == 1


async def test_status_suspend_reinstate_remove_and_removal_is_final(tolk, write):
    tolk_id = (await tolk.post("/api/v1/tolker", json=tolk_body(5), headers=write)).json()["id"]
    url = f"/api/v1/tolker/{tolk_id}/status"
    early = await tolk.post(url, json={"status": "suspendert", "dato": "2016-01-01", "arsak": "x"}, headers=write)
    assert is_problem(early, 422) and early.json()["feil"][0]["felt"] == "dato"
    for status, day in (("suspendert", "2017-02-01"), ("aktiv", "2017-03-01"), ("avregistrert", "2017-06-30")):
        r = await tolk.post(url, json={"status": status, "dato": day, "arsak": "Klagesak"}, headers=write)
        assert r.status_code == 200 and r.json()["status"] == status
    back = await tolk.post(url, json={"status": "aktiv", "dato": "2017-07-01", "arsak": "x"}, headers=write)
    assert is_problem(back, 422) and back.json()["feil"][0]["felt"] == "status"
    sp10 = [d for k, d in await events(tolk) if k == "tolk-oppfort"]
    # suspension does not end the entry (no new SP10 fact); removal does
    assert [d["avregistrert_dato"] for d in sp10] == [None, "2017-06-30"]


async def test_new_languages_change_the_category_and_contact_changes_publish_nothing(tolk, write):
    tolk_id = (await tolk.post("/api/v1/tolker", json=tolk_body(6), headers=write)).json()["id"]
    url = f"/api/v1/tolker/{tolk_id}"
    r = await tolk.patch(url, json={"telefon": "+47 411 11 111", "adresse": "Ny vei 2"}, headers=write)
    assert r.status_code == 200 and r.json()["telefon"] == "+47 411 11 111"
    assert len(await events(tolk)) == 1
    r = await tolk.patch(url, json={"sprak": [{"sprak": "ar", "bevis": CAT5}]}, headers=write)
    assert r.status_code == 200, r.text
    assert r.json()["hoyeste_kategori"] == "5" and not r.json()["tre_hoyeste"]
    assert [d["hoyeste_kategori"] for k, d in await events(tolk)] == ["1", "5"]
    bad = await tolk.patch(url, json={"sprak": [{"sprak": "ar", "bevis": [{"type": "tao", "dato": "2013-01-01"}]}]},
                           headers=write)
    assert is_problem(bad, 422)
    for field in ("navn", "kommunenummer", "sprak"):
        cleared = await tolk.patch(url, json={field: None}, headers=write)
        assert is_problem(cleared, 422) and cleared.json()["feil"][0]["felt"] == field
    assert (await tolk.get(url, headers=write)).json()["hoyeste_kategori"] == "5"


async def test_a_complaint_decided_with_suspension_suspends_the_interpreter(tolk, write):
    tolk_id = (await tolk.post("/api/v1/tolker", json=tolk_body(7), headers=write)).json()["id"]
    r = await tolk.post(f"/api/v1/tolker/{tolk_id}/klager", json={
        "mottatt": "2017-03-10", "klager": "offentlig_etat", "klagetype": "taushetsplikt",
        "beskrivelse": "Fortrolig klagetekst"}, headers=write)
    assert r.status_code == 201
    klage = r.json()["id"]
    early = await tolk.post(f"/api/v1/klager/{klage}/avgjorelse", json={
        "avgjort": "2017-03-01", "utfall": "medhold", "konsekvens": "suspensjon"}, headers=write)
    assert is_problem(early, 422)
    r = await tolk.post(f"/api/v1/klager/{klage}/avgjorelse", json={
        "avgjort": "2017-04-20", "utfall": "medhold", "konsekvens": "suspensjon"}, headers=write)
    assert r.status_code == 200 and r.json()["konsekvens"] == "suspensjon"
    got = (await tolk.get(f"/api/v1/tolker/{tolk_id}", headers=write)).json()
    assert (got["status"], got["status_dato"]) == ("suspendert", "2017-04-20")
    again = await tolk.post(f"/api/v1/klager/{klage}/avgjorelse", json={
        "avgjort": "2017-04-21", "utfall": "medhold", "konsekvens": "avregistrering"}, headers=write)
    assert is_problem(again, 409)


async def test_state_agencies_with_valid_organisation_numbers(tolk, write):
    url = "/api/v1/etater/2017/974760673"
    r = await tolk.put(url, json={"navn": "UDI", "tolkeretningslinjer_med_register": True}, headers=write)
    assert r.status_code == 200
    assert (await tolk.put(url, json={"navn": "UDI", "tolkeretningslinjer_med_register": True},
                           headers=write)).status_code == 200
    bad = await tolk.put("/api/v1/etater/2017/974760674", json={"navn": "X", "tolkeretningslinjer_med_register": True},
                         headers=write)
    assert is_problem(bad, 422) and bad.json()["feil"][0]["felt"] == "organisasjonsnummer"
    assert [(k, d["etat"]) for k, d in await events(tolk)] == [("etat-tolkeretningslinjer", "974760673")]
    assert [e["navn"] for e in (await tolk.get("/api/v1/etater/2017", headers=write)).json()] == ["UDI"]


async def test_municipalities_and_readers_may_not_write(tolk, token):
    kommune = bearer(token("imdi:tolkeregister.write", kommune="0301"))
    assert is_problem(await tolk.post("/api/v1/tolker", json=tolk_body(8), headers=kommune), 403)
    reader = bearer(token("imdi:tolkeregister.read"))
    assert is_problem(await tolk.post("/api/v1/tolker", json=tolk_body(8), headers=reader), 403)
    assert await count(tolk) == 0
