"""a case closed as selvbosatt_etter_avtale (settled by agreement with a municipality) needs a wider reason

Revision ID: 0002
Revises: 0001
"""
import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("sak") as batch:
        batch.alter_column("avslutningsarsak", type_=sa.String(length=24), existing_type=sa.String(length=12),
                           existing_nullable=True)


def downgrade() -> None:
    with op.batch_alter_table("sak") as batch:
        batch.alter_column("avslutningsarsak", type_=sa.String(length=12), existing_type=sa.String(length=24),
                           existing_nullable=True)
