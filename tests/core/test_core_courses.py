"""Interventional courses: each kind stored with its sessions, its trial kept in step, staging fed,
bad input refused with nothing written, every change audited."""

from __future__ import annotations

import datetime as dt

import pytest
from _core_helpers import row_counts

from trdplanner.context import AppContext
from trdplanner.core.errors import InputError
from trdplanner.core.records import CourseRec, CourseSessionRec, EpisodeRec, PatientProfile, TrialRec

TODAY = dt.date.today()


def _day(weeks_ago: float) -> dt.date:
    return TODAY - dt.timedelta(weeks=weeks_ago)


def _patient(ctx: AppContext, code: str = "C-001") -> int:
    return ctx.patients.create(
        PatientProfile(code, f"Synthetic {code}", episodes=[EpisodeRec(1, _day(80), severity="severe",
                                                                       psychotic_features=False)])
    )


def _trial_of(ctx: AppContext, pid: int, course: CourseRec) -> TrialRec:
    return next(t for t in ctx.trials.list(pid) if t.id == course.trial_id)


def test_esketamine_course_records_observations_and_owns_a_trial(ctx: AppContext) -> None:
    pid = _patient(ctx)
    course = ctx.courses.add(pid, CourseRec("esketamine", _day(3), provider="Dr. Synthetic"))
    assert course.id is not None
    ctx.courses.add_session(course.id, CourseSessionRec(
        0, _day(3), dose=56, bp_before="128/82", bp_after="140/88", observed_minutes=120, sedation=2,
        dissociation=3, adverse_events="Nausea", travel_home="Partner drove"))
    second = ctx.courses.add_session(course.id, CourseSessionRec(0, _day(2), dose=84, sedation=1))
    assert second.number == 2
    stored = ctx.courses.get(course.id)
    assert [(x.number, x.dose, x.dissociation) for x in stored.sessions] == [(1, 56, 3), (2, 84, None)]
    assert stored.sessions[0].bp_after == "140/88" and stored.sessions[0].travel_home == "Partner drove"
    trial = _trial_of(ctx, pid, stored)
    assert (trial.kind, trial.treatments_count, trial.stop_reason, trial.prescriber) == (
        "esketamine", 2, "ongoing", "Dr. Synthetic")
    view = ctx.courses.views(pid)[0]
    assert view.adequate is None and "not judged" in view.adequacy_reason


def test_iv_ketamine_takes_mg_per_kg_and_infusion_minutes(ctx: AppContext) -> None:
    pid = _patient(ctx)
    course = ctx.courses.add(pid, CourseRec("iv_ketamine", _day(2)))
    assert course.id is not None
    ctx.courses.add_session(course.id, CourseSessionRec(0, _day(2), dose=0.5, infusion_minutes=40,
                                                        observed_minutes=60))
    assert ctx.courses.get(course.id).sessions[0].infusion_minutes == 40
    with pytest.raises(InputError) as err:  # 50 mg/kg is a slip of the keyboard
        ctx.courses.add_session(course.id, CourseSessionRec(0, _day(1), dose=50))
    assert err.value.field == "session.dose"
    assert _trial_of(ctx, pid, ctx.courses.get(course.id)).kind == "iv_ketamine"


def test_tms_course_is_adequate_once_the_minimum_sessions_are_given(ctx: AppContext) -> None:
    pid = _patient(ctx)
    minimum = ctx.settings.course_settings().tms_min_sessions
    course = ctx.courses.add(pid, CourseRec("tms", _day(8), protocol="iTBS 600 pulses", target="left DLPFC",
                                            planned_sessions=minimum))
    assert course.id is not None
    for n in range(1, minimum):
        ctx.courses.add_session(course.id, CourseSessionRec(n, _day(8) + dt.timedelta(days=n),
                                                            motor_threshold_percent=120, pulses=600))
    assert ctx.courses.views(pid)[0].adequate is None  # running, short of the minimum: not known yet
    assert _trial_of(ctx, pid, course).clinician_judged_adequate is None
    ctx.courses.add_session(course.id, CourseSessionRec(0, _day(1), motor_threshold_percent=120, pulses=600))
    assert ctx.courses.views(pid)[0].adequate is True
    trial = _trial_of(ctx, pid, course)
    assert (trial.kind, trial.treatments_count, trial.clinician_judged_adequate) == ("rtms_itbs", minimum, True)


def test_tms_course_ended_short_is_not_adequate(ctx: AppContext) -> None:
    pid = _patient(ctx)
    course = ctx.courses.add(pid, CourseRec("tms", _day(4), protocol="10 Hz"))
    assert course.id is not None
    ctx.courses.add_session(course.id, CourseSessionRec(0, _day(4), pulses=3000))
    ctx.courses.end(course.id, _day(3), "not_assessable", "intolerance")
    assert ctx.courses.views(pid)[0].adequate is False
    assert _trial_of(ctx, pid, course).clinician_judged_adequate is False


