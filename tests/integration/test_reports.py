"""Reports end to end on SQLite and PostgreSQL with the real broker: steering overview, risk, versions,
JD's pull API, suppression, Excel through LibreOffice, JSON-stat through pyjstat, lineage, and a report
reproduced byte for byte from its recorded data position after a full rebuild from replay."""

from __future__ import annotations

import csv
import io
import json
import random
import subprocess
from datetime import date, timedelta

from sqlalchemy import func, select

from rapportering import reports, service, workflow
from rapportering.projection import HANDLERS, MeasureProjection
from rapportering.steering import load
from shared.outbox_tables import outbox, processed_event
from tests.conftest import bearer, eventually, service_settings
from tests.integration.test_workflow import send_report

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
KOMMUNER = ["0301", "1201", "1601", "1103", "0219"]


def cases(n: int, seed: int, offset: int = 0) -> list[dict]:
    rng = random.Random(seed)
    out = []
    for i in range(offset, offset + n):
        vedtak = date(2016, 9, 1) + timedelta(days=rng.randrange(300))
        em = rng.random() < 0.1
        bosatt = min(vedtak + timedelta(days=rng.randrange(20, 260)), date(2017, 12, 20))
        out.append({"ekstern_id": f"T-{i}", "duf_nummer": f"2016{i:08d}", "kjonn": rng.choice("KM"),
                    "fodselsar": 2003 if em else 1985, "enslig_mindrearig": em, "kategori": "asyl",
                    "vedtaksdato": vedtak.isoformat(), "bosettingsdato": max(bosatt, vedtak).isoformat(),
                    "kommunenummer": rng.choice(KOMMUNER)})
    # two persons in Halden in the first half-year: a small cell to suppress
    out += [{"ekstern_id": f"H-{offset}-{j}", "duf_nummer": f"2015{offset + j:08d}", "kjonn": "K", "fodselsar": 1980,
             "vedtaksdato": "2017-01-05", "bosettingsdato": "2017-03-01", "kommunenummer": "0101"} for j in range(2)]
    return out


async def handled_events(client) -> int:
    async with client.app.state.db.sessions() as s:
        return (await s.execute(select(func.count()).select_from(outbox).where(
            outbox.c.event_type.in_(list(HANDLERS))))).scalar_one()


async def processed(client) -> int:
    async with client.app.state.db.sessions() as s:
        return (await s.execute(select(func.count()).select_from(processed_event))).scalar_one()


async def caught_up(rap, *producers) -> None:
    async def done() -> bool:
        expected = sum([await handled_events(p) for p in producers])
        return await processed(rap) == expected

    await eventually(done, timeout=60, what="rapportering caught up")


async def import_cases(bos, token, rows) -> None:
    body = "".join(json.dumps(r) + "\n" for r in rows).encode()
    r = await bos.post("/api/v1/import/saker", content=body, headers={
        **bearer(token("imdi:bosetting.write")), "Content-Type": "application/x-ndjson"})
    assert r.json()["avvist"] == 0, r.json()["feil"][:3]


