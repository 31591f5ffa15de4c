"""kvalifisering's API on SQLite and PostgreSQL (no broker: the events stay in the outbox, where they are read):
records, the events they publish (pseudonymous only; unchanged publishes nothing), 422 naming the field with
nothing stored, municipality scoping, the bulk import and the service's own SP figures."""

from __future__ import annotations

import json

import pytest
from sqlalchemy import select

from shared.outbox_tables import outbox
from shared.pseudonym import person_ref
from tests.conftest import bearer, is_problem, running_app, service_settings

DUF = "201612345678"
WRITE, READ = "imdi:kvalifisering.write", "imdi:kvalifisering.read"


@pytest.fixture
async def kval(db_url_factory, keys, tmp_path):
    settings = service_settings("kvalifisering", db_url=await db_url_factory("kvalifisering"),
                                bootstrap="127.0.0.1:1", keys=keys, var_dir=tmp_path, kafka_enabled=False)
    async with running_app("kvalifisering", settings) as client:
        client.ref = person_ref(settings.pseudonym_key.get_secret_value(), DUF)  # type: ignore[attr-defined]
        yield client


async def events(client) -> list[tuple[str, dict]]:
    async with client.app.state.db.sessions() as s:
        rows = (await s.execute(select(outbox.c.event_type, outbox.c.envelope).order_by(outbox.c.seq))).all()
    return [(t.split(".")[3], json.loads(e)["data"]) for t, e in rows]


def training(**overrides) -> dict:
    body = {"ekstern_id": "OPP-1", "duf_nummer": DUF, "kommunenummer": "0301", "kjonn": "K", "fodselsar": 1990,
            "grunnlag": "asyl", "rett_fra": "2017-02-01", "tilbud_dato": "2017-02-10", "start_dato": "2017-03-01"}
    body.update(overrides)
    return body


def participant(i: int = 1, **overrides) -> dict:
    body = {"ekstern_id": f"INTRO-{i}", "duf_nummer": f"2016{i:08d}", "kommunenummer": "0301", "kjonn": "KM"[i % 2],
            "kategori": "asyl", "start_dato": "2016-03-01", "planlagt_slutt": "2017-12-31", "elementer": ["norsk"]}
    body.update(overrides)
    return body


async def test_training_publishes_the_sp4_and_sp5_facts_with_the_reference_only(kval, token):
    r = await kval.post("/api/v1/opplaering", json=training(), headers=bearer(token(WRITE)))
    assert r.status_code == 200, r.text
    assert r.json()["person_ref"] == kval.ref and r.json()["frist"] == "2020-02-01"
    published = await events(kval)
    assert [t for t, _ in published] == ["opplaering-rett", "opplaering-plikt"]
    assert published[0][1] == {"person_ref": kval.ref, "kjonn": "K", "kommunenummer": "0301",
                               "rett_fra": "2017-02-01", "opplaering_start": "2017-03-01", "fritatt": False}
    assert DUF not in json.dumps(published)
    # the same state again: nothing changes, nothing is published
    again = await kval.post("/api/v1/opplaering", json=training(), headers=bearer(token(WRITE)))
    assert again.json()["versjon"] == 1 and len(await events(kval)) == 2
    # the duty fulfilled: only the SP5 fact moves
    done = training(timer_norsk=550, timer_samfunnskunnskap=50, oppfylt_dato="2018-05-01", oppfylt_grunnlag="timer")
    assert (await kval.post("/api/v1/opplaering", json=done, headers=bearer(token(WRITE)))).json()["versjon"] == 2
    published = await events(kval)
    assert [t for t, _ in published][2:] == ["opplaering-plikt"] and published[-1][1]["oppfylt"] == "2018-05-01"
    got = await kval.get(f"/api/v1/opplaering/{kval.ref}", headers=bearer(token(READ)))
    assert got.json()["oppfylt_dato"] == "2018-05-01"


