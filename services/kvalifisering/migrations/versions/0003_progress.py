"""integration reception centres and published progress figures

Revision ID: 0003
Revises: 0002
"""
import sqlalchemy as sa
from alembic import op

revision = '0003'
down_revision = '0002'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('mottaksbeboer',
    sa.Column('person_ref', sa.String(length=34), nullable=False),
    sa.Column('ekstern_id', sa.String(length=100), nullable=True),
    sa.Column('mottak', sa.String(length=40), nullable=False),
    sa.Column('ankomst_dato', sa.Date(), nullable=False),
    sa.Column('tilbud_dato', sa.Date(), nullable=True),
    sa.Column('versjon', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('person_ref', name=op.f('pk_mottaksbeboer')),
    sa.UniqueConstraint('ekstern_id', name=op.f('uq_mottaksbeboer_ekstern_id'))
    )
    with op.batch_alter_table('mottaksbeboer', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_mottaksbeboer_mottak'), ['mottak'], unique=False)

    op.create_table('publisert_fremdrift',
    sa.Column('nokkel', sa.String(length=120), nullable=False),
    sa.Column('verdi', sa.JSON(), nullable=False),
    sa.PrimaryKeyConstraint('nokkel', name=op.f('pk_publisert_fremdrift'))
    )


def downgrade() -> None:
    op.drop_table('publisert_fremdrift')
    with op.batch_alter_table('mottaksbeboer', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_mottaksbeboer_mottak'))

    op.drop_table('mottaksbeboer')
