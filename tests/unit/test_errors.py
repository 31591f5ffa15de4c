"""Domain errors at the edge: service layers raise them, one mapping in shared/ answers problem+json."""

from pathlib import Path

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from shared import errors
from shared.problems import install

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.parametrize("error, status", [
    (errors.NotFound("Saken finnes ikke."), 404), (errors.Conflict("Saken finnes allerede.", slug="sak-finnes"), 409),
    (errors.Forbidden("Bare IMDi."), 403), (errors.Invalid.field("dato", "Ugyldig."), 422),
    (errors.Precondition("Endret.", slug="versjonskonflikt"), 412),
    (errors.PreconditionRequired("Mangler If-Match.", slug="mangler-if-match"), 428)])
def test_each_domain_error_is_one_problem_document(error, status):
    app = FastAPI()
    install(app)

    @app.get("/x")
    async def fail():
        raise error

    r = TestClient(app).get("/x")
    assert r.status_code == status and r.headers["content-type"] == "application/problem+json"
    body = r.json()
    assert body["status"] == status and body["detail"] == error.detail and body["instance"] == "/x"
    if isinstance(error, errors.Invalid):
        assert body["detail"] == errors.INVALID_DETAIL and body["feil"] == [{"felt": "dato", "melding": "Ugyldig."}]


def test_no_service_layer_names_an_http_status():
    offenders = [f"{p.relative_to(ROOT)}:{n}" for p in sorted(ROOT.glob("services/*/service.py"))
                 for n, line in enumerate(p.read_text(encoding="utf-8").splitlines(), 1) if "Problem(" in line]
    assert offenders == []
