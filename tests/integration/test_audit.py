"""bosetting's audit log (revisjonslogg) on SQLite and PostgreSQL: every read and change of a case leaves exactly
one entry with who, in which role, what, through which route and why; a change that fails leaves none; the log
holds no personal data in the clear; no route and no SQL statement can change or delete an entry.

The helpers here (:class:`Log`, :func:`assert_append_only`, :func:`assert_read_only_route`,
:func:`failing_commit`) serve kvalifisering's and tolkeregister's logs too (``test_audit_*.py``)."""

from __future__ import annotations

import contextlib
import json

import pytest
from sqlalchemy import text

from shared.audit import NOT_GIVEN, SCOPE, SYSTEM_IMPORT
from tests.conftest import bearer, case_body, is_problem
from tests.log_guard import personal_data_in

SUBJECT = "saksbehandler-17"


@pytest.fixture
def write(token):
    return bearer(token("imdi:bosetting.write", subject=SUBJECT))


@pytest.fixture
def auditor(token):
    return bearer(token(SCOPE, subject="revisor"))


class Log:
    """Reads the audit log through its API and hands back the entries added since the last call."""

    def __init__(self, client, headers) -> None:
        self.client, self.headers, self.seen = client, headers, 0

    async def all(self) -> list[dict]:
        out, after = [], None
        while True:
            params = {"limit": 1000, **({"etter": after} if after else {})}
            r = await self.client.get("/api/v1/revisjonslogg", params=params, headers=self.headers)
            assert r.status_code == 200, r.text
            out += r.json()["poster"]
            if (after := r.json()["neste"]) is None:
                return out

    async def new(self) -> list[dict]:
        entries = await self.all()
        fresh, self.seen = entries[self.seen:], len(entries)
        return fresh


async def assert_append_only(client, backend: str) -> None:
    """UPDATE and DELETE (and on PostgreSQL TRUNCATE) of the service's log fail in the database itself."""
    async with client.app.state.db.engine.connect() as conn:
        statements = ["UPDATE revisjonslogg SET formal = 'x'", "DELETE FROM revisjonslogg"]
        for statement in statements + (["TRUNCATE revisjonslogg"] if backend == "postgresql" else []):
            with pytest.raises(Exception, match="revisjonsloggen kan ikke endres"):
                await conn.execute(text(statement))
            await conn.rollback()


async def assert_read_only_route(client, token, forbidden: dict) -> None:
    """The log's only route is GET, for scope ``imdi:revisjon.read`` only (``forbidden``: a token of the service's
    own without it)."""
    paths = client.app.openapi()["paths"]  # every route the app serves (FastAPI includes routers lazily)
    assert [(m.upper(), p) for p, ops in paths.items() for m in ops if "revisjon" in p] == [
        ("GET", "/api/v1/revisjonslogg")]
    for method in ("POST", "PUT", "PATCH", "DELETE"):
        r = await client.request(method, "/api/v1/revisjonslogg", headers=bearer(token(SCOPE)), json={})
        assert is_problem(r, 405), (method, r.status_code)
    assert (await client.get("/api/v1/revisjonslogg", headers=bearer(token(SCOPE)))).status_code == 200
    assert is_problem(await client.get("/api/v1/revisjonslogg", headers=forbidden), 403)
    assert is_problem(await client.get("/api/v1/revisjonslogg", headers=bearer(token(SCOPE, kommune="0301"))), 403)
    assert is_problem(await client.get("/api/v1/revisjonslogg"), 401)


@contextlib.asynccontextmanager
async def failing_commit(client, backend: str):
    """Every commit that writes an event fails at its outbox insert, the last statement before COMMIT: whatever
    the change wrote before it, its audit entries included, must roll back with it."""
    message = "testen stopper utboksen"
    if backend == "postgresql":
        ddl = ["CREATE FUNCTION test_no_outbox() RETURNS trigger LANGUAGE plpgsql AS "
               f"$$ BEGIN RAISE EXCEPTION '{message}'; END $$",
               "CREATE TRIGGER test_no_outbox BEFORE INSERT ON outbox FOR EACH ROW EXECUTE FUNCTION test_no_outbox()"]
        undo = ["DROP TRIGGER test_no_outbox ON outbox", "DROP FUNCTION test_no_outbox()"]
    else:
        ddl = [f"CREATE TRIGGER test_no_outbox BEFORE INSERT ON outbox BEGIN SELECT RAISE(ABORT, '{message}'); END"]
        undo = ["DROP TRIGGER test_no_outbox"]
    async with client.app.state.db.engine.begin() as conn:
        for statement in ddl:
            await conn.execute(text(statement))
    try:
        yield
    finally:
        async with client.app.state.db.engine.begin() as conn:
            for statement in undo:
                await conn.execute(text(statement))


