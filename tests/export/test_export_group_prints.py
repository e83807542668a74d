"""The demo group's prints: the homework batch (every attending member, each page naming one
member only), the attendance sheet and the course plan; text extracted and the layout checked."""

from __future__ import annotations

import pytest

from tests.export._pdf_helpers import page_texts, squash
from tests.export.conftest import DEMO_TODAY
from tests.export.layout_check import check
from trdplanner import assemble
from trdplanner.context import AppContext
from trdplanner.core.demo_group import DEMO_GROUP_NAME, create_demo_group
from trdplanner.core.errors import InputError


@pytest.fixture
def group_ctx(demo_ctx: AppContext) -> AppContext:
    assert create_demo_group(demo_ctx, today=DEMO_TODAY)
    return demo_ctx


def _identities(ctx: AppContext) -> dict[int, list[str]]:
    """Each member's print code and names (full and preferred) by patient id."""
    group = ctx.groups.find(DEMO_GROUP_NAME)
    out = {}
    for m in group.members:
        profile = ctx.patients.get(m.patient_id)
        out[m.patient_id] = [w for w in (profile.code, profile.full_name, profile.preferred_name) if w]
    return out


def test_the_homework_batch_gives_each_attending_member_pages_naming_them_alone(group_ctx: AppContext) -> None:
    group = group_ctx.groups.find(DEMO_GROUP_NAME)
    meeting = group.meetings[1]  # one member absent at this meeting
    present = {a.patient_id for a in meeting.attendance if a.status in ("attended", "late")}
    absent = {a.patient_id for a in meeting.attendance} - present
    assert absent
    data = assemble.group_homework_document(group_ctx, meeting.id).render()
    identities = _identities(group_ctx)
    seen: set[int] = set()
    for n, text in enumerate(page_texts(data)):
        flat = squash(text)
        named = {pid for pid, words in identities.items() if any(squash(w) in flat for w in words)}
        assert len(named) == 1, (n, named)  # each page names exactly one member
        seen |= named
    assert seen == present
    diary = group_ctx.catalog.find("dbt-diary-card")
    assert diary is not None and squash(diary.title) in squash(" ".join(page_texts(data)))
    report = check(data)
    assert report.problems == []


def test_the_attendance_sheet_lists_the_members_and_what_was_recorded(group_ctx: AppContext) -> None:
    group = group_ctx.groups.find(DEMO_GROUP_NAME)
    meeting = group.meetings[0]
    data = assemble.attendance_sheet_document(group_ctx, meeting.id).render()
    text = squash(" ".join(page_texts(data)))
    assert squash(f"Attendance: {DEMO_GROUP_NAME}") in text
    assert squash(meeting.theme) in text
    for m in group.members:
        assert squash(m.code) in text
    for label in ("Attended", "Attended, late", "Absent", "Cancelled ahead"):
        assert squash(label) in text
    report = check(data, header_words=["Attended", "Absent", "Cancelled ahead", "Member"])
    assert report.problems == []


def test_the_course_plan_lists_every_meeting_with_its_agenda_and_homework(group_ctx: AppContext) -> None:
    group = group_ctx.groups.find(DEMO_GROUP_NAME)
    data = assemble.group_plan_document(group_ctx, group.id).render()
    text = squash(" ".join(page_texts(data)))
    for m in group.meetings:
        assert squash(m.theme) in text and m.date.isoformat() in text
    assert squash("Opening mindfulness exercise") in text
    for m in group.members:  # the plan is about the course, not the people in it
        assert squash(m.code) not in text
    report = check(data, header_words=["Theme", "Agenda", "Homework"])
    assert report.problems == []


def test_a_meeting_nobody_attended_has_no_homework_batch(group_ctx: AppContext) -> None:
    group = group_ctx.groups.find(DEMO_GROUP_NAME)
    empty = group_ctx.groups.add_meeting(group.id, DEMO_TODAY)
    with pytest.raises(InputError, match="meeting"):
        assemble.group_homework_document(group_ctx, empty.id)
