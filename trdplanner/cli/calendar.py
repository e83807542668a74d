"""``trdplanner calendar``: planned sessions as an iCalendar file, by print code only."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

from trdplanner.cli.args import date_arg, patient_id
from trdplanner.core.errors import InputError
from trdplanner.core.fileio import write_atomic

if TYPE_CHECKING:  # the composition root loads the database layer; only the handlers need it
    from trdplanner.context import AppContext


def register(commands: Any) -> None:
    cal = commands.add_parser(
        "calendar",
        help="write planned sessions as an iCalendar (.ics) file; events name print codes only",
    )
    cal.add_argument(
        "patient", metavar="PATIENT", nargs="?", help="one patient's id or print code (default: all active patients)"
    )
    cal.add_argument("-o", "--output", type=Path, help="write to this .ics file (default: standard output)")
    cal.add_argument("--from", dest="since", metavar="DATE", help="only sessions on or after DATE (YYYY-MM-DD)")
    cal.set_defaults(handler=export_calendar)


def export_calendar(ctx: AppContext, args: argparse.Namespace) -> int:
    from trdplanner.export.calendar import planned_sessions_ics

    pid = patient_id(ctx, args.patient) if args.patient else None
    visits = ctx.calendar.planned(pid, since=date_arg(args.since, "from"))
    data = planned_sessions_ics(visits)
    if args.output is None:
        sys.stdout.buffer.write(data)
        sys.stdout.flush()
        return 0
    try:
        write_atomic(args.output, data)
    except OSError as exc:
        raise InputError("output", f"cannot write {args.output} ({exc.strerror})") from exc
    print(f"Wrote {len(visits)} planned session{'s' if len(visits) != 1 else ''} to {args.output}.")
    return 0