@pytest.mark.parametrize(("change", "field"), [
    ({"start_dato": "2017-01-15"}, "start_dato"),  # a start before the right began
    ({"start_dato": None, "oppfylt_dato": "2017-06-01", "oppfylt_grunnlag": "prove"}, "oppfylt_dato"),
    ({"kommunenummer": "5001"}, "kommunenummer"),  # not in the 2017 division
    ({"grunnlag": "turist"}, "grunnlag"),
])
async def test_bad_training_is_422_naming_the_field_and_stores_nothing(kval, token, change, field):
    r = await kval.post("/api/v1/opplaering", json=training(**change), headers=bearer(token(WRITE)))
    assert is_problem(r, 422) and r.json()["feil"][0]["felt"] == field, r.text
    assert await events(kval) == []
    assert (await kval.get(f"/api/v1/opplaering/{kval.ref}", headers=bearer(token(READ)))).status_code == 404


async def test_an_unknown_programme_element_is_refused_listing_the_allowed_values(kval, token):
    r = await kval.post("/api/v1/introduksjonsprogram/deltakere", json=participant(elementer=["norsk", "yoga"]),
                        headers=bearer(token(WRITE)))
    assert is_problem(r, 422)
    assert r.json()["feil"] == [{"felt": "elementer", "melding": "Ukjent programelement. Tillatte verdier: norsk, "
                                 "samfunnskunnskap, arbeidspraksis, grunnskole, videregaende, annet."}]


async def test_programme_years_and_the_end_are_published_and_counted_by_the_service(kval, token):
    w = bearer(token(WRITE))
    for i, elements in enumerate((["norsk", "grunnskole"], ["norsk"], ["videregaende"]), start=1):
        assert (await kval.post("/api/v1/introduksjonsprogram/deltakere",
                                json=participant(i, elementer=elements), headers=w)).status_code == 200
    years = {(d["kommunenummer"], d["ar"]): d for t, d in await events(kval) if t == "introduksjonsprogram-ar"}
    assert years[("0301", 2017)]["deltakere"] == 3 and years[("0301", 2017)]["med_grunnskole_eller_vgs"] == 2
    # participant 2 ended in 2016 and was in work one year after; participant 3 ended too, status not known yet
    await kval.post("/api/v1/introduksjonsprogram/deltakere", headers=w, json=participant(
        2, avsluttet_dato="2016-10-31", avslutningsarsak="overgang_arbeid", status_ett_ar_etter="arbeid"))
    await kval.post("/api/v1/introduksjonsprogram/deltakere", headers=w, json=participant(
        3, avsluttet_dato="2016-11-30", avslutningsarsak="fullfort"))
    published = await events(kval)
    ended = [d for t, d in published if t == "introduksjonsprogram-avsluttet"]
    assert [e["arbeid_eller_utdanning_ett_ar_etter"] for e in ended] == [True, None]
    latest_2017 = [d for t, d in published if t == "introduksjonsprogram-ar" and d["ar"] == 2017][-1]
    assert (latest_2017["deltakere"], latest_2017["med_grunnskole_eller_vgs"]) == (1, 1)
    # ended in October 2016: the 2016 cohort is SP8's figure for 2017 (its status one year after)
    sp8 = (await kval.get("/api/v1/styringsparametere/SP8/verdi?periode=2017", headers=bearer(token(READ)))).json()
    assert (sp8["teller"], sp8["nevner"]) == (1, 1)
    sp8_month = await kval.get("/api/v1/styringsparametere/SP8/verdi?periode=2017-10", headers=bearer(token(READ)))
    assert sp8_month.json()["nevner"] == 1
    sp6 = (await kval.get("/api/v1/styringsparametere/SP6/verdi?periode=2017", headers=bearer(token(READ)))).json()
    assert (sp6["teller"], sp6["nevner"]) == (1, 1)
    reopen = await kval.post("/api/v1/introduksjonsprogram/deltakere", headers=w, json=participant(3))
    assert is_problem(reopen, 422) and reopen.json()["feil"][0]["felt"] == "avsluttet_dato"


