"""The report workflow end to end on SQLite and PostgreSQL with the real broker: a half-year report from draft
to JD through approval, what JD, an analyst and the director see at each step, completeness refused with a
list, the history rebuilt from the events, and the calendar's deadline turning red in the risk sweep."""

from __future__ import annotations

import json
from datetime import date

import pytest
from sqlalchemy import delete, select

from rapportering import service, workflow
from rapportering.models import risk_state
from rapportering.steering import load
from shared.event_reader import read_events
from shared.events.envelope import Envelope
from shared.outbox_tables import outbox, processed_event
from tests.conftest import bearer, eventually, is_problem, running_app, service_settings

H1 = "/api/v1/rapporter/halvarsrapport/2017-H1"


@pytest.fixture
async def rap(broker, db_url_factory, keys, tmp_path):
    """rapportering alone on the test's broker (it consumes its own inputs: texts and assessments)."""
    settings = service_settings("rapportering", db_url=await db_url_factory("rapportering"),
                                bootstrap=broker.bootstrap, keys=keys, var_dir=tmp_path, risk_sweep_seconds=3600,
                                webhook_poll_seconds=0.2, webhook_retry_base_seconds=0.3,
                                webhook_retry_max_seconds=1.0)
    async with running_app("rapportering", settings) as client:
        client.broker = broker  # type: ignore[attr-defined]
        yield client


class People:
    """The callers of the walk: tokens for an analyst, the report's owner, the director and JD."""

    def __init__(self, token) -> None:
        self.analyst = bearer(token("imdi:rapport.intern", subject="ola.analytiker"))
        self.owner = bearer(token("imdi:rapport.write", subject="anna.rapportansvarlig"))
        self.owner_with_approval = bearer(token("imdi:rapport.write", "imdi:rapport.godkjenn",
                                                subject="anna.rapportansvarlig"))
        self.director = bearer(token("imdi:rapport.intern", "imdi:rapport.godkjenn", subject="dina.direktor"))
        self.jd = bearer(token("imdi:rapport.read", subject="jd-system"))


async def applied(rap, event_ids: list[str]) -> None:
    async def done() -> bool:
        async with rap.app.state.db.sessions() as s:
            seen = set((await s.execute(select(processed_event.c.event_id).where(
                processed_event.c.event_id.in_(event_ids)))).scalars())
        return seen == set(event_ids)

    await eventually(done, timeout=60, what="inputs applied")


async def fill(rap, headers, gaps: list[dict], path: str = H1, text: str = "Status og tiltak.") -> None:
    """Write what a refusal listed as missing: narratives, and assessments with corrective measures."""
    ids = []
    report_type, period = path.rsplit("/", 2)[-2:]
    for gap in gaps:
        if gap["mangler"] == "rapporttekst":
            r = await rap.put(f"{path}/tekster/{gap['objekt']}", json={"tekst": text}, headers=headers)
        else:
            r = await rap.post(f"/api/v1/risikovurderinger/{period[:4]}/{gap['objekt']}", headers=headers, json={
                "status": "gul", "begrunnelse": "Forsinket.", "tiltak": "Tettere oppfølging.",
                "dato": "2017-06-30" if report_type == "halvarsrapport" else "2017-12-31"})
        assert r.status_code == 202, r.text
        ids.append(r.json()["hendelse"])
    await applied(rap, ids)


async def complete(rap, headers, path: str = H1) -> None:
    """Make the report complete (whatever the live figures make yellow or red)."""
    draft = (await rap.get(f"{path}/utkast", headers=headers)).json()
    await fill(rap, headers, workflow.missing(draft), path)


async def send_report(rap, token, path: str = H1) -> int:
    """Submit, approve (another person) and send; returns the sent version. For other tests' set-up."""
    people = People(token)
    await complete(rap, people.owner, path)
    r = await rap.post(f"{path}/send-til-godkjenning", headers=people.owner)
    assert r.status_code == 201, r.text
    assert (await rap.post(f"{path}/godkjenn", headers=people.director)).status_code == 200
    assert (await rap.post(f"{path}/send", headers=people.director)).status_code == 200
    return r.json()["versjon"]


