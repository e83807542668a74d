"""Interventional courses (esketamine, IV ketamine, rTMS/iTBS, ECT) and their sessions.

Each course owns one trial in the ledger. Every change to a course or its sessions brings that
trial into step (kind, dates, outcome, reason stopped, treatments given, bilateral ECT and the
adequacy the course rule gives), in the same transaction, so TRD status, staging and the patient
list's flags see the course at once.
"""

from __future__ import annotations

import builtins
import datetime as dt
import re
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from trdplanner.clinical import Outcome, StopReason
from trdplanner.clinical.courses import (
    SCALE_MAX,
    CourseKind,
    CourseSettings,
    ElectrodePlacement,
    adequacy_reason,
    course_adequate,
    ect_bilateral,
    integration_window,
)
from trdplanner.core.convert import record_from_row, row_from_record, update_row
from trdplanner.core.db import Database
from trdplanner.core.errors import InputError, NotFoundError
from trdplanner.core.models import CourseSession, Patient, TherapySession, TreatmentCourse, Trial
from trdplanner.core.records import CourseRec, CourseSessionRec
from trdplanner.core.validate import event_date, one_of
from trdplanner.core.views import IntegrationProposal, LastDosing
from trdplanner.core.vocab import SessionStatus

_BP = re.compile(r"^(\d{2,3})/(\d{2,3})$")

# Which session fields belong to which kind; any other filled-in field is refused by name.
_KETAMINE = ("dose", "bp_before", "bp_after", "observed_minutes", "sedation", "dissociation", "adverse_events",
             "travel_home")
_FIELDS_FOR: dict[CourseKind, frozenset[str]] = {
    CourseKind.ESKETAMINE: frozenset(_KETAMINE),
    CourseKind.IV_KETAMINE: frozenset((*_KETAMINE, "infusion_minutes")),
    CourseKind.TMS: frozenset(("motor_threshold_percent", "pulses", "adverse_events")),
    CourseKind.ECT: frozenset(("placement", "seizure_seconds", "cognitive_effects", "adverse_events")),
}
_KIND_FIELDS = frozenset().union(*_FIELDS_FOR.values())
# Ranges that catch a slip of the keyboard; they are not clinical limits.
_RANGES: dict[str, tuple[float, float, str]] = {
    "infusion_minutes": (1, 600, "minutes"),
    "observed_minutes": (0, 1440, "minutes"),
    "sedation": (0, SCALE_MAX, "on the 0-4 scale"),
    "dissociation": (0, SCALE_MAX, "on the 0-4 scale"),
    "motor_threshold_percent": (1, 200, "percent"),
    "pulses": (1, 100_000, "pulses"),
    "seizure_seconds": (0, 600, "seconds"),
}
_DOSE_RANGE: dict[CourseKind, tuple[float, float, str]] = {
    CourseKind.ESKETAMINE: (1, 200, "mg"),
    CourseKind.IV_KETAMINE: (0.01, 5, "mg/kg"),
}


@dataclass(frozen=True)
class CourseView:
    """A course as the screens and ``patient show`` present it."""

    record: CourseRec
    label: str
    adequate: bool | None
    adequacy_reason: str


def check_course(rec: CourseRec, field: str = "course") -> None:
    one_of(f"{field}.kind", rec.kind, CourseKind)
    one_of(f"{field}.outcome", rec.outcome, Outcome, blank_ok=True)
    one_of(f"{field}.stop_reason", rec.stop_reason, StopReason, blank_ok=True)
    event_date(f"{field}.start", rec.start)
    event_date(f"{field}.stop", rec.stop)
    if rec.stop is not None and rec.stop < rec.start:
        raise InputError(f"{field}.stop", "is before the start")
    if rec.planned_sessions is not None and not 1 <= rec.planned_sessions <= 200:
        raise InputError(f"{field}.planned_sessions", f"must be 1 to 200, got {rec.planned_sessions}")
    kind = CourseKind(rec.kind)
    if kind is not CourseKind.TMS:
        for name in ("protocol", "target", "planned_sessions"):
            if getattr(rec, name) not in ("", None):
                raise InputError(f"{field}.{name}", f"applies to a TMS course, not {kind.label}")
    if kind in (CourseKind.ECT, CourseKind.TMS) and rec.judged_adequate is not None:
        raise InputError(f"{field}.judged_adequate", f"{kind.label} adequacy follows the course rule, not a judgement")
    numbers = [x.number for x in rec.sessions]
    if len(set(numbers)) != len(numbers):
        raise InputError(f"{field}.sessions", "session numbers must be unique")
    for i, sess in enumerate(rec.sessions):
        check_course_session(kind, rec, sess, f"{field}.sessions[{i}]")


