"""Therapy groups: a meeting planned once, attendance giving each member their own session, each
member's note holding the shared part and only their own individual part, signed on its own;
bad input refused with nothing written; every change audited."""

from __future__ import annotations

import datetime as dt

import pytest
from _core_helpers import row_counts

from tests.signing_helpers import _ensure_key
from trdplanner.context import AppContext
from trdplanner.core.demo import DEMO_SIGNING_PASSWORD
from trdplanner.core.errors import InputError, LockedError, NotFoundError
from trdplanner.core.group_records import GroupHomeworkRec, MemberNotePart
from trdplanner.core.records import ClinicianRec, PatientProfile
from trdplanner.core.services.notes import verify

DAY = dt.date.today() - dt.timedelta(days=21)


def _clinician(ctx: AppContext, name: str = "Dr. Facilitator") -> int:
    rec = ctx.practice.add_clinician(ClinicianRec(name, "PhD"))
    assert rec.id is not None
    return rec.id


def _group(ctx: AppContext, n: int = 3) -> tuple[int, int, list[int]]:
    leader = _clinician(ctx)
    pids = [ctx.patients.create(PatientProfile(f"G-{i:03d}", f"Member{i} Synthetic{i}")) for i in range(1, n + 1)]
    group = ctx.groups.create("Tuesday DBT skills", "dbt", [leader])
    for pid in pids:
        ctx.groups.add_member(group.id, pid, DAY)
    return group.id, leader, pids


def test_a_meeting_is_planned_from_the_modalitys_structure(ctx: AppContext) -> None:
    gid, _, _ = _group(ctx)
    first = ctx.groups.add_meeting(gid, DAY)
    second = ctx.groups.add_meeting(gid, DAY + dt.timedelta(days=7))
    assert (first.number, second.number) == (1, 2)
    assert first.theme == "Mindfulness: wise mind"
    assert first.agenda[0] == "Opening mindfulness exercise"
    assert any("Wise mind" in item for item in first.agenda)
    assert first.templates == ("dbt-mindfulness-skills",)
    assert [h.template_id for h in first.homework] == ["dbt-mindfulness-practice", "dbt-diary-card"]
    assert all(h.patient_ids is None for h in first.homework)
    assert second.theme == "Mindfulness: what and how skills"
    group = ctx.groups.get(gid)
    assert group.duration_minutes == 150
    assert [m.id for m in group.meetings] == [first.id, second.id]
    assert ctx.groups.find("tuesday dbt SKILLS").id == gid


def test_attendance_gives_each_present_member_their_own_session_and_homework(ctx: AppContext) -> None:
    gid, leader, (a, b, c) = _group(ctx)
    meeting = ctx.groups.add_meeting(gid, DAY, homework=[
        GroupHomeworkRec("Diary card", "dbt-diary-card"),
        GroupHomeworkRec("Chain analysis", "dbt-chain-analysis", patient_ids=(b,)),
    ])
    ctx.groups.record_attendance(meeting.id, a, "attended")
    ctx.groups.record_attendance(meeting.id, b, "late")
    absent = ctx.groups.record_attendance(meeting.id, c, "absent")
    assert absent.session_id is None
    assert ctx.sessions.list(c) == []
    (sa,) = ctx.sessions.list(a)
    (sb,) = ctx.sessions.list(b)
    assert (sa.format, sa.modality, sa.group_name, sa.group_attendance) == ("group", "dbt", "Tuesday DBT skills",
                                                                            "attended")
    assert sb.group_attendance == "late"
    assert sa.clinician is not None and sa.clinician.id == leader
    assert [h.title for h in sa.homework] == ["Diary card"]
    assert [h.title for h in sb.homework] == ["Diary card", "Chain analysis"]
    assert sa.agenda == list(meeting.agenda)
    # Marking the same member again changes their attendance; no second session appears.
    ctx.groups.record_attendance(meeting.id, b, "attended")
    assert [s.group_attendance for s in ctx.sessions.list(b)] == ["attended"]
    statuses = {x.patient_id: x.status for x in ctx.groups.get_meeting(meeting.id).attendance}
    assert statuses == {a: "attended", b: "attended", c: "absent"}


