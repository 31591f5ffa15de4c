"""R10/R11's counts from tolkeregister reach rapportering's annual report through the real broker (SQLite and
PostgreSQL): every figure tolkeregister counts for the year is in the report's R10 section, with its value."""

from __future__ import annotations

from tests.conftest import bearer, eventually, running_app, service_settings
from tests.integration.test_tolkeregister import tolk_body


async def test_the_annual_report_shows_tolkeregisters_r10_counts(broker, db_url_factory, keys, tmp_path, token):
    t = service_settings("tolkeregister", db_url=await db_url_factory("tolkeregister"), bootstrap=broker.bootstrap,
                         keys=keys, var_dir=tmp_path)
    r = service_settings("rapportering", db_url=await db_url_factory("rapportering"), bootstrap=broker.bootstrap,
                         keys=keys, var_dir=tmp_path, risk_sweep_seconds=3600)
    write = bearer(token("imdi:tolkeregister.write"))
    async with running_app("tolkeregister", t) as tolk, running_app("rapportering", r) as rap:
        await tolk.put("/api/v1/tester/tospot/2017-05-10/ti", json={"testet": 12, "bestatt": 7}, headers=write)
        await tolk.put("/api/v1/tester/tospot/2017-05-10/ti", json={"testet": 14, "bestatt": 9}, headers=write)
        await tolk.put("/api/v1/tester/tospraktest/2017-10-02/so", json={"testet": 8, "bestatt": 8}, headers=write)
        await tolk.put("/api/v1/bevillinger/2017/ar", json={"antall": 6}, headers=write)
        tolk_id = (await tolk.post("/api/v1/tolker", json=tolk_body(0), headers=write)).json()["id"]
        await tolk.post(f"/api/v1/tolker/{tolk_id}/id-kort", json={"kortnummer": "NTR2017000001",
                                                                  "utstedt": "2017-03-01", "utloper": "2020-02-29"},
                        headers=write)
        await tolk.post(f"/api/v1/tolker/{tolk_id}/klager", json={"mottatt": "2017-03-10", "klager": "kommune",
                                                                 "klagetype": "uteblitt"}, headers=write)
        counted = (await tolk.get("/api/v1/nokkeltall/2017", headers=write)).json()["tall"]
        expected = {(f["navn"], f["dimensjon"], f["kategori"], f["antall"]) for f in counted}
        assert ("tester", "sprak", "ti", 14) in expected and ("klager", "klagetype", "uteblitt", 1) in expected

        internal = bearer(token("imdi:rapport.intern"))

        async def shown() -> bool:
            got = await rap.get("/api/v1/rapporter/arsrapport/2017/utkast", headers=internal)
            section = next(k for k in got.json()["rapporteringskrav"] if k["id"] == "R10")["nokkeltall"]
            return section is not None and {(f["navn"], f["dimensjon"], f["kategori"], f["antall"])
                                            for f in section["tall"]} == expected

        await eventually(shown, timeout=60, what="the annual report showing tolkeregister's R10 counts")
