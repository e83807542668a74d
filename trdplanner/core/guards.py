"""The database's own guards: triggers that keep signed records, addenda, keys and the audit
trail read-only whoever writes to the database, and the one way to purge a patient.

Migration 0006 installs these, and :func:`repair` puts back any that are missing or were
replaced when a database is opened (a copy whose triggers were dropped, say), so the
definitions here are the single source. Why each one exists:

* REPLACE (``INSERT OR REPLACE``) deletes the old row without firing DELETE triggers unless
  ``recursive_triggers`` is on. Our connections turn it on (db.py), and every protected table
  also has a BEFORE INSERT guard that refuses an insert whose key already names a protected
  row, so REPLACE is refused even from a connection that did not turn it on.
* A purge permit names ONE patient; it unlocks the deletion of that patient's signed notes and
  addenda only, and deleting the patient consumes it (an AFTER DELETE trigger removes it).
  When a session or note is deleted by a cascade its parent is already gone, so the child's
  guard lets that through: the parent's guard already checked the permit.
* On PostgreSQL a permit can only be written by the tables' owner, which the app's login role
  is not meant to be; purging goes through ``trd_purge_patient``, a SECURITY DEFINER function
  whose EXECUTE is revoked from PUBLIC, so only a role an administrator grants it can purge.
"""

from __future__ import annotations

import logging
import re

from sqlalchemy import Connection, text

log = logging.getLogger(__name__)

SIGNED_NOTE = "signed notes cannot be changed or deleted; add an addendum"
ADDENDUM = "addenda cannot be changed or deleted"
AUDIT = "the audit trail is append-only"
SESSION = "a session with a signed note cannot be deleted, renumbered or moved"
PATIENT = "a patient with signed notes cannot be replaced or renumbered"
KEY = "signing keys and key events cannot be changed or deleted"
PERMIT = "purge permits are written only by the purge itself"

# The patient a note belongs to has a permit (SQLite and PostgreSQL share the SQL).
_NOTE_PERMITTED = (
    "EXISTS (SELECT 1 FROM purge_permit pp JOIN therapy_session ts ON ts.patient_id = pp.patient_id "
    "WHERE ts.id = OLD.session_id)"
)
_NOTE_ORPHANED = "NOT EXISTS (SELECT 1 FROM therapy_session ts WHERE ts.id = OLD.session_id)"
_ADDENDUM_PERMITTED = (
    "EXISTS (SELECT 1 FROM purge_permit pp JOIN therapy_session ts ON ts.patient_id = pp.patient_id "
    "JOIN progress_note n ON n.session_id = ts.id WHERE n.id = OLD.note_id)"
)
_ADDENDUM_ORPHANED = "NOT EXISTS (SELECT 1 FROM progress_note n WHERE n.id = OLD.note_id)"
_SESSION_SIGNED = "EXISTS (SELECT 1 FROM progress_note n WHERE n.session_id = OLD.id AND n.status = 'signed')"


def _abort(message: str) -> str:
    return f"BEGIN SELECT RAISE(ABORT, '{message}'); END"