def test_each_members_note_has_the_shared_part_and_only_their_own_part(ctx: AppContext) -> None:
    gid, leader, (a, b, _) = _group(ctx)
    meeting = ctx.groups.add_meeting(gid, DAY)
    for pid in (a, b):
        ctx.groups.record_attendance(meeting.id, pid, "attended")
    ctx.groups.write_member_note(meeting.id, a, MemberNotePart("Practised wise mind; shared an example.",
                                                               "No ideation reported.", "Engaged; plans practice."))
    ctx.groups.write_member_note(meeting.id, b, MemberNotePart("Quiet; left early in the break.",
                                                               "Passive thoughts, no plan.", "Call next week."))
    # The shared part is written once, after the individual parts, and reaches both drafts.
    ctx.groups.write_shared_note(meeting.id, "Taught wise mind with the lake exercise; reviewed diary cards.")
    note_a = ctx.groups.member_note(meeting.id, a)
    note_b = ctx.groups.member_note(meeting.id, b)
    assert note_a is not None and note_b is not None
    text_a = "\n".join(x.text for x in note_a.sections)
    text_b = "\n".join(x.text for x in note_b.sections)
    for text in (text_a, text_b):
        assert "lake exercise" in text and "Tuesday DBT skills: meeting 1" in text
    assert "shared an example" in text_a and "shared an example" not in text_b
    assert "left early" in text_b and "left early" not in text_a
    assert "Member2" not in text_a and "Member1" not in text_b
    assert ctx.groups.member_part(meeting.id, a).risk == "No ideation reported."
    # Each note is signed on its own.
    _ensure_key(ctx, leader)
    signed = ctx.groups.sign_member_note(meeting.id, a, leader, password=DEMO_SIGNING_PASSWORD)
    assert signed.status == "signed" and verify(signed)
    draft_b = ctx.groups.member_note(meeting.id, b)
    assert draft_b is not None and draft_b.status == "draft"
    # A's signed note is locked: the shared part changes only unsigned notes.
    ctx.groups.write_shared_note(meeting.id, "Taught wise mind; reviewed diary cards; homework set.")
    after_a = ctx.groups.member_note(meeting.id, a)
    after_b = ctx.groups.member_note(meeting.id, b)
    assert after_a is not None and after_b is not None
    assert "lake exercise" in after_a.sections[0].text and "homework set" in after_b.sections[0].text
    with pytest.raises(LockedError):
        ctx.groups.write_member_note(meeting.id, a, MemberNotePart("changed"))
    with pytest.raises(LockedError):
        ctx.groups.record_attendance(meeting.id, a, "absent")


def test_a_note_part_that_names_another_member_is_refused(ctx: AppContext) -> None:
    gid, _, (a, b, _) = _group(ctx)
    meeting = ctx.groups.add_meeting(gid, DAY)
    ctx.groups.record_attendance(meeting.id, a, "attended")
    before = row_counts(ctx.db)
    with pytest.raises(InputError, match=r"note\.participation.*another group member"):
        ctx.groups.write_member_note(meeting.id, a, MemberNotePart("Argued with Member2 Synthetic2."))
    with pytest.raises(InputError, match=r"meeting\.shared_note"):
        ctx.groups.write_shared_note(meeting.id, "G-001 led the exercise.")
    assert row_counts(ctx.db) == before
    assert ctx.groups.get_meeting(meeting.id).shared_note == ""
    del b


