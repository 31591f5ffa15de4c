"""End to end across separately started processes: the Tansu broker and uvicorn service processes."""

from __future__ import annotations

import time
from pathlib import Path

import httpx
import pytest

from shared.auth import issue_token
from shared.broker import free_port
from shared.runner import SERVICES, EmbeddedRun, stop_process
from tests.conftest import case_body

pytestmark = pytest.mark.e2e
BOS_RAP = tuple(s for s in SERVICES if s.name in ("bosetting", "rapportering"))


def _token(var_dir: Path, *scopes: str) -> dict[str, str]:
    tok = issue_token((var_dir / "dev-signing-key.pem").read_bytes(), scopes=scopes)
    return {"Authorization": f"Bearer {tok}"}


def _sp1(run: EmbeddedRun, var_dir: Path) -> dict:
    r = httpx.get(f"http://127.0.0.1:{run.ports['rapportering']}/api/v1/styringsparametere/SP1/verdi",
                  params={"periode": "2017"}, headers=_token(var_dir, "imdi:rapport.intern"), timeout=5)
    assert r.status_code == 200, r.text
    return r.json()


def _wait_for_denominator(run: EmbeddedRun, var_dir: Path, n: int, timeout: float = 90) -> dict:
    deadline = time.monotonic() + timeout
    value = None
    while time.monotonic() < deadline:
        value = _sp1(run, var_dir)
        if value["nevner"] == n:
            return value
        time.sleep(0.3)
    raise AssertionError(f"SP1 denominator never reached {n}: {value}")


def _post_cases(run: EmbeddedRun, var_dir: Path, dufs: list[str]) -> None:
    headers = _token(var_dir, "imdi:bosetting.write")
    with httpx.Client(base_url=f"http://127.0.0.1:{run.ports['bosetting']}", timeout=10) as client:
        for duf in dufs:
            r = client.post("/api/v1/saker", json=case_body(duf), headers=headers)
            assert r.status_code == 201, r.text


async def test_flow_across_processes_on_postgresql(tmp_path, pg):
    urls = {name: await pg.create(name) for name in ("bosetting", "rapportering")}
    run = EmbeddedRun(tmp_path, broker_port=free_port(), services=BOS_RAP,
                      ports={s.name: free_port() for s in BOS_RAP}, database_urls=urls)
    try:
        run.start(timeout=60)
        _post_cases(run, tmp_path, ["201612300001", "201612300002"])
        value = _wait_for_denominator(run, tmp_path, 2)
        assert value["teller"] == 2 and value["andel"] == 1.0
    finally:
        run.stop()


def test_embedded_restart_loses_broker_but_not_figures(tmp_path):
    """Stop everything right after writes, before rapportering can have consumed them; start again."""
    ports = {s.name: free_port() for s in BOS_RAP}
    broker_port = free_port()
    run = EmbeddedRun(tmp_path, broker_port=broker_port, services=BOS_RAP, ports=ports)
    try:
        run.start(timeout=60)
        _post_cases(run, tmp_path, ["201612300101"])
        _wait_for_denominator(run, tmp_path, 1)
        stop_process(run.procs["rapportering"])  # so these twenty are certainly not consumed yet
        _post_cases(run, tmp_path, [f"2016123002{i:02d}" for i in range(20)])
    finally:
        run.stop()  # the broker's memory goes with it

    again = EmbeddedRun(tmp_path, broker_port=broker_port, services=BOS_RAP, ports=ports)
    try:
        again.start(timeout=60)
        value = _wait_for_denominator(again, tmp_path, 21)
        assert value["teller"] == 21
        time.sleep(2)  # and nothing is counted twice once the relays have republished everything
        assert _sp1(again, tmp_path)["nevner"] == 21
    finally:
        again.stop()


def test_import_cli_against_a_running_service(tmp_path):
    import json
    import subprocess
    import sys

    only_bosetting = tuple(s for s in SERVICES if s.name == "bosetting")
    run = EmbeddedRun(tmp_path, broker_port=free_port(), services=only_bosetting,
                      ports={"bosetting": free_port()})
    rows = [case_body(f"2016123500{i:02d}", ekstern_id=f"CLI-{i}") for i in range(30)]
    rows.append(case_body("201612359999", ekstern_id="CLI-bad", kommunenummer="0000"))
    data = tmp_path / "saker.ndjson"
    data.write_text("".join(json.dumps(r) + "\n" for r in rows))
    cli = [sys.executable, "-m", "shared.cli", "import", str(data), "--url",
           f"http://127.0.0.1:{run.ports['bosetting']}", "--var-dir", str(tmp_path)]
    try:
        run.start(timeout=60)
        first = subprocess.run(cli, capture_output=True, text=True, timeout=60)
        assert first.returncode == 1, first.stderr  # one row rejected
        assert json.loads(first.stdout.strip().splitlines()[-1]) == {
            "rader": 31, "opprettet": 30, "endret": 0, "uendret": 0, "avvist": 1}
        assert "linje 31 (CLI-bad)" in first.stderr
        again = subprocess.run(cli, capture_output=True, text=True, timeout=60)
        assert json.loads(again.stdout.strip().splitlines()[-1])["uendret"] == 30
    finally:
        run.stop()


def test_all_five_services_start_and_answer(tmp_path):
    """What `make run` starts: the broker and all five services, each on SQLite under var/."""
    run = EmbeddedRun(tmp_path, broker_port=free_port(), ports={s.name: free_port() for s in SERVICES})
    try:
        run.start(timeout=90)
        every_scope = _token(tmp_path, "imdi:kvalifisering.read", "imdi:tolkeregister.read", "imdi:tilskudd.read",
                             "imdi:rapport.read", "imdi:bosetting.read")
        for spec in SERVICES:
            base = f"http://127.0.0.1:{run.ports[spec.name]}"
            assert httpx.get(base + "/health/ready", timeout=5).status_code == 200, spec.name
            assert httpx.get(base + "/openapi.json", timeout=5).json()["info"]["title"].startswith("IMDi")
            assert (tmp_path / f"{spec.name}.db").exists()
        for name in ("kvalifisering", "tolkeregister", "tilskudd"):
            about = httpx.get(f"http://127.0.0.1:{run.ports[name]}/api/v1/tjeneste", headers=every_scope).json()
            assert about["emne"] == f"imdi.{name}.v1"
        model = httpx.get(f"http://127.0.0.1:{run.ports['rapportering']}/api/v1/styringsmodell/2017",
                          headers=every_scope, timeout=5).json()
        assert len(model["styringsparametere"]) == 12 and len(model["oppdrag"]) == 12
    finally:
        run.stop()
