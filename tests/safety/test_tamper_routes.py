"""An insider who knows the database passphrase tries to change the record behind the app's back.

Every route here is one row of the README's data-safety table: it is either refused by the
database itself or caught by ``audit verify`` (core/integrity.py), on SQLite and PostgreSQL.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import pytest
from _safety_helpers import Run, make_patient, signed_session
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat
from sqlalchemy import Connection, text
from sqlalchemy.exc import DBAPIError

from trdplanner.context import AppContext
from trdplanner.core import backup, crypto, guards
from trdplanner.core.demo import DEMO_SIGNING_PASSWORD as PW
from trdplanner.core.errors import InputError
from trdplanner.core.fingerprint import note_form, signed_message
from trdplanner.core.integrity import verify_all
from trdplanner.core.vocab import PatientStatus

TAMPERED = "Mood better. Denies any difficulty."


@pytest.fixture
def practice(any_ctx: AppContext) -> dict[str, int]:
    """Two patients, each with a signed note; A's note has an addendum."""
    a = make_patient(any_ctx, "SAFE-01")
    b = make_patient(any_ctx, "SAFE-02")
    sid_a, clinician = signed_session(any_ctx, a)
    sid_b, _ = signed_session(any_ctx, b)
    any_ctx.notes.add_addendum(sid_a, clinician, "Correction: slept 6 hours.", password=PW)
    with any_ctx.db.engine.connect() as conn:
        note_a = conn.execute(text("SELECT id FROM progress_note WHERE session_id = :s"), {"s": sid_a}).scalar_one()
        note_b = conn.execute(text("SELECT id FROM progress_note WHERE session_id = :s"), {"s": sid_b}).scalar_one()
    assert verify_all(any_ctx.db).ok
    return {"a": a, "b": b, "sid_a": sid_a, "sid_b": sid_b, "note_a": note_a, "note_b": note_b,
            "clinician": clinician}


def _refused(ctx: AppContext, sql: str, params: dict[str, Any] | None = None) -> None:
    with pytest.raises(DBAPIError), ctx.db.engine.begin() as conn:
        conn.execute(text(sql), params or {})


def _replace_sql(conn: Any, table: str, row_id: int, changes: dict[str, Any]) -> tuple[str, dict[str, Any]]:
    """``INSERT OR REPLACE`` of a row with the same id and some columns changed."""
    cols = [r[1] for r in conn.execute(f"PRAGMA table_info({table})").fetchall()]
    select = ", ".join(f":{c}" if c in changes else c for c in cols)
    return (f"INSERT OR REPLACE INTO {table} ({', '.join(cols)}) SELECT {select} FROM {table} WHERE id = {row_id}",
            changes)


@contextmanager
def _outsider(ctx: AppContext) -> Iterator[Any]:
    """A connection opened the way another tool would: the passphrase, none of the app's pragmas."""
    path = backup.sqlite_path(ctx.db)
    con = crypto.connect(path, ctx.db.key)
    try:
        yield con
    finally:
        con.close()


# ------------------------------------------------------------------------------ REPLACE (SQLite)

REPLACE_ROUTES = [
    ("progress_note", "note_a", {"sections": json.dumps([{"id": "subjective", "title": "S", "text": TAMPERED}])}),
    ("progress_note", "note_a", {"signer_name": "Someone Else"}),
    ("progress_note", "note_a", {"status": "draft"}),
    ("therapy_session", "sid_a", {"modality": "dbt"}),
    ("patient", "a", {"full_name": "Replaced Name"}),
]