@pytest.mark.parametrize(
    ("call", "field"),
    [
        (lambda ctx, g, m, p, c: ctx.groups.create("", "dbt", [c]), "group.name"),
        (lambda ctx, g, m, p, c: ctx.groups.create("X", "astrology", [c]), "group.modality"),
        (lambda ctx, g, m, p, c: ctx.groups.create("X", "dbt", []), "group.facilitators"),
        (lambda ctx, g, m, p, c: ctx.groups.create("Tuesday DBT skills", "dbt", [c]), "group.name"),
        (lambda ctx, g, m, p, c: ctx.groups.add_member(g, p[0], DAY), "member.patient"),
        (lambda ctx, g, m, p, c: ctx.groups.add_meeting(g, DAY), "meeting.date"),
        (lambda ctx, g, m, p, c: ctx.groups.add_meeting(g, dt.date(1800, 1, 1)), "meeting.date"),
        (lambda ctx, g, m, p, c: ctx.groups.record_attendance(m, p[0], "here"), "attendance.status"),
        (lambda ctx, g, m, p, c: ctx.groups.member_leaves(g, p[0], DAY - dt.timedelta(days=1)), "member.left_on"),
        (lambda ctx, g, m, p, c: ctx.groups.remove_facilitator(g, c), "group.facilitators"),
        (lambda ctx, g, m, p, c: ctx.groups.write_member_note(m, p[0], MemberNotePart()), "note.patient"),
        (lambda ctx, g, m, p, c: ctx.groups.set_homework(m, [GroupHomeworkRec("x", patient_ids=(99999,))]),
         "meeting.homework[0].patient_ids"),
    ],
)
def test_bad_input_is_refused_by_field_and_nothing_is_written(ctx: AppContext, call: object, field: str) -> None:
    gid, leader, pids = _group(ctx)
    meeting = ctx.groups.add_meeting(gid, DAY)
    before = row_counts(ctx.db)
    with pytest.raises(InputError) as caught:
        call(ctx, gid, meeting.id, pids, leader)  # type: ignore[operator]
    assert caught.value.field == field
    assert row_counts(ctx.db) == before


def test_a_member_who_left_is_not_marked_at_later_meetings(ctx: AppContext) -> None:
    gid, _, (a, _, _) = _group(ctx)
    ctx.groups.member_leaves(gid, a, DAY + dt.timedelta(days=3))
    later = ctx.groups.add_meeting(gid, DAY + dt.timedelta(days=7))
    with pytest.raises(InputError, match="was not a member"):
        ctx.groups.record_attendance(later.id, a, "attended")
    with pytest.raises(NotFoundError):
        ctx.groups.get(99999)
    assert [s.members for s in ctx.groups.list()] == [2]


def test_group_changes_are_audited_by_id_only(ctx: AppContext) -> None:
    gid, _, (a, _, _) = _group(ctx)
    meeting = ctx.groups.add_meeting(gid, DAY)
    ctx.groups.record_attendance(meeting.id, a, "late")
    actions = {e.action for e in ctx.audit.list(limit=None)}
    assert {"group.create", "group.change", "group_meeting.create", "group_meeting.attendance"} <= actions
    details = " ".join(str(e.detail) for e in ctx.audit.list(limit=None, action="group"))
    assert "Member1" not in details


def test_a_name_is_matched_as_a_whole_word_only(ctx: AppContext) -> None:
    gid, _, (a, _, _) = _group(ctx)
    sam = ctx.patients.create(PatientProfile("G-SAM", "Sam Synthetic", preferred_name="Sam"))
    ctx.groups.add_member(gid, sam, DAY)
    meeting = ctx.groups.add_meeting(gid, DAY)
    ctx.groups.record_attendance(meeting.id, a, "attended")
    ctx.groups.write_member_note(meeting.id, a, MemberNotePart("Much the same as last week."))
    with pytest.raises(InputError, match="G-SAM"):
        ctx.groups.write_member_note(meeting.id, a, MemberNotePart("Sat next to Sam."))


