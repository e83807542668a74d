"""Round trips through the service layer, as the GUI and CLI use it.

Each test runs on SQLite and, when TRDPLANNER_TEST_PG_URL is set, on PostgreSQL too.
"""

from __future__ import annotations

import dataclasses
import datetime as dt

import pytest
from _core_helpers import full_profile, row_counts

from trdplanner.clinical import ScoreFlag
from trdplanner.context import AppContext
from trdplanner.core.demo import DEMO_SIGNING_PASSWORD as PW
from trdplanner.core.errors import InputError, LockedError, NotFoundError
from trdplanner.core.fingerprint import addendum_fingerprint, note_fingerprint
from trdplanner.core.records import (
    ClinicianRec,
    EpisodeRec,
    GoalRec,
    HomeworkRec,
    InstanceRec,
    InterventionRec,
    MedicationRec,
    NoteSectionRec,
    ObjectiveRec,
    PatientProfile,
    PlanRec,
    ProblemRec,
    TrialRec,
)
from trdplanner.core.serialize import to_data
from trdplanner.core.services.notes import verify
from trdplanner.core.vocab import PatientStatus

TODAY = dt.date.today()


def _create(ctx: AppContext, code: str, full_name: str, diagnosis: str = "", **kw: object) -> int:
    return ctx.patients.create(PatientProfile(code=code, full_name=full_name, primary_diagnosis=diagnosis, **kw))  # type: ignore[arg-type]


# --------------------------------------------------------------------------- patients


def test_profile_with_every_field_reads_back_equal(ctx: AppContext) -> None:
    profile = full_profile()
    pid = ctx.patients.create(profile)

    assert ctx.patients.get(pid) == dataclasses.replace(profile, id=pid)
    assert ctx.patients.id_for_code("P-0001") == pid


def test_profile_update_replaces_fields_and_child_lists(ctx: AppContext) -> None:
    pid = ctx.patients.create(full_profile())
    stored = ctx.patients.get(pid)

    changed = dataclasses.replace(
        stored,
        full_name="Maya Okafor",
        risk_level="high",
        date_of_birth=None,
        comorbidities=stored.comorbidities[1:],
        factors=[],
        medications=[stored.medications[1], MedicationRec("Lithium", "600 mg", "nightly", "good")],
        episodes=[
            stored.episodes[0],
            dataclasses.replace(stored.episodes[1], severity="moderate"),
            EpisodeRec(3, TODAY - dt.timedelta(days=30)),
        ],
    )
    returned = ctx.patients.update(changed)

    assert returned == changed
    assert ctx.patients.get(pid) == changed
    assert [m.name for m in ctx.patients.get(pid).medications] == ["Quetiapine", "Lithium"]


def test_profile_update_keeps_trials_linked_to_their_episode(ctx: AppContext) -> None:
    pid = ctx.patients.create(full_profile())
    ctx.trials.add(pid, TrialRec(kind="antidepressant_monotherapy", agent="Sertraline", episode_number=2))
    stored = ctx.patients.get(pid)

    ctx.patients.update(
        dataclasses.replace(
            stored, episodes=[stored.episodes[0], dataclasses.replace(stored.episodes[1], severity="moderate")]
        )
    )

    assert [t.episode_number for t in ctx.trials.list(pid)] == [2]


