"""treatment_course and course_session: esketamine, IV ketamine, rTMS/iTBS and ECT courses

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-04 14:00:00

Two new tables and nothing else changed. Each course points at the trial it owns in the
ledger; a course session keeps its own patient_id so group row-level security reads it
directly (``core/group.py``); on a group practice's server the upgrade grants and secures
both tables at once. New tables start empty, so no data is copied.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0009'
down_revision = '0008'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        'treatment_course',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('patient_id', sa.Integer(), nullable=False),
        sa.Column('trial_id', sa.Integer(), nullable=False),
        sa.Column('kind', sa.String(length=20), nullable=False),
        sa.Column('start', sa.Date(), nullable=False),
        sa.Column('stop', sa.Date(), nullable=True),
        sa.Column('outcome', sa.String(length=30), nullable=False),
        sa.Column('stop_reason', sa.String(length=30), nullable=False),
        sa.Column('provider', sa.String(length=200), nullable=False),
        sa.Column('protocol', sa.String(length=100), nullable=False),
        sa.Column('target', sa.String(length=100), nullable=False),
        sa.Column('planned_sessions', sa.Integer(), nullable=True),
        sa.Column('judged_adequate', sa.Boolean(), nullable=True),
        sa.Column('notes', sa.Text(), nullable=False),
        sa.Column('created_at', sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(['patient_id'], ['patient.id'], name=op.f('fk_treatment_course_patient_id_patient'),
                                ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['trial_id'], ['trial.id'], name=op.f('fk_treatment_course_trial_id_trial'),
                                ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_treatment_course')),
        sa.UniqueConstraint('trial_id', name=op.f('uq_treatment_course_trial_id')),
    )
    with op.batch_alter_table('treatment_course', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_treatment_course_patient_id'), ['patient_id'], unique=False)
    op.create_table(
        'course_session',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('course_id', sa.Integer(), nullable=False),
        sa.Column('patient_id', sa.Integer(), nullable=False),
        sa.Column('number', sa.Integer(), nullable=False),
        sa.Column('given_on', sa.Date(), nullable=False),
        sa.Column('dose', sa.Float(), nullable=True),
        sa.Column('infusion_minutes', sa.Integer(), nullable=True),
        sa.Column('bp_before', sa.String(length=10), nullable=False),
        sa.Column('bp_after', sa.String(length=10), nullable=False),
        sa.Column('observed_minutes', sa.Integer(), nullable=True),
        sa.Column('sedation', sa.Integer(), nullable=True),
        sa.Column('dissociation', sa.Integer(), nullable=True),
        sa.Column('adverse_events', sa.Text(), nullable=False),
        sa.Column('travel_home', sa.String(length=200), nullable=False),
        sa.Column('motor_threshold_percent', sa.Integer(), nullable=True),
        sa.Column('pulses', sa.Integer(), nullable=True),
        sa.Column('placement', sa.String(length=20), nullable=False),
        sa.Column('seizure_seconds', sa.Integer(), nullable=True),
        sa.Column('cognitive_effects', sa.Text(), nullable=False),
        sa.Column('notes', sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(['course_id'], ['treatment_course.id'],
                                name=op.f('fk_course_session_course_id_treatment_course'), ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['patient_id'], ['patient.id'], name=op.f('fk_course_session_patient_id_patient'),
                                ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_course_session')),
        sa.UniqueConstraint('course_id', 'number', name=op.f('uq_course_session_course_id')),
    )
    with op.batch_alter_table('course_session', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_course_session_course_id'), ['course_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_course_session_patient_id'), ['patient_id'], unique=False)
    # A group practice's server: the new tables get their grants and row-level security now.
    from trdplanner.core.group import secure_new_tables

    secure_new_tables(op.get_bind(), ('treatment_course', 'course_session'))


def downgrade() -> None:
    op.drop_table('course_session')
    op.drop_table('treatment_course')
