"""Every route of every service × every kind of caller, with the expected answer for each.

The routes are enumerated from the apps themselves, so a new endpoint without an entry in ``ACCESS`` fails the
first test. Municipality-specific refusals inside bosetting (another kommune's case, IMDi-only stage changes)
are in ``test_permissions.py``; here a municipality token is only checked never to be 401 or 5xx.
"""

from __future__ import annotations

import base64
import contextlib
import json
import re
import uuid

import httpx
import jwt
import pytest
from cryptography.hazmat.primitives.asymmetric import ec

from shared.auth import issue_token
from tests.conftest import is_problem, running_app, service_settings

SERVICES = ("bosetting", "kvalifisering", "tolkeregister", "tilskudd", "rapportering")
READ, WRITE = ".read", ".write"

PUBLIC = "offentlig"  # no token needed: every caller, with any token or none, gets an answer (never 401/403/5xx)

# route → the scope family it needs: "<scope>" means that scope (or a wider one: write ⊃ read; for rapportering
# write ⊃ intern ⊃ read)
ACCESS: dict[str, str] = {
    "bosetting GET /api/v1/saker": "bosetting.read",
    "bosetting POST /api/v1/saker": "bosetting.write",
    "bosetting GET /api/v1/saker/{sak_id}": "bosetting.read",
    "bosetting PATCH /api/v1/saker/{sak_id}": "bosetting.write",
    "bosetting POST /api/v1/saker/{sak_id}/stadier": "bosetting.write",
    "bosetting POST /api/v1/familier/{familie_id}/stadier": "bosetting.write",
    "bosetting POST /api/v1/import/saker": "bosetting.write",
    "bosetting PUT /api/v1/anmodninger/{ar}/{kommunenummer}": "bosetting.write",
    "bosetting PUT /api/v1/kommunevedtak/{ar}/{kommunenummer}": "bosetting.write",
    "bosetting GET /api/v1/anmodninger/{ar}/avvik": "bosetting.read",
    "bosetting GET /api/v1/styringsparametere/{sp}/verdi": "bosetting.read",
    "bosetting GET /api/v1/ventetid": "bosetting.read",
    "bosetting GET /api/v1/ko": "bosetting.read",
    "bosetting GET /api/v1/flaskehalser": "bosetting.read",
    "bosetting GET /api/v1/revisjonslogg": "revisjon.read",
    "kvalifisering GET /api/v1/tjeneste": "kvalifisering.read",
    "kvalifisering POST /api/v1/opplaering": "kvalifisering.write",
    "kvalifisering GET /api/v1/opplaering/{person_ref}": "kvalifisering.read",
    "kvalifisering POST /api/v1/introduksjonsprogram/deltakere": "kvalifisering.write",
    "kvalifisering GET /api/v1/introduksjonsprogram/deltakere/{person_ref}": "kvalifisering.read",
    "kvalifisering PUT /api/v1/kommuneundersokelse/{ar}/{kommunenummer}": "kvalifisering.write",
    "kvalifisering GET /api/v1/kommuneundersokelse/{ar}": "kvalifisering.read",
    "kvalifisering PUT /api/v1/jobbsjansen/prosjekter/{prosjekt_id}": "kvalifisering.write",
    "kvalifisering POST /api/v1/jobbsjansen/deltakere": "kvalifisering.write",
    "kvalifisering GET /api/v1/styringsparametere/{sp}/verdi": "kvalifisering.read",
    "kvalifisering POST /api/v1/import/opplaering": "kvalifisering.write",
    "kvalifisering POST /api/v1/import/introduksjonsprogram": "kvalifisering.write",
    "kvalifisering POST /api/v1/integreringsmottak/beboere": "kvalifisering.write",
    "kvalifisering GET /api/v1/integreringsmottak/avvik": "kvalifisering.read",
    "kvalifisering POST /api/v1/kompetanse": "kvalifisering.write",
    "kvalifisering GET /api/v1/kompetanse/{person_ref}": "kvalifisering.read",
    "kvalifisering PUT /api/v1/kompetanse/malgruppe/{periode}": "kvalifisering.write",
    "kvalifisering GET /api/v1/revisjonslogg": "revisjon.read",
    "tolkeregister GET /api/v1/tjeneste": "tolkeregister.read",
    "tolkeregister POST /api/v1/tolker": "tolkeregister.write",
    "tolkeregister POST /api/v1/import/tolker": "tolkeregister.write",
    "tolkeregister GET /api/v1/tolker": "tolkeregister.read",
    "tolkeregister GET /api/v1/tolker/{tolk_id}": "tolkeregister.read",
    "tolkeregister PATCH /api/v1/tolker/{tolk_id}": "tolkeregister.write",
    "tolkeregister POST /api/v1/tolker/{tolk_id}/status": "tolkeregister.write",
    "tolkeregister GET /api/v1/kategoriordning": "tolkeregister.read",
    "tolkeregister POST /api/v1/tolker/{tolk_id}/id-kort": "tolkeregister.write",
    "tolkeregister POST /api/v1/id-kort/{kortnummer}/tilbakekall": "tolkeregister.write",
    "tolkeregister POST /api/v1/tolker/{tolk_id}/klager": "tolkeregister.write",
    "tolkeregister GET /api/v1/tolker/{tolk_id}/klager": "tolkeregister.read",
    "tolkeregister POST /api/v1/klager/{klage_id}/avgjorelse": "tolkeregister.write",
    "tolkeregister PUT /api/v1/etater/{ar}/{organisasjonsnummer}": "tolkeregister.write",
    "tolkeregister GET /api/v1/etater/{ar}": "tolkeregister.read",
    "tolkeregister GET /api/v1/styringsparametere/{sp}/verdi": "tolkeregister.read",
    "tolkeregister PUT /api/v1/tester/{testtype}/{dato}/{sprak}": "tolkeregister.write",
    "tolkeregister PUT /api/v1/bevillinger/{ar}/{sprak}": "tolkeregister.write",
    "tolkeregister GET /api/v1/nokkeltall/{ar}": "tolkeregister.read",
    "tolkeregister GET /api/v1/offentlig/tolker": PUBLIC,
    "tolkeregister GET /api/v1/offentlig/id-kort/{kortnummer}": PUBLIC,
    "tolkeregister GET /api/v1/revisjonslogg": "revisjon.read",
    "tilskudd GET /api/v1/tjeneste": "tilskudd.read",
    "tilskudd GET /api/v1/forbruk/{ar}": "tilskudd.read",
    "tilskudd GET /api/v1/forbruk/{ar}/xlsx": "tilskudd.read",
    "tilskudd PUT /api/v1/ordninger/{ordning_id}": "tilskudd.write",
    "tilskudd GET /api/v1/ordninger": "tilskudd.read",
    "tilskudd GET /api/v1/ordninger/{ordning_id}": "tilskudd.read",
    "tilskudd POST /api/v1/ordninger/{ordning_id}/soknader": "tilskudd.write",
    "tilskudd GET /api/v1/soknader/{soknad_id}": "tilskudd.read",
    "tilskudd POST /api/v1/soknader/{soknad_id}/avslag": "tilskudd.write",
    "tilskudd POST /api/v1/tilsagn": "tilskudd.write",
    "tilskudd GET /api/v1/tilsagn": "tilskudd.read",
    "tilskudd GET /api/v1/tilsagn/{tilsagn_id}": "tilskudd.read",
    "tilskudd POST /api/v1/tilsagn/{tilsagn_id}/utbetalinger": "tilskudd.write",
    "tilskudd POST /api/v1/tilsagn/{tilsagn_id}/annullering": "tilskudd.write",
    "tilskudd POST /api/v1/import/tilsagn": "tilskudd.write",
    "tilskudd POST /api/v1/import/utbetalinger": "tilskudd.write",
    "tilskudd GET /api/v1/rettigheter/{person_ref}": "tilskudd.read",
    "tilskudd PUT /api/v1/rettigheter/{person_ref}/saerskilt-kriterium": "tilskudd.write",
    "tilskudd GET /api/v1/revisjonslogg": "revisjon.read",
    "rapportering GET /api/v1/budsjett": "rapport.intern",
    "rapportering GET /api/v1/bosetting/stadier/{ar}": "rapport.intern",
    "rapportering GET /api/v1/styringsmodell/{ar}": "rapport.read",
    "rapportering GET /api/v1/styringsparametere/{sp}/verdi": "rapport.intern",
    "rapportering GET /api/v1/styringsparametere/{sp}/verdi/hendelser": "rapport.intern",
    "rapportering GET /api/v1/styringsparametere": "rapport.intern",
    "rapportering GET /api/v1/oppdrag": "rapport.intern",
    "rapportering POST /api/v1/oppdrag/{ar}/{oppdrag}/milepaeler/{milepael}": "rapport.write",
    "rapportering GET /api/v1/oppdrag/{ar}/{oppdrag}/milepaeler/{milepael}/historikk": "rapport.intern",
    "rapportering POST /api/v1/risikovurderinger/{ar}/{objekt}": "rapport.write",
    "rapportering PUT /api/v1/rapporter/{rapporttype}/{periode}/tekster/{krav}": "rapport.write",
    "rapportering GET /api/v1/rapporter": "rapport.read",
    "rapportering GET /api/v1/rapporter/{rapporttype}/{periode}": "rapport.read",
    "rapportering GET /api/v1/rapporter/{rapporttype}/{periode}/versjoner/{versjon}": "rapport.read",
    "rapportering GET /api/v1/rapporter/{rapporttype}/{periode}/versjoner/{versjon}/endringer": "rapport.read",
    "rapportering GET /api/v1/rapporter/{rapporttype}/{periode}/versjoner/{versjon}/statistikk": "rapport.read",
    "rapportering GET /api/v1/rapporter/{rapporttype}/{periode}/versjoner/{versjon}/posisjon": "rapport.intern",
    "rapportering GET /api/v1/rapporter/{rapporttype}/{periode}/utkast": "rapport.intern",
    "rapportering GET /api/v1/rapporter/{rapporttype}/{periode}/arbeidsflyt": "rapport.intern",
    "rapportering POST /api/v1/rapporter/{rapporttype}/{periode}/send-til-godkjenning": "rapport.write",
    "rapportering POST /api/v1/rapporter/{rapporttype}/{periode}/godkjenn": "rapport.godkjenn",
    "rapportering POST /api/v1/rapporter/{rapporttype}/{periode}/avvis": "rapport.godkjenn",
    "rapportering POST /api/v1/rapporter/{rapporttype}/{periode}/send": "rapport.godkjenn",
    "rapportering GET /api/v1/rapportforpliktelser": "rapport.intern",
    "rapportering POST /api/v1/abonnementer": "rapport.read",
    "rapportering GET /api/v1/abonnementer": "rapport.read",
    "rapportering DELETE /api/v1/abonnementer/{abonnement_id}": "rapport.read",
    "rapportering GET /api/v1/abonnementer/{abonnement_id}/leveranser": "rapport.read",
    "rapportering POST /api/v1/abonnementer/{abonnement_id}/leveranser/{leveranse_id}/send-igjen": "rapport.read",
    "bosetting GET /api/v1/familier/{familie_id}": "bosetting.read",
    "bosetting GET /api/v1/anmodninger/{ar}": "bosetting.read",
    "bosetting GET /api/v1/kommunevedtak/{ar}": "bosetting.read",
}

