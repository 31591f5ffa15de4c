"""read model for settlement measures and the platform tables

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
        "settlement",
        sa.Column("person_ref", sa.String(34), primary_key=True),
        sa.Column("vedtaksdato", sa.Date, nullable=False),
        sa.Column("bosettingsdato", sa.Date, nullable=False),
        sa.Column("kommunenummer", sa.String(4), nullable=False),
        sa.Column("fylkesnummer", sa.String(2), nullable=False),
        sa.Column("kjonn", sa.String(1), nullable=False),
        sa.Column("enslig_mindrearig", sa.Boolean, nullable=False),
        sa.Column("fodselsar", sa.Integer, nullable=True),
        sa.Column("event_id", sa.String(64), nullable=False),
        sa.Column("event_time", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_table(
        "measure_cell",
        sa.Column("measure", sa.String(16), primary_key=True),
        sa.Column("period", sa.String(10), primary_key=True),
        sa.Column("dimension", sa.String(16), primary_key=True),
        sa.Column("value", sa.String(16), primary_key=True),
        sa.Column("numerator", sa.BigInteger, nullable=False),
        sa.Column("denominator", sa.BigInteger, nullable=False),
    )


def downgrade() -> None:
    op.drop_table("measure_cell")
    op.drop_table("settlement")
    drop_platform_tables(op)
