"""OAuth2 bearer JWTs with Maskinporten-style scopes (``imdi:<service>.read|write``).

Tokens are verified against a configured issuer: a JWKS URL in production, or a local public key. In the
embedded run, ``imdi token`` signs development tokens with a key kept under ``var/``.
"""

from __future__ import annotations

import logging
import time
import uuid
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Annotated

import jwt
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from fastapi import Depends, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from shared.geo import kommuner_2017
from shared.problems import Problem
from shared.settings import ServiceSettings

log = logging.getLogger(__name__)
ALGORITHMS = ["ES256", "RS256"]
KEY_ALGORITHM = {ec.EllipticCurvePublicKey: "ES256", rsa.RSAPublicKey: "RS256"}
JWKS_CACHE_SECONDS = 300
"""How long the key set is kept. A token with an unknown kid fetches it again (key rotation; at most once per
``jwks_cooldown_seconds``, so unknown kids cannot hammer the issuer); a key the issuer withdrew stops being
accepted after at most this long (no per-key cache, which would keep it for ever)."""


class Claims(BaseModel):
    """The claims a verified token must carry, with their types: anything else is a 401, never a 500.

    ``scope`` is Maskinporten's space-separated string; ``kommunenummer`` (a municipality's token) must be a
    kommune of the 2017 division, so an empty or made-up number never widens what the token sees.
    """

    model_config = ConfigDict(extra="allow", strict=True)

    iss: str
    sub: str = Field(min_length=1)
    aud: str | list[str]
    exp: int | float
    nbf: int | float | None = None
    iat: int | float | None = None
    scope: str = ""
    kommunenummer: str | None = Field(default=None, pattern=r"^[0-9]{4}$")

    @field_validator("kommunenummer")
    @classmethod
    def _known_kommune(cls, value: str | None) -> str | None:
        if value is not None and value not in kommuner_2017():
            raise ValueError("not a kommune of the 2017 division")
        return value


@dataclass(frozen=True)
class Principal:
    subject: str
    scopes: frozenset[str]
    kommunenummer: str | None = None
    """Set for a municipality user: it sees only its own kommune."""
    claims: dict = field(default_factory=dict, compare=False, repr=False)

    def has(self, scope: str) -> bool:
        return scope in self.scopes


class TokenVerifier:
    def __init__(self, settings: ServiceSettings, *, jwks_cooldown_seconds: float = 30) -> None:
        self.settings = settings
        self._jwks = None
        if settings.auth_jwks_url:
            self._jwks = jwt.PyJWKClient(settings.auth_jwks_url, cache_keys=False, lifespan=JWKS_CACHE_SECONDS,
                                         cooldown_duration=jwks_cooldown_seconds, timeout=10)
        self._key = None

    @property
    def fetches_keys(self) -> bool:
        """Whether verifying may fetch the key set over HTTP (PyJWKClient blocks while it does)."""
        return self._jwks is not None

    def _public_key(self, token: str) -> tuple[object, str]:
        """The key to verify ``token`` with, and the one algorithm that key signs with."""
        if self._jwks is not None:
            jwk = self._jwks.get_signing_key_from_jwt(token)
            if jwk.algorithm_name not in ALGORITHMS:
                raise jwt.InvalidKeyError("the JWKS key is not for ES256 or RS256")
            return jwk.key, jwk.algorithm_name
        if self._key is None:
            path = self.settings.auth_public_key_file
            if path is None or not Path(path).exists():
                raise Problem(401, "Tjenesten har ingen nøkkel å verifisere tilgangsnøkler mot.",
                              headers={"WWW-Authenticate": "Bearer"})
            self._key = serialization.load_pem_public_key(Path(path).read_bytes())
        algorithm = next((a for t, a in KEY_ALGORITHM.items() if isinstance(self._key, t)), None)
        if algorithm is None:
            raise jwt.InvalidKeyError("unsupported key type")
        return self._key, algorithm

    def verify(self, token: str) -> Principal:
        try:
            key, algorithm = self._public_key(token)
            raw = jwt.decode(token, key, algorithms=[algorithm], audience=self.settings.auth_audience,
                             issuer=self.settings.auth_issuer, leeway=30,
                             options={"require": ["exp", "iss", "aud", "sub"]})
            claims = Claims.model_validate(raw)
        except jwt.ExpiredSignatureError as exc:
            raise _refused("Tilgangsnøkkelen er utløpt.", exc) from None
        except (jwt.PyJWTError, ValidationError, ValueError, TypeError) as exc:
            raise _refused("Tilgangsnøkkelen er ugyldig.", exc) from None
        return Principal(subject=claims.sub, scopes=frozenset(claims.scope.split()),
                         kommunenummer=claims.kommunenummer, claims=raw)