@pytest.mark.parametrize("via", ["app connection", "outside tool"])
@pytest.mark.parametrize(("table", "which", "changes"), REPLACE_ROUTES)
def test_replace_is_refused_on_sqlite(
    ctx: AppContext, via: str, table: str, which: str, changes: dict[str, Any]
) -> None:
    a = make_patient(ctx, "SAFE-01")
    sid, _ = signed_session(ctx, a)
    with ctx.db.engine.connect() as conn:
        ids = {"a": a, "sid_a": sid,
               "note_a": conn.execute(text("SELECT id FROM progress_note WHERE session_id = :s"), {"s": sid}).scalar()}
    before = ctx.notes.for_session(sid)
    if via == "app connection":
        with ctx.db.engine.connect() as conn:
            sql, params = _replace_sql(conn.connection.dbapi_connection, table, ids[which], changes)
        _refused(ctx, sql, params)
    else:
        with _outsider(ctx) as con:
            sql, params = _replace_sql(con, table, ids[which], changes)
            with pytest.raises(Exception, match="cannot"):
                con.execute(sql, params)
    assert ctx.notes.for_session(sid) == before
    assert verify_all(ctx.db).ok


def test_replace_of_addenda_audit_entries_and_keys_is_refused_on_sqlite(ctx: AppContext) -> None:
    sid, clinician = signed_session(ctx, make_patient(ctx))
    ctx.notes.add_addendum(sid, clinician, "Later.", password=PW)
    with _outsider(ctx) as con:
        for table, changes in (("note_addendum", {"text": "changed"}), ("audit_event", {"actor": "nobody"}),
                               ("signing_key", {"holder_name": "Someone Else"}), ("key_event", {"action": "x"})):
            sql, params = _replace_sql(con, table, 1, changes)
            with pytest.raises(Exception, match=r"cannot|append-only"):
                con.execute(sql, params)
    assert verify_all(ctx.db).ok


def test_app_connections_fire_delete_guards_on_replace(ctx: AppContext) -> None:
    with ctx.db.engine.connect() as conn:
        assert conn.execute(text("PRAGMA recursive_triggers")).scalar() == 1


# ------------------------------------------------------------------------------ purge permits


def _permit(ctx: AppContext, patient_id: int) -> None:
    with ctx.db.engine.begin() as conn:
        conn.execute(text("INSERT INTO purge_permit (patient_id) VALUES (:p)"), {"p": patient_id})


@pytest.mark.parametrize(
    "statement",
    [
        "DELETE FROM progress_note WHERE id = :note_a",
        "DELETE FROM note_addendum WHERE note_id = :note_a",
        "DELETE FROM therapy_session WHERE id = :sid_a",
        "DELETE FROM patient WHERE id = :a",
    ],
)
def test_a_permit_for_another_patient_unlocks_nothing(
    any_ctx: AppContext, practice: dict[str, int], statement: str
) -> None:
    """Permits name one patient: the one for B (written by the owner) does not open A's notes."""
    _permit(any_ctx, practice["b"])
    _refused(any_ctx, statement, practice)
    assert any_ctx.notes.for_session(practice["sid_a"]) is not None
    with any_ctx.db.engine.begin() as conn:
        conn.execute(text("DELETE FROM purge_permit"))
    assert verify_all(any_ctx.db).ok


def test_a_permit_is_consumed_by_the_purge(any_ctx: AppContext, practice: dict[str, int]) -> None:
    any_ctx.patients.set_status(practice["a"], PatientStatus.ARCHIVED)
    any_ctx.patients.purge(practice["a"], confirm_code="SAFE-01")
    with any_ctx.db.engine.connect() as conn:
        assert conn.execute(text("SELECT count(*) FROM purge_permit")).scalar() == 0
    _refused(any_ctx, "DELETE FROM progress_note WHERE id = :note_b", practice)
    report = verify_all(any_ctx.db)
    assert report.ok, report.failures  # the purge was recorded with the notes it removed


def test_a_raw_delete_under_a_permit_is_caught_by_audit_verify(
    any_ctx: AppContext, practice: dict[str, int], run: Run
) -> None:
    """The owner can write a permit by hand, but the notes it lets go are missed by `audit verify`."""
    _permit(any_ctx, practice["a"])
    with any_ctx.db.engine.begin() as conn:
        conn.execute(text("DELETE FROM patient WHERE id = :a"), practice)
        # The deletion consumed the permit.
        assert conn.execute(text("SELECT count(*) FROM purge_permit")).scalar() == 0
    report = verify_all(any_ctx.db)
    assert not report.ok
    assert any(f"signed note {practice['note_a']} " in f and "gone" in f for f in report.failures)