def test_profile_validation_names_the_field_and_writes_nothing(ctx: AppContext) -> None:
    ctx.patients.create(full_profile())
    before = row_counts(ctx.db)
    cases = [
        ("code", full_profile(code="has space")),
        ("code", full_profile(code="P-1\n")),  # a trailing newline would make the code unfindable
        ("code", full_profile(code="x" * 41)),
        ("full_name", full_profile(code="P-2", full_name="   ")),
        ("risk_level", full_profile(code="P-3", risk_level="extreme")),
        ("primary_diagnosis_icd10", full_profile(code="P-4", primary_diagnosis_icd10="depression")),
        ("primary_diagnosis_icd10", full_profile(code="P-7", primary_diagnosis_icd10="F33.2\n")),
        ("episodes", full_profile(code="P-5", episodes=[EpisodeRec(1), EpisodeRec(1)])),
        (
            "episodes[0].ended",
            full_profile(code="P-6", episodes=[EpisodeRec(1, dt.date(2024, 5, 1), dt.date(2024, 1, 1))]),
        ),
    ]
    for field, profile in cases:
        with pytest.raises(InputError) as err:
            ctx.patients.create(profile)
        assert err.value.field == field
    with pytest.raises(InputError) as err:
        ctx.patients.create(full_profile())  # same code again
    assert err.value.field == "code"
    assert row_counts(ctx.db) == before


def test_text_longer_than_its_column_is_refused_on_every_database(ctx: AppContext) -> None:
    pid = ctx.patients.create(full_profile(full_name="N" * 200))  # exactly the limit is fine
    assert ctx.patients.get(pid).full_name == "N" * 200
    before = row_counts(ctx.db)
    with pytest.raises(InputError) as err:
        ctx.patients.create(full_profile(code="P-2", full_name="N" * 201))
    assert err.value.field == "patient.full_name"
    with pytest.raises(InputError) as err:
        ctx.trials.add(pid, TrialRec(kind="switch", dose_unit="milligrams per day, taken" * 2))
    assert err.value.field == "trial.dose_unit"
    assert row_counts(ctx.db) == before


def test_update_to_a_code_in_use_is_refused(ctx: AppContext) -> None:
    _create(ctx, "A-1", "Ann Able")
    pid = _create(ctx, "B-1", "Ben Baker")
    with pytest.raises(InputError) as err:
        ctx.patients.update(dataclasses.replace(ctx.patients.get(pid), code="A-1"))
    assert err.value.field == "code"
    assert ctx.patients.get(pid).code == "B-1"


def test_missing_patient_is_not_found(ctx: AppContext) -> None:
    with pytest.raises(NotFoundError):
        ctx.patients.get(999)
    assert ctx.patients.id_for_code("NOPE") is None


def test_archived_patients_leave_the_default_list(ctx: AppContext) -> None:
    keep = _create(ctx, "A-1", "Ann Able")
    gone = _create(ctx, "B-1", "Ben Baker")

    ctx.patients.set_status(gone, PatientStatus.ARCHIVED)

    assert [s.id for s in ctx.patients.summaries()] == [keep]
    assert {s.id for s in ctx.patients.summaries(status=None)} == {keep, gone}
    assert [s.id for s in ctx.patients.summaries(status="archived")] == [gone]
    assert ctx.patients.get(gone).status == "archived"

    ctx.patients.set_status(gone, PatientStatus.ACTIVE)
    assert {s.id for s in ctx.patients.summaries()} == {keep, gone}


def test_search_as_you_type_over_name_code_and_diagnosis(ctx: AppContext) -> None:
    maya = _create(ctx, "MO-001", "Maya Okafor", "Major depressive disorder, recurrent", preferred_name="May")
    jonas = _create(ctx, "JW-77", "Jonas Weber", "Persistent depressive disorder (dysthymia)")
    priya = _create(ctx, "PR-3", "Priya Raman", "Major depressive disorder, single episode")

    def found(text: str) -> set[int]:
        return {s.id for s in ctx.patients.summaries(text)}

    assert found("") == {maya, jonas, priya}
    assert found("oka") == {maya}  # a prefix, as typed so far
    assert found("OKAFOR") == {maya}  # case-insensitive
    assert found("mo-0") == {maya}  # code
    assert found("jw-77") == {jonas}
    assert found("DYSTHYMIA") == {jonas}  # diagnosis
    assert found("major") == {maya, priya}
    assert found("major single") == {priya}  # every word must match somewhere
    assert found("  priya   EPISODE ") == {priya}
    assert found("maya dysthymia") == set()
    assert found("zzz") == set()
    assert ctx.patients.summaries("major", limit=1)[0].id in {maya, priya}