SQLITE_TRIGGERS: dict[str, str] = {
    "trd_signed_note_no_update": f"""CREATE TRIGGER trd_signed_note_no_update BEFORE UPDATE ON progress_note
        WHEN OLD.status = 'signed' {_abort(SIGNED_NOTE)}""",
    "trd_signed_note_no_delete": f"""CREATE TRIGGER trd_signed_note_no_delete BEFORE DELETE ON progress_note
        WHEN OLD.status = 'signed' AND NOT {_NOTE_PERMITTED} AND NOT {_NOTE_ORPHANED} {_abort(SIGNED_NOTE)}""",
    "trd_signed_note_no_replace": f"""CREATE TRIGGER trd_signed_note_no_replace BEFORE INSERT ON progress_note
        WHEN EXISTS (SELECT 1 FROM progress_note n WHERE (n.id = NEW.id OR n.session_id = NEW.session_id)
        AND n.status = 'signed') {_abort(SIGNED_NOTE)}""",
    "trd_addendum_no_update": f"""CREATE TRIGGER trd_addendum_no_update BEFORE UPDATE ON note_addendum
        {_abort(ADDENDUM)}""",
    "trd_addendum_no_delete": f"""CREATE TRIGGER trd_addendum_no_delete BEFORE DELETE ON note_addendum
        WHEN NOT {_ADDENDUM_PERMITTED} AND NOT {_ADDENDUM_ORPHANED} {_abort(ADDENDUM)}""",
    "trd_addendum_no_replace": f"""CREATE TRIGGER trd_addendum_no_replace BEFORE INSERT ON note_addendum
        WHEN EXISTS (SELECT 1 FROM note_addendum a WHERE a.id = NEW.id) {_abort(ADDENDUM)}""",
    "trd_audit_no_update": f"""CREATE TRIGGER trd_audit_no_update BEFORE UPDATE ON audit_event
        {_abort(AUDIT)}""",
    "trd_audit_no_delete": f"""CREATE TRIGGER trd_audit_no_delete BEFORE DELETE ON audit_event
        {_abort(AUDIT)}""",
    "trd_audit_no_replace": f"""CREATE TRIGGER trd_audit_no_replace BEFORE INSERT ON audit_event
        WHEN EXISTS (SELECT 1 FROM audit_event e WHERE e.id = NEW.id) {_abort(AUDIT)}""",
    "trd_session_no_delete": f"""CREATE TRIGGER trd_session_no_delete BEFORE DELETE ON therapy_session
        WHEN {_SESSION_SIGNED} AND NOT EXISTS (SELECT 1 FROM purge_permit pp WHERE pp.patient_id = OLD.patient_id)
        {_abort(SESSION)}""",
    "trd_session_no_move": f"""CREATE TRIGGER trd_session_no_move BEFORE UPDATE OF id, patient_id ON therapy_session
        WHEN (NEW.id IS NOT OLD.id OR NEW.patient_id IS NOT OLD.patient_id) AND {_SESSION_SIGNED}
        {_abort(SESSION)}""",
    "trd_session_no_replace": f"""CREATE TRIGGER trd_session_no_replace BEFORE INSERT ON therapy_session
        WHEN EXISTS (SELECT 1 FROM progress_note n WHERE n.session_id = NEW.id AND n.status = 'signed')
        {_abort(SESSION)}""",
    "trd_patient_no_replace": f"""CREATE TRIGGER trd_patient_no_replace BEFORE INSERT ON patient
        WHEN EXISTS (SELECT 1 FROM patient p JOIN therapy_session ts ON ts.patient_id = p.id
        JOIN progress_note n ON n.session_id = ts.id WHERE (p.id = NEW.id OR p.code = NEW.code)
        AND n.status = 'signed') {_abort(PATIENT)}""",
    "trd_patient_no_renumber": f"""CREATE TRIGGER trd_patient_no_renumber BEFORE UPDATE OF id ON patient
        WHEN NEW.id IS NOT OLD.id AND EXISTS (SELECT 1 FROM therapy_session ts JOIN progress_note n
        ON n.session_id = ts.id WHERE ts.patient_id = OLD.id AND n.status = 'signed') {_abort(PATIENT)}""",
    "trd_purge_permit_consumed": """CREATE TRIGGER trd_purge_permit_consumed AFTER DELETE ON patient
        BEGIN DELETE FROM purge_permit WHERE patient_id = OLD.id; END""",
    "trd_key_no_change": f"""CREATE TRIGGER trd_key_no_change BEFORE UPDATE ON signing_key
        WHEN NEW.public_key IS NOT OLD.public_key OR NEW.fingerprint IS NOT OLD.fingerprint
        OR NEW.clinician_id IS NOT OLD.clinician_id OR NEW.id IS NOT OLD.id
        OR NEW.private_key IS NOT OLD.private_key OR NEW.created_at IS NOT OLD.created_at
        OR (OLD.revoked_at IS NOT NULL AND NEW.revoked_at IS NOT OLD.revoked_at) {_abort(KEY)}""",
    "trd_key_no_delete": f"""CREATE TRIGGER trd_key_no_delete BEFORE DELETE ON signing_key {_abort(KEY)}""",
    "trd_key_no_replace": f"""CREATE TRIGGER trd_key_no_replace BEFORE INSERT ON signing_key
        WHEN EXISTS (SELECT 1 FROM signing_key k WHERE k.id = NEW.id OR k.fingerprint = NEW.fingerprint)
        {_abort(KEY)}""",
    "trd_key_event_no_update": f"""CREATE TRIGGER trd_key_event_no_update BEFORE UPDATE ON key_event
        {_abort(KEY)}""",
    "trd_key_event_no_delete": f"""CREATE TRIGGER trd_key_event_no_delete BEFORE DELETE ON key_event
        {_abort(KEY)}""",
    "trd_key_event_no_replace": f"""CREATE TRIGGER trd_key_event_no_replace BEFORE INSERT ON key_event
        WHEN EXISTS (SELECT 1 FROM key_event e WHERE e.id = NEW.id) {_abort(KEY)}""",
}


