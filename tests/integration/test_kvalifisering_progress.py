"""O7 (integration reception centres: offered a full-time programme within two weeks) and O8 (Jobbsjansen part
B) as the events kvalifisering publishes, on SQLite and PostgreSQL; figures by hand; unchanged publishes
nothing."""

from __future__ import annotations

from tests.conftest import bearer, is_problem
from tests.integration.test_kvalifisering_api import WRITE, events, kval  # noqa: F401 - the fixture

READ = "imdi:kvalifisering.read"


def resident(i: int, ankomst: str, tilbud: str | None, mottak: str = "hobol") -> dict:
    body = {"duf_nummer": f"2017{i:08d}", "mottak": mottak, "ankomst_dato": ankomst}
    if tilbud:
        body["tilbud_dato"] = tilbud
    return body


def o7(published, month: str) -> dict[tuple[str, str], tuple[int, int]]:
    """The latest O7 figure per (dimension, value) for a month."""
    out = {}
    for t, d in published:
        if t == "nokkeltall" and d["objekt"] == "O7" and d["periode"] == month:
            out[(d["dimensjon"], d["kategori"])] = (d["antall"], d["nevner"])
    return out


async def test_o7_counts_offers_within_two_weeks_in_the_month_the_window_closes(kval, token):  # noqa: F811
    w = bearer(token(WRITE))
    # windows: 1 March + 14 days = 15 March (in March); 20 February + 14 = 6 March; 20 March + 14 = 3 April
    for i, (arrived, offered, centre) in enumerate((
            ("2017-03-01", "2017-03-15", "hobol"),  # the last day: in time
            ("2017-03-01", "2017-03-16", "hobol"),  # a day late
            ("2017-02-20", None, "senja"),  # no offer
            ("2017-03-20", "2017-03-21", "senja"))):  # due in April
        assert (await kval.post("/api/v1/integreringsmottak/beboere", json=resident(i, arrived, offered, centre),
                                headers=w)).status_code == 200
    published = await events(kval)
    assert o7(published, "2017-03") == {("alle", "alle"): (1, 3), ("mottak", "hobol"): (1, 2),
                                        ("mottak", "senja"): (0, 1)}
    assert o7(published, "2017-04") == {("alle", "alle"): (1, 1), ("mottak", "senja"): (1, 1)}
    count = len(published)
    # the same again publishes nothing; a late offer corrected to in time moves only March's figures
    await kval.post("/api/v1/integreringsmottak/beboere", json=resident(0, "2017-03-01", "2017-03-15"), headers=w)
    assert len(await events(kval)) == count
    await kval.post("/api/v1/integreringsmottak/beboere", json=resident(1, "2017-03-01", "2017-03-10"), headers=w)
    published = await events(kval)
    assert len(published) == count + 2 and o7(published, "2017-03")[("alle", "alle")] == (2, 3)
    status = (await kval.get("/api/v1/integreringsmottak/avvik?periode=2017-03", headers=bearer(token(READ)))).json()
    assert (status["forfalt"], status["tilbudt_innen_to_uker"]) == (3, 2)
    assert [(a["mottak"], a["frist"], a["tilbud_dato"]) for a in status["avvik"]] == [("senja", "2017-03-06", None)]
    bad = await kval.post("/api/v1/integreringsmottak/beboere", json=resident(9, "2017-03-01", "2017-02-28"),
                          headers=w)
    assert is_problem(bad, 422) and bad.json()["feil"][0]["felt"] == "tilbud_dato"


async def test_o8_progress_is_the_share_of_part_b_projects_with_participants(kval, token):  # noqa: F811
    w = bearer(token(WRITE))
    for pid in ("B-1", "B-2"):
        await kval.put(f"/api/v1/jobbsjansen/prosjekter/{pid}", headers=w, json={
            "del": "B", "eiertype": "fylkeskommune", "eier": "12", "tilskudd_ref": f"T-{pid}",
            "periode_fra": "2017-01-01", "periode_til": "2017-12-31"})

    def milestones(published):
        return [(d["fremdrift"], d["ferdig"], d["kommentar"]) for t, d in published if t == "milepael-oppdatert"]

    assert milestones(await events(kval)) == [(0, False, "Jobbsjansen del B: 0 av 1 prosjekter har deltakere."),
                                              (0, False, "Jobbsjansen del B: 0 av 2 prosjekter har deltakere.")]
    for i, pid in enumerate(("B-1", "B-1", "B-2")):
        r = await kval.post("/api/v1/jobbsjansen/deltakere", headers=w, json={
            "duf_nummer": f"2016{i:08d}", "prosjekt_id": pid, "kjonn": "M", "start_dato": "2017-02-01"})
        assert r.status_code == 200, r.text
    published = await events(kval)
    assert milestones(published)[2:] == [(50, False, "Jobbsjansen del B: 1 av 2 prosjekter har deltakere."),
                                         (100, True, "Jobbsjansen del B: 2 av 2 prosjekter har deltakere.")]
    participants = [d["antall"] for t, d in published if t == "nokkeltall" and d["objekt"] == "O8"]
    assert participants == [0, 1, 2, 3]  # 0 once: the second project changed nothing
    assert all(d["ar"] == 2017 and d["oppdrag"] == "O8" for t, d in published if t == "milepael-oppdatert")


