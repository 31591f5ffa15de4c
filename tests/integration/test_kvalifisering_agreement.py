"""kvalifisering through the real broker, on SQLite and PostgreSQL: bosetting's settlement opens the right and
duty (a redelivered or corrected settlement handled once), and SP4–SP9.2 counted by kvalifisering from its own
records agree cell by cell with rapportering's, computed by the measure engine from the events, after random
data with corrections."""

from __future__ import annotations

import json
import random
from datetime import date, timedelta

import pytest
from sqlalchemy import func, select

from kvalifisering.models import Opplaering
from rapportering.models import key_figure, milestone_update
from shared.geo import kommuner_2017
from shared.outbox_tables import dead_letter, outbox, processed_event
from shared.pseudonym import person_ref
from tests.conftest import bearer, case_body, eventually, running_app, service_settings
from tests.integration.test_pipeline import bosatt_envelope, produce

SPS = ("SP4", "SP5", "SP6", "SP7", "SP8", "SP9.1", "SP9.2")
PERIODS = ("2016", "2017", "2018", "2017-H1", "2017-H2", "2017-03", "2017-06", "2017-11")
WRITE = "imdi:kvalifisering.write"


@pytest.fixture
async def trio(broker, db_url_factory, keys, tmp_path):
    """bosetting, kvalifisering and rapportering in this process on the test's broker, each with its own DB."""
    settings = {name: service_settings(name, db_url=await db_url_factory(name), bootstrap=broker.bootstrap,
                                       keys=keys, var_dir=tmp_path, **extra)
                for name, extra in (("bosetting", {}), ("kvalifisering", {}),
                                    ("rapportering", {"risk_sweep_seconds": 3600}))}
    async with running_app("bosetting", settings["bosetting"]) as bos, \
            running_app("kvalifisering", settings["kvalifisering"]) as kval, \
            running_app("rapportering", settings["rapportering"]) as rap:
        kval.key = settings["kvalifisering"].pseudonym_key.get_secret_value()  # type: ignore[attr-defined]
        yield bos, kval, rap


async def test_a_settlement_opens_the_right_and_duty_once(trio, token):
    bos, kval, rap = trio
    w = bearer(token("imdi:bosetting.write"))
    adult = (await bos.post("/api/v1/saker", json=case_body("201612345678", fodselsar=1990), headers=w)).json()
    child = (await bos.post("/api/v1/saker", json=case_body("201612345679", fodselsar=2010), headers=w)).json()
    ref = person_ref(kval.key, "201612345678")
    read = bearer(token("imdi:kvalifisering.read"))

    async def opened() -> bool:
        return (await kval.get(f"/api/v1/opplaering/{ref}", headers=read)).status_code == 200

    await eventually(opened, what="kvalifisering opening the right and duty")
    record = (await kval.get(f"/api/v1/opplaering/{ref}", headers=read)).json()
    assert (record["kilde"], record["kommunenummer"], record["rett_fra"], record["grunnlag"]) == (
        "bosetting", "0301", "2017-05-02", "asyl")
    # the settlement corrected to another kommune and date moves the record (training has not started)
    moved = await bos.post(f"/api/v1/saker/{adult['id']}/stadier", headers=w,
                           json={"stadium": "bosatt", "dato": "2017-05-20", "kommunenummer": "1201"})
    assert moved.status_code == 200, moved.text

    async def corrected() -> bool:
        return (await kval.get(f"/api/v1/opplaering/{ref}", headers=read)).json()["kommunenummer"] == "1201"

    await eventually(corrected, what="the corrected settlement moving the record")
    # rapportering counts the person in SP4, in the month the window closes (20 May + 3 months = August)
    intern = bearer(token("imdi:rapport.intern"))

    async def counted() -> bool:
        v = (await rap.get("/api/v1/styringsparametere/SP4/verdi?periode=2017-08", headers=intern)).json()
        return (v["teller"], v["nevner"]) == (0, 1)

    await eventually(counted, what="rapportering counting SP4")
    async with kval.app.state.db.sessions() as s:
        assert (await s.execute(select(func.count()).select_from(Opplaering))).scalar() == 1  # the child: no right
        applied = (await s.execute(select(func.count()).select_from(processed_event))).scalar()
        published = (await s.execute(select(outbox.c.event_type))).scalars().all()
    assert applied >= 3 and child["status"] == "bosatt"
    assert sorted(t.split(".")[3] for t in published) == ["opplaering-plikt", "opplaering-plikt",
                                                          "opplaering-rett", "opplaering-rett"]


