"""measures linked to the form they were read from; date of the patient's risk summary

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-03 18:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0005'
down_revision = '0004'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('measure', schema=None) as batch_op:
        batch_op.add_column(sa.Column('instance_id', sa.Integer(), nullable=True))
        batch_op.create_index(batch_op.f('ix_measure_instance_id'), ['instance_id'], unique=False)
        batch_op.create_foreign_key(
            'fk_measure_instance_id_template_instance', 'template_instance', ['instance_id'], ['id'],
            ondelete='SET NULL',
        )
    with op.batch_alter_table('patient', schema=None) as batch_op:
        batch_op.add_column(sa.Column('risk_summary_updated', sa.Date(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('patient', schema=None) as batch_op:
        batch_op.drop_column('risk_summary_updated')
    with op.batch_alter_table('measure', schema=None) as batch_op:
        batch_op.drop_constraint('fk_measure_instance_id_template_instance', type_='foreignkey')
        batch_op.drop_index(batch_op.f('ix_measure_instance_id'))
        batch_op.drop_column('instance_id')
