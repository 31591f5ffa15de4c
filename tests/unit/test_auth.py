"""The token verifier: every refusal is a 401 problem with one short log line, never a 500.

The JWKS path runs against a real HTTP server on 127.0.0.1 whose key set the test rotates.
"""

from __future__ import annotations

import asyncio
import base64
import hashlib
import hmac
import json
import logging
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import SimpleNamespace

import jwt
import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from fastapi.security import HTTPAuthorizationCredentials

from shared.auth import TokenVerifier, current_principal
from shared.problems import Problem
from shared.settings import ServiceSettings

ISSUER, AUDIENCE = "https://idp.test/", "imdi-styring"
KEY = ec.generate_private_key(ec.SECP256R1())
PUBLIC_PEM = KEY.public_key().public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
DROP = object()


def claims(**overrides) -> dict:
    now = int(time.time())
    out = {"iss": ISSUER, "aud": AUDIENCE, "sub": "saksbehandler-1", "iat": now, "exp": now + 600,
           "scope": "imdi:bosetting.read imdi:rapport.read"}
    out.update(overrides)
    return {k: v for k, v in out.items() if v is not DROP}


def sign(key=KEY, algorithm: str = "ES256", headers: dict | None = None, **overrides) -> str:
    return jwt.encode(claims(**overrides), key, algorithm=algorithm, headers=headers)


def b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


@pytest.fixture
def verifier(tmp_path) -> TokenVerifier:
    (tmp_path / "pub.pem").write_bytes(PUBLIC_PEM)
    return TokenVerifier(ServiceSettings(service_name="bosetting", environment="test", auth_issuer=ISSUER,
                                         auth_audience=AUDIENCE, auth_public_key_file=tmp_path / "pub.pem"))


def refused(verifier: TokenVerifier, token: str) -> Problem:
    with pytest.raises(Problem) as err:
        verifier.verify(token)
    assert err.value.status == 401 and err.value.headers["WWW-Authenticate"].startswith("Bearer")
    return err.value


def test_a_valid_token_gives_its_subject_and_scopes(verifier):
    principal = verifier.verify(sign(kommunenummer="1201"))
    assert principal.subject == "saksbehandler-1" and principal.kommunenummer == "1201"
    assert principal.scopes == {"imdi:bosetting.read", "imdi:rapport.read"}


def test_expired_token_is_refused_as_expired(verifier):
    assert refused(verifier, sign(exp=int(time.time()) - 120)).detail == "Tilgangsnøkkelen er utløpt."


@pytest.mark.parametrize("overrides", [
    {"nbf": int(time.time()) + 3600},  # not yet valid
    {"iat": int(time.time()) + 3600},  # issued in the future
    {"iss": "https://evil.test/"},
    {"iss": DROP},
    {"aud": "another-api"},
    {"aud": DROP},
    {"exp": DROP},
    {"sub": DROP},
], ids=["nbf-future", "iat-future", "wrong-iss", "no-iss", "wrong-aud", "no-aud", "no-exp", "no-sub"])
def test_claims_the_verifier_checks(verifier, overrides):
    assert refused(verifier, sign(**overrides)).detail == "Tilgangsnøkkelen er ugyldig."


@pytest.mark.parametrize("overrides", [
    {"kommunenummer": ""}, {"kommunenummer": 0}, {"kommunenummer": "9999"}, {"kommunenummer": 301},
    {"kommunenummer": "5001"}, {"kommunenummer": "0301 "},  # 5001: Trondheim from 2018, not in 2017
    {"scope": 12345}, {"scope": ["imdi:bosetting.read"]}, {"sub": 5}, {"sub": ""},
    {"exp": "i morgen"}, {"exp": True}, {"nbf": "nå"},
], ids=lambda o: f"{next(iter(o))}={next(iter(o.values()))!r}")
def test_claims_of_the_wrong_type_or_empty_are_refused(verifier, overrides):
    refused(verifier, sign(**overrides))


def test_alg_none_is_refused(verifier):
    refused(verifier, jwt.encode(claims(), None, algorithm="none"))


def test_hs256_signed_with_the_public_key_is_refused(verifier):
    header = b64(json.dumps({"alg": "HS256", "typ": "JWT"}).encode())
    signing_input = f"{header}.{b64(json.dumps(claims()).encode())}"
    signature = hmac.new(PUBLIC_PEM, signing_input.encode(), hashlib.sha256).digest()
    refused(verifier, f"{signing_input}.{b64(signature)}")


def test_rs256_signed_with_another_key_type_is_refused(verifier):
    refused(verifier, sign(key=rsa.generate_private_key(public_exponent=65537, key_size=2048), algorithm="RS256"))