async def test_the_survey_keeps_free_text_and_a_municipality_answers_only_for_itself(kval, token):
    body = {"tilbyr_egne_innbyggere": False, "tilbyr_andre_kommuner": True, "har_resultatmal": True,
            "tolkeretningslinjer_med_register": False, "fritekst": "Vi samarbeider med Bærum om programmet."}
    bergen = bearer(token(WRITE, kommune="1201"))
    assert (await kval.put("/api/v1/kommuneundersokelse/2017/1201", json=body, headers=bergen)).status_code == 200
    assert is_problem(await kval.put("/api/v1/kommuneundersokelse/2017/0301", json=body, headers=bergen), 403)
    assert is_problem(await kval.put("/api/v1/kommuneundersokelse/2017/5001", json=body,
                                     headers=bearer(token(WRITE))), 422)
    published = await events(kval)
    assert published == [("kommuneundersokelse-svar", {
        "kommunenummer": "1201", "ar": 2017, "tilbyr_introduksjonsprogram": True, "har_resultatmal": True,
        "tolkeretningslinjer_med_register": False})]
    listed = await kval.get("/api/v1/kommuneundersokelse/2017", headers=bearer(token(READ, kommune="1201")))
    assert [s["fritekst"] for s in listed.json()] == [body["fritekst"]]
    assert (await kval.get("/api/v1/kommuneundersokelse/2017", headers=bearer(token(READ, kommune="0301")))).json() \
        == []


async def test_jobbsjansen_parts_a_and_c_publish_their_end_and_part_b_does_not(kval, token):
    w = bearer(token(WRITE))
    for pid, part, owner, kind in (("JS-A", "A", "0301", "kommune"), ("JS-B", "B", "03", "fylkeskommune"),
                                   ("JS-C", "C", "1201", "kommune")):
        r = await kval.put(f"/api/v1/jobbsjansen/prosjekter/{pid}", headers=w, json={
            "del": part, "eiertype": kind, "eier": owner, "tilskudd_ref": f"T-{pid}", "periode_fra": "2017-01-01",
            "periode_til": "2017-12-31"})
        assert r.status_code == 200, r.text
    for i, (pid, outcome) in enumerate((("JS-A", "arbeid"), ("JS-B", "utdanning"), ("JS-C", "ingen"))):
        r = await kval.post("/api/v1/jobbsjansen/deltakere", headers=w, json={
            "duf_nummer": f"2015{i:08d}", "prosjekt_id": pid, "kjonn": "K", "start_dato": "2017-01-15",
            "slutt_dato": "2017-06-30", "utfall": outcome})
        assert r.status_code == 200, r.text
    ended = [(d["programdel"], d["direkte_til_arbeid_eller_utdanning"]) for t, d in await events(kval)
             if t == "jobbsjansen-avsluttet"]
    assert ended == [("A", True), ("C", False)]
    bad = await kval.post("/api/v1/jobbsjansen/deltakere", headers=w, json={
        "duf_nummer": "201500000009", "prosjekt_id": "JS-A", "kjonn": "K", "start_dato": "2017-01-15",
        "slutt_dato": "2017-06-30", "utfall": "lotto"})
    assert is_problem(bad, 422) and bad.json()["feil"][0]["felt"] == "utfall"
    for sp, expected in (("SP9.1", (1, 1)), ("SP9.2", (0, 1))):
        v = (await kval.get(f"/api/v1/styringsparametere/{sp}/verdi?periode=2017-H1", headers=bearer(token(READ))))
        assert (v.json()["teller"], v.json()["nevner"]) == expected


