"""Who is looking: the same bearer token and scopes as the API, read from an HttpOnly cookie (or the
Authorization header), and verified by the service's own :class:`shared.auth.TokenVerifier`.

The development login (only where ``environment == "development"``) signs a token with the embedded run's
key, as ``imdi token`` does; it does not exist anywhere else.
"""

from __future__ import annotations

from dataclasses import dataclass

from fastapi import Request
from fastapi.concurrency import run_in_threadpool

from rapportering.views import internal
from rapportering.workflow import APPROVE_SCOPE
from shared.auth import Principal, ensure_dev_keypair, issue_token
from shared.problems import Problem

COOKIE = "imdi_dashbord"
TTL_SECONDS = 8 * 3600


@dataclass(frozen=True)
class Role:
    key: str
    label: str
    scopes: tuple[str, ...]


# The roles the development login offers; a municipality also gets its kommunenummer claim.
ROLES = {r.key: r for r in (
    Role("analytiker", "IMDi-analytiker (les interne tall)", ("imdi:rapport.intern", "imdi:bosetting.read")),
    Role("rapportansvarlig", "IMDi rapportansvarlig (tekster, vurderinger, sender til godkjenning)",
         ("imdi:rapport.write", "imdi:bosetting.read")),
    Role("direktor", "IMDi direktør (godkjenner, sender tilbake og sender til JD)",
         ("imdi:rapport.intern", APPROVE_SCOPE, "imdi:bosetting.read")),
    Role("jd", "Justis- og beredskapsdepartementet (publiserte rapporter)", ("imdi:rapport.read",)),
    Role("kommune", "En kommune (egne bosettingstall)", ("imdi:bosetting.read",)),
)}


def dev_login_enabled(request: Request) -> bool:
    settings = request.app.state.settings
    return settings.environment == "development" and not settings.auth_jwks_url


def dev_token(request: Request, role: Role, kommunenummer: str | None) -> str:
    settings = request.app.state.settings
    private, _ = ensure_dev_keypair(settings.var_dir)
    subject = f"dashbord-{role.key}" + (f"-{kommunenummer}" if kommunenummer else "")
    return issue_token(private.read_bytes(), scopes=role.scopes, subject=subject, issuer=settings.auth_issuer,
                       audience=settings.auth_audience, kommunenummer=kommunenummer, ttl_seconds=TTL_SECONDS)


def _raw_token(request: Request) -> str | None:
    header = request.headers.get("authorization", "")
    if header.lower().startswith("bearer "):
        return header[7:].strip() or None
    return request.cookies.get(COOKIE) or None


async def principal(request: Request) -> Principal | None:
    """The verified principal, or None when there is no token or it is refused (the page asks to log in)."""
    token = _raw_token(request)
    if token is None:
        return None
    verifier = request.app.state.verifier
    try:
        if verifier.fetches_keys:
            return await run_in_threadpool(verifier.verify, token)
        return verifier.verify(token)
    except Problem:
        return None


def is_internal(p: Principal) -> bool:
    """IMDi's own users (live figures, drafts, lineage) — the API's rule, and never a municipality."""
    return p.kommunenummer is None and internal(p)


def is_writer(p: Principal) -> bool:
    return p.kommunenummer is None and p.has("imdi:rapport.write")


def is_approver(p: Principal) -> bool:
    """May approve, send back and send a report (the workflow checks it again, as the API does)."""
    return p.kommunenummer is None and p.has(APPROVE_SCOPE)


def is_reader(p: Principal) -> bool:
    """May read published reports (JD: their suppressed rendering)."""
    return p.kommunenummer is None and any(
        p.has(s) for s in ("imdi:rapport.read", "imdi:rapport.intern", "imdi:rapport.write", APPROVE_SCOPE))


def may_see_kommune(p: Principal, kommunenummer: str) -> bool:
    if p.kommunenummer is not None:
        return p.kommunenummer == kommunenummer
    return is_internal(p)


def home(p: Principal) -> str:
    if p.kommunenummer is not None:
        return f"/dashboard/kommune/{p.kommunenummer}"
    if is_internal(p):
        return "/dashboard/"
    if is_reader(p):
        return "/dashboard/rapporter"
    return "/dashboard/ingen-tilgang"
