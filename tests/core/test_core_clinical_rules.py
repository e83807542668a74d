"""Issue 14 through the services: the risk flag, imported acknowledgements, baselines, drug table, psychosis.

Each test drives the same services the GUI and CLI call, on SQLite and (when configured)
PostgreSQL, and tries the shortcut an insider would take (an edited import file, raw SQL).
"""

from __future__ import annotations

import datetime as dt
import json

import pytest
from sqlalchemy import text

from trdplanner.context import AppContext
from trdplanner.core.demo import DEMO_SIGNING_PASSWORD
from trdplanner.core.errors import InputError
from trdplanner.core.records import ClinicianRec, EpisodeRec, NoteSectionRec, PatientProfile, PatientSummary, TrialRec

TODAY = dt.date.today()
POSITIVE = [1, 1, 1, 1, 1, 1, 1, 1, 2]
ITEM9_ZERO = [1, 1, 1, 1, 1, 1, 1, 1, 0]


def _patient(ctx: AppContext, code: str = "R-1", **kw: object) -> int:
    values: dict[str, object] = dict(
        code=code, full_name=f"Patient {code}", primary_diagnosis="Major depressive disorder",
        episodes=[EpisodeRec(number=1, onset=TODAY - dt.timedelta(days=400), severity="moderate",
                             psychotic_features=False)])
    values.update(kw)
    return ctx.patients.create(PatientProfile(**values))  # type: ignore[arg-type]


def _row(ctx: AppContext, pid: int) -> PatientSummary:
    return next(s for s in ctx.patients.summaries(status=None) if s.id == pid)


def _days(n: int) -> dt.date:
    return TODAY - dt.timedelta(days=n)


def test_total_only_score_after_an_acknowledged_positive_keeps_the_flag_and_the_filter(ctx: AppContext) -> None:
    pid = _patient(ctx)
    positive = ctx.measures.add(pid, "phq9", items=POSITIVE, taken_on=_days(20))
    assert positive.id is not None
    ctx.measures.acknowledge_alert(positive.id, "Dr. Test")
    ctx.measures.add(pid, "phq9", total=9, taken_on=_days(10))  # item 9 unknown
    ctx.measures.add(pid, "bdi2", total=20, taken_on=_days(5))  # never stores items
    row = _row(ctx, pid)
    assert (row.risk_flag, row.open_alerts) == (True, 0)
    assert [s.id for s in ctx.patients.summaries(risk=True)] == [pid]
    summary = ctx.summary.for_patient(pid)
    assert summary.risk_flag
    assert "a score without that item does not clear it" in summary.risk.explanation


def test_item_at_zero_or_a_signed_risk_review_clears_the_flag(ctx: AppContext) -> None:
    pid = _patient(ctx)
    m = ctx.measures.add(pid, "phq9", items=POSITIVE, taken_on=_days(20))
    assert m.id is not None
    ctx.measures.acknowledge_alert(m.id, "Dr. Test")
    # A session with the safety plan reviewed but the note unsigned is not a completed review.
    session = ctx.sessions.create(pid, date=_days(15))
    assert session.id is not None
    ctx.sessions.update(session.__class__(**{**session.__dict__, "status": "completed",
                                              "safety_plan_reviewed": True}))
    ctx.notes.save_draft(session.id, "soap", [NoteSectionRec("subjective", "Subjective", "Reviewed risk.")])
    assert _row(ctx, pid).risk_flag is True
    clinician = ctx.practice.add_clinician(ClinicianRec(name="Dr. Test"))
    assert clinician.id is not None
    ctx.signing.create_key(clinician.id, DEMO_SIGNING_PASSWORD)
    ctx.notes.sign(session.id, clinician.id, password=DEMO_SIGNING_PASSWORD)
    assert _row(ctx, pid).risk_flag is False
    assert not ctx.summary.for_patient(pid).risk_flag

    other = _patient(ctx, "R-2")
    m2 = ctx.measures.add(other, "phq9", items=POSITIVE, taken_on=_days(9))
    assert m2.id is not None
    ctx.measures.acknowledge_alert(m2.id, "Dr. Test")
    ctx.measures.add(other, "qids_sr16", items=[0] * 16, taken_on=_days(3))  # item 12 recorded as 0
    assert _row(ctx, other).risk_flag is False


