"""Boundary checks for records before they reach the database.

Each check raises InputError naming the field, so the CLI prints one line and the
GUI shows the message beside the field; nothing is written when a check fails.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from enum import StrEnum

from trdplanner.core.errors import InputError
from trdplanner.core.records import PatientProfile, PlanRec, TrialRec
from trdplanner.core.vocab import (
    COMPARATORS,
    FACTORS,
    Adherence,
    CareRole,
    FactorGroup,
    GoalStatus,
    ObjectiveStatus,
    PatientStatus,
    PlanStatus,
    RiskLevel,
    Severity,
)

ICD10 = re.compile(r"^[A-TV-Z][0-9][0-9AB](\.[0-9A-TV-Z]{1,4})?$")
CODE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,39}$")


def one_of(field: str, value: str, allowed: type[StrEnum] | Iterable[str], *, blank_ok: bool = False) -> None:
    if blank_ok and value == "":
        return
    options = [str(v) for v in allowed]
    if value not in options:
        raise InputError(field, f"must be one of {', '.join(options)}; got {value!r}")


def not_blank(field: str, value: str) -> None:
    if not value.strip():
        raise InputError(field, "must not be empty")


def icd10(field: str, value: str) -> None:
    if value and not ICD10.fullmatch(value.upper()):  # fullmatch: "$" would let a trailing newline in
        raise InputError(field, f"not an ICD-10 code (like F33.2): {value!r}")


def check_profile(p: PatientProfile) -> None:
    if not CODE.fullmatch(p.code):
        raise InputError("code", "must be 1-40 letters, digits, dots, hyphens or underscores")
    not_blank("full_name", p.full_name)
    one_of("status", p.status, PatientStatus)
    one_of("risk_level", p.risk_level, RiskLevel)
    icd10("primary_diagnosis_icd10", p.primary_diagnosis_icd10)
    for i, c in enumerate(p.comorbidities):
        not_blank(f"comorbidities[{i}].description", c.description)
        icd10(f"comorbidities[{i}].icd10", c.icd10)
    for i, f in enumerate(p.factors):
        one_of(f"factors[{i}].group", f.group, FactorGroup)
        one_of(f"factors[{i}].factor", f.factor, FACTORS[FactorGroup(f.group)])
    for i, m in enumerate(p.care_team):
        one_of(f"care_team[{i}].role", m.role, CareRole)
        not_blank(f"care_team[{i}].name", m.name)
    for i, med in enumerate(p.medications):
        not_blank(f"medications[{i}].name", med.name)
        one_of(f"medications[{i}].adherence", med.adherence, Adherence)
    numbers = [e.number for e in p.episodes]
    if len(set(numbers)) != len(numbers):
        raise InputError("episodes", "episode numbers must be unique")
    for i, e in enumerate(p.episodes):
        if e.number < 1:
            raise InputError(f"episodes[{i}].number", "must be 1 or more")
        one_of(f"episodes[{i}].severity", e.severity, Severity, blank_ok=True)
        if e.onset and e.ended and e.ended < e.onset:
            raise InputError(f"episodes[{i}].ended", "is before the onset")
    if p.date_of_birth and p.date_of_birth.year < 1900:
        raise InputError("date_of_birth", "is before 1900")


def check_trial(t: TrialRec, episode_numbers: set[int], field: str = "trial") -> None:
    from trdplanner.clinical import Outcome, StopReason, TrialKind

    one_of(f"{field}.kind", t.kind, TrialKind)
    one_of(f"{field}.adherence", t.adherence, Adherence)
    one_of(f"{field}.outcome", t.outcome, Outcome, blank_ok=True)
    one_of(f"{field}.stop_reason", t.stop_reason, StopReason, blank_ok=True)
    if t.episode_number is not None and t.episode_number not in episode_numbers:
        raise InputError(f"{field}.episode_number", f"no episode {t.episode_number} on file")
    for name in ("dose", "min_effective_dose", "weeks_at_adequate_dose"):
        value = getattr(t, name)
        if value is not None and value < 0:
            raise InputError(f"{field}.{name}", "must not be negative")
    if t.min_effective_dose == 0:  # the TRD rules refuse a zero minimum, so storing one would break the summary
        raise InputError(f"{field}.min_effective_dose", "must be more than 0")
    for name in ("baseline_score", "end_score", "treatments_count"):
        value = getattr(t, name)
        if value is not None and value < 0:
            raise InputError(f"{field}.{name}", "must not be negative")
    if t.start and t.stop and t.stop < t.start:
        raise InputError(f"{field}.stop", "is before the start")


def check_plan(plan: PlanRec, field: str = "plan") -> None:
    one_of(f"{field}.status", plan.status, PlanStatus)
    for i, problem in enumerate(plan.problems):
        pf = f"{field}.problems[{i}]"
        not_blank(f"{pf}.statement", problem.statement)
        for j, goal in enumerate(problem.goals):
            gf = f"{pf}.goals[{j}]"
            not_blank(f"{gf}.text", goal.text)
            one_of(f"{gf}.status", goal.status, GoalStatus)
            for k, obj in enumerate(goal.objectives):
                of = f"{gf}.objectives[{k}]"
                not_blank(f"{of}.text", obj.text)
                one_of(f"{of}.status", obj.status, ObjectiveStatus)
                one_of(f"{of}.target_comparator", obj.target_comparator, COMPARATORS, blank_ok=True)
                if obj.target_comparator and (obj.target_value is None or not obj.target_instrument):
                    raise InputError(f"{of}.target_value", "a measure target needs an instrument and a value")
        for j, iv in enumerate(problem.interventions):
            not_blank(f"{pf}.interventions[{j}].text", iv.text)