def _day(rng: random.Random, start: date, days: int) -> date:
    return start + timedelta(days=rng.randrange(days))


def random_training(rng: random.Random, i: int, kommuner: list[str]) -> dict:
    rett = _day(rng, date(2014, 1, 1), 1400)
    row = {"ekstern_id": f"O-{i}", "duf_nummer": f"2014{i:08d}", "kommunenummer": rng.choice(kommuner),
           "kjonn": rng.choice("KM"), "grunnlag": rng.choice(["asyl", "overforingsflyktning", "familiegjenforent"]),
           "rett_fra": rett.isoformat()}
    if rng.random() < 0.08:
        row["fritak_arsak"] = "helse"
        return row
    if rng.random() < 0.85:
        start = rett + timedelta(days=rng.randrange(0, 150))
        row["start_dato"] = start.isoformat()
        if rng.random() < 0.6:
            row.update(oppfylt_dato=(start + timedelta(days=rng.randrange(200, 1300))).isoformat(),
                       oppfylt_grunnlag="prove")
    return row


def random_participant(rng: random.Random, i: int, kommuner: list[str]) -> dict:
    start = _day(rng, date(2014, 6, 1), 1200)
    row = {"ekstern_id": f"I-{i}", "duf_nummer": f"2013{i:08d}", "kommunenummer": rng.choice(kommuner),
           "kjonn": rng.choice("KM"), "kategori": rng.choice(["overforingsflyktning", "asyl", "familiegjenforent"]),
           "start_dato": start.isoformat(), "planlagt_slutt": (start + timedelta(days=730)).isoformat(),
           "elementer": rng.sample(["norsk", "samfunnskunnskap", "arbeidspraksis", "grunnskole", "videregaende"],
                                   rng.randrange(1, 4))}
    if rng.random() < 0.6:
        row.update(avsluttet_dato=(start + timedelta(days=rng.randrange(100, 800))).isoformat(),
                   avslutningsarsak=rng.choice(["fullfort", "overgang_arbeid", "avbrutt"]))
        if rng.random() < 0.7:
            row["status_ett_ar_etter"] = rng.choice(["arbeid", "utdanning", "begge", "ingen"])
    return row


def ndjson(rows: list[dict]) -> str:
    return "".join(json.dumps(r) + "\n" for r in rows)