async def test_reports_from_events_to_jd(system, token, tmp_path, broker, db_url_factory, keys):
    bos, rap = system
    await import_cases(bos, token, cases(150, seed=1))
    write_b = bearer(token("imdi:bosetting.write"))
    await bos.put("/api/v1/anmodninger/2017/0301", json={"antall": 40, "herav_em": 4, "sendt_dato": "2016-09-15"},
                  headers=write_b)
    await bos.put("/api/v1/kommunevedtak/2017/0301", json={"antall": 30, "herav_em": 4, "vedtaksdato": "2016-12-01"},
                  headers=write_b)
    writer = bearer(token("imdi:rapport.write"))
    for path, body in [
        ("/api/v1/oppdrag/2017/O10/milepaeler/M1", {"ferdig": True, "fremdrift": 100, "dato": "2017-02-20",
                                                     "kommentar": "Utbetalt til Oslo kommune"}),
        ("/api/v1/oppdrag/2017/O1/milepaeler/M1", {"ferdig": True, "fremdrift": 100, "dato": "2017-05-15"}),
        ("/api/v1/risikovurderinger/2017/SP1", {"status": "gronn", "begrunnelse": "Vi mener det går bra.",
                                                "tiltak": None, "dato": "2017-06-30"}),
    ]:
        r = await rap.post(path, json=body, headers=writer)
        assert r.status_code == 202, r.text
    r = await rap.put("/api/v1/rapporter/halvarsrapport/2017-H1/tekster/R1", json={"tekst": "Status for bosetting."},
                      headers=writer)
    assert r.status_code == 202
    # inputs are validated against the steering model
    assert (await rap.post("/api/v1/oppdrag/2017/O10/milepaeler/M9", json={"ferdig": False, "fremdrift": 0,
                                                                          "dato": "2017-01-01"},
                           headers=writer)).status_code == 404
    assert (await rap.put("/api/v1/rapporter/halvarsrapport/2017-H1/tekster/R4", json={"tekst": "x"},
                          headers=writer)).status_code == 404  # R4 is annual only
    assert (await rap.post("/api/v1/risikovurderinger/2017/SP1", json={"status": "lilla", "begrunnelse": "x",
                                                                      "dato": "2017-06-30"},
                           headers=writer)).status_code == 422
    await caught_up(rap, bos, rap)

    intern = bearer(token("imdi:rapport.intern"))
    jd = bearer(token("imdi:rapport.read", subject="jd"))

    # live overview: value, projection, computed risk beside the agency's own assessment; no data is not zero
    sps = {s["id"]: s for s in (await rap.get("/api/v1/styringsparametere?ar=2017&per_dato=2017-06-30",
                                              headers=intern)).json()}
    sp1 = sps["SP1"]
    assert sp1["verdi"]["status"] == "data" and sp1["verdi"]["nevner"] > 0
    assert sp1["framskriving"]["lav"] <= sp1["framskriving"]["verdi"] <= sp1["framskriving"]["hoy"]
    assert sp1["risiko"]["beregnet"]["status"] in ("gronn", "gul", "rod")
    assert sp1["risiko"]["virksomhetens_vurdering"]["begrunnelse"] == "Vi mener det går bra."
    assert sps["SP4"]["verdi"]["status"] == "ingen_data" and sps["SP4"]["verdi"]["nevner"] is None
    assert sps["SP4"]["risiko"]["beregnet"]["status"] == "ingen_data"
    tasks = {o["id"]: o for o in (await rap.get("/api/v1/oppdrag?ar=2017&per_dato=2017-06-30", headers=intern)).json()}
    assert tasks["O10"]["milepaeler"][0]["ferdig"] and tasks["O10"]["risiko"]["beregnet"]["status"] == "rod"
    assert "M2" in tasks["O10"]["risiko"]["beregnet"]["begrunnelse"]
    assert tasks["O1"]["risiko"]["beregnet"]["status"] == "gronn"

    # the workflow freezes a version and sends it to JD; unchanged data is not sent again; JD cannot submit
    assert await send_report(rap, token) == 1
    v1_sha = (await rap.get("/api/v1/rapporter?type=halvarsrapport", headers=intern)).json()[0]["sha256"]
    again = await rap.post("/api/v1/rapporter/halvarsrapport/2017-H1/send-til-godkjenning", headers=writer)
    assert again.status_code == 409 and again.json()["type"].endswith("/uendret")
    assert (await rap.post("/api/v1/rapporter/halvarsrapport/2017-H1/send-til-godkjenning", headers=jd)
            ).status_code == 403

    # JD pulls: suppressed, with ETag and If-None-Match
    r = await rap.get("/api/v1/rapporter/halvarsrapport/2017-H1", headers=jd)
    assert r.status_code == 200 and r.headers["x-rapport-versjon"] == "1"
    published = r.json()
    halden = next(k for k in published["bosettingsstatistikk"]["etter_kommune"] if k["kommunenummer"] == "0101")
    assert halden["K"] is None and "K" in halden["prikket"]
    columns_k = [k for k in published["bosettingsstatistikk"]["etter_kommune"]
                 if "prikket" in k and "K" in k["prikket"]]
    assert len(columns_k) != 1, "secondary suppression: a column never has exactly one suppressed cell"
    assert (await rap.get("/api/v1/rapporter/halvarsrapport/2017-H1", headers={
        **jd, "If-None-Match": r.headers["etag"]})).status_code == 304
    unsuppressed = (await rap.get("/api/v1/rapporter/halvarsrapport/2017-H1", headers=intern)).json()
    assert next(k for k in unsuppressed["bosettingsstatistikk"]["etter_kommune"]
                if k["kommunenummer"] == "0101")["K"] == 2
    assert reports.sha256(reports.canonical(unsuppressed)) == v1_sha
    assert (await rap.get("/api/v1/rapporter/halvarsrapport/2017-H1", headers={**jd, "Accept": "text/html"})
            ).status_code == 406
    report_r1 = next(x for x in unsuppressed["rapporteringskrav"] if x["id"] == "R1")
    assert report_r1["virksomhetens_tekst"] == "Status for bosetting."
    assert unsuppressed["budsjett"]["status"] == "ingen_data"
    anm = unsuppressed["bosettingsstatistikk"]["anmodning_og_vedtak"]["kommuner"][0]
    assert (anm["anmodet"], anm["vedtatt"], anm["differanse"], anm["differanse_em"]) == (40, 30, -10, 0)

    # lineage: the events behind SP1's figure
    sp1_h1 = unsuppressed["mal"][0]["styringsparametere"][0]
    lineage = (await rap.get(sp1_h1["verdi"]["hendelser"] + "&limit=5000", headers=intern)).json()
    assert len(lineage["hendelser"]) == sp1_h1["verdi"]["nevner"]
    assert {h["type"] for h in lineage["hendelser"]} == {"no.imdi.bosetting.person-bosatt.v1"}

    # Excel: opens in LibreOffice, and the figures are those of the JSON
    xlsx = await rap.get("/api/v1/rapporter/halvarsrapport/2017-H1", headers={**jd, "Accept": XLSX})
    assert xlsx.headers["content-type"] == XLSX
    (tmp_path / "h1.xlsx").write_bytes(xlsx.content)
    subprocess.run(["libreoffice", "--headless", "-env:UserInstallation=file://" + str(tmp_path / "lo"),  # noqa: ASYNC221
                    "--convert-to", "csv:Text - txt - csv (StarCalc):44,34,76,1,,0,false,true,false,false,false,-1",
                    "--outdir", str(tmp_path), str(tmp_path / "h1.xlsx")], check=True, capture_output=True,
                   timeout=180)
    fylker = list(csv.DictReader(io.StringIO((tmp_path / "h1-Bosatte etter fylke.csv").read_text())))
    for row, expected in zip(fylker, published["bosettingsstatistikk"]["etter_fylke"], strict=True):
        assert row["Fylkesnummer"].zfill(2) == expected["fylkesnummer"]
        for column, key in (("Totalt", "totalt"), ("Kvinner", "K"), ("Menn", "M")):
            assert row[column] == ("" if expected[key] is None else str(expected[key]))
    sp_rows = list(csv.DictReader(io.StringIO((tmp_path / "h1-Styringsparametere.csv").read_text())))
    sp1_row = next(r for r in sp_rows if r["SP"] == "SP1")
    sp1_jd = published["mal"][0]["styringsparametere"][0]["verdi"]
    assert (sp1_row["Teller"], sp1_row["Nevner"]) == tuple("" if sp1_jd[k] is None else str(sp1_jd[k])
                                                          for k in ("teller", "nevner"))

    # JSON-stat reads with pyjstat
    from pyjstat import pyjstat

    stat = await rap.get("/api/v1/rapporter/halvarsrapport/2017-H1/versjoner/1/statistikk?niva=fylke", headers=jd)
    frame = pyjstat.Dataset.read(stat.text).write("dataframe")
    totals = [None if v != v else int(v) for v in frame[(frame["Kjønn"] == "Begge kjønn")]["value"]]
    assert totals == [r["totalt"] for r in published["bosettingsstatistikk"]["etter_fylke"]]

    # a correction: more settlements in the half-year give version 2 with a diff; version 1 stays as it was
    async with rap.app.state.db.sessions() as s:
        position_v1 = json.loads((await service.get_version(s, "halvarsrapport", "2017-H1", 1))["posisjon"])
    await import_cases(bos, token, [c for c in cases(20, seed=2, offset=1000)
                                    if c["bosettingsdato"] <= "2017-06-30"])
    await caught_up(rap, bos, rap)
    assert await send_report(rap, token) == 2
    changes = (await rap.get("/api/v1/rapporter/halvarsrapport/2017-H1/versjoner/2/endringer", headers=intern)).json()
    assert any(c["sti"].startswith("/mal/0/styringsparametere/0/verdi/nevner") for c in changes["endringer"])
    v1 = await rap.get("/api/v1/rapporter/halvarsrapport/2017-H1/versjoner/1", headers=intern)
    assert reports.sha256(v1.content) == v1_sha
    listing = (await rap.get("/api/v1/rapporter?type=halvarsrapport", headers=jd)).json()
    assert [v["versjon"] for v in listing] == [1, 2]

    # monthly reports are published by the scheduler once the month is closed; they hold O5, O6, O7 and O10
    monthly = await rap.get("/api/v1/rapporter/manedsrapport/2017-03", headers=jd)
    assert monthly.status_code == 200
    assert [o["id"] for o in monthly.json()["oppdrag"]] == ["O5", "O6", "O7", "O10"]
    assert (await rap.get("/api/v1/rapporter/manedsrapport/2017-13", headers=jd)).status_code == 422
    assert (await rap.get("/api/v1/rapporter/arsrapport/2016", headers=jd)).status_code == 404

    # the risk sweep publishes changes once, and only changes
    first = await service.risk_sweep(rap.app.state.db, date(2017, 6, 30))
    assert first == len(load(2017).styringsparametere) + len(load(2017).oppdrag) + len(workflow.obligations(load(2017)))
    assert await service.risk_sweep(rap.app.state.db, date(2017, 6, 30)) == 0

    # reproduce version 1 byte for byte: a new read model rebuilt by replaying the topics from the start,
    # applying only the events version 1 recorded
    ids = service.position_ids(position_v1)
    assert len(ids) == position_v1["hendelser"]
    rebuild = service_settings("rapportering", db_url=await db_url_factory("rebuild"), bootstrap=broker.bootstrap,
                               keys=keys, var_dir=tmp_path, kafka_group_id="imdi.rapportering.rebuild",
                               risk_sweep_seconds=3600)
    module = __import__("rapportering.main", fromlist=["build"])
    app = module.build(rebuild, projection=MeasureProjection(only=ids))
    async with app.router.lifespan_context(app):
        async def replayed() -> bool:
            async with app.state.db.sessions() as s:
                n = (await s.execute(select(func.count()).select_from(processed_event))).scalar_one()
            return n == await handled_events(bos) + await handled_events(rap)

        await eventually(replayed, timeout=60, what="replay complete")
        async with app.state.db.sessions() as s:
            again = reports.canonical(await reports.build(s, load(2017), "halvarsrapport", "2017-H1"))
    assert again == v1.content

