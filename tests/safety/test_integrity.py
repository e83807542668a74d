"""Signed records stay as signed: service refusals, database triggers (SQLite and PostgreSQL),
fingerprints checked wherever a note is shown or printed, and patients purged only on purpose."""

from __future__ import annotations

import io
import json
import sys
from pathlib import Path

import pytest
from _safety_helpers import Run, make_patient, signed_session
from pypdf import PdfReader
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError

from trdplanner.context import AppContext
from trdplanner.core.demo import DEMO_SIGNING_PASSWORD as PW
from trdplanner.core.errors import InputError, LockedError
from trdplanner.core.records import NoteSectionRec
from trdplanner.core.services.audit import AuditService
from trdplanner.core.vocab import PatientStatus

TAMPERED = "Mood better. Denies any difficulty."  # what someone might try to write over a signed note


def _note_id(ctx: AppContext, session_id: int) -> int:
    with ctx.db.engine.connect() as conn:
        found = conn.execute(text("SELECT id FROM progress_note WHERE session_id = :s"), {"s": session_id})
        return int(found.scalar_one())


def test_services_refuse_to_change_a_signed_note(any_ctx: AppContext) -> None:
    sid, clinician = signed_session(any_ctx, make_patient(any_ctx))
    with pytest.raises(LockedError):
        any_ctx.notes.save_draft(sid, "soap", [NoteSectionRec("subjective", "Subjective", TAMPERED)])
    with pytest.raises(LockedError):
        any_ctx.notes.sign(sid, clinician, password=PW)
    # A correction is appended, and the note and both fingerprints still verify.
    from trdplanner.core.services.notes import verify

    note = any_ctx.notes.add_addendum(
        sid, clinician, "Correction: slept 6 hours, not 5.", kind="correction", password=PW
    )
    assert note.sections[0].text.startswith("Mood lower") and len(note.addenda) == 1 and verify(note)


@pytest.mark.parametrize(
    "statement",
    [
        "UPDATE progress_note SET sections = '[]' WHERE id = :id",
        "UPDATE progress_note SET status = 'draft' WHERE id = :id",
        "UPDATE progress_note SET signer_name = 'Someone else' WHERE id = :id",
        "DELETE FROM progress_note WHERE id = :id",
        "UPDATE note_addendum SET text = 'changed' WHERE note_id = :id",
        "DELETE FROM note_addendum WHERE note_id = :id",
        "UPDATE audit_event SET actor = 'nobody'",
        "DELETE FROM audit_event",
    ],
)
def test_database_refuses_edits_behind_the_services_back(any_ctx: AppContext, statement: str) -> None:
    sid, clinician = signed_session(any_ctx, make_patient(any_ctx))
    any_ctx.notes.add_addendum(sid, clinician, "Addendum text.", password=PW)
    note_id = _note_id(any_ctx, sid)
    with pytest.raises(DBAPIError) as err, any_ctx.db.engine.begin() as conn:
        conn.execute(text(statement), {"id": note_id})
    assert any(w in str(err.value.orig) for w in ("signed notes cannot", "addenda cannot", "append-only"))
    note = any_ctx.notes.for_session(sid)
    assert note is not None and note.status == "signed" and note.sections[0].text.startswith("Mood lower")
    assert len(note.addenda) == 1 and AuditService(any_ctx.db).verify().ok


def test_deleting_a_session_cannot_take_its_signed_note_with_it(any_ctx: AppContext) -> None:
    sid, _ = signed_session(any_ctx, make_patient(any_ctx))
    with pytest.raises(DBAPIError), any_ctx.db.engine.begin() as conn:
        conn.execute(text("DELETE FROM therapy_session WHERE id = :id"), {"id": sid})
    assert any_ctx.notes.for_session(sid) is not None


@pytest.mark.postgres
def test_postgresql_refuses_truncating_the_audit_trail(any_ctx: AppContext) -> None:
    if any_ctx.db.engine.dialect.name != "postgresql":
        pytest.skip("PostgreSQL only")
    make_patient(any_ctx)
    for table in ("audit_event", "note_addendum", "progress_note"):
        with pytest.raises(DBAPIError), any_ctx.db.engine.begin() as conn:
            conn.execute(text(f"TRUNCATE {table} CASCADE"))
    assert AuditService(any_ctx.db).count() >= 1


def test_drafts_can_still_be_edited_and_deleted(any_ctx: AppContext) -> None:
    pid = make_patient(any_ctx)
    session = any_ctx.sessions.create(pid, date=__import__("datetime").date(2026, 2, 2))
    any_ctx.notes.save_draft(session.id, "soap", [NoteSectionRec("subjective", "Subjective", "first")])
    any_ctx.notes.save_draft(session.id, "soap", [NoteSectionRec("subjective", "Subjective", "second")])
    with any_ctx.db.engine.begin() as conn:
        conn.execute(text("DELETE FROM progress_note WHERE session_id = :s"), {"s": session.id})
    assert any_ctx.notes.for_session(session.id) is None


# ------------------------------------------------------------------------------ fingerprints shown and printed


