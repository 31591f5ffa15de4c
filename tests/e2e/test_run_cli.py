"""`imdi run` as a newcomer starts it: a port already taken stops it at once, naming the port; readiness
counts only the processes this run started; a killed run leaves nothing listening on its ports."""

from __future__ import annotations

import http.server
import os
import random
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from shared.runner import PortBusy, check_ports_free, wait_ready

pytestmark = pytest.mark.e2e


def _imdi_run(tmp_path, port_base: int, broker_port: int) -> tuple[subprocess.CompletedProcess, float]:
    started = time.monotonic()
    done = subprocess.run([sys.executable, "-m", "shared.cli", "run", "--var-dir", str(tmp_path),
                           "--port-base", str(port_base), "--broker-port", str(broker_port)],
                          capture_output=True, text=True, timeout=60, env={**os.environ, "COLUMNS": "200"})
    return done, time.monotonic() - started


@pytest.mark.parametrize("taken", ["rapportering", "megler"])
def test_run_with_a_port_taken_stops_at_once_and_names_it(tmp_path, taken):
    port_base, broker_port = _free_ports_below_ephemeral()
    port = broker_port if taken == "megler" else port_base + 5  # rapportering is base+5
    with socket.socket() as other:
        other.bind(("127.0.0.1", port))
        other.listen()
        done, seconds = _imdi_run(tmp_path, port_base, broker_port)
    assert done.returncode != 0
    assert seconds < 5
    assert f"Port {port} ({taken}) er allerede i bruk" in done.stderr
    assert "IMDI_PORT_BASE" in done.stderr and "--broker-port" in done.stderr
    assert not (tmp_path / "logs").exists()  # nothing was started


def test_readiness_ignores_another_process_on_the_port():
    class Healthy(http.server.BaseHTTPRequestHandler):
        def do_GET(self):
            self.send_response(200)
            self.end_headers()

        def log_message(self, *args):
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Healthy)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    url = f"http://127.0.0.1:{server.server_address[1]}"
    try:
        wait_ready(url, timeout=2)  # without a token any healthy answer counts
        with pytest.raises(TimeoutError, match="another process"):
            wait_ready(url, timeout=1.5, run_token="this-run")
    finally:
        server.shutdown()
        server.server_close()


def _free_ports_below_ephemeral() -> tuple[int, int]:
    """A port base whose five ports and a broker port are free, below the ephemeral range, so that no
    client connection's port (or its TIME_WAIT) lands on them meanwhile."""
    while True:
        base = random.randrange(20000, 30000, 10)
        try:
            check_ports_free({f"p{i}": base + i for i in range(1, 7)})
            return base, base + 6
        except PortBusy:
            continue


def _listening(port: int) -> bool:
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=1):
            return True
    except OSError:
        return False


def _ready_run(tmp_path) -> tuple[subprocess.Popen, list[int]]:
    """`imdi run` as its own process on free ports, once it says it is ready; with the broker's and services' ports."""
    port_base, broker_port = _free_ports_below_ephemeral()
    run = subprocess.Popen([sys.executable, "-m", "shared.cli", "run", "--var-dir", str(tmp_path),
                            "--port-base", str(port_base), "--broker-port", str(broker_port)],
                           stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True,
                           env={**os.environ, "COLUMNS": "200"})
    try:
        for line in run.stderr:
            if "Klar etter" in line:
                break
    except BaseException:
        run.kill()
        raise
    return run, [broker_port, *(port_base + i for i in range(1, 6))]


def test_killed_run_leaves_no_process_on_its_ports(tmp_path):
    """`imdi run` killed outright (SIGKILL: no chance to clean up) takes its broker and services with it."""
    run, ports = _ready_run(tmp_path)
    try:
        assert all(_listening(p) for p in ports)
    finally:
        run.kill()
        run.wait(10)
    deadline = time.monotonic() + 20
    while held := [p for p in ports if _listening(p)]:
        assert time.monotonic() < deadline, f"ports {held} still listened on after the run was killed"
        time.sleep(0.2)


def _children(pid: int) -> list[int]:
    """The process's children, read per thread (a thread may end between listing and reading: skip it)."""
    out = []
    for task in os.listdir(f"/proc/{pid}/task"):
        try:
            out += [int(c) for c in Path(f"/proc/{pid}/task/{task}/children").read_text().split()]
        except FileNotFoundError:
            continue
    return out


def test_a_crashed_service_is_reported_and_the_run_stops_cleanly(tmp_path):
    """The supervisor's decision: a service that dies stops the whole run (exit 1, the service named, its log
    pointed to), rather than restarting it behind the operator's back; nothing is left on the ports."""
    run, ports = _ready_run(tmp_path)
    try:
        tilskudd = next(pid for pid in _children(run.pid)
                        if "tilskudd.main:app" in open(f"/proc/{pid}/cmdline").read())
        os.kill(tilskudd, 9)
        assert run.wait(30) == 1
        rest = run.stderr.read()
    finally:
        if run.poll() is None:
            run.kill()
    assert "tilskudd stoppet (-9)" in rest and "logs/tilskudd.log" in rest
    assert not [p for p in ports if _listening(p)], "the others stopped with it"