# ------------------------------------------------------------------------------ PostgreSQL roles


@contextmanager
def _role(ctx: AppContext, *, may_purge: bool = False) -> Iterator[Connection]:
    """A role that may read and write every row (and, if asked, purge), in a connection using it."""
    name = f"trd_clerk_{uuid.uuid4().hex[:8]}"
    with ctx.db.engine.begin() as conn:
        conn.execute(text(f"CREATE ROLE {name} NOLOGIN"))
        conn.execute(text(f"GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO {name}"))
        conn.execute(text(f"GRANT USAGE ON ALL SEQUENCES IN SCHEMA public TO {name}"))
        if may_purge:
            conn.execute(text(f"GRANT EXECUTE ON FUNCTION trd_purge_patient(integer) TO {name}"))
    try:
        with ctx.db.engine.connect() as conn:
            conn.execute(text(f"SET ROLE {name}"))
            yield conn
            conn.rollback()
            conn.execute(text("RESET ROLE"))
    finally:
        with ctx.db.engine.begin() as conn:
            conn.execute(text(f"DROP OWNED BY {name}"))
            conn.execute(text(f"DROP ROLE {name}"))


@pytest.mark.postgres
@pytest.mark.parametrize(
    "statement",
    [
        "INSERT INTO purge_permit (patient_id) VALUES (:a)",
        "SELECT trd_purge_patient(:a)",
        "ALTER TABLE progress_note DISABLE TRIGGER ALL",
        "ALTER TABLE progress_note DISABLE TRIGGER trd_signed_note_guard",
        "DROP TRIGGER trd_signed_note_guard ON progress_note",
        "DELETE FROM progress_note WHERE id = :note_a",
        "DELETE FROM therapy_session WHERE id = :sid_a",
        "DELETE FROM patient WHERE id = :a",
        "TRUNCATE audit_event",
        "UPDATE signing_key SET public_key = fingerprint",
    ],
)
def test_postgres_role_that_reads_and_writes_rows_cannot_purge_or_disable_guards(
    pg_url: str, data_dir: Any, statement: str
) -> None:
    ctx = AppContext.open(str(data_dir), pg_url)
    try:
        ids = _practice_on(ctx)
        with _role(ctx) as conn, pytest.raises(DBAPIError):
            conn.execute(text(statement), ids)
        assert ctx.notes.for_session(ids["sid_a"]) is not None
        assert verify_all(ctx.db).ok
    finally:
        ctx.close()


def _practice_on(ctx: AppContext) -> dict[str, int]:
    a = make_patient(ctx, "SAFE-01")
    sid, _ = signed_session(ctx, a)
    with ctx.db.engine.connect() as conn:
        note = conn.execute(text("SELECT id FROM progress_note WHERE session_id = :s"), {"s": sid}).scalar_one()
    return {"a": a, "sid_a": sid, "note_a": note}


@pytest.mark.postgres
def test_postgres_purge_goes_through_the_function_an_administrator_grants(pg_url: str, data_dir: Any) -> None:
    ctx = AppContext.open(str(data_dir), pg_url)
    try:
        ids = _practice_on(ctx)
        with _role(ctx, may_purge=True) as conn:
            with pytest.raises(DBAPIError, match="archived"):  # the function itself insists on archiving first
                conn.execute(text("SELECT trd_purge_patient(:a)"), ids)
            conn.rollback()
            conn.execute(text("UPDATE patient SET status = 'archived' WHERE id = :a"), ids)
            conn.execute(text("SELECT trd_purge_patient(:a)"), ids)
            assert conn.execute(text("SELECT count(*) FROM progress_note")).scalar() == 0
            assert conn.execute(text("SELECT count(*) FROM purge_permit")).scalar() == 0
        with ctx.db.engine.connect() as conn:
            grants = conn.execute(text("SELECT has_function_privilege('public', 'trd_purge_patient(integer)', "
                                       "'EXECUTE')")).scalar()
        assert grants is False
    finally:
        ctx.close()


# ------------------------------------------------------------------------------ guards put back


