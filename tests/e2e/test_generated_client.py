"""A case-handling system's view: a Python client generated from the published OpenAPI documents
(docs/openapi/bosetting.json and rapportering.json, with openapi-python-client) runs the settlement flow
against bosetting and rapportering started as separate processes."""

from __future__ import annotations

import importlib
import io
import json
import re
import subprocess
import sys
import time

import pytest

from shared.auth import issue_token
from shared.broker import free_port
from shared.runner import SERVICES, EmbeddedRun
from tests.conftest import ROOT, case_body

pytestmark = pytest.mark.e2e
DOCS = ("bosetting", "rapportering")
# The generator knows JSON, forms, multipart and application/octet-stream bodies; the import's NDJSON and
# CSV bodies are files (format: binary), which a client sends as raw bytes.
CONFIG = """post_hooks: []
content_type_overrides:
  application/x-ndjson: application/octet-stream
  text/csv: application/octet-stream
"""


def _operation_modules(document: dict) -> set[str]:
    """The module the generator writes per operation: its operationId in snake case."""
    return {re.sub(r"_+", "_", op["operationId"].lower()) for path in document["paths"].values()
            for op in path.values()}


@pytest.fixture(scope="session")
def clients(tmp_path_factory) -> dict[str, object]:
    """Generate each client once per session, check the generator left nothing out, and import it."""
    out = tmp_path_factory.mktemp("generated")
    (out / "config.yaml").write_text(CONFIG)
    packages = {}
    for name in DOCS:
        package = f"imdi_{name}_client"
        done = subprocess.run([sys.executable, "-m", "openapi_python_client", "generate", "--path",
                               str(ROOT / "docs" / "openapi" / f"{name}.json"), "--config", str(out / "config.yaml"),
                               "--meta", "none", "--output-path", str(out / package)],
                              capture_output=True, text=True, timeout=300)
        printed = done.stdout + done.stderr
        assert done.returncode == 0, printed
        assert "warning" not in printed.lower(), printed  # e.g. "Endpoint will not be generated"
        document = json.loads((ROOT / "docs" / "openapi" / f"{name}.json").read_text())
        generated = {p.stem for p in (out / package / "api").rglob("*.py")}
        assert _operation_modules(document) <= generated
        packages[name] = package
    sys.path.insert(0, str(out))
    try:
        yield {name: importlib.import_module(package) for name, package in packages.items()}
    finally:
        sys.path.remove(str(out))


def _module(client_package, dotted: str):
    return importlib.import_module(f"{client_package.__name__}.{dotted}")


def test_generated_models_cover_every_schema(clients):
    for name, package in clients.items():
        document = json.loads((ROOT / "docs" / "openapi" / f"{name}.json").read_text())
        models = _module(package, "models")
        assert [s for s in document["components"]["schemas"] if not hasattr(models, s)] == []


def test_generated_client_runs_the_settlement_flow(clients, tmp_path):
    bos, rap = clients["bosetting"], clients["rapportering"]
    services = tuple(s for s in SERVICES if s.name in DOCS)
    run = EmbeddedRun(tmp_path, broker_port=free_port(), services=services,
                      ports={s.name: free_port() for s in services})
    key = tmp_path / "dev-signing-key.pem"
    try:
        run.start(timeout=60)
        writer = bos.AuthenticatedClient(f"http://127.0.0.1:{run.ports['bosetting']}",
                                         token=issue_token(key.read_bytes(), scopes=["imdi:bosetting.write"]))
        models = _module(bos, "models")
        created = _module(bos, "api.saker.create_sak_api_v1_saker_post").sync(
            client=writer, body=models.SakCreate.from_dict(case_body("201612360001")))
        assert isinstance(created, models.SakRead), created

        rows = [case_body(f"2016123601{i:02d}", ekstern_id=f"GEN-{i}") for i in range(4)]
        header = list(rows[0])
        csv = ",".join(header) + "\n" + "".join(
            ",".join("nei" if r[h] is False else str(r[h]) for h in header) + "\n" for r in rows)
        report = _module(bos, "api.saker.import_saker_api_v1_import_saker_post").sync(
            client=writer, body=bos.types.File(payload=io.BytesIO(csv.encode()), file_name="saker.csv"))
        assert isinstance(report, models.ImportRapport), report
        assert (report.opprettet, report.avvist) == (4, 0)

        analyst = rap.AuthenticatedClient(
            f"http://127.0.0.1:{run.ports['rapportering']}",
            token=issue_token(key.read_bytes(), scopes=["imdi:rapport.read", "imdi:rapport.intern"]))
        read_sp = _module(rap, "api.styringsmodell_og_måling.get_value_api_v1_styringsparametere_sp_verdi_get")
        deadline, value = time.monotonic() + 60, None
        while time.monotonic() < deadline:
            value = read_sp.sync("SP1", client=analyst, periode="2017")
            if getattr(value, "nevner", None) == 5:
                break
            time.sleep(0.3)
        assert isinstance(value, _module(rap, "models").MaalVerdi), value
        assert (value.styringsparameter, value.teller, value.nevner, value.andel) == ("SP1", 5, 5, 1.0)
    finally:
        run.stop()
