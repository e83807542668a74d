"""The audit trail: what is recorded, that it holds no patient content, and that tampering is found.

``TAMPER_CASES`` (the audit chain) and ``NOTE_TAMPER_CASES`` (signed notes and addenda) are the
tamper cases the README counts; each runs on SQLite and, when configured, on PostgreSQL.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable

import pytest
from _safety_helpers import Run, make_patient, signed_session
from sqlalchemy import Connection, text

from trdplanner.context import AppContext
from trdplanner.core import audit
from trdplanner.core.demo import DEMO_SIGNING_PASSWORD as PW
from trdplanner.core.errors import InputError
from trdplanner.core.records import NoteSectionRec
from trdplanner.core.services.notes import verify
from trdplanner.core.services.transfer import record_from_json, record_to_json
from trdplanner.core.vocab import PatientStatus


def actions(ctx: AppContext) -> list[str]:
    return [e.action for e in reversed(ctx.audit.list(None))]


def test_changes_are_recorded_in_the_same_transaction(any_ctx: AppContext) -> None:
    ctx = any_ctx
    pid = make_patient(ctx)
    profile = ctx.patients.get(pid)
    profile.risk_summary = "Updated."
    ctx.patients.update(profile)
    sid, clinician = signed_session(ctx, pid)
    ctx.notes.add_addendum(sid, clinician, "Later thought.", password=PW)
    ctx.measures.add(pid, "phq9", items=[1, 1, 1, 1, 1, 1, 1, 1, 1], taken_on=dt.date(2026, 1, 5))
    ctx.patients.set_status(pid, PatientStatus.ARCHIVED)
    ctx.transfer.export_json(pid)
    seen = actions(ctx)
    for expected in ("patient.create", "patient.change", "practice.create", "clinician.create", "session.create",
                     "note.create", "note.sign", "note.addendum", "measure.create", "patient.archive",
                     "patient.export"):
        assert expected in seen, expected
    signed = next(e for e in ctx.audit.list(None) if e.action == "note.sign")
    assert signed.actor == "Dr. Test, PhD" and signed.detail["fingerprint"]
    assert ctx.audit.verify().ok

    # A refused change leaves no event behind: the event and the change share one transaction.
    count = ctx.audit.count()
    with pytest.raises(InputError):
        ctx.notes.add_addendum(sid, clinician, "   ", password=PW)
    with pytest.raises(InputError):
        ctx.patients.create(ctx.patients.get(pid))  # duplicate code
    assert ctx.audit.count() == count


def test_repeated_draft_saves_are_one_event(ctx: AppContext) -> None:
    pid = make_patient(ctx)
    session = ctx.sessions.create(pid, date=dt.date(2026, 1, 5))
    for i in range(5):  # what autosave does every few seconds while someone types
        ctx.notes.save_draft(session.id, "soap", [NoteSectionRec("subjective", "Subjective", "x" * i)])
    drafts = [a for a in actions(ctx) if a.startswith("note.")]
    assert drafts == ["note.create", "note.change"]


def test_an_import_is_one_event(ctx: AppContext, demo_export: str) -> None:
    before = ctx.audit.count()
    pid = ctx.transfer.import_json(demo_export)
    (event,) = ctx.audit.list(ctx.audit.count() - before)
    assert (event.action, event.object_id) == ("patient.import", str(pid))
    assert event.detail["sessions"] > 0


@pytest.fixture
def demo_export(tmp_path_factory: pytest.TempPathFactory) -> str:
    from trdplanner.core.demo import create_demo

    source = AppContext.open(str(tmp_path_factory.mktemp("demo")), encrypt_new=False)
    try:
        create_demo(source)
        return source.transfer.export_json(source.patients.summaries(status=None)[0].id)
    finally:
        source.close()


def test_no_patient_content_in_the_audit_trail(run: Run, data_dir: object) -> None:
    assert run("demo").code == 0
    assert run("patient", "show", "DEMO-03").code == 0
    assert run("report", "DEMO-03", "-o", str(__import__("pathlib").Path(str(data_dir)) / "r.pdf")).code == 0
    ctx = AppContext.open(str(data_dir))
    try:
        events = ctx.audit.list(None)
        trail = json.dumps([[e.actor, e.action, e.object_type, e.object_id, e.detail] for e in events])
        for s in ctx.patients.summaries(status=None):
            profile = ctx.patients.get(s.id)
            for value in (profile.full_name, profile.preferred_name, profile.code, profile.primary_diagnosis,
                          profile.risk_summary, profile.email, profile.phone):
                if value and len(value) > 3:
                    assert value not in trail, value
            for session in ctx.sessions.list(s.id):
                if session.note is not None:
                    for section in session.note.sections:
                        if len(section.text) > 12:
                            assert section.text[:40] not in trail
        assert {"patient.import", "document.print", "patient.open"} <= {e.action for e in events}
    finally:
        ctx.close()


def test_cli_audit_list_and_verify(run: Run, data_dir: object) -> None:
    assert run("demo").code == 0
    listed = run("audit", "list", "--limit", "5")
    assert listed.code == 0 and len(listed.out.strip().splitlines()) == 2 + 5
    as_json = json.loads(run("audit", "list", "--limit", "0", "--json").out)
    assert as_json[-1]["id"] == 1 and all(e["hash"] for e in as_json)
    assert run("audit", "list", "--limit", "-1").code == 2
    ok = run("audit", "verify")
    assert ok.code == 0 and ok.out.startswith(f"OK: {len(as_json)} audit entries")


# ------------------------------------------------------------------------------ tamper cases


def _unguarded(conn: Connection) -> None:
    """Lift the database's own protection first, as someone editing the file directly would."""
    if conn.dialect.name == "postgresql":
        conn.execute(text("ALTER TABLE audit_event DISABLE TRIGGER USER"))
    else:
        conn.execute(text("DROP TRIGGER trd_audit_no_update"))
        conn.execute(text("DROP TRIGGER trd_audit_no_delete"))


