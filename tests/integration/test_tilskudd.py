"""tilskudd's API on SQLite and PostgreSQL: schemes, applications, decisions, disbursements, repayments and
cancellations; over-commitment refused with how much is left, also under parallel requests; spend and forecast."""

from __future__ import annotations

import asyncio
import json

import pytest
from sqlalchemy import func, select

from shared.outbox_tables import outbox
from tests.conftest import bearer, is_problem, running_app, service_settings
from tilskudd.models import ramme, soknad, tilsagn
from tilskudd.money import parse_kroner

GRONLAND = {"navn": "Strakstiltak på Grønland", "ar": 2017, "kapittel": 496, "post": "62",
            "binding": "gronland-oslo", "regelverk": "Tilskudd til Oslo kommune.", "mottakere": "begge",
            "soknad_fra": "2017-01-02", "soknad_til": "2017-03-31"}


@pytest.fixture
async def til(db_url_factory, keys, tmp_path):
    """tilskudd in this process without a broker (events stay in the outbox)."""
    settings = service_settings("tilskudd", db_url=await db_url_factory("tilskudd"), bootstrap="127.0.0.1:1",
                                keys=keys, var_dir=tmp_path, kafka_enabled=False)
    async with running_app("tilskudd", settings) as client:
        yield client


@pytest.fixture
def write(token):
    return bearer(token("imdi:tilskudd.write"))


async def event_types(client) -> list[str]:
    async with client.app.state.db.sessions() as s:
        types = (await s.execute(select(outbox.c.event_type).order_by(outbox.c.seq))).scalars()
        return [t.split(".")[3] for t in types]


async def published_figures(client, binding: str, day: str) -> tuple[int, ...]:
    """The newest prognose-oppdatert event for the binding as of ``day``: (disbursed, committed, rest, year)."""
    async with client.app.state.db.sessions() as s:
        envelopes = [json.loads(e) for e in (await s.execute(select(outbox.c.envelope).where(
            outbox.c.event_type == "no.imdi.tilskudd.prognose-oppdatert.v1").order_by(outbox.c.seq))).scalars()]
    newest = [e["data"] for e in envelopes if e["data"]["binding"] == binding and e["data"]["per_dato"] == day][-1]
    return tuple(newest[k] for k in ("utbetalt_ore", "forpliktet_ore", "prognose_rest_ore", "prognose_ar_ore"))


async def apply_for(client, write, belop: str, scheme: str = "gronland", **who) -> str:
    who = who or {"kommunenummer": "0301"}
    r = await client.post(f"/api/v1/ordninger/{scheme}/soknader", headers=write,
                          json={**who, "belop": belop, "mottatt": "2017-01-20"})
    assert r.status_code == 201, r.text
    return r.json()["id"]


async def grant(client, write, soknad_id: str, belop: str):
    return await client.post("/api/v1/tilsagn", headers=write, json={
        "soknad_id": soknad_id, "belop": belop, "vilkar": "Rapport innen 1.3.2018.", "dato": "2017-02-01",
        "periode_fra": "2017-02-01", "periode_til": "2017-12-31"})


async def line(client, write, line_id: str, per_dato: str = "2017-12-31") -> dict:
    r = await client.get(f"/api/v1/forbruk/2017?per_dato={per_dato}", headers=write)
    assert r.status_code == 200, r.text
    return next(x for x in r.json()["linjer"] if x["id"] == line_id)


async def test_a_decision_that_would_over_commit_the_binding_is_refused_with_what_is_left(til, write):
    assert (await til.put("/api/v1/ordninger/gronland", headers=write, json=GRONLAND)).status_code == 201
    first = await grant(til, write, await apply_for(til, write, "3000000.00"), "3000000.00")
    assert first.status_code == 201, first.text
    refused = await grant(til, write, await apply_for(til, write, "1500000.00"), "1000000.01")
    assert is_problem(refused, 409)
    body = json.loads(refused.text)
    assert body["gjenstaende"] == "1000000.00" and body["linje"] == "496.62/gronland-oslo"
    assert "1000000.00 kr" in body["detail"]
    assert (await grant(til, write, await apply_for(til, write, "1000000.00"), "1000000.00")).status_code == 201
    assert await event_types(til) == ["tilsagn-gitt"] + ["prognose-oppdatert"] * 22 + ["tilsagn-gitt"] + [
        "prognose-oppdatert"] * 22  # post and binding, February to December
    g = await line(til, write, "496.62/gronland-oslo")
    assert (g["forpliktet"], g["gjenstaende_ramme"], g["utbetalt"]) == ("4000000.00", "0.00", "0.00")


