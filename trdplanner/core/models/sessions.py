"""Therapy sessions, the template instances filled in them, and homework."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import Boolean, Date, ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from trdplanner.core.models.base import Base, Versioned, utcnow
from trdplanner.core.models.groups import SessionAttendee


class TherapySession(Versioned, Base):
    __tablename__ = "therapy_session"

    id: Mapped[int] = mapped_column(primary_key=True)
    patient_id: Mapped[int] = mapped_column(ForeignKey("patient.id", ondelete="CASCADE"), index=True)
    clinician_id: Mapped[int | None] = mapped_column(ForeignKey("clinician.id"))
    number: Mapped[int] = mapped_column(Integer)
    date: Mapped[dt.date] = mapped_column(Date, index=True)
    duration_minutes: Mapped[int] = mapped_column(Integer, default=50)
    format: Mapped[str] = mapped_column(String(20), default="individual")
    modality: Mapped[str] = mapped_column(String(20), default="")
    status: Mapped[str] = mapped_column(String(20), default="planned")
    agenda: Mapped[list[Any]] = mapped_column(default=list)
    interventions: Mapped[list[Any]] = mapped_column(default=list)
    safety_plan_reviewed: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    # A member's copy of a group meeting (core/services/groups.py); the name and attendance are
    # copied so the record (and its export) says which group it was without reading the group.
    group_meeting_id: Mapped[int | None] = mapped_column(ForeignKey("group_meeting.id", ondelete="SET NULL"))
    group_name: Mapped[str] = mapped_column(String(200), default="", server_default="")
    group_attendance: Mapped[str] = mapped_column(String(20), default="", server_default="")

    instances: Mapped[list[TemplateInstance]] = relationship(
        cascade="all, delete-orphan", order_by="TemplateInstance.position"
    )
    homework: Mapped[list[Homework]] = relationship(
        cascade="all, delete-orphan",
        order_by="Homework.position",
        foreign_keys="Homework.session_id",
    )
    # People present who are not patients (a family session's relatives).
    attendees: Mapped[list[SessionAttendee]] = relationship(
        cascade="all, delete-orphan", order_by="SessionAttendee.position"
    )


class TemplateInstance(Base):
    """A template filled in a session. The definition is snapshotted so later edits never change it."""

    __tablename__ = "template_instance"

    id: Mapped[int] = mapped_column(primary_key=True)
    session_id: Mapped[int] = mapped_column(ForeignKey("therapy_session.id", ondelete="CASCADE"), index=True)
    position: Mapped[int] = mapped_column(Integer, default=0)
    template_id: Mapped[str] = mapped_column(String(100))
    template_version: Mapped[int] = mapped_column(Integer)
    template_snapshot: Mapped[dict[str, Any]] = mapped_column()
    values: Mapped[dict[str, Any]] = mapped_column(default=dict)
    role: Mapped[str] = mapped_column(String(20), default="in_session")
    updated_at: Mapped[dt.datetime] = mapped_column(default=utcnow, onupdate=utcnow)


class Homework(Base):
    __tablename__ = "homework"

    id: Mapped[int] = mapped_column(primary_key=True)
    session_id: Mapped[int] = mapped_column(ForeignKey("therapy_session.id", ondelete="CASCADE"), index=True)
    position: Mapped[int] = mapped_column(Integer, default=0)
    title: Mapped[str] = mapped_column(String(300))
    template_id: Mapped[str] = mapped_column(String(100), default="")
    instructions: Mapped[str] = mapped_column(Text, default="")
    status: Mapped[str] = mapped_column(String(20), default="assigned")
    reviewed_in_session_id: Mapped[int | None] = mapped_column(ForeignKey("therapy_session.id", ondelete="SET NULL"))
    review_notes: Mapped[str] = mapped_column(Text, default="")
