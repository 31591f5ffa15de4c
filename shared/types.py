"""Column types that behave the same on PostgreSQL and SQLite, and the naming every service's tables share."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import DateTime
from sqlalchemy.types import TypeDecorator

NAMING = {"ix": "ix_%(column_0_label)s", "uq": "uq_%(table_name)s_%(column_0_name)s",
          "ck": "ck_%(table_name)s_%(constraint_name)s", "fk": "fk_%(table_name)s_%(column_0_name)s",
          "pk": "pk_%(table_name)s"}
"""Constraint and index names (``MetaData(naming_convention=NAMING)``): the services' migrations name them so."""


def utc_now() -> datetime:
    """The default for ``opprettet``/``endret`` columns."""
    return datetime.now(UTC)


class UtcDateTime(TypeDecorator):
    """A timestamp with time zone. SQLite stores no offset and hands back naive values: store UTC, read UTC,
    so the API always answers ISO 8601 with an offset whichever database is behind it."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect):
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime: timestamps must carry an offset")
        return value.astimezone(UTC)

    def process_result_value(self, value: datetime | None, dialect):
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value
