from __future__ import annotations

import uuid
from datetime import UTC, date, datetime

from sqlalchemy import Date, MetaData, String
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from shared.types import UtcDateTime

NAMING = {"ix": "ix_%(column_0_label)s", "uq": "uq_%(table_name)s_%(column_0_name)s",
          "ck": "ck_%(table_name)s_%(constraint_name)s", "fk": "fk_%(table_name)s_%(column_0_name)s",
          "pk": "pk_%(table_name)s"}


def _now() -> datetime:
    return datetime.now(UTC)


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)


class Sak(Base):
    """A settlement case for one person. Personal identifiers never leave this table's service."""

    __tablename__ = "sak"

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=lambda: str(uuid.uuid4()))
    duf_nummer: Mapped[str] = mapped_column(String(12), unique=True)
    person_ref: Mapped[str] = mapped_column(String(34), index=True)
    kjonn: Mapped[str] = mapped_column(String(1))
    fodselsar: Mapped[int | None]
    enslig_mindrearig: Mapped[bool]
    vedtaksdato: Mapped[date] = mapped_column(Date)
    bosettingsdato: Mapped[date | None] = mapped_column(Date)
    kommunenummer: Mapped[str | None] = mapped_column(String(4), index=True)
    versjon: Mapped[int] = mapped_column(default=1)
    opprettet: Mapped[datetime] = mapped_column(UtcDateTime, default=_now)
    endret: Mapped[datetime] = mapped_column(UtcDateTime, default=_now, onupdate=_now)
