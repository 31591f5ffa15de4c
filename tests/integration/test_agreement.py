"""SP1–SP3 computed by bosetting agree exactly with rapportering's, for the same data, through Kafka."""

from __future__ import annotations

import json
import random
from datetime import date, timedelta

from sqlalchemy import select

from rapportering.models import places
from shared.geo import kommuner_2017
from tests.conftest import bearer, eventually

PERIODS = ["2016", "2017", "2017-H1", "2017-H2", "2017-01", "2017-06", "2017-12"]


def random_cases(n: int, seed: int = 2017) -> list[dict]:
    rng = random.Random(seed)
    kommuner = rng.sample(sorted(kommuner_2017()), 40)
    rows = []
    for i in range(n):
        vedtak = date(2016, 6, 1) + timedelta(days=rng.randrange(500))
        if vedtak > date(2017, 12, 31):
            vedtak = date(2017, 12, 31)
        em = rng.random() < 0.15
        row = {"ekstern_id": f"R-{i}", "duf_nummer": f"2016{i:08d}", "kjonn": rng.choice("KM"),
               "fodselsar": vedtak.year - (rng.randrange(8, 18) if em else rng.randrange(0, 60)),
               "kategori": rng.choice(["overforingsflyktning", "asyl", "familiegjenforent"]),
               "enslig_mindrearig": em, "vedtaksdato": vedtak.isoformat()}
        if rng.random() < 0.85:
            bosatt = vedtak + timedelta(days=rng.randrange(5, 420))
            if bosatt <= date(2018, 6, 30):
                row.update(bosettingsdato=bosatt.isoformat(), kommunenummer=rng.choice(kommuner))
        elif rng.random() < 0.6:  # settled themselves, with or without an agreement with the municipality
            closed = vedtak + timedelta(days=rng.randrange(5, 300))
            row.update(avsluttet_dato=closed.isoformat(), kommunenummer=rng.choice(kommuner),
                       avslutningsarsak=rng.choice(["selvbosatt_etter_avtale", "selvbosatt"]))
        rows.append(row)
    return rows


# Boundary cases with their outcome worked out by hand (decision + N calendar months, the day clamped to the
# month's end), independent of shared.settlement_measures. (vedtak, bosatt, EM, SP1 hit, SP2 hit, SP3 hit)
HAND_WORKED = [
    ("2016-08-31", "2017-02-28", False, 1, 1, None),  # last day of 6 months (28 Feb)
    ("2016-08-31", "2017-03-01", False, 0, 1, None),
    ("2016-05-15", "2017-05-15", False, 0, 1, None),  # last day of 12 months
    ("2016-05-15", "2017-05-16", False, 0, 0, None),
    ("2016-02-29", "2017-02-28", False, 0, 1, None),  # a leap day + 12 months
    ("2016-02-29", "2017-03-01", False, 0, 0, None),
    ("2016-11-30", "2017-02-28", True, 1, 1, 1),  # last day of 3 months
    ("2016-11-30", "2017-03-01", True, 1, 1, 0),
    ("2017-01-31", "2017-04-30", True, 1, 1, 1),
    ("2017-01-31", "2017-05-01", True, 1, 1, 0),
]
# The letter's population (section 3.1): asylum and resettlement refugees, settled by a municipality or by
# agreement with one; family-reunified persons and persons settling without an agreement are not counted.
# (vedtak, date, kategori, how: "bosatt" | "selvbosatt_etter_avtale" | "selvbosatt", SP1 hit, SP2 hit)
HAND_WORKED_POPULATION = [
    ("2017-01-10", "2017-03-01", "familiegjenforent", "bosatt", None, None),  # beside, not counted
    ("2017-01-10", "2017-03-01", "asyl", "selvbosatt_etter_avtale", 1, 1),  # the agreement's date counts
    ("2016-08-31", "2017-03-01", "asyl", "selvbosatt_etter_avtale", 0, 1),
    ("2017-01-10", "2017-03-01", "asyl", "selvbosatt", None, None),  # without agreement: not settled by IMDi
    ("2017-01-10", "2017-07-10", "overforingsflyktning", "bosatt", 1, 1),  # last day of 6 months
    ("2017-01-10", "2017-07-11", "overforingsflyktning", "bosatt", 0, 1),
]
HAND_EXPECTED = {"SP1": (5 + 2, 10 + 4), "SP2": (8 + 4, 10 + 4), "SP3": (2, 4)}


def population_rows() -> list[dict]:
    rows = []
    for i, (vedtak, day, kategori, how, *_) in enumerate(HAND_WORKED_POPULATION):
        row = {"ekstern_id": f"HP-{i}", "duf_nummer": f"2015{i:08d}", "kjonn": "KM"[i % 2], "fodselsar": 1985,
               "kategori": kategori, "vedtaksdato": vedtak, "kommunenummer": "1201"}
        if how == "bosatt":
            row["bosettingsdato"] = day
        else:
            row.update(avsluttet_dato=day, avslutningsarsak=how)
        rows.append(row)
    return rows


