"""Trial adequacy and TRD status (clinical reference §3)."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import pytest
from _clinical_helpers import ad_trial, augmentation, ect_course

from trdplanner.clinical import (
    Adherence,
    Outcome,
    SettingsError,
    StopReason,
    TrdSettings,
    TrdStatusKind,
    TrialFacts,
    TrialInputError,
    TrialKind,
    assess_trial,
    normalize_drug_class,
    outcome_from_scores,
    setting_notes,
    trd_status,
    unverified_settings,
)

START = date(2024, 1, 1)

# ---------------------------------------------------------------- adequacy: duration


@pytest.mark.parametrize(("weeks", "adequate"), [(3.9, False), (4, True), (4.0, True), (12, True)])
def test_adequate_duration_default_4_weeks(weeks: float, adequate: bool) -> None:
    """Adequate: at least the minimum effective dose for >=4 weeks (default of 4-6)."""
    a = assess_trial(ad_trial(weeks_at_adequate_dose=weeks))
    assert a.adequate is adequate
    assert a.counts_toward_trd is adequate


@pytest.mark.parametrize(("weeks", "adequate"), [(4, False), (5.9, False), (6, True)])
def test_adequate_duration_with_min_weeks_6(weeks: float, adequate: bool) -> None:
    a = assess_trial(ad_trial(weeks_at_adequate_dose=weeks), TrdSettings(min_weeks=6))
    assert a.adequate is adequate


def test_short_trial_reason_names_the_minimum() -> None:
    a = assess_trial(ad_trial(weeks_at_adequate_dose=3.9))
    assert a.reason == (
        "Not adequate: 3.9 weeks at adequate dose is less than the minimum 4 weeks "
        "(stopping early is not counted as a failure)"
    )


@pytest.mark.parametrize(
    ("days", "adequate", "text"), [(27, False, "3 weeks 6 days"), (28, True, "4 weeks")]
)
def test_duration_derived_from_dates_at_the_4_week_boundary(
    days: int, adequate: bool, text: str
) -> None:
    trial = ad_trial(weeks_at_adequate_dose=None, start=START, stop=START + timedelta(days=days))
    a = assess_trial(trial)
    assert a.adequate is adequate
    assert text in a.reason
    assert a.weeks_at_adequate_dose == pytest.approx(days / 7)


def test_recorded_weeks_take_precedence_over_dates() -> None:
    trial = ad_trial(weeks_at_adequate_dose=2, start=START, stop=START + timedelta(days=70))
    assert not assess_trial(trial).adequate


def test_running_trial_uses_as_of_for_duration() -> None:
    trial = ad_trial(
        weeks_at_adequate_dose=None, start=START, stop=None, stop_reason=StopReason.ONGOING
    )
    assert assess_trial(trial).missing == ("duration",)
    a = assess_trial(trial, as_of=START + timedelta(days=14))
    assert a.reason == "Not yet adequate: ongoing, 2 weeks at adequate dose so far (needs 4 weeks)"
    a = assess_trial(trial, as_of=START + timedelta(days=70))
    assert a.adequate
    assert not a.failed  # ongoing trials are not failures until they end
    assert "ongoing — not counted as a failure until it ends" in a.reason


def test_duration_unknown_is_missing_data() -> None:
    a = assess_trial(ad_trial(weeks_at_adequate_dose=None))
    assert not a.adequate
    assert a.missing == ("duration",)
    assert a.reason.startswith("Not adequate: time at adequate dose unknown")


@pytest.mark.parametrize("weeks", [4, 4.0, 5, 5.5, 6.0])
def test_min_weeks_accepts_the_published_4_to_6_range(weeks: float) -> None:
    assert TrdSettings(min_weeks=weeks).min_weeks == weeks


@pytest.mark.parametrize("weeks", [3, 3.9, 3.99, 6.01, 8, True, "4"])
def test_min_weeks_outside_4_to_6_is_rejected(weeks: Any) -> None:
    with pytest.raises(SettingsError) as err:
        TrdSettings(min_weeks=weeks)
    assert err.value.field == "min_weeks"
    assert err.value.message == f"must be 4 to 6 weeks, got {weeks!r}"


# ---------------------------------------------------------------- adequacy: dose


def test_dose_at_exactly_the_minimum_is_adequate() -> None:
    assert assess_trial(ad_trial(dose=50, min_effective_dose=50)).adequate


def test_dose_below_minimum_is_not_adequate() -> None:
    a = assess_trial(ad_trial(dose=25, min_effective_dose=50))
    assert not a.adequate
    assert a.reason == "Not adequate: 25 mg is below the minimum effective 50 mg"
    assert a.missing == ()


def test_dose_unknown() -> None:
    a = assess_trial(ad_trial(dose=None))
    assert a.reason == "Not adequate: dose unknown"
    assert a.missing == ("dose",)


def test_minimum_effective_dose_unknown() -> None:
    a = assess_trial(ad_trial(min_effective_dose=None))
    assert a.reason == "Not adequate: minimum effective dose not recorded"
    assert a.missing == ("minimum effective dose",)


def test_adequate_failed_trial_reason_text() -> None:
    a = assess_trial(ad_trial())
    assert (a.adequate, a.failed, a.counts_toward_trd) == (True, True, True)
    assert a.reason == (
        "Adequate: 150 mg ≥ minimum effective 50 mg for 8 weeks; "
        "non-response — counts as a failed adequate trial"
    )


def test_dose_unit_is_used_in_the_reason() -> None:
    a = assess_trial(ad_trial(dose=0.6, min_effective_dose=0.4, dose_unit="mmol/L"))
    assert a.reason.startswith("Adequate: 0.6 mmol/L ≥ minimum effective 0.4 mmol/L")


# ---------------------------------------------------------------- stopping and adherence


def test_intolerance_stop_before_week_4_is_not_a_failure() -> None:
    """EU-PEARL: stopping before week 4 without clear non-response is not a failure."""
    trial = ad_trial(
        weeks_at_adequate_dose=None,
        start=START,
        stop=START + timedelta(days=14),
        stop_reason=StopReason.INTOLERANCE,
        outcome=Outcome.NON_RESPONSE,
    )
    a = assess_trial(trial)
    assert (a.adequate, a.failed, a.counts_toward_trd) == (False, False, False)
    assert a.reason == (
        "Not adequate: stopped for intolerance after 2 weeks "
        "(stopping before week 4 is not counted as a failure)"
    )


def test_intolerance_stop_message_follows_min_weeks() -> None:
    trial = ad_trial(weeks_at_adequate_dose=5, stop_reason=StopReason.INTOLERANCE)
    a = assess_trial(trial, TrdSettings(min_weeks=6))
    assert a.reason == (
        "Not adequate: stopped for intolerance after 5 weeks "
        "(stopping before week 6 is not counted as a failure)"
    )


def test_intolerance_stop_after_six_weeks_is_discounted_athf() -> None:
    """ATHF convention: a trial stopped for intolerance is discounted, even after 6 weeks."""
    a = assess_trial(ad_trial(weeks_at_adequate_dose=6, stop_reason=StopReason.INTOLERANCE))
    assert a.adequate and not a.failed and not a.counts_toward_trd
    assert "stopped for intolerance — discounted" in a.reason
    assert "ATHF" in a.reason


def test_intolerance_stop_counts_when_the_setting_says_so() -> None:
    settings = TrdSettings(intolerance_stop_counts_as_failure=True)
    a = assess_trial(ad_trial(weeks_at_adequate_dose=6, stop_reason=StopReason.INTOLERANCE), settings)
    assert a.counts_toward_trd
    assert "stopped for intolerance after an adequate trial" in a.reason


def test_non_adherence_stop_is_discounted() -> None:
    """ATHF: trials stopped for non-adherence are discounted."""
    a = assess_trial(ad_trial(stop_reason=StopReason.NON_ADHERENCE))
    assert not a.adequate
    assert a.reason == "Not adequate: stopped because of non-adherence"


def test_poor_adherence_is_not_adequate() -> None:
    a = assess_trial(ad_trial(adherence=Adherence.POOR))
    assert not a.adequate
    assert a.reason == "Not adequate: poor adherence"


def test_partial_adherence_is_a_setting_defaulting_to_not_adequate() -> None:
    trial = ad_trial(adherence=Adherence.PARTIAL)
    assert not assess_trial(trial).adequate
    assert assess_trial(trial, TrdSettings(partial_adherence_is_adequate=True)).counts_toward_trd


def test_unknown_adherence_is_accepted_but_said() -> None:
    a = assess_trial(ad_trial(adherence=Adherence.UNKNOWN))
    assert a.counts_toward_trd
    assert "(adherence not recorded)" in a.reason


# ---------------------------------------------------------------- outcome


@pytest.mark.parametrize(
    ("baseline", "end", "outcome"),
    [
        (20, 10, Outcome.RESPONSE),  # exactly 50%
        (20, 11, Outcome.PARTIAL_RESPONSE),  # 45%
        (20, 15, Outcome.PARTIAL_RESPONSE),  # exactly 25% (EU-PEARL 25-49%)
        (20, 16, Outcome.NON_RESPONSE),  # 20% (<25%)
        (20, 24, Outcome.NON_RESPONSE),  # worse
        (0, 0, Outcome.NOT_ASSESSABLE),
    ],
)
def test_outcome_from_scores(baseline: int, end: int, outcome: Outcome) -> None:
    assert outcome_from_scores(baseline, end) is outcome
    a = assess_trial(ad_trial(outcome=None, baseline_score=baseline, end_score=end))
    assert a.outcome is outcome


def test_derived_outcome_shows_the_scores() -> None:
    a = assess_trial(ad_trial(outcome=None, baseline_score=20, end_score=16))
    assert a.failed
    assert "(scores 20 → 16, 20% improvement)" in a.reason


def test_derived_percentage_is_floored_so_it_never_shows_an_unmet_threshold() -> None:
    """15/61 is 24.6%: non-response (<25%), and shown as 24%, not a rounded 25%."""
    a = assess_trial(ad_trial(outcome=None, baseline_score=61, end_score=46))
    assert a.outcome is Outcome.NON_RESPONSE
    assert "24% improvement" in a.reason


def test_derived_worsening_is_described_as_worse() -> None:
    a = assess_trial(ad_trial(outcome=None, baseline_score=10, end_score=12))
    assert "(scores 10 → 12, 20% worse)" in a.reason


def test_partial_response_is_not_failure_by_default_eu_pearl() -> None:
    trial = ad_trial(outcome=None, baseline_score=20, end_score=12)
    a = assess_trial(trial)
    assert a.adequate and not a.failed
    assert (
        "partial response (25–49% improvement: 'partially responsive depression', EU-PEARL, "
        "Sforzini et al. 2022) — not counted as a failure"
    ) in a.reason


def test_partial_response_counts_as_failure_under_2021_consensus_setting() -> None:
    trial = ad_trial(outcome=Outcome.PARTIAL_RESPONSE)
    a = assess_trial(trial, TrdSettings(partial_response_counts_as_failure=True))
    assert a.failed and a.counts_toward_trd


def test_response_is_not_a_failure() -> None:
    a = assess_trial(ad_trial(outcome=Outcome.RESPONSE))
    assert a.adequate and not a.failed
    assert a.reason.endswith("response — not a failure")


def test_recorded_outcome_that_contradicts_the_scores_is_a_conflict() -> None:
    """The audit's case: "non-response" recorded over a 60% score drop is shown, not obeyed."""
    trial = ad_trial(outcome=Outcome.NON_RESPONSE, baseline_score=20, end_score=8)
    a = assess_trial(trial)
    assert not a.failed and not a.counts_toward_trd
    assert a.conflict is not None
    assert "recorded outcome 'non-response'" in a.reason
    assert "scores 20 → 8, 60% improvement" in a.reason
    assert a.missing  # asks for the record to be corrected