def _rehash(conn: Connection, event_id: int) -> None:
    """Recompute one row's own hash after editing it, as a careful forger would."""
    row = conn.execute(text("SELECT * FROM audit_event WHERE id = :id"), {"id": event_id}).one()
    at = row.at if isinstance(row.at, dt.datetime) else dt.datetime.fromisoformat(row.at)
    h = audit.event_hash(row.prev_hash, row.id, at.replace(tzinfo=dt.UTC), row.actor, row.action,
                         row.object_type, row.object_id, row.detail)
    conn.execute(text("UPDATE audit_event SET hash = :h WHERE id = :id"), {"h": h, "id": event_id})


def _swap(conn: Connection) -> None:
    a = conn.execute(text("SELECT action, object_id FROM audit_event WHERE id = 3")).one()
    b = conn.execute(text("SELECT action, object_id FROM audit_event WHERE id = 4")).one()
    conn.execute(text("UPDATE audit_event SET action = :a, object_id = :o WHERE id = 3"), {"a": b[0], "o": b[1]})
    conn.execute(text("UPDATE audit_event SET action = :a, object_id = :o WHERE id = 4"), {"a": a[0], "o": a[1]})


def _forge_tail(conn: Connection) -> None:
    last = conn.execute(text("SELECT max(id) FROM audit_event")).scalar_one()
    conn.execute(
        text("INSERT INTO audit_event (id, at, actor, action, object_type, object_id, detail, prev_hash, hash) "
             "VALUES (:id, :at, 'intruder', 'patient.export', 'patient', '1', '{}', :p, :p)"),
        {"id": last + 1, "at": dt.datetime(2026, 1, 1), "p": "f" * 64},
    )


TAMPER_CASES: dict[str, tuple[Callable[[Connection], None], int]] = {
    # name: (what is done to the table, the entry verify must name)
    "detail edited": (lambda c: c.execute(text("UPDATE audit_event SET detail = :d WHERE id = 3"),
                                          {"d": '{"status":"draft"}'}), 3),
    "actor edited": (lambda c: c.execute(text("UPDATE audit_event SET actor = 'someone' WHERE id = 2")), 2),
    "action edited": (lambda c: c.execute(text("UPDATE audit_event SET action = 'x' WHERE id = 4")), 4),
    "object edited": (lambda c: c.execute(text("UPDATE audit_event SET object_id = '99' WHERE id = 3")), 3),
    "time edited": (lambda c: c.execute(text("UPDATE audit_event SET at = :t WHERE id = 3"),
                                        {"t": dt.datetime(2020, 1, 1)}), 3),
    "edited and rehashed": (lambda c: (c.execute(text("UPDATE audit_event SET actor = 'x' WHERE id = 3")),
                                       _rehash(c, 3)), 4),
    "link edited": (lambda c: c.execute(text("UPDATE audit_event SET prev_hash = :h WHERE id = 5"),
                                        {"h": "0" * 64}), 5),
    "first entry forged": (lambda c: (c.execute(text("UPDATE audit_event SET prev_hash = :h WHERE id = 1"),
                                                {"h": "a" * 64}), _rehash(c, 1)), 1),
    "entry removed": (lambda c: c.execute(text("DELETE FROM audit_event WHERE id = 3")), 4),
    "entries removed": (lambda c: c.execute(text("DELETE FROM audit_event WHERE id IN (2, 3, 4)")), 5),
    "entries swapped": (_swap, 3),
    "entry appended": (_forge_tail, -1),
}


