"""audit trail, purge permit, and database triggers that keep signed records read-only

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-25 09:00:00

The service layer already refuses to change a signed note; these triggers make the
database refuse it too, whoever writes to it:

* progress_note: no UPDATE of a signed note; no DELETE of one unless a purge permit exists
  (an explicit, confirmed, audited purge of an archived patient).
* note_addendum: append-only (no UPDATE; DELETE only under a purge permit).
* audit_event: append-only (no UPDATE, no DELETE, no TRUNCATE).

SQLite uses BEFORE triggers with RAISE(ABORT); PostgreSQL uses PL/pgSQL trigger functions.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0004'
down_revision = '0003'
branch_labels = None
depends_on = None

SIGNED_NOTE = "signed notes cannot be changed or deleted; add an addendum"
ADDENDUM = "addenda cannot be changed or deleted"
AUDIT = "the audit trail is append-only"

SQLITE_TRIGGERS = {
    "trd_signed_note_no_update": f"""
        CREATE TRIGGER trd_signed_note_no_update BEFORE UPDATE ON progress_note
        WHEN OLD.status = 'signed'
        BEGIN SELECT RAISE(ABORT, '{SIGNED_NOTE}'); END""",
    "trd_signed_note_no_delete": f"""
        CREATE TRIGGER trd_signed_note_no_delete BEFORE DELETE ON progress_note
        WHEN OLD.status = 'signed' AND NOT EXISTS (SELECT 1 FROM purge_permit)
        BEGIN SELECT RAISE(ABORT, '{SIGNED_NOTE}'); END""",
    "trd_addendum_no_update": f"""
        CREATE TRIGGER trd_addendum_no_update BEFORE UPDATE ON note_addendum
        BEGIN SELECT RAISE(ABORT, '{ADDENDUM}'); END""",
    "trd_addendum_no_delete": f"""
        CREATE TRIGGER trd_addendum_no_delete BEFORE DELETE ON note_addendum
        WHEN NOT EXISTS (SELECT 1 FROM purge_permit)
        BEGIN SELECT RAISE(ABORT, '{ADDENDUM}'); END""",
    "trd_audit_no_update": f"""
        CREATE TRIGGER trd_audit_no_update BEFORE UPDATE ON audit_event
        BEGIN SELECT RAISE(ABORT, '{AUDIT}'); END""",
    "trd_audit_no_delete": f"""
        CREATE TRIGGER trd_audit_no_delete BEFORE DELETE ON audit_event
        BEGIN SELECT RAISE(ABORT, '{AUDIT}'); END""",
}

PG_FUNCTIONS = {
    "trd_protect_signed_note": f"""
        CREATE FUNCTION trd_protect_signed_note() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
            IF OLD.status = 'signed' THEN
                IF TG_OP = 'DELETE' AND EXISTS (SELECT 1 FROM purge_permit) THEN
                    RETURN OLD;
                END IF;
                RAISE EXCEPTION '{SIGNED_NOTE}' USING ERRCODE = 'restrict_violation';
            END IF;
            IF TG_OP = 'DELETE' THEN
                RETURN OLD;
            END IF;
            RETURN NEW;
        END $$""",
    "trd_protect_addendum": f"""
        CREATE FUNCTION trd_protect_addendum() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
            IF TG_OP = 'DELETE' AND EXISTS (SELECT 1 FROM purge_permit) THEN
                RETURN OLD;
            END IF;
            RAISE EXCEPTION '{ADDENDUM}' USING ERRCODE = 'restrict_violation';
        END $$""",
    "trd_protect_audit": f"""
        CREATE FUNCTION trd_protect_audit() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
            RAISE EXCEPTION '{AUDIT}' USING ERRCODE = 'restrict_violation';
        END $$""",
}

PG_TRIGGERS = {
    ("trd_signed_note_guard", "progress_note"): (
        "BEFORE UPDATE OR DELETE ON progress_note FOR EACH ROW EXECUTE PROCEDURE trd_protect_signed_note()"
    ),
    ("trd_addendum_guard", "note_addendum"): (
        "BEFORE UPDATE OR DELETE ON note_addendum FOR EACH ROW EXECUTE PROCEDURE trd_protect_addendum()"
    ),
    ("trd_audit_guard", "audit_event"): (
        "BEFORE UPDATE OR DELETE ON audit_event FOR EACH ROW EXECUTE PROCEDURE trd_protect_audit()"
    ),
    # TRUNCATE skips row triggers; refuse it on the append-only tables as a statement.
    ("trd_audit_no_truncate", "audit_event"): (
        "BEFORE TRUNCATE ON audit_event FOR EACH STATEMENT EXECUTE PROCEDURE trd_protect_audit()"
    ),
    ("trd_addendum_no_truncate", "note_addendum"): (
        "BEFORE TRUNCATE ON note_addendum FOR EACH STATEMENT EXECUTE PROCEDURE trd_protect_addendum()"
    ),
    ("trd_note_no_truncate", "progress_note"): (
        "BEFORE TRUNCATE ON progress_note FOR EACH STATEMENT EXECUTE PROCEDURE trd_protect_audit()"
    ),
}


def upgrade() -> None:
    op.create_table(
        'audit_event',
        sa.Column('id', sa.Integer(), autoincrement=False, nullable=False),
        sa.Column('at', sa.DateTime(), nullable=False),
        sa.Column('actor', sa.String(length=200), nullable=False),
        sa.Column('action', sa.String(length=60), nullable=False),
        sa.Column('object_type', sa.String(length=40), nullable=False),
        sa.Column('object_id', sa.String(length=64), nullable=False),
        sa.Column('detail', sa.Text(), nullable=False),
        sa.Column('prev_hash', sa.String(length=64), nullable=False),
        sa.Column('hash', sa.String(length=64), nullable=False),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_audit_event')),
    )
    with op.batch_alter_table('audit_event', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_audit_event_action'), ['action'], unique=False)
    op.create_table(
        'purge_permit',
        sa.Column('patient_id', sa.Integer(), autoincrement=False, nullable=False),
        sa.PrimaryKeyConstraint('patient_id', name=op.f('pk_purge_permit')),
    )
    if op.get_bind().dialect.name == "postgresql":
        for sql in PG_FUNCTIONS.values():
            op.execute(sql)
        for (name, _table), body in PG_TRIGGERS.items():
            op.execute(f"CREATE TRIGGER {name} {body}")
    else:
        for sql in SQLITE_TRIGGERS.values():
            op.execute(sql)


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        for name, table in PG_TRIGGERS:
            op.execute(f"DROP TRIGGER IF EXISTS {name} ON {table}")
        for name in PG_FUNCTIONS:
            op.execute(f"DROP FUNCTION IF EXISTS {name}()")
    else:
        for name in SQLITE_TRIGGERS:
            op.execute(f"DROP TRIGGER IF EXISTS {name}")
    op.drop_table('purge_permit')
    with op.batch_alter_table('audit_event', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_audit_event_action'))
    op.drop_table('audit_event')
