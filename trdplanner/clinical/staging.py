"""Resistance staging: Thase-Rush (1997) and the Maudsley Staging Method.

Both read the same trial records as :mod:`trdplanner.clinical.trd` and use its
adequacy rules, so a trial that does not count toward TRD does not raise a
stage either. Only trials in the current episode are considered.
"""

from __future__ import annotations

import calendar
from collections.abc import Iterable
from dataclasses import dataclass, replace
from datetime import date
from enum import StrEnum

from trdplanner.clinical.adequacy import TrialAssessment
from trdplanner.clinical.drugs import DrugTable
from trdplanner.clinical.trd import BIPOLAR_SOURCE, assess_episode
from trdplanner.clinical.trial_facts import TrdSettings, TrialFacts, TrialKind

ROMAN: tuple[str, ...] = ("0", "I", "II", "III", "IV", "V")

THASE_RUSH_LIMITATIONS = (
    "Thase-Rush staging assumes a hierarchy in which TCAs and MAOIs are stronger "
    "treatments than other classes, which later evidence does not support; it "
    "ignores augmentation and combination strategies, episode duration and "
    "severity; and it does not itself define an adequate trial (here the app's "
    "dose-and-duration rules are used)."
)


@dataclass(frozen=True)
class ThaseRushStage:
    """Thase-Rush stage 0-V. ``failed_classes`` lists the distinct classes that failed."""

    stage: int
    roman: str
    explanation: str
    failed_classes: tuple[str, ...] = ()
    limitations: str = THASE_RUSH_LIMITATIONS
    applicable: bool = True


def _current(
    trials: Iterable[TrialFacts], settings: TrdSettings, as_of: date | None, drugs: DrugTable | None
) -> list[tuple[TrialFacts, TrialAssessment]]:
    """Current-episode trials with their assessment in the context of the whole episode."""
    given = list(trials)
    episode = assess_episode(given, settings, as_of=as_of, drugs=drugs)
    return [(t, a) for t, a in zip(given, episode.assessments, strict=True) if t.in_current_episode]


