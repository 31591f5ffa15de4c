"""Fixtures: a real Tansu broker per test, real PostgreSQL (a fresh database per test) and SQLite."""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import time
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable
from pathlib import Path

import asyncpg
import httpx
import pytest

from shared.auth import ensure_dev_keypair, issue_token
from shared.broker import EmbeddedBroker
from tests.log_guard import no_personal_data_in_log_files, no_personal_data_in_logs  # noqa: F401 - autouse

PG_DSN = os.environ.get("IMDI_TEST_PG", "postgresql://postgres@127.0.0.1:5432/postgres")
ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture
def broker(tmp_path) -> EmbeddedBroker:
    b = EmbeddedBroker(log_file=tmp_path / "broker.log").start()
    yield b
    b.stop()


class PgDatabases:
    """Creates throw-away PostgreSQL databases and drops them afterwards."""

    def __init__(self) -> None:
        self.created: list[str] = []

    async def create(self, label: str) -> str:
        name = f"imdi_t_{label}_{uuid.uuid4().hex[:10]}"
        conn = await asyncpg.connect(PG_DSN)
        try:
            await conn.execute(f'CREATE DATABASE "{name}"')
        finally:
            await conn.close()
        self.created.append(name)
        return PG_DSN.rsplit("/", 1)[0].replace("postgresql://", "postgresql+asyncpg://") + "/" + name

    async def drop_all(self) -> None:
        conn = await asyncpg.connect(PG_DSN)
        try:
            for name in self.created:
                await conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        finally:
            await conn.close()


@pytest.fixture
async def pg() -> AsyncIterator[PgDatabases]:
    dbs = PgDatabases()
    yield dbs
    await dbs.drop_all()


@pytest.fixture(params=["sqlite", "postgresql"])
def backend(request) -> str:
    return request.param


@pytest.fixture
def db_url_factory(backend, pg, tmp_path) -> Callable[[str], Awaitable[str]]:
    async def make(label: str) -> str:
        if backend == "sqlite":
            return f"sqlite+aiosqlite:///{tmp_path / (label + '.db')}"
        return await pg.create(label)

    return make


@pytest.fixture
def keys(tmp_path) -> Path:
    private, _ = ensure_dev_keypair(tmp_path / "keys")
    return tmp_path / "keys"


@pytest.fixture
def token(keys) -> Callable[..., str]:
    def make(*scopes: str, kommune: str | None = None, subject: str = "test") -> str:
        return issue_token((keys / "dev-signing-key.pem").read_bytes(), scopes=scopes, kommunenummer=kommune,
                           subject=subject)

    return make


def bearer(tok: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {tok}"}


def service_settings(service: str, *, db_url: str, bootstrap: str, keys: Path, var_dir: Path, **overrides):
    module = __import__(f"{service}.config", fromlist=["Settings"])
    return module.Settings(
        environment="test", database_url=db_url, kafka_bootstrap=bootstrap, var_dir=var_dir,
        auth_public_key_file=keys / "dev-signing-key.pub.pem", relay_check_seconds=1.0, **overrides,
    )


@contextlib.asynccontextmanager
async def running_app(service: str, settings) -> AsyncIterator[httpx.AsyncClient]:
    """The service's app in this process with its lifespan (migrations, relay, consumer) running."""
    module = __import__(f"{service}.main", fromlist=["build"])
    app = module.build(settings)
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url=f"http://{service}") as client:
            client.app = app  # type: ignore[attr-defined]
            yield client


@pytest.fixture
async def bos(db_url_factory, keys, tmp_path):
    """bosetting in this process without a broker (API tests: events stay in the outbox)."""
    settings = service_settings("bosetting", db_url=await db_url_factory("bosetting"), bootstrap="127.0.0.1:1",
                                keys=keys, var_dir=tmp_path, kafka_enabled=False)
    async with running_app("bosetting", settings) as client:
        yield client


@pytest.fixture
async def system(broker, db_url_factory, keys, tmp_path):
    """bosetting and rapportering in this process on the test's broker, each with its own database."""
    b = service_settings("bosetting", db_url=await db_url_factory("bosetting"), bootstrap=broker.bootstrap, keys=keys,
                         var_dir=tmp_path)
    r = service_settings("rapportering", db_url=await db_url_factory("rapportering"), bootstrap=broker.bootstrap,
                         keys=keys, var_dir=tmp_path, risk_sweep_seconds=3600)
    async with running_app("bosetting", b) as bos, running_app("rapportering", r) as rap:
        yield bos, rap


async def eventually(check: Callable[[], Awaitable[bool]], timeout: float = 45, interval: float = 0.2,
                     what: str = "condition") -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if await check():
            return
        await asyncio.sleep(interval)
    raise AssertionError(f"{what} not reached within {timeout}s")


def case_body(duf: str = "201612345678", **overrides) -> dict:
    body = {"duf_nummer": duf, "kjonn": "K", "fodselsar": 1990, "enslig_mindrearig": False,
            "vedtaksdato": "2017-01-10", "bosettingsdato": "2017-05-02", "kommunenummer": "0301"}
    body.update(overrides)
    return body


def is_problem(response: httpx.Response, status: int) -> bool:
    return (response.status_code == status
            and response.headers["content-type"].startswith("application/problem+json")
            and json.loads(response.text)["status"] == status)
