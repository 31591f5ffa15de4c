"""tilskudd's tables. Money is integer øre (BigInteger) everywhere."""

from __future__ import annotations

from sqlalchemy import (
    BigInteger,
    Boolean,
    Column,
    Date,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    UniqueConstraint,
)

from shared.audit import audit_table
from shared.types import NAMING, UtcDateTime

metadata = MetaData(naming_convention=NAMING)

# One row per post and binding of a year's frame (from data/budsjett-<year>.yaml). A decision locks the rows it
# commits against (SELECT … FOR UPDATE) and moves ``forpliktet_ore``: the check and the write are one step.
ramme = Table(
    "ramme", metadata,
    Column("id", String(80), primary_key=True),  # "2017:496.62" or "2017:496.62/gronland-oslo"
    Column("ar", Integer, nullable=False),
    Column("kapittel", Integer, nullable=False),
    Column("post", String(2), nullable=False),
    Column("binding", String(40), nullable=True),
    Column("belop_ore", BigInteger, nullable=True),
    Column("forpliktet_ore", BigInteger, nullable=False),
)

ordning = Table(
    "ordning", metadata,
    Column("id", String(40), primary_key=True),
    Column("ar", Integer, nullable=False),
    Column("navn", String(200), nullable=False),
    Column("kapittel", Integer, nullable=False),
    Column("post", String(2), nullable=False),
    Column("binding", String(40), nullable=True),
    Column("regelverk", Text, nullable=False),
    Column("mottakere", String(16), nullable=False),  # kommune | organisasjon | begge
    Column("soknad_fra", Date, nullable=True),
    Column("soknad_til", Date, nullable=True),
)

soknad = Table(
    "soknad", metadata,
    Column("id", String(36), primary_key=True),
    Column("ordning_id", String(40), nullable=False, index=True),
    Column("kommunenummer", String(4), nullable=True),
    Column("organisasjonsnummer", String(9), nullable=True),
    Column("belop_ore", BigInteger, nullable=False),
    Column("mottatt", Date, nullable=False),
    Column("status", String(12), nullable=False),  # mottatt | innvilget | avslatt
    Column("ekstern_id", String(100), nullable=True, unique=True),  # the source system's id: a resend is no new one
)

tilsagn = Table(
    "tilsagn", metadata,
    Column("id", String(36), primary_key=True),
    Column("ekstern_id", String(100), nullable=True, unique=True),
    Column("soknad_id", String(36), nullable=True),
    Column("ordning_id", String(40), nullable=False),
    Column("ar", Integer, nullable=False),
    Column("kapittel", Integer, nullable=False),
    Column("post", String(2), nullable=False),
    Column("binding", String(40), nullable=True),
    Column("kommunenummer", String(4), nullable=True),
    Column("organisasjonsnummer", String(9), nullable=True),
    Column("belop_ore", BigInteger, nullable=False),
    Column("vilkar", Text, nullable=True),
    Column("dato", Date, nullable=False),
    Column("periode_fra", Date, nullable=False),
    Column("periode_til", Date, nullable=False),
    Column("utbetalt_ore", BigInteger, nullable=False),
    Column("tilbakebetalt_ore", BigInteger, nullable=False),
    Column("annullert_ore", BigInteger, nullable=False),
    Column("annullert_dato", Date, nullable=True),
    Index("ix_tilsagn_linje", "ar", "kapittel", "post", "binding"),
)

utbetaling = Table(
    "utbetaling", metadata,
    Column("id", String(36), primary_key=True),
    Column("ekstern_id", String(100), nullable=True, unique=True),
    Column("tilsagn_id", String(36), nullable=False, index=True),
    Column("type", String(16), nullable=False),  # utbetaling | tilbakebetaling
    Column("belop_ore", BigInteger, nullable=False),
    Column("dato", Date, nullable=False),
)

# From bosetting's person-bosatt: the settlement as it stands (the newest event wins) and its entitlements.
bosatt = Table(
    "bosatt", metadata,
    Column("person_ref", String(34), primary_key=True),
    Column("kommunenummer", String(4), nullable=False),
    Column("bosettingsdato", Date, nullable=False),
    Column("fodselsar", Integer, nullable=True),
    Column("tilskuddsgruppe", String(24), nullable=True),
    Column("enslig_mindrearig", Boolean, nullable=False),
    Column("kategori", String(24), nullable=False),
    Column("saerskilt_kriterium", Boolean, nullable=False),
    Column("event_id", String(64), nullable=False),
    Column("event_time", UtcDateTime, nullable=False),
)

rettighet = Table(
    "rettighet", metadata,
    Column("person_ref", String(34), primary_key=True),
    Column("post", String(2), primary_key=True),
    Column("ar", Integer, primary_key=True),
    Column("kapittel", Integer, nullable=False),
    Column("arstrinn", Integer, nullable=False),
    Column("belop_ore", BigInteger, nullable=False),
    Column("sats_ar", Integer, nullable=False),
    Column("kommunenummer", String(4), nullable=False),
    Column("utbetalingsdato", Date, nullable=False),
    Column("kjent_fra", Date, nullable=False),  # the settlement date: the entitlement is known from then
    Column("saerskilt_kriterium", Boolean, nullable=False),
    Index("ix_rettighet_ar_post", "ar", "post"),
)

kommunevedtak = Table(
    "kommunevedtak", metadata,
    Column("ar", Integer, primary_key=True),
    Column("kommunenummer", String(4), primary_key=True),
    Column("antall", Integer, nullable=False),
    Column("herav_em", Integer, nullable=False),
    Column("vedtaksdato", Date, nullable=False),
    Column("event_id", String(64), nullable=False),
    Column("event_time", UtcDateTime, nullable=False),
    UniqueConstraint("event_id", name="uq_kommunevedtak_event"),
)

# The settlement queue, from bosetting's case events: persons with a decision, and the date their case was settled
# or closed. The forecast expects no more settlements than there are persons waiting (as of the date asked about).
ko = Table(
    "ko", metadata,
    Column("person_ref", String(34), primary_key=True),
    Column("enslig_mindrearig", Boolean, nullable=False),
    Column("vedtaksdato", Date, nullable=False),
    Column("lukket", Date, nullable=True),
    Index("ix_ko_vedtaksdato", "vedtaksdato"),
)


revisjonslogg = audit_table(metadata)
"""Reads and changes of a settled person's entitlements (who, what, when, why): append-only, see :mod:`shared.audit`.
The entitlements are keyed by the pseudonymous ``person_ref`` only, but they are still about a person."""
