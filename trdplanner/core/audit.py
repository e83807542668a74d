"""The audit trail: who did what to which record, and when, in a hash chain.

Every ORM transaction that creates, changes or deletes a clinical record appends events
for it just before it commits, in the same transaction (so an event exists exactly when
its change does), whichever service made the change. Entry points add what the database
cannot see: a patient opened, a PDF printed, a backup taken or restored, a failed unlock.

Each event's ``hash`` is SHA-256 over the previous event's hash and the event's own
canonical content (id, time, actor, action, object, detail), so editing, removing or
reordering a row breaks the chain there; :meth:`AuditService.verify` names the first
broken link. The database also refuses UPDATE and DELETE on the table (migration 0004).

Details hold ids, counts and kinds only: never a name, a note's text or a score.
"""

from __future__ import annotations

import datetime as dt
import getpass
import hashlib
import json
import logging
from collections.abc import Mapping
from dataclasses import dataclass
from types import SimpleNamespace
from typing import Any

from sqlalchemy import event, insert, inspect, select, text
from sqlalchemy.orm import Session

from trdplanner.core.models import (
    AuditEvent,
    CareTeamMember,
    Clinician,
    Comorbidity,
    ContributingFactor,
    CourseSession,
    Episode,
    GroupAttendance,
    GroupFacilitator,
    GroupMeeting,
    GroupMember,
    Homework,
    KeyEvent,
    Measure,
    Medication,
    NoteAddendum,
    NoteCosignature,
    Patient,
    PatientFlags,
    PatientShare,
    PlanGoal,
    PlanIntervention,
    PlanObjective,
    PlanProblem,
    Practice,
    ProgressNote,
    PurgePermit,
    SessionAttendee,
    SigningKey,
    TemplateInstance,
    TherapyGroup,
    TherapySession,
    TreatmentCourse,
    TreatmentPlan,
    Trial,
)
from trdplanner.core.models.base import utcnow
from trdplanner.core.vocab import NoteStatus, PatientStatus

log = logging.getLogger(__name__)

GENESIS = "0" * 64
# Repeated saves of the same draft (autosave every few seconds) are one event per this long.
COALESCE_WINDOW = dt.timedelta(minutes=10)
_PG_LOCK_KEY = 0x7472_6461_7564  # "trdaud": serialises appends across PostgreSQL clients
_PENDING = "audit_pending"  # events the ORM tracking found
_EXPLICIT = "audit_explicit"  # events an entry point asked for
_SUMMARY = "audit_summary"  # one event standing for the whole transaction
_HEAD = "audit_head"  # (count, hash) of the chain after this transaction's events


# ------------------------------------------------------------------------------ actor


_actor: str | None = None

# Reading, printing and copying the record: what a read-only data folder still allows, unrecorded.
READ_ACCESS = frozenset({"patient.open", "document.print", "patient.export", "backup.create", "unlock.failed"})


def os_user() -> str:
    try:
        return getpass.getuser() or "system"
    except Exception:  # no login name (a service account, a container)
        return "system"


def set_actor(name: str | None) -> None:
    """Who the app acts for (a clinician's name); None goes back to the OS user name."""
    global _actor
    _actor = name.strip()[:200] if name and name.strip() else None


def current_actor() -> str:
    return _actor or os_user()


# ------------------------------------------------------------------------------ records


@dataclass(frozen=True)
class _Event:
    action: str
    object_type: str = ""
    object_id: str = ""
    detail: str = "{}"
    actor: str = ""


def canonical_detail(detail: Mapping[str, Any] | None) -> str:
    return json.dumps(dict(detail or {}), sort_keys=True, ensure_ascii=False, separators=(",", ":"), default=str)


def _utc(moment: dt.datetime) -> str:
    return moment.astimezone(dt.UTC).isoformat(timespec="microseconds")


