"""Treatment trials, their adequacy, and whether the episode meets the TRD definition.

Rules from the clinical reference §3:

* TRD is inadequate response to at least two antidepressant trials of adequate
  dose and duration in the current episode of unipolar major depression. The
  diagnosis is not an input here; callers must not apply this to bipolar
  depression.
* Adequate means at least the minimum effective dose, held for at least 4-6
  weeks (a setting), with reasonable adherence.
* Stopping before the minimum duration is not a failure (EU-PEARL); trials
  stopped for non-adherence or intolerance are discounted (ATHF convention; the
  intolerance rule is a setting).
* Outcome from scores: ≥50% improvement is response, 25-49% partial response
  (EU-PEARL's "partially responsive depression"), <25% non-response.
* Failures are counted per distinct antidepressant (EMA and FDA ask for two
  *different* antidepressants). Consecutive trials of the same agent are one
  trial whose adequacy uses the highest dose held for the required weeks; a
  later trial of an agent that already failed adds nothing.
* A recorded outcome that disagrees with the scores is a conflict: both are
  shown and the trial is not counted until the record is corrected.
* Bipolar-spectrum depression is outside the definition: the status is "not
  applicable (bipolar depression)", not a TRD label with a caveat.

Judgement calls the definitions leave open, made conservatively (a false TRD
label is the costlier error): a trial marked ongoing is never a failure until it
ends; unknown adherence is accepted but stated in the reason; partial adherence
is not adequate unless the setting says otherwise.

Only monotherapy, switch and combination trials count toward the two-trial rule.
Augmentation, ECT and the other treatments are assessed and reported; the
Maudsley staging uses augmentation and ECT separately.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, replace
from datetime import date
from enum import StrEnum

from trdplanner.clinical.adequacy import (
    PRD_LABEL,
    PRD_SOURCE,
    TrialAssessment,
    assessment_from,
    format_number,
    merge_same_agent_run,
    resolve_agent,
    verdict_for,
    with_notes,
)
from trdplanner.clinical.drugs import DrugTable
from trdplanner.clinical.trial_facts import (
    ANTIDEPRESSANT_KINDS,
    TRD_MIN_FAILED_TRIALS,
    Outcome,
    TrdSettings,
    TrialFacts,
)


@dataclass(frozen=True)
class EpisodeAssessment:
    """Every trial judged in the context of the others, in the order given.

    ``failed_agents`` are the distinct antidepressants with an adequate failed trial in the
    current episode, in the order they failed: the count the definitions use.
    """

    assessments: tuple[TrialAssessment, ...]
    failed_agents: tuple[str, ...]
    unrecognised_agents: tuple[str, ...]


def _order_key(item: tuple[int, TrialFacts]) -> tuple[bool, date, int]:
    i, t = item
    return (t.start is not None, t.start or date.min, i)


def assess_episode(
    trials: Iterable[TrialFacts],
    settings: TrdSettings | None = None,
    *,
    as_of: date | None = None,
    drugs: DrugTable | None = None,
) -> EpisodeAssessment:
    """Judge each trial, merge dose steps of one agent, and count failures per distinct agent."""
    settings = settings or TrdSettings()
    given = list(trials)
    resolved = [resolve_agent(t, drugs) for t in given]
    out: list[TrialAssessment | None] = [None] * len(given)

    # Runs: consecutive current-episode antidepressant trials of the same identified agent.
    ad = sorted(
        ((i, f) for i, (f, _) in enumerate(resolved) if f.in_current_episode and f.kind in ANTIDEPRESSANT_KINDS),
        key=_order_key,
    )
    runs: list[list[int]] = []
    for i, _f in ad:
        key = resolved[i][1].key
        if runs and resolved[runs[-1][-1]][1].key == key and not key.startswith("#"):
            runs[-1].append(i)
        else:
            runs.append([i])

    counted: dict[str, str] = {}
    for run in runs:
        facts_run = [resolved[i][0] for i in run]
        agent = resolved[run[-1]][1]
        notes = tuple(dict.fromkeys(n for i in run for n in resolved[i][1].notes))
        agent = replace(agent, notes=notes)
        merged = merge_same_agent_run(facts_run, settings, as_of) if len(run) > 1 else facts_run[0]
        v = verdict_for(merged, settings, as_of)
        text = with_notes(v.text, notes)
        if len(run) > 1:
            doses = " → ".join(format_number(f.dose) if f.dose is not None else "?" for f in facts_run)
            text = (
                f"One {agent.name} trial over {len(run)} dose steps ({doses} {merged.dose_unit}; a dose "
                f"change of the same agent optimises one trial): {text}"
            )
        counts = v.adequate and v.failed
        if counts and agent.key in counted:
            counts = False
            text = (
                f"{text} Not counted again: {agent.name} already failed earlier in this episode "
                "(failures are counted per distinct antidepressant: EMA and FDA ask for two "
                "different antidepressants)."
            )
        if counts:
            counted[agent.key] = agent.name
        last = run[-1]
        out[last] = assessment_from(resolved[last][0], v, agent, counts=counts, reason=text)
        for i in run[:-1]:
            step = resolved[i][0]
            out[i] = replace(
                assessment_from(
                    step,
                    v,
                    agent,
                    counts=False,
                    reason=(
                        f"Dose step of the {agent.name} trial judged as one with trial {given[last].id} "
                        "(same agent, consecutive): see that trial."
                    ),
                ),
                merged_into=given[last].id,
                missing=(),
            )

    for i, (facts, agent) in enumerate(resolved):
        if out[i] is None:
            out[i] = assessment_from(facts, verdict_for(facts, settings, as_of), agent, counts=False)
    unrecognised = tuple(dict.fromkeys(a.name for f, a in resolved if a.recognised is False and f.in_current_episode))
    final = tuple(a for a in out if a is not None)
    return EpisodeAssessment(final, tuple(counted.values()), unrecognised)


class TrdStatusKind(StrEnum):
    NOT_TRD = "not_trd"
    TRD = "trd"
    INSUFFICIENT_DATA = "insufficient_data"
    #: Bipolar-spectrum depression: the TRD definitions do not apply.
    NOT_APPLICABLE = "not_applicable"

    @property
    def label(self) -> str:
        return _STATUS_LABELS[self]


_STATUS_LABELS = {
    TrdStatusKind.NOT_TRD: "Not TRD",
    TrdStatusKind.TRD: "TRD",
    TrdStatusKind.INSUFFICIENT_DATA: "Needs data",
    TrdStatusKind.NOT_APPLICABLE: "Not applicable (bipolar depression)",
}

BIPOLAR_SOURCE = (
    "TRD is defined for unipolar major depression (clinical reference §3; EMA and FDA "
    "definitions); bipolar depression has its own treatment pathway"
)


def is_bipolar_spectrum(diagnosis: str | None, icd10: str | None = None) -> bool:
    """A bipolar-spectrum primary diagnosis: ICD-10 F31 (bipolar), F34.0 (cyclothymia), or the words.

    ``"unipolar"`` does not match. Negated text ("not bipolar") is not parsed, so a diagnosis
    that mentions bipolar only to exclude it should be worded without the word, or coded.
    """
    code = (icd10 or "").strip().upper().replace(".", "")
    if code.startswith("F31") or code.startswith("F340"):
        return True
    if code and code[0] == "F" and code[:3] in {"F32", "F33"}:
        return False  # coded unipolar: the code wins over free text
    text = (diagnosis or "").casefold()
    return "bipolar" in text or "cyclothym" in text or "manic-depress" in text or "manic depress" in text


@dataclass(frozen=True)
class TrdStatus:
    """The episode's TRD status.

    ``INSUFFICIENT_DATA`` means fewer than two adequate failures are established
    but trials with missing facts could bring the count to two.
    ``adequate_failed_trials`` counts distinct failed antidepressants, listed in
    ``failed_agents``.
    """

    status: TrdStatusKind
    adequate_failed_trials: int
    assessments: tuple[TrialAssessment, ...]
    explanation: str
    undetermined_trials: int = 0
    failed_agents: tuple[str, ...] = ()
    unrecognised_agents: tuple[str, ...] = ()
    partial_responses: int = 0

    @property
    def distinct_failed_agents(self) -> int:
        return len(self.failed_agents)


def _plural(n: int, word: str) -> str:
    return f"{n} {word}{'' if n == 1 else 's'}"


def trd_status(
    trials: Iterable[TrialFacts],
    settings: TrdSettings | None = None,
    *,
    as_of: date | None = None,
    drugs: DrugTable | None = None,
    bipolar: bool = False,
) -> TrdStatus:
    """TRD when at least 2 distinct antidepressants failed adequate trials in the current episode."""
    settings = settings or TrdSettings()
    episode = assess_episode(trials, settings, as_of=as_of, drugs=drugs)
    assessments = episode.assessments
    failed = len(episode.failed_agents)
    partial = sum(
        1
        for a in assessments
        if a.counts_toward_trd is False
        and a.merged_into is None
        and a.in_current_episode
        and a.kind in ANTIDEPRESSANT_KINDS
        and a.adequate
        and a.outcome is Outcome.PARTIAL_RESPONSE
        and not a.failed
        and a.conflict is None
    )
    extra = ""
    if episode.unrecognised_agents:
        extra += (
            f" Unrecognised agent{'s' if len(episode.unrecognised_agents) > 1 else ''} "
            f"({', '.join(episode.unrecognised_agents)}): not in the drug table; check the spelling."
        )
    if bipolar:
        return TrdStatus(
            TrdStatusKind.NOT_APPLICABLE,
            failed,
            assessments,
            "Not applicable (bipolar depression): the primary diagnosis is bipolar-spectrum, and "
            f"TRD is defined for unipolar major depression only ({BIPOLAR_SOURCE}). "
            f"{_plural(failed, 'distinct antidepressant')} failed adequate trials in the current episode." + extra,
            0,
            episode.failed_agents,
            episode.unrecognised_agents,
            partial,
        )
    undetermined = sum(
        1
        for a in assessments
        if a.in_current_episode
        and a.kind in ANTIDEPRESSANT_KINDS
        and a.missing
        and a.merged_into is None
        and not a.counts_toward_trd
        and (a.agent not in episode.failed_agents)
    )
    need = TRD_MIN_FAILED_TRIALS
    agents = f" ({', '.join(episode.failed_agents)})" if episode.failed_agents else ""
    counted = f"{_plural(failed, 'distinct antidepressant')} with an adequate failed trial{agents}"
    if failed >= need:
        status = TrdStatusKind.TRD
        text = (
            f"TRD: {counted} in the current episode (the definition needs {need} or more different "
            "antidepressants). This definition applies to unipolar major depression only."
        )
    elif failed + undetermined >= need:
        status = TrdStatusKind.INSUFFICIENT_DATA
        text = (
            f"Insufficient data: {counted} in the current episode, and "
            f"{_plural(undetermined, 'more trial')} could not be judged because facts are "
            f"missing or contradictory. TRD needs {need}; complete those records to decide."
        )
    else:
        status = TrdStatusKind.NOT_TRD
        text = f"Not TRD: {counted} in the current episode; TRD needs {need} or more different antidepressants."
    if partial and not settings.partial_response_counts_as_failure:
        text += (
            f" {_plural(partial, 'adequate trial')} ended in partial response (25–49% improvement), "
            f"which {PRD_SOURCE} calls '{PRD_LABEL}' rather than a failure."
        )
    return TrdStatus(
        status,
        failed,
        assessments,
        text + extra,
        undetermined,
        episode.failed_agents,
        episode.unrecognised_agents,
        partial,
    )
