"""Issue 16 (part A), on SQLite and PostgreSQL: races are 409s, the token is checked before the body is read,
bodies are capped, municipalities settle only in their own kommune, and bad input is 4xx, never 500."""

from __future__ import annotations

import asyncio
import json

import pytest
from sqlalchemy import func, select

from bosetting.models import Sak
from tests.conftest import bearer, case_body, is_problem, running_app, service_settings

NDJSON = {"Content-Type": "application/x-ndjson"}


@pytest.fixture
def write(token):
    return bearer(token("imdi:bosetting.write"))


@pytest.fixture
async def small(db_url_factory, keys, tmp_path):
    """bosetting with small body caps: 2 KiB for JSON, 160 KiB for an import."""
    settings = service_settings("bosetting", db_url=await db_url_factory("small"), bootstrap="127.0.0.1:1",
                                keys=keys, var_dir=tmp_path, kafka_enabled=False, max_body_bytes=2048,
                                max_import_bytes=160 * 1024)
    async with running_app("bosetting", settings) as client:
        yield client


async def count_cases(client) -> int:
    async with client.app.state.db.sessions() as s:
        return (await s.execute(select(func.count()).select_from(Sak))).scalar_one()


def ndjson(rows: list[dict]) -> bytes:
    return "".join(json.dumps(r) + "\n" for r in rows).encode()


class Chunks:
    """A request body of ``n`` chunks that counts how many were read."""

    def __init__(self, n: int, size: int = 1024 * 1024) -> None:
        self.n, self.size, self.read = n, size, 0

    async def __aiter__(self):
        for _ in range(self.n):
            self.read += 1
            yield b" " * self.size


# --- defect 1: a unique-constraint race is a 409, an import retries --------------------------------------
async def test_concurrent_creates_of_one_person_give_one_201_and_409s(bos, write):
    body = case_body("201612390001", navn="Samtidig Testperson", fodselsnummer=None)
    answers = await asyncio.gather(*(bos.post("/api/v1/saker", json=body, headers=write) for _ in range(12)))
    statuses = sorted(r.status_code for r in answers)
    assert statuses == [201] + [409] * 11, statuses
    assert all(is_problem(r, 409) for r in answers if r.status_code == 409)
    assert await count_cases(bos) == 1


async def test_concurrent_resends_of_one_import_store_each_case_once(bos, write):
    rows = [case_body(f"2016124{i:05d}", ekstern_id=f"RACE-{i}", navn="Import Testperson") for i in range(60)]
    body = ndjson(rows)
    answers = await asyncio.gather(*(bos.post("/api/v1/import/saker", content=body, headers={**write, **NDJSON})
                                     for _ in range(6)))
    assert [r.status_code for r in answers] == [200] * 6, [r.text[:300] for r in answers]
    reports = [r.json() for r in answers]
    assert all(r["avvist"] == 0 and r["opprettet"] + r["endret"] + r["uendret"] == 60 for r in reports), reports
    assert sum(r["opprettet"] for r in reports) == 60
    assert await count_cases(bos) == 60


# --- defect 3: the token before the body; body caps ------------------------------------------------------
async def test_an_unauthenticated_body_is_refused_before_it_is_read(bos, token):
    for headers in ({}, bearer("not-a-token"), bearer(token("imdi:bosetting.write")[:-8] + "AAAAAAAA")):
        body = Chunks(50)
        r = await bos.post("/api/v1/saker", content=body, headers={**headers, "Content-Type": "application/json"})
        assert is_problem(r, 401), r.text
        assert body.read <= 1, f"{body.read} MiB read before the token was refused"


async def test_a_json_body_over_the_cap_is_413(small, write):
    declared_body = Chunks(4, size=1024)
    declared = await small.post("/api/v1/saker", content=declared_body, headers={
        **write, "Content-Type": "application/json", "Content-Length": "4096"})
    assert is_problem(declared, 413) and "MiB" in declared.json()["detail"]
    assert declared_body.read == 0, "a declared length over the cap is refused before the body is read"
    streamed = Chunks(50, size=1024)
    r = await small.post("/api/v1/saker", content=streamed, headers={**write, "Content-Type": "application/json"})
    assert is_problem(r, 413) and r.json()["title"] == "Forespørselen er for stor"
    assert streamed.read <= 3
    ok = await small.post("/api/v1/saker", json=case_body(), headers=write)
    assert ok.status_code == 201


async def test_an_import_has_its_own_larger_cap_counted_while_streaming(small, write):
    lines = [ndjson([case_body(f"2016125{i:05d}", ekstern_id=f"CAP-{i}")]) for i in range(900)]
    rows = b"".join(lines)
    assert len(b"".join(lines[:500])) < 160 * 1024 < len(rows)

    async def stream():
        for start in range(0, len(rows), 4096):
            yield rows[start:start + 4096]

    r = await small.post("/api/v1/import/saker", content=stream(), headers={**write, **NDJSON})
    assert is_problem(r, 413), r.text
    stored = await count_cases(small)
    assert r.json()["lagret"] == stored == 500  # the first chunk was committed before the cap was reached
    assert f"{stored} rader ble lagret" in r.json()["detail"] and "på nytt" in r.json()["detail"]
    # more than the JSON cap is fine for an import
    rest = await small.post("/api/v1/import/saker", content=b"".join(lines[500:700]), headers={**write, **NDJSON})
    assert rest.status_code == 200 and rest.json()["opprettet"] == 200


