"""CalendarService.planned: planned sessions only, print code only, audited; on every backend."""

from __future__ import annotations

import dataclasses
import datetime as dt

import pytest
from _core_helpers import full_profile

from trdplanner.context import AppContext
from trdplanner.core.errors import NotFoundError
from trdplanner.core.records import PlannedVisit, SessionRec
from trdplanner.core.vocab import PatientStatus


def test_planned_sessions_of_active_patients_in_date_order(ctx: AppContext) -> None:
    day = dt.date(2026, 5, 4)
    a = ctx.patients.create(full_profile("A-1"))
    b = ctx.patients.create(full_profile("B-2"))
    gone = ctx.patients.create(full_profile("C-3"))
    first = ctx.sessions.create(a, date=day + dt.timedelta(days=7), duration_minutes=80)
    done = ctx.sessions.create(a, date=day)
    ctx.sessions.update(dataclasses.replace(done, status="completed"))
    ctx.sessions.create(b, date=day + dt.timedelta(days=1))
    ctx.sessions.create(gone, date=day)
    ctx.patients.set_status(gone, PatientStatus.ARCHIVED)

    assert ctx.calendar.planned() == [
        PlannedVisit("B-2", 1, day + dt.timedelta(days=1), 50),
        PlannedVisit("A-1", first.number, day + dt.timedelta(days=7), 80),
    ]
    # Named, an archived patient's planned sessions are there; a date limit keeps later ones.
    assert [v.code for v in ctx.calendar.planned(gone)] == ["C-3"]
    assert ctx.calendar.planned(since=day + dt.timedelta(days=2)) == [
        PlannedVisit("A-1", first.number, day + dt.timedelta(days=7), 80)
    ]
    events = ctx.audit.list(None, action="calendar.export")
    assert len(events) == 3 and events[0].detail == {"sessions": 1}  # counts only, never names or dates
    with pytest.raises(NotFoundError):
        ctx.calendar.planned(99999)


def test_only_the_code_leaves_the_service(ctx: AppContext) -> None:
    pid = ctx.patients.create(full_profile("D-4"))
    ctx.sessions.create(pid, date=dt.date(2026, 5, 4), modality="cbt", agenda=["Talk about the divorce"])
    (visit,) = ctx.calendar.planned(pid)
    assert {f.name for f in dataclasses.fields(visit)} == {"code", "session_number", "date", "duration_minutes"}
    assert not isinstance(visit, SessionRec)
