"""Therapy groups: facilitators, members, meetings, attendance and each member's own note.

A meeting is planned once (agenda, templates and homework from the modality's group structure
in ``clinical/group_structure``). Taking attendance gives every member who came (attended or
late) their own ``TherapySession`` linked to the meeting, with the group's name, the agenda and
the homework meant for them, so their record holds their session and nothing of anyone else's.

Each member's note is an ordinary progress note on their own session: the shared part (what the
group did, written once on the meeting) is carried into every member's draft, beside the
individual part (participation, risk, response) written for that member alone, and each note is
signed on its own through ``NoteService``. Neither part may name another member: a text that
does is refused before anything is written.
"""

from __future__ import annotations

import builtins
import datetime as dt
from collections.abc import Callable, Iterable, Sequence
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from trdplanner.catalog import Catalog, template_to_dict
from trdplanner.catalog.model import Modality
from trdplanner.clinical.group_structure import meeting_plan
from trdplanner.core.db import Database
from trdplanner.core.errors import InputError, LockedError, NotFoundError
from trdplanner.core.group_records import (
    AttendanceRec,
    FacilitatorRec,
    GroupHomeworkRec,
    GroupRec,
    GroupSummary,
    MeetingRec,
    MemberNotePart,
    MemberRec,
)
from trdplanner.core.models import (
    Clinician,
    GroupAttendance,
    GroupFacilitator,
    GroupMeeting,
    GroupMember,
    Homework,
    Patient,
    ProgressNote,
    TemplateInstance,
    TherapyGroup,
    TherapySession,
)
from trdplanner.core.records import NoteRec
from trdplanner.core.services.group_notes import part_of, shared_text, write_draft
from trdplanner.core.services.member_privacy import members_of, refuse_names
from trdplanner.core.services.notes import NoteService
from trdplanner.core.services.sessions import note_from_row
from trdplanner.core.validate import event_date, not_blank, one_of
from trdplanner.core.vocab import AttendanceStatus, InstanceRole, NoteStatus, SessionFormat, SessionStatus

MAX_NAME = 200
MAX_TEXT = 100_000


def _clinician_name(c: Clinician) -> str:
    return f"{c.name}, {c.credentials}" if c.credentials else c.name


def _member_name(p: Patient) -> str:
    return p.preferred_name or p.full_name


def _load_group(s: Session, group_id: int) -> TherapyGroup:
    row = s.get(TherapyGroup, group_id)
    if row is None:
        raise NotFoundError("group", group_id)
    return row


def _load_meeting(s: Session, meeting_id: int) -> GroupMeeting:
    row = s.get(GroupMeeting, meeting_id)
    if row is None:
        raise NotFoundError("group meeting", meeting_id)
    return row


def _homework_rec(data: dict[str, Any]) -> GroupHomeworkRec:
    ids = data.get("patient_ids")
    return GroupHomeworkRec(
        title=str(data.get("title", "")),
        template_id=str(data.get("template_id", "")),
        instructions=str(data.get("instructions", "")),
        patient_ids=None if ids is None else tuple(int(x) for x in ids),
    )


def _homework_data(h: GroupHomeworkRec) -> dict[str, Any]:
    return {
        "title": h.title,
        "template_id": h.template_id,
        "instructions": h.instructions,
        "patient_ids": None if h.patient_ids is None else sorted(set(h.patient_ids)),
    }


def _meeting_rec(row: GroupMeeting, group_name: str) -> MeetingRec:
    return MeetingRec(
        id=row.id,
        group_id=row.group_id,
        group_name=group_name,
        number=row.number,
        date=row.date,
        theme=row.theme,
        agenda=tuple(str(x) for x in row.agenda),
        templates=tuple(str(x) for x in row.templates),
        homework=tuple(_homework_rec(h) for h in row.homework),
        shared_note=row.shared_note,
        attendance=tuple(
            AttendanceRec(a.patient_id, a.status, a.session_id) for a in sorted(row.attendance, key=lambda a: a.id)
        ),
    )


