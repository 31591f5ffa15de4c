"""kvalifisering's tables. A person is known by the pseudonymous reference shared with bosetting (``person_ref``);
free text stays here and never goes into an event."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import JSON, Date, Integer, MetaData, String, Text, UniqueConstraint
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from shared.audit import audit_table
from shared.types import NAMING, UtcDateTime, utc_now


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)


class Opplaering(Base):
    """A person's right and duty to training in Norwegian and social studies, in one municipality."""

    __tablename__ = "opplaering"

    person_ref: Mapped[str] = mapped_column(String(34), primary_key=True)
    ekstern_id: Mapped[str | None] = mapped_column(String(100), unique=True)
    kilde: Mapped[str] = mapped_column(String(16))  # bosetting (opened by a settlement event) | saksbehandling
    kommunenummer: Mapped[str] = mapped_column(String(4), index=True)
    kjonn: Mapped[str] = mapped_column(String(1))
    fodselsar: Mapped[int | None] = mapped_column(Integer)
    grunnlag: Mapped[str] = mapped_column(String(24))
    rett_fra: Mapped[date] = mapped_column(Date)
    tilbud_dato: Mapped[date | None] = mapped_column(Date)
    start_dato: Mapped[date | None] = mapped_column(Date)
    timer_norsk: Mapped[int] = mapped_column(Integer, default=0)
    timer_samfunnskunnskap: Mapped[int] = mapped_column(Integer, default=0)
    fritak_arsak: Mapped[str | None] = mapped_column(String(32))
    oppfylt_dato: Mapped[date | None] = mapped_column(Date)
    oppfylt_grunnlag: Mapped[str | None] = mapped_column(String(8))
    versjon: Mapped[int] = mapped_column(default=1)
    endret: Mapped[datetime] = mapped_column(UtcDateTime, default=utc_now, onupdate=utc_now)


class Introdeltaker(Base):
    """A participant in the introduction programme in one municipality."""

    __tablename__ = "introdeltaker"

    person_ref: Mapped[str] = mapped_column(String(34), primary_key=True)
    ekstern_id: Mapped[str | None] = mapped_column(String(100), unique=True)
    kommunenummer: Mapped[str] = mapped_column(String(4), index=True)
    kjonn: Mapped[str] = mapped_column(String(1))
    kategori: Mapped[str] = mapped_column(String(24))
    start_dato: Mapped[date] = mapped_column(Date)
    planlagt_slutt: Mapped[date] = mapped_column(Date)
    elementer: Mapped[list] = mapped_column(JSON, default=list)
    avbrudd: Mapped[list] = mapped_column(JSON, default=list)  # leave and stops: [{type, fra, til}]
    avsluttet_dato: Mapped[date | None] = mapped_column(Date)
    avslutningsarsak: Mapped[str | None] = mapped_column(String(24))
    status_ett_ar_etter: Mapped[str | None] = mapped_column(String(12))
    versjon: Mapped[int] = mapped_column(default=1)
    endret: Mapped[datetime] = mapped_column(UtcDateTime, default=utc_now, onupdate=utc_now)


class IntroprogramAr(Base):
    """What was last published for a municipality's programme in a year (SP6), so unchanged figures publish
    nothing."""

    __tablename__ = "introprogram_ar"

    kommunenummer: Mapped[str] = mapped_column(String(4), primary_key=True)
    ar: Mapped[int] = mapped_column(Integer, primary_key=True)
    deltakere: Mapped[int] = mapped_column(Integer)
    med_grunnskole_eller_vgs: Mapped[int] = mapped_column(Integer)


class Kommuneundersokelse(Base):
    """A municipality's answer to the year's municipality survey. ``fritekst`` never leaves the service."""

    __tablename__ = "kommuneundersokelse"

    kommunenummer: Mapped[str] = mapped_column(String(4), primary_key=True)
    ar: Mapped[int] = mapped_column(Integer, primary_key=True)
    tilbyr_egne_innbyggere: Mapped[bool]
    tilbyr_andre_kommuner: Mapped[bool]
    har_resultatmal: Mapped[bool]
    tolkeretningslinjer_med_register: Mapped[bool]
    fritekst: Mapped[str | None] = mapped_column(Text)
    versjon: Mapped[int] = mapped_column(default=1)
    endret: Mapped[datetime] = mapped_column(UtcDateTime, default=utc_now, onupdate=utc_now)


