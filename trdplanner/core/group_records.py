"""Plain records of therapy groups, as GroupService hands them out (no ORM rows).

A member is named here only where the reader may see them: the facilitators' view of a group
(its member list, a meeting's attendance). A member's own record and its export carry nothing
of these records but the group's name and the meeting (see ``SessionRec.group_name``).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass


@dataclass(frozen=True)
class FacilitatorRec:
    clinician_id: int
    name: str


@dataclass(frozen=True)
class MemberRec:
    patient_id: int
    code: str
    name: str  # the name the facilitators know them by (preferred name, else full name)
    joined_on: dt.date
    left_on: dt.date | None = None

    def active_on(self, day: dt.date) -> bool:
        """A member on that day: joined on or before it and not yet left."""
        return self.joined_on <= day and (self.left_on is None or day < self.left_on)


@dataclass(frozen=True)
class GroupHomeworkRec:
    """Homework set at a meeting: for every attending member (``patient_ids`` None) or for some."""

    title: str
    template_id: str = ""
    instructions: str = ""
    patient_ids: tuple[int, ...] | None = None

    def for_patient(self, patient_id: int) -> bool:
        return self.patient_ids is None or patient_id in self.patient_ids


@dataclass(frozen=True)
class AttendanceRec:
    patient_id: int
    status: str  # AttendanceStatus
    session_id: int | None = None  # the member's own session (attended or late)


@dataclass(frozen=True)
class MeetingRec:
    id: int
    group_id: int
    group_name: str
    number: int
    date: dt.date
    theme: str
    agenda: tuple[str, ...]
    templates: tuple[str, ...]
    homework: tuple[GroupHomeworkRec, ...]
    shared_note: str
    attendance: tuple[AttendanceRec, ...] = ()


@dataclass(frozen=True)
class GroupRec:
    id: int
    name: str
    modality: str
    duration_minutes: int
    facilitators: tuple[FacilitatorRec, ...]
    members: tuple[MemberRec, ...] = ()
    meetings: tuple[MeetingRec, ...] = ()


@dataclass(frozen=True)
class GroupSummary:
    id: int
    name: str
    modality: str
    facilitators: tuple[str, ...]
    members: int  # current members
    meetings: int
    next_meeting: dt.date | None = None


@dataclass
class MemberNotePart:
    """The individual part of one member's note for one meeting (their own, nobody else's)."""

    participation: str = ""
    risk: str = ""
    response: str = ""