async def test_a_decision_without_binding_may_not_use_the_bound_money(til, write):
    scheme = {**GRONLAND, "binding": None, "navn": "Fritt på post 62"}
    assert (await til.put("/api/v1/ordninger/fri-62", headers=write, json=scheme)).status_code == 201
    refused = await grant(til, write, await apply_for(til, write, "1.00", scheme="fri-62"), "0.01")
    assert is_problem(refused, 409)  # the whole of post 62 (160.67 mill.) is bound
    assert json.loads(refused.text)["gjenstaende"] == "0.00"


async def test_applications_are_validated(til, write, token):
    assert (await til.put("/api/v1/ordninger/gronland", headers=write, json=GRONLAND)).status_code == 201
    bad = await til.post("/api/v1/ordninger/gronland/soknader", headers=write,
                         json={"organisasjonsnummer": "974760674", "belop": "10.00", "mottatt": "2017-01-20"})
    assert is_problem(bad, 422) and "organisasjonsnummer" in bad.text
    ok = await apply_for(til, write, "10.00", organisasjonsnummer="974760673")
    assert ok
    floaty = await til.post("/api/v1/ordninger/gronland/soknader", headers=write,
                            json={"kommunenummer": "0301", "belop": 10.5, "mottatt": "2017-01-20"})
    assert is_problem(floaty, 422)  # a JSON number is refused: money is text
    late = await til.post("/api/v1/ordninger/gronland/soknader", headers=write,
                          json={"kommunenummer": "0301", "belop": "10.00", "mottatt": "2017-04-01"})
    assert is_problem(late, 422) and "mottatt" in late.text
    unknown = await til.put("/api/v1/ordninger/x-1", headers=write, json={**GRONLAND, "binding": "finnes-ikke"})
    assert is_problem(unknown, 422) and "binding" in unknown.text
    kommune = bearer(token("imdi:tilskudd.write", kommune="0301"))
    assert is_problem(await til.put("/api/v1/ordninger/y-1", headers=kommune, json=GRONLAND), 403)


async def test_disbursement_repayment_and_cancellation_move_spend_and_commitment(til, write):
    assert (await til.put("/api/v1/ordninger/gronland", headers=write, json=GRONLAND)).status_code == 201
    decision = (await grant(til, write, await apply_for(til, write, "4000000.00"), "4000000.00")).json()
    pay = f"/api/v1/tilsagn/{decision['id']}/utbetalinger"
    assert (await til.post(pay, headers=write, json={"belop": "2500000.00", "dato": "2017-02-20"})).status_code == 201
    too_much = await til.post(pay, headers=write, json={"belop": "1500000.01", "dato": "2017-03-01"})
    assert is_problem(too_much, 422) and "1500000.00" in too_much.text
    back = await til.post(pay, headers=write, json={"type": "tilbakebetaling", "belop": "0.10", "dato": "2017-04-02"})
    assert back.status_code == 201
    june = await line(til, write, "496.62/gronland-oslo", "2017-06-30")
    assert (june["utbetalt"], june["forpliktet"], june["prognose_rest"], june["prognose_ar"]) == (
        "2499999.90", "3999999.90", "1500000.00", "3999999.90")
    feb = await line(til, write, "496.62/gronland-oslo", "2017-02-28")
    assert (feb["utbetalt"], feb["forpliktet"]) == ("2500000.00", "4000000.00")
    cancel = await til.post(f"/api/v1/tilsagn/{decision['id']}/annullering", headers=write, json={"dato": "2017-11-01"})
    assert cancel.status_code == 200 and cancel.json()["annullert"] == "1500000.00"
    assert is_problem(await til.post(f"/api/v1/tilsagn/{decision['id']}/annullering", headers=write,
                                     json={"dato": "2017-11-02"}), 409)
    dec = await line(til, write, "496.62/gronland-oslo", "2017-12-31")
    assert (dec["utbetalt"], dec["forpliktet"], dec["prognose_rest"], dec["gjenstaende_ramme"]) == (
        "2499999.90", "2499999.90", "0.00", "1500000.10")
    post = await line(til, write, "496.62", "2017-12-31")
    assert post["forpliktet"] == dec["forpliktet"] and post["ramme"] == "160670000.00"
    for day in ("2017-02-28", "2017-06-30", "2017-12-31"):  # the published figures agree with the API's
        api = await line(til, write, "496.62/gronland-oslo", day)
        assert await published_figures(til, "gronland-oslo", day) == tuple(
            parse_kroner(api[k]) for k in ("utbetalt", "forpliktet", "prognose_rest", "prognose_ar"))
    async with til.app.state.db.sessions() as s:  # the frame rows' counters agree with the decisions
        rows = dict((await s.execute(select(ramme.c.id, ramme.c.forpliktet_ore).where(
            ramme.c.id.in_(["2017:496.62", "2017:496.62/gronland-oslo"])))).all())
    assert rows == {"2017:496.62": 249_999_990, "2017:496.62/gronland-oslo": 249_999_990}