def _ect_course(ctx: AppContext, pid: int, placement: str, treatments: int) -> CourseRec:
    course = ctx.courses.add(pid, CourseRec("ect", _day(12)))
    assert course.id is not None
    for n in range(treatments):
        ctx.courses.add_session(course.id, CourseSessionRec(
            0, _day(12) + dt.timedelta(days=2 * n), placement=placement, seizure_seconds=35))
    return ctx.courses.end(course.id, _day(12) + dt.timedelta(days=2 * treatments), "non_response", "inefficacy")


def _stage_iv_patient(ctx: AppContext, code: str) -> int:
    """Failures in SSRI, SNRI, TCA and MAOI: Thase-Rush stage IV before any ECT."""
    pid = _patient(ctx, code)
    for i, (agent, cls, dose, minimum) in enumerate(
        [("Sertraline", "SSRI", 150, 50), ("Venlafaxine XR", "SNRI", 225, 75),
         ("Nortriptyline", "TCA", 100, 75), ("Phenelzine", "MAOI", 60, 45)]
    ):
        ctx.trials.add(pid, TrialRec(kind="antidepressant_monotherapy" if i == 0 else "switch", agent=agent,
                                     drug_class=cls, episode_number=1, dose=dose, min_effective_dose=minimum,
                                     start=_day(70 - 15 * i), stop=_day(60 - 15 * i), weeks_at_adequate_dose=8,
                                     adherence="good", outcome="non_response", stop_reason="inefficacy"))
    return pid


def test_failed_adequate_bilateral_ect_course_gives_stage_v_and_the_maudsley_ect_point(ctx: AppContext) -> None:
    pid = _stage_iv_patient(ctx, "C-ECT")
    before = ctx.summary.for_patient(pid)
    assert before.thase_rush.stage == 4 and before.maudsley.ect_points == 0
    course = _ect_course(ctx, pid, "bilateral", ctx.settings.course_settings().ect_min_treatments)
    trial = _trial_of(ctx, pid, course)
    assert (trial.kind, trial.ect_bilateral, trial.clinician_judged_adequate) == ("ect", True, True)
    after = ctx.summary.for_patient(pid)
    assert after.thase_rush.stage == 5
    assert after.maudsley.ect_points == 1 and after.maudsley.total == before.maudsley.total + 1


def test_unilateral_or_too_short_ect_course_does_not_reach_stage_v(ctx: AppContext) -> None:
    minimum = ctx.settings.course_settings().ect_min_treatments
    unilateral = _stage_iv_patient(ctx, "C-RUL")
    _ect_course(ctx, unilateral, "right_unilateral", minimum)
    short = _stage_iv_patient(ctx, "C-SHORT")
    _ect_course(ctx, short, "bilateral", minimum - 1)
    for pid in (unilateral, short):
        summary = ctx.summary.for_patient(pid)
        assert summary.thase_rush.stage == 4
        assert summary.maudsley.ect_points == 1  # the Maudsley point is for ECT used, adequate or not


@pytest.mark.parametrize(
    ("kind", "session", "field"),
    [
        ("esketamine", CourseSessionRec(1, TODAY, sedation=5), "session.sedation"),
        ("esketamine", CourseSessionRec(1, TODAY, bp_before="high"), "session.bp_before"),
        ("esketamine", CourseSessionRec(1, TODAY, bp_before="80/120"), "session.bp_before"),
        ("esketamine", CourseSessionRec(1, TODAY, pulses=600), "session.pulses"),
        ("esketamine", CourseSessionRec(1, TODAY, infusion_minutes=40), "session.infusion_minutes"),
        ("tms", CourseSessionRec(1, TODAY, dose=84), "session.dose"),
        ("tms", CourseSessionRec(1, TODAY, motor_threshold_percent=0), "session.motor_threshold_percent"),
        ("ect", CourseSessionRec(1, TODAY), "session.placement"),
        ("ect", CourseSessionRec(1, TODAY, placement="left"), "session.placement"),
        ("ect", CourseSessionRec(1, TODAY - dt.timedelta(days=30), placement="bilateral"), "session.given_on"),
    ],
)
def test_bad_session_is_refused_naming_the_field_and_nothing_is_written(
    ctx: AppContext, kind: str, session: CourseSessionRec, field: str
) -> None:
    pid = _patient(ctx)
    course = ctx.courses.add(pid, CourseRec(kind, _day(1)))
    assert course.id is not None
    before = row_counts(ctx.db)
    with pytest.raises(InputError) as err:
        ctx.courses.add_session(course.id, session)
    assert err.value.field == field
    assert row_counts(ctx.db) == before