def thase_rush(
    trials: Iterable[TrialFacts],
    settings: TrdSettings | None = None,
    *,
    as_of: date | None = None,
    drugs: DrugTable | None = None,
    bipolar: bool = False,
) -> ThaseRushStage:
    """Thase-Rush stage from adequate failed trials in the current episode.

    Stages are cumulative, and each adds a failure the previous stage did not
    use (F = distinct failed antidepressant classes):

    * I: at least one adequate failed antidepressant trial.
    * II: failures in at least two different classes.
    * III: stage II reached *without* the TCA, plus a failed TCA; so SSRI + TCA
      is stage II, SSRI + SNRI + TCA is stage III.
    * IV: stage III reached without the MAOI, plus a failed MAOI; so F must hold
      two classes other than TCA and MAOI, a TCA and an MAOI.
    * V: stage IV plus a failed, adequate course of bilateral ECT.

    A failure at a higher level never skips a stage: a failed TCA alone is
    stage I, and failed bilateral ECT below stage IV adds nothing. A failed trial
    with no class recorded counts for stage I only, since it cannot show a
    *different* class.

    Classes come from the drug table for a recognised agent (so "SSRIs" typed on one
    trial and "SSRI" on another are one class), and failures are counted per distinct
    agent as in :func:`~trdplanner.clinical.trd.assess_episode`. Thase-Rush is a
    staging of unipolar depression; a bipolar-spectrum diagnosis gives "not applicable".
    """
    settings = settings or TrdSettings()
    if bipolar:
        return ThaseRushStage(
            0, ROMAN[0], f"Not applicable (bipolar depression): {BIPOLAR_SOURCE}.", applicable=False
        )
    pairs = _current(trials, settings, as_of, drugs)
    failed_ad = [(t, a) for t, a in pairs if a.counts_toward_trd]
    # Class names are compared case-insensitively; first spelling seen is shown.
    by_folded: dict[str, str] = {}
    for _, a in failed_ad:
        if a.drug_class is not None:
            by_folded.setdefault(a.drug_class.casefold(), a.drug_class)
    classes = list(by_folded.values())
    folded = set(by_folded)
    unclassed = sum(1 for _, a in failed_ad if a.drug_class is None)
    has_tca, has_maoi = "tca" in folded, "maoi" in folded
    others = len(folded - {"tca", "maoi"})
    ect_failed = [t for t, a in pairs if t.kind is TrialKind.ECT and a.adequate and a.failed]
    bilateral_failed = any(t.ect_bilateral for t in ect_failed)

    stage = 0
    if failed_ad:
        stage = 1
    if len(folded) >= 2:
        stage = 2
    if stage == 2 and has_tca and len(folded - {"tca"}) >= 2:
        stage = 3
    if stage == 3 and has_maoi and others >= 2:
        stage = 4
    if stage == 4 and bilateral_failed:
        stage = 5

    notes: list[str] = []
    if stage == 0:
        notes.append("No adequate failed antidepressant trial in the current episode.")
    else:
        listed = ", ".join(classes) if classes else "no class recorded"
        agents = ", ".join(a.agent for _, a in failed_ad)
        notes.append(
            f"{len(failed_ad)} distinct antidepressant{'' if len(failed_ad) == 1 else 's'} with an "
            f"adequate failed trial ({agents}; classes: {listed})."
        )
    reasons = {
        1: "Stage I: at least one adequate antidepressant trial failed.",
        2: "Stage II: adequate trials failed in two different classes.",
        3: "Stage III: stage II plus a failed TCA.",
        4: "Stage IV: stage III plus a failed MAOI.",
        5: "Stage V: stage IV plus a failed course of bilateral ECT.",
    }
    if stage:
        notes.append(reasons[stage])
    if unclassed and stage < 4:
        notes.append(
            f"{unclassed} failed trial{'' if unclassed == 1 else 's'} with no class recorded: "
            "recording the class may raise the stage."
        )
    if has_tca and 1 <= stage < 3:
        notes.append("A failed TCA raises the stage only once stage II is reached without it.")
    if has_maoi and 1 <= stage < 4:
        notes.append("A failed MAOI raises the stage only once stage III is reached without it.")
    if bilateral_failed and stage < 4:
        notes.append("Failed bilateral ECT raises the stage only from stage IV.")
    if stage == 4 and not bilateral_failed and any(t.ect_bilateral is None for t in ect_failed):
        notes.append(
            "An ECT course failed but its laterality is not recorded; stage V needs bilateral ECT."
        )
    return ThaseRushStage(stage, ROMAN[stage], " ".join(notes), tuple(classes))


# --------------------------------------------------------------------------- Maudsley


class MaudsleySeverity(StrEnum):
    """Baseline severity as the MSM grades it; psychosis is a separate input."""

    SUBSYNDROMAL = "subsyndromal"
    MILD = "mild"
    MODERATE = "moderate"
    SEVERE = "severe"


class MaudsleyCategory(StrEnum):
    MILD = "mild"
    MODERATE = "moderate"
    SEVERE = "severe"


class MaudsleyStatus(StrEnum):
    SCORED = "scored"
    #: No adequate failed antidepressant trial: the MSM stages resistance, so
    #: it has nothing to stage yet.
    NOT_APPLICABLE = "not_applicable"
    #: A fact the score needs is missing or contradictory; see ``missing``.
    NOT_COMPUTABLE = "not_computable"


@dataclass(frozen=True)
class MaudsleyScore:
    """A Maudsley Staging Method result (Fekadu et al. 2009; range 3-15).

    Always returned, never ``None``: ``total`` and ``category`` are ``None``
    unless ``status`` is ``SCORED``, and the component points that could be
    worked out are filled in either way so the UI can show partial progress.
    """

    status: MaudsleyStatus
    total: int | None
    category: MaudsleyCategory | None
    duration_points: int | None
    severity_points: int | None
    antidepressant_points: int | None
    augmentation_points: int
    ect_points: int
    explanation: str
    failed_antidepressant_trials: int = 0
    duration_months: int | None = None
    missing: tuple[str, ...] = ()