def test_search_matches_a_wildcard_character_literally_enough(ctx: AppContext) -> None:
    """Typing % or _ must not turn the search into 'everything'."""
    _create(ctx, "A-1", "Ann Able")
    assert ctx.patients.summaries("%") == []


def test_search_ignores_case_and_accents_on_every_database(ctx: AppContext) -> None:
    pid = _create(ctx, "TA-1", "Tomás Álvarez", "Dépression récurrente")
    other = _create(ctx, "ZZ-9", "Zoë Ångström")
    for typed in ("álvarez", "ALVAREZ", "TOMÁS", "tomas alv", "depression RECURRENTE"):
        assert [s.id for s in ctx.patients.summaries(typed)] == [pid], typed
    assert [s.id for s in ctx.patients.summaries("zoe angstrom")] == [other]


def test_renaming_a_patient_updates_what_search_finds(ctx: AppContext) -> None:
    pid = _create(ctx, "A-1", "Ann Able")
    ctx.patients.update(dataclasses.replace(ctx.patients.get(pid), full_name="Ann Zephyr", code="Z-1"))
    assert ctx.patients.summaries("able") == []
    assert [s.id for s in ctx.patients.summaries("zephyr z-1")] == [pid]


def test_summary_row_shows_last_session_and_unsigned_notes(ctx: AppContext) -> None:
    pid = _create(ctx, "A-1", "Ann Able")
    clinician = ctx.practice.add_clinician(ClinicianRec("Dr. Avery Lindqvist", "PhD"))
    first = ctx.sessions.create(pid, date=TODAY - dt.timedelta(days=14))
    second = ctx.sessions.create(pid, date=TODAY - dt.timedelta(days=7))
    for sess in (first, second):
        assert sess.id is not None
        ctx.notes.save_draft(sess.id, "soap", [NoteSectionRec("subjective", "Subjective", "ok")])

    (row,) = ctx.patients.summaries()
    assert row.last_session == TODAY - dt.timedelta(days=7)
    assert row.unsigned_notes == 2

    assert first.id is not None and clinician.id is not None
    ctx.signing.create_key(clinician.id, PW)
    ctx.notes.sign(first.id, clinician.id, password=PW)
    assert ctx.patients.summaries()[0].unsigned_notes == 1


# --------------------------------------------------------------------------- trials


def test_trial_round_trip_update_and_delete(ctx: AppContext) -> None:
    pid = ctx.patients.create(full_profile())
    trial = TrialRec(
        kind="switch",
        agent="Venlafaxine XR",
        drug_class="SNRI",
        episode_number=2,
        dose=225.0,
        dose_unit="mg/day",
        min_effective_dose=75.0,
        start=dt.date(2025, 1, 6),
        stop=dt.date(2025, 4, 1),
        weeks_at_adequate_dose=10.5,
        adherence="good",
        score_instrument="phq9",
        baseline_score=20,
        end_score=18,
        outcome="non_response",
        stop_reason="inefficacy",
        side_effects="Sweating",
        prescriber="Dr. Morgan Reyes",
        ect_bilateral=None,
        treatments_count=None,
        clinician_judged_adequate=None,
        notes="Titrated over 3 weeks.",
    )
    ect = TrialRec(
        kind="ect",
        agent="Bilateral ECT",
        episode_number=2,
        start=dt.date(2025, 5, 1),
        ect_bilateral=True,
        treatments_count=12,
        clinician_judged_adequate=True,
    )
    tid = ctx.trials.add(pid, trial)
    eid = ctx.trials.add(pid, ect)

    assert ctx.trials.list(pid) == [dataclasses.replace(trial, id=tid), dataclasses.replace(ect, id=eid)]

    updated = dataclasses.replace(trial, id=tid, outcome="partial_response", episode_number=1, end_score=12)
    ctx.trials.update(updated)
    assert ctx.trials.list(pid)[0] == updated

    ctx.trials.delete(eid)
    assert [t.id for t in ctx.trials.list(pid)] == [tid]


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"kind": "homeopathy"}, "trial.kind"),
        ({"adherence": "sometimes"}, "trial.adherence"),
        ({"outcome": "better"}, "trial.outcome"),
        ({"episode_number": 9}, "trial.episode_number"),
        ({"dose": -5.0}, "trial.dose"),
        ({"min_effective_dose": 0.0}, "trial.min_effective_dose"),
        ({"start": dt.date(2025, 2, 1), "stop": dt.date(2025, 1, 1)}, "trial.stop"),
    ],
)
def test_bad_trial_is_refused_naming_the_field(ctx: AppContext, change: dict[str, object], field: str) -> None:
    pid = ctx.patients.create(full_profile())
    before = row_counts(ctx.db)
    with pytest.raises(InputError) as err:
        ctx.trials.add(pid, dataclasses.replace(TrialRec(kind="antidepressant_monotherapy"), **change))  # type: ignore[arg-type]
    assert err.value.field == field
    assert row_counts(ctx.db) == before


