"""Whether one trial was adequate and whether it failed, with the reason in plain words.

Implements the per-trial half of the clinical reference §3 (dose, duration, adherence,
outcome from scores, conflicts between a recorded outcome and the scores); ``trd.py``
counts the failures across the episode.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, replace
from datetime import date

from trdplanner.clinical.drugs import DrugTable, fold
from trdplanner.clinical.trial_facts import (
    ANTIDEPRESSANT_KINDS,
    DOSED_KINDS,
    NON_DRUG_KINDS,
    Adherence,
    Outcome,
    StopReason,
    TrdSettings,
    TrialFacts,
    TrialKind,
    normalize_drug_class,
    outcome_from_scores,
)


@dataclass(frozen=True)
class TrialAssessment:
    """Whether one trial was adequate and failed, and the reason in plain words.

    ``missing`` names facts whose absence stopped a decision (for example
    ``("dose",)``); a trial with missing facts might still turn out to be an
    adequate failure once they are recorded.
    """

    trial_id: str
    kind: TrialKind
    adequate: bool
    failed: bool
    counts_toward_trd: bool
    reason: str
    outcome: Outcome | None = None
    weeks_at_adequate_dose: float | None = None
    missing: tuple[str, ...] = ()
    in_current_episode: bool = True
    #: The agent as the rules identified it (the table's generic name when recognised).
    agent: str = ""
    #: True when the drug table knows the agent, False when it does not, None without a table.
    agent_recognised: bool | None = None
    #: The class the rules used: the table's for a recognised agent, else the recorded one.
    drug_class: str | None = None
    #: For an earlier dose step of one trial: the id of the record the trial is judged on.
    merged_into: str | None = None
    #: Recorded outcome and scores disagree (both are in the text).
    conflict: str | None = None


def format_number(x: float) -> str:
    return f"{x:g}"


def _weeks_text(days: int) -> str:
    # Whole weeks and days, never a rounded decimal that could read as "4.0"
    # for a trial that fell a day short of 4 weeks.
    weeks, rest = divmod(days, 7)
    parts = []
    if weeks:
        parts.append(f"{weeks} week{'s' if weeks != 1 else ''}")
    if rest or not weeks:
        parts.append(f"{rest} day{'s' if rest != 1 else ''}")
    return " ".join(parts)


def trial_weeks(trial: TrialFacts, as_of: date | None) -> tuple[float | None, str]:
    if trial.weeks_at_adequate_dose is not None:
        w = trial.weeks_at_adequate_dose
        days = w * 7
        if w != int(w) and abs(days - round(days)) < 1e-6:
            # Whole days (dose steps summed from dates) read as weeks and days, never "10.7143 weeks".
            return w, _weeks_text(round(days))
        return w, f"{format_number(w)} week{'s' if w != 1 else ''}"
    end = trial.stop or as_of
    if trial.start is None or end is None or end < trial.start:
        return None, ""
    days = (end - trial.start).days
    return days / 7, _weeks_text(days)


@dataclass(frozen=True)
class Verdict:
    adequate: bool
    failed: bool
    text: str
    outcome: Outcome | None = None
    weeks: float | None = None
    missing: tuple[str, ...] = ()
    conflict: str | None = None


_OUTCOME_WORDS = {
    Outcome.RESPONSE: "response",
    Outcome.PARTIAL_RESPONSE: "partial response",
    Outcome.NON_RESPONSE: "non-response",
    Outcome.NOT_ASSESSABLE: "not assessable",
}
PRD_LABEL = "partially responsive depression"
PRD_SOURCE = "EU-PEARL, Sforzini et al. 2022"
INTOLERANCE_SOURCE = "ATHF convention"


def _score_detail(trial: TrialFacts) -> tuple[Outcome, str] | None:
    if trial.baseline_score is None or trial.end_score is None:
        return None
    b, e = trial.baseline_score, trial.end_score
    derived = outcome_from_scores(b, e)
    if b == 0:
        return derived, " (baseline score 0)"
    # Floor, so a 24.6% improvement never displays as the 25% it did not reach.
    pct = math.floor((b - e) / b * 100)
    change_text = f"{pct}% improvement" if pct >= 0 else f"{-pct}% worse"
    return derived, f" (scores {b} → {e}, {change_text})"


def _outcome(trial: TrialFacts) -> tuple[Outcome, str, str | None]:
    """The outcome, its detail text, and a conflict description when record and scores disagree."""
    scored = _score_detail(trial)
    if trial.outcome is not None:
        if (
            scored is not None
            and scored[0] is not Outcome.NOT_ASSESSABLE
            and trial.outcome is not Outcome.NOT_ASSESSABLE
            and scored[0] is not trial.outcome
        ):
            conflict = (
                f"recorded outcome '{_OUTCOME_WORDS[trial.outcome]}' but the scores show "
                f"{_OUTCOME_WORDS[scored[0]]}{scored[1]}"
            )
            return trial.outcome, "", conflict
        return trial.outcome, "", None
    if scored is not None:
        return scored[0], scored[1], None
    return Outcome.NOT_ASSESSABLE, "", None


def _failure_label(trial: TrialFacts) -> str:
    if not trial.in_current_episode:
        return "an adequate failure, but in a previous episode"
    if trial.kind in ANTIDEPRESSANT_KINDS:
        return "counts as a failed adequate trial"
    if trial.kind is TrialKind.AUGMENTATION:
        return "failed augmentation (tracked for Maudsley staging; not part of the two-antidepressant rule)"
    return f"failed {trial.kind.display_name} (reported; not part of the two-antidepressant rule)"


def _judge_outcome(trial: TrialFacts, settings: TrdSettings, prefix: str, weeks: float | None) -> Verdict:
    """Outcome of a trial already found adequate."""
    if trial.stop_reason is StopReason.ONGOING:
        return Verdict(True, False, f"{prefix}; ongoing — not counted as a failure until it ends", None, weeks)
    outcome, detail, conflict = _outcome(trial)
    if conflict is not None:
        # Neither value is trusted over the other: a false TRD label is the costlier error,
        # and silently preferring the record hid a 60% improvement.
        return Verdict(
            True,
            False,
            f"{prefix}; outcome conflict: {conflict} — not counted until the record is corrected",
            outcome,
            weeks,
            ("a consistent outcome (record and scores disagree)",),
            conflict,
        )
    missing: tuple[str, ...] = ()
    if outcome is Outcome.RESPONSE:
        failed, tail = False, "response — not a failure"
    elif outcome is Outcome.NON_RESPONSE:
        failed, tail = True, f"non-response — {_failure_label(trial)}"
    elif outcome is Outcome.PARTIAL_RESPONSE:
        if settings.partial_response_counts_as_failure:
            failed = True
            tail = (
                f"partial response (25–49% improvement) — {_failure_label(trial)} "
                "(setting: partial response counts as failure, 2021 operational consensus)"
            )
        else:
            failed = False
            tail = f"partial response (25–49% improvement: '{PRD_LABEL}', {PRD_SOURCE}) — not counted as a failure"
    else:
        failed, tail = False, "outcome not assessable — not counted as a failure"
        if trial.outcome is None:
            missing = ("outcome",)
    if trial.stop_reason is StopReason.INTOLERANCE:
        if failed and not settings.intolerance_stop_counts_as_failure:
            failed = False
            tail = (
                f"{tail.split(' — ')[0]}, but stopped for intolerance — discounted, not counted "
                f"as a failure ({INTOLERANCE_SOURCE}: trials stopped for intolerance are discounted)"
            )
        else:
            tail += "; stopped for intolerance after an adequate trial"
            if failed:
                tail += " (setting: intolerance stops count as failures)"
    return Verdict(True, failed, f"{prefix}; {tail}{detail}", outcome, weeks, missing)


def _assess_dosed(trial: TrialFacts, settings: TrdSettings, as_of: date | None) -> Verdict:
    unit = trial.dose_unit
    if trial.dose is None:
        return Verdict(False, False, "Not adequate: dose unknown", missing=("dose",))
    if trial.min_effective_dose is None:
        return Verdict(
            False,
            False,
            "Not adequate: minimum effective dose not recorded",
            missing=("minimum effective dose",),
        )
    dose, minimum = trial.dose, trial.min_effective_dose
    if dose < minimum:
        return Verdict(
            False,
            False,
            f"Not adequate: {format_number(dose)} {unit} is below the minimum effective "
            f"{format_number(minimum)} {unit}",
        )
    weeks, dur = trial_weeks(trial, as_of)
    mw = format_number(settings.min_weeks)
    if weeks is None:
        return Verdict(
            False,
            False,
            "Not adequate: time at adequate dose unknown (record weeks, or start and stop dates)",
            missing=("duration",),
        )
    if weeks < settings.min_weeks:
        if trial.stop_reason is StopReason.INTOLERANCE:
            text = (
                f"Not adequate: stopped for intolerance after {dur} (stopping before "
                f"week {mw} is not counted as a failure)"
            )
        elif trial.stop_reason is StopReason.ONGOING:
            text = f"Not yet adequate: ongoing, {dur} at adequate dose so far (needs {mw} weeks)"
        else:
            text = (
                f"Not adequate: {dur} at adequate dose is less than the minimum {mw} weeks "
                "(stopping early is not counted as a failure)"
            )
        return Verdict(False, False, text, weeks=weeks)
    if trial.stop_reason is StopReason.NON_ADHERENCE:
        return Verdict(False, False, "Not adequate: stopped because of non-adherence", weeks=weeks)
    if trial.adherence is Adherence.POOR:
        return Verdict(False, False, "Not adequate: poor adherence", weeks=weeks)
    if trial.adherence is Adherence.PARTIAL and not settings.partial_adherence_is_adequate:
        return Verdict(
            False,
            False,
            "Not adequate: partial adherence (the rule needs reasonable adherence)",
            weeks=weeks,
        )
    prefix = f"Adequate: {format_number(dose)} {unit} ≥ minimum effective {format_number(minimum)} {unit} for {dur}"
    if trial.adherence is Adherence.UNKNOWN:
        prefix += " (adherence not recorded)"
    return _judge_outcome(trial, settings, prefix, weeks)


def _assess_judged(trial: TrialFacts, settings: TrdSettings) -> Verdict:
    what = trial.kind.display_name
    if trial.kind is TrialKind.ECT and trial.ect_bilateral is not None:
        what = f"{'bilateral' if trial.ect_bilateral else 'unilateral'} {what}"
    if trial.clinician_judged_adequate is None:
        return Verdict(
            False,
            False,
            f"Not assessed: the clinician has not judged whether this {what} was adequate",
            missing=("clinician judgement of adequacy",),
        )
    if not trial.clinician_judged_adequate:
        return Verdict(False, False, f"Not adequate: {what} judged inadequate by the clinician")
    prefix = f"Adequate: {what} judged adequate by the clinician"
    return _judge_outcome(trial, settings, prefix, trial.weeks_at_adequate_dose)


def _unit_key(unit: str) -> str:
    u = unit.replace(" ", "").casefold()
    return u[: -len("/day")] if u.endswith("/day") else u.removesuffix("/d")


@dataclass(frozen=True)
class Agent:
    key: str
    name: str
    drug_class: str | None
    recognised: bool | None
    notes: tuple[str, ...] = ()


def resolve_agent(trial: TrialFacts, drugs: DrugTable | None) -> tuple[TrialFacts, Agent]:
    """Identity, class and (when missing) the minimum dose from the drug table."""
    agent_text = " ".join(trial.agent.split())
    if trial.kind in NON_DRUG_KINDS:
        drugs = None  # a course, not a medicine: nothing to look up or to call unrecognised
    drug = drugs.lookup(agent_text) if drugs is not None else None
    if drug is None:
        recorded_class = trial.drug_class
        if drugs is not None and recorded_class is not None:
            recorded_class = drugs.canonical_class(recorded_class) or recorded_class
        if not agent_text:
            return replace(trial, drug_class=recorded_class), Agent(
                f"#{trial.id}", "agent not recorded", recorded_class, None
            )
        notes: tuple[str, ...] = ()
        recognised: bool | None = None
        if drugs is not None:
            recognised = False
            notes = (
                f"unrecognised agent '{agent_text}': not in the drug table, so its identity and "
                "class are taken from what was typed",
            )
        return replace(trial, drug_class=recorded_class), Agent(
            fold(agent_text) or agent_text.casefold(), agent_text, recorded_class, recognised, notes
        )
    notes_list: list[str] = []
    recorded = normalize_drug_class(trial.drug_class)
    if recorded is not None and (drugs is None or drugs.canonical_class(recorded) != drug.drug_class):
        notes_list.append(
            f"recorded class '{recorded}' differs from the drug table's {drug.drug_class}; the table's class is used"
        )
    facts = replace(trial, drug_class=drug.drug_class)
    if trial.kind in DOSED_KINDS:
        if trial.min_effective_dose is None:
            if drug.min_dose is not None and _unit_key(drug.dose_unit) == _unit_key(trial.dose_unit):
                facts = replace(facts, min_effective_dose=drug.min_dose)
                notes_list.append(f"minimum effective dose from the drug table: {drug.min_dose_text}")
            elif drug.min_dose is None and drug.dose_source.note:
                notes_list.append(f"the drug table has no minimum dose for {drug.name}: {drug.dose_source.note}")
        elif drug.min_dose is not None and trial.min_effective_dose != drug.min_dose:
            notes_list.append(
                f"recorded minimum {format_number(trial.min_effective_dose)} {trial.dose_unit} overrides the "
                f"drug table's {drug.min_dose_text}"
            )
    return facts, Agent(drug.name, drug.name, drug.drug_class, True, tuple(notes_list))


def with_notes(text: str, notes: tuple[str, ...]) -> str:
    return text if not notes else f"{text}. Note: {'; '.join(notes)}."


def assessment_from(
    trial: TrialFacts, v: Verdict, agent: Agent, *, counts: bool | None = None, reason: str | None = None
) -> TrialAssessment:
    if counts is None:
        counts = trial.in_current_episode and trial.kind in ANTIDEPRESSANT_KINDS and v.adequate and v.failed
    text = reason if reason is not None else with_notes(v.text, agent.notes)
    if not trial.in_current_episode:
        text = f"Not counted: previous episode (only the current episode counts). {text}"
    return TrialAssessment(
        trial_id=trial.id,
        kind=trial.kind,
        adequate=v.adequate,
        failed=v.failed,
        counts_toward_trd=counts,
        reason=text,
        outcome=v.outcome,
        weeks_at_adequate_dose=v.weeks,
        missing=v.missing,
        in_current_episode=trial.in_current_episode,
        agent=agent.name,
        agent_recognised=agent.recognised,
        drug_class=agent.drug_class,
        conflict=v.conflict,
    )


def verdict_for(trial: TrialFacts, settings: TrdSettings, as_of: date | None) -> Verdict:
    if trial.kind in DOSED_KINDS:
        return _assess_dosed(trial, settings, as_of)
    return _assess_judged(trial, settings)


def assess_trial(
    trial: TrialFacts,
    settings: TrdSettings | None = None,
    *,
    as_of: date | None = None,
    drugs: DrugTable | None = None,
) -> TrialAssessment:
    """Decide whether one trial, on its own, was adequate and failed, with a plain-words reason.

    ``as_of`` stands in for a missing stop date when deriving the duration of a
    trial that is still running; without it such a trial's duration is unknown.
    ``drugs`` supplies identity, class and a missing minimum dose. Counting across
    trials (dose steps of one agent, distinct agents) is :func:`assess_episode`'s job.
    """
    settings = settings or TrdSettings()
    facts, agent = resolve_agent(trial, drugs)
    return assessment_from(facts, verdict_for(facts, settings, as_of), agent)


_ADHERENCE_ORDER = (Adherence.POOR, Adherence.PARTIAL, Adherence.UNKNOWN, Adherence.GOOD)


def merge_same_agent_run(run: list[TrialFacts], settings: TrdSettings, as_of: date | None) -> TrialFacts:
    """Consecutive trials of one agent as one trial, at the highest dose held for the required weeks.

    For each recorded dose d, the weeks at d or more are the summed durations of the steps
    at d or above. The trial's dose is the highest d whose weeks reach the minimum; when none
    does, the lowest dose at or above the minimum effective dose (so the reason reports how
    short the trial was), or else the highest dose (so it reports the dose was too low).
    """
    last = run[-1]
    minimums = [t.min_effective_dose for t in run if t.min_effective_dose is not None]
    minimum = max(minimums) if minimums else None
    steps: list[tuple[float, float]] = []
    for t in run:
        weeks, _ = trial_weeks(t, as_of)
        if t.dose is not None and weeks is not None:
            steps.append((t.dose, weeks))
    chosen: tuple[float, float] | None = None
    for d in sorted({d for d, _ in steps}, reverse=True):
        held = sum(w for dose, w in steps if dose >= d)
        if held >= settings.min_weeks:
            chosen = (d, held)
            break
    if chosen is None and steps:
        at_min = sorted(d for d, _ in steps if minimum is not None and d >= minimum)
        d = at_min[0] if at_min else max(d for d, _ in steps)
        chosen = (d, sum(w for dose, w in steps if dose >= d))
    unknown = any(t.dose is None or trial_weeks(t, as_of)[0] is None for t in run)
    if chosen is None or (unknown and (minimum is None or chosen[0] < minimum or chosen[1] < settings.min_weeks)):
        # Not decidable from the steps we know: judge the step with missing facts so they are asked for.
        gap = next(t for t in run if t.dose is None or trial_weeks(t, as_of)[0] is None)
        return replace(gap, id=last.id, min_effective_dose=gap.min_effective_dose or minimum)
    dose, weeks = chosen
    contributing = [t for t in run if t.dose is not None and t.dose >= dose]
    adherence = min((t.adherence for t in contributing), key=_ADHERENCE_ORDER.index)
    baseline = next((t.baseline_score for t in run if t.baseline_score is not None), None)
    end = next((t.end_score for t in reversed(run) if t.end_score is not None), None)
    return replace(
        last,
        dose=dose,
        min_effective_dose=minimum,
        start=run[0].start,
        weeks_at_adequate_dose=weeks,
        adherence=adherence,
        baseline_score=baseline,
        end_score=end,
    )
