"""The patient list's derived flags (migration 0003) follow every change that affects them."""

from __future__ import annotations

import datetime as dt

from trdplanner.context import AppContext
from trdplanner.core.demo import DEMO_SIGNING_PASSWORD as PW
from trdplanner.core.records import ClinicianRec, EpisodeRec, NoteSectionRec, PatientProfile, PatientSummary, TrialRec
from trdplanner.settings import Settings

TODAY = dt.date.today()


def _patient(ctx: AppContext, code: str = "F-1") -> int:
    return ctx.patients.create(PatientProfile(
        code=code, full_name=f"Patient {code}", primary_diagnosis="Major depressive disorder",
        episodes=[EpisodeRec(number=1, onset=TODAY - dt.timedelta(days=500))]))


def _failed(agent: str, start_days_ago: int, weeks: float = 8) -> TrialRec:
    start = TODAY - dt.timedelta(days=start_days_ago)
    return TrialRec(kind="antidepressant_monotherapy", agent=agent, drug_class="SSRI", dose=100, min_effective_dose=50,
                    start=start, stop=start + dt.timedelta(weeks=10), weeks_at_adequate_dose=weeks,
                    adherence="good", outcome="non_response", stop_reason="inefficacy")


def _row(ctx: AppContext, pid: int) -> PatientSummary:
    return next(s for s in ctx.patients.summaries(status=None) if s.id == pid)


def test_trials_measures_sessions_and_notes_update_the_list_row(ctx: AppContext) -> None:
    pid = _patient(ctx)
    other = _patient(ctx, "F-2")
    row = _row(ctx, pid)
    assert (row.trd_status, row.risk_flag, row.unsigned_notes, row.last_session) == ("not_trd", False, 0, None)

    ctx.trials.add(pid, _failed("Sertraline", 300))
    assert _row(ctx, pid).trd_status == "not_trd"
    trial_id = ctx.trials.add(pid, _failed("Citalopram", 150))
    row = _row(ctx, pid)
    assert (row.trd_status, row.failed_trials) == ("trd", 2)
    assert [s.id for s in ctx.patients.summaries(trd="trd")] == [pid]

    ctx.trials.delete(trial_id)
    assert _row(ctx, pid).trd_status == "not_trd"

    measure = ctx.measures.add(pid, "phq9", items=[1, 1, 1, 1, 1, 1, 1, 1, 2], taken_on=TODAY)
    row = _row(ctx, pid)
    assert (row.risk_flag, row.open_alerts) == (True, 1)
    assert measure.id is not None
    ctx.measures.acknowledge_alert(measure.id, "Dr. Test")
    row = _row(ctx, pid)
    assert (row.risk_flag, row.open_alerts) == (True, 0)  # the flag stays on the latest score
    ctx.measures.add(pid, "phq9", items=[1, 1, 1, 1, 1, 1, 1, 1, 0], taken_on=TODAY)
    assert _row(ctx, pid).risk_flag is False  # a newer score without the item clears the list flag
    assert [s.id for s in ctx.patients.summaries(risk=True)] == []

    session = ctx.sessions.create(pid, date=TODAY - dt.timedelta(days=3))
    assert session.id is not None
    assert _row(ctx, pid).last_session == TODAY - dt.timedelta(days=3)
    ctx.sessions.create(pid, date=TODAY + dt.timedelta(days=4))  # planned: not the last session yet
    assert _row(ctx, pid).last_session == TODAY - dt.timedelta(days=3)
    ctx.notes.save_draft(session.id, "soap", [NoteSectionRec("subjective", "Subjective", "Draft.")])
    assert _row(ctx, pid).unsigned_notes == 1
    assert [s.id for s in ctx.patients.summaries(unsigned=True)] == [pid]
    clinician = ctx.practice.add_clinician(ClinicianRec(name="Dr. Test"))
    assert clinician.id is not None
    ctx.signing.create_key(clinician.id, PW)
    ctx.notes.sign(session.id, clinician.id, password=PW)
    assert _row(ctx, pid).unsigned_notes == 0
    assert _row(ctx, other).trd_status == "not_trd"  # nobody else was touched


def test_a_change_of_trd_settings_recomputes_the_list(ctx: AppContext) -> None:
    pid = _patient(ctx)
    ctx.trials.add(pid, _failed("Sertraline", 300, weeks=5))
    ctx.trials.add(pid, _failed("Citalopram", 150, weeks=5))
    assert _row(ctx, pid).trd_status == "trd"  # 5 weeks is adequate at the default 4
    ctx.save_settings(Settings(adequacy_weeks=6))
    assert _row(ctx, pid).trd_status == "not_trd"  # not at 6
    ctx.save_settings(Settings())
    assert _row(ctx, pid).trd_status == "trd"


def test_rows_from_an_earlier_day_catch_up_with_sessions_that_came(ctx: AppContext) -> None:
    from sqlalchemy import update

    from trdplanner.core.models import PatientFlags

    pid = _patient(ctx)
    ctx.sessions.create(pid, date=TODAY - dt.timedelta(days=2))
    with ctx.db.transaction() as s:  # as if the row was worked out three days ago
        s.execute(update(PatientFlags).values(computed_on=TODAY - dt.timedelta(days=3), last_session=None))
    assert _row(ctx, pid).last_session == TODAY - dt.timedelta(days=2)


def test_missing_rows_are_filled_in_when_the_list_is_read(ctx: AppContext) -> None:
    from sqlalchemy import delete

    from trdplanner.core.models import PatientFlags

    pid = _patient(ctx)
    ctx.trials.add(pid, _failed("Sertraline", 300))
    ctx.trials.add(pid, _failed("Citalopram", 150))
    with ctx.db.transaction() as s:
        s.execute(delete(PatientFlags))  # as after migration 0003 on an existing practice
    assert _row(ctx, pid).trd_status == "trd"
    assert ctx.patients.refresh_flags() == 0
