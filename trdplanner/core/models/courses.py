"""Interventional treatment courses (esketamine, IV ketamine, rTMS/iTBS, ECT) and their sessions.

Each course owns one row in the trial ledger (``trial_id``) that the course service keeps in
step, so TRD status and staging see the course with no rule of their own. A course session
carries its own ``patient_id`` so the group practice's row-level security reads it directly.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import Date, Float, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from trdplanner.core.models.base import Base, utcnow
from trdplanner.core.models.history import Trial


class TreatmentCourse(Base):
    __tablename__ = "treatment_course"

    id: Mapped[int] = mapped_column(primary_key=True)
    patient_id: Mapped[int] = mapped_column(ForeignKey("patient.id", ondelete="CASCADE"), index=True)
    trial_id: Mapped[int] = mapped_column(ForeignKey("trial.id", ondelete="CASCADE"), unique=True)
    kind: Mapped[str] = mapped_column(String(20))
    start: Mapped[dt.date] = mapped_column(Date)
    stop: Mapped[dt.date | None] = mapped_column(Date)
    outcome: Mapped[str] = mapped_column(String(30), default="")
    stop_reason: Mapped[str] = mapped_column(String(30), default="")
    provider: Mapped[str] = mapped_column(String(200), default="")
    # rTMS/iTBS: the protocol, the target and the number of sessions planned.
    protocol: Mapped[str] = mapped_column(String(100), default="")
    target: Mapped[str] = mapped_column(String(100), default="")
    planned_sessions: Mapped[int | None] = mapped_column(Integer)
    # Ketamine courses have no adequacy rule; the clinician's judgement is kept here.
    judged_adequate: Mapped[bool | None] = mapped_column()
    notes: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)

    trial: Mapped[Trial] = relationship()
    sessions: Mapped[list[CourseSession]] = relationship(
        back_populates="course", cascade="all, delete-orphan", order_by="CourseSession.number"
    )


class CourseSession(Base):
    __tablename__ = "course_session"
    __table_args__ = (UniqueConstraint("course_id", "number"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    course_id: Mapped[int] = mapped_column(ForeignKey("treatment_course.id", ondelete="CASCADE"), index=True)
    patient_id: Mapped[int] = mapped_column(ForeignKey("patient.id", ondelete="CASCADE"), index=True)
    number: Mapped[int] = mapped_column(Integer)  # session n of the course; an ECT treatment number
    given_on: Mapped[dt.date] = mapped_column(Date)
    # Esketamine and IV ketamine.
    dose: Mapped[float | None] = mapped_column(Float)  # mg (esketamine) or mg/kg (IV ketamine)
    infusion_minutes: Mapped[int | None] = mapped_column(Integer)
    bp_before: Mapped[str] = mapped_column(String(10), default="")  # "128/82"
    bp_after: Mapped[str] = mapped_column(String(10), default="")
    observed_minutes: Mapped[int | None] = mapped_column(Integer)
    sedation: Mapped[int | None] = mapped_column(Integer)  # our own 0-4 scale
    dissociation: Mapped[int | None] = mapped_column(Integer)  # our own 0-4 scale
    adverse_events: Mapped[str] = mapped_column(Text, default="")
    travel_home: Mapped[str] = mapped_column(String(200), default="")
    # rTMS/iTBS.
    motor_threshold_percent: Mapped[int | None] = mapped_column(Integer)
    pulses: Mapped[int | None] = mapped_column(Integer)
    # ECT.
    placement: Mapped[str] = mapped_column(String(20), default="")
    seizure_seconds: Mapped[int | None] = mapped_column(Integer)
    cognitive_effects: Mapped[str] = mapped_column(Text, default="")
    notes: Mapped[str] = mapped_column(Text, default="")

    course: Mapped[TreatmentCourse] = relationship(back_populates="sessions")