def test_an_unacknowledged_alert_is_never_cleared_by_a_later_zero(ctx: AppContext) -> None:
    pid = _patient(ctx)
    ctx.measures.add(pid, "phq9", items=POSITIVE, taken_on=_days(20))
    ctx.measures.add(pid, "phq9", items=ITEM9_ZERO, taken_on=_days(2))
    row = _row(ctx, pid)
    assert (row.risk_flag, row.open_alerts) == (True, 1)


def _export_with_acknowledgement(ctx: AppContext, by: str, at: str | None) -> str:
    pid = _patient(ctx, "X-1")
    ctx.measures.add(pid, "phq9", items=POSITIVE, taken_on=_days(3))
    data = json.loads(ctx.transfer.export_json(pid))
    data["profile"]["code"] = "X-2"
    data["measures"][0]["alert_acknowledged_by"] = by
    data["measures"][0]["alert_acknowledged_at"] = at
    return json.dumps(data)


@pytest.mark.parametrize(
    ("by", "at", "field"),
    [
        ("", (TODAY - dt.timedelta(days=1)).isoformat() + "T10:00:00+00:00", "measures[0].alert_acknowledged_by"),
        ("Dr. Elsewhere", None, "measures[0].alert_acknowledged_at"),
        ("Dr. Elsewhere", (TODAY - dt.timedelta(days=30)).isoformat() + "T10:00:00+00:00",
         "measures[0].alert_acknowledged_at"),
    ],
)
def test_imported_acknowledgement_must_name_a_reviewer_and_a_time(
    ctx: AppContext, by: str, at: str | None, field: str
) -> None:
    edited = _export_with_acknowledgement(ctx, by, at)
    before = len(ctx.patients.summaries(status=None))
    with pytest.raises(InputError) as info:
        ctx.transfer.import_json(edited)
    assert info.value.field == field
    assert len(ctx.patients.summaries(status=None)) == before  # nothing written


def test_imported_acknowledgement_is_audited_as_imported(ctx: AppContext) -> None:
    at = (TODAY - dt.timedelta(days=1)).isoformat() + "T10:00:00+00:00"
    pid = ctx.transfer.import_json(_export_with_acknowledgement(ctx, "Dr. Elsewhere", at))
    event = ctx.audit.list(action="patient.import")[0]
    assert event.object_id == str(pid)
    acks = event.detail["alert_acknowledgements_imported"]
    assert acks[0]["acknowledged_by"] == "Dr. Elsewhere"
    assert acks[0]["acknowledged_at"].startswith(at[:10])
    assert _row(ctx, pid).risk_flag is True  # acknowledged is not cleared


def test_summary_counts_distinct_agents_and_names_baselines(ctx: AppContext) -> None:
    pid = _patient(ctx, episodes=[
        EpisodeRec(1, _days(1200), _days(800), "mild", False),
        EpisodeRec(2, _days(300), None, "moderate", False),
    ])
    for agent, dose, start in (("Sertraline", 100, 280), ("sertraline", 200, 230), ("Citalopram", 40, 150)):
        begin = _days(start)
        ctx.trials.add(pid, TrialRec(kind="antidepressant_monotherapy", agent=agent, dose=dose,
                                     start=begin, stop=begin + dt.timedelta(weeks=6), adherence="good",
                                     outcome="non_response", stop_reason="inefficacy", episode_number=2))
    ctx.measures.add(pid, "phq9", total=6, taken_on=_days(1000))  # earlier episode
    ctx.measures.add(pid, "phq9", total=22, taken_on=_days(290))
    ctx.measures.add(pid, "phq9", total=11, taken_on=_days(100))
    s = ctx.summary.for_patient(pid)
    assert s.trd.failed_agents == ("sertraline", "citalopram")
    assert s.trd.status == "trd"
    first, current_base, latest = s.measures
    assert first.change is None and first.baseline is not None
    assert current_base.change is None  # the 22 is the current episode's baseline, not a deterioration
    assert latest.change is not None and latest.change.baseline_total == 22 and latest.change.response
    assert _row(ctx, pid).failed_trials == 2  # three records, two distinct agents


