"""Therapy sessions, the template instances filled in them, and homework."""

from __future__ import annotations

import builtins
import datetime as dt
from collections.abc import Sequence
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session, selectinload

from trdplanner.core.convert import record_from_row, row_from_record
from trdplanner.core.db import Database
from trdplanner.core.errors import InputError, NotFoundError
from trdplanner.core.models import (
    Clinician,
    Homework,
    NoteAddendum,
    Patient,
    ProgressNote,
    SessionAttendee,
    TemplateInstance,
    TherapySession,
)
from trdplanner.core.records import (
    AddendumRec,
    AttendeeRec,
    ClinicianRec,
    CosignatureRec,
    HomeworkRec,
    InstanceRec,
    NoteRec,
    NoteSectionRec,
    SessionRec,
)
from trdplanner.core.services.form_measures import FormMeasure, record_form_measure
from trdplanner.core.validate import event_date, one_of, vocab
from trdplanner.core.versioning import check_version, touch
from trdplanner.core.vocab import (
    AttendanceStatus,
    HomeworkStatus,
    InstanceRole,
    Modality,
    NoteStatus,
    SessionFormat,
    SessionStatus,
)


def _key_fields(row: ProgressNote | NoteAddendum) -> dict[str, Any]:
    key = row.key
    return {
        "public_key": key.public_key if key is not None else "",
        "signed_elsewhere": key is not None and key.origin == "imported",
    }


def note_from_row(row: ProgressNote, awaiting_cosigner: str = "") -> NoteRec:
    return record_from_row(
        NoteRec,
        row,
        sections=[NoteSectionRec(**s) for s in row.sections],
        addenda=[record_from_row(AddendumRec, a, **_key_fields(a)) for a in row.addenda],
        cosignatures=[
            record_from_row(CosignatureRec, c, public_key=c.key.public_key if c.key is not None else "")
            for c in row.cosignatures
        ],
        awaiting_cosigner=awaiting_cosigner,
        **_key_fields(row),
    )


def _awaiting_name(row: ProgressNote, clinicians: dict[int, Clinician]) -> str:
    """Who must still co-sign this signed note ('' when nobody): the signer's supervisor, until they do."""
    signer = clinicians.get(row.signer_id) if row.status == NoteStatus.SIGNED and row.signer_id else None
    if signer is None or signer.supervisor_id is None:
        return ""
    if any(c.signer_id == signer.supervisor_id for c in row.cosignatures):
        return ""
    sup = clinicians.get(signer.supervisor_id)
    if sup is None:
        return ""
    return f"{sup.name}, {sup.credentials}" if sup.credentials else sup.name


def _session_options() -> list[Any]:
    return [
        selectinload(TherapySession.instances),
        selectinload(TherapySession.homework),
        selectinload(TherapySession.attendees),
    ]


def load_session(s: Session, session_id: int, *, with_children: bool = True) -> TherapySession:
    """The session row, or NotFoundError (the twin of ``load_patient``)."""
    row = s.get(TherapySession, session_id, options=_session_options() if with_children else None)
    if row is None:
        raise NotFoundError("session", session_id)
    return row


def _session_records(s: Session, rows: list[TherapySession]) -> list[SessionRec]:
    ids = [r.id for r in rows]
    notes = (
        {
            n.session_id: n
            for n in s.scalars(
                select(ProgressNote)
                .where(ProgressNote.session_id.in_(ids))
                .options(selectinload(ProgressNote.addenda), selectinload(ProgressNote.cosignatures))
            )
        }
        if ids
        else {}
    )
    reviewed = select(Homework.reviewed_in_session_id).where(Homework.session_id.in_(ids))
    numbers = {
        sid: number
        for sid, number in s.execute(
            select(TherapySession.id, TherapySession.number).where(TherapySession.id.in_(reviewed))
        )
    }
    clinician_rows = {c.id: c for c in s.scalars(select(Clinician))}
    clinicians = {i: record_from_row(ClinicianRec, c) for i, c in clinician_rows.items()}
    out = []
    for r in rows:
        note = notes.get(r.id)
        out.append(
            record_from_row(
                SessionRec,
                r,
                clinician=clinicians.get(r.clinician_id) if r.clinician_id else None,
                agenda=list(r.agenda),
                interventions=list(r.interventions),
                instances=[
                    record_from_row(InstanceRec, i, values=dict(i.values), template_snapshot=dict(i.template_snapshot))
                    for i in r.instances
                ],
                homework=[
                    record_from_row(
                        HomeworkRec,
                        h,
                        reviewed_in_session_number=numbers.get(h.reviewed_in_session_id)
                        if h.reviewed_in_session_id
                        else None,
                    )
                    for h in r.homework
                ],
                note=note_from_row(note, _awaiting_name(note, clinician_rows)) if note else None,
                others_present=[record_from_row(AttendeeRec, a) for a in r.attendees],
            )
        )
    return out


