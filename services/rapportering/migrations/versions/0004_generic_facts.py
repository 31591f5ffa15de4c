"""the generic fact store (every fact type without a table of its own) and key figures (nokkeltall)

Revision ID: 0004
Revises: 0003
"""
import sqlalchemy as sa
from alembic import op

from shared.types import UtcDateTime

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "fact",
        sa.Column("fact_type", sa.String(length=32), primary_key=True),
        sa.Column("subject", sa.String(length=64), primary_key=True),
        sa.Column("data", sa.JSON(), nullable=False),
        sa.Column("fra", sa.Date(), nullable=True),
        sa.Column("til", sa.Date(), nullable=True),
        sa.Column("event_id", sa.String(length=64), nullable=False),
        sa.Column("event_time", UtcDateTime(), nullable=False),
    )
    op.create_index("ix_fact_type_fra", "fact", ["fact_type", "fra"])
    op.create_table(
        "key_figure",
        sa.Column("event_id", sa.String(length=64), primary_key=True),
        sa.Column("event_time", UtcDateTime(), nullable=False),
        sa.Column("source", sa.String(length=200), nullable=False),
        sa.Column("ar", sa.Integer(), nullable=False),
        sa.Column("objekt", sa.String(length=8), nullable=False),
        sa.Column("periode", sa.String(length=10), nullable=False),
        sa.Column("navn", sa.String(length=40), nullable=False),
        sa.Column("tekst", sa.String(length=200), nullable=False),
        sa.Column("dimensjon", sa.String(length=16), nullable=False),
        sa.Column("kategori", sa.String(length=40), nullable=False),
        sa.Column("antall", sa.BigInteger(), nullable=False),
        sa.Column("nevner", sa.BigInteger(), nullable=True),
        sa.Column("personer", sa.Boolean(), nullable=False),
    )
    op.create_index("ix_key_figure_ar_objekt", "key_figure", ["ar", "objekt"])


def downgrade() -> None:
    op.drop_index("ix_key_figure_ar_objekt", table_name="key_figure")
    op.drop_table("key_figure")
    op.drop_index("ix_fact_type_fra", table_name="fact")
    op.drop_table("fact")