def test_missing_or_altered_guards_are_restored_on_open_and_recorded(any_ctx: AppContext, data_dir: Any) -> None:
    sid, _ = signed_session(any_ctx, make_patient(any_ctx))
    url = any_ctx.db_url
    with any_ctx.db.engine.begin() as conn:
        if conn.dialect.name == "postgresql":
            conn.execute(text("DROP TRIGGER trd_signed_note_guard ON progress_note"))
            conn.execute(text("ALTER TABLE audit_event DISABLE TRIGGER trd_audit_guard"))
        else:
            conn.execute(text("DROP TRIGGER trd_signed_note_no_update"))
            conn.execute(text("DROP TRIGGER trd_audit_no_delete"))
            # Altered rather than dropped: the same name, but it lets everything through.
            conn.execute(text("DROP TRIGGER trd_signed_note_no_delete"))
            conn.execute(text("CREATE TRIGGER trd_signed_note_no_delete BEFORE DELETE ON progress_note "
                              "WHEN 0 BEGIN SELECT 1; END"))
        assert guards.missing(conn)
    any_ctx.close()
    again = AppContext.open(str(data_dir), url)
    try:
        assert again.db.repaired_guards
        with again.db.engine.connect() as conn:
            assert guards.missing(conn) == []
        _refused(again, "UPDATE progress_note SET sections = '[]' WHERE session_id = :s", {"s": sid})
        _refused(again, "DELETE FROM audit_event")
        assert [e.action for e in again.audit.list(5, action="guards.")] == ["guards.restore"]
    finally:
        again.close()


# ------------------------------------------------------------------------------ signatures


def _drop_note_guards(conn: Connection) -> None:
    if conn.dialect.name == "postgresql":
        conn.execute(text("ALTER TABLE progress_note DISABLE TRIGGER trd_signed_note_guard"))
    else:
        conn.execute(text("DROP TRIGGER trd_signed_note_no_update"))


@pytest.mark.parametrize(
    ("column", "value"),
    [
        ("sections", json.dumps([{"id": "subjective", "title": "Subjective", "text": TAMPERED}])),
        ("signer_name", "Dr. Someone Else"),
        ("signed_at", "2020-01-01 09:00:00"),
    ],
)
def test_edits_with_a_recomputed_fingerprint_are_caught(
    any_ctx: AppContext, practice: dict[str, int], run: Run, column: str, value: str
) -> None:
    """Fingerprints are plain SHA-256 anyone can recompute; the signature is what they cannot."""
    with any_ctx.db.engine.begin() as conn:
        _drop_note_guards(conn)
        conn.execute(text(f"UPDATE progress_note SET {column} = :v WHERE id = :id"),
                     {"v": value, "id": practice["note_a"]})
    note = any_ctx.notes.for_session(practice["sid_a"])
    assert note is not None and note.signed_at is not None
    sections = [(x.id, x.title, x.text) for x in note.sections]
    refp = hashlib.sha256(note_form(note.format, sections, note.signer_name, note.signed_at)).hexdigest()
    with any_ctx.db.engine.begin() as conn:
        conn.execute(text("UPDATE progress_note SET fingerprint = :f WHERE id = :id"),
                     {"f": refp, "id": practice["note_a"]})
    report = verify_all(any_ctx.db)
    assert not report.ok
    assert any(f.startswith(f"signed note {practice['note_a']} ") and "altered or forged" in f
               for f in report.failures), report.failures
    if any_ctx.db.engine.dialect.name == "sqlite":
        any_ctx.close()
        result = run("audit", "verify")
        assert result.code == 4 and f"signed note {practice['note_a']}" in result.err


def test_a_draft_turned_into_a_signed_note_by_sql_is_caught(any_ctx: AppContext, practice: dict[str, int]) -> None:
    session = any_ctx.sessions.create(practice["b"], date=dt.date(2026, 1, 12))
    from trdplanner.core.records import NoteSectionRec

    any_ctx.notes.save_draft(session.id, "soap", [NoteSectionRec("subjective", "Subjective", TAMPERED)])
    with any_ctx.db.engine.begin() as conn:
        conn.execute(text("UPDATE progress_note SET status = 'signed', signer_name = 'Dr. Test, PhD', "
                          "signed_at = '2026-01-12 10:00:00' WHERE session_id = :s"), {"s": session.id})
    report = verify_all(any_ctx.db)
    assert any("carries no signature" in f or "does not match" in f for f in report.failures), report.failures


