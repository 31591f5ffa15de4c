"""Bulk import of the existing register on SQLite and PostgreSQL: NDJSON and CSV, idempotent by ekstern_id,
bad rows listed by line and changing nothing, status and languages brought to the row."""

from __future__ import annotations

import json

from tests.conftest import bearer, is_problem
from tests.integration.test_tolkeregister import CAT3, CAT5, count, events, tolk, tolk_body, write  # noqa: F401

NDJSON = {"Content-Type": "application/x-ndjson"}


def ndjson(rows: list[dict]) -> str:
    return "".join(json.dumps(r) + "\n" for r in rows)


def rows(n: int) -> list[dict]:
    out = [{**tolk_body(i), "ekstern_id": f"NTR-{i}"} for i in range(n)]
    out[1].update(status="suspendert", status_dato="2017-02-01", status_arsak="Klagesak")
    out[2].update(status="avregistrert", status_dato="2017-05-01", status_arsak="Flyttet")
    return out


async def test_ndjson_import_is_idempotent_and_lists_bad_rows(tolk, write):  # noqa: F811
    good = rows(5)
    bad = [{**tolk_body(20), "ekstern_id": "NTR-20", "kommunenummer": "9999"},
           {**tolk_body(21), "ekstern_id": "NTR-21", "status": "suspendert"},  # no date or reason
           {**tolk_body(22), "ekstern_id": "NTR-22", "sprak": [{"sprak": "so", "bevis": [{"type": "tao",
                                                                                          "dato": "2013-01-01"}]}]},
           {**tolk_body(3), "ekstern_id": "NTR-OTHER"}]  # NTR-3's identity number
    body = ndjson(good[:3] + bad[:2]) + "not json\n" + ndjson(good[3:] + bad[2:])
    r = await tolk.post("/api/v1/import/tolker", content=body, headers={**write, **NDJSON})
    report = r.json()
    assert (report["rader"], report["opprettet"], report["avvist"]) == (10, 5, 5), report
    assert [(e["linje"], e["feil"][0]["felt"]) for e in report["feil"]] == [
        (4, "kommunenummer"), (5, "(hele forespørselen)"), (6, "(linje)"), (9, "sprak.0.bevis"), (10, "fodselsnummer")]
    assert await count(tolk) == 5
    listed = {t["ekstern_id"]: t for t in (await tolk.get("/api/v1/tolker", headers=write)).json()["tolker"]}
    assert (listed["NTR-1"]["status"], listed["NTR-2"]["status"]) == ("suspendert", "avregistrert")
    sp10 = [d for k, d in await events(tolk) if k == "tolk-oppfort"]
    assert len(sp10) == 5 and sorted(str(d["avregistrert_dato"]) for d in sp10).count("2017-05-01") == 1

    again = (await tolk.post("/api/v1/import/tolker", content=ndjson(good), headers={**write, **NDJSON})).json()
    assert (again["opprettet"], again["endret"], again["uendret"]) == (0, 0, 5)
    assert len(await events(tolk)) == 5  # nothing published twice


async def test_a_known_row_brings_the_interpreter_forward_all_or_nothing(tolk, write):  # noqa: F811
    first = rows(3)
    await tolk.post("/api/v1/import/tolker", content=ndjson(first), headers={**write, **NDJSON})
    changed = [{**first[0], "telefon": "+47 499 99 999", "sprak": [{"sprak": "ti", "bevis": CAT3}]},
               {**first[1], "status": "aktiv", "status_dato": "2017-03-01", "status_arsak": "Ferdig"},
               {**first[2], "status": "aktiv", "status_dato": "2017-06-01", "status_arsak": "x",
                "telefon": "+47 411 11 111"},  # a removed interpreter cannot come back: the phone stays too
               {**first[0], "ekstern_id": "NTR-0", "oppfort_dato": "2015-01-01"}]
    report = (await tolk.post("/api/v1/import/tolker", content=ndjson(changed), headers={**write, **NDJSON})).json()
    assert (report["endret"], report["avvist"]) == (2, 2), report
    assert [(e["linje"], e["feil"][0]["felt"]) for e in report["feil"]] == [(3, "status"), (4, "oppfort_dato")]
    listed = {t["ekstern_id"]: t for t in (await tolk.get("/api/v1/tolker", headers=write)).json()["tolker"]}
    assert (listed["NTR-0"]["hoyeste_kategori"], listed["NTR-0"]["telefon"]) == ("3", "+47 499 99 999")
    assert listed["NTR-1"]["status"] == "aktiv"
    assert (listed["NTR-2"]["status"], listed["NTR-2"]["telefon"]) == ("avregistrert", "+47 400 00 000")


async def test_csv_import_with_languages_in_one_cell(tolk, write):  # noqa: F811
    a, b = tolk_body(0), tolk_body(1)
    csv = ("ekstern_id,fodselsnummer,navn,kjonn,kommunenummer,oppfort_dato,telefon,sprak\n"
           f"C-0,{a['fodselsnummer']},Tolk A,{a['kjonn']},1201,2016-03-01,,"
           "so=statsautorisasjon:2015-06-01|tolkeutdanning:2014-06-15;ar=tospot:2013-05-01|tao:2013-09-01\n"
           f"C-1,{b['fodselsnummer']},Tolk B,{b['kjonn']},0301,2016-03-01,+47 400 00 001,so=statsautorisasjon\n")
    report = (await tolk.post("/api/v1/import/tolker", content=csv, headers={**write, "Content-Type": "text/csv"})
              ).json()
    assert (report["opprettet"], report["avvist"]) == (1, 1) and report["feil"][0]["feil"][0]["felt"] == "sprak"
    got = (await tolk.get("/api/v1/tolker", headers=write)).json()["tolker"][0]
    assert {s["sprak"]: s["kategori"] for s in got["sprak"]} == {"so": "1", "ar": "5"} and got["telefon"] is None


async def test_the_import_is_imdis(tolk, token):  # noqa: F811
    r = await tolk.post("/api/v1/import/tolker", content=ndjson(rows(3)[:1]),
                        headers={**bearer(token("imdi:tolkeregister.write", kommune="0301")), **NDJSON})
    assert is_problem(r, 403) and await count(tolk) == 0
