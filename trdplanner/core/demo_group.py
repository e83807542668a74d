"""The demo practice's DBT skills group: six demo patients, four weekly meetings in the last
month, attendance (some late, some absent), homework and a signed note for each member who came.

Added by ``trdplanner demo`` after the demo patients (``create_demo``); running it again adds
nothing. Everything here is invented.
"""

from __future__ import annotations

import datetime as dt
from typing import Protocol

from trdplanner.core.demo import DEMO_CLINICIAN, DEMO_SIGNING_PASSWORD
from trdplanner.core.group_records import MemberNotePart
from trdplanner.core.records import NoteSectionRec
from trdplanner.core.services.groups import GroupService
from trdplanner.core.services.notes import NoteService
from trdplanner.core.services.patients import PatientService
from trdplanner.core.services.practice import PracticeService
from trdplanner.core.services.templating import RISK_REVIEW_SECTION, RISK_REVIEW_TITLE

DEMO_GROUP_NAME = "Thursday DBT skills group (demo)"
DEMO_GROUP_MEMBERS = ("DEMO-01", "DEMO-02", "DEMO-03", "DEMO-04", "DEMO-06", "DEMO-07")
# Attendance per meeting, member by member (the order of DEMO_GROUP_MEMBERS).
_ATTENDANCE = (
    ("attended", "attended", "attended", "late", "attended", "attended"),
    ("attended", "absent", "attended", "attended", "late", "attended"),
    ("late", "attended", "attended", "attended", "attended", "cancelled"),
    ("attended", "attended", "absent", "attended", "attended", "attended"),
)
_SHARED = (
    "Orientation to the group and its guidelines. Taught wise mind with the lake exercise; each member "
    "practised naming reasonable mind and emotion mind. Introduced the diary card.",
    "Opening practice: observing the breath. Reviewed diary cards in turn. Taught the what skills "
    "(observe, describe, participate) and the how skills with short practices.",
    "Opening practice: noticing sounds. Homework review. Taught STOP and pros and cons; practised TIP "
    "with paced breathing and cold water.",
    "Opening practice: half-smile. Homework review. Taught Wise Mind ACCEPTS and self-soothe with the "
    "five senses; each member drafted a self-soothe kit list.",
)
_PARTICIPATION = (
    "Took part in every practice and offered an example from the week.",
    "Quiet at first, joined the discussion after the break; completed the practice.",
    "Engaged throughout; asked how to use the skill at work.",
    "Arrived after the opening practice; caught up during homework review and joined the skills practice.",
)
# A member with an open suicidality alert: the structured review is completed before signing, as
# the facilitator would after speaking with them at the break (the alert itself stays open for
# their own clinician to acknowledge).
_REVIEW = {
    "thoughts": "Passive thoughts on some days this week, none today.",
    "intent": "Denies intent.",
    "plan": "No plan.",
    "means": "No access to means named; medication kept by partner.",
    "protective": "Children, work, the group.",
    "formulation": "low",
    "safety_plan": "reviewed",
    "contacts": "Crisis line number confirmed on the safety plan.",
    "follow_up": "Individual session as booked; next group meeting in a week.",
    "acknowledge_alerts": False,
}
_RESPONSE = (
    "Understood the skill and could describe when to use it. Plan: practise daily, diary card each day.",
    "Some difficulty with the practice; coached in the group. Plan: practise twice this week with the handout.",
)


class DemoGroupServices(Protocol):
    @property
    def practice(self) -> PracticeService: ...
    @property
    def patients(self) -> PatientService: ...
    @property
    def groups(self) -> GroupService: ...
    @property
    def notes(self) -> NoteService: ...


def create_demo_group(ctx: DemoGroupServices, today: dt.date | None = None) -> bool:
    """Add the demo group and its four meetings; False when it is already there (or the demo
    patients are not)."""
    today = today or dt.date.today()
    if any(g.name == DEMO_GROUP_NAME for g in ctx.groups.list()):
        return False
    clinician = next((c for c in ctx.practice.clinicians() if c.licence_number == DEMO_CLINICIAN.licence_number), None)
    pids = [ctx.patients.id_for_code(code) for code in DEMO_GROUP_MEMBERS]
    if clinician is None or clinician.id is None or any(p is None for p in pids):
        return False
    members = [p for p in pids if p is not None]
    # Four Thursdays, the last one in the past week.
    last = today - dt.timedelta(days=(today.weekday() - 3) % 7 or 7)
    days = [last - dt.timedelta(weeks=3 - n) for n in range(4)]
    group = ctx.groups.create(DEMO_GROUP_NAME, "dbt", [clinician.id])
    for pid in members:
        ctx.groups.add_member(group.id, pid, days[0])
    for n, day in enumerate(days):
        meeting = ctx.groups.add_meeting(group.id, day)
        for i, pid in enumerate(members):
            ctx.groups.record_attendance(meeting.id, pid, _ATTENDANCE[n][i])
        ctx.groups.write_shared_note(meeting.id, _SHARED[n])
        for i, pid in enumerate(members):
            status = _ATTENDANCE[n][i]
            if status not in ("attended", "late"):
                continue
            session_id = ctx.groups.member_session(meeting.id, pid)
            review_due = bool(ctx.notes.review_reasons(session_id))
            part = MemberNotePart(
                participation=_PARTICIPATION[3] if status == "late" else _PARTICIPATION[(n + i) % 3],
                risk="Open alert on file: reviewed with the member at the break (see the risk review)."
                if review_due else "No thoughts of self-harm reported in the group; no change to the risk assessment.",
                response=_RESPONSE[(n + i) % 2],
            )
            note = ctx.groups.write_member_note(meeting.id, pid, part)
            if review_due:
                review = NoteSectionRec(RISK_REVIEW_SECTION, RISK_REVIEW_TITLE, "", fields=dict(_REVIEW))
                ctx.notes.save_draft(session_id, note.format, [*note.sections, review])
            ctx.groups.sign_member_note(meeting.id, pid, clinician.id, password=DEMO_SIGNING_PASSWORD,
                                        at=dt.datetime.combine(day, dt.time(19, 30), tzinfo=dt.UTC))
    return True