def test_trial_for_unknown_patient_is_not_found(ctx: AppContext) -> None:
    with pytest.raises(NotFoundError):
        ctx.trials.add(404, TrialRec(kind="antidepressant_monotherapy"))


# --------------------------------------------------------------------------- measures


def test_measures_round_trip_and_total_is_computed(ctx: AppContext) -> None:
    pid = ctx.patients.create(full_profile())
    phq = ctx.measures.add(pid, "phq9", items=[1, 2, 3, 0, 1, 2, 3, 0, 0], taken_on=TODAY - dt.timedelta(days=3))
    qids = ctx.measures.add(pid, "qids_sr16", items=[3, 1, 0, 2] + [1] * 12, taken_on=TODAY - dt.timedelta(days=2))
    madrs = ctx.measures.add(pid, "madrs", total=28, taken_on=TODAY - dt.timedelta(days=1))
    total_only = ctx.measures.add(pid, "phq9", total=14)

    assert phq.total == 12
    # QIDS sums nine domains: sleep is the worst of items 1-4 (3); appetite (worst of 6-9),
    # psychomotor (worst of 15-16) and the six single-item domains are 1 each.
    assert qids.total == 3 + 8 * 1
    assert madrs.items is None and madrs.total == 28
    assert total_only.taken_on == TODAY and total_only.items is None

    listed = ctx.measures.list(pid)
    assert [(m.instrument, m.total, m.items) for m in listed] == [
        ("phq9", 12, [1, 2, 3, 0, 1, 2, 3, 0, 0]),
        ("qids_sr16", 11, [3, 1, 0, 2] + [1] * 12),
        ("madrs", 28, None),
        ("phq9", 14, None),
    ]
    assert [m.id for m in listed] == [phq.id, qids.id, madrs.id, total_only.id]


def test_measure_tied_to_a_session_reports_its_number(ctx: AppContext) -> None:
    pid = ctx.patients.create(full_profile())
    ctx.sessions.create(pid, date=TODAY - dt.timedelta(days=7))
    second = ctx.sessions.create(pid, date=TODAY)
    ctx.measures.add(pid, "gad7", items=[1] * 7, session_id=second.id)
    assert ctx.measures.list(pid)[0].session_number == 2

    other = ctx.patients.create(full_profile(code="P-2"))
    with pytest.raises(InputError) as err:
        ctx.measures.add(other, "gad7", items=[1] * 7, session_id=second.id)
    assert err.value.field == "session"


