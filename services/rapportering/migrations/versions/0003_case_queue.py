"""the queue of SP1–SP3: persons with a decision and the date their case was settled or closed

Revision ID: 0003
Revises: 0002
"""
import sqlalchemy as sa
from alembic import op

from shared.types import UtcDateTime

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "case_queue",
        sa.Column("person_ref", sa.String(length=34), primary_key=True),
        sa.Column("vedtaksdato", sa.Date(), nullable=False),
        sa.Column("kategori", sa.String(length=24), nullable=False),
        sa.Column("enslig_mindrearig", sa.Boolean(), nullable=False),
        sa.Column("avsluttet", sa.Date(), nullable=True),
        sa.Column("event_id", sa.String(length=64), nullable=False),
        sa.Column("event_time", UtcDateTime(), nullable=False),
    )
    op.create_index("ix_case_queue_vedtaksdato", "case_queue", ["vedtaksdato"])


def downgrade() -> None:
    op.drop_index("ix_case_queue_vedtaksdato", table_name="case_queue")
    op.drop_table("case_queue")
