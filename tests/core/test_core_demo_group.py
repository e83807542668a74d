"""The demo's DBT skills group: six members, four weekly meetings, attendance with some late and
absent, homework for each member who came and a signed note each, holding nothing of the others."""

from __future__ import annotations

import datetime as dt
import itertools

import pytest

from trdplanner.context import AppContext
from trdplanner.core.demo import create_demo
from trdplanner.core.demo_group import DEMO_GROUP_MEMBERS, DEMO_GROUP_NAME, create_demo_group
from trdplanner.core.services.notes import verify

TODAY = dt.date(2026, 3, 5)


@pytest.mark.parametrize("ready_db_url", ["sqlite"], indirect=True)
def test_the_demo_group_runs_four_weeks_with_a_signed_note_per_attending_member(ctx: AppContext) -> None:
    create_demo(ctx, today=TODAY)
    assert create_demo_group(ctx, today=TODAY)
    assert not create_demo_group(ctx, today=TODAY)  # a second run adds nothing
    group = ctx.groups.find(DEMO_GROUP_NAME)
    assert sorted(m.code for m in group.members) == sorted(DEMO_GROUP_MEMBERS)
    assert len(group.meetings) == 4
    days = [m.date for m in group.meetings]
    assert [(later - earlier).days for earlier, later in itertools.pairwise(days)] == [7, 7, 7]
    statuses = [a.status for m in group.meetings for a in m.attendance]
    assert {"attended", "late", "absent"} <= set(statuses)
    names = {m.patient_id: [m.name, m.code] for m in group.members}
    signed = 0
    for meeting in group.meetings:
        for a in meeting.attendance:
            if a.status not in ("attended", "late"):
                assert a.session_id is None
                continue
            note = ctx.groups.member_note(meeting.id, a.patient_id)
            assert note is not None and note.status == "signed" and verify(note)
            signed += 1
            text = "\n".join(x.text for x in note.sections)
            for other, words in names.items():
                if other != a.patient_id:
                    assert not any(w in text for w in words), (words, text)
            session = ctx.sessions.get(ctx.groups.member_session(meeting.id, a.patient_id))
            assert session.group_name == DEMO_GROUP_NAME and session.homework
    assert signed == statuses.count("attended") + statuses.count("late")
