"""The treatment plan: problems, goals, SMART objectives and interventions."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import Date, Float, ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from trdplanner.core.models.base import Base, Versioned


class TreatmentPlan(Versioned, Base):
    __tablename__ = "treatment_plan"

    id: Mapped[int] = mapped_column(primary_key=True)
    patient_id: Mapped[int] = mapped_column(ForeignKey("patient.id", ondelete="CASCADE"), index=True)
    created_on: Mapped[dt.date] = mapped_column(Date)
    revised_on: Mapped[dt.date | None] = mapped_column(Date)
    review_date: Mapped[dt.date | None] = mapped_column(Date)
    status: Mapped[str] = mapped_column(String(20), default="active")
    client_participation: Mapped[str] = mapped_column(Text, default="")

    problems: Mapped[list[PlanProblem]] = relationship(cascade="all, delete-orphan", order_by="PlanProblem.position")


class PlanProblem(Base):
    __tablename__ = "plan_problem"

    id: Mapped[int] = mapped_column(primary_key=True)
    plan_id: Mapped[int] = mapped_column(ForeignKey("treatment_plan.id", ondelete="CASCADE"), index=True)
    position: Mapped[int] = mapped_column(Integer, default=0)
    statement: Mapped[str] = mapped_column(Text)
    evidence: Mapped[str] = mapped_column(Text, default="")

    goals: Mapped[list[PlanGoal]] = relationship(cascade="all, delete-orphan", order_by="PlanGoal.position")
    interventions: Mapped[list[PlanIntervention]] = relationship(
        cascade="all, delete-orphan", order_by="PlanIntervention.position"
    )


class PlanGoal(Base):
    __tablename__ = "plan_goal"

    id: Mapped[int] = mapped_column(primary_key=True)
    problem_id: Mapped[int] = mapped_column(ForeignKey("plan_problem.id", ondelete="CASCADE"), index=True)
    position: Mapped[int] = mapped_column(Integer, default=0)
    text: Mapped[str] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(20), default="active")

    objectives: Mapped[list[PlanObjective]] = relationship(
        cascade="all, delete-orphan", order_by="PlanObjective.position"
    )


class PlanObjective(Base):
    """A SMART objective, optionally tied to a measure target such as PHQ-9 below 10."""

    __tablename__ = "plan_objective"

    id: Mapped[int] = mapped_column(primary_key=True)
    goal_id: Mapped[int] = mapped_column(ForeignKey("plan_goal.id", ondelete="CASCADE"), index=True)
    position: Mapped[int] = mapped_column(Integer, default=0)
    text: Mapped[str] = mapped_column(Text)
    target_instrument: Mapped[str] = mapped_column(String(20), default="")
    target_comparator: Mapped[str] = mapped_column(String(2), default="")
    target_value: Mapped[float | None] = mapped_column(Float)
    target_date: Mapped[dt.date | None] = mapped_column(Date)
    review_date: Mapped[dt.date | None] = mapped_column(Date)
    status: Mapped[str] = mapped_column(String(20), default="not_met")


class PlanIntervention(Base):
    __tablename__ = "plan_intervention"

    id: Mapped[int] = mapped_column(primary_key=True)
    problem_id: Mapped[int] = mapped_column(ForeignKey("plan_problem.id", ondelete="CASCADE"), index=True)
    position: Mapped[int] = mapped_column(Integer, default=0)
    text: Mapped[str] = mapped_column(Text)
    modality: Mapped[str] = mapped_column(String(20), default="")
    frequency: Mapped[str] = mapped_column(String(100), default="")
    responsible: Mapped[str] = mapped_column(String(200), default="")
