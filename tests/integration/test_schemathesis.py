"""schemathesis against every service's OpenAPI document (the app's own, in process on SQLite): for every
operation, generated requests with a token that may call it. No answer may be a 5xx, and every 4xx is
problem+json. Bounded to a few examples per operation to keep `make test` fast."""

from __future__ import annotations

import os

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from starlette.testclient import TestClient

from shared.auth import ensure_dev_keypair, issue_token
from tests.conftest import service_settings

SERVICES = ("bosetting", "kvalifisering", "tolkeregister", "tilskudd", "rapportering")
EXAMPLES = int(os.environ.get("IMDI_SCHEMATHESIS_EXAMPLES", "8"))
EVERY_SCOPE = [f"imdi:{s}.{m}" for s in ("bosetting", "kvalifisering", "tolkeregister", "tilskudd", "rapport")
               for m in ("read", "write")] + ["imdi:rapport.intern"]


def _check(response, label: str) -> str | None:
    if response.status_code >= 500:
        return f"{label}: {response.status_code}"
    if 400 <= response.status_code < 500 and response.status_code != 405 and not response.headers.get(
            "content-type", "").startswith("application/problem+json"):
        return f"{label}: {response.status_code} {response.headers.get('content-type')}"
    return None


def _fuzz(client: TestClient, operation, token: str, failures: list[str]) -> None:
    label = f"{operation.method.upper()} {operation.path}"

    @settings(max_examples=EXAMPLES, deadline=None, database=None, derandomize=True,
              suppress_health_check=list(HealthCheck))
    @given(case=operation.as_strategy())
    def run(case):
        kwargs = case.as_transport_kwargs(base_url="http://testserver", headers={"Authorization": f"Bearer {token}"})
        kwargs.pop("cookies", None)
        if problem := _check(client.request(**kwargs), label):
            failures.append(problem)

    run()


@pytest.mark.parametrize("service", SERVICES)
def test_no_5xx_and_every_4xx_is_problem_json(service, tmp_path):
    keys = tmp_path / "keys"
    private, _ = ensure_dev_keypair(keys)
    token = issue_token(private.read_bytes(), scopes=EVERY_SCOPE, subject="schemathesis")
    cfg = service_settings(service, db_url=f"sqlite+aiosqlite:///{tmp_path / 'db.sqlite'}", bootstrap="127.0.0.1:1",
                           keys=keys, var_dir=tmp_path, kafka_enabled=False)
    app = __import__(f"{service}.main", fromlist=["build"]).build(cfg)
    failures: list[str] = []
    with TestClient(app, raise_server_exceptions=False) as client:
        schema = schemathesis.openapi.from_dict(client.get("/openapi.json").json())
        operations = [op.ok() for op in schema.get_all_operations()]
        for operation in operations:
            _fuzz(client, operation, token, failures)
    assert len(operations) > 0
    assert not failures, sorted(set(failures))[:20]
