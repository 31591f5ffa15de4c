"""read model for settlement measures and places, and the platform tables

Revision ID: 0001
Revises:
"""
import sqlalchemy as sa
from alembic import op

from shared.outbox_tables import create_platform_tables, drop_platform_tables
from shared.types import UtcDateTime

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    create_platform_tables(op)
    op.create_table('measure_cell',
    sa.Column('measure', sa.String(length=16), nullable=False),
    sa.Column('period', sa.String(length=10), nullable=False),
    sa.Column('dimension', sa.String(length=16), nullable=False),
    sa.Column('value', sa.String(length=24), nullable=False),
    sa.Column('numerator', sa.BigInteger(), nullable=False),
    sa.Column('denominator', sa.BigInteger(), nullable=False),
    sa.PrimaryKeyConstraint('measure', 'period', 'dimension', 'value')
    )
    op.create_table('places',
    sa.Column('ar', sa.Integer(), nullable=False),
    sa.Column('kommunenummer', sa.String(length=4), nullable=False),
    sa.Column('anmodet', sa.Integer(), nullable=True),
    sa.Column('anmodet_em', sa.Integer(), nullable=True),
    sa.Column('anmodning_event_time', UtcDateTime(), nullable=True),
    sa.Column('vedtatt', sa.Integer(), nullable=True),
    sa.Column('vedtatt_em', sa.Integer(), nullable=True),
    sa.Column('vedtak_event_time', UtcDateTime(), nullable=True),
    sa.PrimaryKeyConstraint('ar', 'kommunenummer')
    )
    op.create_table('settlement',
    sa.Column('person_ref', sa.String(length=34), nullable=False),
    sa.Column('vedtaksdato', sa.Date(), nullable=False),
    sa.Column('bosettingsdato', sa.Date(), nullable=False),
    sa.Column('kommunenummer', sa.String(length=4), nullable=False),
    sa.Column('fylkesnummer', sa.String(length=2), nullable=False),
    sa.Column('kjonn', sa.String(length=1), nullable=False),
    sa.Column('kategori', sa.String(length=24), nullable=False),
    sa.Column('enslig_mindrearig', sa.Boolean(), nullable=False),
    sa.Column('em_aldersgruppe', sa.String(length=8), nullable=True),
    sa.Column('event_id', sa.String(length=64), nullable=False),
    sa.Column('event_time', UtcDateTime(), nullable=False),
    sa.PrimaryKeyConstraint('person_ref')
    )


def downgrade() -> None:
    op.drop_table("places")
    op.drop_table("measure_cell")
    op.drop_table("settlement")
    drop_platform_tables(op)