def test_a_members_group_session_survives_export_and_import_without_the_group(
    ctx: AppContext, second_db_url: str
) -> None:
    from trdplanner.core.db import Database
    from trdplanner.core.services.transfer import TransferService

    gid, leader, (a, _, _) = _group(ctx)
    meeting = ctx.groups.add_meeting(gid, DAY)
    ctx.groups.record_attendance(meeting.id, a, "late")
    ctx.groups.write_shared_note(meeting.id, "Taught wise mind.")
    ctx.groups.write_member_note(meeting.id, a, MemberNotePart("Joined after the opening practice."))
    _ensure_key(ctx, leader)
    ctx.groups.sign_member_note(meeting.id, a, leader, password=DEMO_SIGNING_PASSWORD)
    text = ctx.transfer.export_json(a)
    second = Database.open(second_db_url)
    try:
        transfer2 = TransferService(second)
        new_id = transfer2.import_json(text)
        (session,) = transfer2.export_record(new_id).sessions
        assert (session.group_name, session.group_attendance, session.format) == ("Tuesday DBT skills", "late",
                                                                                  "group")
        assert session.note is not None and verify(session.note)
    finally:
        second.close()


def test_each_attending_member_gets_blank_copies_of_the_meetings_forms(ctx: AppContext) -> None:
    gid, _, (a, b, _) = _group(ctx)
    meeting = ctx.groups.add_meeting(gid, DAY)
    diary = ctx.catalog.find("dbt-diary-card")
    assert diary is not None and diary.title in [h.title for h in meeting.homework]  # the worksheet's own title
    ctx.groups.record_attendance(meeting.id, a, "attended")
    ctx.groups.record_attendance(meeting.id, b, "absent")
    (session,) = ctx.sessions.list(a)
    assert [(i.template_id, i.role, i.values) for i in session.instances] == [
        ("dbt-mindfulness-skills", "in_session", {})]
    assert ctx.sessions.list(b) == []


def test_a_first_name_of_another_member_is_refused_wherever_the_note_is_written(tmp_path) -> None:
    """"Paired with Sam" names Sam to anyone in the group; the note editor's own save refuses it too."""
    import datetime as dt

    from trdplanner.context import AppContext
    from trdplanner.core.errors import InputError
    from trdplanner.core.group_records import MemberNotePart
    from trdplanner.core.records import ClinicianRec, NoteSectionRec, PatientProfile

    ctx = AppContext.open(str(tmp_path), encrypt_new=False)
    try:
        clinician = ctx.practice.add_clinician(ClinicianRec("Dr. Lead", "PhD")).id
        assert clinician is not None
        ada = ctx.patients.create(PatientProfile(code="FN-1", full_name="Ada Quill"))
        sam = ctx.patients.create(PatientProfile(code="FN-2", full_name="Sam Whitfield"))
        group = ctx.groups.create("First names", "dbt", [clinician])
        for pid in (ada, sam):
            ctx.groups.add_member(group.id, pid, dt.date(2026, 11, 1))
        meeting = ctx.groups.add_meeting(group.id, dt.date(2026, 11, 10))
        ctx.groups.record_attendance(meeting.id, ada, "attended")
        with pytest.raises(InputError) as err:
            ctx.groups.write_member_note(meeting.id, ada, MemberNotePart(participation="Paired with Sam today."))
        assert err.value.field == "note.participation"
        ctx.groups.write_member_note(meeting.id, ada, MemberNotePart(participation="Worked with a partner."))
        session = ctx.groups.member_session(meeting.id, ada)
        note = ctx.notes.for_session(session)
        assert note is not None
        edited = [NoteSectionRec(x.id, x.title, x.text + " Sam Whitfield helped her.") for x in note.sections]
        with pytest.raises(InputError):  # the ordinary note editor's save: the same rule
            ctx.notes.save_draft(session, note.format, edited, version=note.version)
        assert "Sam" not in " ".join(x.text for x in ctx.notes.for_session(session).sections)  # type: ignore[union-attr]
        # "the same" is not Sam: whole words only.
        ctx.groups.write_member_note(meeting.id, ada, MemberNotePart(participation="Felt the same as last week."))
    finally:
        ctx.close()
