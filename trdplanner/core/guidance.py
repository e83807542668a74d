"""What the data suggest doing next, in plain words. Pure functions: no Qt, no database.

These are prompts for the clinician, never orders: each names the fact behind it
(weeks on a trial, the change in scores, the missing record) so it can be checked.
The clinical rules they apply are not restated here: which trials are dosed, what counts as
response, partial response and non-response, and PHQ-9 remission all come from ``clinical/``.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

from trdplanner.clinical import Instrument, Outcome, TrdStatusKind, outcome_from_scores, remission_criterion
from trdplanner.clinical.trial_facts import DOSED_KINDS
from trdplanner.core.records import MeasureRec, PlanRec, TrialRec
from trdplanner.core.risk_findings import FindingKind, RiskFinding
from trdplanner.core.views import IntegrationProposal
from trdplanner.core.vocab import OPEN_OBJECTIVE

# When to prompt, not what is clinically true: a product choice, so it lives with the prompts.
NO_RESPONSE_WEEKS = 8  # ask about response once a treatment has run this long
MEASURE_GAP_DAYS = 28


@dataclass(frozen=True)
class Step:
    level: str  # danger | warning | info | ok
    text: str


def _weeks(a: dt.date, b: dt.date) -> int:
    return max(0, (b - a).days // 7)


def _phq9(measures: list[MeasureRec]) -> list[MeasureRec]:
    return [m for m in measures if m.instrument == Instrument.PHQ9]


def _trial_change(trial: TrialRec, measures: list[MeasureRec]) -> tuple[int, int] | None:
    """(baseline, latest) PHQ-9 totals around an ongoing trial, or its own recorded scores."""
    phq = _phq9(measures)
    if trial.start is not None and phq:
        before = [m for m in phq if m.taken_on <= trial.start + dt.timedelta(days=7)]
        after = [m for m in phq if m.taken_on > trial.start + dt.timedelta(days=7)]
        if before and after:
            return before[-1].total, after[-1].total
    if trial.baseline_score is not None and trial.end_score is not None:
        return trial.baseline_score, trial.end_score
    return None


def _alerts(risk: Sequence[RiskFinding]) -> list[Step]:
    """The risk findings' open alert, as they word it (core/risk_findings.py decides it)."""
    return [Step("danger", f.text) for f in risk if f.kind is FindingKind.OPEN_ALERT]


def _current_treatment(trials: list[TrialRec], measures: list[MeasureRec], today: dt.date) -> list[Step]:
    """Response to the latest treatment change that is still going on."""
    ongoing = [t for t in trials if t.kind in DOSED_KINDS and t.stop is None and t.start is not None]
    current = max(ongoing, key=lambda t: t.start or today, default=None)
    if current is None or current.start is None:
        return []
    weeks = _weeks(current.start, today)
    if weeks < NO_RESPONSE_WEEKS:
        return []
    agent = current.agent or current.kind.replace("_", " ")
    moved = _trial_change(current, measures)
    if moved is None:
        if any(m.taken_on > current.start for m in measures):
            return []
        return [Step("warning", f"{weeks} weeks on {agent} with no score since it started: record a PHQ-9 to "
                                "judge the response.")]
    base, latest = moved
    drop = (base - latest) / base * 100 if base > 0 else 0.0
    outcome = outcome_from_scores(base, latest)  # clinical/trial_facts.py: <25% none, 25-49% partial, ≥50% response
    if outcome is Outcome.NON_RESPONSE:
        return [Step("warning", f"No response after {weeks} weeks on {agent} (PHQ-9 {base} → {latest}, "
                                f"{max(drop, 0):.0f}% better): review the plan with the prescriber — dose, switch, "
                                "augmentation or adding psychotherapy.")]
    if outcome is Outcome.PARTIAL_RESPONSE:
        return [Step("info", f"Partial response after {weeks} weeks on {agent} (PHQ-9 {base} → {latest}, "
                             f"{drop:.0f}% better): consider optimising before the next review.")]
    return []


def _measures(measures: list[MeasureRec], today: dt.date) -> list[Step]:
    if not measures:
        return [Step("info", "No measures yet: record a baseline PHQ-9 at the next session.")]
    steps = []
    gap = (today - max(m.taken_on for m in measures)).days
    if gap > MEASURE_GAP_DAYS:
        steps.append(Step("info", f"No measure for {gap // 7} weeks: record a PHQ-9 to keep the trend current."))
    phq = _phq9(measures)
    if len(phq) > 1 and phq[-1].total <= remission_criterion(Instrument.PHQ9).threshold:
        steps.append(Step("ok", f"PHQ-9 {phq[-1].total} on {phq[-1].taken_on.isoformat()} is in the remission "
                                "range: plan relapse prevention and follow-up."))
    return steps


def _plan(plan: PlanRec | None, today: dt.date) -> list[Step]:
    if plan is None:
        return [Step("info", "No active treatment plan: add the problems, goals and objectives.")]
    steps = []
    due = [o for p in plan.problems for g in p.goals for o in g.objectives
           if o.status in OPEN_OBJECTIVE and o.review_date is not None
           and o.review_date <= today + dt.timedelta(days=7)]
    if due:
        steps.append(Step("info", f"{len(due)} treatment-plan objective{'s' if len(due) != 1 else ''} due for "
                                  "review this week."))
    if plan.review_date is not None and plan.review_date <= today:
        steps.append(Step("info", f"The treatment plan was due for review on {plan.review_date.isoformat()}."))
    return steps


def suggest(
    *,
    trials: list[TrialRec],
    measures: list[MeasureRec],
    risk: Sequence[RiskFinding],
    trd: TrdStatusKind,
    missing: list[str],
    stage: str,
    plan: PlanRec | None,
    today: dt.date,
    integration: IntegrationProposal | None = None,
) -> list[Step]:
    steps = _alerts(risk) + _current_treatment(trials, measures, today) + _measures(measures, today)
    if integration is not None:  # therapy planned around a ketamine dose
        steps.append(Step("info" if integration.booked_on else "warning", integration.text))
    if trd is TrdStatusKind.INSUFFICIENT_DATA and missing:
        steps.append(Step("warning", "TRD status cannot be decided yet: record the " + ", ".join(sorted(set(missing)))
                                     + " for the trials marked incomplete in the treatment history."))
    elif trd is TrdStatusKind.TRD:
        steps.append(Step("info", f"Meets the TRD definition ({stage}): review treatment options with the "
                                  "prescriber; the TRD and treatment-options handouts can help the conversation."))
    steps += _plan(plan, today)
    order = {"danger": 0, "warning": 1, "info": 2, "ok": 3}
    return sorted(steps, key=lambda s: order[s.level])