@pytest.mark.parametrize(
    ("instrument", "kwargs", "field"),
    [
        ("phq9", {"items": [1] * 8}, "measure.items"),
        ("phq9", {"items": [1] * 8 + [4]}, "measure.items[8]"),
        ("phq9", {"total": 28}, "measure.total"),
        ("hamd17", {"items": [0, 0, 0, 3] + [0] * 13}, "measure.items[3]"),  # insomnia items are 0-2
        ("madrs", {"items": [1] * 10}, "measure.items"),  # licence: totals only
        ("bdi2", {"items": [1] * 21}, "measure.items"),
        ("nope", {"total": 3}, "measure.instrument"),
        ("phq9", {"items": [1] * 9, "total": 9}, "measure"),
        ("phq9", {}, "measure"),
        ("phq9", {"items": [1] * 9, "taken_on": TODAY + dt.timedelta(days=5)}, "measure.taken_on"),
    ],
)
def test_bad_measure_is_refused_naming_the_field(
    ctx: AppContext, instrument: str, kwargs: dict[str, object], field: str
) -> None:
    pid = ctx.patients.create(full_profile())
    before = row_counts(ctx.db)
    with pytest.raises(InputError) as err:
        ctx.measures.add(pid, instrument, **kwargs)  # type: ignore[arg-type]
    assert err.value.field == field
    assert row_counts(ctx.db) == before


def test_item_9_alert_is_flagged_and_acknowledgement_keeps_the_flag(ctx: AppContext) -> None:
    pid = ctx.patients.create(full_profile())
    ctx.measures.add(pid, "phq9", items=[2, 2, 2, 2, 2, 2, 2, 2, 0], taken_on=TODAY - dt.timedelta(days=7))
    flagged = ctx.measures.add(pid, "phq9", items=[0, 0, 0, 0, 0, 0, 0, 0, 1])  # total 1, still an alert
    assert flagged.id is not None

    summary = ctx.summary.for_patient(pid)
    latest = summary.measures[-1]
    assert latest.score.total == 1
    assert ScoreFlag.PHQ9_ITEM9_POSITIVE in latest.score.flags
    assert latest.needs_alert and latest.alert_open
    assert [m.record.id for m in summary.open_alerts] == [flagged.id]
    assert summary.risk_flag
    assert not summary.measures[0].needs_alert

    before = dt.datetime.now(dt.UTC).replace(microsecond=0)
    acked = ctx.measures.acknowledge_alert(flagged.id, "Dr. Avery Lindqvist")
    after = dt.datetime.now(dt.UTC)
    assert acked.alert_acknowledged_by == "Dr. Avery Lindqvist"
    assert acked.alert_acknowledged_at is not None
    assert before <= acked.alert_acknowledged_at <= after

    summary = ctx.summary.for_patient(pid)
    latest = summary.measures[-1]
    assert latest.record.alert_acknowledged_by == "Dr. Avery Lindqvist"
    assert latest.record.alert_acknowledged_at == acked.alert_acknowledged_at
    assert ScoreFlag.PHQ9_ITEM9_POSITIVE in latest.score.flags  # the flag never goes away
    assert latest.needs_alert and not latest.alert_open
    assert summary.open_alerts == []
    assert summary.risk_flag

    # A second reviewer does not overwrite who reviewed it first, or when.
    again = ctx.measures.acknowledge_alert(flagged.id, "Someone Else")
    assert (again.alert_acknowledged_by, again.alert_acknowledged_at) == (
        "Dr. Avery Lindqvist",
        acked.alert_acknowledged_at,
    )


def test_acknowledging_needs_a_name_and_a_real_measure(ctx: AppContext) -> None:
    pid = ctx.patients.create(full_profile())
    m = ctx.measures.add(pid, "phq9", items=[0] * 8 + [2])
    assert m.id is not None
    with pytest.raises(InputError) as err:
        ctx.measures.acknowledge_alert(m.id, "  ")
    assert err.value.field == "clinician"
    assert ctx.measures.list(pid)[0].alert_acknowledged_at is None
    with pytest.raises(NotFoundError):
        ctx.measures.acknowledge_alert(9999, "Dr. X")


