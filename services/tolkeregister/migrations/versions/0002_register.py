"""the register: interpreters, languages, status history, ID cards, complaints, state agencies

Revision ID: 0002
Revises: 0001
"""
import sqlalchemy as sa
from alembic import op

from shared.types import UtcDateTime

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('etat_retningslinjer',
    sa.Column('organisasjonsnummer', sa.String(length=9), nullable=False),
    sa.Column('ar', sa.Integer(), nullable=False),
    sa.Column('navn', sa.String(length=200), nullable=False),
    sa.Column('tolkeretningslinjer_med_register', sa.Boolean(), nullable=False),
    sa.Column('versjon', sa.Integer(), nullable=False),
    sa.Column('endret', UtcDateTime(), nullable=False),
    sa.PrimaryKeyConstraint('organisasjonsnummer', 'ar', name=op.f('pk_etat_retningslinjer'))
    )
    op.create_table('tolk',
    sa.Column('id', sa.String(length=36), nullable=False),
    sa.Column('ekstern_id', sa.String(length=100), nullable=True),
    sa.Column('fodselsnummer', sa.String(length=11), nullable=False),
    sa.Column('navn', sa.String(length=200), nullable=False),
    sa.Column('kjonn', sa.String(length=1), nullable=False),
    sa.Column('kommunenummer', sa.String(length=4), nullable=False),
    sa.Column('fylkesnummer', sa.String(length=2), nullable=False),
    sa.Column('adresse', sa.String(length=300), nullable=True),
    sa.Column('telefon', sa.String(length=30), nullable=True),
    sa.Column('epost', sa.String(length=200), nullable=True),
    sa.Column('tolk_ref', sa.String(length=34), nullable=False),
    sa.Column('kategoriordning', sa.String(length=4), nullable=False),
    sa.Column('hoyeste_kategori', sa.String(length=3), nullable=False),
    sa.Column('tre_hoyeste', sa.Boolean(), nullable=False),
    sa.Column('status', sa.String(length=12), nullable=False),
    sa.Column('oppfort_dato', sa.Date(), nullable=False),
    sa.Column('status_dato', sa.Date(), nullable=False),
    sa.Column('status_arsak', sa.String(length=500), nullable=True),
    sa.Column('versjon', sa.Integer(), nullable=False),
    sa.Column('opprettet', UtcDateTime(), nullable=False),
    sa.Column('endret', UtcDateTime(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_tolk')),
    sa.UniqueConstraint('ekstern_id', name=op.f('uq_tolk_ekstern_id')),
    sa.UniqueConstraint('fodselsnummer', name=op.f('uq_tolk_fodselsnummer'))
    )
    with op.batch_alter_table('tolk', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_tolk_fylkesnummer'), ['fylkesnummer'], unique=False)
        batch_op.create_index(batch_op.f('ix_tolk_kommunenummer'), ['kommunenummer'], unique=False)
        batch_op.create_index(batch_op.f('ix_tolk_navn'), ['navn'], unique=False)
        batch_op.create_index('ix_tolk_status_navn', ['status', 'navn', 'id'], unique=False)
        batch_op.create_index(batch_op.f('ix_tolk_tolk_ref'), ['tolk_ref'], unique=False)

    op.create_table('id_kort',
    sa.Column('kortnummer', sa.String(length=20), nullable=False),
    sa.Column('tolk_id', sa.String(length=36), nullable=False),
    sa.Column('utstedt', sa.Date(), nullable=False),
    sa.Column('utloper', sa.Date(), nullable=False),
    sa.Column('tilbakekalt', sa.Date(), nullable=True),
    sa.Column('tilbakekalt_arsak', sa.String(length=500), nullable=True),
    sa.ForeignKeyConstraint(['tolk_id'], ['tolk.id'], name=op.f('fk_id_kort_tolk_id'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('kortnummer', name=op.f('pk_id_kort'))
    )
    with op.batch_alter_table('id_kort', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_id_kort_tolk_id'), ['tolk_id'], unique=False)

    op.create_table('klage',
    sa.Column('id', sa.String(length=36), nullable=False),
    sa.Column('tolk_id', sa.String(length=36), nullable=False),
    sa.Column('mottatt', sa.Date(), nullable=False),
    sa.Column('klager', sa.String(length=20), nullable=False),
    sa.Column('klagetype', sa.String(length=20), nullable=False),
    sa.Column('beskrivelse', sa.Text(), nullable=True),
    sa.Column('avgjort', sa.Date(), nullable=True),
    sa.Column('utfall', sa.String(length=20), nullable=True),
    sa.Column('konsekvens', sa.String(length=20), nullable=True),
    sa.ForeignKeyConstraint(['tolk_id'], ['tolk.id'], name=op.f('fk_klage_tolk_id'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_klage'))
    )
    with op.batch_alter_table('klage', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_klage_tolk_id'), ['tolk_id'], unique=False)

    op.create_table('tolk_sprak',
    sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
    sa.Column('tolk_id', sa.String(length=36), nullable=False),
    sa.Column('sprak', sa.String(length=3), nullable=False),
    sa.Column('kategori', sa.String(length=3), nullable=False),
    sa.Column('bevis', sa.JSON(), nullable=False),
    sa.ForeignKeyConstraint(['tolk_id'], ['tolk.id'], name=op.f('fk_tolk_sprak_tolk_id'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_tolk_sprak')),
    sa.UniqueConstraint('tolk_id', 'sprak', name='uq_tolk_sprak_tolk_sprak')
    )
    with op.batch_alter_table('tolk_sprak', schema=None) as batch_op:
        batch_op.create_index('ix_tolk_sprak_sprak_kategori', ['sprak', 'kategori', 'tolk_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_tolk_sprak_tolk_id'), ['tolk_id'], unique=False)

    op.create_table('tolk_status',
    sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
    sa.Column('tolk_id', sa.String(length=36), nullable=False),
    sa.Column('status', sa.String(length=12), nullable=False),
    sa.Column('dato', sa.Date(), nullable=False),
    sa.Column('arsak', sa.String(length=500), nullable=True),
    sa.Column('registrert', UtcDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['tolk_id'], ['tolk.id'], name=op.f('fk_tolk_status_tolk_id'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_tolk_status'))
    )
    with op.batch_alter_table('tolk_status', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_tolk_status_tolk_id'), ['tolk_id'], unique=False)



def downgrade() -> None:
    with op.batch_alter_table('tolk_status', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_tolk_status_tolk_id'))

    op.drop_table('tolk_status')
    with op.batch_alter_table('tolk_sprak', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_tolk_sprak_tolk_id'))
        batch_op.drop_index('ix_tolk_sprak_sprak_kategori')

    op.drop_table('tolk_sprak')
    with op.batch_alter_table('klage', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_klage_tolk_id'))

    op.drop_table('klage')
    with op.batch_alter_table('id_kort', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_id_kort_tolk_id'))

    op.drop_table('id_kort')
    with op.batch_alter_table('tolk', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_tolk_tolk_ref'))
        batch_op.drop_index('ix_tolk_status_navn')
        batch_op.drop_index(batch_op.f('ix_tolk_navn'))
        batch_op.drop_index(batch_op.f('ix_tolk_kommunenummer'))
        batch_op.drop_index(batch_op.f('ix_tolk_fylkesnummer'))

    op.drop_table('tolk')
    op.drop_table('etat_retningslinjer')
