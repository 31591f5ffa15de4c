"""Real processes for the fault tests: a Tansu broker, bosetting and rapportering as uvicorn children on
PostgreSQL, a steady import load, kill -9 and restart by name, and the checker's verdict at the end."""

from __future__ import annotations

import asyncio
import json
import os
import random
import signal
import subprocess
import threading
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path

import asyncpg
import httpx
from aiokafka import AIOKafkaConsumer

import synth
from checker.core import compare, expected_from_bosetting, periods_of, reported_by_rapportering
from rapportering.projection import HANDLERS
from shared.auth import ensure_dev_keypair, issue_token
from shared.broker import EmbeddedBroker, free_port
from shared.runner import SERVICES, service_env, start_service, stop_process, wait_ready
from synth.bosetting import correction

SPECS = {s.name: s for s in SERVICES}


def asyncpg_dsn(url: str) -> str:
    return url.replace("postgresql+asyncpg://", "postgresql://")


@dataclass
class Instance:
    service: str
    port: int
    env: dict[str, str]
    log: Path
    proc: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"


@dataclass
class System:
    """Broker plus named service instances (``rapportering``, ``rapportering-2``, …) as child processes."""

    var_dir: Path
    database_urls: dict[str, str]
    extra_env: dict[str, str] = field(default_factory=dict)
    broker: EmbeddedBroker | None = None
    instances: dict[str, Instance] = field(default_factory=dict)
    run_token: str = field(default_factory=lambda: uuid.uuid4().hex)

    def start(self, *names: str) -> System:
        (self.var_dir / "logs").mkdir(parents=True, exist_ok=True)
        ensure_dev_keypair(self.var_dir)
        self.broker = EmbeddedBroker(free_port(), log_file=self.var_dir / "logs" / "broker.log").start()
        # a second instance of a service starts after the first has migrated its database (no migration race)
        for group in ([n for n in names if "-" not in n], [n for n in names if "-" in n]):
            for name in group:
                self.add(name)
            for name in group:
                self.wait(name)
        return self

    def add(self, name: str) -> Instance:
        service = name.split("-")[0]
        env = service_env(service, var_dir=self.var_dir, bootstrap=self.broker.bootstrap,
                          database_url=self.database_urls[service],
                          extra={"IMDI_ENVIRONMENT": "test", "IMDI_RELAY_CHECK_SECONDS": "1",
                                 "IMDI_RISK_SWEEP_SECONDS": "3600", **self.extra_env})
        inst = Instance(service, free_port(), env, self.var_dir / "logs" / f"{name}.log")
        self.instances[name] = inst
        self.launch(name)
        return inst

    def launch(self, name: str) -> None:
        inst = self.instances[name]
        inst.proc = start_service(SPECS[inst.service], inst.port, inst.env, inst.log, self.run_token)

    def wait(self, name: str, timeout: float = 90) -> None:
        inst = self.instances[name]
        wait_ready(inst.url, timeout, inst.proc, self.run_token)

    def kill9(self, name: str) -> None:
        proc = self.instances[name].proc
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait(10)

    def freeze(self, name: str, frozen: bool) -> None:
        os.kill(self.instances[name].proc.pid, signal.SIGSTOP if frozen else signal.SIGCONT)

    def restart(self, name: str) -> None:
        self.launch(name)
        self.wait(name)

    def url(self, name: str) -> str:
        return self.instances[name].url

    def token(self, *scopes: str) -> str:
        return issue_token((self.var_dir / "dev-signing-key.pem").read_bytes(), scopes=scopes, subject="fault")

    def stop(self) -> None:
        for inst in self.instances.values():
            if inst.proc is not None:
                stop_process(inst.proc, timeout=10)
        if self.broker:
            self.broker.stop()


def synth_rows(tmp_path: Path, scale: float = 0.02, seed: int = 14) -> tuple[list[bytes], list[bytes]]:
    """A small synthetic year's import lines and its corrections (NDJSON lines)."""
    out = tmp_path / "synth"
    synth.generate(scale, seed, out)
    read = lambda name: (out / "bosetting" / name).read_bytes().splitlines(keepends=True)  # noqa: E731
    rows = read("saker.ndjson")
    return rows, read("korreksjoner.ndjson") + more_corrections(rows, seed)


def more_corrections(rows: list[bytes], seed: int, every: int = 6) -> list[bytes]:
    """Corrections of every ``every``-th settled case outside a family (a family moves together), so that
    redeliveries and restarts meet many replaced settlements."""
    rng, out = random.Random(seed), []
    for line in rows[::every]:
        row = json.loads(line)
        if row.get("bosettingsdato") and not row.get("familie_id") and (fixed := correction(rng, row)):
            out.append(json.dumps(fixed).encode() + b"\n")
    return out