async def test_import_ndjson_and_csv_is_idempotent_and_lists_bad_rows_by_line(kval, token):
    ndjson = {**bearer(token(WRITE)), "Content-Type": "application/x-ndjson"}
    rows = [training(ekstern_id=f"OPP-{i}", duf_nummer=f"2016{i:08d}") for i in range(1, 6)]
    rows.insert(2, training(ekstern_id="OPP-BAD", duf_nummer="201699999999", start_dato="2016-01-01"))
    body = "".join(json.dumps(r) + "\n" for r in rows)
    report = (await kval.post("/api/v1/import/opplaering", content=body, headers=ndjson)).json()
    assert (report["opprettet"], report["avvist"]) == (5, 1)
    assert report["feil"] == [{"linje": 3, "ekstern_id": "OPP-BAD", "feil": [
        {"felt": "start_dato", "melding": "Opplæringen kan ikke starte før retten og plikten begynte."}]}]
    count = len(await events(kval))
    assert count == 10
    again = (await kval.post("/api/v1/import/opplaering", content=body, headers=ndjson)).json()
    assert (again["uendret"], again["opprettet"], again["endret"]) == (5, 0, 0)
    assert len(await events(kval)) == count  # a re-sent file publishes nothing
    csv = ("ekstern_id,duf_nummer,kommunenummer,kjonn,kategori,start_dato,planlagt_slutt,elementer\n"
           "IN-1,201600000001,0301,K,asyl,2017-03-01,2019-02-28,norsk|grunnskole\n"
           "IN-2,201600000002,0301,M,asyl,2017-03-01,2019-02-28,norsk|fotball\n")
    csv_headers = {**bearer(token(WRITE)), "Content-Type": "text/csv"}
    report = (await kval.post("/api/v1/import/introduksjonsprogram", content=csv, headers=csv_headers)).json()
    assert (report["opprettet"], report["avvist"]) == (1, 1) and report["feil"][0]["linje"] == 3
    assert report["feil"][0]["feil"][0]["felt"] == "elementer"
    count = len(await events(kval))
    again = (await kval.post("/api/v1/import/introduksjonsprogram", content=csv, headers=csv_headers)).json()
    assert again["uendret"] == 1 and len(await events(kval)) == count


async def test_a_municipality_registers_and_reads_only_its_own_residents(kval, token):
    bergen_w, bergen_r = bearer(token(WRITE, kommune="1201")), bearer(token(READ, kommune="1201"))
    own = await kval.post("/api/v1/opplaering", json=training(kommunenummer="1201"), headers=bergen_w)
    assert own.status_code == 200, own.text
    assert (await kval.get(f"/api/v1/opplaering/{kval.ref}", headers=bergen_r)).status_code == 200
    assert is_problem(await kval.get(f"/api/v1/opplaering/{kval.ref}", headers=bearer(token(READ, kommune="0301"))),
                      404)
    moved = await kval.post("/api/v1/opplaering", json=training(kommunenummer="0301"), headers=bergen_w)
    assert is_problem(moved, 403)  # moving a person to another municipality is not Bergen's to do
    other = training(ekstern_id="OPP-2", duf_nummer="201612345670", kommunenummer="0301")
    assert is_problem(await kval.post("/api/v1/opplaering", json=other, headers=bergen_w), 403)
    assert is_problem(await kval.post("/api/v1/import/opplaering", content=json.dumps(other) + "\n",
                                      headers={**bergen_w, "Content-Type": "application/x-ndjson"}), 403)
    # a person IMDi registered in Oslo cannot be taken over by Bergen
    oslo = training(ekstern_id="OPP-3", duf_nummer="201612345671", kommunenummer="0301")
    assert (await kval.post("/api/v1/opplaering", json=oslo, headers=bearer(token(WRITE)))).status_code == 200
    taken = await kval.post("/api/v1/opplaering", json={**oslo, "kommunenummer": "1201"}, headers=bergen_w)
    assert is_problem(taken, 403)
    assert len(await events(kval)) == 4  # Bergen's own registration and IMDi's, nothing else
