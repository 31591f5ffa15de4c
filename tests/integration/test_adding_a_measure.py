"""The README's checklist "Adding a measure", kept honest: a test measure added by one definition (and its
entry in the steering model) shows up in the overview, lineage, reports and the risk sweep with no other
change to the code."""

from __future__ import annotations

import dataclasses
from datetime import date

import pytest
from sqlalchemy import select

from rapportering import engine, reports, service
from rapportering.models import risk_state
from rapportering.steering import Styringsparameter, load
from shared.measures import Measure
from shared.settlement_measures import breakdown
from tests.conftest import bearer
from tests.integration.test_reports import caught_up, import_cases

# 1. the definition: the share of women among settled persons, on the settled-person fact
TEST_MEASURE = Measure(id="SP12", kind="flyt", subject="person", reads=engine.SETTLED_PERSON.reads,
                       population=lambda p: True, hit=lambda p: p.kjonn == "K",
                       period_date=lambda p: (p.bosettingsdato,), breakdown=breakdown)
# 2. the steering model's entry (data: the letter's text, target and tolerance)
TEST = {"fra": "imdi", "merknad": "Et testmål."}
TEST_SP = Styringsparameter.model_validate({
    "id": "SP12", "mal": "M1", "tekst": "Testmål: andelen kvinner blant de bosatte.",
    "rapportering": ["halvarsrapport", "arsrapport"], "enhet": "andel",
    "maleutgangspunkt": {"tekst": "Ingen.", "kilde": TEST},
    "resultatkrav": {"tekst": "Minst 50 prosent.", "verdi": 0.5, "kilde": TEST},
    "maling": {"kilde": "bosetting", "definisjon": "Bosatte kvinner / bosatte."}, "toleranse": {"gul": 0.05}})


@pytest.fixture
def with_test_measure(monkeypatch):
    settled = dataclasses.replace(engine.SETTLED_PERSON, measures=(*engine.SETTLED_PERSON.measures, TEST_MEASURE))
    monkeypatch.setattr(engine, "FACT_TYPES", tuple(settled if f is engine.SETTLED_PERSON else f
                                                    for f in engine.FACT_TYPES))
    model = load(2017).model_copy(update={"styringsparametere": [*load(2017).styringsparametere, TEST_SP]})
    monkeypatch.setattr(service, "load", lambda year: model)
    return model


def rows() -> list[dict]:
    return [{"ekstern_id": f"A-{i}", "duf_nummer": f"2016{i:08d}", "kjonn": "KKM"[i % 3], "fodselsar": 1985,
             "kategori": "asyl", "vedtaksdato": "2017-01-10", "bosettingsdato": f"2017-{1 + i % 5:02d}-20",
             "kommunenummer": "0301"} for i in range(30)]


async def test_a_measure_added_by_one_definition_shows_up_everywhere(with_test_measure, system, token):
    bos, rap = system
    await import_cases(bos, token, rows())
    await caught_up(rap, bos)
    intern = bearer(token("imdi:rapport.intern"))

    value = (await rap.get("/api/v1/styringsparametere/SP12/verdi?periode=2017", headers=intern)).json()
    assert (value["teller"], value["nevner"]) == (20, 30)

    overview = (await rap.get("/api/v1/styringsparametere?ar=2017&per_dato=2017-06-30", headers=intern)).json()
    sp12 = next(sp for sp in overview if sp["id"] == "SP12")
    assert (sp12["verdi"]["teller"], sp12["verdi"]["nevner"]) == (20, 30)
    assert sp12["risiko"]["beregnet"]["status"] in ("gronn", "gul", "rod")

    lineage = (await rap.get("/api/v1/styringsparametere/SP12/verdi/hendelser?periode=2017&dimensjon=kjonn&verdi=K",
                             headers=intern)).json()
    assert len(lineage["hendelser"]) == 20

    async with rap.app.state.db.sessions() as s:
        content = await reports.build(s, with_test_measure, "halvarsrapport", "2017-H1")
    in_report = next(sp for goal in content["mal"] for sp in goal["styringsparametere"] if sp["id"] == "SP12")
    assert (in_report["verdi"]["teller"], in_report["verdi"]["nevner"]) == (20, 30)

    await service.risk_sweep(rap.app.state.db, date(2017, 6, 30))
    async with rap.app.state.db.sessions() as s:
        swept = (await s.execute(select(risk_state.c.status).where(
            risk_state.c.ar == 2017, risk_state.c.objekt == "SP12"))).scalar_one()
    assert swept == in_report["risiko"]["beregnet"]["status"]