class JobbsjansenProsjekt(Base):
    """A Jobbsjansen project (part A, B or C) run by a municipality or a county authority."""

    __tablename__ = "jobbsjansen_prosjekt"

    prosjekt_id: Mapped[str] = mapped_column(String(100), primary_key=True)
    del_: Mapped[str] = mapped_column("del", String(1))
    eiertype: Mapped[str] = mapped_column(String(16))  # kommune | fylkeskommune
    eier: Mapped[str] = mapped_column(String(4))  # kommunenummer or fylkesnummer
    tilskudd_ref: Mapped[str] = mapped_column(String(100))
    periode_fra: Mapped[date] = mapped_column(Date)
    periode_til: Mapped[date] = mapped_column(Date)
    versjon: Mapped[int] = mapped_column(default=1)


class JobbsjansenDeltaker(Base):
    """A participant in a Jobbsjansen project; a person takes part in each part at most once."""

    __tablename__ = "jobbsjansen_deltaker"
    __table_args__ = (UniqueConstraint("person_ref", "del", name="uq_jobbsjansen_deltaker_person_del"),)

    id: Mapped[int] = mapped_column(primary_key=True, autoincrement=True)
    ekstern_id: Mapped[str | None] = mapped_column(String(100), unique=True)
    prosjekt_id: Mapped[str] = mapped_column(String(100), index=True)
    del_: Mapped[str] = mapped_column("del", String(1))
    person_ref: Mapped[str] = mapped_column(String(34))
    kjonn: Mapped[str] = mapped_column(String(1))
    start_dato: Mapped[date] = mapped_column(Date)
    slutt_dato: Mapped[date | None] = mapped_column(Date)
    utfall: Mapped[str | None] = mapped_column(String(12))
    versjon: Mapped[int] = mapped_column(default=1)


class Mottaksbeboer(Base):
    """A resident of an integration reception centre (O7): arrival, and when a full-time individually adapted
    programme was offered."""

    __tablename__ = "mottaksbeboer"

    person_ref: Mapped[str] = mapped_column(String(34), primary_key=True)
    ekstern_id: Mapped[str | None] = mapped_column(String(100), unique=True)
    mottak: Mapped[str] = mapped_column(String(40), index=True)
    ankomst_dato: Mapped[date] = mapped_column(Date)
    tilbud_dato: Mapped[date | None] = mapped_column(Date)
    versjon: Mapped[int] = mapped_column(default=1)


class Publisert(Base):
    """The last progress figure published under a key (O7 by month and centre, O8's milestone), so an unchanged
    figure publishes nothing."""

    __tablename__ = "publisert_fremdrift"

    nokkel: Mapped[str] = mapped_column(String(120), primary_key=True)
    verdi: Mapped[dict] = mapped_column(JSON)


class Kompetanseregistrering(Base):
    """A person's self-registered competence (O5/O6): what was registered, for which purposes, and whether the
    person consented to sharing it with the settlement municipality. Nothing of it leaves the service."""

    __tablename__ = "kompetanseregistrering"

    person_ref: Mapped[str] = mapped_column(String(34), primary_key=True)
    mottak: Mapped[str] = mapped_column(String(40))
    registrert_dato: Mapped[date] = mapped_column(Date)
    formal: Mapped[list] = mapped_column(JSON, default=list)
    samtykke_deling: Mapped[bool]
    kommunenummer: Mapped[str | None] = mapped_column(String(4), index=True)
    utdanning: Mapped[str | None] = mapped_column(String(24))
    sprak: Mapped[list] = mapped_column(JSON, default=list)
    arbeidserfaring: Mapped[str | None] = mapped_column(Text)
    karriereveiledning_tilbudt: Mapped[date | None] = mapped_column(Date)
    karriereveiledning_gjennomfort: Mapped[date | None] = mapped_column(Date)
    versjon: Mapped[int] = mapped_column(default=1)


class Malgruppe(Base):
    """The size of the target group for competence self-registration in a month (O5/O6's denominator)."""

    __tablename__ = "kompetanse_malgruppe"

    periode: Mapped[str] = mapped_column(String(7), primary_key=True)
    antall: Mapped[int] = mapped_column(Integer)


revisjonslogg = audit_table(Base.metadata)
"""Reads and changes of person-level records (who, what, when, why): append-only, see :mod:`shared.audit`."""
