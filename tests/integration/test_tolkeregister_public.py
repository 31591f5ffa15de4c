"""The public face of tolkeregister on SQLite and PostgreSQL: the search (filters, page cap, rate limit), ID-card
verification, and the leak test: every public endpoint, with data that includes identity numbers, addresses and
complaints, answers only fields on the public list."""

from __future__ import annotations

import re
from datetime import date, timedelta

import pytest

from shared.dates import today_oslo
from tests.conftest import bearer, is_problem, running_app, service_settings
from tests.integration.test_tolkeregister import CAT1, CAT3, CAT4, CAT5, tolk_body

# Every field a public answer may carry (paths; [] is a list item). Nothing else may appear.
PUBLIC_FIELDS = {
    "treff", "side", "per_side", "tolker", "tolker[].navn", "tolker[].sprak", "tolker[].sprak[].sprak",
    "tolker[].sprak[].kategori", "tolker[].fylkesnummer", "tolker[].fylke", "tolker[].kontakt",
    "tolker[].kontakt.telefon", "tolker[].kontakt.epost",
    "kortnummer", "gyldig", "sprak", "sprak[].sprak", "sprak[].kategori",
}
PROBLEM_FIELDS = {"type", "title", "status", "detail", "instance", "feil", "feil[].felt", "feil[].melding"}


def paths(value, prefix: str = "") -> set[str]:
    if isinstance(value, dict):
        out = set()
        for k, v in value.items():
            name = f"{prefix}.{k}" if prefix else k
            out |= {name} | paths(v, name)
        return out
    if isinstance(value, list):
        return set().union(*(paths(v, prefix + "[]") for v in value)) if value else set()
    return set()


@pytest.fixture
async def public_app(db_url_factory, keys, tmp_path):
    async def start(**overrides):
        settings = service_settings("tolkeregister", db_url=await db_url_factory(f"tolk{len(overrides)}"),
                                    bootstrap="127.0.0.1:1", keys=keys, var_dir=tmp_path, kafka_enabled=False,
                                    **{"offentlig_kvote": 10_000, **overrides})
        return running_app("tolkeregister", settings)
    return start


@pytest.fixture
def write(token):
    return bearer(token("imdi:tolkeregister.write"))


async def _tolk(client, write, i: int, **overrides) -> str:
    r = await client.post("/api/v1/tolker", json=tolk_body(i, **overrides), headers=write)
    assert r.status_code == 201, r.text
    return r.json()["id"]


async def _register(client, write) -> dict:
    """Interpreters in several places and categories, one suspended and one removed, with complaints and cards."""
    ids = {
        "bergen_k": await _tolk(client, write, 0, kjonn="K"),  # so: 1, ar: 5
        "bergen_m": await _tolk(client, write, 1, kjonn="M", sprak=[{"sprak": "ti", "bevis": CAT3}]),
        "oslo_k": await _tolk(client, write, 2, kjonn="K", kommunenummer="0301",
                              sprak=[{"sprak": "so", "bevis": CAT5}, {"sprak": "fa", "bevis": CAT4}]),
        "suspendert": await _tolk(client, write, 3, kjonn="M", sprak=[{"sprak": "so", "bevis": CAT1}]),
        "fjernet": await _tolk(client, write, 4, kjonn="K", sprak=[{"sprak": "so", "bevis": CAT1}]),
    }
    await client.post(f"/api/v1/tolker/{ids['suspendert']}/status",
                      json={"status": "suspendert", "dato": "2017-01-10", "arsak": "Klagesak"}, headers=write)
    await client.post(f"/api/v1/tolker/{ids['fjernet']}/status",
                      json={"status": "avregistrert", "dato": "2017-01-10", "arsak": "Flyttet"}, headers=write)
    for who in ids.values():
        r = await client.post(f"/api/v1/tolker/{who}/klager", json={
            "mottatt": "2017-02-01", "klager": "privatperson", "klagetype": "oppforsel",
            "beskrivelse": "HEMMELIG-KLAGETEKST"}, headers=write)
        assert r.status_code == 201
    today = today_oslo()
    cards = {"gyldig": ("KORT000001", ids["bergen_k"], today - timedelta(days=30), today + timedelta(days=700)),
             "utlopt": ("KORT000002", ids["bergen_m"], date(2014, 1, 1), date(2016, 12, 31)),
             "tilbakekalt": ("KORT000003", ids["oslo_k"], today - timedelta(days=30), today + timedelta(days=700)),
             "suspendert": ("KORT000004", ids["bergen_k"], today - timedelta(days=30), today + timedelta(days=700))}
    for number, who, issued, expires in cards.values():
        r = await client.post(f"/api/v1/tolker/{who}/id-kort", json={
            "kortnummer": number, "utstedt": issued.isoformat(), "utloper": expires.isoformat()}, headers=write)
        assert r.status_code == 201, r.text
    await client.post("/api/v1/id-kort/KORT000003/tilbakekall", json={"dato": today.isoformat(), "arsak": "Tapt"},
                      headers=write)
    return {"ids": ids, "cards": {k: v[0] for k, v in cards.items()}}