def _raise(message: str) -> str:
    return f"RAISE EXCEPTION '{message}' USING ERRCODE = 'restrict_violation';"


PG_FUNCTIONS: dict[str, str] = {
    "trd_protect_signed_note": f"""
        CREATE OR REPLACE FUNCTION trd_protect_signed_note() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
            IF TG_OP = 'INSERT' THEN
                RETURN NEW;
            END IF;
            IF OLD.status = 'signed' THEN
                IF TG_OP = 'DELETE' AND ({_NOTE_PERMITTED} OR {_NOTE_ORPHANED}) THEN
                    RETURN OLD;
                END IF;
                {_raise(SIGNED_NOTE)}
            END IF;
            IF TG_OP = 'DELETE' THEN
                RETURN OLD;
            END IF;
            RETURN NEW;
        END $$""",
    "trd_protect_addendum": f"""
        CREATE OR REPLACE FUNCTION trd_protect_addendum() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
            IF TG_OP = 'DELETE' AND ({_ADDENDUM_PERMITTED} OR {_ADDENDUM_ORPHANED}) THEN
                RETURN OLD;
            END IF;
            {_raise(ADDENDUM)}
        END $$""",
    "trd_protect_audit": f"""
        CREATE OR REPLACE FUNCTION trd_protect_audit() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
            {_raise(AUDIT)}
        END $$""",
    "trd_protect_session": f"""
        CREATE OR REPLACE FUNCTION trd_protect_session() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
            IF {_SESSION_SIGNED} THEN
                IF TG_OP = 'DELETE' THEN
                    IF EXISTS (SELECT 1 FROM purge_permit pp WHERE pp.patient_id = OLD.patient_id) THEN
                        RETURN OLD;
                    END IF;
                    {_raise(SESSION)}
                END IF;
                IF NEW.id IS DISTINCT FROM OLD.id OR NEW.patient_id IS DISTINCT FROM OLD.patient_id THEN
                    {_raise(SESSION)}
                END IF;
            END IF;
            IF TG_OP = 'DELETE' THEN
                RETURN OLD;
            END IF;
            RETURN NEW;
        END $$""",
    "trd_protect_patient": f"""
        CREATE OR REPLACE FUNCTION trd_protect_patient() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
            IF NEW.id IS DISTINCT FROM OLD.id AND EXISTS (SELECT 1 FROM therapy_session ts JOIN progress_note n
                    ON n.session_id = ts.id WHERE ts.patient_id = OLD.id AND n.status = 'signed') THEN
                {_raise(PATIENT)}
            END IF;
            RETURN NEW;
        END $$""",
    "trd_protect_key": f"""
        CREATE OR REPLACE FUNCTION trd_protect_key() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
            IF TG_OP = 'UPDATE' AND TG_TABLE_NAME = 'signing_key'
                    AND NEW.public_key = OLD.public_key AND NEW.fingerprint = OLD.fingerprint
                    AND NEW.clinician_id IS NOT DISTINCT FROM OLD.clinician_id AND NEW.id = OLD.id
                    AND NEW.private_key = OLD.private_key AND NEW.created_at = OLD.created_at
                    AND (OLD.revoked_at IS NULL OR NEW.revoked_at IS NOT DISTINCT FROM OLD.revoked_at) THEN
                RETURN NEW;
            END IF;
            {_raise(KEY)}
        END $$""",
    # Only the owner of purge_permit (the administrator who ran the migrations), or a superuser,
    # may write a permit: inside trd_purge_patient current_user is that owner.
    "trd_protect_permit": f"""
        CREATE OR REPLACE FUNCTION trd_protect_permit() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
            IF pg_has_role(current_user, (SELECT c.relowner FROM pg_class c
                    WHERE c.oid = TG_RELID), 'USAGE') THEN
                RETURN NEW;
            END IF;
            {_raise(PERMIT)}
        END $$""",
    "trd_consume_permit": """
        CREATE OR REPLACE FUNCTION trd_consume_permit() RETURNS trigger LANGUAGE plpgsql
        SECURITY DEFINER SET search_path FROM CURRENT AS $$
        BEGIN
            DELETE FROM purge_permit WHERE patient_id = OLD.id;
            RETURN OLD;
        END $$""",
    "trd_purge_patient": """
        CREATE OR REPLACE FUNCTION trd_purge_patient(target integer) RETURNS void LANGUAGE plpgsql
        SECURITY DEFINER SET search_path FROM CURRENT AS $$
        BEGIN
            IF NOT EXISTS (SELECT 1 FROM patient WHERE id = target AND status = 'archived') THEN
                RAISE EXCEPTION 'only an archived patient can be purged' USING ERRCODE = 'restrict_violation';
            END IF;
            INSERT INTO purge_permit (patient_id) VALUES (target);
            DELETE FROM patient WHERE id = target;
            DELETE FROM purge_permit WHERE patient_id = target;
        END $$""",
}

