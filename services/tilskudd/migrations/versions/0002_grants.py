"""grant schemes, decisions, disbursements, entitlements, municipal decisions

Revision ID: 0002
Revises: 0001
"""
import sqlalchemy as sa
from alembic import op

from shared.types import UtcDateTime

revision = '0002'
down_revision = '0001'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('bosatt',
    sa.Column('person_ref', sa.String(length=34), nullable=False),
    sa.Column('kommunenummer', sa.String(length=4), nullable=False),
    sa.Column('bosettingsdato', sa.Date(), nullable=False),
    sa.Column('fodselsar', sa.Integer(), nullable=True),
    sa.Column('tilskuddsgruppe', sa.String(length=24), nullable=True),
    sa.Column('enslig_mindrearig', sa.Boolean(), nullable=False),
    sa.Column('kategori', sa.String(length=24), nullable=False),
    sa.Column('saerskilt_kriterium', sa.Boolean(), nullable=False),
    sa.Column('event_id', sa.String(length=64), nullable=False),
    sa.Column('event_time', UtcDateTime(), nullable=False),
    sa.PrimaryKeyConstraint('person_ref', name=op.f('pk_bosatt'))
    )
    op.create_table('kommunevedtak',
    sa.Column('ar', sa.Integer(), nullable=False),
    sa.Column('kommunenummer', sa.String(length=4), nullable=False),
    sa.Column('antall', sa.Integer(), nullable=False),
    sa.Column('herav_em', sa.Integer(), nullable=False),
    sa.Column('vedtaksdato', sa.Date(), nullable=False),
    sa.Column('event_id', sa.String(length=64), nullable=False),
    sa.Column('event_time', UtcDateTime(), nullable=False),
    sa.PrimaryKeyConstraint('ar', 'kommunenummer', name=op.f('pk_kommunevedtak')),
    sa.UniqueConstraint('event_id', name='uq_kommunevedtak_event')
    )
    op.create_table('ordning',
    sa.Column('id', sa.String(length=40), nullable=False),
    sa.Column('ar', sa.Integer(), nullable=False),
    sa.Column('navn', sa.String(length=200), nullable=False),
    sa.Column('kapittel', sa.Integer(), nullable=False),
    sa.Column('post', sa.String(length=2), nullable=False),
    sa.Column('binding', sa.String(length=40), nullable=True),
    sa.Column('regelverk', sa.Text(), nullable=False),
    sa.Column('mottakere', sa.String(length=16), nullable=False),
    sa.Column('soknad_fra', sa.Date(), nullable=True),
    sa.Column('soknad_til', sa.Date(), nullable=True),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_ordning'))
    )
    op.create_table('ramme',
    sa.Column('id', sa.String(length=80), nullable=False),
    sa.Column('ar', sa.Integer(), nullable=False),
    sa.Column('kapittel', sa.Integer(), nullable=False),
    sa.Column('post', sa.String(length=2), nullable=False),
    sa.Column('binding', sa.String(length=40), nullable=True),
    sa.Column('belop_ore', sa.BigInteger(), nullable=True),
    sa.Column('forpliktet_ore', sa.BigInteger(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_ramme'))
    )
    op.create_table('rettighet',
    sa.Column('person_ref', sa.String(length=34), nullable=False),
    sa.Column('post', sa.String(length=2), nullable=False),
    sa.Column('ar', sa.Integer(), nullable=False),
    sa.Column('kapittel', sa.Integer(), nullable=False),
    sa.Column('arstrinn', sa.Integer(), nullable=False),
    sa.Column('belop_ore', sa.BigInteger(), nullable=False),
    sa.Column('sats_ar', sa.Integer(), nullable=False),
    sa.Column('kommunenummer', sa.String(length=4), nullable=False),
    sa.Column('utbetalingsdato', sa.Date(), nullable=False),
    sa.Column('kjent_fra', sa.Date(), nullable=False),
    sa.Column('saerskilt_kriterium', sa.Boolean(), nullable=False),
    sa.PrimaryKeyConstraint('person_ref', 'post', 'ar', name=op.f('pk_rettighet'))
    )
    with op.batch_alter_table('rettighet', schema=None) as batch_op:
        batch_op.create_index('ix_rettighet_ar_post', ['ar', 'post'], unique=False)

    op.create_table('soknad',
    sa.Column('id', sa.String(length=36), nullable=False),
    sa.Column('ordning_id', sa.String(length=40), nullable=False),
    sa.Column('kommunenummer', sa.String(length=4), nullable=True),
    sa.Column('organisasjonsnummer', sa.String(length=9), nullable=True),
    sa.Column('belop_ore', sa.BigInteger(), nullable=False),
    sa.Column('mottatt', sa.Date(), nullable=False),
    sa.Column('status', sa.String(length=12), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_soknad'))
    )
    with op.batch_alter_table('soknad', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_soknad_ordning_id'), ['ordning_id'], unique=False)

    op.create_table('tilsagn',
    sa.Column('id', sa.String(length=36), nullable=False),
    sa.Column('ekstern_id', sa.String(length=100), nullable=True),
    sa.Column('soknad_id', sa.String(length=36), nullable=True),
    sa.Column('ordning_id', sa.String(length=40), nullable=False),
    sa.Column('ar', sa.Integer(), nullable=False),
    sa.Column('kapittel', sa.Integer(), nullable=False),
    sa.Column('post', sa.String(length=2), nullable=False),
    sa.Column('binding', sa.String(length=40), nullable=True),
    sa.Column('kommunenummer', sa.String(length=4), nullable=True),
    sa.Column('organisasjonsnummer', sa.String(length=9), nullable=True),
    sa.Column('belop_ore', sa.BigInteger(), nullable=False),
    sa.Column('vilkar', sa.Text(), nullable=True),
    sa.Column('dato', sa.Date(), nullable=False),
    sa.Column('periode_fra', sa.Date(), nullable=False),
    sa.Column('periode_til', sa.Date(), nullable=False),
    sa.Column('utbetalt_ore', sa.BigInteger(), nullable=False),
    sa.Column('tilbakebetalt_ore', sa.BigInteger(), nullable=False),
    sa.Column('annullert_ore', sa.BigInteger(), nullable=False),
    sa.Column('annullert_dato', sa.Date(), nullable=True),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_tilsagn')),
    sa.UniqueConstraint('ekstern_id', name=op.f('uq_tilsagn_ekstern_id'))
    )
    with op.batch_alter_table('tilsagn', schema=None) as batch_op:
        batch_op.create_index('ix_tilsagn_linje', ['ar', 'kapittel', 'post', 'binding'], unique=False)

    op.create_table('utbetaling',
    sa.Column('id', sa.String(length=36), nullable=False),
    sa.Column('ekstern_id', sa.String(length=100), nullable=True),
    sa.Column('tilsagn_id', sa.String(length=36), nullable=False),
    sa.Column('type', sa.String(length=16), nullable=False),
    sa.Column('belop_ore', sa.BigInteger(), nullable=False),
    sa.Column('dato', sa.Date(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_utbetaling')),
    sa.UniqueConstraint('ekstern_id', name=op.f('uq_utbetaling_ekstern_id'))
    )
    with op.batch_alter_table('utbetaling', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_utbetaling_tilsagn_id'), ['tilsagn_id'], unique=False)



def downgrade() -> None:
    with op.batch_alter_table('utbetaling', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_utbetaling_tilsagn_id'))

    op.drop_table('utbetaling')
    with op.batch_alter_table('tilsagn', schema=None) as batch_op:
        batch_op.drop_index('ix_tilsagn_linje')

    op.drop_table('tilsagn')
    with op.batch_alter_table('soknad', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_soknad_ordning_id'))

    op.drop_table('soknad')
    with op.batch_alter_table('rettighet', schema=None) as batch_op:
        batch_op.drop_index('ix_rettighet_ar_post')

    op.drop_table('rettighet')
    op.drop_table('ramme')
    op.drop_table('ordning')
    op.drop_table('kommunevedtak')
    op.drop_table('bosatt')
