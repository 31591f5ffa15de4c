"""bosetting's API on SQLite and PostgreSQL: the process, corrections, places, measures, import."""

from __future__ import annotations

import json
from datetime import date

import pytest
from sqlalchemy import func, select

from bosetting.models import Sak
from shared.outbox_tables import outbox
from tests.conftest import bearer, case_body, is_problem


@pytest.fixture
def write(token):
    return bearer(token("imdi:bosetting.write"))


async def event_types(client) -> list[str]:
    async with client.app.state.db.sessions() as s:
        types = (await s.execute(select(outbox.c.event_type).order_by(outbox.c.seq))).scalars()
        return [t.split(".")[3] for t in types]


async def count_cases(client) -> int:
    async with client.app.state.db.sessions() as s:
        return (await s.execute(select(func.count()).select_from(Sak))).scalar_one()


async def test_the_process_stage_by_stage(bos, write, token):
    r = await bos.post("/api/v1/saker", json=case_body(bosettingsdato=None, kommunenummer=None), headers=write)
    sak = r.json()
    assert sak["status"] == "vedtak"
    url = f"/api/v1/saker/{sak['id']}/stadier"
    for change in ({"stadium": "klar", "dato": "2017-01-20"},
                   {"stadium": "utvalgt", "dato": "2017-02-01", "kommunenummer": "1201"}):
        assert (await bos.post(url, json=change, headers=write)).status_code == 200
    # Bergen accepts and settles the person proposed to it; Oslo may not
    oslo = bearer(token("imdi:bosetting.write", kommune="0301"))
    bergen = bearer(token("imdi:bosetting.write", kommune="1201"))
    assert (await bos.post(url, json={"stadium": "akseptert", "dato": "2017-02-10"}, headers=oslo)).status_code == 404
    assert (await bos.post(url, json={"stadium": "akseptert", "dato": "2017-02-10"}, headers=bergen)).status_code == 200
    r = await bos.post(url, json={"stadium": "bosatt", "dato": "2017-03-01", "kommunenummer": "1201"}, headers=bergen)
    assert r.status_code == 200 and r.json()["status"] == "bosatt"
    back = await bos.post(url, json={"stadium": "klar", "dato": "2017-03-02"}, headers=write)
    assert is_problem(back, 422)
    assert await event_types(bos) == ["sak-registrert", "person-klar", "person-utvalgt", "person-akseptert",
                                      "person-bosatt"]


async def test_patch_needs_if_match_and_republishes_the_settlement(bos, write):
    r = await bos.post("/api/v1/saker", json=case_body(), headers=write)
    sak, etag = r.json(), r.headers["etag"]
    url = f"/api/v1/saker/{sak['id']}"
    assert is_problem(await bos.patch(url, json={"kategori": "overforingsflyktning"}, headers=write), 428)
    stale = await bos.patch(url, json={"kategori": "overforingsflyktning"},
                            headers={**write, "If-Match": f'W/"{sak["id"]}-0"'})
    assert is_problem(stale, 412)
    bad = await bos.patch(url, json={"enslig_mindrearig": True}, headers={**write, "If-Match": etag})
    assert is_problem(bad, 422)  # born 1990: not a minor
    ok = await bos.patch(url, json={"kategori": "overforingsflyktning"}, headers={**write, "If-Match": etag})
    assert ok.status_code == 200 and ok.json()["versjon"] == sak["versjon"] + 1
    assert ok.headers["etag"] != etag
    same = await bos.patch(url, json={"kategori": "overforingsflyktning"},
                           headers={**write, "If-Match": ok.headers["etag"]})
    assert same.json()["versjon"] == ok.json()["versjon"]
    assert await event_types(bos) == ["sak-registrert", "person-bosatt", "sak-endret", "person-bosatt"]


async def test_identifiers_stay_here(bos, write, token):
    body = case_body(navn="Amina Testesen", fodselsnummer=None)
    r = await bos.post("/api/v1/saker", json=body, headers=write)
    assert r.json()["navn"] == "Amina Testesen"
    async with bos.app.state.db.sessions() as s:
        for envelope in (await s.execute(select(outbox.c.envelope))).scalars():
            assert "Amina" not in envelope and body["duf_nummer"] not in envelope


