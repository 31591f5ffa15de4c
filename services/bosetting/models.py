from __future__ import annotations

import uuid
from datetime import date, datetime

from sqlalchemy import Date, Index, MetaData, String, UniqueConstraint
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from shared.audit import audit_table
from shared.types import NAMING, UtcDateTime, utc_now


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)


class Sak(Base):
    """A settlement case for one person. Names and identifiers never leave this service."""

    __tablename__ = "sak"
    __table_args__ = (Index("ix_sak_status_klar", "status", "klar_dato"),)

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=lambda: str(uuid.uuid4()))
    ekstern_id: Mapped[str | None] = mapped_column(String(100), unique=True)
    duf_nummer: Mapped[str] = mapped_column(String(12), unique=True)
    fodselsnummer: Mapped[str | None] = mapped_column(String(11))
    navn: Mapped[str | None] = mapped_column(String(200))
    person_ref: Mapped[str] = mapped_column(String(34), index=True)
    kjonn: Mapped[str] = mapped_column(String(1))
    fodselsdato: Mapped[date | None] = mapped_column(Date)
    fodselsar: Mapped[int | None]
    kategori: Mapped[str] = mapped_column(String(24))
    enslig_mindrearig: Mapped[bool]
    nedsatt_funksjonsevne: Mapped[bool] = mapped_column(default=False)
    familie_id: Mapped[str | None] = mapped_column(String(100), index=True)

    status: Mapped[str] = mapped_column(String(12))
    vedtaksdato: Mapped[date] = mapped_column(Date)
    klar_dato: Mapped[date | None] = mapped_column(Date)
    utvalgt_dato: Mapped[date | None] = mapped_column(Date)
    utvalgt_kommune: Mapped[str | None] = mapped_column(String(4))
    akseptert_dato: Mapped[date | None] = mapped_column(Date)
    bosettingsdato: Mapped[date | None] = mapped_column(Date, index=True)
    kommunenummer: Mapped[str | None] = mapped_column(String(4), index=True)
    avsluttet_dato: Mapped[date | None] = mapped_column(Date)
    avslutningsarsak: Mapped[str | None] = mapped_column(String(24))

    versjon: Mapped[int] = mapped_column(default=1)
    opprettet: Mapped[datetime] = mapped_column(UtcDateTime, default=utc_now)
    endret: Mapped[datetime] = mapped_column(UtcDateTime, default=utc_now, onupdate=utc_now)


class _Plasser:
    """Settlement places for a municipality and a year, of which EM (a request or a decision)."""

    id: Mapped[int] = mapped_column(primary_key=True, autoincrement=True)
    ar: Mapped[int]
    kommunenummer: Mapped[str] = mapped_column(String(4))
    antall: Mapped[int]
    herav_em: Mapped[int]
    versjon: Mapped[int] = mapped_column(default=1)
    endret: Mapped[datetime] = mapped_column(UtcDateTime, default=utc_now, onupdate=utc_now)


class Anmodning(_Plasser, Base):
    """IMDi's request to a municipality for a year: places, of which EM."""

    __tablename__ = "anmodning"
    __table_args__ = (UniqueConstraint("ar", "kommunenummer", name="uq_anmodning_ar_kommune"),)

    sendt_dato: Mapped[date] = mapped_column(Date)


class Kommunevedtak(_Plasser, Base):
    """The municipality's decision for a year: places it will settle, of which EM."""

    __tablename__ = "kommunevedtak"
    __table_args__ = (UniqueConstraint("ar", "kommunenummer", name="uq_kommunevedtak_ar_kommune"),)

    vedtaksdato: Mapped[date] = mapped_column(Date)


revisjonslogg = audit_table(Base.metadata)
"""Reads and changes of cases (who, what, when, why): append-only, see :mod:`shared.audit`."""
