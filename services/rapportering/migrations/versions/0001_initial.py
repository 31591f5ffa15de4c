"""read model (measures, places, milestones, assessments, texts), risk state, report versions, platform tables

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
    op.create_table('assessment',
    sa.Column('event_id', sa.String(length=64), nullable=False),
    sa.Column('event_time', UtcDateTime(), nullable=False),
    sa.Column('ar', sa.Integer(), nullable=False),
    sa.Column('objekt', sa.String(length=8), nullable=False),
    sa.Column('status', sa.String(length=8), nullable=False),
    sa.Column('begrunnelse', sa.Text(), nullable=False),
    sa.Column('tiltak', sa.Text(), nullable=True),
    sa.Column('dato', sa.Date(), nullable=False),
    sa.PrimaryKeyConstraint('event_id')
    )
    op.create_index('ix_assessment_key', 'assessment', ['ar', 'objekt'], unique=False)
    op.create_table('measure_cell',
    sa.Column('measure', sa.String(length=16), nullable=False),
    sa.Column('period', sa.String(length=10), nullable=False),
    sa.Column('dimension', sa.String(length=16), nullable=False),
    sa.Column('value', sa.String(length=24), nullable=False),
    sa.Column('numerator', sa.BigInteger(), nullable=False),
    sa.Column('denominator', sa.BigInteger(), nullable=False),
    sa.PrimaryKeyConstraint('measure', 'period', 'dimension', 'value')
    )
    op.create_table('milestone_update',
    sa.Column('event_id', sa.String(length=64), nullable=False),
    sa.Column('event_time', UtcDateTime(), nullable=False),
    sa.Column('source', sa.String(length=200), nullable=False),
    sa.Column('ar', sa.Integer(), nullable=False),
    sa.Column('oppdrag', sa.String(length=8), nullable=False),
    sa.Column('milepael', sa.String(length=8), nullable=False),
    sa.Column('ferdig', sa.Boolean(), nullable=False),
    sa.Column('fremdrift', sa.Integer(), nullable=False),
    sa.Column('dato', sa.Date(), nullable=False),
    sa.Column('kommentar', sa.Text(), nullable=True),
    sa.PrimaryKeyConstraint('event_id')
    )
    op.create_index('ix_milestone_update_key', 'milestone_update', ['ar', 'oppdrag', 'milepael'], unique=False)
    op.create_table('places',
    sa.Column('ar', sa.Integer(), nullable=False),
    sa.Column('kommunenummer', sa.String(length=4), nullable=False),
    sa.Column('anmodet', sa.Integer(), nullable=True),
    sa.Column('anmodet_em', sa.Integer(), nullable=True),
    sa.Column('anmodning_event_time', UtcDateTime(), nullable=True),
    sa.Column('anmodning_event_id', sa.String(length=64), nullable=True),
    sa.Column('vedtatt', sa.Integer(), nullable=True),
    sa.Column('vedtatt_em', sa.Integer(), nullable=True),
    sa.Column('vedtak_event_time', UtcDateTime(), nullable=True),
    sa.Column('vedtak_event_id', sa.String(length=64), nullable=True),
    sa.PrimaryKeyConstraint('ar', 'kommunenummer')
    )
    op.create_table('report_text',
    sa.Column('event_id', sa.String(length=64), nullable=False),
    sa.Column('event_time', UtcDateTime(), nullable=False),
    sa.Column('rapporttype', sa.String(length=20), nullable=False),
    sa.Column('periode', sa.String(length=10), nullable=False),
    sa.Column('krav', sa.String(length=8), nullable=False),
    sa.Column('tekst', sa.Text(), nullable=False),
    sa.PrimaryKeyConstraint('event_id')
    )
    op.create_index('ix_report_text_key', 'report_text', ['rapporttype', 'periode', 'krav'], unique=False)
    op.create_table('report_version',
    sa.Column('rapporttype', sa.String(length=20), nullable=False),
    sa.Column('periode', sa.String(length=10), nullable=False),
    sa.Column('versjon', sa.Integer(), nullable=False),
    sa.Column('innhold', sa.Text(), nullable=False),
    sa.Column('sha256', sa.String(length=64), nullable=False),
    sa.Column('posisjon', sa.Text(), nullable=False),
    sa.Column('publisert', UtcDateTime(), nullable=False),
    sa.Column('publisert_av', sa.String(length=200), nullable=False),
    sa.PrimaryKeyConstraint('rapporttype', 'periode', 'versjon')
    )
    op.create_table('risk_state',
    sa.Column('ar', sa.Integer(), nullable=False),
    sa.Column('objekt', sa.String(length=8), nullable=False),
    sa.Column('status', sa.String(length=12), nullable=False),
    sa.Column('begrunnelse', sa.Text(), nullable=False),
    sa.Column('endret', UtcDateTime(), nullable=False),
    sa.PrimaryKeyConstraint('ar', 'objekt')
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
    for table in ("report_version", "risk_state", "report_text", "assessment", "milestone_update", "places",
                  "measure_cell", "settlement"):
        op.drop_table(table)
    drop_platform_tables(op)