def test_a_note_claiming_to_predate_signatures_is_caught(any_ctx: AppContext, practice: dict[str, int]) -> None:
    """Notes signed before signatures existed are listed in the trail by the upgrade; no other may claim it."""
    session = any_ctx.sessions.create(practice["b"], date=dt.date(2026, 1, 12))
    from trdplanner.core.records import NoteSectionRec

    draft = any_ctx.notes.save_draft(session.id, "soap", [NoteSectionRec("subjective", "Subjective", TAMPERED)])
    when = dt.datetime(2026, 1, 12, 10, 0, tzinfo=dt.UTC)
    sections = [(x.id, x.title, x.text) for x in draft.sections]
    fp = hashlib.sha256(note_form("soap", sections, "Dr. Test, PhD", when)).hexdigest()
    with any_ctx.db.engine.begin() as conn:
        conn.execute(text("UPDATE progress_note SET status = 'signed', signer_name = 'Dr. Test, PhD', "
                          "signed_at = '2026-01-12 10:00:00', fingerprint = :fp, key_fingerprint = 'legacy' "
                          "WHERE session_id = :s"), {"s": session.id, "fp": fp})
    note = any_ctx.notes.for_session(session.id)
    assert note is not None
    report = verify_all(any_ctx.db)
    assert any("claims to predate signatures" in f for f in report.failures), report.failures


def test_a_key_planted_by_sql_is_caught(any_ctx: AppContext, practice: dict[str, int]) -> None:
    """The insider makes their own key for the clinician and signs with it; it was never announced."""
    private = Ed25519PrivateKey.generate()
    public = private.public_key().public_bytes(Encoding.Raw, PublicFormat.Raw).hex()
    fp = hashlib.sha256(bytes.fromhex(public)).hexdigest()
    with any_ctx.db.engine.begin() as conn:
        conn.execute(text("INSERT INTO signing_key (clinician_id, holder_name, fingerprint, public_key, private_key, "
                          "origin, created_at) VALUES (:c, 'Dr. Test, PhD', :fp, :pk, '', 'local', "
                          "'2026-01-01 00:00:00')"), {"c": practice["clinician"], "fp": fp, "pk": public})
    report = verify_all(any_ctx.db)
    assert any("no signed creation record" in f for f in report.failures)
    assert any("never recorded in the audit trail" in f for f in report.failures)


def test_key_history_is_signed_and_rotation_keeps_old_signatures_valid(ctx: AppContext) -> None:
    sid, clinician = signed_session(ctx, make_patient(ctx))
    old = ctx.signing.active_key(clinician)
    with pytest.raises(InputError, match="signing password"):
        ctx.signing.rotate(clinician, "not the password", "a new signing password")
    new = ctx.signing.rotate(clinician, PW, "a new signing password")
    assert old is not None and new.fingerprint != old.fingerprint
    with pytest.raises(InputError, match="signing password"):
        ctx.notes.add_addendum(sid, clinician, "With the old password.", password=PW)
    note = ctx.notes.add_addendum(sid, clinician, "With the new one.", password="a new signing password")
    assert note.key_fingerprint == old.fingerprint and note.addenda[0].key_fingerprint == new.fingerprint
    ctx.signing.revoke(clinician, "a new signing password")
    with pytest.raises(InputError, match="no signing key"):
        ctx.notes.add_addendum(sid, clinician, "After revoking.", password="a new signing password")
    report = verify_all(ctx.db)
    assert report.ok, report.failures
    actions = [e.action for e in ctx.audit.list(20, action="key.", newest_first=False)]
    assert actions == ["key.create", "key.create", "key.rotate", "key.revoke"]


# ------------------------------------------------------------------------------ import files