def test_recorded_outcome_that_agrees_with_scores_is_used() -> None:
    trial = ad_trial(outcome=Outcome.NON_RESPONSE, baseline_score=20, end_score=18)
    a = assess_trial(trial)
    assert a.failed and a.conflict is None


def test_no_outcome_and_no_scores_is_missing_not_failure() -> None:
    a = assess_trial(ad_trial(outcome=None))
    assert a.adequate and not a.failed
    assert a.outcome is Outcome.NOT_ASSESSABLE
    assert a.missing == ("outcome",)


def test_explicit_not_assessable_is_not_missing_data() -> None:
    a = assess_trial(ad_trial(outcome=Outcome.NOT_ASSESSABLE))
    assert not a.failed
    assert a.missing == ()


# ---------------------------------------------------------------- trial kinds and episodes


def test_previous_episode_trial_is_not_counted() -> None:
    a = assess_trial(ad_trial(in_current_episode=False))
    assert a.adequate and a.failed
    assert not a.counts_toward_trd
    assert a.reason.startswith("Not counted: previous episode")
    assert "counts as a failed adequate trial" not in a.reason


@pytest.mark.parametrize("kind", [TrialKind.SWITCH, TrialKind.COMBINATION])
def test_switch_and_combination_count_like_monotherapy(kind: TrialKind) -> None:
    assert assess_trial(ad_trial(kind=kind)).counts_toward_trd


