"""The embedded run: the Tansu broker and the five services on SQLite files under ``var/``."""

from __future__ import annotations

import errno
import os
import signal
import socket
import subprocess
import sys
import time
import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

import httpx

from shared.auth import ensure_dev_keypair
from shared.broker import EmbeddedBroker, die_with_parent, wait_for_port

DEFAULT_PORT_BASE = 8000  # the services get base+1 … base+5
DEFAULT_BROKER_PORT = 9092
RUN_HEADER = "x-imdi-run"  # each child answers with its own token, so readiness is checked against our child


@dataclass(frozen=True)
class ServiceSpec:
    name: str
    port: int

    @property
    def app(self) -> str:
        return f"{self.name}.main:app"


SERVICES = (
    ServiceSpec("bosetting", 8001),
    ServiceSpec("kvalifisering", 8002),
    ServiceSpec("tolkeregister", 8003),
    ServiceSpec("tilskudd", 8004),
    ServiceSpec("rapportering", 8005),
)


def ports_from_base(base: int, services: Iterable[ServiceSpec] = SERVICES) -> dict[str, int]:
    """The services' ports for ``IMDI_PORT_BASE``/``--port-base``: bosetting base+1 … rapportering base+5."""
    return {spec.name: base + spec.port - DEFAULT_PORT_BASE for spec in services}


class PortBusy(RuntimeError):
    def __init__(self, port: int, owner: str) -> None:
        super().__init__(f"port {port} ({owner}) is in use")
        self.port = port
        self.owner = owner


def check_ports_free(ports: dict[str, int], host: str = "127.0.0.1") -> None:
    """Raise ``PortBusy`` for the first port another process listens on (``ports``: owner name → port)."""
    for owner, port in ports.items():
        with socket.socket() as probe:
            probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # as uvicorn does: TIME_WAIT is free
            try:
                probe.bind((host, port))
            except OSError as exc:
                if exc.errno == errno.EADDRINUSE:
                    raise PortBusy(port, owner) from None
                raise


def service_env(name: str, *, var_dir: Path, bootstrap: str, database_url: str | None = None,
                extra: dict[str, str] | None = None) -> dict[str, str]:
    env = dict(os.environ)
    env.update({
        "IMDI_SERVICE_NAME": name,
        "IMDI_VAR_DIR": str(var_dir),
        "IMDI_KAFKA_BOOTSTRAP": bootstrap,
        "IMDI_AUTH_PUBLIC_KEY_FILE": str(var_dir / "dev-signing-key.pub.pem"),
    })
    if database_url:
        env["IMDI_DATABASE_URL"] = database_url
    env.update(extra or {})
    return env


def start_service(spec: ServiceSpec, port: int, env: dict[str, str], log_file: Path,
                  run_token: str = "") -> subprocess.Popen:
    """A uvicorn child that dies with its parent and stamps every response with ``run_token``."""
    out = open(log_file, "ab")  # noqa: SIM115 - the child owns it
    return subprocess.Popen(
        [sys.executable, "-m", "uvicorn", "--factory", spec.app, "--host", "127.0.0.1", "--port", str(port),
         "--no-access-log", "--timeout-graceful-shutdown", "10", "--header", f"{RUN_HEADER}:{run_token}"],
        stdout=out, stderr=subprocess.STDOUT, env=env, start_new_session=True, preexec_fn=die_with_parent,
    )


def wait_ready(url: str, timeout: float, proc: subprocess.Popen | None = None, run_token: str | None = None) -> None:
    """Until ``url`` is ready; with ``run_token``, only an answer carrying it counts (not another process's)."""
    deadline = time.monotonic() + timeout
    last = None
    while time.monotonic() < deadline:
        if proc is not None and proc.poll() is not None:
            raise RuntimeError(f"{url}: the process exited with {proc.returncode}")
        try:
            r = httpx.get(url + "/health/ready", timeout=2)
            if run_token is not None and r.headers.get(RUN_HEADER) != run_token:
                last = "another process answers on this port"
            elif r.status_code == 200:
                return
            else:
                last = r.text
        except httpx.HTTPError as exc:
            last = type(exc).__name__
        time.sleep(0.2)
    raise TimeoutError(f"{url} not ready after {timeout}s: {last}")


def stop_process(proc: subprocess.Popen, timeout: float = 15) -> None:
    if proc.poll() is None:
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(timeout)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(5)


class EmbeddedRun:
    """Broker plus services as child processes; ``stop`` ends them all."""

    def __init__(self, var_dir: Path, broker_port: int = DEFAULT_BROKER_PORT, services=SERVICES,
                 ports: dict[str, int] | None = None, database_urls: dict[str, str] | None = None,
                 extra_env: dict[str, str] | None = None) -> None:
        self.var_dir = var_dir
        self.services = services
        self.ports = ports or ports_from_base(DEFAULT_PORT_BASE, services)
        self.database_urls = database_urls or {}
        self.extra_env = extra_env or {}
        self.broker = EmbeddedBroker(broker_port, log_file=var_dir / "logs" / "broker.log")
        self.procs: dict[str, subprocess.Popen] = {}
        self.run_token = uuid.uuid4().hex

    def check_ports(self) -> None:
        """``PortBusy`` if another process listens on the broker's or a service's port."""
        check_ports_free({"megler": self.broker.port, **{s.name: self.ports[s.name] for s in self.services}})

    def start(self, timeout: float = 60) -> None:
        """Start broker and services; ``PortBusy`` before anything starts if one of their ports is taken."""
        self.check_ports()
        os.umask(0o077)  # var/ holds names and fødselsnummer: files, logs, databases owner-only, children too
        (self.var_dir / "logs").mkdir(parents=True, exist_ok=True)
        if not self.var_dir.stat().st_mode & 0o1000:  # tighten our var/, never a shared sticky dir like /tmp
            self.var_dir.chmod(0o700)
        ensure_dev_keypair(self.var_dir)
        self.broker.start()
        for spec in self.services:
            env = service_env(spec.name, var_dir=self.var_dir, bootstrap=self.broker.bootstrap,
                              database_url=self.database_urls.get(spec.name), extra=self.extra_env)
            self.procs[spec.name] = start_service(spec, self.ports[spec.name], env,
                                                  self.var_dir / "logs" / f"{spec.name}.log", self.run_token)
        for spec in self.services:
            wait_for_port("127.0.0.1", self.ports[spec.name], timeout)
            wait_ready(f"http://127.0.0.1:{self.ports[spec.name]}", timeout, self.procs[spec.name], self.run_token)

    def stop(self) -> None:
        for proc in self.procs.values():
            if proc.poll() is None:
                proc.send_signal(signal.SIGTERM)
        for proc in self.procs.values():
            stop_process(proc)
        self.procs.clear()
        self.broker.stop()