async def test_parallel_decisions_never_over_commit_and_leave_nothing_half_written(til, write):
    assert (await til.put("/api/v1/ordninger/gronland", headers=write, json=GRONLAND)).status_code == 201
    applications = [await apply_for(til, write, "700000.00") for _ in range(12)]
    answers = await asyncio.gather(*[grant(til, write, a, "700000.00") for a in applications])
    codes = sorted(r.status_code for r in answers)
    assert codes == [201] * 5 + [409] * 7, [r.text for r in answers if r.status_code not in (201, 409)]
    assert all(json.loads(r.text)["gjenstaende"] == "500000.00" for r in answers if r.status_code == 409)
    async with til.app.state.db.sessions() as s:
        granted = (await s.execute(select(func.count(), func.sum(tilsagn.c.belop_ore)))).one()
        counter = (await s.execute(select(ramme.c.forpliktet_ore).where(
            ramme.c.id == "2017:496.62/gronland-oslo"))).scalar_one()
    assert tuple(granted) == (5, 350_000_000) and counter == 350_000_000
    assert (await event_types(til)).count("tilsagn-gitt") == 5


async def test_budget_and_spend_to_excel_by_chapter_post_and_binding(til, write):
    from decimal import Decimal
    from io import BytesIO

    from openpyxl import load_workbook

    assert (await til.put("/api/v1/ordninger/gronland", headers=write, json=GRONLAND)).status_code == 201
    decision = (await grant(til, write, await apply_for(til, write, "4000000.00"), "4000000.00")).json()
    await til.post(f"/api/v1/tilsagn/{decision['id']}/utbetalinger", headers=write,
                   json={"belop": "1234567.89", "dato": "2017-03-01"})
    r = await til.get("/api/v1/forbruk/2017/xlsx?per_dato=2017-06-30", headers=write)
    assert r.status_code == 200 and r.headers["content-type"].startswith("application/vnd.openxmlformats")
    ws = load_workbook(BytesIO(r.content))["Forbruk"]
    rows = list(ws.iter_rows(min_row=3, values_only=True))
    assert [r[0] for r in rows if r[1] is None] == [495, 496, 497]  # a heading row per chapter
    assert len([r for r in rows if r[1] is not None]) == 27  # 12 posts and 15 bindings
    gronland = next(r for r in rows if r[2] == "gronland-oslo")
    api = await line(til, write, "496.62/gronland-oslo", "2017-06-30")
    assert [Decimal(str(v)).quantize(Decimal("0.01")) for v in gronland[4:11] if v is not None] == [
        Decimal(api[k]) for k in ("ramme", "utbetalt", "forpliktet", "prognose_rest", "prognose_ar",
                                  "gjenstaende_ramme")]
    assert gronland[6] == 1234567.89 and ws.cell(3, 5).number_format == "#,##0.00"


async def test_import_of_decisions_and_payments_is_idempotent_with_errors_per_row(til, write):
    assert (await til.put("/api/v1/ordninger/gronland", headers=write, json=GRONLAND)).status_code == 201
    base = {"ordning": "gronland", "dato": "2017-02-01", "periode_fra": "2017-02-01", "periode_til": "2017-12-31"}
    rows = [{**base, "ekstern_id": "TS-1", "kommunenummer": "0301", "belop": "3000000.00"},
            {**base, "ekstern_id": "TS-2", "kommunenummer": "0301", "belop": "1000000.01"},  # over-commits
            {**base, "ekstern_id": "TS-3", "organisasjonsnummer": "974760674", "belop": "10.00"},  # bad orgnr
            {**base, "ekstern_id": "TS-4", "organisasjonsnummer": "974760673", "belop": "1000000.00"}]
    body = "".join(json.dumps(r) + "\n" for r in rows).encode()
    ndjson = {**write, "Content-Type": "application/x-ndjson"}
    first = (await til.post("/api/v1/import/tilsagn", content=body, headers=ndjson)).json()
    assert (first["opprettet"], first["avvist"]) == (2, 2)
    assert {f["ekstern_id"]: f["feil"][0]["felt"] for f in first["feil"]} == {"TS-2": "(rad)",
                                                                             "TS-3": "organisasjonsnummer"}
    assert "1000000.00 kr" in first["feil"][0]["feil"][0]["melding"]
    again = (await til.post("/api/v1/import/tilsagn", content=body, headers=ndjson)).json()
    assert (again["opprettet"], again["uendret"], again["avvist"]) == (0, 2, 2)
    csv = ("ekstern_id,tilsagn_ekstern_id,type,belop,dato\nUT-1,TS-1,utbetaling,2000000.00,2017-02-20\n"
           "UT-2,TS-9,utbetaling,1.00,2017-02-20\nUT-3,TS-1,utbetaling,1000000.01,2017-03-01\n"
           "UT-4,TS-1,tilbakebetaling,0.50,2017-03-02\n")
    paid = (await til.post("/api/v1/import/utbetalinger", content=csv.encode(),
                           headers={**write, "Content-Type": "text/csv"})).json()
    assert (paid["opprettet"], paid["avvist"]) == (2, 2)
    assert {f["ekstern_id"] for f in paid["feil"]} == {"UT-2", "UT-3"}
    paid_again = (await til.post("/api/v1/import/utbetalinger", content=csv.encode(),
                                 headers={**write, "Content-Type": "text/csv"})).json()
    assert (paid_again["opprettet"], paid_again["uendret"]) == (0, 2)
    g = await line(til, write, "496.62/gronland-oslo")
    assert (g["forpliktet"], g["utbetalt"], g["prognose_rest"]) == ("3999999.50", "1999999.50", "2000000.00")
    assert (await event_types(til)).count("tilsagn-gitt") == 2
    assert (await event_types(til)).count("utbetaling-gjort") == 2