def test_failed_augmentation_is_tracked_but_does_not_count_toward_trd() -> None:
    a = assess_trial(augmentation())
    assert a.adequate and a.failed
    assert not a.counts_toward_trd
    assert "Maudsley" in a.reason


@pytest.mark.parametrize(
    "kind",
    [
        TrialKind.ESKETAMINE,
        TrialKind.IV_KETAMINE,
        TrialKind.ECT,
        TrialKind.RTMS_ITBS,
        TrialKind.VNS,
        TrialKind.PSYCHOTHERAPY,
    ],
)
def test_non_drug_trials_use_clinician_judgement_and_never_count(kind: TrialKind) -> None:
    undecided = TrialFacts(id="x", kind=kind, outcome=Outcome.NON_RESPONSE)
    a = assess_trial(undecided)
    assert not a.adequate
    assert a.missing == ("clinician judgement of adequacy",)
    assert a.reason.startswith("Not assessed:")

    judged = TrialFacts(
        id="y", kind=kind, clinician_judged_adequate=True, outcome=Outcome.NON_RESPONSE
    )
    a = assess_trial(judged)
    assert a.adequate and a.failed and not a.counts_toward_trd
    assert "not part of the two-antidepressant rule" in a.reason

    inadequate = TrialFacts(id="z", kind=kind, clinician_judged_adequate=False)
    a = assess_trial(inadequate)
    assert not a.adequate and a.reason.startswith("Not adequate:")


