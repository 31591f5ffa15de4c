"""report versions keep the rendering external readers get (disclosure control) with its own hash

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
    with op.batch_alter_table("report_version") as batch:
        batch.add_column(sa.Column("innhold_ekstern", sa.Text(), nullable=True))
        batch.add_column(sa.Column("sha256_ekstern", sa.String(length=64), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("report_version") as batch:
        batch.drop_column("sha256_ekstern")
        batch.drop_column("innhold_ekstern")