@pytest.mark.parametrize("token", [
    "eyJhbGciOiJSUzI1NiJ9.e30.AAAA",  # says RS256 while the key is EC: was a 500 with 12 KB of traceback
    "garbage", "a.b", "a.b.c.d", "...", "",
    f"{b64(b'not json')}.e30.AAAA",
    f"{b64(b'[1,2]')}.e30.AAAA",
    f"{b64(json.dumps({'alg': 'ES256'}).encode())}.{b64(b'not json')}.AAAA",
], ids=["rs256-header-ec-key", "garbage", "two-segments", "four-segments", "empty-segments", "empty",
        "header-not-json", "header-not-object", "payload-not-json"])
def test_malformed_tokens_are_401_with_one_short_log_line(verifier, token, caplog):
    with caplog.at_level(logging.INFO, logger="shared.auth"):
        assert refused(verifier, token).detail == "Tilgangsnøkkelen er ugyldig."
    records = [r for r in caplog.records if r.name == "shared.auth"]
    assert len(records) == 1 and records[0].exc_info is None and len(records[0].getMessage()) < 80


# --- the JWKS path ---------------------------------------------------------------------------------------
class JwksServer:
    """A JWKS endpoint on 127.0.0.1 whose key set the test can change."""

    def __init__(self) -> None:
        self.keys: list[dict] = []
        self.fetches = 0
        self.delay = 0.0
        owner = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:  # noqa: N802 (http.server's name)
                owner.fetches += 1
                time.sleep(owner.delay)
                body = json.dumps({"keys": owner.keys}).encode()
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args) -> None:
                pass

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}/jwks.json"

    def publish(self, *keys: tuple[str, ec.EllipticCurvePrivateKey]) -> None:
        self.keys = [{**json.loads(jwt.algorithms.ECAlgorithm.to_jwk(k.public_key())), "kid": kid, "use": "sig"}
                     for kid, k in keys]


@pytest.fixture
def jwks() -> Iterator[JwksServer]:
    server = JwksServer()
    thread = threading.Thread(target=server.httpd.serve_forever, daemon=True)
    thread.start()
    yield server
    server.httpd.shutdown()
    server.httpd.server_close()


def jwks_verifier(url: str) -> TokenVerifier:
    settings = ServiceSettings(service_name="bosetting", environment="test", auth_issuer=ISSUER,
                               auth_audience=AUDIENCE, auth_jwks_url=url)
    return TokenVerifier(settings, jwks_cooldown_seconds=0)


def test_jwks_key_rotation(jwks):
    old, new = ec.generate_private_key(ec.SECP256R1()), ec.generate_private_key(ec.SECP256R1())
    jwks.publish(("k1", old))
    verifier = jwks_verifier(jwks.url)
    assert verifier.verify(sign(old, headers={"kid": "k1"})).subject == "saksbehandler-1"
    assert verifier.verify(sign(old, headers={"kid": "k1"})).subject == "saksbehandler-1"
    assert jwks.fetches == 1, "the key set is cached"

    jwks.publish(("k2", new))  # the issuer rotates: a new key with a new kid, the old one withdrawn
    assert verifier.verify(sign(new, headers={"kid": "k2"})).subject == "saksbehandler-1"
    assert jwks.fetches == 2, "an unknown kid fetches the key set again"
    refused(verifier, sign(old, headers={"kid": "k1"}))


def test_jwks_refuses_a_key_it_does_not_publish_and_a_kid_signed_by_another_key(jwks):
    published, stranger = ec.generate_private_key(ec.SECP256R1()), ec.generate_private_key(ec.SECP256R1())
    jwks.publish(("k1", published))
    verifier = jwks_verifier(jwks.url)
    refused(verifier, sign(stranger, headers={"kid": "k1"}))
    refused(verifier, sign(stranger, headers={"kid": "unknown"}))
    refused(verifier, sign(published, headers={"kid": "k1"}, iss="https://evil.test/"))
    refused(verifier, "eyJhbGciOiJSUzI1NiJ9.e30.AAAA")


def test_jwks_unreachable_is_401(jwks):
    jwks.httpd.shutdown()
    jwks.httpd.server_close()
    refused(jwks_verifier(jwks.url), sign(headers={"kid": "k1"}))


async def test_a_slow_key_set_fetch_does_not_stall_the_event_loop(jwks):
    key = ec.generate_private_key(ec.SECP256R1())
    jwks.publish(("k1", key))
    jwks.delay = 0.6
    request = SimpleNamespace(app=SimpleNamespace(state=SimpleNamespace(verifier=jwks_verifier(jwks.url))))
    credentials = HTTPAuthorizationCredentials(scheme="Bearer", credentials=sign(key, headers={"kid": "k1"}))
    ticks = 0

    async def ticker() -> None:
        nonlocal ticks
        while True:
            await asyncio.sleep(0.05)
            ticks += 1

    ticking = asyncio.create_task(ticker())
    try:
        principal = await current_principal(request, credentials)
    finally:
        ticking.cancel()
    assert principal.subject == "saksbehandler-1"
    assert ticks >= 5, "other requests must go on while the key set is fetched"