async def test_places_and_the_gap_between_request_and_decision(bos, write, token):
    for k, (a, a_em) in {"0301": (100, 10), "0219": (50, 5), "1201": (80, 8)}.items():
        r = await bos.put(f"/api/v1/anmodninger/2017/{k}", json={"antall": a, "herav_em": a_em,
                                                                  "sendt_dato": "2016-09-15"}, headers=write)
        assert r.status_code == 200, r.text
    bergen = bearer(token("imdi:bosetting.write", kommune="1201"))
    assert is_problem(await bos.put("/api/v1/kommunevedtak/2017/0301", headers=bergen,
                                    json={"antall": 1, "herav_em": 0, "vedtaksdato": "2016-12-01"}), 403)
    assert (await bos.put("/api/v1/kommunevedtak/2017/1201", headers=bergen,
                          json={"antall": 90, "herav_em": 4, "vedtaksdato": "2016-12-01"})).status_code == 200
    await bos.put("/api/v1/kommunevedtak/2017/0301", headers=write,
                  json={"antall": 60, "herav_em": 10, "vedtaksdato": "2016-12-01"})
    assert is_problem(await bos.put("/api/v1/anmodninger/2017/0301", headers=write,
                                    json={"antall": 1, "herav_em": 2, "sendt_dato": "2016-09-15"}), 422)
    assert is_problem(await bos.put("/api/v1/anmodninger/2017/5001", headers=write,
                                    json={"antall": 1, "herav_em": 0, "sendt_dato": "2016-09-15"}), 422)
    # the same figures again change nothing and publish nothing
    await bos.put("/api/v1/kommunevedtak/2017/0301", headers=write,
                  json={"antall": 60, "herav_em": 10, "vedtaksdato": "2016-12-01"})
    assert (await event_types(bos)).count("kommunevedtak-fattet") == 2

    read = bearer(token("imdi:bosetting.read"))
    by_kommune = (await bos.get("/api/v1/anmodninger/2017/avvik", headers=read)).json()["rader"]
    assert [(r["omrade"], r["differanse"], r["differanse_em"], r["mangler_vedtak"]) for r in by_kommune] == [
        ("0219", -50, -5, True), ("0301", -40, 0, False), ("1201", 10, -4, False)]
    by_fylke = (await bos.get("/api/v1/anmodninger/2017/avvik?niva=fylke", headers=read)).json()["rader"]
    assert {r["omrade"]: r["vedtatt"] for r in by_fylke} == {"02": 0, "03": 60, "12": 90}
    land = (await bos.get("/api/v1/anmodninger/2017/avvik?niva=land", headers=read)).json()["rader"]
    assert land == [{"omrade": "alle", "navn": "Hele landet", "anmodet": 230, "anmodet_em": 23, "vedtatt": 150,
                     "vedtatt_em": 14, "differanse": -80, "differanse_em": -9, "mangler_vedtak": True}]
    own = (await bos.get("/api/v1/anmodninger/2017/avvik", headers=bearer(token("imdi:bosetting.read",
                                                                                  kommune="1201")))).json()
    assert [r["omrade"] for r in own["rader"]] == ["1201"]