def check_course_session(kind: CourseKind, course: CourseRec, rec: CourseSessionRec, field: str) -> None:
    if rec.number < 1 or rec.number > 1000:
        raise InputError(f"{field}.number", f"must be 1 to 1000, got {rec.number}")
    event_date(f"{field}.given_on", rec.given_on)
    if rec.given_on < course.start:
        raise InputError(f"{field}.given_on", f"is before the course started ({course.start.isoformat()})")
    if course.stop is not None and rec.given_on > course.stop:
        raise InputError(f"{field}.given_on", f"is after the course ended ({course.stop.isoformat()})")
    allowed = _FIELDS_FOR[kind]
    for name in sorted(_KIND_FIELDS - allowed):
        if getattr(rec, name) not in ("", None):
            raise InputError(f"{field}.{name}", f"does not apply to {kind.label} sessions")
    if rec.dose is not None:
        dose_lo, dose_hi, dose_unit = _DOSE_RANGE[kind]
        if not dose_lo <= rec.dose <= dose_hi:
            raise InputError(f"{field}.dose", f"must be {dose_lo:g} to {dose_hi:g} {dose_unit}, got {rec.dose:g}")
    for name, (lo, hi, unit) in _RANGES.items():
        value = getattr(rec, name)
        if value is not None and not lo <= value <= hi:
            raise InputError(f"{field}.{name}", f"must be {lo:g} to {hi:g} {unit}, got {value}")
    for name in ("bp_before", "bp_after"):
        value = getattr(rec, name)
        if value:
            m = _BP.match(value)
            if m is None or not int(m.group(2)) < int(m.group(1)) <= 300:
                raise InputError(f"{field}.{name}", f"must be systolic/diastolic, like 128/82; got {value!r}")
    if kind is CourseKind.ECT:
        if not rec.placement:
            raise InputError(f"{field}.placement", "is required for an ECT treatment")
        one_of(f"{field}.placement", rec.placement, ElectrodePlacement)


def _trial_facts_of(course: TreatmentCourse, settings: CourseSettings) -> dict[str, object]:
    """What the ledger's trial row must say for this course."""
    kind = CourseKind(course.kind)
    given = len(course.sessions)
    ended = course.stop is not None or course.stop_reason not in ("", StopReason.ONGOING)
    placements = [ElectrodePlacement(x.placement) for x in course.sessions if x.placement]
    trial = course.trial
    return {
        "kind": str(kind.trial_kind),
        # A name the clinician gave the trial ("Bilateral ECT") is kept.
        "agent": trial.agent if trial is not None and trial.agent else kind.label,
        "start": course.start,
        "stop": course.stop,
        "outcome": course.outcome,
        "stop_reason": course.stop_reason or ("" if ended else str(StopReason.ONGOING)),
        "prescriber": course.provider or (trial.prescriber if trial is not None else ""),
        "treatments_count": given,
        "ect_bilateral": ect_bilateral(placements) if kind is CourseKind.ECT else None,
        "clinician_judged_adequate": course_adequate(kind, given, ended, settings, course.judged_adequate),
    }


def sync_trial(s: Session, course: TreatmentCourse, settings: CourseSettings) -> None:
    trial = course.trial
    assert trial is not None
    for name, value in _trial_facts_of(course, settings).items():
        setattr(trial, name, value)


def _session_rec(row: CourseSession) -> CourseSessionRec:
    return record_from_row(CourseSessionRec, row)


def _course_rec(row: TreatmentCourse, trial_index: int | None = None) -> CourseRec:
    return record_from_row(
        CourseRec, row, sessions=[_session_rec(x) for x in row.sessions], trial_index=trial_index
    )


def courses_in(s: Session, patient_id: int, trial_order: list[int] | None = None) -> list[CourseRec]:
    """The patient's courses, oldest first; ``trial_order`` (trial ids in file order) sets ``trial_index``."""
    rows = s.scalars(
        select(TreatmentCourse)
        .where(TreatmentCourse.patient_id == patient_id)
        .order_by(TreatmentCourse.start, TreatmentCourse.id)
    )
    position = {tid: i for i, tid in enumerate(trial_order or [])}
    return [_course_rec(r, position.get(r.trial_id)) for r in rows]


def add_course_in(
    s: Session, patient_id: int, rec: CourseRec, settings: CourseSettings, *, trial_id: int | None = None,
    field: str = "course",
) -> int:
    """Store a course and its sessions. With ``trial_id`` (an import) the trial is linked as it is."""
    check_course(rec, field)
    link_only = trial_id is not None
    if trial_id is None:
        trial = Trial(patient_id=patient_id, kind=str(CourseKind(rec.kind).trial_kind))
        s.add(trial)
        s.flush()
        trial_id = trial.id
    row = row_from_record(
        TreatmentCourse, rec, skip=("id", "sessions", "trial_index", "trial_id"), patient_id=patient_id,
        trial_id=trial_id,
    )
    row.sessions = [
        row_from_record(CourseSession, x, patient_id=patient_id) for x in sorted(rec.sessions, key=lambda x: x.number)
    ]
    s.add(row)
    s.flush()
    if not link_only:
        sync_trial(s, row, settings)
        s.flush()
    return row.id


