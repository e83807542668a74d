"""``trdplanner course ...``: esketamine, IV ketamine, rTMS/iTBS and ECT courses and their sessions."""

from __future__ import annotations

import argparse
import datetime as dt
from typing import TYPE_CHECKING, Any

from trdplanner.cli import output
from trdplanner.cli.args import date_arg, patient_id
from trdplanner.clinical.courses import CourseKind, ElectrodePlacement
from trdplanner.core.errors import InputError
from trdplanner.core.records import CourseRec, CourseSessionRec
from trdplanner.core.serialize import to_data

if TYPE_CHECKING:  # the database layer loads only when a course command runs
    from trdplanner.context import AppContext
    from trdplanner.core.services.courses import CourseView

# Session options: (flag, record field, type, help). Numbers are parsed here so a bad one is named.
_SESSION_OPTIONS: list[tuple[str, str, type, str]] = [
    ("--dose", "dose", float, "esketamine: mg; IV ketamine: mg/kg"),
    ("--infusion-minutes", "infusion_minutes", int, "IV ketamine: minutes the infusion ran"),
    ("--bp-before", "bp_before", str, "blood pressure before dosing, like 128/82"),
    ("--bp-after", "bp_after", str, "blood pressure before discharge, like 134/84"),
    ("--observed-minutes", "observed_minutes", int, "minutes observed before discharge"),
    ("--sedation", "sedation", int, "0 awake and alert ... 4 not rousable"),
    ("--dissociation", "dissociation", int, "0 none ... 4 overwhelming"),
    ("--adverse-events", "adverse_events", str, "adverse events, in words"),
    ("--travel-home", "travel_home", str, "how the patient got home"),
    ("--motor-threshold", "motor_threshold_percent", int, "TMS: percent of resting motor threshold"),
    ("--pulses", "pulses", int, "TMS: pulses given"),
    ("--placement", "placement", str, "ECT: " + ", ".join(p.value for p in ElectrodePlacement)),
    ("--seizure-seconds", "seizure_seconds", int, "ECT: seizure duration in seconds"),
    ("--cognitive-effects", "cognitive_effects", str, "ECT: cognitive side effects, in words"),
    ("--notes", "notes", str, "anything else"),
]


def register(commands: Any) -> None:
    course = commands.add_parser("course", help="record esketamine, IV ketamine, TMS and ECT courses")
    sub = course.add_subparsers(dest="course_command", metavar="ACTION", required=True)

    add = sub.add_parser("add", help="start a course for a patient (it becomes a trial in the ledger)")
    add.add_argument("patient", metavar="PATIENT", help="patient id or print code")
    add.add_argument("--kind", required=True, help="one of: " + ", ".join(k.value for k in CourseKind))
    add.add_argument("--start", required=True, help="first day, YYYY-MM-DD")
    add.add_argument("--provider", default="", help="who gives the treatment")
    add.add_argument("--protocol", default="", help="TMS: the protocol (e.g. iTBS 600 pulses)")
    add.add_argument("--target", default="", help="TMS: the target (e.g. left DLPFC)")
    add.add_argument("--planned-sessions", help="TMS: sessions planned (the N of 'session n of N')")
    add.add_argument("--notes", default="")
    add.add_argument("--json", action="store_true", help="print the course as JSON")
    add.set_defaults(handler=add_course)

    end = sub.add_parser("end", help="end a course with its outcome and why it stopped")
    end.add_argument("course", metavar="COURSE", help="course id")
    end.add_argument("--stop", required=True, help="last day, YYYY-MM-DD")
    end.add_argument("--outcome", required=True, help="response, partial_response, non_response or not_assessable")
    end.add_argument("--reason", required=True, help="inefficacy, intolerance, non_adherence or other")
    end.add_argument("--json", action="store_true", help="print the course as JSON")
    end.set_defaults(handler=end_course)

    ls = sub.add_parser("list", help="a patient's courses with their adequacy")
    ls.add_argument("patient", metavar="PATIENT", help="patient id or print code")
    ls.add_argument("--json", action="store_true", help="print JSON")
    ls.set_defaults(handler=list_courses)

    session = sub.add_parser("session", help="record a course session")
    session_sub = session.add_subparsers(dest="session_command", metavar="ACTION", required=True)
    sadd = session_sub.add_parser("add", help="record one session of a course")
    sadd.add_argument("course", metavar="COURSE", help="course id")
    sadd.add_argument("--date", help="day given, YYYY-MM-DD (default: today)")
    sadd.add_argument("--number", help="session number (default: the next one); an ECT treatment number")
    for flag, name, _kind, help_text in _SESSION_OPTIONS:
        sadd.add_argument(flag, dest=name, help=help_text)
    sadd.add_argument("--json", action="store_true", help="print the session as JSON")
    sadd.set_defaults(handler=add_session)


