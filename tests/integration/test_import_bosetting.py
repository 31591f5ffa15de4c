"""bosetting's bulk import applied a chunk at a time (SQLite and PostgreSQL): families checked as a whole across
the rows of a file and against the database, a case twice in one file, and lookups that stay planned for the
table as it grows."""

from __future__ import annotations

import json

import pytest
from sqlalchemy import select, text

from bosetting import service
from bosetting.importer import Chunk
from bosetting.models import Sak
from bosetting.schemas import SakCreate, SakImportRad
from shared import bulk_import
from tests.conftest import bearer, case_body

NDJSON = "application/x-ndjson"


@pytest.fixture
def write(token):
    return {**bearer(token("imdi:bosetting.write")), "Content-Type": NDJSON}


def ndjson(rows: list[dict]) -> bytes:
    return "".join(json.dumps(r) + "\n" for r in rows).encode()


def member(i: int, kommune: str | None, **overrides) -> dict:
    settled = {"bosettingsdato": "2017-03-01", "kommunenummer": kommune} if kommune else {
        "bosettingsdato": None, "kommunenummer": None}
    return case_body(f"20161238000{i}", ekstern_id=f"FAM-{i}", **{"familie_id": "F-1", **settled, **overrides})


async def stored(client) -> dict[str, tuple[str, str | None]]:
    async with client.app.state.db.sessions() as s:
        rows = (await s.execute(select(Sak.ekstern_id, Sak.status, Sak.kommunenummer))).all()
    return {r.ekstern_id: (r.status, r.kommunenummer) for r in rows}


async def test_a_family_in_one_file_is_settled_together(bos, write):
    rows = [member(1, "1201"), member(2, None), member(3, "0301"), member(4, "1201")]
    report = (await bos.post("/api/v1/import/saker", content=ndjson(rows), headers=write)).json()
    assert (report["opprettet"], report["avvist"]) == (3, 1)
    assert report["feil"][0]["linje"] == 3 and "samlet" in report["feil"][0]["feil"][0]["melding"]
    assert await stored(bos) == {"FAM-1": ("bosatt", "1201"), "FAM-2": ("vedtak", None),
                                 "FAM-4": ("bosatt", "1201")}


async def test_a_family_member_already_stored_binds_the_next_import(bos, write):
    await bos.post("/api/v1/import/saker", content=ndjson([member(1, "1201"), member(2, None)]), headers=write)
    # the chunk's other rows do not belong to the family: only the stored member can refuse the row
    rows = [case_body(f"2016123900{i:02d}", ekstern_id=f"X-{i}") for i in range(3)] + [member(2, "0301")]
    report = (await bos.post("/api/v1/import/saker", content=ndjson(rows), headers=write)).json()
    assert (report["opprettet"], report["endret"], report["avvist"]) == (3, 0, 1)
    assert report["feil"][0]["linje"] == 4 and report["feil"][0]["feil"][0]["felt"] == "kommunenummer"
    assert (await stored(bos))["FAM-2"] == ("vedtak", None)


async def test_a_member_who_leaves_the_family_no_longer_binds_it(bos, write):
    await bos.post("/api/v1/import/saker", content=ndjson([member(1, "1201")]), headers=write)
    rows = [member(1, "1201", familie_id="F-2"), member(2, "0301")]
    report = (await bos.post("/api/v1/import/saker", content=ndjson(rows), headers=write)).json()
    assert (report["endret"], report["opprettet"], report["avvist"]) == (1, 1, 0), report["feil"]


async def test_a_case_twice_in_one_file_is_created_then_brought_forward(bos, write):
    first = case_body("201612381001", ekstern_id="TWICE", bosettingsdato=None, kommunenummer=None)
    later = {**first, "klar_dato": "2017-01-20", "bosettingsdato": "2017-03-01", "kommunenummer": "0301"}
    report = (await bos.post("/api/v1/import/saker", content=ndjson([first, later, later]), headers=write)).json()
    assert (report["opprettet"], report["endret"], report["uendret"], report["avvist"]) == (1, 1, 1, 0)
    assert await stored(bos) == {"TWICE": ("bosatt", "0301")}
    async with bos.app.state.db.sessions() as s:
        versjon = (await s.execute(select(Sak.versjon))).scalar_one()
    assert versjon == 2


@pytest.mark.parametrize("backend", ["postgresql"])
async def test_the_lookups_are_never_run_with_a_generic_plan(bos, write, monkeypatch):
    """PostgreSQL switches a prepared statement to a generic plan after five runs and keeps it: one cached
    while the table was small scans the whole table for ever after (no ANALYZE replaced it), which made the
    time per row grow with the table. The chunks' lookups are planned for their values each time."""
    monkeypatch.setattr(bulk_import, "CHUNK", 5)
    rows = [case_body(f"2016124{i:05d}", ekstern_id=f"P-{i}", familie_id=f"PF-{i // 2}") for i in range(60)]
    report = (await bos.post("/api/v1/import/saker", content=ndjson(rows), headers=write)).json()
    assert report["opprettet"] == 60
    async with bos.app.state.db.engine.connect() as conn:  # the pool's one connection: the import ran on it
        plans = (await conn.execute(text(
            "SELECT statement, generic_plans, custom_plans FROM pg_prepared_statements "
            "WHERE statement LIKE 'SELECT sak.%FROM sak%'"))).all()
    assert len(plans) == 2 and all(p.custom_plans >= 12 for p in plans), plans  # cases; family members
    assert [p.generic_plans for p in plans] == [0, 0]


@pytest.mark.parametrize("backend", ["postgresql"])
async def test_the_lookups_use_the_indexes_whatever_the_tables_size(bos, write):
    """On a small table, or one without statistics, PostgreSQL prefers a whole-table scan; as the table grows
    that scan costs more per chunk. The chunk's lookups go by index."""
    rows = [case_body(f"2016125{i:05d}", ekstern_id=f"S-{i}", familie_id=f"SF-{i // 2}") for i in range(20)]
    await bos.post("/api/v1/import/saker", content=ndjson(rows), headers=write)
    async with bos.app.state.db.sessions() as session, session.begin():
        await Chunk.load(session, [SakImportRad.model_validate(r) for r in rows], "k" * 32)
        scans = (await session.execute(text(
            "SELECT seq_scan, idx_scan FROM pg_stat_xact_user_tables WHERE relname = 'sak'"))).one()
    assert scans.seq_scan == 0 and scans.idx_scan >= 2, scans


@pytest.mark.parametrize("backend", ["postgresql"])
async def test_a_new_case_is_checked_for_clashes_by_index(bos, write):
    """``POST /saker`` looks for a case with the same DUF-nummer or external id; as a prepared statement on
    a small table an OR of the two became a whole-table scan, kept for every later request."""
    for i in range(8):
        await bos.post("/api/v1/saker", json=case_body(f"2016126000{i:02d}", ekstern_id=f"C-{i}"),
                       headers={"Authorization": write["Authorization"]})
    async with bos.app.state.db.sessions() as session, session.begin():
        await service._refuse_clash(session, SakCreate.model_validate(case_body("201612600099", ekstern_id="C-99")))
        scans = (await session.execute(text(
            "SELECT seq_scan, idx_scan FROM pg_stat_xact_user_tables WHERE relname = 'sak'"))).one()
    assert scans.seq_scan == 0 and scans.idx_scan >= 2, scans  # (with the POSTs above: stats flush lazily)