# scopes each kind of caller holds
ROLES: dict[str, tuple[str, ...]] = {
    "saksbehandler": ("imdi:bosetting.write",),
    "bosetting_leser": ("imdi:bosetting.read",),
    "analytiker": ("imdi:rapport.intern",),
    "rapportansvarlig": ("imdi:rapport.write",),
    "jd": ("imdi:rapport.read",),
    "direktor": ("imdi:rapport.godkjenn",),
    "kvalifisering": ("imdi:kvalifisering.read",),
    "tolkeregister": ("imdi:tolkeregister.read",),
    "tilskudd": ("imdi:tilskudd.write",),
    "revisor": ("imdi:revisjon.read",),
}
WIDER = {"rapport.read": ("rapport.read", "rapport.intern", "rapport.write"),
         "rapport.intern": ("rapport.intern", "rapport.write"),
         "rapport.godkjenn": ("rapport.godkjenn",)}  # the director's scope: no other scope implies it
BAD_TOKENS = ("ingen", "utlopt", "feil_utsteder", "feil_publikum", "forfalsket", "alg_none", "sovende")


def allowed(role: str, need: str) -> bool:
    family, kind = need.rsplit(".", 1)
    accepted = WIDER.get(need) or ((need,) if kind == "write" else (need, f"{family}.write"))
    return any(s.removeprefix("imdi:") in accepted for s in ROLES[role])


