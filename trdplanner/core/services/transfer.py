"""Lossless export and import of one patient's whole record as JSON.

The format is documented in docs/patient-json.md. Export, import into an empty
database and export again gives identical bytes. Import runs in one transaction
and refuses the whole file at the first problem, naming where it is.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable
from pathlib import Path

from sqlalchemy import select, text
from sqlalchemy.orm import Session

from trdplanner import __version__
from trdplanner.clinical.courses import CourseSettings
from trdplanner.core.audit import summarise_in
from trdplanner.core.db import Database
from trdplanner.core.errors import InputError, NotFoundError
from trdplanner.core.intake import decode_utf8, parse_json, read_bounded
from trdplanner.core.models import (
    Clinician,
    Homework,
    Measure,
    NoteAddendum,
    NoteCosignature,
    Patient,
    ProgressNote,
    SigningKey,
    TherapySession,
)
from trdplanner.core.records import ClinicianRec, InstanceRec, MeasureRec, PatientRecord, SessionRec
from trdplanner.core.serialize import from_data, to_data
from trdplanner.core.services.audit import AuditService
from trdplanner.core.services.courses import add_course_in, check_course, courses_in
from trdplanner.core.services.measures import add_measure_in, measures_in
from trdplanner.core.services.notes import section_data
from trdplanner.core.services.patients import create_patient_in, load_patient, profile_from_row
from trdplanner.core.services.plans import plan_row, plans_in
from trdplanner.core.services.sessions import check_session, session_row, sessions_in
from trdplanner.core.services.trials import add_trial_in, trials_in
from trdplanner.core.signing import LEGACY, check_note, remember_foreign_key, short
from trdplanner.core.validate import check_plan, check_profile, event_date, one_of
from trdplanner.core.vocab import NoteFormat, NoteStatus

FORMAT = "trdplanner.patient"
FORMAT_VERSION = 1
MAX_FILE_BYTES = 50 * 1024 * 1024

# Checks a filled template instance against its snapshot; raises InputError.
InstanceCheck = Callable[[InstanceRec, str], None]


def check_instance_snapshot(inst: InstanceRec, where: str) -> None:
    """A filled template in a patient file, checked like one filled in the app.

    The snapshot must be a valid template of the id and version it claims, the values must fit
    it, and its note summary must render within the budget: otherwise ``homework``, ``note`` or
    a print would fail later with an error the user cannot act on.
    """
    from trdplanner.catalog import (
        InstanceError,
        RenderError,
        TemplateError,
        summarize_instance,
        template_from_dict,
        validate_instance,
    )

    try:
        template = template_from_dict(inst.template_snapshot)
    except TemplateError as exc:
        detail = ": ".join(p for p in (exc.path, exc.problem) if p)
        raise InputError(f"{where}.template_snapshot", f"is not a valid template ({detail})") from None
    except (RecursionError, MemoryError):
        raise InputError(f"{where}.template_snapshot", "is too complex to be a template") from None
    if (template.id, template.version) != (inst.template_id, inst.template_version):
        raise InputError(
            f"{where}.template_id",
            f"says {inst.template_id} v{inst.template_version} but the snapshot is {template.ref}",
        )
    try:
        cleaned = validate_instance(template, inst.values, partial=True)
    except InstanceError as exc:
        first = exc.problems[0]
        more = f" (and {len(exc.problems) - 1} more problems)" if len(exc.problems) > 1 else ""
        field = f"{where}.values.{first.path}" if first.path else f"{where}.values"
        raise InputError(field, first.message + more) from None
    try:
        summarize_instance(template, cleaned)
    except RenderError as exc:
        raise InputError(f"{where}.template_snapshot.note_summary", exc.problem) from None


def _clinician_rec(s: Session, clinician_id: int | None) -> ClinicianRec | None:
    if clinician_id is None:
        return None
    row = s.get(Clinician, clinician_id)
    if row is None:
        return None
    return ClinicianRec(row.name, row.credentials, row.licence_number, row.email, row.id)


def _find_or_add_clinician(s: Session, rec: ClinicianRec | None) -> int | None:
    if rec is None:
        return None
    found = s.scalar(
        select(Clinician.id).where(Clinician.name == rec.name, Clinician.licence_number == rec.licence_number)
    )
    if found is not None:
        return found
    if s.info.get("group"):  # a group practice's clinicians are added by an admin, with their login
        return None
    row = Clinician(name=rec.name, credentials=rec.credentials, licence_number=rec.licence_number, email=rec.email)
    s.add(row)
    s.flush()
    return row.id


def record_in(s: Session, patient_id: int) -> PatientRecord:
    row = load_patient(s, patient_id)
    trials = trials_in(s, patient_id)
    return PatientRecord(
        profile=profile_from_row(row),
        clinician=_clinician_rec(s, row.clinician_id),
        trials=trials,
        measures=measures_in(s, patient_id),
        plans=plans_in(s, patient_id),
        sessions=sessions_in(s, patient_id),
        courses=courses_in(s, patient_id, [t.id for t in trials if t.id is not None]),
    )


def record_to_json(record: PatientRecord) -> str:
    body = {"format": FORMAT, "format_version": FORMAT_VERSION, "app_version": __version__}
    body.update(to_data(record, with_ids=False))
    return json.dumps(body, indent=2, ensure_ascii=False, sort_keys=False) + "\n"


def record_from_json(text: str) -> PatientRecord:
    if len(text.encode("utf-8", "surrogatepass")) > MAX_FILE_BYTES:
        raise InputError("file", f"is larger than {MAX_FILE_BYTES // (1024 * 1024)} MB")
    data = parse_json(text)  # repeated keys and deep nesting are refused here, in words
    if not isinstance(data, dict):
        raise InputError("file", "must hold a JSON object")
    if data.pop("format", None) != FORMAT:
        raise InputError("format", f"must be {FORMAT!r}: this is not a TRD Planner patient file")
    version = data.pop("format_version", None)
    if version != FORMAT_VERSION:
        raise InputError("format_version", f"must be {FORMAT_VERSION}, got {version!r}")
    data.pop("app_version", None)
    return from_data(PatientRecord, data)


def check_record(record: PatientRecord, instance_check: InstanceCheck | None = check_instance_snapshot) -> None:
    """Every check the import makes before it writes anything."""
    try:
        check_profile(record.profile)
    except InputError as exc:
        raise InputError(f"profile.{exc.field}", exc.problem) from exc
    for i, plan in enumerate(record.plans):
        check_plan(plan, f"plans[{i}]")
    numbers = [x.number for x in record.sessions]
    if len(set(numbers)) != len(numbers):
        raise InputError("sessions", "session numbers must be unique")
    for i, sess in enumerate(record.sessions):
        where = f"sessions[{i}]"
        check_session(sess, where)
        for j, hw in enumerate(sess.homework):
            if hw.reviewed_in_session_number is not None and hw.reviewed_in_session_number not in numbers:
                raise InputError(f"{where}.homework[{j}].reviewed_in_session_number", "no such session")
        if instance_check:
            for j, inst in enumerate(sess.instances):
                instance_check(inst, f"{where}.instances[{j}]")
        if sess.note is not None:
            _check_note(sess, where)
    _check_courses(record)
    for i, m in enumerate(record.measures):
        event_date(f"measures[{i}].taken_on", m.taken_on)
        event_date(f"measures[{i}].alert_acknowledged_at", m.alert_acknowledged_at)
        if m.session_number is not None and m.session_number not in numbers:
            raise InputError(f"measures[{i}].session_number", "no such session")
        _check_acknowledgement(m, f"measures[{i}]")


def _check_courses(record: PatientRecord) -> None:
    """Each course is valid and points at its own trial in ``trials``, of the matching kind."""
    from trdplanner.clinical.courses import CourseKind

    owned: set[int] = set()
    for i, course in enumerate(record.courses):
        where = f"courses[{i}]"
        check_course(course, where)
        index = course.trial_index
        if index is None or not 0 <= index < len(record.trials):
            raise InputError(f"{where}.trial_index", "must point at the course's trial in trials")
        if index in owned:
            raise InputError(f"{where}.trial_index", "another course already owns that trial")
        owned.add(index)
        if record.trials[index].kind != CourseKind(course.kind).trial_kind:
            raise InputError(f"{where}.trial_index", f"points at a {record.trials[index].kind} trial, "
                             f"not a {course.kind} one")


def _check_acknowledgement(m: MeasureRec, where: str) -> None:
    """An imported alert acknowledgement must say who reviewed it and when, like one made in the app."""
    by, at = m.alert_acknowledged_by.strip(), m.alert_acknowledged_at
    if not by and at is None:
        return
    if not by:
        raise InputError(f"{where}.alert_acknowledged_by", "an acknowledged alert must name who reviewed it")
    if at is None:
        raise InputError(f"{where}.alert_acknowledged_at", "an acknowledged alert must say when it was reviewed")
    # A day's grace either side: the measure date is local, the time may be stored in UTC.
    if at.date() < m.taken_on - dt.timedelta(days=1):
        raise InputError(f"{where}.alert_acknowledged_at", "is before the measure was taken")
    if at.date() > dt.date.today() + dt.timedelta(days=1):
        raise InputError(f"{where}.alert_acknowledged_at", "is in the future")


def imported_acknowledgements(record: PatientRecord) -> list[dict[str, str]]:
    """Acknowledgements the file claims, for the audit trail: they were made elsewhere, not here."""
    return [
        {
            "measure": f"measures[{i}]",
            "instrument": str(m.instrument),
            "taken_on": m.taken_on.isoformat(),
            "acknowledged_by": m.alert_acknowledged_by,
            "acknowledged_at": m.alert_acknowledged_at.isoformat(),
        }
        for i, m in enumerate(record.measures)
        if m.alert_acknowledged_at is not None
    ]


def _check_note(sess: SessionRec, where: str) -> None:
    note = sess.note
    assert note is not None
    one_of(f"{where}.note.format", note.format, NoteFormat)
    one_of(f"{where}.note.status", note.status, NoteStatus)
    event_date(f"{where}.note.signed_at", note.signed_at)
    for k, addendum in enumerate(note.addenda):
        event_date(f"{where}.note.addenda[{k}].signed_at", addendum.signed_at)
        event_date(f"{where}.note.addenda[{k}].refers_to_date", addendum.refers_to_date)
    if note.status == NoteStatus.SIGNED:
        if note.signed_at is None or not note.signer_name:
            raise InputError(f"{where}.note.signed_at", "a signed note needs a signer and a time")
        if note.signed_at.date() < sess.date - dt.timedelta(days=1):  # a day's slack for time zones
            raise InputError(
                f"{where}.note.signed_at", "is before the session took place; the file may have been altered"
            )
        if note.key_fingerprint == LEGACY or any(a.key_fingerprint == LEGACY for a in note.addenda):
            raise InputError(f"{where}.note.signature", "was signed before signatures were introduced, so a file "
                             "cannot prove it unaltered; refused")
        checked = check_note(note)
        if not checked.ok:
            part = "fingerprint" if "fingerprint" in checked.text else "signature"
            raise InputError(f"{where}.note.{part}", f"refused: {checked.text}; the file may have been altered")
        for j, a in enumerate(note.addenda):
            if a.signed_at < note.signed_at:
                raise InputError(f"{where}.note.addenda[{j}].signed_at", "is before the note was signed")
    elif note.addenda:
        raise InputError(f"{where}.note.addenda", "only a signed note can have addenda")
    elif note.cosignatures:
        raise InputError(f"{where}.note.cosignatures", "only a signed note can be co-signed")


def _write_record(s: Session, record: PatientRecord) -> int:
    clinician_id = _find_or_add_clinician(s, record.clinician)
    if s.info.get("group") and not s.execute(text("SELECT trd_is_admin()")).scalar_one():
        # A clinician imports into their own caseload; the server would refuse anyone else's.
        clinician_id = s.execute(text("SELECT trd_me()")).scalar_one()
    patient_id = create_patient_in(s, record.profile, clinician_id=clinician_id, stamp_risk_date=False)
    session_ids: dict[int, int] = {}
    pending_reviews: list[tuple[Homework, int]] = []
    for sess in record.sessions:
        row = session_row(patient_id, sess, _find_or_add_clinician(s, sess.clinician))
        s.add(row)
        s.flush()
        session_ids[sess.number] = row.id
        for hw_row, hw in zip(row.homework, sess.homework, strict=True):
            if hw.reviewed_in_session_number is not None:
                pending_reviews.append((hw_row, hw.reviewed_in_session_number))
        if sess.note is not None:
            _write_note(s, row.id, sess)
    for hw_row, number in pending_reviews:
        hw_row.reviewed_in_session_id = session_ids[number]
    trial_ids = [add_trial_in(s, patient_id, trial, f"trials[{i}]") for i, trial in enumerate(record.trials)]
    for i, course in enumerate(record.courses):
        assert course.trial_index is not None  # checked by _check_courses
        # Linked as the file has it, not recomputed: the import is lossless.
        add_course_in(s, patient_id, course, CourseSettings(), trial_id=trial_ids[course.trial_index],
                      field=f"courses[{i}]")
    for i, measure in enumerate(record.measures):
        computed_from = measure.items is not None
        measure_id = add_measure_in(
            s,
            patient_id,
            measure,
            session_id=session_ids.get(measure.session_number) if measure.session_number else None,
            field=f"measures[{i}]",
        )
        if computed_from:
            stored = s.get(Measure, measure_id)
            assert stored is not None
            if stored.total != measure.total:
                raise InputError(f"measures[{i}].total", f"does not match the items (they add up to {stored.total})")
    for plan in record.plans:
        s.add(plan_row(patient_id, plan))
    s.flush()
    return patient_id


def _known_signer(s: Session, name: str, public_hex: str, fingerprint: str, where: str) -> None:
    """The key is ours and belongs to the signer named, or it is remembered as a key from elsewhere."""
    if not fingerprint:
        return
    key = s.scalar(select(SigningKey).where(SigningKey.fingerprint == fingerprint))
    if key is None:
        remember_foreign_key(s, name, public_hex, fingerprint)
    elif key.holder_name != name:
        raise InputError(f"{where}.signer_name", f"names {name!r}, but key {short(fingerprint)} belongs to "
                         f"{key.holder_name!r}; the file may have been altered")


def _write_note(s: Session, session_id: int, sess: SessionRec) -> None:
    note = sess.note
    assert note is not None
    where = f"sessions[{sess.number}].note"
    _known_signer(s, note.signer_name, note.public_key, note.key_fingerprint, where)
    for a in note.addenda:
        _known_signer(s, a.signer_name, a.public_key, a.key_fingerprint, f"{where}.addenda")
    for c in note.cosignatures:
        _known_signer(s, c.signer_name, c.public_key, c.key_fingerprint, f"{where}.cosignatures")
    row = ProgressNote(
        session_id=session_id,
        format=note.format,
        # The risk review's recorded parts travel with a draft (cleaned like a saved draft's).
        sections=[section_data(x) for x in note.sections],
        status=note.status,
        signer_name=note.signer_name,
        signed_at=note.signed_at,
        fingerprint=note.fingerprint,
        signature=note.signature,
        key_fingerprint=note.key_fingerprint,
    )
    row.addenda = [
        NoteAddendum(
            kind=a.kind,
            text=a.text,
            refers_to_date=a.refers_to_date,
            signer_name=a.signer_name,
            signed_at=a.signed_at,
            fingerprint=a.fingerprint,
            signature=a.signature,
            key_fingerprint=a.key_fingerprint,
        )
        for a in note.addenda
    ]
    # Co-signatures come back as they were signed (their signatures were checked by _check_note).
    row.cosignatures = [
        NoteCosignature(signer_name=c.signer_name, signer_login=c.signer_login, signed_at=c.signed_at,
                        fingerprint=c.fingerprint, signature=c.signature, key_fingerprint=c.key_fingerprint)
        for c in note.cosignatures
    ]
    s.add(row)


def signed_note_ids(s: Session, patient_id: int) -> list[int]:
    return list(
        s.scalars(
            select(ProgressNote.id)
            .join(TherapySession, TherapySession.id == ProgressNote.session_id)
            .where(TherapySession.patient_id == patient_id, ProgressNote.status == NoteStatus.SIGNED)
            .order_by(ProgressNote.id)
        )
    )


class TransferService:
    def __init__(self, db: Database, instance_check: InstanceCheck | None = check_instance_snapshot) -> None:
        self.db = db
        self.instance_check = instance_check

    def export_record(self, patient_id: int) -> PatientRecord:
        with self.db.reading() as s:
            if s.get(Patient, patient_id) is None:
                raise NotFoundError("patient", patient_id)
            record = record_in(s, patient_id)
        # Whether a key is "ours" is a fact about this database, not part of the record.
        for sess in record.sessions:
            if sess.note is not None:
                sess.note.signed_elsewhere = False
                for a in sess.note.addenda:
                    a.signed_elsewhere = False
        return record

    def export_json(self, patient_id: int) -> str:
        text = record_to_json(self.export_record(patient_id))
        AuditService(self.db).record("patient.export", "patient", patient_id, {"format": "json"})
        return text

    def export_for(self, patient_id: int, fmt: str, *, identified: bool = False) -> PatientRecord:
        """The record for another format's writer (FHIR), with the export in the audit trail."""
        record = self.export_record(patient_id)
        AuditService(self.db).record("patient.export", "patient", patient_id, {"format": fmt, "identified": identified})
        return record

    def import_record(self, record: PatientRecord) -> int:
        check_record(record, self.instance_check)
        with self.db.transaction() as s:
            patient_id = _write_record(s, record)
            counts: dict[str, object] = {
                "sessions": len(record.sessions),
                "measures": len(record.measures),
                "trials": len(record.trials),
                "courses": len(record.courses),
                # So `audit verify` notices a signed note that later goes missing.
                "signed_notes": signed_note_ids(s, patient_id),
            }
            acks = imported_acknowledgements(record)
            if acks:
                # Audited as imported: the file, not a clinician in this app, says these were reviewed.
                counts["alert_acknowledgements_imported"] = acks
            summarise_in(s, "patient.import", "patient", patient_id, counts)  # one audit event, not one per row
            return patient_id

    def import_json(self, text: str) -> int:
        return self.import_record(record_from_json(text))

    def import_file(self, path: Path) -> int:
        """Import a patient file through the door: bounded read, UTF-8, strict JSON, then every check."""
        data = read_bounded(path, MAX_FILE_BYTES, what="patient file")
        return self.import_json(decode_utf8(data, name=str(path)))