# --------------------------------------------------------------------------- plans


def _plan() -> PlanRec:
    return PlanRec(
        created_on=TODAY - dt.timedelta(days=30),
        review_date=TODAY + dt.timedelta(days=60),
        client_participation="Written together.",
        problems=[
            ProblemRec(
                statement="Persistent low mood with withdrawal.",
                evidence="PHQ-9 19 at intake",
                goals=[
                    GoalRec(
                        "Return to valued roles.",
                        objectives=[
                            ObjectiveRec(
                                "PHQ-9 below 10 within 12 weeks",
                                "phq9",
                                "<",
                                10.0,
                                TODAY + dt.timedelta(days=84),
                                TODAY + dt.timedelta(days=28),
                            ),
                            ObjectiveRec("Three pleasant activities a week", status="partially_met"),
                        ],
                    )
                ],
                interventions=[InterventionRec("Weekly CBT", "cbt", "weekly", "Dr. A")],
            ),
            ProblemRec(statement="Sleep disruption."),
        ],
    )


def test_plan_round_trip_and_revision(ctx: AppContext) -> None:
    pid = ctx.patients.create(full_profile())
    plan = _plan()
    plan_id = ctx.plans.save(pid, plan)

    (stored,) = ctx.plans.list(pid)
    assert stored.id == plan_id
    assert to_data(stored, with_ids=False) == to_data(plan, with_ids=False)

    revised = dataclasses.replace(
        stored,
        revised_on=TODAY,
        problems=[
            dataclasses.replace(stored.problems[1], goals=[GoalRec("Sleep 7 hours", status="met")]),
        ],
    )
    assert ctx.plans.save(pid, revised) == plan_id
    (again,) = ctx.plans.list(pid)
    assert to_data(again, with_ids=False) == to_data(revised, with_ids=False)
    assert ctx.plans.current(pid) == again

    ctx.plans.save(pid, dataclasses.replace(_plan(), created_on=TODAY, status="closed"))
    assert ctx.plans.current(pid) == again  # a closed plan is never the current one


def test_plan_objective_target_needs_instrument_and_value(ctx: AppContext) -> None:
    pid = ctx.patients.create(full_profile())
    bad = _plan()
    bad.problems[0].goals[0].objectives[0].target_value = None
    with pytest.raises(InputError) as err:
        ctx.plans.save(pid, bad)
    assert err.value.field == "plan.problems[0].goals[0].objectives[0].target_value"
    assert ctx.plans.list(pid) == []


# --------------------------------------------------------------------------- sessions and notes


def test_sessions_are_numbered_and_carry_instances_and_homework(ctx: AppContext) -> None:
    pid = ctx.patients.create(full_profile())
    first = ctx.sessions.create(
        pid,
        date=TODAY - dt.timedelta(days=7),
        modality="cbt",
        agenda=["Mood check", "Homework review"],
        duration_minutes=60,
    )
    second = ctx.sessions.create(pid, date=TODAY, modality="dbt", format="group")
    assert (first.number, second.number) == (1, 2)
    assert first.id is not None

    snapshot = {"id": "cbt-thought-record-7", "version": 3, "fields": [{"id": "situation", "type": "text"}]}
    inst = InstanceRec("cbt-thought-record-7", 3, snapshot, {"situation": "Meeting — «boss» said 'no'"})
    ctx.sessions.add_instance(first.id, inst)
    ctx.sessions.add_homework(
        first.id, HomeworkRec("Thought record daily", "cbt-thought-record-7", "Two entries a day")
    )

    got = ctx.sessions.get(first.id)
    assert got.agenda == ["Mood check", "Homework review"]
    assert (got.modality, got.duration_minutes, got.format) == ("cbt", 60, "individual")
    assert [(i.template_id, i.template_version, i.template_snapshot, i.values) for i in got.instances] == [
        ("cbt-thought-record-7", 3, snapshot, {"situation": "Meeting — «boss» said 'no'"})
    ]
    assert [(h.title, h.status) for h in got.homework] == [("Thought record daily", "assigned")]
    assert [s.number for s in ctx.sessions.list(pid)] == [1, 2]
    assert ctx.sessions.patient_of(first.id) == pid

    with pytest.raises(InputError) as err:
        ctx.sessions.create(pid, date=TODAY, modality="psychoanalysis")
    assert err.value.field == "session.modality"
    with pytest.raises(NotFoundError):
        ctx.sessions.get(9999)


