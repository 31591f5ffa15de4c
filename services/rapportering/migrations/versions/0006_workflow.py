"""the report workflow's steps, and webhook subscriptions and deliveries for JD's systems

Revision ID: 0006
Revises: 0005 (re-chained by the lead after the other branches' migrations)
"""
import sqlalchemy as sa
from alembic import op

from shared.types import UtcDateTime

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "report_workflow_step",
        sa.Column("rapporttype", sa.String(length=20), primary_key=True),
        sa.Column("periode", sa.String(length=10), primary_key=True),
        sa.Column("sekvens", sa.Integer(), primary_key=True),
        sa.Column("event_id", sa.String(length=64), nullable=False, unique=True),
        sa.Column("tid", UtcDateTime(), nullable=False),
        sa.Column("handling", sa.String(length=24), nullable=False),
        sa.Column("fra", sa.String(length=16), nullable=False),
        sa.Column("til", sa.String(length=16), nullable=False),
        sa.Column("versjon", sa.Integer(), nullable=True),
        sa.Column("rolle", sa.String(length=40), nullable=False),
        sa.Column("enhet", sa.String(length=80), nullable=False),
        sa.Column("aktor_ref", sa.String(length=34), nullable=False),
        sa.Column("begrunnelse", sa.Text(), nullable=True),
    )
    op.create_table(
        "webhook_subscription",
        sa.Column("id", sa.String(length=36), primary_key=True),
        sa.Column("eier", sa.String(length=200), nullable=False),
        sa.Column("url", sa.Text(), nullable=False),
        sa.Column("hemmelighet", sa.Text(), nullable=False),
        sa.Column("rapporttyper", sa.String(length=80), nullable=False),
        sa.Column("opprettet", UtcDateTime(), nullable=False),
        sa.Column("aktiv", sa.Boolean(), nullable=False),
    )
    op.create_index("ix_webhook_subscription_eier", "webhook_subscription", ["eier"])
    op.create_table(
        "webhook_delivery",
        sa.Column("id", sa.String(length=36), primary_key=True),
        sa.Column("abonnement_id", sa.String(length=36), nullable=False),
        sa.Column("event_id", sa.String(length=64), nullable=False),
        sa.Column("event_type", sa.String(length=200), nullable=False),
        sa.Column("rapporttype", sa.String(length=20), nullable=False),
        sa.Column("innhold", sa.Text(), nullable=False),
        sa.Column("status", sa.String(length=12), nullable=False),
        sa.Column("forsok", sa.Integer(), nullable=False),
        sa.Column("neste_forsok", UtcDateTime(), nullable=False),
        sa.Column("siste_svar", sa.Integer(), nullable=True),
        sa.Column("siste_feil", sa.String(length=80), nullable=True),
        sa.Column("levert", UtcDateTime(), nullable=True),
        sa.Column("opprettet", UtcDateTime(), nullable=False),
        sa.UniqueConstraint("abonnement_id", "event_id", name="uq_webhook_delivery_event"),
    )
    op.create_index("ix_webhook_delivery_due", "webhook_delivery", ["status", "neste_forsok"])


def downgrade() -> None:
    op.drop_index("ix_webhook_delivery_due", table_name="webhook_delivery")
    op.drop_table("webhook_delivery")
    op.drop_index("ix_webhook_subscription_eier", table_name="webhook_subscription")
    op.drop_table("webhook_subscription")
    op.drop_table("report_workflow_step")
