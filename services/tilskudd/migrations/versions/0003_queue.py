"""the settlement queue (persons with a decision, and when their case was settled or closed) for the forecast

Revision ID: 0003
Revises: 0002
"""
import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "ko",
        sa.Column("person_ref", sa.String(length=34), nullable=False),
        sa.Column("enslig_mindrearig", sa.Boolean(), nullable=False),
        sa.Column("vedtaksdato", sa.Date(), nullable=False),
        sa.Column("lukket", sa.Date(), nullable=True),
        sa.PrimaryKeyConstraint("person_ref", name=op.f("pk_ko")),
    )
    op.create_index("ix_ko_vedtaksdato", "ko", ["vedtaksdato"])


def downgrade() -> None:
    op.drop_index("ix_ko_vedtaksdato", table_name="ko")
    op.drop_table("ko")