async def test_both_services_give_the_hand_worked_boundary_figures(system, token):
    bos, rap = system
    write = {**bearer(token("imdi:bosetting.write")), "Content-Type": "application/x-ndjson"}
    rows = [{"ekstern_id": f"H-{i}", "duf_nummer": f"2016{i:08d}", "kjonn": "KM"[i % 2],
             "fodselsar": 2001 if em else 1985, "kategori": "asyl", "enslig_mindrearig": em,
             "vedtaksdato": vedtak, "bosettingsdato": bosatt, "kommunenummer": "0301"}
            for i, (vedtak, bosatt, em, *_) in enumerate(HAND_WORKED)] + population_rows()
    report = (await bos.post("/api/v1/import/saker", content="".join(json.dumps(r) + "\n" for r in rows),
                             headers=write)).json()
    assert report["opprettet"] == len(rows), report["feil"][:3]
    by_hand = {sp: (sum(c[3 + i] or 0 for c in HAND_WORKED), sum(c[3 + i] is not None for c in HAND_WORKED))
               for i, sp in enumerate(("SP1", "SP2", "SP3"))}
    for i, sp in enumerate(("SP1", "SP2")):
        hits = [c[4 + i] for c in HAND_WORKED_POPULATION if c[4 + i] is not None]
        by_hand[sp] = (by_hand[sp][0] + sum(hits), by_hand[sp][1] + len(hits))
    assert by_hand == HAND_EXPECTED

    async def figures(client, scope: str) -> dict:
        out = {}
        for sp in HAND_EXPECTED:
            r = await client.get(f"/api/v1/styringsparametere/{sp}/verdi?periode=2017", headers=bearer(token(scope)))
            out[sp] = (r.json()["teller"], r.json()["nevner"])
        return out

    assert await figures(bos, "imdi:bosetting.read") == HAND_EXPECTED

    async def counted() -> bool:
        return await figures(rap, "imdi:rapport.intern") == HAND_EXPECTED

    await eventually(counted, what="rapportering giving the hand-worked figures")


async def test_bosetting_and_rapportering_agree(system, token):
    bos, rap = system
    write = {**bearer(token("imdi:bosetting.write")), "Content-Type": "application/x-ndjson"}
    rows = random_cases(400)
    body = "".join(json.dumps(r) + "\n" for r in rows).encode()
    report = (await bos.post("/api/v1/import/saker", content=body, headers=write)).json()
    assert report["opprettet"] == 400, report["feil"][:3]
    # corrections: some settlements move to another date and municipality
    rng = random.Random(5)
    corrected = []
    for row in rng.sample([r for r in rows if "bosettingsdato" in r], 30):
        moved = date.fromisoformat(row["bosettingsdato"]) + timedelta(days=rng.randrange(-3, 60))
        row["bosettingsdato"] = max(moved, date.fromisoformat(row["vedtaksdato"])).isoformat()
        row["kommunenummer"] = "0301"
        corrected.append(row)
    body = "".join(json.dumps(r) + "\n" for r in corrected).encode()
    report = (await bos.post("/api/v1/import/saker", content=body, headers=write)).json()
    assert report["endret"] + report["uendret"] == 30 and report["avvist"] == 0
    await bos.put("/api/v1/anmodninger/2017/0301", json={"antall": 100, "herav_em": 10,
                                                        "sendt_dato": "2016-09-15"},
                  headers=bearer(token("imdi:bosetting.write")))

    read_b = bearer(token("imdi:bosetting.read"))
    read_r = bearer(token("imdi:rapport.intern"))

    async def values(client, headers) -> dict:
        out = {}
        for sp in ("SP1", "SP2", "SP3"):
            for period in PERIODS:
                r = await client.get(f"/api/v1/styringsparametere/{sp}/verdi?periode={period}", headers=headers)
                assert r.status_code == 200, r.text
                out[(sp, period)] = r.json()
        return out

    expected = await values(bos, read_b)
    assert expected[("SP1", "2017")]["nevner"] > 100 and expected[("SP3", "2017")]["nevner"] > 5

    async def agree() -> bool:
        return await values(rap, read_r) == expected

    await eventually(agree, timeout=60, what="rapportering agreeing with bosetting")
    actual = await values(rap, read_r)
    for key in expected:
        assert actual[key] == expected[key], key

    async with rap.app.state.db.sessions() as s:
        row = (await s.execute(select(places))).mappings().one()
    assert (row["ar"], row["kommunenummer"], row["anmodet"], row["anmodet_em"], row["vedtatt"]) == (
        2017, "0301", 100, 10, None)
