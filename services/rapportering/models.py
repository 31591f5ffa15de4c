"""Read model kept by the consumer. Core tables: the projection writes them in bulk."""

from __future__ import annotations

from sqlalchemy import JSON, BigInteger, Boolean, Column, Date, Index, Integer, MetaData, String, Table, Text

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

# One row: the read model's version, bumped by the consumer in the same transaction as every batch it applies.
# Answers computed from the read model are cached by it (rapportering.service.AnswerCache).
read_model_version = Table(
    "read_model_version",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("version", BigInteger, nullable=False),
)

places = Table(
    "places",
    metadata,
    Column("ar", Integer, primary_key=True),
    Column("kommunenummer", String(4), primary_key=True),
    Column("anmodet", Integer, nullable=True),
    Column("anmodet_em", Integer, nullable=True),
    Column("anmodning_event_time", UtcDateTime, nullable=True),
    Column("anmodning_event_id", String(64), nullable=True),
    Column("vedtatt", Integer, nullable=True),
    Column("vedtatt_em", Integer, nullable=True),
    Column("vedtak_event_time", UtcDateTime, nullable=True),
    Column("vedtak_event_id", String(64), nullable=True),
)

# Append-only histories: the current value is the one from the latest event (time, then id), so the state is
# a function of the set of events applied, whatever order they came in.
milestone_update = Table(
    "milestone_update",
    metadata,
    Column("event_id", String(64), primary_key=True),
    Column("event_time", UtcDateTime, nullable=False),
    Column("source", String(200), nullable=False),
    Column("ar", Integer, nullable=False),
    Column("oppdrag", String(8), nullable=False),
    Column("milepael", String(8), nullable=False),
    Column("ferdig", Boolean, nullable=False),
    Column("fremdrift", Integer, nullable=False),
    Column("dato", Date, nullable=False),
    Column("kommentar", Text, nullable=True),
    Index("ix_milestone_update_key", "ar", "oppdrag", "milepael"),
)

assessment = Table(
    "assessment",
    metadata,
    Column("event_id", String(64), primary_key=True),
    Column("event_time", UtcDateTime, nullable=False),
    Column("ar", Integer, nullable=False),
    Column("objekt", String(8), nullable=False),
    Column("status", String(8), nullable=False),
    Column("begrunnelse", Text, nullable=False),
    Column("tiltak", Text, nullable=True),
    Column("dato", Date, nullable=False),
    Index("ix_assessment_key", "ar", "objekt"),
)

report_text = Table(
    "report_text",
    metadata,
    Column("event_id", String(64), primary_key=True),
    Column("event_time", UtcDateTime, nullable=False),
    Column("rapporttype", String(20), nullable=False),
    Column("periode", String(10), nullable=False),
    Column("krav", String(8), nullable=False),
    Column("tekst", Text, nullable=False),
    Index("ix_report_text_key", "rapporttype", "periode", "krav"),
)

# Not part of the replayable read model: what the risk sweep last saw, and the published reports.
risk_state = Table(
    "risk_state",
    metadata,
    Column("ar", Integer, primary_key=True),
    Column("objekt", String(8), primary_key=True),
    Column("status", String(12), nullable=False),
    Column("begrunnelse", Text, nullable=False),
    Column("endret", UtcDateTime, nullable=False),
)

report_version = Table(
    "report_version",
    metadata,
    Column("rapporttype", String(20), primary_key=True),
    Column("periode", String(10), primary_key=True),
    Column("versjon", Integer, primary_key=True),
    Column("innhold", Text, nullable=False),
    Column("sha256", String(64), nullable=False),
    Column("posisjon", Text, nullable=False),
    Column("publisert", UtcDateTime, nullable=False),
    Column("publisert_av", String(200), nullable=False),
    # what external readers get (disclosure control applied at publish time) and its hash; null only for
    # versions published before the control existed, which external readers then cannot read
    Column("innhold_ekstern", Text, nullable=True),
    Column("sha256_ekstern", String(64), nullable=True),
)

# Persons with a decision, from bosetting's case events: the queue of SP1–SP3 (not settled while ``avsluttet``
# is null or after the date asked about). ``avsluttet`` is the settlement or closing date; once set, a later
# statistics correction (sak-endret) does not reopen the case.
case_queue = Table(
    "case_queue",
    metadata,
    Column("person_ref", String(34), primary_key=True),
    Column("vedtaksdato", Date, nullable=False),
    Column("kategori", String(24), nullable=False),
    Column("enslig_mindrearig", Boolean, nullable=False),
    Column("avsluttet", Date, nullable=True),
    Column("event_id", String(64), nullable=False),
    Column("event_time", UtcDateTime, nullable=False),
    Index("ix_case_queue_vedtaksdato", "vedtaksdato"),
)

# The generic fact store: the current fact of every subject of a fact type without a table of its own
# (rapportering.facts.base), as JSON, with the first and last date it puts the fact in a period (lineage
# filters on them). Part of the replayable read model.
fact = Table(
    "fact",
    metadata,
    Column("fact_type", String(32), primary_key=True),
    Column("subject", String(64), primary_key=True),
    Column("data", JSON, nullable=False),
    Column("fra", Date, nullable=True),
    Column("til", Date, nullable=True),
    Column("event_id", String(64), nullable=False),
    Column("event_time", UtcDateTime, nullable=False),
    Index("ix_fact_type_fra", "fact_type", "fra"),
)

# Key figures (nokkeltall events) an assignment or requirement is followed up by, history keyed by event id;
# the current figure for (ar, objekt, periode, navn, dimensjon, kategori) is the latest (event time, id).
key_figure = Table(
    "key_figure",
    metadata,
    Column("event_id", String(64), primary_key=True),
    Column("event_time", UtcDateTime, nullable=False),
    Column("source", String(200), nullable=False),
    Column("ar", Integer, nullable=False),
    Column("objekt", String(8), nullable=False),
    Column("periode", String(10), nullable=False),
    Column("navn", String(40), nullable=False),
    Column("tekst", String(200), nullable=False),
    Column("dimensjon", String(16), nullable=False),
    Column("kategori", String(40), nullable=False),
    Column("antall", BigInteger, nullable=False),
    Column("nevner", BigInteger, nullable=True),
    Column("personer", Boolean, nullable=False),
    Index("ix_key_figure_ar_objekt", "ar", "objekt"),
)
