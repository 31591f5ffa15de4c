"""settlement cases, requests, municipal decisions, and the platform tables

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
    op.create_table('anmodning',
    sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
    sa.Column('ar', sa.Integer(), nullable=False),
    sa.Column('kommunenummer', sa.String(length=4), nullable=False),
    sa.Column('antall', sa.Integer(), nullable=False),
    sa.Column('herav_em', sa.Integer(), nullable=False),
    sa.Column('sendt_dato', sa.Date(), nullable=False),
    sa.Column('versjon', sa.Integer(), nullable=False),
    sa.Column('endret', UtcDateTime(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_anmodning')),
    sa.UniqueConstraint('ar', 'kommunenummer', name='uq_anmodning_ar_kommune')
    )
    op.create_table('kommunevedtak',
    sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
    sa.Column('ar', sa.Integer(), nullable=False),
    sa.Column('kommunenummer', sa.String(length=4), nullable=False),
    sa.Column('antall', sa.Integer(), nullable=False),
    sa.Column('herav_em', sa.Integer(), nullable=False),
    sa.Column('vedtaksdato', sa.Date(), nullable=False),
    sa.Column('versjon', sa.Integer(), nullable=False),
    sa.Column('endret', UtcDateTime(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_kommunevedtak')),
    sa.UniqueConstraint('ar', 'kommunenummer', name='uq_kommunevedtak_ar_kommune')
    )
    op.create_table('sak',
    sa.Column('id', sa.String(length=36), nullable=False),
    sa.Column('ekstern_id', sa.String(length=100), nullable=True),
    sa.Column('duf_nummer', sa.String(length=12), nullable=False),
    sa.Column('fodselsnummer', sa.String(length=11), nullable=True),
    sa.Column('navn', sa.String(length=200), nullable=True),
    sa.Column('person_ref', sa.String(length=34), nullable=False),
    sa.Column('kjonn', sa.String(length=1), nullable=False),
    sa.Column('fodselsdato', sa.Date(), nullable=True),
    sa.Column('fodselsar', sa.Integer(), nullable=True),
    sa.Column('kategori', sa.String(length=24), nullable=False),
    sa.Column('enslig_mindrearig', sa.Boolean(), nullable=False),
    sa.Column('nedsatt_funksjonsevne', sa.Boolean(), nullable=False),
    sa.Column('familie_id', sa.String(length=100), nullable=True),
    sa.Column('status', sa.String(length=12), nullable=False),
    sa.Column('vedtaksdato', sa.Date(), nullable=False),
    sa.Column('klar_dato', sa.Date(), nullable=True),
    sa.Column('utvalgt_dato', sa.Date(), nullable=True),
    sa.Column('utvalgt_kommune', sa.String(length=4), nullable=True),
    sa.Column('akseptert_dato', sa.Date(), nullable=True),
    sa.Column('bosettingsdato', sa.Date(), nullable=True),
    sa.Column('kommunenummer', sa.String(length=4), nullable=True),
    sa.Column('avsluttet_dato', sa.Date(), nullable=True),
    sa.Column('avslutningsarsak', sa.String(length=12), nullable=True),
    sa.Column('versjon', sa.Integer(), nullable=False),
    sa.Column('opprettet', UtcDateTime(), nullable=False),
    sa.Column('endret', UtcDateTime(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_sak')),
    sa.UniqueConstraint('duf_nummer', name=op.f('uq_sak_duf_nummer')),
    sa.UniqueConstraint('ekstern_id', name=op.f('uq_sak_ekstern_id'))
    )
    op.create_index(op.f('ix_sak_bosettingsdato'), 'sak', ['bosettingsdato'], unique=False)
    op.create_index(op.f('ix_sak_familie_id'), 'sak', ['familie_id'], unique=False)
    op.create_index(op.f('ix_sak_kommunenummer'), 'sak', ['kommunenummer'], unique=False)
    op.create_index(op.f('ix_sak_person_ref'), 'sak', ['person_ref'], unique=False)
    op.create_index('ix_sak_status_klar', 'sak', ['status', 'klar_dato'], unique=False)


def downgrade() -> None:
    op.drop_table("sak")
    op.drop_table("kommunevedtak")
    op.drop_table("anmodning")
    drop_platform_tables(op)