def _patient_course(s: Session, course_id: int) -> TreatmentCourse:
    row = s.get(TreatmentCourse, course_id)
    if row is None:
        raise NotFoundError("course", course_id)
    return row


class CourseService:
    def __init__(self, db: Database, settings: CourseSettings | None = None) -> None:
        self.db = db
        self.settings = settings or CourseSettings()

    def add(self, patient_id: int, rec: CourseRec) -> CourseRec:
        with self.db.transaction() as s:
            if s.get(Patient, patient_id) is None:
                raise NotFoundError("patient", patient_id)
            course_id = add_course_in(s, patient_id, rec, self.settings)
            return _course_rec(_patient_course(s, course_id))

    def add_session(self, course_id: int, rec: CourseSessionRec) -> CourseSessionRec:
        """Record a session; number 0 means "the next one"."""
        with self.db.transaction() as s:
            course = _patient_course(s, course_id)
            if rec.number == 0:
                rec.number = max((x.number for x in course.sessions), default=0) + 1
            if any(x.number == rec.number for x in course.sessions):
                raise InputError("session.number", f"session {rec.number} of this course is already recorded")
            check_course_session(CourseKind(course.kind), _course_rec(course), rec, "session")
            row = row_from_record(CourseSession, rec, patient_id=course.patient_id)
            course.sessions.append(row)
            course.sessions.sort(key=lambda x: x.number)
            s.flush()
            sync_trial(s, course, self.settings)
            return _session_rec(row)

    def end(self, course_id: int, stop: dt.date, outcome: str, stop_reason: str) -> CourseRec:
        """Close a course with its end date, outcome and why it stopped."""
        with self.db.transaction() as s:
            course = _patient_course(s, course_id)
            rec = _course_rec(course)
            rec.stop, rec.outcome, rec.stop_reason = stop, outcome, stop_reason
            check_course(rec)
            update_row(course, rec, skip=("id", "sessions", "trial_index", "trial_id"))
            s.flush()
            sync_trial(s, course, self.settings)
            return _course_rec(course)

    def get(self, course_id: int) -> CourseRec:
        with self.db.reading() as s:
            return _course_rec(_patient_course(s, course_id))

    def list(self, patient_id: int) -> list[CourseRec]:
        with self.db.reading() as s:
            if s.get(Patient, patient_id) is None:
                raise NotFoundError("patient", patient_id)
            return courses_in(s, patient_id)

    def integration_proposal(self, patient_id: int, today: dt.date | None = None) -> IntegrationProposal | None:
        with self.db.reading() as s:
            return integration_proposal_in(s, patient_id, today or dt.date.today(), self.settings)

    def last_dosing(self, patient_id: int, on_or_before: dt.date) -> LastDosing | None:
        with self.db.reading() as s:
            return last_dosing_in(s, patient_id, on_or_before)

    def views(self, patient_id: int) -> builtins.list[CourseView]:
        return [self.view(rec) for rec in self.list(patient_id)]

    def view(self, rec: CourseRec) -> CourseView:
        kind = CourseKind(rec.kind)
        ended = rec.stop is not None or rec.stop_reason not in ("", StopReason.ONGOING)
        adequate = course_adequate(kind, len(rec.sessions), ended, self.settings, rec.judged_adequate)
        return CourseView(rec, kind.label, adequate, adequacy_reason(kind, len(rec.sessions), adequate, self.settings))


def last_dosing_in(s: Session, patient_id: int, on_or_before: dt.date) -> LastDosing | None:
    """The latest esketamine or IV ketamine session given on or before the day."""
    dosing = [str(k) for k in CourseKind if k.is_dosing]
    row = s.execute(
        select(CourseSession, TreatmentCourse.kind)
        .join(TreatmentCourse, TreatmentCourse.id == CourseSession.course_id)
        .where(CourseSession.patient_id == patient_id, TreatmentCourse.kind.in_(dosing),
               CourseSession.given_on <= on_or_before)
        .order_by(CourseSession.given_on.desc(), CourseSession.id.desc())
        .limit(1)
    ).first()
    if row is None:
        return None
    return LastDosing(CourseKind(row[1]).label, _session_rec(row[0]))


def integration_proposal_in(
    s: Session, patient_id: int, today: dt.date, settings: CourseSettings
) -> IntegrationProposal | None:
    """After the latest dose, the integration session to book, while its window is still open."""
    dosing = last_dosing_in(s, patient_id, today)
    if dosing is None:
        return None
    earliest, latest = integration_window(dosing.session.given_on, settings)
    if today > latest:
        return None  # the window has passed; the proposal would only be noise now
    booked = s.scalar(
        select(TherapySession.date)
        .where(TherapySession.patient_id == patient_id, TherapySession.date >= earliest,
               TherapySession.date <= latest,
               TherapySession.status.in_([SessionStatus.PLANNED, SessionStatus.COMPLETED]))
        .order_by(TherapySession.date)
        .limit(1)
    )
    return IntegrationProposal(dosing, earliest, latest, booked)