@pytest.mark.parametrize("case", sorted(TAMPER_CASES))
def test_audit_verify_finds_the_first_broken_link(any_ctx: AppContext, case: str) -> None:
    pid = make_patient(any_ctx)
    signed_session(any_ctx, pid)
    any_ctx.transfer.export_json(pid)
    total = any_ctx.audit.count()
    assert total >= 7 and any_ctx.audit.verify().ok
    tamper, expected = TAMPER_CASES[case]
    with any_ctx.db.engine.begin() as conn:
        _unguarded(conn)
        tamper(conn)
    check = any_ctx.audit.verify()
    assert not check.ok
    assert check.broken_at == (total + 1 if expected == -1 else expected)
    assert check.problem and str(check.broken_at) in check.problem


def test_cli_audit_verify_reports_an_edited_row(run: Run, ctx: AppContext) -> None:
    signed_session(ctx, make_patient(ctx))
    with ctx.db.engine.begin() as conn:
        _unguarded(conn)
        conn.execute(text("UPDATE audit_event SET detail = '{\"status\":\"draft\"}' WHERE id = 3"))
    ctx.close()
    result = run("audit", "verify")
    assert result.code == 4
    audit_lines = [line for line in result.err.splitlines() if line.startswith("error: audit:")]
    assert len(audit_lines) == 1 and audit_lines[0].startswith("error: audit: broken at entry 3: entry 3 was altered")


def _note_rows(conn: Connection) -> tuple[int, int]:
    note = conn.execute(text("SELECT id FROM progress_note ORDER BY id LIMIT 1")).scalar_one()
    addendum = conn.execute(text("SELECT id FROM note_addendum ORDER BY id LIMIT 1")).scalar_one()
    return note, addendum


def _note_guard_off(conn: Connection) -> None:
    if conn.dialect.name == "postgresql":
        conn.execute(text("ALTER TABLE progress_note DISABLE TRIGGER USER"))
        conn.execute(text("ALTER TABLE note_addendum DISABLE TRIGGER USER"))
    else:
        conn.execute(text("DROP TRIGGER trd_signed_note_no_update"))
        conn.execute(text("DROP TRIGGER trd_addendum_no_update"))


NOTE_TAMPER_CASES: dict[str, str] = {
    "note text": "UPDATE progress_note SET sections = '[{\"id\":\"subjective\",\"title\":\"Subjective\","
                 "\"text\":\"Mood fine.\"}]' WHERE id = :note",
    "signer": "UPDATE progress_note SET signer_name = 'Dr. Someone Else' WHERE id = :note",
    "signing time": "UPDATE progress_note SET signed_at = :when WHERE id = :note",
    "note format": "UPDATE progress_note SET format = 'dap' WHERE id = :note",
    "addendum text": "UPDATE note_addendum SET text = 'Something else.' WHERE id = :addendum",
    "addendum signer": "UPDATE note_addendum SET signer_name = 'Nobody' WHERE id = :addendum",
    "addendum moved to another note": "UPDATE note_addendum SET note_id = :other WHERE id = :addendum",
}


@pytest.mark.parametrize("case", sorted(NOTE_TAMPER_CASES))
def test_signed_note_tampering_breaks_its_fingerprint(any_ctx: AppContext, case: str) -> None:
    pid = make_patient(any_ctx)
    sid, clinician = signed_session(any_ctx, pid)
    other_sid, _ = signed_session(any_ctx, pid, "Second session.")
    any_ctx.notes.add_addendum(sid, clinician, "An addendum.", password=PW)
    with any_ctx.db.engine.begin() as conn:
        note, addendum = _note_rows(conn)
        other = conn.execute(text("SELECT id FROM progress_note WHERE id <> :n"), {"n": note}).scalar_one()
        _note_guard_off(conn)
        conn.execute(text(NOTE_TAMPER_CASES[case]),
                     {"note": note, "addendum": addendum, "other": other, "when": dt.datetime(2026, 1, 1, 9, 0)})
    victim = other_sid if case == "addendum moved to another note" else sid
    tampered = any_ctx.notes.for_session(victim)
    assert tampered is not None and not verify(tampered)
    # An export of the altered record is refused on import elsewhere.
    exported = record_to_json(any_ctx.transfer.export_record(pid))
    # (A signing time moved before the session is refused for that before the fingerprint is checked.)
    with pytest.raises(InputError, match=r"fingerprint|before the session"):
        from trdplanner.core.services.transfer import check_record

        check_record(record_from_json(exported))


def test_tamper_case_count() -> None:
    """The figure in the README's data-safety section."""
    assert len(TAMPER_CASES) + len(NOTE_TAMPER_CASES) == 19