async def _load(kval, token, rng: random.Random) -> None:
    kommuner = rng.sample(sorted(kommuner_2017()), 12)
    w = bearer(token(WRITE))
    imp = {**w, "Content-Type": "application/x-ndjson"}
    training = [random_training(rng, i, kommuner) for i in range(160)]
    programme = [random_participant(rng, i, kommuner) for i in range(140)]
    for path, rows in (("opplaering", training), ("introduksjonsprogram", programme)):
        report = (await kval.post(f"/api/v1/import/{path}", content=ndjson(rows), headers=imp)).json()
        assert report["opprettet"] == len(rows), report["feil"][:3]
    # corrections: starts, fulfilments, ends and the status one year after change
    for row in rng.sample(training, 25):
        row.pop("fritak_arsak", None)
        start = date.fromisoformat(row["rett_fra"]) + timedelta(days=rng.randrange(0, 120))
        row.update(start_dato=start.isoformat(), oppfylt_dato=(start + timedelta(days=400)).isoformat(),
                   oppfylt_grunnlag="prove")
    for row in rng.sample(programme, 25):
        row["elementer"] = ["norsk", "grunnskole"] if rng.random() < 0.5 else ["norsk"]
        if "avsluttet_dato" in row:
            row["status_ett_ar_etter"] = rng.choice(["arbeid", "ingen"])
    for path, rows in (("opplaering", training), ("introduksjonsprogram", programme)):
        report = (await kval.post(f"/api/v1/import/{path}", content=ndjson(rows), headers=imp)).json()
        assert report["avvist"] == 0 and report["endret"] > 10, report
    for k in kommuner + kommuner[:4]:  # the first four answer twice: the second answer replaces the first
        for ar in (2016, 2017):
            body = {"tilbyr_egne_innbyggere": rng.random() < 0.7, "tilbyr_andre_kommuner": rng.random() < 0.2,
                    "har_resultatmal": rng.random() < 0.6, "tolkeretningslinjer_med_register": rng.random() < 0.5}
            assert (await kval.put(f"/api/v1/kommuneundersokelse/{ar}/{k}", json=body, headers=w)).status_code == 200
    for pid, part in (("A1", "A"), ("C1", "C"), ("B1", "B")):
        owner = ("03", "fylkeskommune") if part == "B" else (kommuner[0], "kommune")
        await kval.put(f"/api/v1/jobbsjansen/prosjekter/{pid}", headers=w, json={
            "del": part, "eiertype": owner[1], "eier": owner[0], "tilskudd_ref": f"T-{pid}",
            "periode_fra": "2016-01-01", "periode_til": "2018-12-31"})
    for i in range(90):
        start = _day(rng, date(2016, 1, 1), 600)
        body = {"duf_nummer": f"2012{i:08d}", "prosjekt_id": rng.choice(["A1", "C1", "B1"]), "kjonn": rng.choice("KM"),
                "start_dato": start.isoformat()}
        if rng.random() < 0.75:
            body.update(slutt_dato=(start + timedelta(days=rng.randrange(30, 400))).isoformat(),
                        utfall=rng.choice(["arbeid", "utdanning", "begge", "ingen", "annet"]))
        assert (await kval.post("/api/v1/jobbsjansen/deltakere", json=body, headers=w)).status_code == 200
        if "utfall" in body and rng.random() < 0.2:  # a corrected outcome
            body["utfall"] = "arbeid" if body["utfall"] != "arbeid" else "ingen"
            assert (await kval.post("/api/v1/jobbsjansen/deltakere", json=body, headers=w)).status_code == 200


async def test_kvalifisering_and_rapportering_agree_cell_by_cell(trio, token):
    _, kval, rap = trio
    await _load(kval, token, random.Random(9))
    read_k, read_r = bearer(token("imdi:kvalifisering.read")), bearer(token("imdi:rapport.intern"))

    async def values(client, headers) -> dict:
        out = {}
        for sp in SPS:
            for period in PERIODS:
                r = await client.get(f"/api/v1/styringsparametere/{sp}/verdi?periode={period}", headers=headers)
                assert r.status_code == 200, r.text
                out[(sp, period)] = r.json()
        return out

    expected = await values(kval, read_k)
    for sp in SPS:  # the data reach every measure
        assert expected[(sp, "2017")]["nevner"] >= 5, (sp, expected[(sp, "2017")])

    async def agree() -> bool:
        return await values(rap, read_r) == expected

    await eventually(agree, timeout=90, what="rapportering agreeing with kvalifisering")
    actual = await values(rap, read_r)
    for key in expected:
        assert actual[key] == expected[key], key