class Load(threading.Thread):
    """Imports the rows in chunks, then the corrections, retrying a chunk until it is accepted (the import is
    idempotent by ekstern_id, so a retry after a kill counts nothing twice). Optionally paces itself."""

    def __init__(self, system: System, rows: list[bytes], corrections: list[bytes], chunk: int = 25,
                 pause: float = 0.05, instance: str = "bosetting") -> None:
        super().__init__(daemon=True)
        self.instance = instance
        self.system, self.chunk, self.pause = system, chunk, pause
        self.batches = [rows[i:i + chunk] for i in range(0, len(rows), chunk)]
        self.batches += [corrections[i:i + chunk] for i in range(0, len(corrections), chunk)]
        self.sent = 0
        self.retries = 0
        self.rejected: list[dict] = []
        self.stop_flag = threading.Event()

    def run(self) -> None:
        headers = {"Authorization": f"Bearer {self.system.token('imdi:bosetting.write')}",
                   "Content-Type": "application/x-ndjson"}
        for batch in self.batches:
            while not self.stop_flag.is_set():
                try:
                    r = httpx.post(self.system.url(self.instance) + "/api/v1/import/saker", content=b"".join(batch),
                                   headers=headers, timeout=30)
                    if r.status_code == 200:
                        self.rejected.extend(r.json()["feil"])
                        break
                except httpx.HTTPError:
                    pass
                self.retries += 1
                time.sleep(0.3)
            self.sent += 1
            time.sleep(self.pause)

    def finish(self, timeout: float = 240) -> None:
        self.join(timeout)
        assert not self.is_alive(), f"load not done after {timeout}s ({self.sent}/{len(self.batches)} chunks)"
        assert not self.rejected, self.rejected[:3]


async def scalar(database_url: str, sql: str) -> int:
    conn = await asyncpg.connect(asyncpg_dsn(database_url))
    try:
        return await conn.fetchval(sql)
    finally:
        await conn.close()


def differences(system: System, rapportering: str = "rapportering") -> list:
    expected = asyncio.run(expected_from_bosetting(system.database_urls["bosetting"]))
    headers = {"Authorization": f"Bearer {system.token('imdi:rapport.intern')}"}
    with httpx.Client(base_url=system.url(rapportering), headers=headers, timeout=30) as client:
        reported = reported_by_rapportering(client, periods_of({2016, 2017}))
    return compare(expected, reported)


async def lost_events(system: System) -> int:
    """bosetting's outbox events that rapportering has not recorded as processed (across databases)."""
    types = ", ".join(f"'{t}'" for t in sorted(HANDLERS))  # the types rapportering applies (others it skips)
    bos = await _ids(system.database_urls["bosetting"], f"SELECT event_id FROM outbox WHERE event_type IN ({types})")
    rap = await _ids(system.database_urls["rapportering"],
                     "SELECT event_id FROM processed_event WHERE topic = 'imdi.bosetting.v1'")
    return len(bos - rap)


async def _ids(database_url: str, sql: str) -> set[str]:
    conn = await asyncpg.connect(asyncpg_dsn(database_url))
    try:
        return {r[0] for r in await conn.fetch(sql)}
    finally:
        await conn.close()


def settle(system: System, timeout: float = 120, rapportering: str = "rapportering") -> None:
    """Wait until rapportering has processed every outbox event and the checker finds no difference."""
    deadline = time.monotonic() + timeout
    diffs: list = []
    lost = -1
    while time.monotonic() < deadline:
        lost = asyncio.run(lost_events(system))
        if lost == 0:
            diffs = differences(system, rapportering)
            if not diffs:
                return
        time.sleep(1)
    raise AssertionError(f"not settled after {timeout}s: {lost} events not processed, {len(diffs)} cells differ, "
                         f"e.g. {diffs[:3]}")


def shuffled(items: list, seed: int = 14) -> list:
    items = list(items)
    random.Random(seed).shuffle(items)
    return items


def dumps(obj) -> bytes:
    return json.dumps(obj).encode()


async def read_topic(bootstrap: str, topic: str) -> list:
    """Every message on ``topic`` from the start, until three polls in a row bring nothing."""
    consumer = AIOKafkaConsumer(topic, bootstrap_servers=bootstrap, auto_offset_reset="earliest",
                                enable_auto_commit=False)
    await consumer.start()
    try:
        out, empty = [], 0
        while empty < 3:
            got = [m for ms in (await consumer.getmany(timeout_ms=1000, max_records=5000)).values() for m in ms]
            out.extend(got)
            empty = 0 if got else empty + 1
        return out
    finally:
        await consumer.stop()