def _group_rec(s: Session, row: TherapyGroup) -> GroupRec:
    clinicians = {c.id: c for c in s.scalars(select(Clinician))}
    facilitators = tuple(
        FacilitatorRec(f.clinician_id, _clinician_name(clinicians[f.clinician_id]))
        for f in sorted(row.facilitators, key=lambda f: f.clinician_id)
        if f.clinician_id in clinicians
    )
    # On a group practice's server the member rows and patients a reader may not see are simply
    # absent here (row-level security): a member's clinician sees their own patient only.
    patients = {
        p.id: p for p in s.scalars(select(Patient).where(Patient.id.in_([m.patient_id for m in row.members])))
    }
    members = tuple(
        MemberRec(m.patient_id, patients[m.patient_id].code, _member_name(patients[m.patient_id]), m.joined_on,
                  m.left_on)
        for m in row.members
        if m.patient_id in patients
    )
    return GroupRec(
        id=row.id,
        name=row.name,
        modality=row.modality,
        duration_minutes=row.duration_minutes,
        facilitators=facilitators,
        members=members,
        meetings=tuple(_meeting_rec(x, row.name) for x in row.meetings),
    )


def _check_text(field: str, value: str, limit: int = MAX_TEXT) -> None:
    if len(value) > limit:
        raise InputError(field, f"is longer than {limit} characters")