# --- defect 4: a municipality settles only in its own kommune --------------------------------------------
async def test_a_municipality_cannot_move_a_case_to_another_kommune(bos, write, token):
    sak = (await bos.post("/api/v1/saker", json=case_body(
        "201612390002", bosettingsdato=None, kommunenummer=None, utvalgt_dato="2017-02-01",
        utvalgt_kommune="1201"), headers=write)).json()
    url = f"/api/v1/saker/{sak['id']}/stadier"
    bergen = bearer(token("imdi:bosetting.write", kommune="1201"))
    elsewhere = await bos.post(url, json={"stadium": "bosatt", "dato": "2017-03-01", "kommunenummer": "0301"},
                               headers=bergen)
    assert is_problem(elsewhere, 403)
    assert (await bos.post(url, json={"stadium": "bosatt", "dato": "2017-03-01", "kommunenummer": "1201"},
                           headers=bergen)).status_code == 200
    moved = await bos.post(url, json={"stadium": "bosatt", "dato": "2017-12-01", "kommunenummer": "0301"},
                           headers=bergen)
    assert is_problem(moved, 403) and "IMDi" in moved.json()["detail"]
    oslo = bearer(token("imdi:bosetting.read", kommune="0301"))
    assert (await bos.get("/api/v1/saker", headers=oslo)).json()["antall"] == 0
    # IMDi may move it
    assert (await bos.post(url, json={"stadium": "bosatt", "dato": "2017-12-01", "kommunenummer": "0301"},
                           headers=write)).status_code == 200


async def test_a_municipality_cannot_move_a_family(bos, write, token):
    await bos.post("/api/v1/saker", json=case_body("201612390003", familie_id="F-9", bosettingsdato=None,
                                                   kommunenummer=None, utvalgt_dato="2017-02-01",
                                                   utvalgt_kommune="1201"), headers=write)
    bergen = bearer(token("imdi:bosetting.write", kommune="1201"))
    for kommune in ("0301", "1201"):
        r = await bos.post("/api/v1/familier/F-9/stadier", headers=bergen,
                           json={"stadium": "bosatt", "dato": "2017-03-01", "kommunenummer": kommune})
        assert is_problem(r, 403)


# --- defect 7: unhandled input is 4xx -------------------------------------------------------------------
@pytest.mark.parametrize("path", ["/api/v1/ventetid", "/api/v1/flaskehalser", "/api/v1/styringsparametere/SP1/verdi"])
async def test_period_year_zero_is_422(bos, token, path):
    r = await bos.get(f"{path}?periode=0000", headers=bearer(token("imdi:bosetting.read")))
    assert is_problem(r, 422) and r.json()["feil"][0]["felt"] == "periode"


async def test_deeply_nested_json_and_a_bare_cr_are_row_errors(bos, write):
    good = case_body("201612390010", ekstern_id="DEEP-1")
    body = b"[" * 30_000 + b"\n" + ndjson([good])
    r = await bos.post("/api/v1/import/saker", content=body, headers={**write, **NDJSON})
    assert r.status_code == 200, r.text
    assert (r.json()["avvist"], r.json()["opprettet"], r.json()["feil"][0]["linje"]) == (1, 1, 1)
    csv_body = (b"ekstern_id,duf_nummer,kjonn,fodselsar,vedtaksdato\n"
                b"CR-1,201612390011,K,19\r80,2017-01-10\n"
                b"CR-2,201612390012,K,1980,2017-01-10\n")
    r = await bos.post("/api/v1/import/saker", content=csv_body, headers={**write, "Content-Type": "text/csv"})
    assert r.status_code == 200, r.text
    assert (r.json()["avvist"], r.json()["opprettet"], r.json()["feil"][0]["linje"]) == (1, 1, 2)


async def test_an_import_that_stops_midway_says_what_was_stored(bos, write):
    rows = ndjson([case_body(f"2016126{i:05d}", ekstern_id=f"MID-{i}") for i in range(520)])

    async def stream():  # the first 500 rows are committed before the invalid UTF-8 arrives
        yield rows
        yield b"\xff\xfe broken\n"

    r = await bos.post("/api/v1/import/saker", content=stream(), headers={**write, **NDJSON})
    assert is_problem(r, 400)
    detail = r.json()["detail"]
    assert "Ingenting er lagret" not in detail
    assert r.json()["lagret"] == await count_cases(bos) == 500 and "500 rader ble lagret" in detail
    again = await bos.post("/api/v1/import/saker", content=rows, headers={**write, **NDJSON})
    assert (again.json()["opprettet"], again.json()["uendret"]) == (20, 500)


async def test_rapportering_lineage_with_period_year_zero_is_422(db_url_factory, keys, tmp_path, token):
    settings = service_settings("rapportering", db_url=await db_url_factory("rapportering"), bootstrap="127.0.0.1:1",
                                keys=keys, var_dir=tmp_path, kafka_enabled=False, risk_sweep_seconds=3600)
    async with running_app("rapportering", settings) as rap:
        r = await rap.get("/api/v1/styringsparametere/SP1/verdi/hendelser?periode=0000",
                          headers=bearer(token("imdi:rapport.intern")))
        assert is_problem(r, 422) and r.json()["feil"][0]["felt"] == "periode"


async def test_concurrent_first_writes_of_one_request_are_never_500(bos, write):
    body = {"antall": 10, "herav_em": 1, "sendt_dato": "2016-09-15"}
    answers = await asyncio.gather(*(bos.put("/api/v1/anmodninger/2017/0301", json=body, headers=write)
                                     for _ in range(8)))
    assert {r.status_code for r in answers} <= {200, 409} and 200 in {r.status_code for r in answers}
    assert all(is_problem(r, 409) for r in answers if r.status_code == 409)