async def views(rap, people: People) -> dict[str, object]:
    """What each caller sees of the half-year report right now."""
    jd_latest = await rap.get(H1, headers=people.jd)
    return {
        "jd": jd_latest.headers.get("x-rapport-versjon") if jd_latest.status_code == 200 else jd_latest.status_code,
        "jd_versjoner": [v["versjon"] for v in (await rap.get("/api/v1/rapporter?type=halvarsrapport",
                                                              headers=people.jd)).json()],
        "jd_flyt": (await rap.get(f"{H1}/arbeidsflyt", headers=people.jd)).status_code,
        "analytiker": (await rap.get(f"{H1}/arbeidsflyt", headers=people.analyst)).json()["tilstand"],
        "analytiker_versjoner": [v["versjon"] for v in (await rap.get("/api/v1/rapporter?type=halvarsrapport",
                                                                      headers=people.analyst)).json()],
        "direktor": (await rap.get(f"{H1}/arbeidsflyt", headers=people.director)).json()["mulige_handlinger"],
    }


async def test_half_year_report_from_draft_to_jd_through_approval(rap, token):
    people = People(token)
    assert await views(rap, people) == {"jd": 404, "jd_versjoner": [], "jd_flyt": 403, "analytiker": "utkast",
                                        "analytiker_versjoner": [], "direktor": ["send_til_godkjenning"]}
    for path in ("/api/v1/rapporter/halvarsrapport/2017-H2", "/api/v1/rapporter/arsrapport/2016"):
        assert is_problem(await rap.get(f"{path}/arbeidsflyt", headers=people.analyst), 404)
        assert is_problem(await rap.post(f"{path}/send-til-godkjenning", headers=people.owner), 404)

    # incomplete: refused with the list of what is missing, and nothing is frozen
    r = await rap.post(f"{H1}/send-til-godkjenning", headers=people.owner)
    assert is_problem(r, 409) and r.json()["type"].endswith("/ufullstendig")
    gaps = r.json()["mangler"]
    assert {g["objekt"] for g in gaps if g["mangler"] == "rapporttekst"} == {"R1", "R2", "R3"}
    draft = (await rap.get(f"{H1}/utkast", headers=people.analyst)).json()
    flagged = {o["id"] for o in draft["oppdrag"] if o["risiko"]["beregnet"]["status"] in ("gul", "rod")}
    assert flagged and {g["objekt"] for g in gaps if g["mangler"] == "risikovurdering"} == flagged
    assert (await rap.get("/api/v1/rapporter?type=halvarsrapport", headers=people.analyst)).json() == []

    # an assessment without corrective measures is still missing something
    first = next(iter(sorted(flagged)))
    await fill(rap, people.owner, [g for g in gaps if g["objekt"] != first])
    r = await rap.post(f"/api/v1/risikovurderinger/2017/{first}", headers=people.owner, json={
        "status": "rod", "begrunnelse": "Forsinket.", "dato": "2017-06-30"})
    await applied(rap, [r.json()["hendelse"]])
    r = await rap.post(f"{H1}/send-til-godkjenning", headers=people.owner)
    assert is_problem(r, 409) and [(g["objekt"], g["mangler"]) for g in r.json()["mangler"]] == [(first, "tiltak")]
    await fill(rap, people.owner, [{"objekt": first, "mangler": "risikovurdering"}])

    # submitted: version 1 frozen, internal only
    r = await rap.post(f"{H1}/send-til-godkjenning", headers=people.owner)
    assert r.status_code == 201 and r.json()["versjon"] == 1 and r.json()["til"] == "til_godkjenning"
    assert await views(rap, people) == {"jd": 404, "jd_versjoner": [], "jd_flyt": 403, "analytiker": "til_godkjenning",
                                        "analytiker_versjoner": [1], "direktor": ["godkjenn", "avvis"]}
    assert (await rap.get(f"{H1}/versjoner/1", headers=people.jd)).status_code == 404
    assert (await rap.get(f"{H1}/versjoner/1", headers=people.analyst)).status_code == 200

    # sent back with a reason (none: 422); the owner may not send back
    assert is_problem(await rap.post(f"{H1}/avvis", json={}, headers=people.director), 422)
    assert is_problem(await rap.post(f"{H1}/avvis", json={"begrunnelse": "x"}, headers=people.owner), 403)
    r = await rap.post(f"{H1}/avvis", json={"begrunnelse": "R1 må si mer om tidsbruken."}, headers=people.director)
    assert r.status_code == 200 and r.json()["til"] == "utkast"
    assert await views(rap, people) == {"jd": 404, "jd_versjoner": [], "jd_flyt": 403, "analytiker": "utkast",
                                        "analytiker_versjoner": [1], "direktor": ["send_til_godkjenning"]}

    # corrected and submitted again: version 2
    await fill(rap, people.owner, [{"objekt": "R1", "mangler": "rapporttekst"}], text="Tidsbruken ble kortet ned.")
    r = await rap.post(f"{H1}/send-til-godkjenning", headers=people.owner_with_approval)
    assert r.status_code == 201 and r.json()["versjon"] == 2

    # the same person cannot approve; nor can one without the director's scope
    r = await rap.post(f"{H1}/godkjenn", headers=people.owner_with_approval)
    assert is_problem(r, 403) and r.json()["type"].endswith("/samme-person")
    assert is_problem(await rap.post(f"{H1}/godkjenn", headers=people.owner), 403)
    assert is_problem(await rap.post(f"{H1}/send", headers=people.director), 409)  # not approved yet

    r = await rap.post(f"{H1}/godkjenn", headers=people.director)
    assert r.status_code == 200 and r.json()["til"] == "godkjent"
    assert await views(rap, people) == {"jd": 404, "jd_versjoner": [], "jd_flyt": 403, "analytiker": "godkjent",
                                        "analytiker_versjoner": [1, 2], "direktor": ["avvis", "send"]}

    # sent: JD reads version 2 (suppressed rendering), never version 1
    r = await rap.post(f"{H1}/send", headers=people.director)
    assert r.status_code == 200 and r.json()["til"] == "sendt"
    assert await views(rap, people) == {"jd": "2", "jd_versjoner": [2], "jd_flyt": 403, "analytiker": "sendt",
                                        "analytiker_versjoner": [1, 2], "direktor": ["send_til_godkjenning"]}
    assert (await rap.get(f"{H1}/versjoner/1", headers=people.jd)).status_code == 404
    assert (await rap.get(f"{H1}/versjoner/2/endringer", headers=people.jd)).json()["forrige"] is None
    listed = (await rap.get("/api/v1/rapporter?type=halvarsrapport", headers=people.jd)).json()[0]
    assert listed["publisert_av"] == "IMDi (analyse og rapportering)" and listed["sendt"]
    jd_text = (await rap.get(H1, headers=people.jd)).json()["rapporteringskrav"][0]["virksomhetens_tekst"]
    assert jd_text == "Tidsbruken ble kortet ned."

    # the history: who (role and unit), when, why; persons never named
    history = (await rap.get(f"{H1}/arbeidsflyt", headers=people.analyst)).json()["historikk"]
    assert [(h["handling"], h["rolle"], h["versjon"]) for h in history] == [
        ("send_til_godkjenning", "rapportansvarlig", 1), ("avvis", "godkjenner", 1),
        ("send_til_godkjenning", "godkjenner", 2), ("godkjenn", "godkjenner", 2), ("send", "godkjenner", 2)]
    assert history[1]["begrunnelse"] == "R1 må si mer om tidsbruken."
    async with rap.app.state.db.sessions() as s:
        events = [json.loads(e) for e in (await s.execute(select(outbox.c.envelope).where(
            outbox.c.event_type.like("no.imdi.rapportering.rapport-%")).order_by(outbox.c.seq))).scalars()]
    events = [e for e in events if e["subject"] == "halvarsrapport-2017-H1"]
    assert [e["type"].split(".")[3] for e in events].count("rapport-sendt") == 1 and len(events) == 6
    assert not any(name in json.dumps(events) for name in ("anna", "dina", "ola", "jd-system"))

    # the history is rebuilt by replaying the events from the topic
    async with rap.app.state.db.sessions() as s, s.begin():
        await s.execute(delete(workflow.workflow_step))
    assert (await rap.get(f"{H1}/arbeidsflyt", headers=people.analyst)).json()["historikk"] == []

    async def on_topic() -> list[Envelope]:
        return [e async for e in read_events(rap.broker.bootstrap, "imdi.rapportering.v1",
                                             types=["rapport-status-endret"]) if e.subject == "halvarsrapport-2017-H1"]

    async def all_on_topic() -> bool:
        return len(await on_topic()) == len(history)

    await eventually(all_on_topic, what="the steps on the topic")
    async with rap.app.state.db.sessions() as s, s.begin():
        assert await workflow.replay(s, await on_topic()) == len(history)
    assert (await rap.get(f"{H1}/arbeidsflyt", headers=people.analyst)).json()["historikk"] == history

    # a correction after sending: version 3 through the same steps; JD sees the diff from version 2
    await fill(rap, people.owner, [{"objekt": "R2", "mangler": "rapporttekst"}], text="Flere kommuner bosetter.")
    r = await rap.post(f"{H1}/send-til-godkjenning", headers=people.owner)
    assert r.status_code == 201 and r.json()["versjon"] == 3
    assert (await views(rap, people))["jd"] == "2"
    assert (await rap.post(f"{H1}/godkjenn", headers=people.director)).status_code == 200
    assert (await rap.post(f"{H1}/send", headers=people.director)).status_code == 200
    diff = (await rap.get(f"{H1}/versjoner/3/endringer", headers=people.jd)).json()
    assert diff["forrige"] == 2
    assert [c["sti"] for c in diff["endringer"]] == ["/rapporteringskrav/1/virksomhetens_tekst"]
    # unchanged since the sent version: nothing to correct
    r = await rap.post(f"{H1}/send-til-godkjenning", headers=people.owner)
    assert is_problem(r, 409) and r.json()["type"].endswith("/uendret")


