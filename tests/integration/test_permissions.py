"""What a municipality's token may do in bosetting, on SQLite and PostgreSQL (the in-process app).

A municipality (a token with ``kommunenummer``) sees only the cases settled in or proposed to it, accepts and
settles the persons proposed to it, registers its own kommunevedtak and sees its own queue and gap. Everything
else (registering or correcting cases, other stages, moving families, requests, national measures) is IMDi's:
403 problem+json, and nothing is written.
"""

from __future__ import annotations

import logging

import jwt
import pytest
from cryptography.hazmat.primitives import serialization
from sqlalchemy import func, select

from bosetting.models import Sak
from shared.outbox_tables import outbox
from tests.conftest import bearer, case_body, is_problem

BERGEN, OSLO = "1201", "0301"


@pytest.fixture
def imdi(token) -> dict[str, str]:
    return bearer(token("imdi:bosetting.write"))


@pytest.fixture
def bergen(token) -> dict[str, str]:
    return bearer(token("imdi:bosetting.write", kommune=BERGEN))


async def written(client) -> tuple[int, int]:
    async with client.app.state.db.sessions() as s:
        return ((await s.execute(select(func.count()).select_from(Sak))).scalar_one(),
                (await s.execute(select(func.count()).select_from(outbox))).scalar_one())


async def proposed(bos, imdi, duf: str, kommune: str = BERGEN, **fields) -> dict:
    """A case proposed (utvalgt) to ``kommune`` by IMDi."""
    sak = (await bos.post("/api/v1/saker", json=case_body(duf, bosettingsdato=None, kommunenummer=None, **fields),
                          headers=imdi)).json()
    r = await bos.post(f"/api/v1/saker/{sak['id']}/stadier", headers=imdi,
                       json={"stadium": "utvalgt", "dato": "2017-02-01", "kommunenummer": kommune})
    assert r.status_code == 200, r.text
    return r.json()


@pytest.mark.parametrize("change", [
    {"stadium": "klar", "dato": "2017-02-02"},
    {"stadium": "utvalgt", "dato": "2017-02-02", "kommunenummer": BERGEN},
    {"stadium": "avsluttet", "dato": "2017-02-02", "arsak": "trukket"},
    {"stadium": "avsluttet", "dato": "2017-02-02", "arsak": "selvbosatt", "kommunenummer": BERGEN},
], ids=["klar", "utvalgt", "avsluttet", "selvbosatt"])
async def test_a_municipality_may_not_make_imdis_stage_changes(bos, imdi, bergen, change):
    sak = await proposed(bos, imdi, "201612348801")
    before = await written(bos)
    r = await bos.post(f"/api/v1/saker/{sak['id']}/stadier", json=change, headers=bergen)
    assert is_problem(r, 403), r.text
    assert await written(bos) == before


async def test_a_municipality_accepts_and_settles_only_what_is_proposed_to_it(bos, imdi, bergen, token):
    ours = await proposed(bos, imdi, "201612348811")
    theirs = await proposed(bos, imdi, "201612348812", kommune=OSLO)
    settled_here = (await bos.post("/api/v1/saker", json=case_body("201612348813", kommunenummer=BERGEN),
                                   headers=imdi)).json()  # registered settled, never proposed
    before = await written(bos)
    accept = {"stadium": "akseptert", "dato": "2017-02-10"}
    assert is_problem(await bos.post(f"/api/v1/saker/{theirs['id']}/stadier", json=accept, headers=bergen), 404)
    correct = {"stadium": "bosatt", "dato": "2017-05-03", "kommunenummer": BERGEN}
    assert is_problem(await bos.post(f"/api/v1/saker/{settled_here['id']}/stadier", json=correct,
                                     headers=bergen), 403)
    read_only = bearer(token("imdi:bosetting.read", kommune=BERGEN))
    assert is_problem(await bos.post(f"/api/v1/saker/{ours['id']}/stadier", json=accept, headers=read_only), 403)
    assert await written(bos) == before
    r = await bos.post(f"/api/v1/saker/{ours['id']}/stadier", json=accept, headers=bergen)
    assert r.status_code == 200 and r.json()["status"] == "akseptert"


async def test_a_municipality_may_not_patch_even_its_own_case(bos, imdi, bergen):
    created = await bos.post("/api/v1/saker", json=case_body("201612348821", kommunenummer=BERGEN), headers=imdi)
    url = f"/api/v1/saker/{created.json()['id']}"
    assert (await bos.get(url, headers=bergen)).status_code == 200
    before = await written(bos)
    r = await bos.patch(url, json={"kjonn": "M"}, headers={**bergen, "If-Match": created.headers["etag"]})
    assert is_problem(r, 403)
    assert await written(bos) == before
    assert (await bos.get(url, headers=imdi)).json()["kjonn"] == "K"


