"""tilskudd's audit log on SQLite and PostgreSQL: a settled person's entitlements are about that person (keyed by
the pseudonymous ``person_ref`` only), so each computation from a settlement event, each read and each change of the
special criterion leaves exactly one entry with who, what and why; a redelivered event none; what fails none;
append-only, and its only route is a GET for ``imdi:revisjon.read``."""

from __future__ import annotations

from datetime import date

from shared.audit import NOT_GIVEN, SCOPE
from tests.conftest import bearer, is_problem, running_app, service_settings
from tests.integration.test_audit import (
    Log,
    assert_append_only,
    assert_read_only_route,
    attempt,
    failing_commit,
    one_entry,
)
from tests.integration.test_tilskudd_entitlements import P1, P2, consumer, feed, settled

SUBJECT = "saksbehandler-tilskudd"
RUTE_LES = "GET /api/v1/rettigheter/{person_ref}"
RUTE_SK = "PUT /api/v1/rettigheter/{person_ref}/saerskilt-kriterium"


def _one(entries: list[dict], handling: str, ref: str, rute: str, formal: str = NOT_GIVEN,
         hvem: str = SUBJECT) -> None:
    one_entry(entries, handling, "rettigheter", ref, ref, rute, formal=formal, hvem=hvem)


async def test_entitlements_computed_read_and_changed_leave_one_entry_each(db_url_factory, keys, tmp_path, token,
                                                                           backend):
    url = await db_url_factory("t")
    c = await consumer(url)
    first = settled()
    await feed(c, first, settled(P2, kommunenummer="1201"))
    settings = service_settings("tilskudd", db_url=url, bootstrap="127.0.0.1:1", keys=keys, var_dir=tmp_path,
                                kafka_enabled=False)
    write = bearer(token("imdi:tilskudd.write", subject=SUBJECT))
    async with running_app("tilskudd", settings) as til:
        log = Log(til, bearer(token(SCOPE, subject="revisor")))
        entries = await log.new()
        assert sorted(e["objekt_id"] for e in entries) == [P1, P2]
        for e in entries:  # the service itself computed them, from the settlement event
            assert (e["handling"], e["hvem"], e["rolle"], e["formal"]) == ("opprett", "tilskudd", "system",
                                                                           "bosetting"), e

        # the same event again changes nothing and logs nothing; a corrected settlement recomputes: endre
        await feed(c, first)
        assert await log.new() == []
        await feed(c, settled(bosettingsdato=date(2017, 6, 1)))
        _one(await log.new(), "endre", P1, f"hendelse {first.type}", "bosetting", hvem="tilskudd")

        r = await til.get(f"/api/v1/rettigheter/{P1}", headers={**write, "X-Formaal": "klage"})
        assert r.status_code == 200, r.text
        _one(await log.new(), "les", P1, RUTE_LES, "klage")
        r = await til.put(f"/api/v1/rettigheter/{P1}/saerskilt-kriterium", headers=write,
                          json={"saerskilt_kriterium": True})
        assert r.status_code == 200, r.text
        _one(await log.new(), "endre", P1, RUTE_SK)
        r = await til.put(f"/api/v1/rettigheter/{P1}/saerskilt-kriterium", headers=write,
                          json={"saerskilt_kriterium": True})
        assert r.status_code == 200, r.text
        _one(await log.new(), "sammenlign", P1, RUTE_SK)

        # what is refused, not found or fails leaves no entry
        unknown = f"p-{'9' * 32}"
        assert is_problem(await til.get(f"/api/v1/rettigheter/{unknown}", headers=write), 404)
        assert is_problem(await til.put(f"/api/v1/rettigheter/{unknown}/saerskilt-kriterium", headers=write,
                                        json={"saerskilt_kriterium": True}), 404)
        municipality = bearer(token("imdi:tilskudd.read", kommune="0301", subject="oslo-1"))
        assert (await til.get(f"/api/v1/rettigheter/{P1}", headers=municipality)).status_code in (403, 404)
        async with failing_commit(til, backend):
            status = await attempt(til.put(f"/api/v1/rettigheter/{P1}/saerskilt-kriterium", headers=write,
                                           json={"saerskilt_kriterium": False}))
            assert status is None or status >= 500
        assert await log.new() == []
        lines = (await til.get(f"/api/v1/rettigheter/{P1}", headers=write)).json()
        assert all(x["saerskilt_kriterium"] for x in lines)  # the failed change was not applied either
        _one(await log.new(), "les", P1, RUTE_LES)

        await assert_append_only(til, backend)
        await assert_read_only_route(til, token, write)