def test_bipolar_primary_diagnosis_is_not_applicable_in_the_list(ctx: AppContext) -> None:
    pid = _patient(ctx, primary_diagnosis="Bipolar II disorder, current episode depressed",
                   primary_diagnosis_icd10="F31.8")
    for agent, start in (("sertraline", 300), ("venlafaxine", 150)):
        ctx.trials.add(pid, TrialRec(kind="antidepressant_monotherapy", agent=agent, dose=300,
                                     start=_days(start), stop=_days(start - 60), adherence="good",
                                     outcome="non_response"))
    assert _row(ctx, pid).trd_status == "not_applicable"
    assert ctx.summary.for_patient(pid).trd.explanation.startswith("Not applicable (bipolar depression)")


def test_psychotic_features_round_trip_yes_no_and_not_recorded(ctx: AppContext) -> None:
    pid = _patient(ctx, episodes=[EpisodeRec(1, _days(900), _days(600), "severe", None),
                                  EpisodeRec(2, _days(300), None, "severe", False)])
    profile = ctx.patients.get(pid)
    assert [e.psychotic_features for e in profile.episodes] == [None, False]
    profile.episodes[1].psychotic_features = None
    ctx.patients.update(profile)
    summary = ctx.summary.for_patient(pid)
    assert summary.profile.episodes[1].psychotic_features is None
    with ctx.db.reading() as s:  # the stored columns say "not recorded", not "absent"
        recorded = s.execute(text("SELECT psychosis_recorded FROM episode ORDER BY number")).scalars().all()
    assert [bool(r) for r in recorded] == [False, False]


def test_migration_0008_marks_old_false_as_not_recorded_and_keeps_trial_links(db_url: str) -> None:
    from trdplanner.core.db import Database, create_db_engine, current_revision, head_revision, upgrade
    from trdplanner.core.services.patients import PatientService
    from trdplanner.core.services.trials import TrialService

    engine = create_db_engine(db_url)
    try:
        upgrade(engine, "0004")
        now = dt.datetime(2025, 3, 1, 12, 0)
        with engine.begin() as conn:
            conn.execute(text(
                "INSERT INTO patient (id, code, full_name, preferred_name, pronouns, phone, email, address,"
                " emergency_contact_name, emergency_contact_relation, emergency_contact_phone, status,"
                " primary_diagnosis, primary_diagnosis_icd10, risk_level, risk_summary, search_text, created_at,"
                " updated_at) VALUES (1, 'OLD-1', 'Old Patient', '', '', '', '', '', '', '', '', 'active',"
                " 'Major depressive disorder', 'F33.2', 'low', '', 'old patient', :now, :now)"), {"now": now})
            for eid, number, psy in ((1, 1, True), (2, 2, False)):
                conn.execute(text(
                    "INSERT INTO episode (id, patient_id, number, onset, ended, severity, psychotic_features)"
                    " VALUES (:id, 1, :n, :onset, NULL, 'severe', :psy)"),
                    {"id": eid, "n": number, "onset": dt.date(2020 + number, 1, 1), "psy": psy})
            conn.execute(text(
                "INSERT INTO trial (id, patient_id, episode_id, kind, agent, drug_class, dose_unit, adherence,"
                " score_instrument, outcome, stop_reason, side_effects, prescriber, notes)"
                " VALUES (1, 1, 2, 'antidepressant_monotherapy', 'sertraline', 'SSRI', 'mg/day', 'good', '', '',"
                " '', '', '', '')"))
    finally:
        engine.dispose()
    db = Database.open(db_url)
    try:
        assert current_revision(db.engine) == head_revision()
        profile = PatientService(db).get(1)
        assert [e.psychotic_features for e in profile.episodes] == [True, None]  # old default false: unknown
        (trial,) = TrialService(db).list(1)
        assert trial.episode_number == 2 and trial.min_dose_reason == ""  # no table copy, no link lost
    finally:
        db.close()
