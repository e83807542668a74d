"""The treatment side of the FHIR export: trials and treatment plans.

Medication trials become MedicationStatements; every other kind in the trial ledger (ECT,
rTMS/iTBS, VNS, IV ketamine, psychotherapy) is a course of treatment, a Procedure. Each
treatment plan is a CarePlan whose goals are Goal resources, objectives as targets and notes.
"""

from __future__ import annotations

from typing import Any

from fhir.resources.R4B.careplan import CarePlan
from fhir.resources.R4B.goal import Goal
from fhir.resources.R4B.medicationstatement import MedicationStatement
from fhir.resources.R4B.procedure import Procedure
from fhir.resources.R4B.resource import Resource

from trdplanner.clinical import TrialKind
from trdplanner.core.records import PlanRec, TrialRec
from trdplanner.core.vocab import GoalStatus, PlanStatus
from trdplanner.export.fhir_build import Builder, clean, make, notes, period, target_measure, text_code
from trdplanner.export.fhir_codes import GOAL_ACHIEVEMENT

# Trials that are a prescribed drug; every other kind is a course of treatment (a Procedure).
MEDICATION_KINDS = frozenset(
    {
        TrialKind.ANTIDEPRESSANT_MONOTHERAPY,
        TrialKind.SWITCH,
        TrialKind.COMBINATION,
        TrialKind.AUGMENTATION,
        TrialKind.ESKETAMINE,
    }
)
_STOPPED_REASONS = {"inefficacy", "intolerance", "non_adherence", "other"}
_PLAN_STATUS = {"active": "active", "closed": "completed", "revised": "revoked"}
_GOAL_STATUS = {"active": "active", "met": "completed", "discontinued": "cancelled"}


def _trial_status(t: TrialRec, *, procedure: bool) -> str:
    if t.stop is None or t.stop_reason == "ongoing":
        return "in-progress" if procedure else "active"
    return "stopped" if t.stop_reason in _STOPPED_REASONS else "completed"


_OUTCOME_TEXT = {
    "response": "response",
    "partial_response": "partial response",
    "non_response": "non-response",
    "not_assessable": "not assessable",
}


def _outcome(t: TrialRec) -> str:
    return _OUTCOME_TEXT.get(t.outcome, t.outcome.replace("_", " "))


def _trial_notes(t: TrialRec, *, with_outcome: bool) -> list[dict[str, str]] | None:
    return notes(
        f"Outcome: {_outcome(t)}" if t.outcome and with_outcome else "",
        f"Stopped because of {t.stop_reason.replace('_', ' ')}" if t.stop_reason in _STOPPED_REASONS else "",
        f"Adherence: {t.adherence}" if t.adherence != "unknown" else "",
        f"Treatments given: {t.treatments_count}" if t.treatments_count is not None else "",
        f"Side effects: {t.side_effects}" if t.side_effects else "",
        t.notes,
    )


def trial_resource(t: TrialRec, subject: dict[str, str]) -> Resource:
    kind = TrialKind(t.kind)
    name = t.agent or kind.display_name
    if kind in MEDICATION_KINDS:
        dosage = [{"text": f"{t.dose:g} {t.dose_unit}"}] if t.dose is not None else None
        return make(
            MedicationStatement,
            status=_trial_status(t, procedure=False),
            category=text_code(f"Depression treatment trial: {kind.display_name}"),
            medicationCodeableConcept=text_code(name),
            subject=subject,
            effectivePeriod=period(t.start, t.stop),
            dosage=dosage,
            note=_trial_notes(t, with_outcome=True),
        )
    return make(
        Procedure,
        status=_trial_status(t, procedure=True),
        category=text_code(f"Depression treatment course: {kind.display_name}"),
        code=text_code(name),
        subject=subject,
        performedPeriod=period(t.start, t.stop),
        outcome=text_code(_outcome(t)) if t.outcome else None,
        note=_trial_notes(t, with_outcome=False),
    )


def add_plan(b: Builder, index: int, plan: PlanRec, subject: dict[str, str], condition: str | None) -> None:
    goal_refs: list[dict[str, str]] = []
    activities: list[dict[str, Any]] = []
    for p_i, problem in enumerate(plan.problems):
        for g_i, goal in enumerate(problem.goals):
            targets = [
                {
                    "measure": target_measure(o.target_instrument),
                    "detailQuantity": {"value": o.target_value, "comparator": o.target_comparator or None},
                    "dueDate": o.target_date.isoformat() if o.target_date else None,
                }
                for o in goal.objectives
                if o.target_instrument and o.target_value is not None
            ]
            data: dict[str, Any] = {
                "lifecycleStatus": _GOAL_STATUS.get(goal.status, "active"),
                "description": text_code(goal.text),
                "subject": subject,
                "target": [clean(t) for t in targets] or None,
                "note": notes(
                    f"Problem: {problem.statement}",
                    *(f"Objective ({o.status.replace('_', ' ')}): {o.text}" for o in goal.objectives),
                ),
            }
            if goal.status == GoalStatus.MET:
                data["achievementStatus"] = {"coding": [{"system": GOAL_ACHIEVEMENT, "code": "achieved"}]}
            url = b.add(b.url(f"goal-{index}-{p_i}", g_i), make(Goal, **data))
            goal_refs.append({"reference": url})
        for intervention in problem.interventions:
            how = ", ".join(x for x in (intervention.frequency, intervention.responsible) if x)
            activities.append(
                {
                    "detail": {
                        "status": "in-progress" if plan.status == PlanStatus.ACTIVE else "stopped",
                        "description": f"{intervention.text} ({how})" if how else intervention.text,
                    }
                }
            )
    care_plan = make(
        CarePlan,
        status=_PLAN_STATUS.get(plan.status, "unknown"),
        intent="plan",
        title="Treatment plan",
        description=" ".join(p.statement for p in plan.problems) or None,
        subject=subject,
        period=period(plan.created_on, None),
        created=plan.created_on.isoformat(),
        addresses=[{"reference": condition}] if condition else None,
        goal=goal_refs or None,
        activity=activities or None,
        note=notes(plan.client_participation, f"Next review {plan.review_date}" if plan.review_date else ""),
    )
    b.add(b.url("careplan", index), care_plan)
