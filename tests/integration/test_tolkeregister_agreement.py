"""SP10 and SP11 from tolkeregister's own tables agree exactly with rapportering's, through the real broker, on
SQLite and PostgreSQL: random interpreters with category changes, suspensions and removals, state agencies
whose guidelines change, and municipalities' survey answers published as kvalifisering would."""

from __future__ import annotations

import random

from aiokafka import AIOKafkaProducer

from shared.events import kvalifisering as kv_ev
from shared.events.envelope import Envelope
from shared.events.registry import topic_for
from shared.geo import kommuner_2017
from tests.conftest import bearer, eventually, running_app, service_settings
from tests.integration.test_tolkeregister import CAT1, CAT2, CAT3, CAT4, CAT5, tolk_body

PERIODS = ["2016", "2017", "2017-H1", "2017-H2", "2017-06", "2017-12", "2018-03"]
AGENCIES = ["974760673", "971524960", "983887457", "974761076", "889640782", "971526920", "974760843"]


async def publish_survey(bootstrap: str, answers: list[tuple[str, int, bool]]) -> None:
    """Survey answers on kvalifisering's topic, as kvalifisering publishes them (the latest per unit counts)."""
    spec = kv_ev.KOMMUNEUNDERSOKELSE_V1
    producer = AIOKafkaProducer(bootstrap_servers=bootstrap, acks="all")
    await producer.start()
    try:
        for kommune, year, has in answers:
            data = kv_ev.KommuneundersokelseV1(kommunenummer=kommune, ar=year, tilbyr_introduksjonsprogram=True,
                                               har_resultatmal=False, tolkeretningslinjer_med_register=has)
            env = Envelope.new(source=spec.source, type=spec.type, subject=kommune, data=data.model_dump(mode="json"))
            await producer.send_and_wait(topic_for("kvalifisering"), env.kafka_value(), key=kommune.encode(),
                                         headers=env.kafka_headers())
    finally:
        await producer.stop()


async def load_register(tolk, write, rng: random.Random, n: int) -> None:
    evidence = [CAT1, CAT2, CAT3, CAT4, CAT5]
    languages = ["so", "ar", "ti", "fa", "ur", "pl"]
    kommuner = rng.sample(sorted(kommuner_2017()), 15)
    for i in range(n):
        chosen = rng.sample(languages, rng.randint(1, 3))
        entered = f"{rng.choice([2015, 2016, 2017])}-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}"
        body = tolk_body(i, kommunenummer=rng.choice(kommuner), oppfort_dato=entered,
                         sprak=[{"sprak": s, "bevis": rng.choice(evidence)} for s in chosen])
        r = await tolk.post("/api/v1/tolker", json=body, headers=write)
        assert r.status_code == 201, r.text
        tolk_id, entered = r.json()["id"], body["oppfort_dato"]
        roll = rng.random()
        if roll < 0.2:  # a new category
            await tolk.patch(f"/api/v1/tolker/{tolk_id}", json={"sprak": [{"sprak": "so", "bevis": rng.choice(
                evidence)}]}, headers=write)
        elif roll < 0.45:  # suspended, some then removed
            day = max(entered, "2017-03-01")
            await tolk.post(f"/api/v1/tolker/{tolk_id}/status", json={"status": "suspendert", "dato": day,
                                                                      "arsak": "Klagesak"}, headers=write)
            if rng.random() < 0.6:
                gone = max(entered, rng.choice(["2017-06-30", "2017-07-01", "2017-12-31", "2018-01-15"]))
                r = await tolk.post(f"/api/v1/tolker/{tolk_id}/status", json={
                    "status": "avregistrert", "dato": gone, "arsak": "Avsluttet"}, headers=write)
                assert r.status_code == 200, r.text


async def test_tolkeregister_and_rapportering_agree_on_sp10_and_sp11(broker, db_url_factory, keys, tmp_path, token):
    t = service_settings("tolkeregister", db_url=await db_url_factory("tolkeregister"), bootstrap=broker.bootstrap,
                         keys=keys, var_dir=tmp_path)
    r = service_settings("rapportering", db_url=await db_url_factory("rapportering"), bootstrap=broker.bootstrap,
                         keys=keys, var_dir=tmp_path, risk_sweep_seconds=3600)
    write = bearer(token("imdi:tolkeregister.write"))
    async with running_app("tolkeregister", t) as tolk, running_app("rapportering", r) as rap:
        rng = random.Random(10)
        await load_register(tolk, write, rng, 60)
        for i, number in enumerate(AGENCIES):  # the last answer for a year counts
            for has in (rng.random() < 0.5, i % 2 == 0):
                await tolk.put(f"/api/v1/etater/2017/{number}", json={
                    "navn": f"Etat {i}", "tolkeretningslinjer_med_register": has}, headers=write)
        await tolk.put(f"/api/v1/etater/2016/{AGENCIES[0]}", json={"navn": "Etat 0",
                                                                   "tolkeretningslinjer_med_register": False},
                       headers=write)
        survey = [("0301", 2017, False), ("1201", 2017, True), ("0301", 2017, True), ("1103", 2017, False),
                  ("1601", 2016, True)]
        await publish_survey(broker.bootstrap, survey)

        own_read, rap_read = bearer(token("imdi:tolkeregister.read")), bearer(token("imdi:rapport.intern"))

        async def figures(client, headers, sp, period) -> dict:
            got = (await client.get(f"/api/v1/styringsparametere/{sp}/verdi", params={"periode": period},
                                    headers=headers)).json()
            cells = {("alle", "alle"): (got["teller"], got["nevner"])}
            cells |= {(d, v): (c["teller"], c["nevner"]) for d, vs in got["fordeling"].items() for v, c in vs.items()}
            return cells

        own10 = {p: await figures(tolk, own_read, "SP10", p) for p in PERIODS}
        own11 = {p: await figures(tolk, own_read, "SP11", p) for p in ("2016", "2017")}
        assert own10["2017"][("alle", "alle")][1] > 20 and own10["2017-H1"] != own10["2017"]
        # kvalifisering's survey: municipalities apart; the latest answer per municipality and year counts
        kommuner = {"2017": (2, 3), "2016": (1, 1)}  # 0301 yes (its last answer), 1201 yes, 1103 no
        expected11 = {}
        for p, cells in own11.items():
            etat = cells[("enhetstype", "etat")]
            expected11[p] = {("enhetstype", "etat"): etat, ("enhetstype", "kommune"): kommuner[p],
                             ("alle", "alle"): (etat[0] + kommuner[p][0], etat[1] + kommuner[p][1])}
        assert expected11["2017"][("enhetstype", "etat")] == (4, 7)

        async def agree() -> bool:
            for p in PERIODS:
                if await figures(rap, rap_read, "SP10", p) != own10[p]:
                    return False
            return all([await figures(rap, rap_read, "SP11", p) == expected11[p] for p in expected11])

        await eventually(agree, timeout=60, what="rapportering's SP10/SP11 equal to tolkeregister's own")
