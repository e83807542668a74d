"""patient_flags: derived TRD status, risk flag and unsigned-note count for the patient list

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-24 09:00:00

The table holds derived data only. It starts empty; the app fills a patient's row the
first time the list is read (and whenever the patient's records change), so this
migration needs no copy of the clinical rules.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0003'
down_revision = '0002'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        'patient_flags',
        sa.Column('patient_id', sa.Integer(), nullable=False),
        sa.Column('trd_status', sa.String(length=20), nullable=False, server_default=''),
        sa.Column('failed_trials', sa.Integer(), nullable=False, server_default='0'),
        sa.Column('risk_flag', sa.Boolean(), nullable=False, server_default=sa.false()),
        sa.Column('open_alerts', sa.Integer(), nullable=False, server_default='0'),
        sa.Column('unsigned_notes', sa.Integer(), nullable=False, server_default='0'),
        sa.Column('last_session', sa.Date(), nullable=True),
        sa.Column('rule', sa.String(length=40), nullable=False, server_default=''),
        sa.Column('computed_on', sa.Date(), nullable=True),
        sa.ForeignKeyConstraint(['patient_id'], ['patient.id'], name=op.f('fk_patient_flags_patient_id_patient'),
                                ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('patient_id', name=op.f('pk_patient_flags')),
    )
    with op.batch_alter_table('patient_flags', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_patient_flags_trd_status'), ['trd_status'], unique=False)
        batch_op.create_index(batch_op.f('ix_patient_flags_risk_flag'), ['risk_flag'], unique=False)
        batch_op.create_index(batch_op.f('ix_patient_flags_unsigned_notes'), ['unsigned_notes'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('patient_flags', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_patient_flags_unsigned_notes'))
        batch_op.drop_index(batch_op.f('ix_patient_flags_risk_flag'))
        batch_op.drop_index(batch_op.f('ix_patient_flags_trd_status'))
    op.drop_table('patient_flags')