@pytest.fixture
def session_and_clinician(ctx: AppContext) -> tuple[int, int]:
    pid = ctx.patients.create(full_profile())
    clinician = ctx.practice.add_clinician(ClinicianRec("Dr. Avery Lindqvist", "PhD", "LIC-1"))
    sess = ctx.sessions.create(pid, date=TODAY)
    assert sess.id is not None and clinician.id is not None
    ctx.signing.create_key(clinician.id, PW)
    return sess.id, clinician.id


SECTIONS = [
    NoteSectionRec("subjective", "Subjective", "Reports low mood; sleep 5 h."),
    NoteSectionRec("objective", "Objective", "PHQ-9 17. Affect constricted."),
    NoteSectionRec("assessment", "Assessment", "No intent or plan."),
    NoteSectionRec("plan", "Plan", "Continue weekly CBT."),
]


def test_signing_locks_the_note_with_a_verifiable_fingerprint(
    ctx: AppContext, session_and_clinician: tuple[int, int]
) -> None:
    session_id, clinician_id = session_and_clinician
    draft = ctx.notes.save_draft(session_id, "soap", SECTIONS[:2])
    assert draft.status == "draft" and draft.fingerprint == ""
    ctx.notes.save_draft(session_id, "soap", SECTIONS)  # drafts can be edited freely

    at = dt.datetime(2026, 1, 31, 17, 30, 12, 999, tzinfo=dt.timezone(dt.timedelta(hours=2)))
    signed = ctx.notes.sign(session_id, clinician_id, at=at, password=PW)

    assert signed.status == "signed"
    assert signed.signer_name == "Dr. Avery Lindqvist, PhD"
    assert signed.signed_at == at.replace(microsecond=0)
    assert signed.fingerprint == note_fingerprint(
        "soap", [(s.id, s.title, s.text) for s in SECTIONS], "Dr. Avery Lindqvist, PhD", at.replace(microsecond=0)
    )
    stored = ctx.notes.for_session(session_id)
    assert stored is not None
    assert stored.sections == SECTIONS
    assert stored.fingerprint == signed.fingerprint
    assert verify(stored)

    with pytest.raises(LockedError):
        ctx.notes.save_draft(session_id, "soap", [NoteSectionRec("subjective", "Subjective", "rewritten")])
    with pytest.raises(LockedError):
        ctx.notes.sign(session_id, clinician_id, password=PW)
    assert ctx.notes.for_session(session_id) == stored

    # Any change to what was signed breaks verification.
    altered_text = [dataclasses.replace(SECTIONS[0], text="Reports good mood."), *SECTIONS[1:]]
    assert not verify(dataclasses.replace(stored, sections=altered_text))
    assert not verify(dataclasses.replace(stored, sections=SECTIONS[::-1]))
    assert not verify(dataclasses.replace(stored, signer_name="Someone Else"))
    assert not verify(dataclasses.replace(stored, signed_at=stored.signed_at + dt.timedelta(seconds=1)))  # type: ignore[operator]
    assert not verify(dataclasses.replace(stored, format="dap"))


