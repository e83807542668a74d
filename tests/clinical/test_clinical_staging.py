"""Thase-Rush and Maudsley staging (clinical reference §3)."""

from __future__ import annotations

from datetime import date

import pytest
from _clinical_helpers import ad_trial, augmentation, ect_course, failed_class

from trdplanner.clinical import (
    MaudsleyCategory,
    MaudsleySeverity,
    MaudsleyStatus,
    Outcome,
    TrialFacts,
    TrialKind,
    maudsley,
    thase_rush,
)
from trdplanner.clinical.staging import (
    ROMAN,
    add_months,
    antidepressant_points,
    completed_months,
    duration_points,
    maudsley_category,
    severity_points,
)

# ================================================================ Thase-Rush


def _stage(trials: list[TrialFacts]) -> int:
    return thase_rush(trials).stage


def test_stage_0_without_an_adequate_failure() -> None:
    assert _stage([]) == 0
    assert _stage([ad_trial(outcome=Outcome.RESPONSE)]) == 0
    assert _stage([ad_trial(weeks_at_adequate_dose=2)]) == 0
    result = thase_rush([])
    assert (result.roman, result.explanation) == (
        "0",
        "No adequate failed antidepressant trial in the current episode.",
    )


def test_stage_i_one_failed_adequate_trial_of_one_class() -> None:
    """I: failure of >=1 adequate trial of one major class."""
    assert _stage([failed_class("SSRI")]) == 1
    assert _stage([failed_class("SSRI"), failed_class("SSRI")]) == 1


def test_stage_ii_failure_in_a_different_class() -> None:
    """II: stage I plus failure of an adequate trial of a different class."""
    assert _stage([failed_class("SSRI"), failed_class("SNRI")]) == 2
    # Case differences in free text are the same class.
    assert _stage([failed_class("ssri"), failed_class("SSRI")]) == 1


def test_stage_iii_stage_ii_plus_a_failed_tca() -> None:
    """III: stage II plus failure of a TCA."""
    assert _stage([failed_class("SSRI"), failed_class("SNRI"), failed_class("TCA")]) == 3


def test_stage_iv_stage_iii_plus_a_failed_maoi() -> None:
    """IV: stage III plus failure of an MAOI."""
    trials = [failed_class(c) for c in ("SSRI", "SNRI", "TCA", "MAOI")]
    assert _stage(trials) == 4


def test_stage_v_stage_iv_plus_failed_bilateral_ect() -> None:
    """V: stage IV plus failure of a course of bilateral ECT."""
    trials = [failed_class(c) for c in ("SSRI", "SNRI", "TCA", "MAOI")] + [ect_course(True)]
    result = thase_rush(trials)
    assert (result.stage, result.roman) == (5, "V")
    assert result.failed_classes == ("SSRI", "SNRI", "TCA", "MAOI")


def test_roman_numerals() -> None:
    assert ROMAN == ("0", "I", "II", "III", "IV", "V")


# ---------------------------------------------------------------- hierarchy edge cases


def test_failed_tca_with_only_one_class_is_stage_i() -> None:
    """Hierarchical: a TCA alone does not skip to stage III."""
    result = thase_rush([failed_class("TCA")])
    assert result.stage == 1
    assert "A failed TCA raises the stage only once stage II" in result.explanation


def test_ssri_plus_tca_is_stage_ii_not_iii() -> None:
    """The TCA of stage III is in addition to the two classes of stage II."""
    assert _stage([failed_class("SSRI"), failed_class("TCA")]) == 2


def test_tca_plus_maoi_is_stage_ii() -> None:
    assert _stage([failed_class("TCA"), failed_class("MAOI")]) == 2


def test_maoi_without_tca_does_not_pass_stage_ii() -> None:
    result = thase_rush([failed_class(c) for c in ("SSRI", "SNRI", "MAOI")])
    assert result.stage == 2
    assert "A failed MAOI raises the stage only once stage III" in result.explanation


def test_ssri_tca_maoi_is_stage_iii_not_iv() -> None:
    """IV needs stage III reached without the MAOI: two other classes, TCA, then MAOI."""
    assert _stage([failed_class(c) for c in ("SSRI", "TCA", "MAOI")]) == 3


def test_bilateral_ect_below_stage_iv_adds_nothing() -> None:
    result = thase_rush([failed_class("SSRI"), ect_course(True)])
    assert result.stage == 1
    assert "only from stage IV" in result.explanation


