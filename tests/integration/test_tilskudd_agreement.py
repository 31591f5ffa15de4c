"""Through the real broker: rapportering's spend, commitments and forecast per post and binding agree exactly with
tilskudd's own, as of the half-year and the year end; the disbursement of the Grønland funds to Oslo kommune
completes O10's first milestone in rapportering."""

from __future__ import annotations

import pytest

from tests.conftest import bearer, case_body, eventually, running_app, service_settings
from tests.integration.test_tilskudd import GRONLAND


@pytest.fixture
async def three(broker, db_url_factory, keys, tmp_path):
    def settings(name, **kw):
        return service_settings(name, db_url=kw.pop("url"), bootstrap=broker.bootstrap, keys=keys, var_dir=tmp_path,
                                **kw)
    b = settings("bosetting", url=await db_url_factory("bosetting"))
    t = settings("tilskudd", url=await db_url_factory("tilskudd"))
    r = settings("rapportering", url=await db_url_factory("rapportering"), risk_sweep_seconds=3600)
    async with running_app("bosetting", b) as bos, running_app("tilskudd", t) as til, \
            running_app("rapportering", r) as rap:
        yield bos, til, rap


async def _grants(til, write) -> None:
    mottak = {"navn": "Integreringsmottak", "ar": 2017, "kapittel": 496, "post": "73",
              "binding": "integreringsmottak", "regelverk": "Kvalifiseringstiltak i integreringsmottak.",
              "mottakere": "kommune"}
    assert (await til.put("/api/v1/ordninger/gronland", headers=write, json=GRONLAND)).status_code == 201
    assert (await til.put("/api/v1/ordninger/mottak", headers=write, json=mottak)).status_code == 201
    for scheme, belop, pay, when in (("gronland", "4000000.00", "4000000.00", "2017-02-20"),
                                     ("mottak", "2000000.00", "750000.55", "2017-05-10")):
        app = await til.post(f"/api/v1/ordninger/{scheme}/soknader", headers=write,
                             json={"kommunenummer": "0301", "belop": belop, "mottatt": "2017-01-20"})
        decision = await til.post("/api/v1/tilsagn", headers=write, json={
            "soknad_id": app.json()["id"], "belop": belop, "dato": "2017-02-01", "periode_fra": "2017-02-01",
            "periode_til": "2017-12-31"})
        assert decision.status_code == 201, decision.text
        paid = await til.post(f"/api/v1/tilsagn/{decision.json()['id']}/utbetalinger", headers=write,
                              json={"belop": pay, "dato": when})
        assert paid.status_code == 201, paid.text


async def _settlements(bos, token) -> None:
    write = bearer(token("imdi:bosetting.write"))
    assert (await bos.put("/api/v1/kommunevedtak/2017/0301", headers=write,
                          json={"antall": 40, "herav_em": 5, "vedtaksdato": "2016-12-01"})).status_code == 200
    cases = [case_body("201600000001"), case_body("201600000002", fodselsar=2003, enslig_mindrearig=True,
                                                  vedtaksdato="2017-02-01", bosettingsdato="2017-04-03"),
             case_body("201600000003", bosettingsdato="2017-09-01")]
    for body in cases:
        assert (await bos.post("/api/v1/saker", headers=write, json=body)).status_code == 201


def _theirs(tilskudd_lines: list[dict]) -> dict[str, tuple]:
    return {x["id"]: (x["forbruk"], x["forpliktet"], x["prognose_rest"], x["prognose"]) for x in tilskudd_lines}


def _ours(section: dict) -> dict[str, tuple]:
    out = {}
    for k in section["kapitler"]:
        for p in k["poster"]:
            if p["forbruk"] is not None:
                out[f"{k['kapittel']}.{p['post']}"] = (p["forbruk"], p["forpliktet"], p["prognose_rest"], p["prognose"])
            for b in p["bindinger"]:
                out[f"{k['kapittel']}.{p['post']}/{b['binding']}"] = (b["forbruk"], b["forpliktet"],
                                                                       b["prognose_rest"], b["prognose"])
    return out


async def test_rapportering_agrees_exactly_with_tilskudd_per_post_and_binding(three, token):
    bos, til, rap = three
    write = bearer(token("imdi:tilskudd.write"))
    intern = bearer(token("imdi:rapport.intern"))
    await _grants(til, write)
    await _settlements(bos, token)

    async def expected(day: str) -> dict[str, tuple]:
        lines = (await til.get(f"/api/v1/forbruk/2017?per_dato={day}", headers=write)).json()["linjer"]
        active = {"496.60", "496.61", "496.62", "496.62/gronland-oslo", "496.73", "496.73/integreringsmottak"}
        return _theirs([{**x, "forbruk": x["utbetalt"], "prognose": x["prognose_ar"]} for x in lines
                        if x["id"] in active])

    async def settled_in_tilskudd() -> bool:  # two single adults (233 000) and one EM (183 000), year one
        return (await expected("2017-12-31"))["496.60"][1] == "649000.00"
    await eventually(settled_in_tilskudd, timeout=60, what="tilskudd has the three settlements")
    for day in ("2017-06-30", "2017-12-31"):
        want = await expected(day)
        assert want["496.61"][0] == "1238000.00"  # the EM settled at 14, higher rate
        assert (want["496.60"][2] == "0.00") == (day == "2017-12-31")  # settlements still expected until the end

        async def agrees(day=day, want=want) -> bool:
            got = (await rap.get(f"/api/v1/budsjett?ar=2017&per_dato={day}", headers=intern)).json()
            return _ours(got) == want
        await eventually(agrees, timeout=60, what=f"rapportering's budget as of {day} equals tilskudd's")
    section = (await rap.get("/api/v1/budsjett?ar=2017&per_dato=2017-06-30", headers=intern)).json()
    for kind, period, day in (("halvarsrapport", "2017-H1", "2017-06-30"), ("arsrapport", "2017", "2017-12-31")):
        draft = (await rap.get(f"/api/v1/rapporter/{kind}/{period}/utkast", headers=intern)).json()
        assert draft["budsjett"]["status"] == "data" and _ours(draft["budsjett"]) == await expected(day)
    post73 = next(p for k in section["kapitler"] for p in k["poster"] if k["kapittel"] == 496 and p["post"] == "73")
    assert post73["forbruk"] == "750000.55" and post73["risiko"]["status"] == "rod"  # 2 of 14.085 mill.: far under

    async def milestone_done() -> bool:
        o10 = next(o for o in (await rap.get("/api/v1/oppdrag?ar=2017&per_dato=2017-03-01", headers=intern)).json()
                   if o["id"] == "O10")
        m1 = o10["milepaeler"][0]
        return m1["ferdig"] and m1["fremdrift"] == 100 and m1["dato"] == "2017-02-20"
    await eventually(milestone_done, timeout=30, what="O10 M1 completed from the disbursement")
