"""One status function: the overview, the reports and the risk sweep say the same as of the same date, and
SP1's status knows the queue from bosetting's events."""

from __future__ import annotations

from datetime import date

from sqlalchemy import select

from rapportering import reports, service
from rapportering.models import risk_state
from rapportering.steering import load
from tests.conftest import bearer, eventually
from tests.integration.test_reports import caught_up, import_cases


def rows() -> list[dict]:
    """January and February: every settlement in time; March to December: none. Six wait at year end."""
    out = []
    for i in range(60):
        month = 1 + i % 12
        in_time = month <= 2
        vedtak = date(2017, month, 1) if in_time else date(2016, month, 1)
        out.append({"ekstern_id": f"S-{i}", "duf_nummer": f"2016{i:08d}", "kjonn": "KM"[i % 2], "fodselsar": 1985,
                    "kategori": "asyl", "vedtaksdato": vedtak.isoformat(),
                    "bosettingsdato": date(2017, month, 20).isoformat(), "kommunenummer": "0301"})
    for i in range(6):  # waiting: decided, not settled (two of them already past SP1's six months on 30.6)
        out.append({"ekstern_id": f"W-{i}", "duf_nummer": f"2015{i:08d}", "kjonn": "K", "fodselsar": 1985,
                    "kategori": "asyl", "vedtaksdato": date(2016, 12, 1 + i).isoformat() if i < 2
                    else date(2017, 3, i).isoformat()})
    return out


async def test_sweep_overview_and_reports_agree_as_of_the_same_date(system, token):
    bos, rap = system
    await import_cases(bos, token, rows())
    await caught_up(rap, bos)
    model = load(2017)
    intern = bearer(token("imdi:rapport.intern"))

    # after the year, every caller counts the whole year (the overview used to cut at the as-of month)
    overview = (await rap.get("/api/v1/styringsparametere?ar=2017&per_dato=2018-02-28", headers=intern)).json()
    await service.risk_sweep(rap.app.state.db, date(2018, 2, 28))
    async with rap.app.state.db.sessions() as s:
        swept = {r["objekt"]: (r["status"], r["begrunnelse"]) for r in (await s.execute(
            select(risk_state).where(risk_state.c.ar == 2017))).mappings()}
        annual = await reports.build(s, model, "arsrapport", "2017")
        half = await reports.build(s, model, "halvarsrapport", "2017-H1")
    shown = {sp["id"]: (sp["risiko"]["beregnet"]["status"], sp["risiko"]["beregnet"]["begrunnelse"])
             for sp in overview}
    in_report = {sp["id"]: (sp["risiko"]["beregnet"]["status"], sp["risiko"]["beregnet"]["begrunnelse"])
                 for goal in annual["mal"] for sp in goal["styringsparametere"]}
    assert {k: v for k, v in swept.items() if k.startswith("SP")} == shown == in_report
    assert shown["SP1"][0] == "rod" and "Årsverdi 16,7 %" in shown["SP1"][1]

    # the half-year report and a sweep as of 30.6 agree too
    await service.risk_sweep(rap.app.state.db, date(2017, 6, 30))
    async with rap.app.state.db.sessions() as s:
        swept = {r["objekt"]: r["status"] for r in (await s.execute(
            select(risk_state).where(risk_state.c.ar == 2017))).mappings()}
    sp1 = next(sp for goal in half["mal"] for sp in goal["styringsparametere"] if sp["id"] == "SP1")
    assert swept["SP1"] == sp1["risiko"]["beregnet"]["status"]

    # the queue on 30.6: the six still waiting and the 30 settled July–December (decided July–December 2016)
    # wait; those 30 and the two decided in December 2016 are past their six months, four are inside them
    ahead = sp1["mulig_i_ar"]
    assert (ahead["venter"], ahead["innenfor_frist"], ahead["forbi_frist"]) == (36, 4, 32)
    n, d = sp1["verdi"]["teller"], sp1["verdi"]["nevner"]
    assert ahead["beste_mulige"] == round((n + 4) / (d + 36), 6)


async def test_provenance_is_in_the_api_and_the_reports_and_r11_is_r10(system, token):
    _, rap = system
    intern, writer = bearer(token("imdi:rapport.intern")), bearer(token("imdi:rapport.write"))
    model = (await rap.get("/api/v1/styringsmodell/2017", headers=intern)).json()
    sp1 = next(s for s in model["styringsparametere"] if s["id"] == "SP1")
    assert sp1["resultatkrav"]["kilde"] == {"fra": "tildelingsbrev", "avsnitt": "3.1", "merknad": None}
    assert sp1["toleranse"]["kilde"]["fra"] == "imdi"
    r = await rap.put("/api/v1/rapporter/arsrapport/2017/tekster/R11", json={"tekst": "ID-kort innført."},
                      headers=writer)
    assert r.status_code == 202

    async def text_applied() -> bool:
        async with rap.app.state.db.sessions() as s:
            content = await reports.build(s, load(2017), "arsrapport", "2017")
        tolk = next(r for r in content["rapporteringskrav"] if r["id"] == "R10")
        return tolk["virksomhetens_tekst"] == "ID-kort innført." and tolk["ogsa"] == ["R11"]

    await eventually(text_applied, what="the R11 text shown under R 10 og 11")
    async with rap.app.state.db.sessions() as s:
        content = await reports.build(s, load(2017), "arsrapport", "2017")
    assert not any(r["id"] == "R11" for r in content["rapporteringskrav"])
    sp1 = next(sp for goal in content["mal"] for sp in goal["styringsparametere"] if sp["id"] == "SP1")
    assert sp1["resultatkrav"]["kilde"] == "Tildelingsbrevet, avsnitt 3.1"
    assert sp1["toleranse"]["kilde"].startswith("IMDis egen innstilling")
    o6 = next(o for o in content["oppdrag"] if o["id"] == "O6")
    assert o6["kilde"]["start"].startswith("IMDis egen innstilling: Brevet gir ingen start")
    assert o6["milepaeler"][0]["frist_kilde"] == "Tildelingsbrevet, avsnitt 3.2.3"