async def _search(client, **params) -> dict:
    r = await client.get("/api/v1/offentlig/tolker", params=params)
    assert r.status_code == 200, r.text
    return r.json()


async def test_the_search_finds_active_interpreters_by_language_category_gender_and_place(public_app, write):
    async with await public_app() as client:
        await _register(client, write)
        names = lambda result: [t["navn"] for t in result["tolker"]]  # noqa: E731
        assert names(await _search(client)) == ["Tolk Nummer0", "Tolk Nummer1", "Tolk Nummer2"]  # no suspended/removed
        assert names(await _search(client, sprak="so")) == ["Tolk Nummer0", "Tolk Nummer2"]
        assert names(await _search(client, sprak="so", kategori="1")) == ["Tolk Nummer0"]  # that language, that cat.
        assert names(await _search(client, sprak="ar", kategori="1")) == []
        assert names(await _search(client, kjonn="M")) == ["Tolk Nummer1"]
        assert names(await _search(client, fylke="03")) == ["Tolk Nummer2"]
        assert names(await _search(client, kommune="1201", kategori="3")) == ["Tolk Nummer1"]
        first = (await _search(client, sprak="so"))["tolker"][0]
        assert first == {"navn": "Tolk Nummer0", "sprak": [{"sprak": "ar", "kategori": "5"},
                                                          {"sprak": "so", "kategori": "1"}],
                         "fylkesnummer": "12", "fylke": "Hordaland",
                         "kontakt": {"telefon": "+47 400 00 000", "epost": "tolk0@example.no"}}
        bad = await client.get("/api/v1/offentlig/tolker", params={"kjonn": "X"})
        assert is_problem(bad, 422) and bad.json()["feil"][0]["felt"] == "query.kjonn"


async def test_the_id_card_says_valid_or_not_and_its_languages_only(public_app, write):
    async with await public_app() as client:
        data = await _register(client, write)
        await client.post(f"/api/v1/tolker/{data['ids']['bergen_k']}/status", json={
            "status": "suspendert", "dato": today_oslo().isoformat(), "arsak": "Klagesak"}, headers=write)
        answers = {k: (await client.get(f"/api/v1/offentlig/id-kort/{n}")).json() for k, n in data["cards"].items()}
        assert answers["gyldig"]["gyldig"] is False  # its interpreter is now suspended
        await client.post(f"/api/v1/tolker/{data['ids']['bergen_k']}/status", json={
            "status": "aktiv", "dato": today_oslo().isoformat(), "arsak": "Ferdig"}, headers=write)
        valid = (await client.get(f"/api/v1/offentlig/id-kort/{data['cards']['gyldig']}")).json()
        assert valid == {"kortnummer": "KORT000001", "gyldig": True,
                         "sprak": [{"sprak": "ar", "kategori": "5"}, {"sprak": "so", "kategori": "1"}]}
        for kind in ("utlopt", "tilbakekalt"):
            assert answers[kind]["gyldig"] is False and answers[kind]["sprak"] == []
        unknown = (await client.get("/api/v1/offentlig/id-kort/FINNESIKKE1")).json()
        assert unknown == {"kortnummer": "FINNESIKKE1", "gyldig": False, "sprak": []}
        assert is_problem(await client.get("/api/v1/offentlig/id-kort/x%20y"), 422)