async def test_a_municipality_sees_only_its_own_decisions_and_cannot_write(til, write, token):
    assert (await til.put("/api/v1/ordninger/gronland", headers=write, json=GRONLAND)).status_code == 201
    oslo = (await grant(til, write, await apply_for(til, write, "100.00"), "100.00")).json()
    org = (await grant(til, write, await apply_for(til, write, "50.00", organisasjonsnummer="974760673"),
                       "50.00")).json()
    kommune = bearer(token("imdi:tilskudd.read", kommune="0301"))
    listed = (await til.get("/api/v1/tilsagn?ar=2017", headers=kommune)).json()
    assert [d["id"] for d in listed] == [oslo["id"]]
    assert (await til.get(f"/api/v1/tilsagn/{oslo['id']}", headers=kommune)).status_code == 200
    assert is_problem(await til.get(f"/api/v1/tilsagn/{org['id']}", headers=kommune), 404)
    assert is_problem(await til.get("/api/v1/rettigheter/p-" + "1" * 32, headers=kommune), 403)
    writer = bearer(token("imdi:tilskudd.write", kommune="0301"))
    assert is_problem(await til.post(f"/api/v1/tilsagn/{oslo['id']}/utbetalinger", headers=writer,
                                     json={"belop": "1.00", "dato": "2017-03-01"}), 403)


async def test_parallel_disbursements_never_pay_more_than_the_decision(til, write):
    assert (await til.put("/api/v1/ordninger/gronland", headers=write, json=GRONLAND)).status_code == 201
    decision = (await grant(til, write, await apply_for(til, write, "4000000.00"), "4000000.00")).json()
    answers = await asyncio.gather(*[til.post(f"/api/v1/tilsagn/{decision['id']}/utbetalinger", headers=write,
                                              json={"belop": "1000000.00", "dato": "2017-03-01"})
                                     for _ in range(10)])
    assert sorted(r.status_code for r in answers) == [201] * 4 + [422] * 6
    got = (await til.get(f"/api/v1/tilsagn/{decision['id']}", headers=write)).json()
    assert (got["utbetalt"], got["gjenstaende"]) == ("4000000.00", "0.00")
    assert (await event_types(til)).count("utbetaling-gjort") == 4


async def test_an_application_sent_again_with_its_source_id_is_not_registered_twice(til, write):
    """A case-handling system that resends an application after a timeout gets the stored one back (same id, no
    second row); without ``ekstern_id`` two posts are two applications. A refusal of the resent one is refused as
    already decided, so a load run again cannot refuse or count it twice."""
    assert (await til.put("/api/v1/ordninger/gronland", headers=write, json=GRONLAND)).status_code == 201
    body = {"kommunenummer": "0301", "belop": "10.00", "mottatt": "2017-01-20", "ekstern_id": "sak-2017-0042"}
    first = await til.post("/api/v1/ordninger/gronland/soknader", headers=write, json=body)
    again = await til.post("/api/v1/ordninger/gronland/soknader", headers=write, json=body)
    assert first.status_code == again.status_code == 201, (first.text, again.text)
    assert first.json()["id"] == again.json()["id"] and again.json()["ekstern_id"] == "sak-2017-0042"
    assert (await til.post(f"/api/v1/soknader/{first.json()['id']}/avslag", headers=write)).status_code == 200
    resent = await til.post("/api/v1/ordninger/gronland/soknader", headers=write, json=body)
    assert resent.json()["id"] == first.json()["id"] and resent.json()["status"] == "avslatt"
    assert is_problem(await til.post(f"/api/v1/soknader/{first.json()['id']}/avslag", headers=write), 409)
    assert await apply_for(til, write, "10.00") != await apply_for(til, write, "10.00")
    async with til.app.state.db.sessions() as s:
        counted = (await s.execute(select(func.count()).select_from(soknad))).scalar_one()
        assert counted == 3