async def attempt(request) -> int | None:
    """The status of a request that may fail inside the app (the test client re-raises a server error)."""
    try:
        return (await request).status_code
    except Exception:  # noqa: BLE001 - the failing commit surfaces as the app's own exception
        return None


def one_entry(entries: list[dict], handling: str, objekt: str, objekt_id: str, ref: str | None, rute: str, *,
              formal: str, hvem: str, rolle: str | None = None) -> None:
    """``entries`` is exactly one entry, and it says this (``rolle`` checked when given)."""
    assert len(entries) == 1, entries
    e = entries[0]
    assert (e["handling"], e["objekt"], e["objekt_id"], e["person_ref"]) == (handling, objekt, objekt_id, ref), e
    assert (e["hvem"], e["formal"], e["rute"]) == (hvem, formal, rute), e
    assert rolle is None or e["rolle"] == rolle, e


def _only(entries: list[dict], handling: str, sak: dict, formal: str, rute: str, rolle: str = "imdi:bosetting.write",
          hvem: str = SUBJECT) -> None:
    one_entry(entries, handling, "sak", sak["id"], sak["person_ref"], rute, formal=formal, hvem=hvem, rolle=rolle)


async def test_every_read_and_change_of_a_case_leaves_exactly_one_entry(bos, write, auditor, token):
    log = Log(bos, auditor)
    why = {"X-Formaal": "klage:2017/42"}
    r = await bos.post("/api/v1/saker", headers={**write, **why},
                       json=case_body(bosettingsdato=None, kommunenummer=None, navn="Kari Nordmann"))
    assert r.status_code == 201, r.text
    sak = r.json()
    _only(await log.new(), "opprett", sak, "klage:2017/42", "POST /api/v1/saker")

    assert (await bos.get(f"/api/v1/saker/{sak['id']}", headers=write)).status_code == 200
    _only(await log.new(), "les", sak, NOT_GIVEN, "GET /api/v1/saker/{sak_id}")

    etag = (await bos.get(f"/api/v1/saker/{sak['id']}", headers={**write, "X-Formaal": "tilsyn"})).headers["ETag"]
    _only(await log.new(), "les", sak, "tilsyn", "GET /api/v1/saker/{sak_id}")

    r = await bos.patch(f"/api/v1/saker/{sak['id']}", json={"navn": "Kari Nordkvinne"},
                        headers={**write, "If-Match": etag})
    assert r.status_code == 200, r.text
    _only(await log.new(), "endre", sak, NOT_GIVEN, "PATCH /api/v1/saker/{sak_id}")

    r = await bos.post(f"/api/v1/saker/{sak['id']}/stadier", json={"stadium": "klar", "dato": "2017-01-20"},
                       headers=write)
    assert r.status_code == 200, r.text
    _only(await log.new(), "endre", sak, NOT_GIVEN, "POST /api/v1/saker/{sak_id}/stadier")

    r = await bos.post(f"/api/v1/saker/{sak['id']}/stadier", json={"stadium": "utvalgt", "dato": "2017-02-01",
                                                                   "kommunenummer": "1201"}, headers=write)
    assert r.status_code == 200, r.text
    await log.new()
    bergen = token("imdi:bosetting.read", kommune="1201", subject="bergen-1")
    assert (await bos.get(f"/api/v1/saker/{sak['id']}", headers=bearer(bergen))).status_code == 200
    _only(await log.new(), "les", sak, NOT_GIVEN, "GET /api/v1/saker/{sak_id}",
          rolle="imdi:bosetting.read kommune:1201", hvem="bergen-1")

    # the list: one entry per case answered
    other = (await bos.post("/api/v1/saker", json=case_body("201612345679"), headers=write)).json()
    await log.new()
    listed = (await bos.get("/api/v1/saker", headers=write)).json()["saker"]
    entries = await log.new()
    assert sorted(e["objekt_id"] for e in entries) == sorted(s["id"] for s in listed) == sorted([sak["id"],
                                                                                                 other["id"]])
    assert {(e["handling"], e["rute"]) for e in entries} == {("les", "GET /api/v1/saker")}

    # what fails leaves no entry: a stage change the rules refuse, a read of a case that does not exist
    back = await bos.post(f"/api/v1/saker/{sak['id']}/stadier", json={"stadium": "klar", "dato": "2017-03-02"},
                          headers=write)
    assert is_problem(back, 422)
    assert is_problem(await bos.get("/api/v1/saker/finnes-ikke", headers=write), 404)
    assert await log.new() == []