# Functions nobody but an administrator may call.
PG_RESTRICTED = {"trd_purge_patient": "trd_purge_patient(integer)"}

PG_TRIGGERS: dict[tuple[str, str], str] = {
    ("trd_signed_note_guard", "progress_note"): (
        "BEFORE UPDATE OR DELETE ON progress_note FOR EACH ROW EXECUTE FUNCTION trd_protect_signed_note()"
    ),
    ("trd_addendum_guard", "note_addendum"): (
        "BEFORE UPDATE OR DELETE ON note_addendum FOR EACH ROW EXECUTE FUNCTION trd_protect_addendum()"
    ),
    ("trd_audit_guard", "audit_event"): (
        "BEFORE UPDATE OR DELETE ON audit_event FOR EACH ROW EXECUTE FUNCTION trd_protect_audit()"
    ),
    # TRUNCATE skips row triggers; refuse it on the append-only tables as a statement.
    ("trd_audit_no_truncate", "audit_event"): (
        "BEFORE TRUNCATE ON audit_event FOR EACH STATEMENT EXECUTE FUNCTION trd_protect_audit()"
    ),
    ("trd_addendum_no_truncate", "note_addendum"): (
        "BEFORE TRUNCATE ON note_addendum FOR EACH STATEMENT EXECUTE FUNCTION trd_protect_addendum()"
    ),
    ("trd_note_no_truncate", "progress_note"): (
        "BEFORE TRUNCATE ON progress_note FOR EACH STATEMENT EXECUTE FUNCTION trd_protect_audit()"
    ),
    ("trd_session_guard", "therapy_session"): (
        "BEFORE UPDATE OR DELETE ON therapy_session FOR EACH ROW EXECUTE FUNCTION trd_protect_session()"
    ),
    ("trd_session_no_truncate", "therapy_session"): (
        "BEFORE TRUNCATE ON therapy_session FOR EACH STATEMENT EXECUTE FUNCTION trd_protect_audit()"
    ),
    ("trd_patient_guard", "patient"): (
        "BEFORE UPDATE OF id ON patient FOR EACH ROW EXECUTE FUNCTION trd_protect_patient()"
    ),
    ("trd_patient_no_truncate", "patient"): (
        "BEFORE TRUNCATE ON patient FOR EACH STATEMENT EXECUTE FUNCTION trd_protect_audit()"
    ),
    ("trd_purge_permit_consumed", "patient"): (
        "AFTER DELETE ON patient FOR EACH ROW EXECUTE FUNCTION trd_consume_permit()"
    ),
    ("trd_permit_guard", "purge_permit"): (
        "BEFORE INSERT OR UPDATE ON purge_permit FOR EACH ROW EXECUTE FUNCTION trd_protect_permit()"
    ),
    ("trd_key_guard", "signing_key"): (
        "BEFORE UPDATE OR DELETE ON signing_key FOR EACH ROW EXECUTE FUNCTION trd_protect_key()"
    ),
    ("trd_key_event_guard", "key_event"): (
        "BEFORE UPDATE OR DELETE ON key_event FOR EACH ROW EXECUTE FUNCTION trd_protect_key()"
    ),
    ("trd_key_no_truncate", "signing_key"): (
        "BEFORE TRUNCATE ON signing_key FOR EACH STATEMENT EXECUTE FUNCTION trd_protect_audit()"
    ),
    ("trd_key_event_no_truncate", "key_event"): (
        "BEFORE TRUNCATE ON key_event FOR EACH STATEMENT EXECUTE FUNCTION trd_protect_audit()"
    ),
}

