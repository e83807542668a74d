"""group practice: clinician logins and roles, patient shares, co-signatures, record versions

Revision ID: 0007
Revises: 0004
Create Date: 2026-12-03 18:00:00

Portable schema only. The PostgreSQL roles, grants, row-level security policies and the
triggers that depend on them are made by ``trdplanner practice setup`` (core/group.py),
because they name the practice's group roles, which this migration cannot know.

* clinician: login (the PostgreSQL login role), role, supervisor, active.
* patient_share: a patient shared with a clinician besides their own.
* note_cosignature: a supervisor's second signature; append-only like addenda.
* progress_note, note_addendum: signer_login (the login the server saw sign).
* version / updated_by / updated_at on every record a window edits, so a save based on a
  version that has changed since it was loaded is refused with who changed it and when.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0007'
down_revision = '0006'
branch_labels = None
depends_on = None

COSIGNATURE = "co-signatures cannot be changed or deleted"
VERSIONED = ("patient", "therapy_session", "progress_note", "treatment_plan", "trial", "measure",
             "practice", "clinician")
HAS_UPDATED_AT = ("patient", "progress_note")

SQLITE_TRIGGERS = {
    "trd_cosignature_no_update": f"""
        CREATE TRIGGER trd_cosignature_no_update BEFORE UPDATE ON note_cosignature
        BEGIN SELECT RAISE(ABORT, '{COSIGNATURE}'); END""",
    "trd_cosignature_no_delete": f"""
        CREATE TRIGGER trd_cosignature_no_delete BEFORE DELETE ON note_cosignature
        WHEN NOT EXISTS (SELECT 1 FROM purge_permit)
        BEGIN SELECT RAISE(ABORT, '{COSIGNATURE}'); END""",
}

PG_FUNCTION = f"""
    CREATE FUNCTION trd_protect_cosignature() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        IF TG_OP = 'DELETE' AND EXISTS (SELECT 1 FROM purge_permit) THEN
            RETURN OLD;
        END IF;
        RAISE EXCEPTION '{COSIGNATURE}' USING ERRCODE = 'restrict_violation';
    END $$"""

PG_TRIGGERS = {
    ("trd_cosignature_guard", "note_cosignature"): (
        "BEFORE UPDATE OR DELETE ON note_cosignature FOR EACH ROW EXECUTE PROCEDURE trd_protect_cosignature()"
    ),
    ("trd_cosignature_no_truncate", "note_cosignature"): (
        "BEFORE TRUNCATE ON note_cosignature FOR EACH STATEMENT EXECUTE PROCEDURE trd_protect_cosignature()"
    ),
}


def upgrade() -> None:
    postgres = op.get_bind().dialect.name == "postgresql"
    op.add_column('clinician', sa.Column('login', sa.String(length=63), nullable=True))
    op.add_column('clinician', sa.Column('role', sa.String(length=20), nullable=False, server_default='clinician'))
    op.add_column('clinician', sa.Column('active', sa.Boolean(), nullable=False, server_default=sa.true()))
    if postgres:
        op.add_column('clinician', sa.Column('supervisor_id', sa.Integer(), nullable=True))
        op.create_unique_constraint(op.f('uq_clinician_login'), 'clinician', ['login'])
        op.create_foreign_key(op.f('fk_clinician_supervisor_id_clinician'), 'clinician', 'clinician',
                              ['supervisor_id'], ['id'])
    else:
        # SQLite cannot add a constraint to a table, and the batch copy would drop a table other
        # tables reference; ADD COLUMN ... REFERENCES and a unique index do the same job.
        op.execute("ALTER TABLE clinician ADD COLUMN supervisor_id INTEGER REFERENCES clinician (id)")
        op.execute("CREATE UNIQUE INDEX uq_clinician_login ON clinician (login)")
    for table in VERSIONED:
        op.add_column(table, sa.Column('version', sa.Integer(), nullable=False, server_default='1'))
        op.add_column(table, sa.Column('updated_by', sa.String(length=200), nullable=False, server_default=''))
        if table not in HAS_UPDATED_AT:
            op.add_column(table, sa.Column('updated_at', sa.DateTime(), nullable=True))
    for table in ("progress_note", "note_addendum"):
        op.add_column(table, sa.Column('signer_login', sa.String(length=63), nullable=False, server_default=''))
    op.create_table(
        'patient_share',
        sa.Column('patient_id', sa.Integer(), nullable=False),
        sa.Column('clinician_id', sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(['patient_id'], ['patient.id'], name=op.f('fk_patient_share_patient_id_patient'),
                                ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['clinician_id'], ['clinician.id'],
                                name=op.f('fk_patient_share_clinician_id_clinician'), ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('patient_id', 'clinician_id', name=op.f('pk_patient_share')),
    )
    op.create_table(
        'note_cosignature',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('note_id', sa.Integer(), nullable=False),
        sa.Column('signer_id', sa.Integer(), nullable=True),
        sa.Column('signer_name', sa.String(length=300), nullable=False),
        sa.Column('signer_login', sa.String(length=63), nullable=False, server_default=''),
        sa.Column('signed_at', sa.DateTime(), nullable=False),
        sa.Column('fingerprint', sa.String(length=64), nullable=False),
        # Ed25519 by the co-signer's own key (issue 11's signing keys) over the same form.
        sa.Column('signature', sa.String(length=128), nullable=False, server_default=''),
        sa.Column('key_fingerprint', sa.String(length=64), nullable=False, server_default=''),
        sa.ForeignKeyConstraint(['note_id'], ['progress_note.id'],
                                name=op.f('fk_note_cosignature_note_id_progress_note'), ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['signer_id'], ['clinician.id'],
                                name=op.f('fk_note_cosignature_signer_id_clinician')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_note_cosignature')),
    )
    with op.batch_alter_table('note_cosignature', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_note_cosignature_note_id'), ['note_id'], unique=False)
    if postgres:
        op.execute(PG_FUNCTION)
        for (name, _table), body in PG_TRIGGERS.items():
            op.execute(f"CREATE TRIGGER {name} {body}")
    else:
        for sql in SQLITE_TRIGGERS.values():
            op.execute(sql)


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        for name, table in PG_TRIGGERS:
            op.execute(f"DROP TRIGGER IF EXISTS {name} ON {table}")
        op.execute("DROP FUNCTION IF EXISTS trd_protect_cosignature()")
    else:
        for name in SQLITE_TRIGGERS:
            op.execute(f"DROP TRIGGER IF EXISTS {name}")
    with op.batch_alter_table('note_cosignature', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_note_cosignature_note_id'))
    op.drop_table('note_cosignature')
    op.drop_table('patient_share')
    for table in ("progress_note", "note_addendum"):
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.drop_column('signer_login')
    for table in VERSIONED:
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.drop_column('version')
            batch_op.drop_column('updated_by')
            if table not in HAS_UPDATED_AT:
                batch_op.drop_column('updated_at')
    with op.batch_alter_table('clinician', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_clinician_supervisor_id_clinician'), type_='foreignkey')
        batch_op.drop_constraint(batch_op.f('uq_clinician_login'), type_='unique')
        batch_op.drop_column('active')
        batch_op.drop_column('supervisor_id')
        batch_op.drop_column('role')
        batch_op.drop_column('login')
