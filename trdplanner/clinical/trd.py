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

import math
from collections.abc import Iterable
from dataclasses import dataclass, replace
from datetime import date
from enum import StrEnum

from trdplanner.clinical.drugs import DrugTable, fold
from trdplanner.clinical.errors import SettingsError, TrialInputError
from trdplanner.clinical.provenance import Provenance, sourced

MIN_WEEKS_RANGE = (4, 6)
TRD_MIN_FAILED_TRIALS = 2


class TrialKind(StrEnum):
    ANTIDEPRESSANT_MONOTHERAPY = "antidepressant_monotherapy"
    SWITCH = "switch"
    COMBINATION = "combination"
    AUGMENTATION = "augmentation"
    ESKETAMINE = "esketamine"
    IV_KETAMINE = "iv_ketamine"
    ECT = "ect"
    RTMS_ITBS = "rtms_itbs"
    VNS = "vns"
    PSYCHOTHERAPY = "psychotherapy"

    @property
    def display_name(self) -> str:
        return _KIND_NAMES[self]


_KIND_NAMES: dict[TrialKind, str] = {
    TrialKind.ANTIDEPRESSANT_MONOTHERAPY: "antidepressant",
    TrialKind.SWITCH: "antidepressant switch",
    TrialKind.COMBINATION: "antidepressant combination",
    TrialKind.AUGMENTATION: "augmentation",
    TrialKind.ESKETAMINE: "esketamine",
    TrialKind.IV_KETAMINE: "IV ketamine",
    TrialKind.ECT: "ECT course",
    TrialKind.RTMS_ITBS: "rTMS/iTBS course",
    TrialKind.VNS: "VNS",
    TrialKind.PSYCHOTHERAPY: "psychotherapy",
}

#: Trials that count toward the "two adequate antidepressant trials" rule.
ANTIDEPRESSANT_KINDS = frozenset(
    {TrialKind.ANTIDEPRESSANT_MONOTHERAPY, TrialKind.SWITCH, TrialKind.COMBINATION}
)
#: Trials judged by the dose-and-duration rule.
DOSED_KINDS = ANTIDEPRESSANT_KINDS | {TrialKind.AUGMENTATION}
#: Trials where no dose/weeks rule applies, so adequacy is the clinician's call.
CLINICIAN_JUDGED_KINDS = frozenset(set(TrialKind) - DOSED_KINDS)
#: Treatments that are not a medicine: what is typed as their "agent" ("Bilateral ECT") describes the
#: course and is never looked up in the drug table (nor called an unrecognised drug).
NON_DRUG_KINDS = frozenset({TrialKind.ECT, TrialKind.RTMS_ITBS, TrialKind.VNS, TrialKind.PSYCHOTHERAPY})


class Outcome(StrEnum):
    RESPONSE = "response"
    PARTIAL_RESPONSE = "partial_response"
    NON_RESPONSE = "non_response"
    NOT_ASSESSABLE = "not_assessable"


class StopReason(StrEnum):
    INEFFICACY = "inefficacy"
    INTOLERANCE = "intolerance"
    NON_ADHERENCE = "non_adherence"
    OTHER = "other"
    ONGOING = "ongoing"


class Adherence(StrEnum):
    GOOD = "good"
    PARTIAL = "partial"
    POOR = "poor"
    UNKNOWN = "unknown"


KNOWN_DRUG_CLASSES: tuple[str, ...] = (
    "SSRI",
    "SNRI",
    "TCA",
    "MAOI",
    "NDRI",
    "NaSSA",
    "SARI",
    "multimodal",
    "atypical antipsychotic",
    "lithium",
    "thyroid hormone",
)
_CLASS_ALIASES: dict[str, str] = {
    **{c.casefold(): c for c in KNOWN_DRUG_CLASSES},
    "tricyclic": "TCA",
    "tricyclic antidepressant": "TCA",
    "monoamine oxidase inhibitor": "MAOI",
    "mao inhibitor": "MAOI",
    "atypical antipsychotics": "atypical antipsychotic",
    "second-generation antipsychotic": "atypical antipsychotic",
}


def normalize_drug_class(value: str | None) -> str | None:
    """Canonical spelling for known classes (``"ssri"``, ``"SSRIs"`` → ``"SSRI"``); others trimmed.

    Blank text becomes ``None`` so "no class recorded" has one representation. A plural of a
    known class is the class: "SSRIs" and "SSRI" counted as two classes once.
    """
    if value is None:
        return None
    cleaned = " ".join(value.split())
    if not cleaned:
        return None
    key = cleaned.casefold()
    if key in _CLASS_ALIASES:
        return _CLASS_ALIASES[key]
    if key.endswith("s") and key[:-1] in _CLASS_ALIASES:
        return _CLASS_ALIASES[key[:-1]]
    return cleaned


