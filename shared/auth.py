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
from cryptography.hazmat.primitives.asymmetric import ec
from fastapi import Depends, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from shared.problems import Problem
from shared.settings import ServiceSettings

log = logging.getLogger(__name__)
ALGORITHMS = ["ES256", "RS256"]


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
    def __init__(self, settings: ServiceSettings) -> None:
        self.settings = settings
        self._jwks = jwt.PyJWKClient(settings.auth_jwks_url, cache_keys=True) if settings.auth_jwks_url else None
        self._key = None

    def _public_key(self, token: str):
        if self._jwks is not None:
            return self._jwks.get_signing_key_from_jwt(token).key
        if self._key is None:
            path = self.settings.auth_public_key_file
            if path is None or not Path(path).exists():
                raise Problem(401, "Tjenesten har ingen nøkkel å verifisere tilgangsnøkler mot.",
                              headers={"WWW-Authenticate": "Bearer"})
            self._key = serialization.load_pem_public_key(Path(path).read_bytes())
        return self._key

    def verify(self, token: str) -> Principal:
        try:
            claims = jwt.decode(token, self._public_key(token), algorithms=ALGORITHMS,
                                audience=self.settings.auth_audience, issuer=self.settings.auth_issuer,
                                options={"require": ["exp", "iss", "aud", "sub"]}, leeway=30)
        except jwt.ExpiredSignatureError as exc:
            raise _unauthorized("Tilgangsnøkkelen er utløpt.") from exc
        except (jwt.InvalidTokenError, jwt.PyJWKClientError, ValueError) as exc:
            raise _unauthorized("Tilgangsnøkkelen er ugyldig.") from exc
        scope = claims.get("scope", "")
        scopes = frozenset(scope.split() if isinstance(scope, str) else scope)
        kommune = claims.get("kommunenummer")
        return Principal(subject=str(claims["sub"]), scopes=scopes,
                         kommunenummer=str(kommune) if kommune else None, claims=claims)


def _unauthorized(detail: str) -> Problem:
    return Problem(401, detail, headers={"WWW-Authenticate": 'Bearer error="invalid_token"'}, slug="ikke-autentisert")


_bearer = HTTPBearer(auto_error=False, description="OAuth2 bearer JWT with imdi:<tjeneste>.read|write scopes")


async def current_principal(
    request: Request, credentials: HTTPAuthorizationCredentials | None = Depends(_bearer)
) -> Principal:
    if credentials is None or credentials.scheme.lower() != "bearer":
        raise Problem(401, "Forespørselen mangler tilgangsnøkkel (Authorization: Bearer …).",
                      headers={"WWW-Authenticate": "Bearer"}, slug="ikke-autentisert")
    return request.app.state.verifier.verify(credentials.credentials)


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
