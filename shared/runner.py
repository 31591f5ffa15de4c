"""The embedded run: the Tansu broker and the five services on SQLite files under ``var/``."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import httpx

from shared.auth import ensure_dev_keypair
from shared.broker import EmbeddedBroker, wait_for_port


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


def start_service(spec: ServiceSpec, port: int, env: dict[str, str], log_file: Path) -> subprocess.Popen:
    out = open(log_file, "ab")  # noqa: SIM115 - the child owns it
    return subprocess.Popen(
        [sys.executable, "-m", "uvicorn", "--factory", spec.app, "--host", "127.0.0.1", "--port", str(port),
         "--no-access-log", "--timeout-graceful-shutdown", "10"],
        stdout=out, stderr=subprocess.STDOUT, env=env, start_new_session=True,
    )


def wait_ready(url: str, timeout: float, proc: subprocess.Popen | None = None) -> None:
    deadline = time.monotonic() + timeout
    last = None
    while time.monotonic() < deadline:
        if proc is not None and proc.poll() is not None:
            raise RuntimeError(f"{url}: the process exited with {proc.returncode}")
        try:
            r = httpx.get(url + "/health/ready", timeout=2)
            if r.status_code == 200:
                return
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

    def __init__(self, var_dir: Path, broker_port: int = 9092, services=SERVICES,
                 ports: dict[str, int] | None = None, database_urls: dict[str, str] | None = None,
                 extra_env: dict[str, str] | None = None) -> None:
        self.var_dir = var_dir
        self.services = services
        self.ports = ports or {s.name: s.port for s in services}
        self.database_urls = database_urls or {}
        self.extra_env = extra_env or {}
        self.broker = EmbeddedBroker(broker_port, log_file=var_dir / "logs" / "broker.log")
        self.procs: dict[str, subprocess.Popen] = {}

    def start(self, timeout: float = 60) -> None:
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
                                                  self.var_dir / "logs" / f"{spec.name}.log")
        for spec in self.services:
            wait_for_port("127.0.0.1", self.ports[spec.name], timeout)
            wait_ready(f"http://127.0.0.1:{self.ports[spec.name]}", timeout, self.procs[spec.name])

    def stop(self) -> None:
        for proc in self.procs.values():
            if proc.poll() is None:
                proc.send_signal(signal.SIGTERM)
        for proc in self.procs.values():
            stop_process(proc)
        self.procs.clear()
        self.broker.stop()
