"""Read model kept by the consumer. Core tables: the projection writes them in bulk."""

from __future__ import annotations

from sqlalchemy import BigInteger, Boolean, Column, Date, Integer, MetaData, String, Table

from shared.types import UtcDateTime

metadata = MetaData()

settlement = Table(
    "settlement",
    metadata,
    Column("person_ref", String(34), primary_key=True),
    Column("vedtaksdato", Date, nullable=False),
    Column("bosettingsdato", Date, nullable=False),
    Column("kommunenummer", String(4), nullable=False),
    Column("fylkesnummer", String(2), nullable=False),
    Column("kjonn", String(1), nullable=False),
    Column("kategori", String(24), nullable=False),
    Column("enslig_mindrearig", Boolean, nullable=False),
    Column("em_aldersgruppe", String(8), nullable=True),
    Column("event_id", String(64), nullable=False),
    Column("event_time", UtcDateTime, nullable=False),
)

measure_cell = Table(
    "measure_cell",
    metadata,
    Column("measure", String(16), primary_key=True),
    Column("period", String(10), primary_key=True),
    Column("dimension", String(16), primary_key=True),
    Column("value", String(24), primary_key=True),
    Column("numerator", BigInteger, nullable=False),
    Column("denominator", BigInteger, nullable=False),
)

places = Table(
    "places",
    metadata,
    Column("ar", Integer, primary_key=True),
    Column("kommunenummer", String(4), primary_key=True),
    Column("anmodet", Integer, nullable=True),
    Column("anmodet_em", Integer, nullable=True),
    Column("anmodning_event_time", UtcDateTime, nullable=True),
    Column("vedtatt", Integer, nullable=True),
    Column("vedtatt_em", Integer, nullable=True),
    Column("vedtak_event_time", UtcDateTime, nullable=True),
)