async def test_families_and_imports_leave_one_entry_per_case(bos, write, auditor):
    log = Log(bos, auditor)
    members = []
    for i in range(2):
        body = case_body(f"2016123700{i}0", familie_id="FAM-A", bosettingsdato=None, kommunenummer=None)
        members.append((await bos.post("/api/v1/saker", json=body, headers=write)).json())
    await log.new()
    assert (await bos.get("/api/v1/familier/FAM-A", headers=write)).status_code == 200
    entries = await log.new()
    assert sorted((e["handling"], e["objekt_id"]) for e in entries) == sorted(("les", m["id"]) for m in members)
    r = await bos.post("/api/v1/familier/FAM-A/stadier", json={"stadium": "klar", "dato": "2017-01-20"},
                       headers={**write, "X-Formaal": "bosetting"})
    assert r.status_code == 200, r.text
    entries = await log.new()
    assert sorted((e["handling"], e["objekt_id"], e["formal"]) for e in entries) == sorted(
        ("endre", m["id"], "bosetting") for m in members)

    rows = [case_body(f"2016555000{i}{i}", ekstern_id=f"IMP-{i}") for i in range(3)]
    ndjson = {**write, "Content-Type": "application/x-ndjson"}
    r = await bos.post("/api/v1/import/saker", content="".join(json.dumps(x) + "\n" for x in rows), headers=ndjson)
    assert r.status_code == 200 and r.json()["opprettet"] == 3, r.text
    entries = await log.new()
    assert sorted(e["handling"] for e in entries) == ["opprett"] * 3
    assert {(e["formal"], e["rute"]) for e in entries} == {(SYSTEM_IMPORT, "POST /api/v1/import/saker")}
    ids = {e["objekt_id"] for e in entries}
    assert len(ids) == 3

    rows[0]["kjonn"] = "M"  # one changed, one unchanged, one refused
    rows[2]["kommunenummer"] = "9999"
    r = await bos.post("/api/v1/import/saker", content="".join(json.dumps(x) + "\n" for x in rows),
                       headers={**ndjson, "X-Formaal": "nattlig-import"})
    assert (r.json()["endret"], r.json()["uendret"], r.json()["avvist"]) == (1, 1, 1), r.text
    entries = await log.new()
    assert sorted(e["handling"] for e in entries) == ["endre", "sammenlign"]
    assert {e["objekt_id"] for e in entries} < ids and {e["formal"] for e in entries} == {"nattlig-import"}


async def test_the_log_holds_no_personal_data_and_cannot_be_changed(bos, write, auditor, backend):
    person = case_body("201698765432", navn="Ola Audunsen", fodselsnummer="01019010127", kjonn="M",
                       fodselsdato="1990-01-01", fodselsar=None)
    r = await bos.post("/api/v1/saker", json=person, headers=write)
    assert r.status_code == 201, r.text
    await bos.get(f"/api/v1/saker/{r.json()['id']}", headers=write)
    await bos.get("/api/v1/saker", headers=write)
    entries = await Log(bos, auditor).all()
    assert len(entries) == 3
    dumped = json.dumps(entries)
    assert personal_data_in(dumped) == []
    assert not [v for v in ("Audunsen", "201698765432", "01019010127", "1990-01-01") if v in dumped]

    # append-only in the database itself, for any client of it
    await assert_append_only(bos, backend)
    assert len(await Log(bos, auditor).all()) == 3


async def test_no_route_writes_the_log_and_only_its_scope_reads_it(bos, write, token):
    await assert_read_only_route(bos, token, write)


async def test_a_purpose_is_a_code_not_free_text(bos, write):
    r = await bos.get("/api/v1/saker", headers={**write, "X-Formaal": "Ola Nordmann ringte"})
    assert is_problem(r, 422) and r.json()["feil"][0]["felt"].endswith("X-Formaal"), r.text