async def test_monthly_reports_are_sent_by_the_system_and_cannot_be_submitted(rap, token):
    people = People(token)

    async def sent() -> bool:
        return len((await rap.get("/api/v1/rapporter?type=manedsrapport", headers=people.jd)).json()) == 12

    await eventually(sent, what="the scheduler sent the closed months")
    flow = (await rap.get("/api/v1/rapporter/manedsrapport/2017-03/arbeidsflyt", headers=people.analyst)).json()
    assert flow["tilstand"] == "sendt" and [(h["handling"], h["rolle"]) for h in flow["historikk"]] == [
        ("send_automatisk", "system")]
    r = await rap.post("/api/v1/rapporter/manedsrapport/2017-03/send-til-godkjenning", headers=people.owner)
    assert is_problem(r, 409) and "automatisk" in r.json()["detail"]


async def test_a_deadline_passing_unsent_turns_the_obligation_red_and_the_sweep_says_so(rap, token):
    people = People(token)
    model = load(2017)
    overview = {o["id"]: o for o in (await rap.get("/api/v1/rapportforpliktelser?ar=2017&per_dato=2017-08-10",
                                                   headers=people.analyst)).json()}
    assert len(overview) == len(workflow.obligations(model))
    assert (overview["RK-H1"]["status"], overview["RK-H1"]["risiko"]["status"]) == ("snart_frist", "gronn")
    assert (overview["RK-AR"]["status"], overview["RK-H1"]["tilstand"]) == ("i_rute", "utkast")
    assert is_problem(await rap.get("/api/v1/rapportforpliktelser?ar=2017", headers=people.jd), 403)

    await service.risk_sweep(rap.app.state.db, date(2017, 8, 19))
    assert await service.risk_sweep(rap.app.state.db, date(2017, 8, 20)) >= 1
    async with rap.app.state.db.sessions() as s:
        red = (await s.execute(select(risk_state).where(risk_state.c.objekt == "RK-H1"))).mappings().one()
        changes = [json.loads(e)["data"] for e in (await s.execute(select(outbox.c.envelope).where(
            outbox.c.event_type == "no.imdi.rapportering.risiko-endret.v1").order_by(outbox.c.seq))).scalars()]
    assert red["status"] == "rod" and "ikke sendt" in red["begrunnelse"]
    h1 = [c for c in changes if c["objekt"] == "RK-H1"]
    assert [(c["fra"], c["til"]) for c in h1] == [(None, "gronn"), ("gronn", "rod")]
    overview = {o["id"]: o for o in (await rap.get("/api/v1/rapportforpliktelser?ar=2017&per_dato=2017-08-20",
                                                   headers=people.analyst)).json()}
    assert (overview["RK-H1"]["status"], overview["RK-H1"]["risiko"]["status"]) == ("forsinket", "rod")

    # sending it turns the obligation green again (sent late), and the sweep publishes that too
    await send_report(rap, token)
    assert await service.risk_sweep(rap.app.state.db, date.today()) >= 1
    async with rap.app.state.db.sessions() as s:
        status = (await s.execute(select(risk_state.c.status).where(risk_state.c.objekt == "RK-H1"))).scalar_one()
    assert status == "gronn"
