"""signing keys, signatures on notes and addenda, and guards without holes

Revision ID: 0006
Revises: 0004
Create Date: 2026-12-03 18:00:00

* signing_key / key_event: each clinician's Ed25519 key pair and its signed history.
* progress_note / note_addendum gain ``signature`` and ``key_fingerprint``.
* The triggers of 0004 are replaced by those in core/guards.py: REPLACE is refused, purge
  permits name one patient and are consumed, sessions and patients holding signed notes
  cannot be deleted, moved or replaced, and (PostgreSQL) purging goes through
  trd_purge_patient, which only an administrator may execute.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from trdplanner.core import guards

revision = '0006'
down_revision = '0005'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        'signing_key',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('clinician_id', sa.Integer(), nullable=True),
        sa.Column('holder_name', sa.String(length=300), nullable=False),
        sa.Column('fingerprint', sa.String(length=64), nullable=False),
        sa.Column('public_key', sa.String(length=64), nullable=False),
        sa.Column('private_key', sa.Text(), nullable=False),
        sa.Column('origin', sa.String(length=10), nullable=False),
        sa.Column('created_at', sa.DateTime(), nullable=False),
        sa.Column('revoked_at', sa.DateTime(), nullable=True),
        sa.ForeignKeyConstraint(['clinician_id'], ['clinician.id'], name=op.f('fk_signing_key_clinician_id_clinician')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_signing_key')),
        sa.UniqueConstraint('fingerprint', name=op.f('uq_signing_key_fingerprint')),
    )
    op.create_index(op.f('ix_signing_key_clinician_id'), 'signing_key', ['clinician_id'], unique=False)
    op.create_table(
        'key_event',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('key_fingerprint', sa.String(length=64), nullable=False),
        sa.Column('action', sa.String(length=20), nullable=False),
        sa.Column('at', sa.DateTime(), nullable=False),
        sa.Column('payload', sa.Text(), nullable=False),
        sa.Column('signed_by', sa.String(length=64), nullable=False),
        sa.Column('signature', sa.String(length=128), nullable=False),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_key_event')),
    )
    op.create_index(op.f('ix_key_event_key_fingerprint'), 'key_event', ['key_fingerprint'], unique=False)
    # ADD COLUMN (not a batch table rebuild), so the rows and the note triggers stay as they are.
    for table in ('progress_note', 'note_addendum'):
        op.add_column(table, sa.Column('signature', sa.String(length=128), nullable=False, server_default=''))
        op.add_column(table, sa.Column('key_fingerprint', sa.String(length=64), nullable=False, server_default=''))
    bind = op.get_bind()
    if bind.dialect.name == "postgresql":
        for name, table in guards.OLD_PG_TRIGGERS:
            op.execute(f"DROP TRIGGER IF EXISTS {name} ON {table}")
    else:
        for name in guards.OLD_SQLITE:
            op.execute(f"DROP TRIGGER IF EXISTS {name}")
    _mark_legacy(bind)
    guards.install(bind)


def _mark_legacy(bind: sa.Connection) -> None:
    """Notes and addenda signed before signatures existed carry only a fingerprint.

    They are marked ``key_fingerprint = 'legacy'`` and listed, with their fingerprints, in one
    audit entry written here, so that `audit verify` accepts exactly these (the chain and the
    anchor protect the list) and no note marked legacy later.
    """
    from trdplanner.core.audit import LEGACY_ACTION, append_raw

    notes = [list(r) for r in bind.execute(sa.text(
        "SELECT id, fingerprint FROM progress_note WHERE status = 'signed' ORDER BY id")).all()]
    addenda = [list(r) for r in bind.execute(sa.text(
        "SELECT id, fingerprint FROM note_addendum ORDER BY id")).all()]
    if not notes and not addenda:
        return
    bind.execute(sa.text("UPDATE progress_note SET key_fingerprint = 'legacy' WHERE status = 'signed'"))
    bind.execute(sa.text("UPDATE note_addendum SET key_fingerprint = 'legacy'"))
    append_raw(bind, LEGACY_ACTION, {"notes": notes, "addenda": addenda})


def downgrade() -> None:
    bind = op.get_bind()
    if bind.dialect.name == "postgresql":
        for name, table in guards.PG_TRIGGERS:
            op.execute(f"DROP TRIGGER IF EXISTS {name} ON {table}")
    else:
        for name in guards.SQLITE_TRIGGERS:
            op.execute(f"DROP TRIGGER IF EXISTS {name}")
    for table in ('progress_note', 'note_addendum'):
        with op.batch_alter_table(table) as batch_op:
            batch_op.drop_column('key_fingerprint')
            batch_op.drop_column('signature')
    op.drop_index(op.f('ix_key_event_key_fingerprint'), table_name='key_event')
    op.drop_table('key_event')
    op.drop_index(op.f('ix_signing_key_clinician_id'), table_name='signing_key')
    op.drop_table('signing_key')
