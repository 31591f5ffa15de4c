"""R10 tests, authorisations and published key figures

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
    op.create_table('autorisasjon',
    sa.Column('ar', sa.Integer(), nullable=False),
    sa.Column('sprak', sa.String(length=3), nullable=False),
    sa.Column('antall', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('ar', 'sprak', name=op.f('pk_autorisasjon'))
    )
    op.create_table('publisert_nokkeltall',
    sa.Column('ar', sa.Integer(), nullable=False),
    sa.Column('navn', sa.String(length=40), nullable=False),
    sa.Column('dimensjon', sa.String(length=16), nullable=False),
    sa.Column('kategori', sa.String(length=40), nullable=False),
    sa.Column('antall', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('ar', 'navn', 'dimensjon', 'kategori', name=op.f('pk_publisert_nokkeltall'))
    )
    op.create_table('testresultat',
    sa.Column('testtype', sa.String(length=12), nullable=False),
    sa.Column('dato', sa.Date(), nullable=False),
    sa.Column('sprak', sa.String(length=3), nullable=False),
    sa.Column('testet', sa.Integer(), nullable=False),
    sa.Column('bestatt', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('testtype', 'dato', 'sprak', name=op.f('pk_testresultat'))
    )


def downgrade() -> None:
    op.drop_table('testresultat')
    op.drop_table('publisert_nokkeltall')
    op.drop_table('autorisasjon')