def event_hash(
    prev_hash: str,
    event_id: int,
    at: dt.datetime,
    actor: str,
    action: str,
    object_type: str,
    object_id: str,
    detail: str,
) -> str:
    body = json.dumps(
        [event_id, _utc(at), actor, action, object_type, object_id, detail],
        ensure_ascii=False,
        separators=(",", ":"),
    )
    return hashlib.sha256(f"{prev_hash}\n{body}".encode()).hexdigest()


def _row_hash(row: Any, prev_hash: str) -> str:
    return event_hash(prev_hash, row.id, row.at, row.actor, row.action, row.object_type, row.object_id, row.detail)


# ------------------------------------------------------------------------------ writing


def record_in(
    s: Session,
    action: str,
    object_type: str = "",
    object_id: object = "",
    detail: Mapping[str, Any] | None = None,
    *,
    actor: str | None = None,
) -> None:
    """Add an event to the transaction of ``s``; it is written just before the commit."""
    explicit: list[_Event] = s.info.setdefault(_EXPLICIT, [])
    explicit.append(_Event(action, object_type, str(object_id), canonical_detail(detail), actor or ""))


def summarise_in(
    s: Session,
    action: str,
    object_type: str = "",
    object_id: object = "",
    detail: Mapping[str, Any] | None = None,
) -> None:
    """Record this transaction as ONE event instead of an event per changed row (an import, a purge)."""
    s.info[_SUMMARY] = _Event(action, object_type, str(object_id), canonical_detail(detail), "")


def _last(s: Session) -> tuple[int, str, Any]:
    if s.info.get("group"):
        # A clinician may not read other people's entries; this SECURITY DEFINER function hands
        # out only the last one, which the next entry's hash links to.
        row = s.execute(text("SELECT * FROM trd_audit_tail()")).first()
        if row is None:
            return 0, GENESIS, None
        last = SimpleNamespace(**row._asdict())
        last.at = row.at.replace(tzinfo=dt.UTC)
        return row.id, row.hash, last
    row = s.execute(
        select(AuditEvent.id, AuditEvent.hash, AuditEvent.at, AuditEvent.actor, AuditEvent.action,
               AuditEvent.object_type, AuditEvent.object_id)
        .order_by(AuditEvent.id.desc())
        .limit(1)
    ).first()
    if row is None:
        return 0, GENESIS, None
    return row.id, row.hash, row


def _coalesces(last: Any, e: _Event, actor: str, now: dt.datetime) -> bool:
    return (
        last is not None
        and e.action.endswith(".change")
        and (last.action, last.object_type, last.object_id, last.actor) == (e.action, e.object_type, e.object_id, actor)
        and now - last.at < COALESCE_WINDOW
    )


def write_events(s: Session, events: list[_Event]) -> int:
    """Append ``events`` to the chain inside the session's transaction; returns how many were written."""
    if not events:
        return 0
    dialect = s.get_bind().dialect.name
    if dialect == "postgresql":
        s.execute(text("SELECT pg_advisory_xact_lock(:k)"), {"k": _PG_LOCK_KEY})
    elif dialect == "sqlite":
        # Hold SQLite's write lock before reading the tail. The driver begins a transaction only at
        # the first write, so otherwise two connections (the window and a background task, or two
        # windows on one file) could both read entry N and the second append of N+1 be refused.
        # A write statement that matches no row takes the lock (waiting up to busy_timeout) and
        # changes nothing, so no trigger fires.
        s.execute(text("UPDATE audit_event SET id = id WHERE 0"))
    last_id, prev, last = _last(s)
    now = utcnow()
    rows = []
    # A group practice: the login the server authenticated, whatever the event says (its
    # trigger refuses any other). Elsewhere (SQLite, or a server everyone reaches with one
    # shared login): the signer, else the clinician who unlocked the app, else the OS user.
    login = s.info.get("login") if s.info.get("group") else None
    for e in events:
        actor = (login or e.actor or s.info.get("actor") or current_actor())[:200]
        if len(events) == 1 and _coalesces(last, e, actor, now):
            return 0
        last_id += 1
        h = event_hash(prev, last_id, now, actor, e.action, e.object_type, e.object_id, e.detail)
        rows.append(
            {
                "id": last_id,
                "at": now,
                "actor": actor,
                "action": e.action,
                "object_type": e.object_type,
                "object_id": e.object_id,
                "detail": e.detail,
                "prev_hash": prev,
                "hash": h,
            }
        )
        prev = h
    s.execute(insert(AuditEvent), rows)
    s.info[_HEAD] = (last_id, prev)  # written to the anchor file once the commit succeeds
    return len(rows)