def _tamper_behind_the_triggers(ctx: AppContext, session_id: int) -> None:
    """What an attacker with the key (or a disk error) could do: drop the trigger, edit, put it back."""
    note_id = _note_id(ctx, session_id)
    sections = json.dumps([{"id": "subjective", "title": "Subjective", "text": TAMPERED}])
    with ctx.db.engine.begin() as conn:
        if ctx.db.engine.dialect.name == "postgresql":
            conn.execute(text("ALTER TABLE progress_note DISABLE TRIGGER trd_signed_note_guard"))
            conn.execute(text("UPDATE progress_note SET sections = :s WHERE id = :id"), {"s": sections, "id": note_id})
            conn.execute(text("ALTER TABLE progress_note ENABLE TRIGGER trd_signed_note_guard"))
        else:
            conn.execute(text("DROP TRIGGER trd_signed_note_no_update"))
            conn.execute(text("UPDATE progress_note SET sections = :s WHERE id = :id"), {"s": sections, "id": note_id})


def test_tampered_note_is_reported_loudly_on_screen_text_and_paper(
    any_ctx: AppContext, run: Run, tmp_path: Path, data_dir: Path
) -> None:
    from trdplanner import assemble
    from trdplanner.core.services.notes import verify

    sid, _ = signed_session(any_ctx, make_patient(any_ctx))
    _tamper_behind_the_triggers(any_ctx, sid)
    note = any_ctx.notes.for_session(sid)
    assert note is not None and not verify(note)

    # On paper: the banner is on the page.
    pdf = assemble.note_document(any_ctx, sid, "soap").render()
    page_text = "".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf)).pages)
    assert "SIGNATURE DOES NOT VERIFY" in page_text.upper()

    # As text on the command line (SQLite only: the CLI opens the data dir's database).
    if any_ctx.db.engine.dialect.name == "sqlite":
        any_ctx.close()
        shown = run("note", str(sid))
        assert shown.code == 0 and "SIGNATURE DOES NOT VERIFY" in shown.out
        # Opening the data folder put back the trigger that was dropped, and recorded that.
        assert run("audit", "list", "--action", "guards.").out.count("guards.restore") == 1


def test_tampered_note_is_flagged_in_the_note_editor(qtbot, ctx: AppContext) -> None:  # type: ignore[no-untyped-def]
    from trdplanner.gui.notes.editor import NoteEditor

    sid, _ = signed_session(ctx, make_patient(ctx))
    _tamper_behind_the_triggers(ctx, sid)
    editor = NoteEditor(ctx)
    qtbot.addWidget(editor)
    editor.set_session(sid)
    assert editor.signature.isVisibleTo(editor)
    assert "SIGNATURE DOES NOT VERIFY" in editor.signature.text().upper()
    assert editor.signature.property("verified") is False  # styled as a danger banner


# ------------------------------------------------------------------------------ archive, then purge on purpose


def test_purge_needs_an_archived_patient_and_the_code(any_ctx: AppContext) -> None:
    pid = make_patient(any_ctx)
    signed_session(any_ctx, pid)
    with pytest.raises(InputError, match="archived"):
        any_ctx.patients.purge(pid, confirm_code="SAFE-01")
    any_ctx.patients.set_status(pid, PatientStatus.ARCHIVED)
    with pytest.raises(InputError, match="confirmation"):
        any_ctx.patients.purge(pid, confirm_code="SAFE-02")
    assert any_ctx.patients.get(pid).code == "SAFE-01"

    any_ctx.patients.purge(pid, confirm_code="SAFE-01")
    assert any_ctx.patients.summaries(status=None) == []
    with any_ctx.db.engine.connect() as conn:
        for table in ("progress_note", "note_addendum", "therapy_session", "purge_permit"):
            assert conn.execute(text(f"SELECT count(*) FROM {table}")).scalar() == 0
    last = AuditService(any_ctx.db).list(1)[0]
    assert (last.action, last.object_id) == ("patient.purge", str(pid))
    assert "SAFE-01" not in json.dumps(last.detail) and "Rowan" not in json.dumps(last.detail) + last.actor
    assert AuditService(any_ctx.db).verify().ok


def test_purge_command_confirms_and_refuses_without_a_terminal(
    run: Run, ctx: AppContext, monkeypatch: pytest.MonkeyPatch
) -> None:
    pid = make_patient(ctx)
    signed_session(ctx, pid)
    ctx.close()
    assert run("patient", "purge", str(pid), "--yes").code == 2  # still active: refused
    c = AppContext.open(str(ctx.paths.data_dir))
    c.patients.set_status(pid, PatientStatus.ARCHIVED)
    c.close()

    monkeypatch.setattr(sys, "stdin", io.StringIO(""))  # no terminal
    refused = run("patient", "purge", "SAFE-01")
    assert refused.code == 2 and "--yes" in refused.err

    class Tty(io.StringIO):
        def isatty(self) -> bool:
            return True

    monkeypatch.setattr(sys, "stdin", Tty("WRONG\n"))
    assert run("patient", "purge", "SAFE-01").code == 2
    monkeypatch.setattr(sys, "stdin", Tty("SAFE-01\n"))
    done = run("patient", "purge", "SAFE-01")
    assert done.code == 0, done.err
    assert run("patient", "list", "--all").out.count("SAFE-01") == 0