class GroupService:
    """``catalog`` (called when first needed) gives homework its worksheet's title and each
    attending member a blank copy of the meeting's templates in their own session to fill."""

    def __init__(
        self, db: Database, notes: NoteService | None = None, catalog: Callable[[], Catalog] | None = None
    ) -> None:
        self.db = db
        self.notes = notes or NoteService(db)
        self._catalog = catalog

    def _title(self, template_id: str) -> str:
        template = self._catalog().find(template_id) if self._catalog is not None else None
        return template.title if template is not None else _template_title(template_id)

    def _forms(self, template_ids: Iterable[str]) -> list[TemplateInstance]:
        """Blank copies of the meeting's templates (those the catalog knows) for one member's session."""
        if self._catalog is None:
            return []
        out = []
        for n, template_id in enumerate(template_ids):
            template = self._catalog().find(template_id)
            if template is not None:
                out.append(TemplateInstance(template_id=template.id, template_version=template.version,
                                            template_snapshot=template_to_dict(template), values={},
                                            role=str(InstanceRole.IN_SESSION), position=n))
        return out

    # ------------------------------------------------------------------ groups

    def create(
        self,
        name: str,
        modality: str,
        facilitator_ids: Sequence[int],
        *,
        duration_minutes: int | None = None,
    ) -> GroupRec:
        """A new group with one or more facilitators; its meetings run for the modality's length."""
        name = name.strip()
        not_blank("group.name", name)
        _check_text("group.name", name, MAX_NAME)
        one_of("group.modality", modality, Modality)
        if not facilitator_ids:
            raise InputError("group.facilitators", "name at least one clinician who runs the group")
        minutes = duration_minutes if duration_minutes is not None else _default_minutes(modality)
        if not 10 <= minutes <= 480:
            raise InputError("group.duration_minutes", f"must be 10 to 480 minutes, got {minutes}")
        with self.db.transaction() as s:
            if s.scalar(select(TherapyGroup.id).where(func.lower(TherapyGroup.name) == name.lower())) is not None:
                raise InputError("group.name", f"a group called {name!r} already exists")
            for cid in facilitator_ids:
                if s.get(Clinician, cid) is None:
                    raise NotFoundError("clinician", cid)
            row = TherapyGroup(name=name, modality=modality, duration_minutes=minutes)
            row.facilitators = [GroupFacilitator(clinician_id=cid) for cid in dict.fromkeys(facilitator_ids)]
            s.add(row)
            s.flush()
            return _group_rec(s, row)

    def list(self) -> builtins.list[GroupSummary]:
        with self.db.reading() as s:
            today = dt.date.today()
            out = []
            for row in s.scalars(select(TherapyGroup).order_by(TherapyGroup.name)):
                rec = _group_rec(s, row)
                upcoming = [m.date for m in rec.meetings if m.date >= today]
                out.append(GroupSummary(
                    rec.id, rec.name, rec.modality, tuple(f.name for f in rec.facilitators),
                    sum(1 for m in rec.members if m.left_on is None or m.left_on > today), len(rec.meetings),
                    min(upcoming) if upcoming else None,
                ))
            return out

    def get(self, group_id: int) -> GroupRec:
        with self.db.reading() as s:
            return _group_rec(s, _load_group(s, group_id))

    def find(self, key: str) -> GroupRec:
        """A group by its id or its name (any case), as the command line names it."""
        with self.db.reading() as s:
            row: TherapyGroup | None = None
            if key.strip().isdigit():
                row = s.get(TherapyGroup, int(key))
            if row is None:
                row = s.scalar(select(TherapyGroup).where(func.lower(TherapyGroup.name) == key.strip().lower()))
            if row is None:
                raise NotFoundError("group", key)
            return _group_rec(s, row)

    def add_facilitator(self, group_id: int, clinician_id: int) -> GroupRec:
        with self.db.transaction() as s:
            row = _load_group(s, group_id)
            if s.get(Clinician, clinician_id) is None:
                raise NotFoundError("clinician", clinician_id)
            if any(f.clinician_id == clinician_id for f in row.facilitators):
                raise InputError("group.facilitators", "this clinician already runs the group")
            row.facilitators.append(GroupFacilitator(clinician_id=clinician_id))
            s.flush()
            return _group_rec(s, row)

    def remove_facilitator(self, group_id: int, clinician_id: int) -> GroupRec:
        with self.db.transaction() as s:
            row = _load_group(s, group_id)
            keep = [f for f in row.facilitators if f.clinician_id != clinician_id]
            if len(keep) == len(row.facilitators):
                raise InputError("group.facilitators", "this clinician does not run the group")
            if not keep:
                raise InputError("group.facilitators", "a group keeps at least one facilitator")
            row.facilitators = keep
            s.flush()
            return _group_rec(s, row)

    # ------------------------------------------------------------------ members

    def add_member(self, group_id: int, patient_id: int, joined_on: dt.date) -> GroupRec:
        event_date("member.joined_on", joined_on)
        with self.db.transaction() as s:
            row = _load_group(s, group_id)
            if s.get(Patient, patient_id) is None:
                raise NotFoundError("patient", patient_id)
            if any(m.patient_id == patient_id for m in row.members):
                raise InputError("member.patient", "this patient is already a member of the group")
            row.members.append(GroupMember(patient_id=patient_id, joined_on=joined_on))
            s.flush()
            return _group_rec(s, row)

    def member_leaves(self, group_id: int, patient_id: int, left_on: dt.date) -> GroupRec:
        event_date("member.left_on", left_on)
        with self.db.transaction() as s:
            row = _load_group(s, group_id)
            member = next((m for m in row.members if m.patient_id == patient_id), None)
            if member is None:
                raise InputError("member.patient", "this patient is not a member of the group")
            if left_on < member.joined_on:
                raise InputError("member.left_on", f"is before they joined ({member.joined_on.isoformat()})")
            member.left_on = left_on
            s.flush()
            return _group_rec(s, row)

    # ------------------------------------------------------------------ meetings

    def add_meeting(
        self,
        group_id: int,
        date: dt.date,
        *,
        theme: str | None = None,
        agenda: Sequence[str] | None = None,
        templates: Sequence[str] | None = None,
        homework: Sequence[GroupHomeworkRec] | None = None,
    ) -> MeetingRec:
        """Plan the next meeting. What is not given comes from the modality's group structure
        (the meeting's week of an MBCT course, its place in the DBT skills cycle)."""
        event_date("meeting.date", date)
        with self.db.transaction() as s:
            group = _load_group(s, group_id)
            if any(m.date == date for m in group.meetings):
                raise InputError("meeting.date", f"the group already meets on {date.isoformat()}")
            number = max((m.number for m in group.meetings), default=0) + 1
            plan = meeting_plan(group.modality, number)
            if homework is None:
                homework = [GroupHomeworkRec(title=self._title(t), template_id=t) for t in plan.homework]
            member_ids = {m.patient_id for m in group.members}
            self._check_plan(theme, agenda, templates, homework, member_ids)
            row = GroupMeeting(
                group_id=group.id,
                number=number,
                date=date,
                theme=plan.theme if theme is None else theme.strip(),
                agenda=list(plan.agenda if agenda is None else agenda),
                templates=list(plan.templates if templates is None else templates),
                homework=[_homework_data(h) for h in homework],
                shared_note="",
            )
            group.meetings.append(row)
            s.flush()
            return _meeting_rec(row, group.name)

    @staticmethod
    def _check_plan(
        theme: str | None,
        agenda: Sequence[str] | None,
        templates: Sequence[str] | None,
        homework: Sequence[GroupHomeworkRec],
        member_ids: set[int],
    ) -> None:
        if theme is not None:
            _check_text("meeting.theme", theme, 300)
        for i, item in enumerate(agenda or ()):
            not_blank(f"meeting.agenda[{i}]", item)
            _check_text(f"meeting.agenda[{i}]", item, 500)
        for i, t in enumerate(templates or ()):
            not_blank(f"meeting.templates[{i}]", t)
            _check_text(f"meeting.templates[{i}]", t, 100)
        for i, h in enumerate(homework):
            not_blank(f"meeting.homework[{i}].title", h.title)
            _check_text(f"meeting.homework[{i}].title", h.title, 300)
            _check_text(f"meeting.homework[{i}].instructions", h.instructions)
            if h.patient_ids is not None:
                if not h.patient_ids:
                    raise InputError(f"meeting.homework[{i}].patient_ids", "name at least one member, or leave it "
                                     "for everyone")
                strangers = sorted(set(h.patient_ids) - member_ids)
                if strangers:
                    raise InputError(f"meeting.homework[{i}].patient_ids",
                                     f"patient {strangers[0]} is not a member of the group")

    def get_meeting(self, meeting_id: int) -> MeetingRec:
        with self.db.reading() as s:
            row = _load_meeting(s, meeting_id)
            return _meeting_rec(row, _load_group(s, row.group_id).name)

    def set_homework(self, meeting_id: int, homework: Sequence[GroupHomeworkRec]) -> MeetingRec:
        """Replace the meeting's homework; members already marked present get what is new for them."""
        with self.db.transaction() as s:
            row = _load_meeting(s, meeting_id)
            group = _load_group(s, row.group_id)
            self._check_plan(None, None, None, homework, {m.patient_id for m in group.members})
            row.homework = [_homework_data(h) for h in homework]
            for a in row.attendance:
                if a.session_id is not None:
                    session = s.get(TherapySession, a.session_id)
                    if session is not None:
                        _give_homework(session, homework, a.patient_id)
            s.flush()
            return _meeting_rec(row, group.name)

    # ------------------------------------------------------------------ attendance

    def record_attendance(
        self, meeting_id: int, patient_id: int, status: str, *, clinician_id: int | None = None
    ) -> AttendanceRec:
        """Mark one member. Attended or late: the member's own session for the meeting (made now,
        or the one made before) with the group's name, the agenda and their homework. Absent or
        cancelled after a session was made: that session is marked not held (a signed note stays)."""
        one_of("attendance.status", status, AttendanceStatus)
        present = AttendanceStatus(status).present
        with self.db.transaction() as s:
            meeting = _load_meeting(s, meeting_id)
            group = _load_group(s, meeting.group_id)
            member = next((m for m in group.members if m.patient_id == patient_id), None)
            if member is None:
                raise InputError("attendance.patient", "this patient is not a member of the group")
            if meeting.date < member.joined_on or (member.left_on is not None and meeting.date >= member.left_on):
                raise InputError("attendance.patient", f"was not a member on {meeting.date.isoformat()}")
            row = next((a for a in meeting.attendance if a.patient_id == patient_id), None)
            if row is None:
                row = GroupAttendance(patient_id=patient_id, status=status)
                meeting.attendance.append(row)
            row.status = status
            session = s.get(TherapySession, row.session_id) if row.session_id is not None else None
            if present and session is None:
                leader = clinician_id or (group.facilitators[0].clinician_id if group.facilitators else None)
                session = _member_session(s, group, meeting, patient_id, status, leader)
                session.instances = self._forms(str(t) for t in meeting.templates)
                s.flush()
                row.session_id = session.id
            elif session is not None:
                note = s.scalar(select(ProgressNote).where(ProgressNote.session_id == session.id))
                if note is not None and note.status == NoteStatus.SIGNED and not present:
                    raise LockedError("This member's note for the meeting is signed; correct it with an addendum "
                                      "instead of changing the attendance.")
                session.group_attendance = status
                session.status = SessionStatus.COMPLETED if present else (
                    SessionStatus.NO_SHOW if status == AttendanceStatus.ABSENT else SessionStatus.CANCELLED)
                if present and note is not None and note.status != NoteStatus.SIGNED:
                    write_draft(s, session.id, shared_text(group, meeting), status, part_of(note))
            s.flush()
            return AttendanceRec(row.patient_id, row.status, row.session_id)

    # ------------------------------------------------------------------ notes

    def write_shared_note(self, meeting_id: int, text: str) -> MeetingRec:
        """What the group did, written once; carried into a draft note for every member present (signed notes stay)."""
        _check_text("meeting.shared_note", text)
        with self.db.transaction() as s:
            meeting = _load_meeting(s, meeting_id)
            group = _load_group(s, meeting.group_id)
            refuse_names("meeting.shared_note", text, members_of(s, group.id))
            meeting.shared_note = text
            shared = shared_text(group, meeting)
            for a in meeting.attendance:
                if a.session_id is None:
                    continue
                note = s.scalar(select(ProgressNote).where(ProgressNote.session_id == a.session_id))
                # Every present member gets (or keeps) a draft carrying the shared part; signed notes stay.
                if note is None or note.status != NoteStatus.SIGNED:
                    write_draft(s, a.session_id, shared, a.status, part_of(note))
            s.flush()
            return _meeting_rec(meeting, group.name)

    def write_member_note(self, meeting_id: int, patient_id: int, part: MemberNotePart) -> NoteRec:
        """The member's individual part; saves their draft note (shared part + this part only)."""
        for name in ("participation", "risk", "response"):
            _check_text(f"note.{name}", getattr(part, name))
        with self.db.transaction() as s:
            meeting = _load_meeting(s, meeting_id)
            group = _load_group(s, meeting.group_id)
            attendance = self._present(meeting, patient_id)
            others = [p for p in members_of(s, group.id) if p.id != patient_id]
            for name in ("participation", "risk", "response"):
                refuse_names(f"note.{name}", getattr(part, name), others)
            assert attendance.session_id is not None
            note = write_draft(s, attendance.session_id, shared_text(group, meeting), attendance.status, part)
            return note_from_row(note)

    def member_note(self, meeting_id: int, patient_id: int) -> NoteRec | None:
        """The member's note for the meeting (None until a part of it is written)."""
        with self.db.reading() as s:
            meeting = _load_meeting(s, meeting_id)
            attendance = self._present(meeting, patient_id)
            note = s.scalar(select(ProgressNote).where(ProgressNote.session_id == attendance.session_id))
            return note_from_row(note) if note is not None else None

    def member_part(self, meeting_id: int, patient_id: int) -> MemberNotePart:
        """The individual part written so far for this member (blank when none is)."""
        with self.db.reading() as s:
            meeting = _load_meeting(s, meeting_id)
            attendance = self._present(meeting, patient_id)
            return part_of(s.scalar(select(ProgressNote).where(ProgressNote.session_id == attendance.session_id)))

    def sign_member_note(
        self, meeting_id: int, patient_id: int, clinician_id: int, *, password: str, at: dt.datetime | None = None
    ) -> NoteRec:
        """Sign one member's note on its own (the clinician's signing password unlocks their key)."""
        session_id = self.member_session(meeting_id, patient_id)
        return self.notes.sign(session_id, clinician_id, password=password, at=at)

    def member_session(self, meeting_id: int, patient_id: int) -> int:
        """The id of the member's own session for the meeting (they attended or came late)."""
        with self.db.reading() as s:
            attendance = self._present(_load_meeting(s, meeting_id), patient_id)
            assert attendance.session_id is not None
            return attendance.session_id

    @staticmethod
    def _present(meeting: GroupMeeting, patient_id: int) -> GroupAttendance:
        row = next((a for a in meeting.attendance if a.patient_id == patient_id), None)
        if row is None or row.session_id is None or not AttendanceStatus(row.status).present:
            raise InputError("note.patient", "this member's attendance is not recorded as attended or late")
        return row