LEGACY_ACTION = "signatures.introduced"


def append_raw(conn: Any, action: str, detail: Mapping[str, Any]) -> None:
    """One entry appended on a bare connection (a migration, which has no ORM session)."""
    row = conn.execute(text("SELECT id, hash FROM audit_event ORDER BY id DESC LIMIT 1")).first()
    last_id, prev = (int(row[0]), str(row[1])) if row else (0, GENESIS)
    now = utcnow()
    body = canonical_detail(detail)
    h = event_hash(prev, last_id + 1, now, "system", action, "database", "", body)
    conn.execute(insert(AuditEvent), [{"id": last_id + 1, "at": now, "actor": "system", "action": action,
                                       "object_type": "database", "object_id": "", "detail": body,
                                       "prev_hash": prev, "hash": h}])


# ------------------------------------------------------------------------------ ORM tracking


_PATIENT_CHILDREN = (Comorbidity, ContributingFactor, CareTeamMember, Medication, Episode)
_PLAN_PARTS = (PlanProblem, PlanGoal, PlanObjective, PlanIntervention)

# Every mapped table is in exactly one of these two. AUDITED: each write is described by _describe
# below. EXEMPT: written without an ORM-tracked event, and why. A table in neither stops its first
# write with UnauditedTable, and tests/core/test_audit_coverage.py fails on it before that: a new
# clinical table cannot go unaudited by accident.
AUDITED: tuple[type, ...] = (
    Patient, *_PATIENT_CHILDREN, Trial, Measure, TherapySession, TemplateInstance, Homework, ProgressNote,
    NoteAddendum, NoteCosignature, PatientShare, TreatmentPlan, *_PLAN_PARTS, Practice, Clinician, TreatmentCourse,
    CourseSession, TherapyGroup, GroupFacilitator, GroupMember, GroupMeeting, GroupAttendance, SessionAttendee,
)
EXEMPT: dict[type, str] = {
    AuditEvent: "the audit trail itself",
    PatientFlags: "the patient list's flags, derived from audited records and recomputed from them",
    SigningKey: "a key's creation, rotation and revocation are recorded as signed key.* events (core/signing.py)",
    KeyEvent: "the signed key history; each entry is written with its key.* audit event (core/signing.py)",
    PurgePermit: "used up inside the purge it permits, which is recorded as patient.purge",
}


class UnauditedTable(RuntimeError):
    """A mapped class neither described for the audit trail nor declared exempt: a programming error."""


def _changed(obj: Any, attr: str) -> bool:
    return bool(inspect(obj).attrs[attr].history.added)


def _plan_of(s: Session, obj: Any, known: dict[tuple[type, int], Any]) -> int | None:
    """The treatment plan a plan part belongs to, from this flush's objects or the database."""
    for _ in range(4):
        if isinstance(obj, TreatmentPlan):
            return obj.id
        if isinstance(obj, PlanProblem):
            return obj.plan_id
        parent_type, parent_id = (
            (PlanGoal, obj.goal_id) if isinstance(obj, PlanObjective) else (PlanProblem, obj.problem_id)
        )
        if parent_id is None:
            return None
        parent = known.get((parent_type, parent_id)) or s.get(parent_type, parent_id)
        if parent is None:
            return None
        obj = parent
    return None


