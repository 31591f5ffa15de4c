"""settlement cases and the platform tables (outbox, processed_event, dead_letter)

Revision ID: 0001
Revises:
"""
import sqlalchemy as sa
from alembic import op

from shared.outbox_tables import create_platform_tables, drop_platform_tables

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    create_platform_tables(op)
    op.create_table(
        "sak",
        sa.Column("id", sa.String(36), nullable=False),
        sa.Column("duf_nummer", sa.String(12), nullable=False),
        sa.Column("person_ref", sa.String(34), nullable=False),
        sa.Column("kjonn", sa.String(1), nullable=False),
        sa.Column("fodselsar", sa.Integer, nullable=True),
        sa.Column("enslig_mindrearig", sa.Boolean, nullable=False),
        sa.Column("vedtaksdato", sa.Date, nullable=False),
        sa.Column("bosettingsdato", sa.Date, nullable=True),
        sa.Column("kommunenummer", sa.String(4), nullable=True),
        sa.Column("versjon", sa.Integer, nullable=False),
        sa.Column("opprettet", sa.DateTime(timezone=True), nullable=False),
        sa.Column("endret", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_sak"),
        sa.UniqueConstraint("duf_nummer", name="uq_sak_duf_nummer"),
    )
    op.create_index("ix_sak_person_ref", "sak", ["person_ref"])
    op.create_index("ix_sak_kommunenummer", "sak", ["kommunenummer"])


def downgrade() -> None:
    op.drop_table("sak")
    drop_platform_tables(op)