def _default_minutes(modality: str) -> int:
    from trdplanner.clinical.group_structure import structure_for

    structure = structure_for(modality)
    return structure.minutes if structure is not None else 90


def _template_title(template_id: str) -> str:
    """A readable title for a template id until the clinician names the homework (dbt-diary-card ->
    Diary card); the catalog's own title is used where the screens know it."""
    words = template_id.split("-")
    if words and words[0] in {m.value for m in Modality}:
        words = words[1:]
    return " ".join(words).capitalize() or template_id


def _give_homework(session: TherapySession, homework: Iterable[GroupHomeworkRec], patient_id: int) -> None:
    """Add to the member's session the homework meant for them that it does not hold yet."""
    have = {(h.title, h.template_id) for h in session.homework}
    for h in homework:
        if h.for_patient(patient_id) and (h.title, h.template_id) not in have:
            session.homework.append(
                Homework(title=h.title, template_id=h.template_id, instructions=h.instructions,
                         position=len(session.homework))
            )


def _member_session(
    s: Session, group: TherapyGroup, meeting: GroupMeeting, patient_id: int, status: str, clinician_id: int | None
) -> TherapySession:
    number = (
        s.scalar(select(func.max(TherapySession.number)).where(TherapySession.patient_id == patient_id)) or 0
    ) + 1
    session = TherapySession(
        patient_id=patient_id,
        clinician_id=clinician_id,
        number=number,
        date=meeting.date,
        duration_minutes=group.duration_minutes,
        format=str(SessionFormat.GROUP),
        modality=group.modality,
        status=str(SessionStatus.COMPLETED),
        agenda=list(meeting.agenda),
        interventions=[],
        group_meeting_id=meeting.id,
        group_name=group.name,
        group_attendance=status,
    )
    s.add(session)
    _give_homework(session, [_homework_rec(h) for h in meeting.homework], patient_id)
    return session