def test_ect_reason_names_laterality() -> None:
    assert "bilateral ECT course" in assess_trial(ect_course(True)).reason
    assert "unilateral ECT course" in assess_trial(ect_course(False)).reason


# ---------------------------------------------------------------- trial records


@pytest.mark.parametrize(
    ("raw", "normalized"),
    [
        ("ssri", "SSRI"),
        (" Snri ", "SNRI"),
        ("nassa", "NaSSA"),
        ("NASSA", "NaSSA"),
        ("maoi", "MAOI"),
        ("Tricyclic", "TCA"),
        ("ATYPICAL  antipsychotic", "atypical antipsychotic"),
        ("Thyroid Hormone", "thyroid hormone"),
        ("Multimodal", "multimodal"),
        ("melatonergic", "melatonergic"),
        ("   ", None),
        (None, None),
    ],
)
def test_drug_class_normalization(raw: str | None, normalized: str | None) -> None:
    assert normalize_drug_class(raw) == normalized
    assert ad_trial(drug_class=raw).drug_class == normalized


def test_storage_strings_are_coerced_to_enums() -> None:
    trial = ad_trial(kind="switch", adherence="good", outcome="non_response", stop_reason="other")
    assert trial.kind is TrialKind.SWITCH
    assert trial.adherence is Adherence.GOOD
    assert trial.outcome is Outcome.NON_RESPONSE
    assert trial.stop_reason is StopReason.OTHER


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"kind": "pill"}, "kind"),
        ({"outcome": "great"}, "outcome"),
        ({"adherence": "sometimes"}, "adherence"),
        ({"stop_reason": "bored"}, "stop_reason"),
        ({"dose": -1}, "dose"),
        ({"dose": float("nan")}, "dose"),
        ({"min_effective_dose": 0}, "min_effective_dose"),
        ({"weeks_at_adequate_dose": -2}, "weeks_at_adequate_dose"),
        ({"baseline_score": -1}, "baseline_score"),
        ({"end_score": -3}, "end_score"),
        ({"start": date(2024, 2, 1), "stop": date(2024, 1, 1)}, "stop"),
    ],
)
def test_trial_record_validation(overrides: dict[str, Any], field: str) -> None:
    with pytest.raises(TrialInputError) as err:
        ad_trial(**overrides)
    assert err.value.field == field