def test_addenda_only_on_signed_notes_and_chained_to_them(
    ctx: AppContext, session_and_clinician: tuple[int, int]
) -> None:
    session_id, clinician_id = session_and_clinician
    with pytest.raises(InputError):
        ctx.notes.add_addendum(session_id, clinician_id, "No note yet", password=PW)
    ctx.notes.save_draft(session_id, "birp", SECTIONS[:1])
    with pytest.raises(InputError) as err:
        ctx.notes.add_addendum(session_id, clinician_id, "Too early", password=PW)
    assert err.value.field == "note"

    signed = ctx.notes.sign(session_id, clinician_id, at=dt.datetime(2026, 2, 1, 9, 0, tzinfo=dt.UTC), password=PW)
    at = dt.datetime(2026, 2, 2, 10, 0, tzinfo=dt.UTC)
    note = ctx.notes.add_addendum(
        session_id,
        clinician_id,
        "Mother called; confirms safety plan.",
        kind="late_entry",
        refers_to_date=dt.date(2026, 2, 1),
        at=at,
        password=PW,
    )

    (add,) = note.addenda
    assert (add.kind, add.text, add.refers_to_date, add.signed_at) == (
        "late_entry",
        "Mother called; confirms safety plan.",
        dt.date(2026, 2, 1),
        at,
    )
    assert add.fingerprint == addendum_fingerprint(
        signed.fingerprint, "late_entry", add.text, "Dr. Avery Lindqvist, PhD", at
    )
    stored = ctx.notes.for_session(session_id)
    assert stored is not None
    assert stored.sections == signed.sections  # the original is never overwritten
    assert verify(stored)
    assert not verify(dataclasses.replace(stored, addenda=[dataclasses.replace(add, text="edited")]))

    with pytest.raises(InputError) as err:
        ctx.notes.add_addendum(session_id, clinician_id, "   ", password=PW)
    assert err.value.field == "addendum.text"
    with pytest.raises(InputError) as err:
        ctx.notes.add_addendum(session_id, clinician_id, "x", kind="rewrite", password=PW)
    assert err.value.field == "addendum.kind"
    assert len(ctx.notes.for_session(session_id).addenda) == 1  # type: ignore[union-attr]


def test_note_edge_cases(ctx: AppContext, session_and_clinician: tuple[int, int]) -> None:
    session_id, clinician_id = session_and_clinician
    with pytest.raises(InputError) as err:
        ctx.notes.sign(session_id, clinician_id, password=PW)
    assert err.value.field == "note"
    with pytest.raises(InputError) as err:
        ctx.notes.save_draft(session_id, "essay", SECTIONS)
    assert err.value.field == "note.format"
    with pytest.raises(NotFoundError):
        ctx.notes.save_draft(9999, "soap", SECTIONS)
    ctx.notes.save_draft(session_id, "soap", SECTIONS)
    with pytest.raises(NotFoundError):
        ctx.notes.sign(session_id, 9999, password=PW)
    assert ctx.notes.for_session(session_id).status == "draft"  # type: ignore[union-attr]


def test_practice_and_clinicians(ctx: AppContext) -> None:
    from trdplanner.core.records import PracticeRec

    assert ctx.practice.practice() is None
    saved = ctx.practice.save_practice(PracticeRec("Harbour Light", "1 Quay St", "555"))
    assert ctx.practice.practice() == saved
    ctx.practice.save_practice(dataclasses.replace(saved, phone="556"))
    assert ctx.practice.practice().phone == "556"  # type: ignore[union-attr]
    a = ctx.practice.add_clinician(ClinicianRec("Dr. A", "PhD", "L1", "a@example.org"))
    ctx.practice.add_clinician(ClinicianRec("Dr. B"))
    assert ctx.practice.default_clinician() == a
    assert ctx.practice.clinician(a.id) == a  # type: ignore[arg-type]
    assert [c.name for c in ctx.practice.clinicians()] == ["Dr. A", "Dr. B"]
    with pytest.raises(InputError):
        ctx.practice.add_clinician(ClinicianRec(" "))