def test_unilateral_or_unknown_laterality_ect_does_not_reach_stage_v() -> None:
    base = [failed_class(c) for c in ("SSRI", "SNRI", "TCA", "MAOI")]
    assert _stage([*base, ect_course(False)]) == 4
    result = thase_rush([*base, ect_course(None)])
    assert result.stage == 4
    assert "laterality is not recorded" in result.explanation


def test_bilateral_ect_that_worked_is_not_a_failure() -> None:
    base = [failed_class(c) for c in ("SSRI", "SNRI", "TCA", "MAOI")]
    assert _stage([*base, ect_course(True, outcome=Outcome.RESPONSE)]) == 4


def test_bilateral_ect_not_judged_adequate_does_not_count() -> None:
    base = [failed_class(c) for c in ("SSRI", "SNRI", "TCA", "MAOI")]
    ect = TrialFacts(id="e", kind=TrialKind.ECT, ect_bilateral=True, outcome=Outcome.NON_RESPONSE)
    assert _stage([*base, ect]) == 4


def test_failures_without_a_class_reach_stage_i_only() -> None:
    result = thase_rush([failed_class(None), failed_class(None)])
    assert result.stage == 1
    assert "no class recorded" in result.explanation


def test_unclassed_failure_note_while_it_could_still_raise_the_stage() -> None:
    result = thase_rush([failed_class("SSRI"), failed_class("SNRI"), failed_class(None)])
    assert result.stage == 2
    assert "1 failed trial with no class recorded" in result.explanation


def test_inadequate_and_previous_episode_trials_do_not_raise_the_stage() -> None:
    trials = [
        failed_class("SSRI"),
        failed_class("SNRI", weeks_at_adequate_dose=2),
        failed_class("TCA", in_current_episode=False),
    ]
    assert _stage(trials) == 1


def test_augmentation_is_ignored_by_thase_rush() -> None:
    assert _stage([failed_class("SSRI"), augmentation()]) == 1


def test_limitations_are_documented() -> None:
    text = thase_rush([]).limitations
    assert "hierarchy" in text and "augmentation" in text


# ================================================================ Maudsley components


@pytest.mark.parametrize(
    ("failed", "points"),
    [(0, None), (1, 1), (2, 1), (3, 2), (4, 2), (5, 3), (6, 3), (7, 4), (10, 4), (11, 5), (30, 5)],
)
def test_antidepressant_points_table(failed: int, points: int | None) -> None:
    """MSM: 1-2 -> 1; 3-4 -> 2; 5-6 -> 3; 7-10 -> 4; >10 -> 5."""
    assert antidepressant_points(failed) == points


@pytest.mark.parametrize(
    ("severity", "psychosis", "points"),
    [
        (MaudsleySeverity.SUBSYNDROMAL, False, 1),
        (MaudsleySeverity.MILD, False, 2),
        (MaudsleySeverity.MODERATE, False, 3),
        (MaudsleySeverity.SEVERE, False, 4),
        (MaudsleySeverity.SEVERE, True, 5),
        (MaudsleySeverity.MODERATE, True, 3),  # psychosis adds only to severe
    ],
)
def test_severity_points_table(severity: MaudsleySeverity, psychosis: bool, points: int) -> None:
    assert severity_points(severity, psychosis) == points


ONSET = date(2022, 3, 15)


@pytest.mark.parametrize(
    ("assessed", "points", "months"),
    [
        (date(2022, 3, 15), 1, 0),
        (date(2023, 3, 15), 1, 12),  # exactly 12 calendar months: <=12
        (date(2023, 3, 16), 1, 12),  # 12 months and a day: still 12 completed months, "12 or less"
        (date(2023, 3, 25), 1, 12),  # 12 months and 10 days (the audit's case): 1, as printed
        (date(2023, 4, 14), 1, 12),  # the last day before the 13th month is completed
        (date(2023, 4, 15), 2, 13),  # 13 months
        (date(2024, 3, 15), 2, 24),  # exactly 24 months: 13-24
        (date(2024, 3, 16), 2, 24),  # 24 months and a day: still 24 completed months
        (date(2024, 4, 15), 3, 25),  # 25 months
    ],
)
def test_duration_points_at_12_13_24_25_months(assessed: date, points: int, months: int) -> None:
    """MSM duration: <=12 months 1; 13-24 months 2; >24 months 3, in completed calendar months."""
    assert duration_points(ONSET, assessed) == points
    assert completed_months(ONSET, assessed) == months