def sessions_in(s: Session, patient_id: int) -> list[SessionRec]:
    rows = list(
        s.scalars(
            select(TherapySession)
            .where(TherapySession.patient_id == patient_id)
            .order_by(TherapySession.date, TherapySession.number)
            .options(*_session_options())
        )
    )
    return _session_records(s, rows)


def check_session(rec: SessionRec, field: str = "session") -> None:
    one_of(f"{field}.format", rec.format, SessionFormat)
    one_of(f"{field}.status", rec.status, SessionStatus)
    one_of(f"{field}.modality", rec.modality, Modality, blank_ok=True)
    if rec.number < 1:
        raise InputError(f"{field}.number", "must be 1 or more")
    if not 5 <= rec.duration_minutes <= 600:
        raise InputError(f"{field}.duration_minutes", "must be 5 to 600 minutes")
    event_date(f"{field}.date", rec.date)
    for i, inst in enumerate(rec.instances):
        one_of(f"{field}.instances[{i}].role", inst.role, InstanceRole)
    for i, hw in enumerate(rec.homework):
        one_of(f"{field}.homework[{i}].status", hw.status, HomeworkStatus)
    one_of(f"{field}.group_attendance", rec.group_attendance, AttendanceStatus, blank_ok=True)
    for i, person in enumerate(rec.others_present):
        check_attendee(person, f"{field}.others_present[{i}]")


def check_attendee(person: AttendeeRec, field: str) -> None:
    """A non-patient attendee needs both a relationship and a name (as the clinician wants it recorded)."""
    for name, limit in (("relation", 100), ("name", 200)):
        value = getattr(person, name)
        if not value.strip():
            raise InputError(f"{field}.{name}", "is required")
        if len(value) > limit:
            raise InputError(f"{field}.{name}", f"is longer than {limit} characters")


def session_row(patient_id: int, rec: SessionRec, clinician_id: int | None) -> TherapySession:
    row = row_from_record(
        TherapySession,
        rec,
        skip=("id", "clinician", "note"),
        patient_id=patient_id,
        clinician_id=clinician_id,
        agenda=list(rec.agenda),
        interventions=list(rec.interventions),
    )
    row.instances = [
        row_from_record(TemplateInstance, i, skip=("id", "values"), position=n, values=dict(i.values))
        for n, i in enumerate(rec.instances)
    ]
    row.homework = [
        row_from_record(Homework, h, skip=("id", "reviewed_in_session_number"), position=n)
        for n, h in enumerate(rec.homework)
    ]
    row.attendees = [row_from_record(SessionAttendee, a, position=n) for n, a in enumerate(rec.others_present)]
    return row