def outcome_from_scores(baseline: int, end: int) -> Outcome:
    """Response ≥50%, partial 25-49% (EU-PEARL), non-response <25% improvement.

    A baseline of 0 leaves nothing to improve on, so the outcome is not
    assessable. Integer arithmetic keeps the 25% and 50% boundaries exact.
    """
    if baseline <= 0:
        return Outcome.NOT_ASSESSABLE
    drop = baseline - end
    if drop * 2 >= baseline:
        return Outcome.RESPONSE
    if drop * 4 >= baseline:
        return Outcome.PARTIAL_RESPONSE
    return Outcome.NON_RESPONSE


@dataclass(frozen=True)
class TrialFacts:
    """One treatment trial as recorded.

    ``dose`` and ``min_effective_dose`` share ``dose_unit``. For a combination
    trial they refer to the agent added in that trial. ``weeks_at_adequate_dose``
    wins over dates; when it is missing it is derived from ``start``/``stop``
    (or the ``as_of`` date for a trial still running), which assumes the dose
    was at or above the minimum for the whole span, so it overstates duration
    when there was a slow titration: record weeks directly in that case.
    """

    id: str
    kind: TrialKind
    agent: str = ""
    drug_class: str | None = None
    dose: float | None = None
    min_effective_dose: float | None = None
    dose_unit: str = "mg"
    start: date | None = None
    stop: date | None = None
    weeks_at_adequate_dose: float | None = None
    adherence: Adherence = Adherence.UNKNOWN
    baseline_score: int | None = None
    end_score: int | None = None
    outcome: Outcome | None = None
    stop_reason: StopReason | None = None
    in_current_episode: bool = True
    ect_bilateral: bool | None = None
    clinician_judged_adequate: bool | None = None

    def __post_init__(self) -> None:
        # Coerce storage strings to enums so rows from the database work as-is.
        for name, enum in (
            ("kind", TrialKind),
            ("adherence", Adherence),
            ("outcome", Outcome),
            ("stop_reason", StopReason),
        ):
            value = getattr(self, name)
            if value is None and name in ("outcome", "stop_reason"):
                continue
            try:
                object.__setattr__(self, name, enum(value))
            except ValueError:
                allowed = ", ".join(m.value for m in enum)
                raise TrialInputError(
                    name, f"unknown value {value!r}; expected one of {allowed}"
                ) from None
        object.__setattr__(self, "drug_class", normalize_drug_class(self.drug_class))

        for name in ("dose", "min_effective_dose", "weeks_at_adequate_dose"):
            value = getattr(self, name)
            if value is not None and (not math.isfinite(value) or value < 0):
                raise TrialInputError(name, f"must be a number 0 or more, got {value!r}")
        if self.min_effective_dose == 0:
            raise TrialInputError("min_effective_dose", "must be more than 0")
        for name in ("baseline_score", "end_score"):
            value = getattr(self, name)
            if value is not None and value < 0:
                raise TrialInputError(name, f"must be 0 or more, got {value!r}")
        if self.start and self.stop and self.stop < self.start:
            raise TrialInputError(
                "stop",
                f"stop date {self.stop.isoformat()} is before start {self.start.isoformat()}",
            )


@dataclass(frozen=True)
class TrdSettings:
    """Choices the published definitions leave open. Field metadata records sources.

    ``partial_response_counts_as_failure``: the 2021 operational consensus
    (Depression & Anxiety 38:456) calls anything under 50% improvement
    non-response, so a 25-49% partial response would be a failed trial. The
    EU-PEARL Delphi (Sforzini et al. 2022) instead keeps TRD for <25%
    improvement and names 25-49% "partially responsive depression". The default
    (False) follows EU-PEARL; set True to follow the 2021 consensus.

    ``partial_adherence_is_adequate``: adequacy needs "reasonable adherence",
    which no source defines. By default a trial with partial adherence is not
    treated as adequate, since counting it risks calling pseudo-resistance TRD.
    """

    min_weeks: float = sourced(
        4,
        Provenance(
            verified=True,
            source="4-6 weeks at adequate dose: 2021 operational consensus; the ATHF "
            "requires at least 4 weeks",
            note="4 is the lower end of the published range; 6 is stricter.",
        ),
    )
    partial_response_counts_as_failure: bool = sourced(
        False,
        Provenance(
            verified=True,
            source="EU-PEARL (Sforzini et al. 2022): 25-49% improvement is partial "
            "response, not a failure",
            note="The 2021 consensus counts any improvement under 50% as non-response.",
        ),
    )
    intolerance_stop_counts_as_failure: bool = sourced(
        False,
        Provenance(
            verified=True,
            source="ATHF convention (Sackeim; Oquendo et al. 2003): trials stopped because of "
            "intolerance are discounted",
            note="Default: a trial stopped for intolerance is not a failure, whatever its length.",
        ),
    )
    partial_adherence_is_adequate: bool = sourced(
        False,
        Provenance(
            verified=False,
            source="Judgement: definitions require 'reasonable adherence' without defining it",
            note="Default treats partial adherence as not adequate.",
        ),
    )

    def __post_init__(self) -> None:
        lo, hi = MIN_WEEKS_RANGE
        w = self.min_weeks
        if isinstance(w, bool) or not isinstance(w, int | float) or not lo <= w <= hi:
            raise SettingsError("min_weeks", f"must be {lo} to {hi} weeks, got {w!r}")


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


