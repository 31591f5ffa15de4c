"""Tables every service has: the outbox (its event log), the consumer's tracking table, dead letters.

They live in one shared MetaData so the shared relay and consumer can use them; each service's initial
migration creates them with :func:`create_platform_tables`.
"""

from __future__ import annotations

from sqlalchemy import (
    BigInteger,
    Column,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    func,
    text,
)

from shared.types import UtcDateTime

platform_metadata = MetaData()

Seq = BigInteger().with_variant(Integer(), "sqlite")

outbox = Table(
    "outbox",
    platform_metadata,
    Column("seq", Seq, primary_key=True, autoincrement=True),
    Column("event_id", String(64), nullable=False, unique=True),
    Column("topic", String(200), nullable=False),
    Column("key", String(200), nullable=False),
    Column("event_type", String(200), nullable=False),
    Column("occurred_at", UtcDateTime, nullable=False),
    Column("envelope", Text, nullable=False),
    Column("published_at", UtcDateTime, nullable=True),
    Index("ix_outbox_unpublished", "seq", postgresql_where=text("published_at IS NULL"),
          sqlite_where=text("published_at IS NULL")),
)

processed_event = Table(
    "processed_event",
    platform_metadata,
    Column("consumer", String(100), primary_key=True),
    Column("event_id", String(64), primary_key=True),
    Column("event_type", String(200), nullable=False),
    Column("topic", String(200), nullable=False),
    Column("partition", Integer, nullable=False),
    Column("offset", BigInteger, nullable=False),
    Column("processed_at", UtcDateTime, nullable=False, server_default=func.now()),
)

dead_letter = Table(
    "dead_letter",
    platform_metadata,
    Column("id", Seq, primary_key=True, autoincrement=True),
    Column("consumer", String(100), nullable=False),
    Column("topic", String(200), nullable=False),
    Column("partition", Integer, nullable=False),
    Column("offset", BigInteger, nullable=False),
    Column("event_id", String(64), nullable=True),
    Column("event_type", String(200), nullable=True),
    Column("reason", Text, nullable=False),
    Column("created_at", UtcDateTime, nullable=False, server_default=func.now()),
)


def create_platform_tables(op) -> None:
    """Create the platform tables inside an Alembic migration.

    This creates them as defined now. The day a platform table changes, freeze the current definition here as
    explicit DDL in each service's 0001 and add the change as a migration of its own.
    """
    bind = op.get_bind()
    platform_metadata.create_all(bind)


def drop_platform_tables(op) -> None:
    platform_metadata.drop_all(op.get_bind())
