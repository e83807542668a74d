"""therapy groups: groups, facilitators, members, meetings, attendance, non-patient attendees

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-04 08:45:00

A group meeting is planned once; each attending member gets their own therapy_session linked
to it (therapy_session.group_meeting_id), with the group's name and the member's attendance
copied so the record and its export say which group it was. session_attendee lists the people
present at a session who are not patients (a family session's relatives). On a group practice's
server the new tables get their grants and row-level security here (core/group.py), as
``practice setup`` gives them.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0010'
down_revision = '0009'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        'therapy_group',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('name', sa.String(length=200), nullable=False),
        sa.Column('modality', sa.String(length=20), nullable=False),
        sa.Column('duration_minutes', sa.Integer(), nullable=False),
        sa.Column('created_at', sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_therapy_group')),
        sa.UniqueConstraint('name', name=op.f('uq_therapy_group_name')),
    )
    op.create_table(
        'group_facilitator',
        sa.Column('group_id', sa.Integer(), nullable=False),
        sa.Column('clinician_id', sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(['group_id'], ['therapy_group.id'],
                                name=op.f('fk_group_facilitator_group_id_therapy_group'), ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['clinician_id'], ['clinician.id'],
                                name=op.f('fk_group_facilitator_clinician_id_clinician'), ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('group_id', 'clinician_id', name=op.f('pk_group_facilitator')),
    )
    op.create_table(
        'group_member',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('group_id', sa.Integer(), nullable=False),
        sa.Column('patient_id', sa.Integer(), nullable=False),
        sa.Column('joined_on', sa.Date(), nullable=False),
        sa.Column('left_on', sa.Date(), nullable=True),
        sa.ForeignKeyConstraint(['group_id'], ['therapy_group.id'],
                                name=op.f('fk_group_member_group_id_therapy_group'), ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['patient_id'], ['patient.id'],
                                name=op.f('fk_group_member_patient_id_patient'), ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_group_member')),
        sa.UniqueConstraint('group_id', 'patient_id', name=op.f('uq_group_member_group_id')),
    )
    op.create_index(op.f('ix_group_member_group_id'), 'group_member', ['group_id'])
    op.create_index(op.f('ix_group_member_patient_id'), 'group_member', ['patient_id'])
    op.create_table(
        'group_meeting',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('group_id', sa.Integer(), nullable=False),
        sa.Column('number', sa.Integer(), nullable=False),
        sa.Column('date', sa.Date(), nullable=False),
        sa.Column('theme', sa.String(length=300), nullable=False),
        sa.Column('agenda', sa.JSON(), nullable=False),
        sa.Column('templates', sa.JSON(), nullable=False),
        sa.Column('homework', sa.JSON(), nullable=False),
        sa.Column('shared_note', sa.Text(), nullable=False),
        sa.Column('created_at', sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(['group_id'], ['therapy_group.id'],
                                name=op.f('fk_group_meeting_group_id_therapy_group'), ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_group_meeting')),
        sa.UniqueConstraint('group_id', 'number', name=op.f('uq_group_meeting_group_id')),
    )
    op.create_index(op.f('ix_group_meeting_group_id'), 'group_meeting', ['group_id'])
    op.create_index(op.f('ix_group_meeting_date'), 'group_meeting', ['date'])
    if op.get_bind().dialect.name == "postgresql":
        op.add_column('therapy_session', sa.Column('group_meeting_id', sa.Integer(), nullable=True))
        op.create_foreign_key(op.f('fk_therapy_session_group_meeting_id_group_meeting'), 'therapy_session',
                              'group_meeting', ['group_meeting_id'], ['id'], ondelete='SET NULL')
    else:
        # SQLite cannot add a constraint to a table; ADD COLUMN ... REFERENCES does the same job
        # without copying a table other tables reference.
        op.execute("ALTER TABLE therapy_session ADD COLUMN group_meeting_id INTEGER "
                   "REFERENCES group_meeting (id) ON DELETE SET NULL")
    op.add_column('therapy_session', sa.Column('group_name', sa.String(length=200), nullable=False,
                                               server_default=''))
    op.add_column('therapy_session', sa.Column('group_attendance', sa.String(length=20), nullable=False,
                                               server_default=''))
    op.create_table(
        'group_attendance',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('meeting_id', sa.Integer(), nullable=False),
        sa.Column('patient_id', sa.Integer(), nullable=False),
        sa.Column('status', sa.String(length=20), nullable=False),
        sa.Column('session_id', sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(['meeting_id'], ['group_meeting.id'],
                                name=op.f('fk_group_attendance_meeting_id_group_meeting'), ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['patient_id'], ['patient.id'],
                                name=op.f('fk_group_attendance_patient_id_patient'), ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['session_id'], ['therapy_session.id'],
                                name=op.f('fk_group_attendance_session_id_therapy_session'), ondelete='SET NULL'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_group_attendance')),
        sa.UniqueConstraint('meeting_id', 'patient_id', name=op.f('uq_group_attendance_meeting_id')),
    )
    op.create_index(op.f('ix_group_attendance_meeting_id'), 'group_attendance', ['meeting_id'])
    op.create_index(op.f('ix_group_attendance_patient_id'), 'group_attendance', ['patient_id'])
    op.create_table(
        'session_attendee',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('session_id', sa.Integer(), nullable=False),
        sa.Column('position', sa.Integer(), nullable=False),
        sa.Column('relationship', sa.String(length=100), nullable=False),
        sa.Column('name', sa.String(length=200), nullable=False),
        sa.ForeignKeyConstraint(['session_id'], ['therapy_session.id'],
                                name=op.f('fk_session_attendee_session_id_therapy_session'), ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_session_attendee')),
    )
    op.create_index(op.f('ix_session_attendee_session_id'), 'session_attendee', ['session_id'])
    # A group practice's server: the new tables get their grants and row-level security now.
    from trdplanner.core.group import secure_new_tables

    secure_new_tables(op.get_bind(), ('therapy_group', 'group_facilitator', 'group_member', 'group_meeting',
                                      'group_attendance', 'session_attendee'))


def downgrade() -> None:
    op.drop_table('session_attendee')
    op.drop_table('group_attendance')
    with op.batch_alter_table('therapy_session', schema=None) as batch_op:
        if op.get_bind().dialect.name == "postgresql":
            batch_op.drop_constraint('fk_therapy_session_group_meeting_id_group_meeting', type_='foreignkey')
        batch_op.drop_column('group_attendance')
        batch_op.drop_column('group_name')
        batch_op.drop_column('group_meeting_id')
    op.drop_table('group_meeting')
    op.drop_table('group_member')
    op.drop_table('group_facilitator')
    op.drop_table('therapy_group')
