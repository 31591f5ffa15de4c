"""R10/R11 in tolkeregister on SQLite and PostgreSQL: test sittings, authorisations, ID cards and complaints
counted per year and published as nokkeltall events (objekt R10), only the figures that moved."""

from __future__ import annotations

from tests.conftest import bearer, is_problem
from tests.integration.test_tolkeregister import events, tolk, tolk_body, write  # noqa: F401 - fixtures


def _figures(body: dict) -> dict:
    return {(t["navn"], t["dimensjon"], t["kategori"]): t["antall"] for t in body["tall"]}


def _published(evs) -> dict:
    latest = {}
    for kind, data in evs:
        if kind == "nokkeltall":
            assert data["objekt"] == "R10"
            latest[(data["ar"], data["navn"], data["dimensjon"], data["kategori"])] = data["antall"]
    return latest


async def test_tests_authorisations_cards_and_complaints_are_counted_and_published(tolk, write):  # noqa: F811
    assert (await tolk.put("/api/v1/tester/tospot/2017-05-10/ti", json={"testet": 10, "bestatt": 6},
                           headers=write)).status_code == 200
    await tolk.put("/api/v1/tester/tospraktest/2017-09-01/so", json={"testet": 5, "bestatt": 5}, headers=write)
    await tolk.put("/api/v1/tester/tospot/2016-05-10/ti", json={"testet": 3, "bestatt": 1}, headers=write)
    bad = await tolk.put("/api/v1/tester/tospot/2017-05-10/ti", json={"testet": 1, "bestatt": 2}, headers=write)
    assert is_problem(bad, 422)
    await tolk.put("/api/v1/bevillinger/2017/ti", json={"antall": 2}, headers=write)
    tolk_id = (await tolk.post("/api/v1/tolker", json=tolk_body(0), headers=write)).json()["id"]
    await tolk.post(f"/api/v1/tolker/{tolk_id}/id-kort", json={"kortnummer": "KORT2017001", "utstedt": "2017-03-01",
                                                              "utloper": "2020-02-29"}, headers=write)
    k = (await tolk.post(f"/api/v1/tolker/{tolk_id}/klager", json={
        "mottatt": "2017-03-10", "klager": "kommune", "klagetype": "kvalitet"}, headers=write)).json()["id"]
    await tolk.post(f"/api/v1/klager/{k}/avgjorelse", json={"avgjort": "2018-01-05", "utfall": "medhold",
                                                           "konsekvens": "advarsel"}, headers=write)

    got = _figures((await tolk.get("/api/v1/nokkeltall/2017", headers=write)).json())
    assert got[("tester", "alle", "alle")] == 15 and got[("tester_bestatt", "sprak", "ti")] == 6
    assert got[("tester_sprak", "alle", "alle")] == 2 and got[("autorisasjoner", "sprak", "ti")] == 2
    assert got[("id_kort_utstedt", "alle", "alle")] == 1 and got[("klager", "klagetype", "kvalitet")] == 1
    assert got[("klager_avgjort", "alle", "alle")] == 0  # decided in 2018
    published = _published(await events(tolk))
    assert {k[1:]: v for k, v in published.items() if k[0] == 2017} == got
    assert published[(2018, "klager_avgjort", "konsekvens", "advarsel")] == 1
    assert published[(2016, "tester", "sprak", "ti")] == 3

    # a corrected sitting publishes only what moved, down to 0
    before = len(await events(tolk))
    await tolk.put("/api/v1/tester/tospraktest/2017-09-01/so", json={"testet": 0, "bestatt": 0}, headers=write)
    moved = [(d["navn"], d["dimensjon"], d["kategori"], d["antall"]) for _, d in (await events(tolk))[before:]]
    assert sorted(moved) == [("tester", "alle", "alle", 10), ("tester", "sprak", "so", 0),
                             ("tester_bestatt", "alle", "alle", 6), ("tester_bestatt", "sprak", "so", 0),
                             ("tester_sprak", "alle", "alle", 1)]
    before = len(await events(tolk))
    await tolk.put("/api/v1/bevillinger/2017/ti", json={"antall": 2}, headers=write)
    assert len(await events(tolk)) == before  # unchanged: nothing published


async def test_reading_the_counts_needs_the_scope(tolk, token):  # noqa: F811
    assert is_problem(await tolk.get("/api/v1/nokkeltall/2017", headers=bearer(token("imdi:bosetting.read"))), 403)