# Migration 0004's triggers, replaced by the ones above.
OLD_SQLITE = ("trd_signed_note_no_update", "trd_signed_note_no_delete", "trd_addendum_no_update",
              "trd_addendum_no_delete", "trd_audit_no_update", "trd_audit_no_delete")
OLD_PG_TRIGGERS = (("trd_signed_note_guard", "progress_note"), ("trd_addendum_guard", "note_addendum"),
                   ("trd_audit_guard", "audit_event"), ("trd_audit_no_truncate", "audit_event"),
                   ("trd_addendum_no_truncate", "note_addendum"), ("trd_note_no_truncate", "progress_note"))


def _normal(sql: str) -> str:
    return re.sub(r"\s+", " ", sql).strip().lower()


def install(conn: Connection) -> None:
    """Create every guard (the migration); existing ones of the same name are replaced."""
    if conn.dialect.name == "postgresql":
        for sql in PG_FUNCTIONS.values():
            conn.execute(text(sql))
        for signature in PG_RESTRICTED.values():
            conn.execute(text(f"REVOKE ALL ON FUNCTION {signature} FROM PUBLIC"))
        for (name, table), body in PG_TRIGGERS.items():
            conn.execute(text(f"DROP TRIGGER IF EXISTS {name} ON {table}"))
            conn.execute(text(f"CREATE TRIGGER {name} {body}"))
        conn.execute(text("REVOKE ALL ON purge_permit FROM PUBLIC"))
        return
    for name, sql in SQLITE_TRIGGERS.items():
        conn.execute(text(f"DROP TRIGGER IF EXISTS {name}"))
        conn.execute(text(sql))


def missing(conn: Connection) -> list[str]:
    """Guards that are absent or not as defined here (edited to let everything through, say)."""
    if conn.dialect.name == "postgresql":
        rows = conn.execute(
            text("SELECT t.tgname, c.relname, t.tgenabled FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid "
                 "WHERE NOT t.tgisinternal AND t.tgname LIKE 'trd_%'")
        ).all()
        present = {(r[0], r[1]) for r in rows if r[2] != "D"}
        gone = [f"{name} on {table}" for (name, table) in PG_TRIGGERS if (name, table) not in present]
        funcs: dict[str, str] = {
            str(r[0]): str(r[1])
            for r in conn.execute(
                text("SELECT p.proname, pg_get_functiondef(p.oid) FROM pg_proc p WHERE p.proname LIKE 'trd_%'")
            )
        }
        for name, sql in PG_FUNCTIONS.items():
            body = sql.split("$$")[1] if "$$" in sql else ""
            if name not in funcs or _normal(body) not in _normal(funcs[name]):
                gone.append(f"function {name}")
        return gone
    stored: dict[str, str] = {
        str(r[0]): str(r[1] or "")
        for r in conn.execute(text("SELECT name, sql FROM sqlite_master WHERE type = 'trigger'"))
    }
    return [name for name, sql in SQLITE_TRIGGERS.items() if _normal(stored.get(name) or "") != _normal(sql)]


def repair(conn: Connection) -> list[str]:
    """Put back any guard that is missing or altered; returns what was put back (empty if none)."""
    gone = missing(conn)
    if gone:
        log.info("database guards missing or altered, restoring: %s", ", ".join(gone))
        install(conn)
    return gone