def test_month_arithmetic_clamps_to_month_end() -> None:
    assert add_months(date(2024, 1, 31), 1) == date(2024, 2, 29)
    assert add_months(date(2024, 2, 29), 12) == date(2025, 2, 28)
    assert add_months(date(2023, 11, 30), 3) == date(2024, 2, 29)
    # Onset on a leap day: 12 months later is 28 Feb; 13 completed months on 29 March.
    assert duration_points(date(2024, 2, 29), date(2025, 2, 28)) == 1
    assert duration_points(date(2024, 2, 29), date(2025, 3, 28)) == 1
    assert duration_points(date(2024, 2, 29), date(2025, 3, 29)) == 2
    assert completed_months(date(2024, 1, 31), date(2024, 2, 29)) == 1
    assert completed_months(date(2024, 5, 1), date(2024, 4, 1)) == 0


@pytest.mark.parametrize(
    ("total", "category"),
    [
        (3, MaudsleyCategory.MILD),
        (6, MaudsleyCategory.MILD),
        (7, MaudsleyCategory.MODERATE),
        (10, MaudsleyCategory.MODERATE),
        (11, MaudsleyCategory.SEVERE),
        (15, MaudsleyCategory.SEVERE),
    ],
)
def test_category_boundaries(total: int, category: MaudsleyCategory) -> None:
    """MSM categories: mild 3-6, moderate 7-10, severe 11-15."""
    assert maudsley_category(total) is category


@pytest.mark.parametrize("total", [2, 16])
def test_category_rejects_totals_outside_3_to_15(total: int) -> None:
    with pytest.raises(ValueError):
        maudsley_category(total)


# ================================================================ Maudsley worked cases


def _failures(n: int) -> list[TrialFacts]:
    return [ad_trial() for _ in range(n)]


@pytest.mark.parametrize(
    ("assessed", "severity", "psychosis", "failed", "aug", "ect", "total", "category"),
    [
        # 1 (<=12 mo) + 1 subsyndromal + 1 (1-2 failed) = 3: the minimum, mild
        (date(2022, 9, 1), MaudsleySeverity.SUBSYNDROMAL, False, 1, False, False, 3, "mild"),
        # 1 + 4 (severe, no psychosis) + 1 = 6: top of mild
        (date(2023, 3, 15), MaudsleySeverity.SEVERE, False, 2, False, False, 6, "mild"),
        # same plus augmentation used = 7: bottom of moderate
        (date(2023, 3, 15), MaudsleySeverity.SEVERE, False, 2, True, False, 7, "moderate"),
        # 3 (>24 mo) + 3 moderate + 2 (3-4 failed) + 1 aug + 1 ECT = 10: top of moderate
        (date(2024, 4, 15), MaudsleySeverity.MODERATE, False, 3, True, True, 10, "moderate"),
        # 3 + 4 severe + 2 + 1 + 1 = 11: bottom of severe
        (date(2024, 4, 15), MaudsleySeverity.SEVERE, False, 4, True, True, 11, "severe"),
        # 3 + 5 (severe with psychosis) + 5 (>10 failed) + 1 + 1 = 15: the maximum
        (date(2025, 1, 1), MaudsleySeverity.SEVERE, True, 11, True, True, 15, "severe"),
        # 2 (13-24 mo) + 2 mild + 1 + ECT 1 = 6
        (date(2023, 4, 15), MaudsleySeverity.MILD, False, 1, False, True, 6, "mild"),
    ],
)
def test_maudsley_worked_cases(
    assessed: date,
    severity: MaudsleySeverity,
    psychosis: bool,
    failed: int,
    aug: bool,
    ect: bool,
    total: int,
    category: str,
) -> None:
    trials = _failures(failed)
    if aug:
        trials.append(augmentation())
    if ect:
        trials.append(ect_course(False))
    result = maudsley(ONSET, assessed, severity, psychosis, trials)
    assert result.status is MaudsleyStatus.SCORED
    assert result.total == total
    assert result.category == MaudsleyCategory(category)
    parts = (
        result.duration_points,
        result.severity_points,
        result.antidepressant_points,
        result.augmentation_points,
        result.ect_points,
    )
    assert sum(p or 0 for p in parts) == total
    assert result.failed_antidepressant_trials == failed
    assert f"Maudsley score {total} of 15 ({category} resistance)" in result.explanation


def test_maudsley_explanation_lists_each_dimension() -> None:
    result = maudsley(
        ONSET, date(2023, 5, 20), MaudsleySeverity.MODERATE, False, [ad_trial(), augmentation()]
    )
    assert result.explanation == (
        "Maudsley score 7 of 15 (moderate resistance): duration 14 completed months → 2; "
        "severity moderate → 3; 1 distinct failed antidepressant → 1 (counted per medication, as "
        "the MSM does); augmentation used → 1; ECT not used → 0. Source: Maudsley Staging Method: "
        "Fekadu et al. 2009, J Clin Psychiatry 70:177; BMC Psychiatry 2018;18:100."
    )
    assert result.duration_months == 14


