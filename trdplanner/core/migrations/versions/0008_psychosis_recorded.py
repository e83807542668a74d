"""episode.psychosis_recorded (was psychosis asked about at all) and trial.min_dose_reason

Revision ID: 0008
Revises: 0004
Create Date: 2026-12-03 18:00:00

Until now ``episode.psychotic_features`` defaulted to false, so "not asked" and "asked: absent"
were the same value and an unrecorded answer was scored as absent in the Maudsley staging.
The new column says whether the answer was recorded. Existing rows with psychotic features
present are recorded; rows holding the old default false cannot be told apart from "not
asked", so they become "not recorded" and the app asks for the answer (the value itself is
kept in the table). Added with ADD COLUMN, so no table is copied and no foreign key fires.

``trial.min_dose_reason`` keeps why a clinician entered a minimum effective dose other than
the drug table's.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0008'
down_revision = '0007'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column('episode', sa.Column('psychosis_recorded', sa.Boolean(), nullable=False, server_default=sa.false()))
    op.add_column('trial', sa.Column('min_dose_reason', sa.Text(), nullable=False, server_default=''))
    episode = sa.table('episode', sa.column('psychotic_features', sa.Boolean()),
                       sa.column('psychosis_recorded', sa.Boolean()))
    op.get_bind().execute(
        episode.update().where(episode.c.psychotic_features.is_(True)).values(psychosis_recorded=True)
    )


def downgrade() -> None:
    with op.batch_alter_table('trial', schema=None) as batch_op:
        batch_op.drop_column('min_dose_reason')
    with op.batch_alter_table('episode', schema=None) as batch_op:
        batch_op.drop_column('psychosis_recorded')