def registration(i: int, registered: str, **extra) -> dict:
    return {"duf_nummer": f"2016{i:08d}", "mottak": "hobol", "registrert_dato": registered,
            "formal": ["kartlegging"], "samtykke_deling": False, **extra}


def figure(published, objekt: str, navn: str, month: str):
    """The latest (antall, nevner) published for a figure and month, or None."""
    found = [(d["antall"], d["nevner"]) for t, d in published if t == "nokkeltall" and d["objekt"] == objekt
             and d["navn"] == navn and d["periode"] == month]
    return found[-1] if found else None


async def test_o5_o6_monthly_counts_and_the_share_of_the_target_group(kval, token):  # noqa: F811
    w = bearer(token(WRITE))
    assert (await kval.put("/api/v1/kompetanse/malgruppe/2017-04", json={"antall": 40}, headers=w)).status_code == 200
    for i, (registered, offered, done) in enumerate((("2017-03-05", "2017-03-20", "2017-04-02"),
                                                    ("2017-04-10", None, None), ("2017-05-01", None, None))):
        body = registration(i, registered, karriereveiledning_tilbudt=offered, karriereveiledning_gjennomfort=done)
        assert (await kval.post("/api/v1/kompetanse", json=body, headers=w)).status_code == 200
    published = await events(kval)
    assert figure(published, "O5", "registrerte", "2017-03") == (1, None)
    assert figure(published, "O5", "registrerte", "2017-04") == (2, 40)  # of the month's target group
    assert figure(published, "O5", "registrerte", "2017-12") == (3, None)
    assert figure(published, "O6", "karriereveiledning_tilbudt", "2017-03") == (1, None)
    assert figure(published, "O6", "karriereveiledning_gjennomfort", "2017-03") == (0, None)
    assert figure(published, "O6", "karriereveiledning_gjennomfort", "2017-04") == (1, None)
    assert all(d.keys() >= {"antall"} and "person_ref" not in d for t, d in published)  # counts only
    count = len(published)
    body = registration(0, "2017-03-05", karriereveiledning_tilbudt="2017-03-20",
                        karriereveiledning_gjennomfort="2017-04-02")
    await kval.post("/api/v1/kompetanse", json=body, headers=w)
    assert len(await events(kval)) == count  # unchanged: nothing published
    bad = await kval.post("/api/v1/kompetanse", headers=w, json=registration(5, "2017-03-05",
                                                                             karriereveiledning_gjennomfort="2017-04-02"))
    assert is_problem(bad, 422) and bad.json()["feil"][0]["felt"] == "karriereveiledning_gjennomfort"
    unknown = await kval.post("/api/v1/kompetanse", headers=w, json=registration(5, "2017-03-05", formal=["salg"]))
    assert is_problem(unknown, 422) and "kartlegging, karriereveiledning, bosetting, kvalifisering" in \
        unknown.json()["feil"][0]["melding"]


async def test_a_municipality_sees_a_registration_only_with_consent_to_share_with_it(kval, token):  # noqa: F811
    w = bearer(token(WRITE))
    shared = registration(1, "2017-03-05", samtykke_deling=True, kommunenummer="1201")
    r = await kval.post("/api/v1/kompetanse", json=shared, headers=w)
    ref = r.json()["person_ref"]
    private = registration(2, "2017-03-05", kommunenummer="1201")  # no consent: cannot be shared
    assert is_problem(await kval.post("/api/v1/kompetanse", json=private, headers=w), 422)
    withheld = (await kval.post("/api/v1/kompetanse", json=registration(3, "2017-03-05"), headers=w)).json()
    bergen, oslo = bearer(token(READ, kommune="1201")), bearer(token(READ, kommune="0301"))
    assert (await kval.get(f"/api/v1/kompetanse/{ref}", headers=bergen)).status_code == 200
    assert is_problem(await kval.get(f"/api/v1/kompetanse/{ref}", headers=oslo), 404)
    assert is_problem(await kval.get(f"/api/v1/kompetanse/{withheld['person_ref']}", headers=bergen), 404)
    assert (await kval.get(f"/api/v1/kompetanse/{withheld['person_ref']}", headers=bearer(token(READ)))).status_code \
        == 200
    assert is_problem(await kval.post("/api/v1/kompetanse", json=shared, headers=bearer(token(WRITE, kommune="1201"))),
                      403)
