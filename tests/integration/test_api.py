"""HTTP contract: auth, validation, problem+json, municipality scoping. SQLite and PostgreSQL."""

from __future__ import annotations

import time
from datetime import datetime

import jwt
import pytest
from cryptography.hazmat.primitives.asymmetric import ec
from sqlalchemy import func, select

from bosetting.models import Sak
from shared.outbox_tables import outbox
from tests.conftest import bearer, case_body, is_problem


async def counts(client) -> tuple[int, int]:
    async with client.app.state.db.sessions() as s:
        saker = (await s.execute(select(func.count()).select_from(Sak))).scalar_one()
        events = (await s.execute(select(func.count()).select_from(outbox))).scalar_one()
    return saker, events


async def test_no_token_is_401(bos):
    r = await bos.post("/api/v1/saker", json=case_body())
    assert is_problem(r, 401)
    assert r.headers["www-authenticate"].startswith("Bearer")
    assert r.json()["title"] == "Ikke autentisert"


async def test_wrong_scope_is_403(bos, token):
    r = await bos.post("/api/v1/saker", json=case_body(), headers=bearer(token("imdi:bosetting.read")))
    assert is_problem(r, 403)
    assert "imdi:bosetting.write" in r.json()["detail"]
    r = await bos.get("/api/v1/saker", headers=bearer(token("imdi:rapport.read")))
    assert is_problem(r, 403)
    assert await counts(bos) == (0, 0)


async def test_forged_and_expired_tokens_are_401(bos, token):
    other_key = ec.generate_private_key(ec.SECP256R1())
    forged = jwt.encode({"iss": "imdi-styring-dev", "aud": "imdi-styring", "sub": "x", "exp": time.time() + 600,
                         "scope": "imdi:bosetting.write"}, other_key, algorithm="ES256")
    r = await bos.post("/api/v1/saker", json=case_body(), headers=bearer(forged))
    assert is_problem(r, 401) and r.json()["detail"] == "Tilgangsnøkkelen er ugyldig."
    good = token("imdi:bosetting.write")
    header, payload, signature = good.split(".")
    tampered = ".".join([header, payload[:-4] + ("AAAA" if payload[-4:] != "AAAA" else "BBBB"), signature])
    assert is_problem(await bos.post("/api/v1/saker", json=case_body(), headers=bearer(tampered)), 401)
    none_alg = jwt.encode({"iss": "imdi-styring-dev", "aud": "imdi-styring", "sub": "x", "exp": time.time() + 600,
                           "scope": "imdi:bosetting.write"}, None, algorithm="none")
    assert is_problem(await bos.post("/api/v1/saker", json=case_body(), headers=bearer(none_alg)), 401)
    assert await counts(bos) == (0, 0)


@pytest.mark.parametrize("change, field", [
    ({"kommunenummer": "9999"}, "kommunenummer"),
    ({"kommunenummer": "5001"}, "kommunenummer"),  # Trondheim from 2018; in 2017 it was 1601
    ({"bosettingsdato": "2016-12-31"}, "(hele forespørselen)"),
    ({"ukjent_felt": "x"}, "ukjent_felt"),
    ({"duf_nummer": "12345"}, "duf_nummer"),
    ({"duf_nummer": "189912345678"}, "duf_nummer"),
    ({"vedtaksdato": "2017-02-30"}, "vedtaksdato"),
    ({"kjonn": "X"}, "kjonn"),
    ({"kommunenummer": None}, "(hele forespørselen)"),
])
async def test_invalid_input_is_422_and_changes_nothing(bos, token, change, field):
    r = await bos.post("/api/v1/saker", json=case_body(**change), headers=bearer(token("imdi:bosetting.write")))
    assert is_problem(r, 422), r.text
    assert r.json()["title"] == "Ugyldige data"
    assert field in [f["felt"] for f in r.json()["feil"]]
    assert await counts(bos) == (0, 0)


async def test_problem_text_never_echoes_identifiers(bos, token):
    r = await bos.post("/api/v1/saker", json=case_body(duf_nummer="18991234567X"),
                       headers=bearer(token("imdi:bosetting.write")))
    assert is_problem(r, 422) and "18991234567X" not in r.text


async def test_settlement_before_decision_via_stage_endpoint_is_422(bos, token):
    write = bearer(token("imdi:bosetting.write"))
    sak = (await bos.post("/api/v1/saker", json=case_body(bosettingsdato=None, kommunenummer=None),
                          headers=write)).json()
    r = await bos.post(f"/api/v1/saker/{sak['id']}/stadier", headers=write,
                       json={"stadium": "bosatt", "dato": "2016-01-01", "kommunenummer": "0301"})
    assert is_problem(r, 422)
    assert r.json()["feil"] == [{"felt": "dato", "melding": "Datoen for bosatt kan ikke være før vedtaksdato."}]
    assert await counts(bos) == (1, 1)  # the case and its sak-registrert event; nothing from the refused change


async def test_duplicate_case_is_409(bos, token):
    write = bearer(token("imdi:bosetting.write"))
    assert (await bos.post("/api/v1/saker", json=case_body(), headers=write)).status_code == 201
    r = await bos.post("/api/v1/saker", json=case_body(), headers=write)
    assert is_problem(r, 409)
    assert await counts(bos) == (1, 2)  # sak-registrert and person-bosatt from the first only


async def test_municipality_sees_only_its_own_kommune(bos, token):
    write = bearer(token("imdi:bosetting.write"))
    oslo = (await bos.post("/api/v1/saker", json=case_body("201612345611"), headers=write)).json()
    bergen = (await bos.post("/api/v1/saker", json=case_body("201612345612", kommunenummer="1201"),
                             headers=write)).json()
    municipality = bearer(token("imdi:bosetting.read", kommune="1201"))
    listed = (await bos.get("/api/v1/saker", headers=municipality)).json()
    assert [s["id"] for s in listed["saker"]] == [bergen["id"]]
    assert (await bos.get(f"/api/v1/saker/{oslo['id']}", headers=municipality)).status_code == 404
    assert (await bos.get(f"/api/v1/saker/{bergen['id']}", headers=municipality)).status_code == 200
    r = await bos.post("/api/v1/saker", json=case_body("201612345613"),
                       headers=bearer(token("imdi:bosetting.write", kommune="1201")))
    assert is_problem(r, 403)


async def test_event_carries_no_personal_identifier(bos, token):
    await bos.post("/api/v1/saker", json=case_body("201612345699"), headers=bearer(token("imdi:bosetting.write")))
    async with bos.app.state.db.sessions() as s:
        envelopes = list((await s.execute(select(outbox.c.envelope))).scalars())
    assert len(envelopes) == 2
    for envelope in envelopes:
        assert "201612345699" not in envelope
        assert '"person_ref":"p-' in envelope


async def test_health_and_metrics(bos):
    assert (await bos.get("/health/live")).json() == {"status": "ok"}
    assert (await bos.get("/health/ready")).status_code == 200
    metrics = await bos.get("/metrics")
    assert "imdi_http_requests_total" in metrics.text


async def test_timestamps_read_back_with_offset(bos, token):
    write = bearer(token("imdi:bosetting.write"))
    created = await bos.post("/api/v1/saker", json=case_body(), headers=write)
    read = (await bos.get(created.headers["location"], headers=write)).json()
    for field in ("opprettet", "endret"):
        parsed = datetime.fromisoformat(read[field])
        assert parsed.utcoffset() is not None, read[field]
    assert read["vedtaksdato"] == "2017-01-10"