def _num(x: float) -> str:
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


def _duration(trial: TrialFacts, as_of: date | None) -> tuple[float | None, str]:
    if trial.weeks_at_adequate_dose is not None:
        w = trial.weeks_at_adequate_dose
        days = w * 7
        if w != int(w) and abs(days - round(days)) < 1e-6:
            # Whole days (dose steps summed from dates) read as weeks and days, never "10.7143 weeks".
            return w, _weeks_text(round(days))
        return w, f"{_num(w)} week{'s' if w != 1 else ''}"
    end = trial.stop or as_of
    if trial.start is None or end is None or end < trial.start:
        return None, ""
    days = (end - trial.start).days
    return days / 7, _weeks_text(days)


@dataclass(frozen=True)
class _Verdict:
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
        return (
            "failed augmentation (tracked for Maudsley staging; not part of the "
            "two-antidepressant rule)"
        )
    return f"failed {trial.kind.display_name} (reported; not part of the two-antidepressant rule)"


def _judge_outcome(
    trial: TrialFacts, settings: TrdSettings, prefix: str, weeks: float | None
) -> _Verdict:
    """Outcome of a trial already found adequate."""
    if trial.stop_reason is StopReason.ONGOING:
        return _Verdict(
            True, False, f"{prefix}; ongoing — not counted as a failure until it ends", None, weeks
        )
    outcome, detail, conflict = _outcome(trial)
    if conflict is not None:
        # Neither value is trusted over the other: a false TRD label is the costlier error,
        # and silently preferring the record hid a 60% improvement.
        return _Verdict(
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
            tail = (
                f"partial response (25–49% improvement: '{PRD_LABEL}', {PRD_SOURCE}) — "
                "not counted as a failure"
            )
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
    return _Verdict(True, failed, f"{prefix}; {tail}{detail}", outcome, weeks, missing)


def _assess_dosed(trial: TrialFacts, settings: TrdSettings, as_of: date | None) -> _Verdict:
    unit = trial.dose_unit
    if trial.dose is None:
        return _Verdict(False, False, "Not adequate: dose unknown", missing=("dose",))
    if trial.min_effective_dose is None:
        return _Verdict(
            False,
            False,
            "Not adequate: minimum effective dose not recorded",
            missing=("minimum effective dose",),
        )
    dose, minimum = trial.dose, trial.min_effective_dose
    if dose < minimum:
        return _Verdict(
            False,
            False,
            f"Not adequate: {_num(dose)} {unit} is below the minimum effective "
            f"{_num(minimum)} {unit}",
        )
    weeks, dur = _duration(trial, as_of)
    mw = _num(settings.min_weeks)
    if weeks is None:
        return _Verdict(
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
        return _Verdict(False, False, text, weeks=weeks)
    if trial.stop_reason is StopReason.NON_ADHERENCE:
        return _Verdict(False, False, "Not adequate: stopped because of non-adherence", weeks=weeks)
    if trial.adherence is Adherence.POOR:
        return _Verdict(False, False, "Not adequate: poor adherence", weeks=weeks)
    if trial.adherence is Adherence.PARTIAL and not settings.partial_adherence_is_adequate:
        return _Verdict(
            False,
            False,
            "Not adequate: partial adherence (the rule needs reasonable adherence)",
            weeks=weeks,
        )
    prefix = f"Adequate: {_num(dose)} {unit} ≥ minimum effective {_num(minimum)} {unit} for {dur}"
    if trial.adherence is Adherence.UNKNOWN:
        prefix += " (adherence not recorded)"
    return _judge_outcome(trial, settings, prefix, weeks)


def _assess_judged(trial: TrialFacts, settings: TrdSettings) -> _Verdict:
    what = trial.kind.display_name
    if trial.kind is TrialKind.ECT and trial.ect_bilateral is not None:
        what = f"{'bilateral' if trial.ect_bilateral else 'unilateral'} {what}"
    if trial.clinician_judged_adequate is None:
        return _Verdict(
            False,
            False,
            f"Not assessed: the clinician has not judged whether this {what} was adequate",
            missing=("clinician judgement of adequacy",),
        )
    if not trial.clinician_judged_adequate:
        return _Verdict(False, False, f"Not adequate: {what} judged inadequate by the clinician")
    prefix = f"Adequate: {what} judged adequate by the clinician"
    return _judge_outcome(trial, settings, prefix, trial.weeks_at_adequate_dose)


def _unit_key(unit: str) -> str:
    u = unit.replace(" ", "").casefold()
    return u[: -len("/day")] if u.endswith("/day") else u.removesuffix("/d")


@dataclass(frozen=True)
class _Agent:
    key: str
    name: str
    drug_class: str | None
    recognised: bool | None
    notes: tuple[str, ...] = ()


def _resolve(trial: TrialFacts, drugs: DrugTable | None) -> tuple[TrialFacts, _Agent]:
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
            return replace(trial, drug_class=recorded_class), _Agent(
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
        return replace(trial, drug_class=recorded_class), _Agent(
            fold(agent_text) or agent_text.casefold(), agent_text, recorded_class, recognised, notes
        )
    notes_list: list[str] = []
    recorded = normalize_drug_class(trial.drug_class)
    if recorded is not None and (drugs is None or drugs.canonical_class(recorded) != drug.drug_class):
        notes_list.append(
            f"recorded class '{recorded}' differs from the drug table's {drug.drug_class}; "
            "the table's class is used"
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
                f"recorded minimum {_num(trial.min_effective_dose)} {trial.dose_unit} overrides the "
                f"drug table's {drug.min_dose_text}"
            )
    return facts, _Agent(drug.name, drug.name, drug.drug_class, True, tuple(notes_list))


def _with_notes(text: str, notes: tuple[str, ...]) -> str:
    return text if not notes else f"{text}. Note: {'; '.join(notes)}."


def _assessment(
    trial: TrialFacts, v: _Verdict, agent: _Agent, *, counts: bool | None = None, reason: str | None = None
) -> TrialAssessment:
    if counts is None:
        counts = (
            trial.in_current_episode and trial.kind in ANTIDEPRESSANT_KINDS and v.adequate and v.failed
        )
    text = reason if reason is not None else _with_notes(v.text, agent.notes)
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


def _verdict(trial: TrialFacts, settings: TrdSettings, as_of: date | None) -> _Verdict:
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
    facts, agent = _resolve(trial, drugs)
    return _assessment(facts, _verdict(facts, settings, as_of), agent)


_ADHERENCE_ORDER = (Adherence.POOR, Adherence.PARTIAL, Adherence.UNKNOWN, Adherence.GOOD)


def _merge_run(run: list[TrialFacts], settings: TrdSettings, as_of: date | None) -> TrialFacts:
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
        weeks, _ = _duration(t, as_of)
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
    unknown = any(t.dose is None or _duration(t, as_of)[0] is None for t in run)
    if chosen is None or (unknown and (minimum is None or chosen[0] < minimum or chosen[1] < settings.min_weeks)):
        # Not decidable from the steps we know: judge the step with missing facts so they are asked for.
        gap = next(t for t in run if t.dose is None or _duration(t, as_of)[0] is None)
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
    resolved = [_resolve(t, drugs) for t in given]
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
        merged = _merge_run(facts_run, settings, as_of) if len(run) > 1 else facts_run[0]
        v = _verdict(merged, settings, as_of)
        text = _with_notes(v.text, notes)
        if len(run) > 1:
            doses = " → ".join(_num(f.dose) if f.dose is not None else "?" for f in facts_run)
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
        out[last] = _assessment(resolved[last][0], v, agent, counts=counts, reason=text)
        for i in run[:-1]:
            step = resolved[i][0]
            out[i] = replace(
                _assessment(step, v, agent, counts=False, reason=(
                    f"Dose step of the {agent.name} trial judged as one with trial {given[last].id} "
                    "(same agent, consecutive): see that trial."
                )),
                merged_into=given[last].id,
                missing=(),
            )

    for i, (facts, agent) in enumerate(resolved):
        if out[i] is None:
            out[i] = _assessment(facts, _verdict(facts, settings, as_of), agent, counts=False)
    unrecognised = tuple(
        dict.fromkeys(a.name for f, a in resolved if a.recognised is False and f.in_current_episode)
    )
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
            f"{_plural(failed, 'distinct antidepressant')} failed adequate trials in the current episode."
            + extra,
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