async def test_o7_figures_and_o8_progress_reach_rapportering(trio, token):
    _, kval, rap = trio
    w = bearer(token(WRITE))
    for i, offered in enumerate(("2017-03-10", None)):
        body = {"duf_nummer": f"2017{i:08d}", "mottak": "hobol", "ankomst_dato": "2017-03-01"}
        if offered:
            body["tilbud_dato"] = offered
        assert (await kval.post("/api/v1/integreringsmottak/beboere", json=body, headers=w)).status_code == 200
    await kval.put("/api/v1/jobbsjansen/prosjekter/B-1", headers=w, json={
        "del": "B", "eiertype": "fylkeskommune", "eier": "12", "tilskudd_ref": "T-1", "periode_fra": "2017-01-01",
        "periode_til": "2017-12-31"})
    await kval.post("/api/v1/jobbsjansen/deltakere", headers=w, json={
        "duf_nummer": "201600000001", "prosjekt_id": "B-1", "kjonn": "K", "start_dato": "2017-02-01"})

    async def stored() -> bool:
        async with rap.app.state.db.sessions() as s:
            figures = (await s.execute(select(key_figure.c.objekt, key_figure.c.periode, key_figure.c.dimensjon,
                                              key_figure.c.antall, key_figure.c.nevner))).all()
            milestones = (await s.execute(select(milestone_update.c.oppdrag, milestone_update.c.fremdrift,
                                                 milestone_update.c.ferdig))).all()
        return ("O7", "2017-03", "alle", 1, 2) in figures and ("O8", 100, True) in milestones

    await eventually(stored, what="rapportering storing the O7 figure and O8's progress")
    await kval.post("/api/v1/kompetanse", headers=w, json={
        "duf_nummer": "201700000009", "mottak": "hobol", "registrert_dato": "2017-03-02", "formal": ["kartlegging"],
        "samtykke_deling": False})
    intern = bearer(token("imdi:rapport.intern"))

    async def in_the_monthly_report() -> bool:
        draft = (await rap.get("/api/v1/rapporter/manedsrapport/2017-03/utkast", headers=intern)).json()
        shown = {o["id"]: o["nokkeltall"] for o in draft["oppdrag"] if o["id"] in ("O5", "O7")}
        if any(v is None for v in shown.values()):
            return False
        o7 = {(f["navn"], f.get("dimensjon"), f.get("kategori")): (f["antall"], f.get("nevner"))
              for f in shown["O7"]["tall"]}
        o5 = {f["navn"]: f["antall"] for f in shown["O5"]["tall"]}
        return o7.get(("tilbud_innen_to_uker", "alle", "alle")) == (1, 2) and o5.get("registrerte") == 1

    await eventually(in_the_monthly_report, what="the O5 and O7 figures in the monthly report for March")


async def test_redelivered_settlements_open_once_and_a_poison_one_is_dead_lettered(broker, db_url_factory, keys,
                                                                                   tmp_path):
    settings = service_settings("kvalifisering", db_url=await db_url_factory("kvalifisering"),
                                bootstrap=broker.bootstrap, keys=keys, var_dir=tmp_path)
    async with running_app("kvalifisering", settings) as kval:
        same = bosatt_envelope("b", fodselsar=1990)
        poison = bosatt_envelope("d", fodselsar=1990, kommunenummer="9999")  # not in the 2017 division
        marker = bosatt_envelope("c", fodselsar=1990)
        await produce(broker.bootstrap, [(b"b", same.kafka_value(), same.kafka_headers())] * 3
                      + [(b"d", poison.kafka_value(), poison.kafka_headers()),
                         (b"c", marker.kafka_value(), marker.kafka_headers())])

        async def applied() -> bool:
            async with kval.app.state.db.sessions() as s:
                dead = (await s.execute(select(dead_letter.c.reason))).scalars().all()
                return (await s.get(Opplaering, "p-" + "c" * 32)) is not None and len(dead) == 1

        await eventually(applied, what="the settlements applied and the poison one dead-lettered")
        async with kval.app.state.db.sessions() as s:
            refs = sorted((await s.execute(select(Opplaering.person_ref))).scalars())
            published = (await s.execute(select(outbox.c.key))).scalars().all()
            reason = (await s.execute(select(dead_letter.c.reason))).scalar_one()
        assert refs == ["p-" + "b" * 32, "p-" + "c" * 32]
        assert sorted(published) == ["p-" + "b" * 32] * 2 + ["p-" + "c" * 32] * 2  # once per person, both facts
        assert "2017 division" in reason and "9999" not in reason
