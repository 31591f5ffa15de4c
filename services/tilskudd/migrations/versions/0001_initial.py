"""the platform tables (outbox, processed_event, dead_letter)

Revision ID: 0001
Revises:
"""
from alembic import op

from shared.outbox_tables import create_platform_tables, drop_platform_tables

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    create_platform_tables(op)


def downgrade() -> None:
    drop_platform_tables(op)