def bad_token(kind: str, private: bytes) -> str | None:
    scopes = [f"imdi:{s}.{m}" for s in ("bosetting", "kvalifisering", "tolkeregister", "tilskudd", "rapport")
              for m in ("read", "write")] + ["imdi:rapport.intern"]
    if kind == "ingen":
        return None
    if kind == "alg_none":
        head = base64.urlsafe_b64encode(json.dumps({"alg": "none", "typ": "JWT"}).encode()).rstrip(b"=")
        claims = jwt.decode(issue_token(private, scopes=scopes), options={"verify_signature": False})
        body = base64.urlsafe_b64encode(json.dumps(claims).encode()).rstrip(b"=")
        return f"{head.decode()}.{body.decode()}."
    if kind == "forfalsket":
        other = ec.generate_private_key(ec.SECP256R1())
        claims = jwt.decode(issue_token(private, scopes=scopes), options={"verify_signature": False})
        return jwt.encode(claims, other, algorithm="ES256")
    if kind == "sovende":  # not yet valid
        claims = jwt.decode(issue_token(private, scopes=scopes), options={"verify_signature": False})
        from cryptography.hazmat.primitives import serialization
        key = serialization.load_pem_private_key(private, password=None)
        return jwt.encode({**claims, "nbf": claims["iat"] + 3600}, key, algorithm="ES256")
    options = {"utlopt": {"ttl_seconds": -3600}, "feil_utsteder": {"issuer": "someone-else"},
               "feil_publikum": {"audience": "another-api"}}[kind]
    return issue_token(private, scopes=scopes, **options)


