"""Treatment plans: problems, goals, SMART objectives and interventions."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from trdplanner.core.convert import record_from_row, row_from_record
from trdplanner.core.db import Database
from trdplanner.core.errors import NotFoundError
from trdplanner.core.models import (
    Patient,
    PlanGoal,
    PlanIntervention,
    PlanObjective,
    PlanProblem,
    TreatmentPlan,
)
from trdplanner.core.records import (
    GoalRec,
    InterventionRec,
    ObjectiveRec,
    PlanRec,
    ProblemRec,
)
from trdplanner.core.validate import check_plan
from trdplanner.core.versioning import check_version, touch
from trdplanner.core.vocab import PlanStatus


def plan_from_row(row: TreatmentPlan) -> PlanRec:
    return record_from_row(
        PlanRec,
        row,
        problems=[
            record_from_row(
                ProblemRec,
                p,
                goals=[
                    record_from_row(GoalRec, g, objectives=[record_from_row(ObjectiveRec, o) for o in g.objectives])
                    for g in p.goals
                ],
                interventions=[record_from_row(InterventionRec, i) for i in p.interventions],
            )
            for p in row.problems
        ],
    )


def plan_row(patient_id: int, plan: PlanRec) -> TreatmentPlan:
    row = row_from_record(TreatmentPlan, plan, patient_id=patient_id)
    _fill_problems(row, plan)
    return row


def _fill_problems(row: TreatmentPlan, plan: PlanRec) -> None:
    row.problems = [
        row_from_record(
            PlanProblem,
            p,
            position=i,
            goals=[
                row_from_record(
                    PlanGoal,
                    g,
                    position=j,
                    objectives=[row_from_record(PlanObjective, o, position=k) for k, o in enumerate(g.objectives)],
                )
                for j, g in enumerate(p.goals)
            ],
            interventions=[row_from_record(PlanIntervention, iv, position=j) for j, iv in enumerate(p.interventions)],
        )
        for i, p in enumerate(plan.problems)
    ]


def plans_in(s: Session, patient_id: int) -> list[PlanRec]:
    rows = s.scalars(
        select(TreatmentPlan)
        .where(TreatmentPlan.patient_id == patient_id)
        .order_by(TreatmentPlan.created_on, TreatmentPlan.id)
    )
    return [plan_from_row(r) for r in rows]


class PlanService:
    def __init__(self, db: Database) -> None:
        self.db = db

    def list(self, patient_id: int) -> list[PlanRec]:
        with self.db.reading() as s:
            if s.get(Patient, patient_id) is None:
                raise NotFoundError("patient", patient_id)
            return plans_in(s, patient_id)

    def current(self, patient_id: int) -> PlanRec | None:
        active = [p for p in self.list(patient_id) if p.status == PlanStatus.ACTIVE]
        return active[-1] if active else None

    def save(self, patient_id: int, plan: PlanRec) -> int:
        """Create the plan, or replace its contents when it has an id."""
        check_plan(plan)
        with self.db.transaction() as s:
            if s.get(Patient, patient_id) is None:
                raise NotFoundError("patient", patient_id)
            if plan.id is None:
                row = plan_row(patient_id, plan)
                s.add(row)
            else:
                found = s.get(TreatmentPlan, plan.id)
                if found is None or found.patient_id != patient_id:
                    raise NotFoundError("treatment plan", plan.id)
                row = found
                check_version(row, plan.version, "treatment plan")
                for name in ("created_on", "revised_on", "review_date", "status", "client_participation"):
                    setattr(row, name, getattr(plan, name))
                _fill_problems(row, plan)
                touch(row)
            s.flush()
            return row.id
