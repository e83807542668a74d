"""``trdplanner group ...``: therapy groups, their members, meetings and attendance."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import TYPE_CHECKING, Any

from trdplanner.cli import output
from trdplanner.cli.args import date_arg, patient_id
from trdplanner.core.errors import InputError, NotFoundError
from trdplanner.core.serialize import to_data
from trdplanner.core.vocab import AttendanceStatus

if TYPE_CHECKING:  # the database layer loads only when a group command runs
    from trdplanner.context import AppContext
    from trdplanner.core.group_records import GroupRec, MeetingRec


def register(commands: Any) -> None:
    group = commands.add_parser("group", help="therapy groups: members, meetings and attendance")
    sub = group.add_subparsers(dest="group_command", metavar="ACTION", required=True)

    add = sub.add_parser("add", help="start a group with its modality and facilitators")
    add.add_argument("name", metavar="NAME", help="the group's name")
    add.add_argument("--modality", required=True, help="the group's modality (dbt, mbct, cbt, ...)")
    add.add_argument("--facilitator", action="append", required=True, metavar="CLIN",
                     help="a clinician who runs the group: id, login or name (repeat for several)")
    add.add_argument("--minutes", help="length of a meeting (default: the modality's)")
    add.add_argument("--json", action="store_true", help="print the group as JSON")
    add.set_defaults(handler=add_group)

    ls = sub.add_parser("list", help="the practice's groups")
    ls.add_argument("--json", action="store_true", help="print JSON")
    ls.set_defaults(handler=list_groups)

    show = sub.add_parser("show", help="a group's facilitators, members and meetings")
    show.add_argument("group", metavar="GROUP", help="group id or name")
    show.add_argument("--json", action="store_true", help="print JSON")
    show.set_defaults(handler=show_group)

    member = sub.add_parser("member", help="add a member or record that one left")
    member_sub = member.add_subparsers(dest="member_command", metavar="ACTION", required=True)
    madd = member_sub.add_parser("add", help="add a patient to the group")
    madd.add_argument("group", metavar="GROUP", help="group id or name")
    madd.add_argument("patient", metavar="PATIENT", help="patient id or print code")
    madd.add_argument("--from", dest="joined_on", help="the day they joined, YYYY-MM-DD (default: today)")
    madd.set_defaults(handler=add_member)
    mleave = member_sub.add_parser("leave", help="record the day a member left")
    mleave.add_argument("group", metavar="GROUP", help="group id or name")
    mleave.add_argument("patient", metavar="PATIENT", help="patient id or print code")
    mleave.add_argument("--on", dest="left_on", help="the day they left, YYYY-MM-DD (default: today)")
    mleave.set_defaults(handler=member_leaves)

    session = sub.add_parser("session", help="plan a group meeting")
    session_sub = session.add_subparsers(dest="session_command", metavar="ACTION", required=True)
    sadd = session_sub.add_parser("add", help="plan the next meeting (agenda and homework from the modality)")
    sadd.add_argument("group", metavar="GROUP", help="group id or name")
    sadd.add_argument("--date", required=True, help="the meeting's day, YYYY-MM-DD")
    sadd.add_argument("--json", action="store_true", help="print the meeting as JSON")
    sadd.set_defaults(handler=add_meeting)

    attend = sub.add_parser("attend", help="record a member's attendance at a meeting")
    attend.add_argument("meeting", metavar="SESSION", help="the group meeting's id (group show lists them)")
    attend.add_argument("patient", metavar="PATIENT", help="patient id or print code")
    attend.add_argument("--status", required=True, help="one of: " + ", ".join(s.value for s in AttendanceStatus))
    attend.set_defaults(handler=attend_meeting)

    prints = sub.add_parser("print", help="the attendance sheet, the course plan or a meeting's homework batch")
    prints.add_argument("what", choices=("attendance", "plan", "homework"),
                        help="attendance (a meeting's sheet), plan (the group's course plan) or homework "
                             "(every attending member's homework from a meeting, each prefilled for them)")
    prints.add_argument("ref", metavar="GROUP|SESSION", help="the group (plan) or the meeting's id (attendance, "
                        "homework)")
    prints.add_argument("-o", "--output", type=Path, metavar="FILE", required=True, help="the PDF to write")
    prints.set_defaults(handler=print_group)


def _group(ctx: AppContext, ref: str) -> GroupRec:
    return ctx.groups.find(ref)


def _clinician_id(ctx: AppContext, ref: str) -> int:
    wanted = ref.strip().lower()
    for c in ctx.practice.clinicians(include_inactive=False):
        if c.id is not None and (str(c.id) == wanted or (c.login or "").lower() == wanted or c.name.lower() == wanted):
            return c.id
    raise InputError("facilitator", f"no active clinician has the id, login or name {ref!r}")


def _meeting_id(value: str) -> int:
    if not value.isdigit():
        raise InputError("session", f"must be a group meeting's id (a whole number), got {value!r}")
    return int(value)


def meeting_json(m: MeetingRec) -> dict[str, Any]:
    data = to_data(m)
    assert isinstance(data, dict)
    return data


def group_json(g: GroupRec) -> dict[str, Any]:
    data = to_data(g)
    assert isinstance(data, dict)
    return data


def add_group(ctx: AppContext, args: argparse.Namespace) -> int:
    minutes = None
    if args.minutes is not None:
        if not args.minutes.isdigit():
            raise InputError("minutes", f"must be a whole number, got {args.minutes!r}")
        minutes = int(args.minutes)
    facilitators = [_clinician_id(ctx, ref) for ref in args.facilitator]
    saved = ctx.groups.create(args.name, args.modality, facilitators, duration_minutes=minutes)
    if args.json:
        output.emit_json(group_json(saved))
    else:
        print(f"Started group {saved.id}: {saved.name} ({saved.modality}), run by "
              + ", ".join(f.name for f in saved.facilitators) + ".")
    return 0


def list_groups(ctx: AppContext, args: argparse.Namespace) -> int:
    groups = ctx.groups.list()
    if args.json:
        output.emit_json([to_data(g) for g in groups])
        return 0
    if not groups:
        print("No groups.")
    for g in groups:
        upcoming = f"next {g.next_meeting}" if g.next_meeting else "no meeting planned"
        print(f"{g.id}  {g.name}  {g.modality}  {g.members} members  {g.meetings} meetings  {upcoming}  "
              f"run by {', '.join(g.facilitators)}")
    return 0


def show_group(ctx: AppContext, args: argparse.Namespace) -> int:
    g = _group(ctx, args.group)
    if args.json:
        output.emit_json(group_json(g))
        return 0
    print(f"{g.name} (group {g.id}): {g.modality}, {g.duration_minutes} minutes a meeting")
    print("Facilitators: " + ", ".join(f.name for f in g.facilitators))
    print("Members:")
    for m in g.members:
        left = f", left {m.left_on}" if m.left_on else ""
        print(f"  {m.code}  {m.name}  joined {m.joined_on}{left}")
    if not g.members:
        print("  none yet")
    print("Meetings:")
    for meeting in g.meetings:
        present = sum(1 for a in meeting.attendance if AttendanceStatus(a.status).present)
        print(f"  {meeting.id}  #{meeting.number}  {meeting.date}  {meeting.theme or '(no theme)'}  "
              f"{present} present of {len(meeting.attendance)} marked")
    if not g.meetings:
        print("  none planned")
    return 0


def add_member(ctx: AppContext, args: argparse.Namespace) -> int:
    import datetime as dt

    g = _group(ctx, args.group)
    pid = patient_id(ctx, args.patient)
    joined = date_arg(args.joined_on, "from") or dt.date.today()
    ctx.groups.add_member(g.id, pid, joined)
    print(f"Patient {args.patient} joined {g.name} on {joined}.")
    return 0


def member_leaves(ctx: AppContext, args: argparse.Namespace) -> int:
    import datetime as dt

    g = _group(ctx, args.group)
    pid = patient_id(ctx, args.patient)
    left = date_arg(args.left_on, "on") or dt.date.today()
    ctx.groups.member_leaves(g.id, pid, left)
    print(f"Patient {args.patient} left {g.name} on {left}.")
    return 0


def add_meeting(ctx: AppContext, args: argparse.Namespace) -> int:
    g = _group(ctx, args.group)
    day = date_arg(args.date, "date")
    assert day is not None
    meeting = ctx.groups.add_meeting(g.id, day)
    if args.json:
        output.emit_json(meeting_json(meeting))
    else:
        print(f"Planned meeting {meeting.id} (#{meeting.number}) of {g.name} on {meeting.date}: "
              f"{meeting.theme or 'open agenda'}.")
    return 0


def attend_meeting(ctx: AppContext, args: argparse.Namespace) -> int:
    meeting_id = _meeting_id(args.meeting)
    try:
        ctx.groups.get_meeting(meeting_id)
    except NotFoundError:
        raise InputError("session", f"there is no group meeting {meeting_id}") from None
    pid = patient_id(ctx, args.patient)
    rec = ctx.groups.record_attendance(meeting_id, pid, args.status)
    label = AttendanceStatus(rec.status).label
    made = f"; their session is {rec.session_id}" if rec.session_id is not None else ""
    print(f"Patient {args.patient}: {label} at meeting {meeting_id}{made}.")
    return 0


def print_group(ctx: AppContext, args: argparse.Namespace) -> int:
    from trdplanner import assemble
    from trdplanner.cli.printing import _check_output, options
    from trdplanner.core.services.printlog import Output
    from trdplanner.export import save_pdf

    path = _check_output(args.output)
    if args.what == "plan":
        doc: Any = assemble.group_plan_document(ctx, _group(ctx, args.ref).id, options=options(ctx))
        codes = [""]
    else:
        meeting_id = _meeting_id(args.ref)
        try:
            ctx.groups.get_meeting(meeting_id)
        except NotFoundError:
            raise InputError("session", f"there is no group meeting {meeting_id}") from None
        if args.what == "attendance":
            doc = assemble.attendance_sheet_document(ctx, meeting_id, options=options(ctx))
            codes = [""]
        else:
            doc = assemble.group_homework_document(ctx, meeting_id, options=options(ctx))
            codes = list(doc.info().patient_codes)
    save_pdf(path, doc.render())
    kind = doc.info().kind
    for code in codes:  # the homework batch: one entry per member it prints for
        ctx.prints.record(kind, output=Output.FILE, patient_code=code, protected=False)
    print(f"Wrote the group {args.what} to {path}.")
    return 0