def _number(value: str | None, field: str, kind: type) -> Any:
    if value is None:
        return None
    try:
        return kind(value)
    except ValueError:
        what = "a whole number" if kind is int else "a number"
        raise InputError(field, f"must be {what}, got {value!r}") from None


def _course_id(value: str) -> int:
    found = _number(value, "course", int)
    assert isinstance(found, int)
    return found


def course_json(view: CourseView) -> dict[str, Any]:
    data = to_data(view.record)
    return {
        "id": view.record.id,
        "kind": view.record.kind,
        "label": view.label,
        "start": data["start"],
        "stop": data["stop"],
        "outcome": view.record.outcome,
        "stop_reason": view.record.stop_reason,
        "adequate": view.adequate,
        "adequacy_reason": view.adequacy_reason,
        "trial_id": view.record.trial_id,
        "sessions": data["sessions"],
    }


def add_course(ctx: AppContext, args: argparse.Namespace) -> int:
    pid = patient_id(ctx, args.patient)
    start = date_arg(args.start, "start")
    assert start is not None
    rec = CourseRec(kind=args.kind, start=start, provider=args.provider, protocol=args.protocol, target=args.target,
                    planned_sessions=_number(args.planned_sessions, "planned-sessions", int), notes=args.notes)
    saved = ctx.courses.add(pid, rec)
    if args.json:
        output.emit_json(course_json(ctx.courses.view(saved)))
    else:
        print(f"Started {CourseKind(saved.kind).label} course {saved.id} for patient {pid} on {saved.start}.")
    return 0


def end_course(ctx: AppContext, args: argparse.Namespace) -> int:
    stop = date_arg(args.stop, "stop")
    assert stop is not None
    saved = ctx.courses.end(_course_id(args.course), stop, args.outcome, args.reason)
    view = ctx.courses.view(saved)
    if args.json:
        output.emit_json(course_json(view))
    else:
        print(f"Ended course {saved.id} on {saved.stop}: {saved.outcome.replace('_', ' ')}; {view.adequacy_reason}.")
    return 0


def list_courses(ctx: AppContext, args: argparse.Namespace) -> int:
    views = ctx.courses.views(patient_id(ctx, args.patient))
    if args.json:
        output.emit_json([course_json(v) for v in views])
        return 0
    if not views:
        print("No courses recorded.")
    for v in views:
        span = f"{v.record.start} to {v.record.stop or 'ongoing'}"
        print(f"{v.record.id}  {v.label}  {span}  {len(v.record.sessions)} sessions  {v.adequacy_reason}")
    return 0


def add_session(ctx: AppContext, args: argparse.Namespace) -> int:
    course_id = _course_id(args.course)
    values: dict[str, Any] = {}
    for flag, name, kind, _help in _SESSION_OPTIONS:
        raw = getattr(args, name)
        if raw is None:
            continue
        values[name] = raw if kind is str else _number(raw, flag[2:], kind)
    number = _number(args.number, "number", int) or 0
    given_on = date_arg(args.date, "date") or dt.date.today()
    saved = ctx.courses.add_session(course_id, CourseSessionRec(number=number, given_on=given_on, **values))
    if args.json:
        output.emit_json(to_data(saved))
        return 0
    course = ctx.courses.get(course_id)
    planned = f" of {course.planned_sessions}" if course.planned_sessions else ""
    print(f"Recorded session {saved.number}{planned} of course {course_id} on {saved.given_on}.")
    return 0
