"""Therapy groups: facilitators, members, meetings, attendance; and who else was at a session.

A group meeting is planned once (``GroupMeeting``); each member who attends gets their own
``TherapySession`` linked to it, so their forms, homework, measures and note live in their own
record and nothing of another member's does. ``SessionAttendee`` lists the people present at a
session who are not patients (a family session's relatives), by relationship and name.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import Date, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from trdplanner.core.models.base import Base, utcnow


class TherapyGroup(Base):
    __tablename__ = "therapy_group"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200), unique=True)
    modality: Mapped[str] = mapped_column(String(20))
    duration_minutes: Mapped[int] = mapped_column(Integer, default=90)
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)

    facilitators: Mapped[list[GroupFacilitator]] = relationship(cascade="all, delete-orphan")
    members: Mapped[list[GroupMember]] = relationship(cascade="all, delete-orphan", order_by="GroupMember.id")
    meetings: Mapped[list[GroupMeeting]] = relationship(cascade="all, delete-orphan", order_by="GroupMeeting.number")


class GroupFacilitator(Base):
    __tablename__ = "group_facilitator"

    group_id: Mapped[int] = mapped_column(ForeignKey("therapy_group.id", ondelete="CASCADE"), primary_key=True)
    clinician_id: Mapped[int] = mapped_column(ForeignKey("clinician.id", ondelete="CASCADE"), primary_key=True)


class GroupMember(Base):
    __tablename__ = "group_member"
    __table_args__ = (UniqueConstraint("group_id", "patient_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    group_id: Mapped[int] = mapped_column(ForeignKey("therapy_group.id", ondelete="CASCADE"), index=True)
    patient_id: Mapped[int] = mapped_column(ForeignKey("patient.id", ondelete="CASCADE"), index=True)
    joined_on: Mapped[dt.date] = mapped_column(Date)
    left_on: Mapped[dt.date | None] = mapped_column(Date)


class GroupMeeting(Base):
    """One meeting's shared plan: written once, carried into each attending member's session."""

    __tablename__ = "group_meeting"
    __table_args__ = (UniqueConstraint("group_id", "number"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    group_id: Mapped[int] = mapped_column(ForeignKey("therapy_group.id", ondelete="CASCADE"), index=True)
    number: Mapped[int] = mapped_column(Integer)
    date: Mapped[dt.date] = mapped_column(Date, index=True)
    theme: Mapped[str] = mapped_column(String(300), default="")
    agenda: Mapped[list[Any]] = mapped_column(default=list)
    # Catalog template ids used in the meeting (each attending member gets their own copy to fill).
    templates: Mapped[list[Any]] = mapped_column(default=list)
    # [{"title", "template_id", "instructions", "patient_ids": null (everyone) or [ids]}]
    homework: Mapped[list[Any]] = mapped_column(default=list)
    # What the group did, written once; the shared part of every attending member's note.
    shared_note: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)

    attendance: Mapped[list[GroupAttendance]] = relationship(cascade="all, delete-orphan")


class GroupAttendance(Base):
    __tablename__ = "group_attendance"
    __table_args__ = (UniqueConstraint("meeting_id", "patient_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    meeting_id: Mapped[int] = mapped_column(ForeignKey("group_meeting.id", ondelete="CASCADE"), index=True)
    patient_id: Mapped[int] = mapped_column(ForeignKey("patient.id", ondelete="CASCADE"), index=True)
    status: Mapped[str] = mapped_column(String(20))
    # The member's own session for this meeting (attended or late); None when they were not there.
    session_id: Mapped[int | None] = mapped_column(ForeignKey("therapy_session.id", ondelete="SET NULL"))


class SessionAttendee(Base):
    """Someone present at a session who is not a patient: recorded as the clinician wants it."""

    __tablename__ = "session_attendee"

    id: Mapped[int] = mapped_column(primary_key=True)
    session_id: Mapped[int] = mapped_column(ForeignKey("therapy_session.id", ondelete="CASCADE"), index=True)
    position: Mapped[int] = mapped_column(Integer, default=0)
    relation: Mapped[str] = mapped_column("relationship", String(100))
    name: Mapped[str] = mapped_column(String(200))
