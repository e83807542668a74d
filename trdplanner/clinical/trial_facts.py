"""What is recorded about one treatment trial, the kinds of trial, and the TRD settings.

The vocabulary the adequacy rules (``adequacy.py``) and the episode's TRD status
(``trd.py``) share; see ``trd.py`` for the definitions from the clinical reference §3.
"""

from __future__ import annotations

import math
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
ANTIDEPRESSANT_KINDS = frozenset({TrialKind.ANTIDEPRESSANT_MONOTHERAPY, TrialKind.SWITCH, TrialKind.COMBINATION})
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
                raise TrialInputError(name, f"unknown value {value!r}; expected one of {allowed}") from None
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
            source="4-6 weeks at adequate dose: 2021 operational consensus; the ATHF requires at least 4 weeks",
            note="4 is the lower end of the published range; 6 is stricter.",
        ),
    )
    partial_response_counts_as_failure: bool = sourced(
        False,
        Provenance(
            verified=True,
            source="EU-PEARL (Sforzini et al. 2022): 25-49% improvement is partial response, not a failure",
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
