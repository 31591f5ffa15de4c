"""competence self-registration and its target group

Revision ID: 0004
Revises: 0003
"""
import sqlalchemy as sa
from alembic import op

revision = '0004'
down_revision = '0003'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('kompetanse_malgruppe',
    sa.Column('periode', sa.String(length=7), nullable=False),
    sa.Column('antall', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('periode', name=op.f('pk_kompetanse_malgruppe'))
    )
    op.create_table('kompetanseregistrering',
    sa.Column('person_ref', sa.String(length=34), nullable=False),
    sa.Column('mottak', sa.String(length=40), nullable=False),
    sa.Column('registrert_dato', sa.Date(), nullable=False),
    sa.Column('formal', sa.JSON(), nullable=False),
    sa.Column('samtykke_deling', sa.Boolean(), nullable=False),
    sa.Column('kommunenummer', sa.String(length=4), nullable=True),
    sa.Column('utdanning', sa.String(length=24), nullable=True),
    sa.Column('sprak', sa.JSON(), nullable=False),
    sa.Column('arbeidserfaring', sa.Text(), nullable=True),
    sa.Column('karriereveiledning_tilbudt', sa.Date(), nullable=True),
    sa.Column('karriereveiledning_gjennomfort', sa.Date(), nullable=True),
    sa.Column('versjon', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('person_ref', name=op.f('pk_kompetanseregistrering'))
    )
    with op.batch_alter_table('kompetanseregistrering', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_kompetanseregistrering_kommunenummer'), ['kommunenummer'], unique=False)



def downgrade() -> None:
    with op.batch_alter_table('kompetanseregistrering', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_kompetanseregistrering_kommunenummer'))

    op.drop_table('kompetanseregistrering')
    op.drop_table('kompetanse_malgruppe')
