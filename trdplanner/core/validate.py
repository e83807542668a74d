"""Boundary checks for records before they reach the database.

Each check raises InputError naming the field, so the CLI prints one line and the
GUI shows the message beside the field; nothing is written when a check fails.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable
from enum import StrEnum
from typing import TypeVar

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


# Plausible dates, by meaning. Anything outside is a typo or a hostile file, and would break
# what reads it later (a chart axis cannot reach the year 10000).
EARLIEST = dt.date(1900, 1, 1)
# Plans look ahead (a review or target date); nothing in a plan needs to be later than this.
PLANNING_HORIZON = dt.date(2100, 12, 31)


def _today() -> dt.date:
    return dt.date.today()


def event_date(field: str, value: dt.date | dt.datetime | None) -> None:
    """Something that happened or is booked: a session, a score, a trial, a signature.

    Between 1900 and a year from today (a session can be booked ahead; not further).
    """
    if value is None:
        return
    day = value.date() if isinstance(value, dt.datetime) else value
    latest = _today() + dt.timedelta(days=366)
    if day < EARLIEST:
        raise InputError(field, f"{day.isoformat()} is before {EARLIEST.year}; check the date")
    if day > latest:
        raise InputError(field, f"{day.isoformat()} is more than a year from today; check the date")


def birth_date(field: str, value: dt.date | None) -> None:
    """A date of birth: from 1900 to today, never in the future."""
    if value is None:
        return
    if value < EARLIEST:
        raise InputError(field, f"is before {EARLIEST.year}")
    if value > _today():
        raise InputError(field, f"{value.isoformat()} is in the future")


def planned_date(field: str, value: dt.date | None) -> None:
    """A date a plan aims at (a review, a target): from 1900 to the end of 2100."""
    if value is None:
        return
    if not EARLIEST <= value <= PLANNING_HORIZON:
        raise InputError(
            field, f"{value.isoformat()} is outside {EARLIEST.year} to {PLANNING_HORIZON.year}; check the date"
        )


# A search is a few words; anything longer is a paste gone wrong (or an attack on the query
# planner: SQLite refuses a LIKE pattern over 50,000 bytes with an error no user should see).
MAX_SEARCH_CHARS = 200


def search_text(value: str, field: str = "search") -> str:
    """A search string, refused in words if it is too long to be one."""
    if len(value) > MAX_SEARCH_CHARS:
        raise InputError(field, f"is {len(value):,} characters long; a search can be at most {MAX_SEARCH_CHARS}")
    return value


def one_of(field: str, value: str, allowed: type[StrEnum] | Iterable[str], *, blank_ok: bool = False) -> None:
    if blank_ok and value == "":
        return
    options = [str(v) for v in allowed]
    if value not in options:
        raise InputError(field, f"must be one of {', '.join(options)}; got {value!r}")


E = TypeVar("E", bound=StrEnum)


def vocab(field: str, value: str, kind: type[E]) -> E:
    """``value`` as a member of the vocabulary ``kind``, or an InputError naming the field and the choices."""
    one_of(field, value, kind)
    return kind(value)


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
        event_date(f"medications[{i}].started_on", med.started_on)
    numbers = [e.number for e in p.episodes]
    if len(set(numbers)) != len(numbers):
        raise InputError("episodes", "episode numbers must be unique")
    for i, e in enumerate(p.episodes):
        if e.number < 1:
            raise InputError(f"episodes[{i}].number", "must be 1 or more")
        one_of(f"episodes[{i}].severity", e.severity, Severity, blank_ok=True)
        event_date(f"episodes[{i}].onset", e.onset)
        event_date(f"episodes[{i}].ended", e.ended)
        if e.onset and e.ended and e.ended < e.onset:
            raise InputError(f"episodes[{i}].ended", "is before the onset")
    birth_date("date_of_birth", p.date_of_birth)


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
    event_date(f"{field}.start", t.start)
    event_date(f"{field}.stop", t.stop)
    if t.start and t.stop and t.stop < t.start:
        raise InputError(f"{field}.stop", "is before the start")


def check_plan(plan: PlanRec, field: str = "plan") -> None:
    one_of(f"{field}.status", plan.status, PlanStatus)
    event_date(f"{field}.created_on", plan.created_on)
    event_date(f"{field}.revised_on", plan.revised_on)
    planned_date(f"{field}.review_date", plan.review_date)
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
                planned_date(f"{of}.target_date", obj.target_date)
                planned_date(f"{of}.review_date", obj.review_date)
                one_of(f"{of}.target_comparator", obj.target_comparator, COMPARATORS, blank_ok=True)
                if obj.target_comparator and (obj.target_value is None or not obj.target_instrument):
                    raise InputError(f"{of}.target_value", "a measure target needs an instrument and a value")
        for j, iv in enumerate(problem.interventions):
            not_blank(f"{pf}.interventions[{j}].text", iv.text)