def _public_routes(app) -> list[str]:
    return sorted(p for p, ops in app.openapi()["paths"].items() if p.startswith("/api/v1/offentlig") and "get" in ops)


async def test_no_public_answer_carries_a_field_off_the_public_list(public_app, write, token):
    """Every public endpoint (enumerated from the OpenAPI document), with several queries, with and without a
    token: the answer's fields are all on the public list, and no identity number, address or complaint text
    appears anywhere in it."""
    async with await public_app() as client:
        data = await _register(client, write)
        routes = _public_routes(client.app)
        assert routes == ["/api/v1/offentlig/id-kort/{kortnummer}", "/api/v1/offentlig/tolker"]
        async with client.app.state.db.sessions() as s:
            from sqlalchemy import select

            from tolkeregister.models import Tolk
            secrets = [v for row in (await s.execute(select(Tolk.fodselsnummer, Tolk.adresse, Tolk.id,
                                                            Tolk.tolk_ref))).all() for v in row]
        secrets += ["HEMMELIG-KLAGETEKST", "Hemmeligveien", "privatperson", "oppforsel", "Klagesak", "Flyttet"]
        queries = [{}, {"sprak": "so"}, {"kategori": "1"}, {"kjonn": "K"}, {"fylke": "12"}, {"kommune": "0301"},
                   {"per_side": "1", "side": "2"}, {"kjonn": "X"}]
        headers = [{}, bearer(token("imdi:tolkeregister.write"))]
        seen = 0
        for route in routes:
            urls = ([route.replace("{kortnummer}", n) for n in [*data["cards"].values(), "UKJENT0000"]]
                    if "{kortnummer}" in route else [route])
            for url in urls:
                for query in (queries if "{" not in route else [{}]):
                    for h in headers:
                        r = await client.get(url, params=query, headers=h)
                        body = r.json()
                        allowed = PROBLEM_FIELDS if r.status_code >= 400 else PUBLIC_FIELDS
                        assert paths(body) <= allowed, (url, query, paths(body) - allowed)
                        assert not [s for s in secrets if s and s in r.text], (url, query)
                        assert not re.search(r"\b[0-9]{11}\b", r.text), (url, query)  # no identity number at all
                        seen += 1
        assert seen > 20


async def test_the_page_size_is_capped(public_app, write):
    async with await public_app() as client:
        for i in range(55):
            await _tolk(client, write, 10 + i, sprak=[{"sprak": "ur", "bevis": CAT3}])
        page = await _search(client, sprak="ur", per_side=50)
        assert page["treff"] == 55 and len(page["tolker"]) == 50
        rest = await _search(client, sprak="ur", per_side=50, side=2)
        assert len(rest["tolker"]) == 5
        assert {t["navn"] for t in page["tolker"]}.isdisjoint({t["navn"] for t in rest["tolker"]})
        over = await client.get("/api/v1/offentlig/tolker", params={"per_side": 51})
        assert is_problem(over, 422) and over.json()["feil"][0]["felt"] == "query.per_side"


async def test_each_client_is_rate_limited(public_app):
    async with await public_app(offentlig_kvote=5, offentlig_kvote_per_sekund=0.01) as client:
        answers = [(await client.get("/api/v1/offentlig/tolker")).status_code for _ in range(5)]
        assert answers == [200] * 5
        limited = await client.get("/api/v1/offentlig/id-kort/KORT000001")  # one bucket for every public route
        assert is_problem(limited, 429) and int(limited.headers["retry-after"]) >= 1
        client.app.state.public_limit.clock = lambda: 10**9  # much later: the bucket has refilled
        assert (await client.get("/api/v1/offentlig/tolker")).status_code == 200
