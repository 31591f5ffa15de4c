"""Async database access for SQLite (aiosqlite) and PostgreSQL (asyncpg); one unit of work per request
or message; Alembic migrations per service, applied on start.

The databases hold names and fødselsnummer: no engine ever logs SQL parameters (``hide_parameters``), and a
SQLite file (with its ``-wal`` and ``-shm``, which SQLite creates with the file's mode) is readable by its
owner only.
"""

from __future__ import annotations

import asyncio
import os
from pathlib import Path

from alembic import command
from alembic.config import Config
from sqlalchemy import event, text
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker, create_async_engine

from shared.events.envelope import Envelope
from shared.events.registry import REGISTRY, EventSpec
from shared.outbox_tables import outbox


class Conflict(Exception):
    """A unique constraint refused the transaction's writes (a concurrent writer got there first)."""


def prepare_sqlite_file(url: str) -> None:
    """Create a SQLite database file and its directory readable by the owner only (0600 in 0700)."""
    if not url.startswith("sqlite"):
        return
    path = url.split("///", 1)[-1].split("?", 1)[0]
    if not path or path == ":memory:":
        return
    file = Path(path)
    if not file.parent.exists():
        file.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    os.close(os.open(file, os.O_CREAT | os.O_WRONLY, 0o600))
    for companion in (file, Path(f"{file}-wal"), Path(f"{file}-shm")):
        if companion.exists():
            companion.chmod(0o600)


def _is_unique_violation(error: IntegrityError) -> bool:
    return getattr(error.orig, "sqlstate", None) == "23505" or "UNIQUE constraint failed" in str(error.orig)


class Database:
    def __init__(self, url: str) -> None:
        self.url = url
        self.is_sqlite = url.startswith("sqlite")
        if self.is_sqlite:
            prepare_sqlite_file(url)
            self.engine: AsyncEngine = create_async_engine(url, connect_args={"timeout": 30}, hide_parameters=True)
            event.listen(self.engine.sync_engine, "connect", _sqlite_pragmas)
        else:
            self.engine = create_async_engine(url, pool_size=10, max_overflow=10, pool_pre_ping=True,
                                              hide_parameters=True)
        self.sessions = async_sessionmaker(self.engine, expire_on_commit=False)

    async def ping(self) -> None:
        async with self.engine.connect() as conn:
            await conn.execute(text("SELECT 1"))

    def unit_of_work(self, *, source_service: str) -> UnitOfWork:
        return UnitOfWork(self, source_service)

    async def dispose(self) -> None:
        await self.engine.dispose()


def _sqlite_pragmas(dbapi_conn, _record) -> None:
    cur = dbapi_conn.cursor()
    cur.execute("PRAGMA journal_mode=WAL")
    cur.execute("PRAGMA synchronous=NORMAL")
    cur.execute("PRAGMA busy_timeout=30000")
    cur.execute("PRAGMA foreign_keys=ON")
    cur.close()


class UnitOfWork:
    """One transaction. Events recorded with :meth:`publish` go to the outbox in the same transaction."""

    def __init__(self, db: Database, source_service: str) -> None:
        self.db = db
        self.source_service = source_service
        self.session: AsyncSession
        self._events: list[tuple[EventSpec, Envelope]] = []
        self._after_commit: list = []

    def on_commit(self, callback) -> None:
        self._after_commit.append(callback)

    async def __aenter__(self) -> UnitOfWork:
        self.session = self.db.sessions()
        await self.session.begin()
        return self

    async def __aexit__(self, exc_type, exc, tb) -> None:
        """Commit (outbox included) or roll back. A unique-constraint violation, in the body or at commit,
        becomes :class:`Conflict`: the caller answers 409 or retries; the database's message (which names
        the clashing value) goes no further."""
        try:
            if exc_type is None:
                await self._write_outbox()
                await self.session.commit()
                for callback in self._after_commit:
                    callback()
            else:
                await self.session.rollback()
        except IntegrityError as error:
            await self.session.rollback()
            if _is_unique_violation(error):
                raise Conflict() from error
            raise
        finally:
            await self.session.close()
        if isinstance(exc, IntegrityError) and _is_unique_violation(exc):
            raise Conflict() from exc

    def publish(self, data, *, subject: str | None = None) -> Envelope:
        """Record an event (a registered schema instance) to be written with this transaction."""
        matching = [s for s in REGISTRY.values() if isinstance(data, s.model)]
        if not matching:
            raise KeyError(f"no event type registered for {type(data).__name__}")
        spec = next((s for s in matching if s.service == self.source_service), None)
        if spec is None:
            raise ValueError(f"{self.source_service} cannot publish {matching[0].type}")
        envelope = Envelope.new(
            source=spec.source,
            type=spec.type,
            subject=subject or spec.key(data),
            data=data.model_dump(mode="json"),
            dataschema=spec.dataschema,
        )
        self._events.append((spec, envelope))
        return envelope

    async def _write_outbox(self) -> None:
        if not self._events:
            return
        rows = [
            {
                "event_id": env.id,
                "topic": spec.topic,
                "key": spec.key(spec.model.model_validate(env.data)),
                "event_type": env.type,
                "occurred_at": env.time,
                "envelope": env.to_json(),
            }
            for spec, env in self._events
        ]
        await self.session.execute(outbox.insert(), rows)
        self._events.clear()


def alembic_config(url: str, migrations_dir: Path) -> Config:
    cfg = Config()
    cfg.set_main_option("script_location", str(migrations_dir))
    cfg.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    return cfg


async def migrate(url: str, migrations_dir: Path) -> None:
    """Bring the database to the newest migration (run in a thread: Alembic's env runs its own loop)."""
    prepare_sqlite_file(url)
    await asyncio.to_thread(command.upgrade, alembic_config(url, migrations_dir), "head")
