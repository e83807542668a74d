"""Group and family sessions on paper and in the patient file: each member's note PDF and export
hold their own part and the group's shared part, never another member's name or part; a family
session's relatives are listed on the note (text and PDF)."""

from __future__ import annotations

import datetime as dt
import json

from tests.export._pdf_helpers import body_text, squash
from tests.signing_helpers import _ensure_key
from trdplanner import assemble
from trdplanner.context import AppContext
from trdplanner.core.demo import DEMO_SIGNING_PASSWORD
from trdplanner.core.group_records import GroupHomeworkRec, MemberNotePart
from trdplanner.core.records import AttendeeRec, PatientProfile

# Synthetic members made for this test, with names that appear nowhere else in the demo.
MEMBERS = {"GP-01": "Quillon Vasterby", "GP-02": "Ottoline Brackwater", "GP-03": "Fenwick Marrowby"}
PARTS = {code: f"Participation detail only about {code.replace('-', '')}." for code in MEMBERS}


def _run_meeting(ctx: AppContext) -> dict[str, int]:
    me = ctx.practice.clinicians()[0]
    assert me.id is not None
    pids = {code: ctx.patients.create(PatientProfile(code, name), clinician_id=me.id) for code, name in MEMBERS.items()}
    day = dt.date(2026, 2, 3)
    group = ctx.groups.create("Privacy test skills group", "dbt", [me.id])
    for pid in pids.values():
        ctx.groups.add_member(group.id, pid, day)
    meeting = ctx.groups.add_meeting(group.id, day, homework=[
        GroupHomeworkRec("Diary card", "dbt-diary-card"),
        GroupHomeworkRec("Extra chain analysis", "dbt-chain-analysis", patient_ids=(pids["GP-02"],)),
    ])
    for pid in pids.values():
        ctx.groups.record_attendance(meeting.id, pid, "attended")
    ctx.groups.write_shared_note(meeting.id, "The group practised wise mind and reviewed diary cards.")
    for code, pid in pids.items():
        ctx.groups.write_member_note(meeting.id, pid, MemberNotePart(PARTS[code], "No risk indicators.", "Engaged."))
    _ensure_key(ctx, me.id)
    ctx.groups.sign_member_note(meeting.id, pids["GP-01"], me.id, password=DEMO_SIGNING_PASSWORD)
    return {code: ctx.groups.member_session(meeting.id, pid) for code, pid in pids.items()} | {
        f"pid:{code}": pid for code, pid in pids.items()}


def _others(code: str) -> list[str]:
    """Everything that would identify another member or carry their individual part."""
    out: list[str] = []
    for other, name in MEMBERS.items():
        if other != code:
            out += [other, name, *name.split(), PARTS[other]]
    return out


def test_each_members_note_pdf_holds_the_shared_part_and_nothing_of_the_others(demo_ctx: AppContext) -> None:
    ids = _run_meeting(demo_ctx)
    for code in MEMBERS:
        text = squash(body_text(assemble.note_document(demo_ctx, ids[code]).render()))
        assert squash("Privacy test skills group") in text
        assert squash("practised wise mind") in text
        assert squash(PARTS[code]) in text
        for leak in _others(code):
            assert squash(leak) not in text, (code, leak)


def test_a_members_export_carries_their_group_session_and_nothing_of_the_others(demo_ctx: AppContext) -> None:
    ids = _run_meeting(demo_ctx)
    for code in MEMBERS:
        exported = demo_ctx.transfer.export_json(ids[f"pid:{code}"])
        data = json.loads(exported)
        (session,) = [s for s in data["sessions"] if s["group_name"] == "Privacy test skills group"]
        assert session["group_attendance"] == "attended" and session["format"] == "group"
        titles = [h["title"] for h in session["homework"]]
        assert titles == (["Diary card", "Extra chain analysis"] if code == "GP-02" else ["Diary card"])
        assert PARTS[code] in exported
        for leak in _others(code):
            assert leak not in exported, (code, leak)
    # The signed note travels with its signature and still verifies after a round trip.
    copy = demo_ctx.transfer.export_record(ids["pid:GP-01"])
    signed = [s.note for s in copy.sessions if s.group_name and s.note is not None and s.note.status == "signed"]
    assert len(signed) == 1


def test_a_family_sessions_relatives_are_listed_on_the_session_the_note_and_its_pdf(demo_ctx: AppContext) -> None:
    pid = demo_ctx.patients.create(PatientProfile("FAM-01", "Imogen Synthetic"))
    session = demo_ctx.sessions.create(pid, date=dt.date(2026, 2, 4), format="family", modality="cbt",
                                       others_present=[AttendeeRec("Mother", "Delphine Synthetic")])
    assert session.id is not None
    saved = demo_ctx.sessions.set_others_present(session.id, [AttendeeRec("Mother", "Delphine Synthetic"),
                                                              AttendeeRec("Brother", "Rufus")])
    assert [(a.relation, a.name) for a in saved.others_present] == [("Mother", "Delphine Synthetic"),
                                                                    ("Brother", "Rufus")]
    doc = assemble.note_document(demo_ctx, session.id, "soap")
    draft = "\n".join(text for _, text in doc.content.sections)
    assert "Also present (not patients): Mother, Delphine Synthetic; Brother, Rufus." in draft
    text = squash(body_text(doc.render()))
    assert squash("ALSO PRESENT") in text and squash("Mother, Delphine Synthetic; Brother, Rufus") in text
    export = json.loads(demo_ctx.transfer.export_json(pid))
    assert export["sessions"][0]["others_present"] == [
        {"relation": "Mother", "name": "Delphine Synthetic"}, {"relation": "Brother", "name": "Rufus"}]