def test_settings_provenance_is_exposed() -> None:
    notes = {n.name: n for n in setting_notes(TrdSettings())}
    assert set(notes) == {
        "min_weeks",
        "partial_response_counts_as_failure",
        "intolerance_stop_counts_as_failure",
        "partial_adherence_is_adequate",
    }
    assert [n.name for n in unverified_settings(TrdSettings())] == ["partial_adherence_is_adequate"]


# ---------------------------------------------------------------- TRD status


def test_trd_at_exactly_two_adequate_failed_trials() -> None:
    """TRD: >=2 adequate failed antidepressant trials in the current episode."""
    status = trd_status([ad_trial(drug_class="SSRI"), ad_trial(drug_class="SNRI")])
    assert status.status is TrdStatusKind.TRD
    assert status.adequate_failed_trials == 2
    assert status.explanation.startswith("TRD: 2 distinct antidepressants with an adequate failed trial")
    assert "unipolar" in status.explanation


def test_one_failed_trial_is_not_trd() -> None:
    status = trd_status([ad_trial()])
    assert status.status is TrdStatusKind.NOT_TRD
    assert status.explanation == (
        f"Not TRD: 1 distinct antidepressant with an adequate failed trial ({status.failed_agents[0]}) "
        "in the current episode; TRD needs 2 or more different antidepressants."
    )


def test_no_trials_is_not_trd() -> None:
    status = trd_status([])
    assert status.status is TrdStatusKind.NOT_TRD
    assert status.adequate_failed_trials == 0


def test_previous_episode_failures_do_not_make_trd() -> None:
    status = trd_status([ad_trial(), ad_trial(in_current_episode=False)])
    assert status.status is TrdStatusKind.NOT_TRD
    assert status.adequate_failed_trials == 1


def test_augmentation_and_ect_failures_do_not_make_trd() -> None:
    status = trd_status([ad_trial(), augmentation(), ect_course(True)])
    assert status.status is TrdStatusKind.NOT_TRD
    assert len(status.assessments) == 3


def test_short_intolerance_stop_does_not_make_trd() -> None:
    short = ad_trial(weeks_at_adequate_dose=2, stop_reason=StopReason.INTOLERANCE)
    assert trd_status([ad_trial(), short]).status is TrdStatusKind.NOT_TRD


def test_missing_facts_that_could_reach_two_give_insufficient_data() -> None:
    status = trd_status([ad_trial(), ad_trial(dose=None)])
    assert status.status is TrdStatusKind.INSUFFICIENT_DATA
    assert status.undetermined_trials == 1
    assert "could not be judged" in status.explanation


def test_missing_facts_that_cannot_reach_two_stay_not_trd() -> None:
    status = trd_status([ad_trial(dose=None)])
    assert status.status is TrdStatusKind.NOT_TRD


def test_missing_facts_do_not_downgrade_an_established_trd() -> None:
    status = trd_status([ad_trial(), ad_trial(), ad_trial(dose=None)])
    assert status.status is TrdStatusKind.TRD


def test_a_responded_trial_is_decided_not_undetermined() -> None:
    status = trd_status([ad_trial(), ad_trial(outcome=Outcome.RESPONSE)])
    assert status.status is TrdStatusKind.NOT_TRD