async def test_a_municipality_may_not_move_a_family_and_sees_only_its_own(bos, imdi, bergen):
    for duf in ("201612348831", "201612348832"):
        await proposed(bos, imdi, duf, familie_id="FAM-B")
    await proposed(bos, imdi, "201612348833", kommune=OSLO, familie_id="FAM-O")
    before = await written(bos)
    for family in ("FAM-B", "FAM-O"):
        r = await bos.post(f"/api/v1/familier/{family}/stadier", headers=bergen,
                           json={"stadium": "akseptert", "dato": "2017-02-10"})
        assert is_problem(r, 403), family
    assert await written(bos) == before
    own = await bos.get("/api/v1/familier/FAM-B", headers=bergen)
    assert own.status_code == 200 and own.json()["antall"] == 2
    assert is_problem(await bos.get("/api/v1/familier/FAM-O", headers=bergen), 404)


async def test_a_municipality_sees_only_its_own_queue(bos, imdi, bergen):
    await proposed(bos, imdi, "201612348851")
    await proposed(bos, imdi, "201612348852", kommune=OSLO)
    await bos.post("/api/v1/saker", json=case_body("201612348853", bosettingsdato=None, kommunenummer=None),
                   headers=imdi)
    ko = (await bos.get("/api/v1/ko?per_dato=2017-06-30", headers=bergen)).json()
    assert (ko["antall"], ko["etter_status"]) == (1, {"utvalgt": 1})
    assert (await bos.get("/api/v1/ko?per_dato=2017-06-30", headers=imdi)).json()["antall"] == 3


@pytest.mark.parametrize("path", [
    "/api/v1/styringsparametere/SP1/verdi?periode=2017",
    "/api/v1/ventetid?periode=2017",
    "/api/v1/flaskehalser?periode=2017",
    "/api/v1/anmodninger/2017/avvik?niva=fylke",
    "/api/v1/anmodninger/2017/avvik?niva=land",
])
async def test_national_figures_are_imdis(bos, bergen, path):
    assert is_problem(await bos.get(path, headers=bergen), 403)


async def test_requests_are_imdis_and_decisions_the_municipalitys_own(bos, imdi, bergen):
    anmodning = {"antall": 50, "herav_em": 5, "sendt_dato": "2016-09-15"}
    vedtak = {"antall": 40, "herav_em": 4, "vedtaksdato": "2016-12-01"}
    for kommune in (BERGEN, OSLO):
        assert (await bos.put(f"/api/v1/anmodninger/2017/{kommune}", json=anmodning, headers=imdi)).status_code == 200
    assert (await bos.put(f"/api/v1/kommunevedtak/2017/{OSLO}", json=vedtak, headers=imdi)).status_code == 200
    before = await written(bos)
    assert is_problem(await bos.put(f"/api/v1/anmodninger/2017/{BERGEN}", json=anmodning, headers=bergen), 403)
    assert is_problem(await bos.put(f"/api/v1/kommunevedtak/2017/{OSLO}", json=vedtak, headers=bergen), 403)
    assert await written(bos) == before
    assert (await bos.put(f"/api/v1/kommunevedtak/2017/{BERGEN}", json=vedtak, headers=bergen)).status_code == 200

    for path in ("/api/v1/anmodninger/2017", "/api/v1/kommunevedtak/2017"):
        seen = (await bos.get(path, headers=bergen)).json()
        assert [row["kommunenummer"] for row in seen] == [BERGEN], path
        assert len((await bos.get(path, headers=imdi)).json()) == 2, path
    gap = (await bos.get("/api/v1/anmodninger/2017/avvik?niva=kommune", headers=bergen)).json()
    assert {row["omrade"] for row in gap["rader"]} == {BERGEN}


async def test_a_municipality_cannot_register_or_import_cases(bos, bergen):
    assert is_problem(await bos.post("/api/v1/saker", json=case_body(kommunenummer=BERGEN), headers=bergen), 403)
    r = await bos.post("/api/v1/import/saker", content=b'{"ekstern_id":"X-1"}\n',
                       headers={**bergen, "Content-Type": "application/x-ndjson"})
    assert is_problem(r, 403)
    assert await written(bos) == (0, 0)


@pytest.mark.parametrize("tok", [
    "eyJhbGciOiJSUzI1NiJ9.e30.AAAA",  # says RS256 while the key is EC: was a 500 with a 12 KB traceback
    "garbage", "a.b.c.d",
])
async def test_a_malformed_token_is_a_401_problem_and_one_log_line(bos, tok, caplog):
    with caplog.at_level(logging.INFO):
        r = await bos.get("/api/v1/saker", headers=bearer(tok))
    assert is_problem(r, 401) and r.json()["detail"] == "Tilgangsnøkkelen er ugyldig."
    assert not [rec for rec in caplog.records if rec.exc_info or rec.levelno >= logging.ERROR]


@pytest.mark.parametrize("claim", ["", "0", "9999"])
async def test_a_token_with_an_empty_or_unknown_kommune_sees_nothing(bos, imdi, keys, claim):
    await bos.post("/api/v1/saker", json=case_body("201612348841"), headers=imdi)
    key = serialization.load_pem_private_key((keys / "dev-signing-key.pem").read_bytes(), password=None)
    tok = jwt.encode({"iss": "imdi-styring-dev", "aud": "imdi-styring", "sub": "x", "exp": 4102444800,
                      "scope": "imdi:bosetting.read", "kommunenummer": claim}, key, algorithm="ES256")
    r = await bos.get("/api/v1/saker", headers=bearer(tok))
    assert is_problem(r, 401), r.text