async def test_waiting_time_queue_and_bottlenecks(bos, write, token):
    cases = [  # vedtak, klar, utvalgt, akseptert, bosatt
        ("201612340001", "2017-01-01", "2017-01-11", "2017-03-01", "2017-03-11", "2017-04-01"),
        ("201612340002", "2017-01-01", "2017-01-21", "2017-05-01", "2017-05-11", "2017-06-01"),
        ("201612340003", "2017-02-01", "2017-02-11", None, None, None),
    ]
    for duf, vedtak, klar, utvalgt, akseptert, bosatt in cases:
        body = case_body(duf, vedtaksdato=vedtak, klar_dato=klar, utvalgt_dato=utvalgt,
                         utvalgt_kommune="0301" if utvalgt else None, akseptert_dato=akseptert,
                         bosettingsdato=bosatt, kommunenummer="0301" if bosatt else None)
        assert (await bos.post("/api/v1/saker", json=body, headers=write)).status_code == 201, body
    read = bearer(token("imdi:bosetting.read"))
    wait = (await bos.get("/api/v1/ventetid?periode=2017", headers=read)).json()
    assert wait["fordeling"]["alle"]["antall"] == 2 and wait["fordeling"]["alle"]["median"] == (90 + 151) / 2
    q = (await bos.get("/api/v1/ko?per_dato=2017-06-30", headers=read)).json()
    assert q["antall"] == 1 and q["etter_status"] == {"klar": 1}
    assert q["lengst_ventende"][0]["dager_siden_klar"] == (date(2017, 6, 30) - date(2017, 2, 11)).days
    assert q["intervaller"]["3-6 mnd"] == 1
    flask = (await bos.get("/api/v1/flaskehalser?periode=2017", headers=read)).json()
    group = flask["grupper"][0]
    assert group["antall_bosatt"] == 2 and group["flaskehals"] == "klar_til_utvalgt"
    assert group["stadier"]["klar_til_utvalgt"]["median"] == (49 + 100) / 2
    by_kjonn = (await bos.get("/api/v1/flaskehalser?periode=2017&gruppe=kjonn", headers=read)).json()
    assert [g["gruppeverdi"] for g in by_kjonn["grupper"]] == ["K"]
    municipality = bearer(token("imdi:bosetting.read", kommune="1201"))
    assert is_problem(await bos.get("/api/v1/ventetid?periode=2017", headers=municipality), 403)
    assert (await bos.get("/api/v1/ko", headers=municipality)).json()["antall"] == 0


def ndjson(rows: list[dict]) -> bytes:
    return "".join(json.dumps(r) + "\n" for r in rows).encode()


async def test_import_is_idempotent_and_reports_bad_rows(bos, write):
    rows = [
        case_body("201612350001", ekstern_id="NIR-1"),
        case_body("201612350002", ekstern_id="NIR-2", bosettingsdato=None, kommunenummer=None,
                  klar_dato="2017-01-15"),
        case_body("201612350003", ekstern_id="NIR-3", kommunenummer="9999"),           # line 3: bad kommune
        {"ekstern_id": "NIR-4", "duf_nummer": "201612350004"},                          # line 4: fields missing
        case_body("201612350001", ekstern_id="NIR-5"),                                  # line 5: DUF of NIR-1
    ]
    body = ndjson(rows)[:-1] + b"\nnot json\n"                                          # line 6
    headers = {**write, "Content-Type": "application/x-ndjson"}
    first = (await bos.post("/api/v1/import/saker", content=body, headers=headers)).json()
    assert (first["rader"], first["opprettet"], first["endret"], first["uendret"], first["avvist"]) == (6, 2, 0, 0, 4)
    assert [(f["linje"], f["ekstern_id"]) for f in first["feil"]] == [(3, "NIR-3"), (4, "NIR-4"), (5, "NIR-5"),
                                                                    (6, None)]
    assert first["feil"][0]["feil"] == [{"felt": "kommunenummer",
                                         "melding": "Kommunenummeret finnes ikke i 2017-inndelingen."}]
    events_after_first = len(await event_types(bos))

    second = (await bos.post("/api/v1/import/saker", content=body, headers=headers)).json()
    assert (second["opprettet"], second["endret"], second["uendret"], second["avvist"]) == (0, 0, 2, 4)
    assert len(await event_types(bos)) == events_after_first, "a second import of the same file publishes nothing"

    # the source system moved NIR-2 forward: the next import brings the case along
    moved = ndjson([case_body("201612350002", ekstern_id="NIR-2", klar_dato="2017-01-15")])
    third = (await bos.post("/api/v1/import/saker", content=moved, headers=headers)).json()
    assert third["endret"] == 1
    assert (await event_types(bos))[-1] == "person-bosatt"
    back = ndjson([case_body("201612350002", ekstern_id="NIR-2", klar_dato="2017-01-16")])
    refused = (await bos.post("/api/v1/import/saker", content=back, headers=headers)).json()
    assert refused["avvist"] == 1 and refused["feil"][0]["feil"][0]["felt"] == "dato"
    assert await count_cases(bos) == 2


