"""an application's id in the source system (soknad.ekstern_id, unique): an application sent again is not a new one

Revision ID: 0005
Revises: 0004
"""
import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("soknad") as batch:
        batch.add_column(sa.Column("ekstern_id", sa.String(100), nullable=True))
        batch.create_unique_constraint("uq_soknad_ekstern_id", ["ekstern_id"])


def downgrade() -> None:
    with op.batch_alter_table("soknad") as batch:
        batch.drop_constraint("uq_soknad_ekstern_id", type_="unique")
        batch.drop_column("ekstern_id")
