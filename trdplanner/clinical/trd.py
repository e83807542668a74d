"""Treatment trials, their adequacy, and whether the episode meets the TRD definition.

Rules from the clinical reference §3:

* TRD is inadequate response to at least two antidepressant trials of adequate
  dose and duration in the current episode of unipolar major depression. The
  diagnosis is not an input here; callers must not apply this to bipolar
  depression.
* Adequate means at least the minimum effective dose, held for at least 4-6
  weeks (a setting), with reasonable adherence.
* Stopping before the minimum duration is not a failure (EU-PEARL); trials
  stopped for non-adherence are discounted (ATHF).
* Outcome from scores: ≥50% improvement is response, 25-49% partial response
  (EU-PEARL), <25% non-response.

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
from dataclasses import dataclass
from datetime import date
from enum import StrEnum

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
    """Canonical spelling for known classes (``"ssri"`` → ``"SSRI"``); others trimmed.

    Blank text becomes ``None`` so "no class recorded" has one representation.
    """
    if value is None:
        return None
    cleaned = " ".join(value.split())
    if not cleaned:
        return None
    return _CLASS_ALIASES.get(cleaned.casefold(), cleaned)


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


def _outcome(trial: TrialFacts) -> tuple[Outcome, str]:
    if trial.outcome is not None:
        return trial.outcome, ""
    if trial.baseline_score is not None and trial.end_score is not None:
        b, e = trial.baseline_score, trial.end_score
        derived = outcome_from_scores(b, e)
        if b == 0:
            return derived, " (baseline score 0)"
        # Floor, so a 24.6% improvement never displays as the 25% it did not reach.
        pct = math.floor((b - e) / b * 100)
        change_text = f"{pct}% improvement" if pct >= 0 else f"{-pct}% worse"
        return derived, f" (scores {b} → {e}, {change_text})"
    return Outcome.NOT_ASSESSABLE, ""


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
    outcome, detail = _outcome(trial)
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
                "(setting: partial response counts as failure)"
            )
        else:
            failed = False
            tail = "partial response (25–49% improvement) — not counted as a failure"
    else:
        failed, tail = False, "outcome not assessable — not counted as a failure"
        if trial.outcome is None:
            missing = ("outcome",)
    if trial.stop_reason is StopReason.INTOLERANCE:
        tail += "; stopped for intolerance after an adequate trial"
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


def assess_trial(
    trial: TrialFacts, settings: TrdSettings | None = None, *, as_of: date | None = None
) -> TrialAssessment:
    """Decide whether one trial was adequate and failed, with a plain-words reason.

    ``as_of`` stands in for a missing stop date when deriving the duration of a
    trial that is still running; without it such a trial's duration is unknown.
    """
    settings = settings or TrdSettings()
    v = (
        _assess_dosed(trial, settings, as_of)
        if trial.kind in DOSED_KINDS
        else _assess_judged(trial, settings)
    )
    counts = (
        trial.in_current_episode and trial.kind in ANTIDEPRESSANT_KINDS and v.adequate and v.failed
    )
    reason = v.text
    if not trial.in_current_episode:
        reason = f"Not counted: previous episode (only the current episode counts). {v.text}"
    return TrialAssessment(
        trial_id=trial.id,
        kind=trial.kind,
        adequate=v.adequate,
        failed=v.failed,
        counts_toward_trd=counts,
        reason=reason,
        outcome=v.outcome,
        weeks_at_adequate_dose=v.weeks,
        missing=v.missing,
        in_current_episode=trial.in_current_episode,
    )


class TrdStatusKind(StrEnum):
    NOT_TRD = "not_trd"
    TRD = "trd"
    INSUFFICIENT_DATA = "insufficient_data"


@dataclass(frozen=True)
class TrdStatus:
    """The episode's TRD status.

    ``INSUFFICIENT_DATA`` means fewer than two adequate failures are established
    but trials with missing facts could bring the count to two.
    """

    status: TrdStatusKind
    adequate_failed_trials: int
    assessments: tuple[TrialAssessment, ...]
    explanation: str
    undetermined_trials: int = 0


def _plural(n: int, word: str) -> str:
    return f"{n} {word}{'' if n == 1 else 's'}"


def trd_status(
    trials: Iterable[TrialFacts],
    settings: TrdSettings | None = None,
    *,
    as_of: date | None = None,
) -> TrdStatus:
    """TRD when at least 2 adequate failed antidepressant trials are in the current episode."""
    settings = settings or TrdSettings()
    assessments = tuple(assess_trial(t, settings, as_of=as_of) for t in trials)
    failed = sum(a.counts_toward_trd for a in assessments)
    undetermined = sum(
        1
        for a in assessments
        if a.in_current_episode
        and a.kind in ANTIDEPRESSANT_KINDS
        and a.missing
        and not a.counts_toward_trd
    )
    need = TRD_MIN_FAILED_TRIALS
    counted = _plural(failed, "adequate failed antidepressant trial")
    if failed >= need:
        status = TrdStatusKind.TRD
        text = (
            f"TRD: {counted} in the current episode (the definition needs {need} or more). "
            "This definition applies to unipolar major depression only."
        )
    elif failed + undetermined >= need:
        status = TrdStatusKind.INSUFFICIENT_DATA
        text = (
            f"Insufficient data: {counted} in the current episode, and "
            f"{_plural(undetermined, 'more trial')} could not be judged because facts are "
            f"missing. TRD needs {need}; complete those records to decide."
        )
    else:
        status = TrdStatusKind.NOT_TRD
        text = f"Not TRD: {counted} in the current episode; TRD needs {need} or more."
    return TrdStatus(status, failed, assessments, text, undetermined)