def _group_event(obj: Any, kind: str) -> _Event | None:
    """Groups and their parts (ids only: a member is named by patient id, never by name)."""
    if isinstance(obj, TherapyGroup):
        return _Event(f"group.{kind}", "group", str(obj.id))
    if isinstance(obj, GroupFacilitator):
        return _Event("group.change", "group", str(obj.group_id), canonical_detail({"facilitator": obj.clinician_id}))
    if isinstance(obj, GroupMember):
        return _Event("group.change", "group", str(obj.group_id), canonical_detail({"member": obj.patient_id}))
    if isinstance(obj, GroupMeeting):
        return _Event(f"group_meeting.{kind}", "group_meeting", str(obj.id), canonical_detail({"group": obj.group_id}))
    if isinstance(obj, GroupAttendance):
        detail = {"patient": obj.patient_id, "status": obj.status}
        return _Event("group_meeting.attendance", "group_meeting", str(obj.meeting_id), canonical_detail(detail))
    return None


def _describe(s: Session, obj: Any, kind: str, known: dict[tuple[type, int], Any]) -> _Event | None:
    if isinstance(obj, Patient):
        action = f"patient.{kind}"
        if kind == "change" and _changed(obj, "status"):
            action = "patient.archive" if obj.status == PatientStatus.ARCHIVED else "patient.reactivate"
        elif kind == "change" and _changed(obj, "clinician_id"):
            return _Event("patient.assign", "patient", str(obj.id), canonical_detail({"clinician": obj.clinician_id}))
        return _Event(action, "patient", str(obj.id))
    if isinstance(obj, _PATIENT_CHILDREN):
        return _Event("patient.change", "patient", str(obj.patient_id))
    if isinstance(obj, Trial):
        return _Event(f"trial.{kind}", "trial", str(obj.id), canonical_detail({"patient": obj.patient_id}))
    if isinstance(obj, TreatmentCourse):
        return _Event(f"course.{kind}", "treatment_course", str(obj.id), canonical_detail({"patient": obj.patient_id}))
    if isinstance(obj, CourseSession):  # a session is a change to its course, like a plan's parts
        return _Event("course.change", "treatment_course", str(obj.course_id),
                      canonical_detail({"patient": obj.patient_id, "course_session": obj.id}))
    if isinstance(obj, Measure):
        action = f"measure.{kind}"
        if kind == "change" and _changed(obj, "alert_acknowledged_at"):
            action = "measure.acknowledge_alert"
        return _Event(action, "measure", str(obj.id), canonical_detail({"patient": obj.patient_id}))
    if isinstance(obj, TherapySession):
        return _Event(f"session.{kind}", "session", str(obj.id), canonical_detail({"patient": obj.patient_id}))
    if isinstance(obj, TemplateInstance | Homework | SessionAttendee):
        return _Event("session.change", "session", str(obj.session_id))
    if isinstance(obj, ProgressNote):
        action = f"note.{kind}"
        actor = ""
        detail: dict[str, Any] = {"session": obj.session_id}
        if obj.status == NoteStatus.SIGNED and (kind == "create" or _changed(obj, "status")):
            action = "note.sign" if kind == "change" else "note.create"
            detail.update(status="signed", fingerprint=obj.fingerprint)
            actor = obj.signer_name
        return _Event(action, "note", str(obj.id), canonical_detail(detail), actor)
    if isinstance(obj, NoteAddendum):
        if kind != "create":
            return _Event(f"addendum.{kind}", "note", str(obj.note_id), canonical_detail({"addendum": obj.id}))
        detail = {"addendum": obj.id, "kind": obj.kind, "fingerprint": obj.fingerprint}
        return _Event("note.addendum", "note", str(obj.note_id), canonical_detail(detail), obj.signer_name)
    if isinstance(obj, NoteCosignature):
        if kind != "create":
            return _Event(f"cosignature.{kind}", "note", str(obj.note_id), canonical_detail({"cosignature": obj.id}))
        detail = {"cosignature": obj.id, "fingerprint": obj.fingerprint}
        return _Event("note.cosign", "note", str(obj.note_id), canonical_detail(detail), obj.signer_name)
    if isinstance(obj, PatientShare):
        action = "patient.share" if kind == "create" else "patient.unshare"
        return _Event(action, "patient", str(obj.patient_id), canonical_detail({"clinician": obj.clinician_id}))
    if isinstance(obj, TreatmentPlan):
        return _Event(f"plan.{kind}", "treatment_plan", str(obj.id), canonical_detail({"patient": obj.patient_id}))
    if isinstance(obj, _PLAN_PARTS):
        plan = _plan_of(s, obj, known)
        if plan is None:
            return _Event(f"plan.{kind}", type(obj).__tablename__, str(obj.id))
        return _Event("plan.change", "treatment_plan", str(plan))
    group_event = _group_event(obj, kind)
    if group_event is not None:
        return group_event
    if isinstance(obj, Practice):
        return _Event(f"practice.{kind}", "practice", str(obj.id))
    if isinstance(obj, Clinician):
        return _Event(f"clinician.{kind}", "clinician", str(obj.id))
    return None