def test_augmentation_and_ect_count_when_used_whatever_the_outcome() -> None:
    """MSM scores augmentation and ECT as used / not used."""
    trials = [
        ad_trial(),
        augmentation(outcome=Outcome.RESPONSE, weeks_at_adequate_dose=1),
        ect_course(None, outcome=Outcome.RESPONSE),
    ]
    result = maudsley(ONSET, date(2022, 6, 1), MaudsleySeverity.MILD, False, trials)
    assert (result.augmentation_points, result.ect_points) == (1, 1)


def test_previous_episode_augmentation_and_ect_do_not_count() -> None:
    trials = [
        ad_trial(),
        augmentation(in_current_episode=False),
        ect_course(True, in_current_episode=False),
        ad_trial(in_current_episode=False),
    ]
    result = maudsley(ONSET, date(2022, 6, 1), MaudsleySeverity.MILD, False, trials)
    assert (result.augmentation_points, result.ect_points) == (0, 0)
    assert result.failed_antidepressant_trials == 1


def test_not_applicable_without_a_failed_antidepressant_trial() -> None:
    """With no antidepressant failures there is no resistance to stage."""
    result = maudsley(ONSET, date(2022, 6, 1), MaudsleySeverity.SEVERE, False, [augmentation()])
    assert result.status is MaudsleyStatus.NOT_APPLICABLE
    assert result.total is None and result.category is None
    assert result.antidepressant_points is None
    assert result.explanation.startswith(
        "Maudsley staging does not apply: no adequate failed antidepressant trial"
    )
    # The parts that could be worked out are still there for the UI.
    assert (result.duration_points, result.severity_points, result.augmentation_points) == (1, 4, 1)


def test_missing_onset_is_not_computable_and_named() -> None:
    result = maudsley(None, date(2022, 6, 1), MaudsleySeverity.MILD, False, [ad_trial()])
    assert result.status is MaudsleyStatus.NOT_COMPUTABLE
    assert result.total is None
    assert result.missing == ("episode onset date",)
    assert result.explanation.startswith(
        "Maudsley score not computable: missing episode onset date"
    )
    assert result.severity_points == 2


def test_missing_severity_is_not_computable_and_named() -> None:
    result = maudsley(ONSET, date(2022, 6, 1), None, None, [ad_trial()])
    assert result.status is MaudsleyStatus.NOT_COMPUTABLE
    assert result.missing == ("baseline severity",)
    assert result.duration_points == 1


def test_both_missing_are_both_named() -> None:
    result = maudsley(None, date(2022, 6, 1), None, None, [ad_trial()])
    assert result.missing == ("episode onset date", "baseline severity")


def test_severe_without_a_psychosis_answer_is_not_computable() -> None:
    result = maudsley(ONSET, date(2022, 6, 1), MaudsleySeverity.SEVERE, None, [ad_trial()])
    assert result.status is MaudsleyStatus.NOT_COMPUTABLE
    assert "psychotic features" in result.missing[0]


def test_non_severe_needs_no_psychosis_answer() -> None:
    result = maudsley(ONSET, date(2022, 6, 1), MaudsleySeverity.MODERATE, None, [ad_trial()])
    assert result.status is MaudsleyStatus.SCORED
    assert result.total == 5


def test_psychosis_with_non_severe_episode_is_noted() -> None:
    result = maudsley(ONSET, date(2022, 6, 1), MaudsleySeverity.MILD, True, [ad_trial()])
    assert result.severity_points == 2
    assert "only to a severe episode" in result.explanation


def test_onset_after_assessment_is_not_computable() -> None:
    result = maudsley(
        date(2023, 1, 1), date(2022, 6, 1), MaudsleySeverity.MILD, False, [ad_trial()]
    )
    assert result.status is MaudsleyStatus.NOT_COMPUTABLE
    assert "after the assessment date" in result.missing[0]


def test_running_trial_is_assessed_as_of_the_assessment_date() -> None:
    running = ad_trial(
        weeks_at_adequate_dose=None,
        start=date(2022, 4, 1),
        stop=None,
        outcome=Outcome.NON_RESPONSE,
    )
    early = maudsley(ONSET, date(2022, 4, 15), MaudsleySeverity.MILD, False, [running])
    assert early.status is MaudsleyStatus.NOT_APPLICABLE
    later = maudsley(ONSET, date(2022, 6, 1), MaudsleySeverity.MILD, False, [running])
    assert later.total == 4