def add_months(d: date, months: int) -> date:
    """The same day ``months`` calendar months later, clamped to the month's end."""
    index = d.year * 12 + (d.month - 1) + months
    year, month0 = divmod(index, 12)
    last = calendar.monthrange(year, month0 + 1)[1]
    return date(year, month0 + 1, min(d.day, last))


def completed_months(start: date, end: date) -> int:
    """Whole calendar months from ``start`` to ``end`` (0 if ``end`` is earlier)."""
    if end < start:
        return 0
    months = (end.year - start.year) * 12 + (end.month - start.month)
    if add_months(start, months) > end:
        months -= 1
    return months


MSM_SOURCE = "Maudsley Staging Method: Fekadu et al. 2009, J Clin Psychiatry 70:177; BMC Psychiatry 2018;18:100"


def duration_points(episode_onset: date, assessed_on: date) -> int:
    """MSM duration: 12 months or less 1, 13-24 months 2, more than 24 months 3.

    The published bands are whole months ("≤12", "13-24", ">24"), so the episode's length is
    its completed calendar months: 12 months and 10 days is 12 completed months, which is "12
    months or less" and scores 1; the band changes on the day the 13th month is completed.
    The same holds at 24 months. Any other reading leaves a gap between "12" and "13" or
    contradicts the printed "12 months or less: 1".
    """
    months = completed_months(episode_onset, assessed_on)
    if months <= 12:
        return 1
    if months <= 24:
        return 2
    return 3


def severity_points(severity: MaudsleySeverity, psychotic_features: bool) -> int:
    """MSM severity: subsyndromal 1, mild 2, moderate 3, severe 4, severe with psychosis 5."""
    if severity is MaudsleySeverity.SEVERE:
        return 5 if psychotic_features else 4
    return {
        MaudsleySeverity.SUBSYNDROMAL: 1,
        MaudsleySeverity.MILD: 2,
        MaudsleySeverity.MODERATE: 3,
    }[severity]


def antidepressant_points(failed_trials: int) -> int | None:
    """MSM antidepressant failures: 1-2 → 1, 3-4 → 2, 5-6 → 3, 7-10 → 4, >10 → 5.

    ``None`` for zero failures, where the MSM does not apply.
    """
    if failed_trials <= 0:
        return None
    for upper, points in ((2, 1), (4, 2), (6, 3), (10, 4)):
        if failed_trials <= upper:
            return points
    return 5


def maudsley_category(total: int) -> MaudsleyCategory:
    """Mild 3-6, moderate 7-10, severe 11-15."""
    if not 3 <= total <= 15:
        raise ValueError(f"MSM total must be 3 to 15, got {total}")
    if total <= 6:
        return MaudsleyCategory.MILD
    if total <= 10:
        return MaudsleyCategory.MODERATE
    return MaudsleyCategory.SEVERE


