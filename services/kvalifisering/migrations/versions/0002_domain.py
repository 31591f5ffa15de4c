"""training, introduction programme, municipality survey, Jobbsjansen

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
    op.create_table('introdeltaker',
    sa.Column('person_ref', sa.String(length=34), nullable=False),
    sa.Column('ekstern_id', sa.String(length=100), nullable=True),
    sa.Column('kommunenummer', sa.String(length=4), nullable=False),
    sa.Column('kjonn', sa.String(length=1), nullable=False),
    sa.Column('kategori', sa.String(length=24), nullable=False),
    sa.Column('start_dato', sa.Date(), nullable=False),
    sa.Column('planlagt_slutt', sa.Date(), nullable=False),
    sa.Column('elementer', sa.JSON(), nullable=False),
    sa.Column('avbrudd', sa.JSON(), nullable=False),
    sa.Column('avsluttet_dato', sa.Date(), nullable=True),
    sa.Column('avslutningsarsak', sa.String(length=24), nullable=True),
    sa.Column('status_ett_ar_etter', sa.String(length=12), nullable=True),
    sa.Column('versjon', sa.Integer(), nullable=False),
    sa.Column('endret', UtcDateTime(), nullable=False),
    sa.PrimaryKeyConstraint('person_ref', name=op.f('pk_introdeltaker')),
    sa.UniqueConstraint('ekstern_id', name=op.f('uq_introdeltaker_ekstern_id'))
    )
    with op.batch_alter_table('introdeltaker', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_introdeltaker_kommunenummer'), ['kommunenummer'], unique=False)

    op.create_table('introprogram_ar',
    sa.Column('kommunenummer', sa.String(length=4), nullable=False),
    sa.Column('ar', sa.Integer(), nullable=False),
    sa.Column('deltakere', sa.Integer(), nullable=False),
    sa.Column('med_grunnskole_eller_vgs', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('kommunenummer', 'ar', name=op.f('pk_introprogram_ar'))
    )
    op.create_table('jobbsjansen_deltaker',
    sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
    sa.Column('ekstern_id', sa.String(length=100), nullable=True),
    sa.Column('prosjekt_id', sa.String(length=100), nullable=False),
    sa.Column('del', sa.String(length=1), nullable=False),
    sa.Column('person_ref', sa.String(length=34), nullable=False),
    sa.Column('kjonn', sa.String(length=1), nullable=False),
    sa.Column('start_dato', sa.Date(), nullable=False),
    sa.Column('slutt_dato', sa.Date(), nullable=True),
    sa.Column('utfall', sa.String(length=12), nullable=True),
    sa.Column('versjon', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_jobbsjansen_deltaker')),
    sa.UniqueConstraint('ekstern_id', name=op.f('uq_jobbsjansen_deltaker_ekstern_id')),
    sa.UniqueConstraint('person_ref', 'del', name='uq_jobbsjansen_deltaker_person_del')
    )
    with op.batch_alter_table('jobbsjansen_deltaker', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_jobbsjansen_deltaker_prosjekt_id'), ['prosjekt_id'], unique=False)

    op.create_table('jobbsjansen_prosjekt',
    sa.Column('prosjekt_id', sa.String(length=100), nullable=False),
    sa.Column('del', sa.String(length=1), nullable=False),
    sa.Column('eiertype', sa.String(length=16), nullable=False),
    sa.Column('eier', sa.String(length=4), nullable=False),
    sa.Column('tilskudd_ref', sa.String(length=100), nullable=False),
    sa.Column('periode_fra', sa.Date(), nullable=False),
    sa.Column('periode_til', sa.Date(), nullable=False),
    sa.Column('versjon', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('prosjekt_id', name=op.f('pk_jobbsjansen_prosjekt'))
    )
    op.create_table('kommuneundersokelse',
    sa.Column('kommunenummer', sa.String(length=4), nullable=False),
    sa.Column('ar', sa.Integer(), nullable=False),
    sa.Column('tilbyr_egne_innbyggere', sa.Boolean(), nullable=False),
    sa.Column('tilbyr_andre_kommuner', sa.Boolean(), nullable=False),
    sa.Column('har_resultatmal', sa.Boolean(), nullable=False),
    sa.Column('tolkeretningslinjer_med_register', sa.Boolean(), nullable=False),
    sa.Column('fritekst', sa.Text(), nullable=True),
    sa.Column('versjon', sa.Integer(), nullable=False),
    sa.Column('endret', UtcDateTime(), nullable=False),
    sa.PrimaryKeyConstraint('kommunenummer', 'ar', name=op.f('pk_kommuneundersokelse'))
    )
    op.create_table('opplaering',
    sa.Column('person_ref', sa.String(length=34), nullable=False),
    sa.Column('ekstern_id', sa.String(length=100), nullable=True),
    sa.Column('kilde', sa.String(length=16), nullable=False),
    sa.Column('kommunenummer', sa.String(length=4), nullable=False),
    sa.Column('kjonn', sa.String(length=1), nullable=False),
    sa.Column('fodselsar', sa.Integer(), nullable=True),
    sa.Column('grunnlag', sa.String(length=24), nullable=False),
    sa.Column('rett_fra', sa.Date(), nullable=False),
    sa.Column('tilbud_dato', sa.Date(), nullable=True),
    sa.Column('start_dato', sa.Date(), nullable=True),
    sa.Column('timer_norsk', sa.Integer(), nullable=False),
    sa.Column('timer_samfunnskunnskap', sa.Integer(), nullable=False),
    sa.Column('fritak_arsak', sa.String(length=32), nullable=True),
    sa.Column('oppfylt_dato', sa.Date(), nullable=True),
    sa.Column('oppfylt_grunnlag', sa.String(length=8), nullable=True),
    sa.Column('versjon', sa.Integer(), nullable=False),
    sa.Column('endret', UtcDateTime(), nullable=False),
    sa.PrimaryKeyConstraint('person_ref', name=op.f('pk_opplaering')),
    sa.UniqueConstraint('ekstern_id', name=op.f('uq_opplaering_ekstern_id'))
    )
    with op.batch_alter_table('opplaering', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_opplaering_kommunenummer'), ['kommunenummer'], unique=False)



def downgrade() -> None:
    with op.batch_alter_table('opplaering', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_opplaering_kommunenummer'))

    op.drop_table('opplaering')
    op.drop_table('kommuneundersokelse')
    op.drop_table('jobbsjansen_prosjekt')
    with op.batch_alter_table('jobbsjansen_deltaker', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_jobbsjansen_deltaker_prosjekt_id'))

    op.drop_table('jobbsjansen_deltaker')
    op.drop_table('introprogram_ar')
    with op.batch_alter_table('introdeltaker', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_introdeltaker_kommunenummer'))

    op.drop_table('introdeltaker')
