"""Record versions (no lost updates) and supervisors' co-signatures, on SQLite and PostgreSQL.

Two services opened on the same database stand for two workstations: each loads a record,
both edit it, and the second save must be refused with who changed it and when.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError

from tests.signing_helpers import cosign_note as _cosign
from tests.signing_helpers import sign_note as _sign
from trdplanner.context import AppContext
from trdplanner.core.errors import AccessDenied, LockedError, StaleError
from trdplanner.core.records import ClinicianRec, NoteSectionRec, PatientProfile, PlanRec, PracticeRec, TrialRec
from trdplanner.core.services.notes import verify

SECTIONS = [NoteSectionRec("subjective", "Subjective", "Synthetic: slept 6 hours.")]






@pytest.fixture
def two(ctx: AppContext, data_dir: Path) -> tuple[AppContext, AppContext]:
    """The same database opened twice, as two workstations would."""
    other = AppContext.open(str(data_dir / "second-workstation"), ctx.db_url)
    yield ctx, other
    other.close()


def _patient(ctx: AppContext, code: str = "V-001") -> int:
    return ctx.patients.create(PatientProfile(code, "Synthetic Person"))


def test_a_stale_profile_save_is_refused_with_who_and_when(two: tuple[AppContext, AppContext]) -> None:
    a, b = two
    a.practice.add_clinician(ClinicianRec("Dr. Avery Lindqvist", "PhD"))
    a.db.acting_clinician = "Dr. Avery Lindqvist, PhD"
    pid = _patient(a)
    mine, theirs = a.patients.get(pid), b.patients.get(pid)
    assert mine.version == theirs.version == 1
    mine.phone = "555-0101"
    saved = a.patients.update(mine)
    assert saved.version == 2
    theirs.address = "2 Synthetic Road"
    with pytest.raises(StaleError) as caught:
        b.patients.update(theirs)
    expected_actor = a.db.actor()
    assert caught.value.changed_by == expected_actor
    assert isinstance(caught.value.changed_at, dt.datetime)
    assert expected_actor in str(caught.value) and "not applied" in str(caught.value)
    assert b.patients.get(pid).address == ""  # nothing of the refused save was written
    # Keep mine: reload, re-apply, save on top of theirs.
    fresh = b.patients.get(pid)
    fresh.address = "2 Synthetic Road"
    assert b.patients.update(fresh).version == 3
    assert a.patients.get(pid).phone == "555-0101"


def test_changing_only_a_list_moves_the_profile_version(two: tuple[AppContext, AppContext]) -> None:
    a, b = two
    pid = _patient(a)
    mine, theirs = a.patients.get(pid), b.patients.get(pid)
    from trdplanner.core.records import MedicationRec

    mine.medications = [MedicationRec("Sertraline", "100 mg")]
    a.patients.update(mine)
    theirs.phone = "555-0199"
    with pytest.raises(StaleError):
        b.patients.update(theirs)


def test_stale_note_draft_session_trial_plan_and_practice_saves_are_refused(
    two: tuple[AppContext, AppContext],
) -> None:
    a, b = two
    pid = _patient(a)
    session = a.sessions.create(pid, date=dt.date(2026, 1, 5))
    assert session.id is not None
    draft = a.notes.save_draft(session.id, "soap", SECTIONS)
    a.notes.save_draft(session.id, "soap", [NoteSectionRec("subjective", "Subjective", "Edited here.")],
                       version=draft.version)
    with pytest.raises(StaleError):
        b.notes.save_draft(session.id, "soap", SECTIONS, version=draft.version)
    assert (a.notes.for_session(session.id) or draft).sections[0].text == "Edited here."

    s1, s2 = a.sessions.get(session.id), b.sessions.get(session.id)
    s1.agenda = ["Mood check"]
    a.sessions.update(s1)
    s2.agenda = ["Homework review"]
    with pytest.raises(StaleError):
        b.sessions.update(s2)

    trial_id = a.trials.add(pid, TrialRec("antidepressant_monotherapy", agent="Sertraline"))
    t1, t2 = a.trials.list(pid)[0], b.trials.list(pid)[0]
    assert t1.id == trial_id
    t1.notes = "first"
    a.trials.update(t1)
    t2.notes = "second"
    with pytest.raises(StaleError):
        b.trials.update(t2)

    plan_id = a.plans.save(pid, PlanRec(created_on=dt.date(2026, 1, 5)))
    p1, p2 = a.plans.list(pid)[0], b.plans.list(pid)[0]
    assert p1.id == plan_id
    p1.client_participation = "Agreed"
    a.plans.save(pid, p1)
    p2.client_participation = "Disagreed"
    with pytest.raises(StaleError):
        b.plans.save(pid, p2)

    a.practice.save_practice(PracticeRec("Synthetic Practice"))
    r1, r2 = a.practice.practice(), b.practice.practice()
    assert r1 is not None and r2 is not None
    r1.phone = "555-0000"
    a.practice.save_practice(r1)
    r2.address = "Elsewhere"
    with pytest.raises(StaleError):
        b.practice.save_practice(r2)


def test_a_supervisees_signed_note_waits_for_the_supervisors_cosignature(ctx: AppContext) -> None:
    sup = ctx.practice.add_clinician(ClinicianRec("Dr. Avery Lindqvist", "PhD", login="avery", role="supervisor"))
    assert sup.id is not None
    trainee = ctx.practice.add_clinician(ClinicianRec("Blake Okafor", "LCSW", login="blake", supervisor_id=sup.id))
    other = ctx.practice.add_clinician(ClinicianRec("Casey Moreau", "LMFT", login="casey"))
    assert trainee.id is not None and other.id is not None
    pid = _patient(ctx)
    session = ctx.sessions.create(pid, date=dt.date(2026, 1, 5), clinician_id=trainee.id)
    assert session.id is not None
    ctx.notes.save_draft(session.id, "soap", SECTIONS)
    with pytest.raises(Exception, match="only a signed note"):
        _cosign(ctx, session.id, sup.id)
    signed = _sign(ctx, session.id, trainee.id)
    assert signed.awaiting_cosigner == "Dr. Avery Lindqvist, PhD"
    assert [p.id for p in ctx.patients.summaries(awaiting_cosign_by=sup.id)] == [pid]
    assert ctx.patients.summaries(awaiting_cosign_by=other.id) == []
    assert ctx.notes.awaiting_my_cosignature(sup.id) == [session.id]
    with pytest.raises(AccessDenied, match="does not supervise"):
        _cosign(ctx, session.id, other.id)
    cosigned = _cosign(ctx, session.id, sup.id, at=dt.datetime(2026, 1, 6, 9, 0, tzinfo=dt.UTC))
    assert [c.signer_name for c in cosigned.cosignatures] == ["Dr. Avery Lindqvist, PhD"]
    assert cosigned.awaiting_cosigner == "" and verify(cosigned)
    assert ctx.patients.summaries(awaiting_cosign_by=sup.id) == []
    with pytest.raises(LockedError):
        _cosign(ctx, session.id, sup.id)
    # The co-signature is over the note's content: change it and the note no longer verifies.
    reloaded = ctx.notes.for_session(session.id)
    assert reloaded is not None and verify(reloaded)
    reloaded.cosignatures[0].signer_name = "Dr. Someone Else"
    assert not verify(reloaded)
    events = {e.action for e in ctx.audit.list(limit=None)}
    assert "note.cosign" in events


def test_a_cosignature_cannot_be_changed_or_deleted_behind_the_apps_back(ctx: AppContext) -> None:
    sup = ctx.practice.add_clinician(ClinicianRec("Dr. Avery Lindqvist", "PhD", role="supervisor"))
    assert sup.id is not None
    trainee = ctx.practice.add_clinician(ClinicianRec("Blake Okafor", supervisor_id=sup.id))
    assert trainee.id is not None
    pid = _patient(ctx)
    session = ctx.sessions.create(pid, date=dt.date(2026, 1, 5))
    assert session.id is not None
    ctx.notes.save_draft(session.id, "soap", SECTIONS)
    _sign(ctx, session.id, trainee.id)
    _cosign(ctx, session.id, sup.id)
    for sql in ("UPDATE note_cosignature SET signer_name = 'Dr. Forged'", "DELETE FROM note_cosignature"):
        with pytest.raises(DBAPIError, match="co-signatures cannot be changed"), ctx.db.engine.begin() as conn:
            conn.execute(text(sql))
    note = ctx.notes.for_session(session.id)
    assert note is not None and len(note.cosignatures) == 1 and verify(note)


def test_the_solo_actor_is_the_clinician_not_the_os_user(
    data_dir: Path, ready_db_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    if not ready_db_url.startswith("sqlite"):
        pytest.skip("on a server the actor is the login (tests/group)")
    monkeypatch.setenv("USER", "dr.forged")
    monkeypatch.setenv("LOGNAME", "dr.forged")
    first = AppContext.open(str(data_dir), ready_db_url)
    first.practice.add_clinician(ClinicianRec("Dr. Avery Lindqvist", "PhD"))
    first.close()
    ctx = AppContext.open(str(data_dir), ready_db_url)
    try:
        pid = _patient(ctx)
        ctx.audit.record("patient.open", "patient", pid)
        actors = {e.actor for e in ctx.audit.list(limit=None) if e.action in ("patient.create", "patient.open")}
        assert actors == {"Dr. Avery Lindqvist, PhD"}
        assert ctx.patients.get(pid).version == 1
    finally:
        ctx.close()


def test_a_cosigned_note_survives_export_and_import_and_a_forged_cosignature_is_refused(
    ctx: AppContext, second_db_url: str, data_dir: Path
) -> None:
    import json

    from trdplanner.core.errors import InputError

    sup = ctx.practice.add_clinician(ClinicianRec("Dr. Avery Lindqvist", "PhD", role="supervisor"))
    trainee = ctx.practice.add_clinician(ClinicianRec("Blake Okafor", supervisor_id=sup.id))
    assert sup.id is not None and trainee.id is not None
    pid = _patient(ctx, "X-001")
    session = ctx.sessions.create(pid, date=dt.date(2026, 1, 5))
    assert session.id is not None
    ctx.notes.save_draft(session.id, "soap", SECTIONS)
    _sign(ctx, session.id, trainee.id)
    _cosign(ctx, session.id, sup.id)
    text_ = ctx.transfer.export_json(pid)
    other = AppContext.open(str(data_dir / "other"), second_db_url)
    try:
        forged = json.loads(text_)
        forged["sessions"][0]["note"]["cosignatures"][0]["signer_name"] = "Dr. Someone Else"
        with pytest.raises(InputError, match=r"co-signature|fingerprint"):
            other.transfer.import_json(json.dumps(forged))
        new_id = other.transfer.import_json(text_)
        note = other.sessions.list(new_id)[0].note
        assert note is not None and [c.signer_name for c in note.cosignatures] == ["Dr. Avery Lindqvist, PhD"]
        assert verify(note)
    finally:
        other.close()