def maudsley(
    episode_onset: date | None,
    assessed_on: date,
    baseline_severity: MaudsleySeverity | None,
    psychotic_features: bool | None,
    trials: Iterable[TrialFacts],
    settings: TrdSettings | None = None,
    *,
    drugs: DrugTable | None = None,
    bipolar: bool = False,
) -> MaudsleyScore:
    """Score the Maudsley Staging Method for the current episode.

    Antidepressant failures are the adequate failed antidepressant trials that
    count toward TRD. Augmentation and ECT score 1 each if *used* in the current
    episode (any recorded trial of that kind, whatever its adequacy or outcome),
    as the MSM asks whether the strategy was used. Trials still running are
    assessed as of ``assessed_on``.

    The antidepressant count is of distinct medications that failed (the MSM scores "number
    of medications"), so dose steps of one drug, or a drug tried twice, count once.
    ``psychotic_features`` of ``None`` means not recorded: it is shown as unknown and, for a
    severe episode, asked for rather than scored as absent.
    """
    settings = settings or TrdSettings()
    pairs = _current(trials, settings, assessed_on, drugs)
    failed = sum(1 for _, a in pairs if a.counts_toward_trd)
    aug = 1 if any(t.kind is TrialKind.AUGMENTATION for t, _ in pairs) else 0
    ect = 1 if any(t.kind is TrialKind.ECT for t, _ in pairs) else 0
    ad_points = antidepressant_points(failed)

    missing: list[str] = []
    dur_points: int | None = None
    months: int | None = None
    if episode_onset is None:
        missing.append("episode onset date")
    elif episode_onset > assessed_on:
        missing.append("a valid episode onset (it is after the assessment date)")
    else:
        dur_points = duration_points(episode_onset, assessed_on)
        months = completed_months(episode_onset, assessed_on)

    sev_points: int | None = None
    if baseline_severity is None:
        missing.append("baseline severity")
    elif baseline_severity is MaudsleySeverity.SEVERE and psychotic_features is None:
        missing.append("whether psychotic features were present (needed for a severe episode)")
    else:
        sev_points = severity_points(baseline_severity, bool(psychotic_features))

    parts: list[str] = []
    if dur_points is not None:
        parts.append(f"duration {months} completed months → {dur_points}")
    if sev_points is not None and baseline_severity is not None:
        psych = " with psychosis" if sev_points == 5 else ""
        parts.append(f"severity {baseline_severity.value}{psych} → {sev_points}")
    if (
        psychotic_features is None
        and baseline_severity is not None
        and baseline_severity is not MaudsleySeverity.SEVERE
    ):
        parts.append("psychotic features not recorded (unknown; they add a point only when severe)")
    parts.append(
        f"{failed} distinct failed antidepressant{'' if failed == 1 else 's'} → {ad_points or 0} "
        "(counted per medication, as the MSM does)"
    )
    parts.append(f"augmentation {'used' if aug else 'not used'} → {aug}")
    parts.append(f"ECT {'used' if ect else 'not used'} → {ect}")
    breakdown = "; ".join(parts) + "."
    if (
        psychotic_features
        and baseline_severity is not None
        and baseline_severity is not MaudsleySeverity.SEVERE
    ):
        breakdown += " Psychotic features add a point only to a severe episode in the MSM."
    breakdown += f" Source: {MSM_SOURCE}."

    base = MaudsleyScore(
        status=MaudsleyStatus.NOT_COMPUTABLE,
        total=None,
        category=None,
        duration_points=dur_points,
        severity_points=sev_points,
        antidepressant_points=ad_points,
        augmentation_points=aug,
        ect_points=ect,
        explanation="",
        failed_antidepressant_trials=failed,
        duration_months=months,
        missing=tuple(missing),
    )
    if bipolar:
        return replace(
            base,
            status=MaudsleyStatus.NOT_APPLICABLE,
            explanation=f"Maudsley staging not applicable (bipolar depression): {BIPOLAR_SOURCE}.",
        )
    if ad_points is None:
        return replace(
            base,
            status=MaudsleyStatus.NOT_APPLICABLE,
            explanation=(
                "Maudsley staging does not apply: no adequate failed antidepressant trial "
                f"in the current episode. {breakdown}"
            ),
        )
    if dur_points is None or sev_points is None:
        return replace(
            base,
            explanation=f"Maudsley score not computable: missing {', '.join(missing)}. {breakdown}",
        )
    total = dur_points + sev_points + ad_points + aug + ect
    category = maudsley_category(total)
    return replace(
        base,
        status=MaudsleyStatus.SCORED,
        total=total,
        category=category,
        explanation=f"Maudsley score {total} of 15 ({category.value} resistance): {breakdown}",
    )
