"""The register's tables. Names, identity numbers, addresses and complaints never leave this service."""

from __future__ import annotations

import uuid
from datetime import date, datetime

from sqlalchemy import JSON, Date, ForeignKey, Index, MetaData, String, Text, UniqueConstraint
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship

from shared.audit import audit_table
from shared.types import NAMING, UtcDateTime, utc_now


def _uuid() -> str:
    return str(uuid.uuid4())


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)


class Tolk(Base):
    """An interpreter in the register. The highest category is derived from the languages (never typed in)."""

    __tablename__ = "tolk"
    # the public search: active interpreters in name order (covering the count and the page)
    __table_args__ = (Index("ix_tolk_status_navn", "status", "navn", "id"),)

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=_uuid)
    ekstern_id: Mapped[str | None] = mapped_column(String(100), unique=True)
    fodselsnummer: Mapped[str] = mapped_column(String(11), unique=True)
    navn: Mapped[str] = mapped_column(String(200), index=True)
    kjonn: Mapped[str] = mapped_column(String(1))
    kommunenummer: Mapped[str] = mapped_column(String(4), index=True)
    fylkesnummer: Mapped[str] = mapped_column(String(2), index=True)
    adresse: Mapped[str | None] = mapped_column(String(300))
    telefon: Mapped[str | None] = mapped_column(String(30))
    epost: Mapped[str | None] = mapped_column(String(200))
    tolk_ref: Mapped[str] = mapped_column(String(34), index=True)

    kategoriordning: Mapped[str] = mapped_column(String(4))
    hoyeste_kategori: Mapped[str] = mapped_column(String(3))
    tre_hoyeste: Mapped[bool]
    status: Mapped[str] = mapped_column(String(12))
    oppfort_dato: Mapped[date] = mapped_column(Date)
    status_dato: Mapped[date] = mapped_column(Date)
    status_arsak: Mapped[str | None] = mapped_column(String(500))

    versjon: Mapped[int] = mapped_column(default=1)
    opprettet: Mapped[datetime] = mapped_column(UtcDateTime, default=utc_now)
    endret: Mapped[datetime] = mapped_column(UtcDateTime, default=utc_now, onupdate=utc_now)

    sprak: Mapped[list[TolkSprak]] = relationship(back_populates="tolk", cascade="all, delete-orphan",
                                                  lazy="selectin", order_by="TolkSprak.sprak")


class TolkSprak(Base):
    """One language of an interpreter: the evidence held and the category it gives (derived)."""

    __tablename__ = "tolk_sprak"
    __table_args__ = (UniqueConstraint("tolk_id", "sprak", name="uq_tolk_sprak_tolk_sprak"),
                      Index("ix_tolk_sprak_sprak_kategori", "sprak", "kategori", "tolk_id"))

    id: Mapped[int] = mapped_column(primary_key=True, autoincrement=True)
    tolk_id: Mapped[str] = mapped_column(ForeignKey("tolk.id", ondelete="CASCADE"), index=True)
    sprak: Mapped[str] = mapped_column(String(3))
    kategori: Mapped[str] = mapped_column(String(3))
    bevis: Mapped[list] = mapped_column(JSON)

    tolk: Mapped[Tolk] = relationship(back_populates="sprak")


class TolkStatus(Base):
    """The history of an interpreter's status: entry, suspensions, reinstatements, removal."""

    __tablename__ = "tolk_status"

    id: Mapped[int] = mapped_column(primary_key=True, autoincrement=True)
    tolk_id: Mapped[str] = mapped_column(ForeignKey("tolk.id", ondelete="CASCADE"), index=True)
    status: Mapped[str] = mapped_column(String(12))
    dato: Mapped[date] = mapped_column(Date)
    arsak: Mapped[str | None] = mapped_column(String(500))
    registrert: Mapped[datetime] = mapped_column(UtcDateTime, default=utc_now)


class IdKort(Base):
    """An interpreter's ID card (R11): issued, expires, and possibly revoked."""

    __tablename__ = "id_kort"

    kortnummer: Mapped[str] = mapped_column(String(20), primary_key=True)
    tolk_id: Mapped[str] = mapped_column(ForeignKey("tolk.id", ondelete="CASCADE"), index=True)
    utstedt: Mapped[date] = mapped_column(Date)
    utloper: Mapped[date] = mapped_column(Date)
    tilbakekalt: Mapped[date | None] = mapped_column(Date)
    tilbakekalt_arsak: Mapped[str | None] = mapped_column(String(500))


class Klage(Base):
    """A complaint about an interpreter (R11): who complained, its type, the decision and its consequence."""

    __tablename__ = "klage"

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=_uuid)
    tolk_id: Mapped[str] = mapped_column(ForeignKey("tolk.id", ondelete="CASCADE"), index=True)
    mottatt: Mapped[date] = mapped_column(Date)
    klager: Mapped[str] = mapped_column(String(20))
    klagetype: Mapped[str] = mapped_column(String(20))
    beskrivelse: Mapped[str | None] = mapped_column(Text)
    avgjort: Mapped[date | None] = mapped_column(Date)
    utfall: Mapped[str | None] = mapped_column(String(20))
    konsekvens: Mapped[str | None] = mapped_column(String(20))


class EtatRetningslinjer(Base):
    """A state agency on the year's list (SP11) and whether its guidelines for ordering interpreters include
    the register. Registered by IMDi."""

    __tablename__ = "etat_retningslinjer"

    organisasjonsnummer: Mapped[str] = mapped_column(String(9), primary_key=True)
    ar: Mapped[int] = mapped_column(primary_key=True)
    navn: Mapped[str] = mapped_column(String(200))
    tolkeretningslinjer_med_register: Mapped[bool]
    versjon: Mapped[int] = mapped_column(default=1)
    endret: Mapped[datetime] = mapped_column(UtcDateTime, default=utc_now, onupdate=utc_now)



class Testresultat(Base):
    """R10: a ToSPoT or bilingual test sitting's results for one language (counts, no persons)."""

    __tablename__ = "testresultat"

    testtype: Mapped[str] = mapped_column(String(12), primary_key=True)
    dato: Mapped[date] = mapped_column(Date, primary_key=True)
    sprak: Mapped[str] = mapped_column(String(3), primary_key=True)
    testet: Mapped[int]
    bestatt: Mapped[int]


class Autorisasjon(Base):
    """R10: state authorisations as interpreter granted in a year for one language (counts, no persons)."""

    __tablename__ = "autorisasjon"

    ar: Mapped[int] = mapped_column(primary_key=True)
    sprak: Mapped[str] = mapped_column(String(3), primary_key=True)
    antall: Mapped[int]


class PublisertNokkeltall(Base):
    """The R10/R11 figures last published, so a change publishes only the figures that moved."""

    __tablename__ = "publisert_nokkeltall"

    ar: Mapped[int] = mapped_column(primary_key=True)
    navn: Mapped[str] = mapped_column(String(40), primary_key=True)
    dimensjon: Mapped[str] = mapped_column(String(16), primary_key=True)
    kategori: Mapped[str] = mapped_column(String(40), primary_key=True)
    antall: Mapped[int]


revisjonslogg = audit_table(Base.metadata)
"""Reads and changes of interpreters, their ID cards and complaints (who, what, when, why): append-only, see
:mod:`shared.audit`."""