@pytest.mark.parametrize(
    ("course", "field"),
    [
        (CourseRec("psilocybin", TODAY), "course.kind"),
        (CourseRec("ect", TODAY, stop=TODAY - dt.timedelta(days=1)), "course.stop"),
        (CourseRec("ect", TODAY, protocol="iTBS"), "course.protocol"),
        (CourseRec("ect", TODAY, judged_adequate=True), "course.judged_adequate"),
        (CourseRec("esketamine", TODAY, outcome="better"), "course.outcome"),
        (CourseRec("ect", TODAY, sessions=[CourseSessionRec(1, TODAY, placement="bilateral"),
                                           CourseSessionRec(1, TODAY, placement="bilateral")]), "course.sessions"),
    ],
)
def test_bad_course_is_refused_and_no_trial_is_left_behind(ctx: AppContext, course: CourseRec, field: str) -> None:
    pid = _patient(ctx)
    before = row_counts(ctx.db)
    with pytest.raises(InputError) as err:
        ctx.courses.add(pid, course)
    assert err.value.field == field
    assert row_counts(ctx.db) == before


def test_course_and_session_changes_are_audited(ctx: AppContext) -> None:
    pid = _patient(ctx)
    course = ctx.courses.add(pid, CourseRec("ect", _day(1)))
    assert course.id is not None
    ctx.courses.add_session(course.id, CourseSessionRec(0, _day(1), placement="bifrontal"))
    events = ctx.audit.list(limit=None, action="course.")
    assert {(e.action, e.object_id) for e in events} == {("course.create", str(course.id)),
                                                         ("course.change", str(course.id))}
    assert ctx.audit.list(limit=None, action="trial.change")  # the owned trial moved in step, on the record


def test_a_dosing_session_proposes_an_integration_session_in_the_window(ctx: AppContext) -> None:
    pid = _patient(ctx)
    course = ctx.courses.add(pid, CourseRec("esketamine", _day(1)))
    assert course.id is not None
    assert ctx.courses.integration_proposal(pid, TODAY) is None  # no dose yet
    dosed = TODAY - dt.timedelta(days=1)
    ctx.courses.add_session(course.id, CourseSessionRec(0, dosed, dose=56, sedation=1, dissociation=2))
    proposal = ctx.courses.integration_proposal(pid, TODAY)
    assert proposal is not None
    # The default window, 24 to 72 hours: the day after the dose to three days after.
    assert (proposal.earliest, proposal.latest) == (dosed + dt.timedelta(days=1), dosed + dt.timedelta(days=3))
    assert proposal.booked_on is None and "Book an integration session" in proposal.text
    assert proposal.dosing.session.dissociation == 2
    # A therapy session inside the window counts as the integration session booked...
    ctx.sessions.create(pid, date=dosed + dt.timedelta(days=2))
    booked = ctx.courses.integration_proposal(pid, TODAY)
    assert booked is not None and booked.booked_on == dosed + dt.timedelta(days=2) and "booked" in booked.text
    # ...and once the window has passed nothing is proposed.
    assert ctx.courses.integration_proposal(pid, dosed + dt.timedelta(days=4)) is None


def test_the_integration_window_is_a_setting_and_ect_needs_no_integration(ctx: AppContext) -> None:
    import dataclasses

    pid = _patient(ctx)
    ect = ctx.courses.add(pid, CourseRec("ect", _day(1)))
    assert ect.id is not None
    ctx.courses.add_session(ect.id, CourseSessionRec(0, TODAY, placement="bilateral"))
    assert ctx.courses.integration_proposal(pid, TODAY) is None
    ctx.save_settings(dataclasses.replace(ctx.settings, integration_after_hours=48, integration_within_hours=96))
    course = ctx.courses.add(pid, CourseRec("iv_ketamine", TODAY))
    assert course.id is not None
    ctx.courses.add_session(course.id, CourseSessionRec(0, TODAY, dose=0.5))
    proposal = ctx.courses.integration_proposal(pid, TODAY)
    assert proposal is not None
    assert (proposal.earliest, proposal.latest) == (TODAY + dt.timedelta(days=2), TODAY + dt.timedelta(days=4))


def test_purging_a_patient_removes_their_courses_and_sessions(ctx: AppContext) -> None:
    from trdplanner.core.vocab import PatientStatus

    pid = _patient(ctx, "C-PURGE")
    course = ctx.courses.add(pid, CourseRec("esketamine", _day(1)))
    assert course.id is not None
    ctx.courses.add_session(course.id, CourseSessionRec(0, _day(1), dose=56))
    ctx.patients.set_status(pid, PatientStatus.ARCHIVED)
    ctx.patients.purge(pid, confirm_code="C-PURGE")
    counts = row_counts(ctx.db)
    assert counts["treatment_course"] == counts["course_session"] == counts["trial"] == 0