class SessionService:
    def __init__(self, db: Database) -> None:
        self.db = db

    def list(self, patient_id: int) -> list[SessionRec]:
        with self.db.reading() as s:
            if s.get(Patient, patient_id) is None:
                raise NotFoundError("patient", patient_id)
            return sessions_in(s, patient_id)

    def get(self, session_id: int) -> SessionRec:
        with self.db.reading() as s:
            row = load_session(s, session_id)
            return _session_records(s, [row])[0]

    def patient_of(self, session_id: int) -> int:
        with self.db.reading() as s:
            pid = s.scalar(select(TherapySession.patient_id).where(TherapySession.id == session_id))
            if pid is None:
                raise NotFoundError("session", session_id)
            return pid

    def create(
        self,
        patient_id: int,
        *,
        date: dt.date,
        modality: str = "",
        format: str = SessionFormat.INDIVIDUAL,
        clinician_id: int | None = None,
        agenda: Sequence[str] | None = None,
        duration_minutes: int = 50,
        others_present: Sequence[AttendeeRec] | None = None,
    ) -> SessionRec:
        with self.db.transaction() as s:
            if s.get(Patient, patient_id) is None:
                raise NotFoundError("patient", patient_id)
            number = (
                s.scalar(select(func.max(TherapySession.number)).where(TherapySession.patient_id == patient_id)) or 0
            ) + 1
            rec = SessionRec(
                number=number,
                date=date,
                modality=modality,
                format=vocab("session.format", format, SessionFormat),
                agenda=list(agenda or []),
                duration_minutes=duration_minutes,
                others_present=list(others_present or []),
            )
            check_session(rec)
            row = session_row(patient_id, rec, clinician_id)
            s.add(row)
            s.flush()
            return _session_records(s, [row])[0]

    def add_instance(self, session_id: int, rec: InstanceRec) -> int:
        return self.save_instance(session_id, rec)[0]

    def save_instance(self, session_id: int, rec: InstanceRec) -> tuple[int, FormMeasure | None]:
        """Add a filled instance; a measure form with every item answered records its measure in
        the same transaction (see ``form_measures``). Returns the id and what happened to the measure."""
        one_of("instance.role", rec.role, InstanceRole)
        with self.db.transaction() as s:
            session = load_session(s, session_id)
            row = row_from_record(
                TemplateInstance, rec, skip=("id", "values"), position=len(session.instances), values=dict(rec.values)
            )
            session.instances.append(row)
            s.flush()
            measure = record_form_measure(s, row)
            s.flush()
            return row.id, measure

    def update(self, rec: SessionRec) -> SessionRec:
        """Save a session's own fields (date, format, modality, status, agenda, interventions, and the
        people present who are not patients), in one transaction."""
        if rec.id is None:
            raise InputError("session.id", "is required to update a session")
        check_session(rec)
        for i, person in enumerate(rec.others_present):
            check_attendee(person, f"session.others_present[{i}]")
        with self.db.transaction() as s:
            row = load_session(s, rec.id)
            check_version(row, rec.version, "session")
            touch(row)
            for name in ("date", "duration_minutes", "format", "modality", "status", "safety_plan_reviewed"):
                setattr(row, name, getattr(rec, name))
            row.agenda = list(rec.agenda)
            row.interventions = list(rec.interventions)
            present = [(p.relation.strip(), p.name.strip()) for p in rec.others_present]
            if present != [(a.relation, a.name) for a in row.attendees]:
                row.attendees = [SessionAttendee(relation=r, name=n, position=i) for i, (r, n) in enumerate(present)]
            s.flush()
            return _session_records(s, [row])[0]

    def set_others_present(self, session_id: int, people: Sequence[AttendeeRec]) -> SessionRec:
        """Who else was at the session and is not a patient (a family session's relatives), by
        relationship and name as the clinician wants them recorded; replaces the list."""
        for i, person in enumerate(people):
            check_attendee(person, f"session.others_present[{i}]")
        with self.db.transaction() as s:
            row = load_session(s, session_id)
            touch(row)
            row.attendees = [
                SessionAttendee(relation=p.relation.strip(), name=p.name.strip(), position=n)
                for n, p in enumerate(people)
            ]
            s.flush()
            return _session_records(s, [row])[0]

    def remove_instance(self, instance_id: int) -> None:
        with self.db.transaction() as s:
            row = s.get(TemplateInstance, instance_id)
            if row is None:
                raise NotFoundError("template instance", instance_id)
            s.delete(row)

    def review_homework(self, homework_id: int, reviewed_in_session_id: int, status: str, notes: str = "") -> None:
        """Record how assigned homework went, in the session where it was reviewed."""
        one_of("homework.status", status, HomeworkStatus)
        with self.db.transaction() as s:
            row = s.get(Homework, homework_id)
            if row is None:
                raise NotFoundError("homework", homework_id)
            load_session(s, reviewed_in_session_id, with_children=False)
            row.status = status
            row.reviewed_in_session_id = reviewed_in_session_id
            row.review_notes = notes

    def outstanding_homework(self, patient_id: int, before_session_id: int) -> builtins.list[HomeworkRec]:
        """Homework assigned in earlier sessions and not yet reviewed: it belongs on today's agenda."""
        with self.db.reading() as s:
            current = load_session(s, before_session_id, with_children=False)
            rows = s.scalars(
                select(Homework)
                .join(TherapySession, Homework.session_id == TherapySession.id)
                .where(
                    TherapySession.patient_id == patient_id,
                    TherapySession.date <= current.date,
                    TherapySession.id != current.id,
                    Homework.reviewed_in_session_id.is_(None),
                )
                .order_by(TherapySession.date, Homework.position)
            )
            return [record_from_row(HomeworkRec, h, reviewed_in_session_number=None) for h in rows]

    def update_instance_values(self, instance_id: int, values: dict[str, Any]) -> InstanceRec:
        """Replace a filled instance's values. The caller validates them against the snapshot."""
        return self.save_instance_values(instance_id, values)[0]

    def save_instance_values(self, instance_id: int, values: dict[str, Any]) -> tuple[InstanceRec, FormMeasure | None]:
        """Replace a filled instance's values (validated by the caller); a measure form records or
        updates its one measure in the same transaction."""
        with self.db.transaction() as s:
            row = s.get(TemplateInstance, instance_id)
            if row is None:
                raise NotFoundError("template instance", instance_id)
            row.values = dict(values)
            s.flush()
            measure = record_form_measure(s, row)
            s.flush()
            rec = record_from_row(
                InstanceRec, row, values=dict(row.values), template_snapshot=dict(row.template_snapshot)
            )
            return rec, measure

    def add_homework(self, session_id: int, rec: HomeworkRec) -> int:
        one_of("homework.status", rec.status, HomeworkStatus)
        with self.db.transaction() as s:
            session = load_session(s, session_id)
            row = row_from_record(
                Homework, rec, skip=("id", "reviewed_in_session_number"), position=len(session.homework)
            )
            session.homework.append(row)
            s.flush()
            return row.id