@event.listens_for(Session, "after_flush")
def _collect(session: Session, _flush_context: object) -> None:
    if session.info.get(_SUMMARY) is not None:
        return
    changes = (
        [(o, "create") for o in session.new]
        + [(o, "change") for o in session.dirty if session.is_modified(o, include_collections=False)]
        + [(o, "delete") for o in session.deleted]
    )
    changes = [(o, k) for o, k in changes if not isinstance(o, AuditEvent)]
    if not changes:
        return
    known = {(type(o), o.id): o for o, _ in changes if isinstance(o, _PLAN_PARTS) and getattr(o, "id", None)}
    pending: list[_Event] = session.info.setdefault(_PENDING, [])
    for obj, kind in sorted(changes, key=lambda c: (type(c[0]).__name__, getattr(c[0], "id", 0) or 0)):
        described = _describe(session, obj, kind, known)
        if described is not None:
            pending.append(described)
        elif type(obj) not in EXEMPT:
            raise UnauditedTable(
                f"{type(obj).__name__} is written but neither audited (core/audit.py _describe) nor declared "
                "exempt (core/audit.py EXEMPT)"
            )


def _deduplicated(events: list[_Event]) -> list[_Event]:
    seen: dict[tuple[str, str, str], _Event] = {}
    created = {(e.object_type, e.object_id) for e in events if e.action.endswith(".create")}
    for e in events:
        if e.action.endswith(".change") and (e.object_type, e.object_id) in created:
            continue  # made and then filled in by the same transaction: one "create"
        key = (e.action, e.object_type, e.object_id)
        if key not in seen:
            seen[key] = e
    return list(seen.values())


@event.listens_for(Session, "before_commit")
def _write(session: Session) -> None:
    if session.new or session.dirty or session.deleted:
        session.flush()
    summary: _Event | None = session.info.pop(_SUMMARY, None)
    tracked: list[_Event] = session.info.pop(_PENDING, [])
    explicit: list[_Event] = session.info.pop(_EXPLICIT, [])
    write_events(session, ([summary] if summary is not None else _deduplicated(tracked)) + explicit)


@event.listens_for(Session, "after_commit")
def _anchor(session: Session) -> None:
    head = session.info.pop(_HEAD, None)
    anchor = getattr(session.info.get("database"), "anchor", None)
    if head is None or anchor is None:
        return
    try:
        anchor.write(*head)
    except OSError as exc:  # a read-only or full data folder: the change itself is safe in the database
        log.error("could not write the audit anchor: %s", exc.strerror or type(exc).__name__)


@event.listens_for(Session, "after_commit")
@event.listens_for(Session, "after_rollback")
def _forget(session: Session) -> None:
    for key in (_PENDING, _EXPLICIT, _SUMMARY, _HEAD):
        session.info.pop(key, None)