def _exported(ctx: AppContext, patient_id: int) -> dict[str, Any]:
    return json.loads(ctx.transfer.export_json(patient_id))


def _signed_note(data: dict[str, Any]) -> dict[str, Any]:
    return next(s["note"] for s in data["sessions"] if s["note"] and s["note"]["status"] == "signed")


def _sign_with(private: Ed25519PrivateKey, note: dict[str, Any]) -> None:
    public = private.public_key().public_bytes(Encoding.Raw, PublicFormat.Raw).hex()
    fp = hashlib.sha256(bytes.fromhex(public)).hexdigest()
    signed_at = dt.datetime.fromisoformat(note["signed_at"])
    form = note_form(note["format"], [(x["id"], x["title"], x["text"]) for x in note["sections"]],
                     note["signer_name"], signed_at)
    note.update(fingerprint=hashlib.sha256(form).hexdigest(), public_key=public, key_fingerprint=fp,
                signature=private.sign(signed_message(fp, form)).hex(), addenda=[])


def _import(ctx: AppContext, data: dict[str, Any], code: str = "SAFE-09") -> int:
    data["profile"]["code"] = code
    return ctx.transfer.import_json(json.dumps(data))


def test_edited_import_files_are_refused(ctx: AppContext) -> None:
    pid = make_patient(ctx)
    signed_session(ctx, pid)
    original = _exported(ctx, pid)

    edits = {
        "text": lambda n: n["sections"][0].update(text=TAMPERED),
        "signer": lambda n: n.update(signer_name="Dr. Someone Else"),
        "stripped signature": lambda n: n.update(signature=""),
        "forged signature": lambda n: n.update(signature="00" * 64),
        "other public key": lambda n: n.update(public_key="11" * 32),
    }
    for what, edit in edits.items():
        data = json.loads(json.dumps(original))
        note = _signed_note(data)
        edit(note)
        signed_at = dt.datetime.fromisoformat(note["signed_at"])
        sections = [(x["id"], x["title"], x["text"]) for x in note["sections"]]
        note["fingerprint"] = hashlib.sha256(note_form(note["format"], sections, note["signer_name"],
                                                       signed_at)).hexdigest()
        with pytest.raises(InputError, match=r"signature|altered") as err:
            _import(ctx, data)
        assert "sessions[" in str(err.value), what
    assert ctx.patients.id_for_code("SAFE-09") is None


def test_a_note_signed_before_its_session_is_refused(ctx: AppContext) -> None:
    pid = make_patient(ctx)
    signed_session(ctx, pid)
    data = _exported(ctx, pid)
    note = _signed_note(data)
    note["signed_at"] = "2020-01-05T17:00:00+00:00"  # six years before the session
    note["signer_name"] = "Dr. Unknown Elsewhere"
    _sign_with(Ed25519PrivateKey.generate(), note)  # even with a genuine signature
    with pytest.raises(InputError, match="before the session"):
        _import(ctx, data)


def test_a_note_signed_by_another_practice_is_shown_as_signed_elsewhere(ctx: AppContext, run: Run) -> None:
    pid = make_patient(ctx)
    signed_session(ctx, pid)
    data = _exported(ctx, pid)
    note = _signed_note(data)
    note["signer_name"] = "Dr. Elsewhere Visiting"
    _sign_with(Ed25519PrivateKey.generate(), note)
    new = _import(ctx, data)
    imported = next(s for s in ctx.sessions.list(new) if s.note and s.note.status == "signed")
    assert imported.note is not None and imported.note.signed_elsewhere
    from trdplanner.core.signing import check_note

    assert check_note(imported.note).text.startswith("signed elsewhere by Dr. Elsewhere Visiting, key ")
    assert verify_all(ctx.db).ok
    # A second file claiming that key for another name is refused.
    other = json.loads(json.dumps(data))
    on = _signed_note(other)
    on["signer_name"] = "Dr. Someone Else"
    with pytest.raises(InputError):
        _import(ctx, other, "SAFE-10")
    ctx.close()
    shown = run("note", str(imported.id))
    assert "signed elsewhere by Dr. Elsewhere Visiting" in shown.out