async def test_import_csv(bos, write):
    csv_body = (
        b"ekstern_id,duf_nummer,kjonn,fodselsar,kategori,enslig_mindrearig,vedtaksdato,bosettingsdato,kommunenummer\n"
        b"NIR-10,201612360001,M,2003,asyl,ja,2017-01-10,2017-03-01,1201\n"
        b"NIR-11,201612360002,K,1980,overforingsflyktning,nei,2017-01-10,,\n"
        b"NIR-12,201612360003,K,1980,asyl,kanskje,2017-01-10,,\n"
        b"NIR-13,201612360004,K\n"
    )
    r = await bos.post("/api/v1/import/saker", content=csv_body, headers={**write, "Content-Type": "text/csv"})
    report = r.json()
    assert (report["opprettet"], report["avvist"]) == (2, 2)
    assert [f["linje"] for f in report["feil"]] == [4, 5]
    listed = (await bos.get("/api/v1/saker?status=bosatt", headers=write)).json()["saker"]
    assert len(listed) == 1 and listed[0]["em_aldersgruppe"] == "under_15" and listed[0]["enslig_mindrearig"]


async def test_import_refuses_unknown_content_type_and_municipalities(bos, write, token):
    assert is_problem(await bos.post("/api/v1/import/saker", content=b"x", headers={**write,
                                                                                      "Content-Type": "text/plain"}),
                      415)
    municipality = bearer(token("imdi:bosetting.write", kommune="0301"))
    assert is_problem(await bos.post("/api/v1/import/saker", content=b"", headers={
        **municipality, "Content-Type": "text/csv"}), 403)


async def test_a_family_is_settled_together(bos, write, token):
    members = []
    for i, (kjonn, born) in enumerate([("K", 1985), ("M", 1983), ("K", 2012)]):
        body = case_body(f"20161237000{i}", kjonn=kjonn, fodselsar=born, familie_id="FAM-1",
                         bosettingsdato=None, kommunenummer=None)
        members.append((await bos.post("/api/v1/saker", json=body, headers=write)).json())
    one = f"/api/v1/saker/{members[0]['id']}/stadier"
    assert (await bos.post(one, json={"stadium": "utvalgt", "dato": "2017-02-01", "kommunenummer": "1201"},
                           headers=write)).status_code == 200
    other = await bos.post(f"/api/v1/saker/{members[1]['id']}/stadier", headers=write,
                           json={"stadium": "utvalgt", "dato": "2017-02-01", "kommunenummer": "0301"})
    assert is_problem(other, 422) and "samlet" in other.json()["feil"][0]["melding"]

    # the whole family at once: all or none
    wrong = await bos.post("/api/v1/familier/FAM-1/stadier", headers=write,
                           json={"stadium": "bosatt", "dato": "2017-03-01", "kommunenummer": "0301"})
    assert is_problem(wrong, 422)
    family = (await bos.get("/api/v1/familier/FAM-1", headers=write)).json()
    assert sorted(m["status"] for m in family["saker"]) == ["utvalgt", "vedtak", "vedtak"]
    ok = await bos.post("/api/v1/familier/FAM-1/stadier", headers=write,
                        json={"stadium": "bosatt", "dato": "2017-03-01", "kommunenummer": "1201"})
    assert ok.status_code == 200, ok.text
    assert {m["status"] for m in ok.json()["saker"]} == {"bosatt"}
    settled = [e for e in await event_types(bos) if e == "person-bosatt"]
    assert len(settled) == 3
    child = next(m for m in ok.json()["saker"] if m["fodselsar"] == 2012)
    assert child["kommunenummer"] == "1201"
    late = case_body("201612370009", familie_id="FAM-1", kommunenummer="0301")
    assert is_problem(await bos.post("/api/v1/saker", json=late, headers=write), 422)