def _refused(detail: str, exc: BaseException) -> Problem:
    """One short log line (the exception class only: a message could echo the token), and the 401."""
    log.info("token refused", extra={"reason": type(exc).__name__})
    return _unauthorized(detail)


def _unauthorized(detail: str) -> Problem:
    return Problem(401, detail, headers={"WWW-Authenticate": 'Bearer error="invalid_token"'}, slug="ikke-autentisert")


_bearer = HTTPBearer(auto_error=False, description="OAuth2 bearer JWT with imdi:<tjeneste>.read|write scopes")


async def current_principal(
    request: Request, credentials: HTTPAuthorizationCredentials | None = Depends(_bearer)
) -> Principal:
    if credentials is None or credentials.scheme.lower() != "bearer":
        raise Problem(401, "Forespørselen mangler tilgangsnøkkel (Authorization: Bearer …).",
                      headers={"WWW-Authenticate": "Bearer"}, slug="ikke-autentisert")
    verifier: TokenVerifier = request.app.state.verifier
    if verifier.fetches_keys:  # a key-set fetch must not stall every other request on the event loop
        return await run_in_threadpool(verifier.verify, credentials.credentials)
    return verifier.verify(credentials.credentials)


def require_scope(*accepted: str) -> Callable:
    """A dependency that admits a principal holding any of ``accepted`` scopes."""

    async def dependency(principal: Annotated[Principal, Depends(current_principal)]) -> Principal:
        if not any(principal.has(s) for s in accepted):
            raise Problem(403, f"Tilgangsnøkkelen mangler scope {' eller '.join(accepted)}.",
                          slug="mangler-scope", headers={"WWW-Authenticate": f'Bearer scope="{accepted[0]}"'})
        return principal

    return dependency


# --- development tokens ------------------------------------------------------------------------------
def ensure_dev_keypair(var_dir: Path) -> tuple[Path, Path]:
    var_dir.mkdir(parents=True, exist_ok=True)
    private, public = var_dir / "dev-signing-key.pem", var_dir / "dev-signing-key.pub.pem"
    if not private.exists() or not public.exists():
        key = ec.generate_private_key(ec.SECP256R1())
        private.write_bytes(key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                              serialization.NoEncryption()))
        private.chmod(0o600)
        public.write_bytes(key.public_key().public_bytes(serialization.Encoding.PEM,
                                                         serialization.PublicFormat.SubjectPublicKeyInfo))
    return private, public


def issue_token(private_key_pem: bytes, *, scopes: Iterable[str], subject: str = "dev-user",
                issuer: str = "imdi-styring-dev", audience: str = "imdi-styring",
                kommunenummer: str | None = None, ttl_seconds: int = 8 * 3600) -> str:
    now = int(time.time())
    claims = {"iss": issuer, "aud": audience, "sub": subject, "iat": now, "exp": now + ttl_seconds,
              "jti": str(uuid.uuid4()), "scope": " ".join(scopes)}
    if kommunenummer:
        claims["kommunenummer"] = kommunenummer
    key = serialization.load_pem_private_key(private_key_pem, password=None)
    algorithm = "ES256" if isinstance(key, ec.EllipticCurvePrivateKey) else "RS256"
    return jwt.encode(claims, key, algorithm=algorithm)
