"""spend and forecast per post and binding from tilskudd (history rows: the newest per line and date stands)

Revision ID: 0005
Revises: 0004
"""
import sqlalchemy as sa
from alembic import op

from shared.types import UtcDateTime

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "budget_figure",
        sa.Column("event_id", sa.String(length=64), primary_key=True),
        sa.Column("event_time", UtcDateTime(), nullable=False),
        sa.Column("ar", sa.Integer(), nullable=False),
        sa.Column("kapittel", sa.Integer(), nullable=False),
        sa.Column("post", sa.String(length=2), nullable=False),
        sa.Column("binding", sa.String(length=40), nullable=True),
        sa.Column("per_dato", sa.Date(), nullable=False),
        sa.Column("ramme_ore", sa.BigInteger(), nullable=True),
        sa.Column("utbetalt_ore", sa.BigInteger(), nullable=False),
        sa.Column("forpliktet_ore", sa.BigInteger(), nullable=False),
        sa.Column("prognose_rest_ore", sa.BigInteger(), nullable=False),
        sa.Column("prognose_ar_ore", sa.BigInteger(), nullable=False),
        sa.Column("saerskilt_kriterium", sa.Integer(), nullable=False),
    )
    op.create_index("ix_budget_figure_line", "budget_figure", ["ar", "kapittel", "post", "binding", "per_dato"])


def downgrade() -> None:
    op.drop_index("ix_budget_figure_line", table_name="budget_figure")
    op.drop_table("budget_figure")