def routes(app) -> list[tuple[str, str]]:
    """The app's ``/api/`` operations, from the OpenAPI document it serves (FastAPI includes routers lazily)."""
    return sorted((m.upper(), path) for path, ops in app.openapi()["paths"].items() if path.startswith("/api/")
                  for m in ops)


VALUES = {"ar": "2017", "kommunenummer": "0301", "sp": "SP1", "periode": "2017", "rapporttype": "halvarsrapport",
          "oppdrag": "O1", "milepael": "1", "objekt": "SP1", "krav": "R1", "versjon": "1"}


def concrete(path: str) -> str:
    return re.sub(r"\{(\w+)\}", lambda m: VALUES.get(m.group(1), str(uuid.uuid4())), path)


@pytest.fixture(scope="module")
def anyio_backend():
    return "asyncio"


@contextlib.asynccontextmanager
async def _apps(keys, tmp_path):
    async with contextlib.AsyncExitStack() as stack:
        clients = {}
        for name in SERVICES:
            settings = service_settings(name, db_url=f"sqlite+aiosqlite:///{tmp_path / (name + '.db')}",
                                        bootstrap="127.0.0.1:1", keys=keys, var_dir=tmp_path, kafka_enabled=False)
            clients[name] = await stack.enter_async_context(running_app(name, settings))
        yield clients


async def _call(client: httpx.AsyncClient, method: str, path: str, token: str | None) -> httpx.Response:
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    body = {"json": {}} if method in ("POST", "PUT", "PATCH") else {}
    return await client.request(method, concrete(path), headers=headers, **body)


async def test_every_route_has_an_entry_and_every_caller_gets_the_expected_answer(keys, tmp_path):
    private = (keys / "dev-signing-key.pem").read_bytes()
    async with _apps(keys, tmp_path) as clients:
        enumerated = {f"{name} {m} {p}" for name, c in clients.items() for m, p in routes(c.app)}
        assert enumerated == set(ACCESS), {"uten oppføring": enumerated - set(ACCESS),
                                           "finnes ikke": set(ACCESS) - enumerated}
        wrong = []
        for route, need in sorted(ACCESS.items()):
            service, method, path = route.split(" ", 2)
            client = clients[service]
            if need == PUBLIC:
                for token in [bad_token(kind, private) for kind in BAD_TOKENS] + [
                        issue_token(private, scopes=scopes) for scopes in ROLES.values()]:
                    r = await _call(client, method, path, token)
                    if r.status_code in (401, 403) or r.status_code >= 500:
                        wrong.append((route, "offentlig", r.status_code))
                continue
            for kind in BAD_TOKENS:
                r = await _call(client, method, path, bad_token(kind, private))
                if not is_problem(r, 401):
                    wrong.append((route, kind, r.status_code))
            for role, scopes in ROLES.items():
                r = await _call(client, method, path, issue_token(private, scopes=scopes))
                ok = r.status_code not in (401, 403) and r.status_code < 500
                if (allowed(role, need) and not ok) or (not allowed(role, need) and not is_problem(r, 403)):
                    wrong.append((route, role, r.status_code))
            if service == "bosetting":  # municipality B: its own rules apply, never 401 or 5xx
                r = await _call(client, method, path, issue_token(private, scopes=["imdi:bosetting.write"],
                                                                  kommunenummer="1201"))
                if r.status_code == 401 or r.status_code >= 500:
                    wrong.append((route, "kommune_b", r.status_code))
        assert not wrong, wrong
