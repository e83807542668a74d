"""``trdplanner measure add``: record a measure from the command line."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import TYPE_CHECKING, Any

from trdplanner.cli import output
from trdplanner.cli.args import date_arg, int_list, patient_id, read_text_file
from trdplanner.cli.patients import measure_json
from trdplanner.clinical import Instrument
from trdplanner.core.errors import InputError
from trdplanner.core.records import MeasureRec

if TYPE_CHECKING:  # the composition root loads the database layer; only the handlers need it
    from trdplanner.context import AppContext


def register(commands: Any) -> None:
    measure = commands.add_parser("measure", help="record outcome measures")
    sub = measure.add_subparsers(dest="measure_command", metavar="ACTION", required=True)
    add = sub.add_parser("add", help="add a PHQ-9, GAD-7, QIDS-SR16, HAM-D17, MADRS or BDI-II")
    add.add_argument("patient", metavar="PATIENT", help="patient id or print code")
    add.add_argument(
        "instrument",
        metavar="INSTRUMENT",
        help="one of: " + ", ".join(i.value for i in Instrument),
    )
    how = add.add_mutually_exclusive_group(required=True)
    how.add_argument("--items", help="item answers in order, comma-separated (e.g. 1,2,0,...)")
    how.add_argument("--total", type=str, help="total score (the only option for MADRS and BDI-II)")
    add.add_argument("--date", help="date taken, YYYY-MM-DD (default: the session's date, else today)")
    add.add_argument("--session", metavar="ID", type=int, help="the session it was taken in (its note shows it)")
    add.add_argument("--json", action="store_true", help="print the scored measure as JSON")
    add.set_defaults(handler=add_measure)
    imp = sub.add_parser("import", help="record a PHQ-9 or GAD-7 from a FHIR QuestionnaireResponse (JSON)")
    imp.add_argument("patient", metavar="PATIENT", help="patient id or print code")
    imp.add_argument("file", metavar="FILE", type=Path, help="a FHIR R4 QuestionnaireResponse in JSON")
    imp.add_argument("--json", action="store_true", help="print the scored measure as JSON")
    imp.set_defaults(handler=import_measure)


def add_measure(ctx: AppContext, args: argparse.Namespace) -> int:
    pid = patient_id(ctx, args.patient)
    try:
        instrument = Instrument(args.instrument.lower().replace("-", "_"))
    except ValueError as exc:
        aliases = {"phq-9": "phq9", "gad-7": "gad7", "qids-sr16": "qids_sr16", "ham-d17": "hamd17", "bdi-ii": "bdi2"}
        alias = aliases.get(args.instrument.lower())
        if alias is None:
            choices = ", ".join(i.value for i in Instrument)
            raise InputError("instrument", f"unknown instrument {args.instrument!r} (one of {choices})") from exc
        instrument = Instrument(alias)
    items = int_list(args.items, "items") if args.items is not None else None
    total = None
    if args.total is not None:
        try:
            total = int(args.total)
        except ValueError as exc:
            raise InputError("total", f"not a whole number: {args.total!r}") from exc
    taken_on = date_arg(args.date)
    if taken_on is None and args.session is not None:
        taken_on = ctx.sessions.get(args.session).date
    rec = ctx.measures.add(pid, instrument, items=items, total=total, taken_on=taken_on, session_id=args.session)
    return _report(ctx, pid, instrument, rec, args.json)


def import_measure(ctx: AppContext, args: argparse.Namespace) -> int:
    from trdplanner.export.fhir_read import MAX_BYTES, read_questionnaire_response

    pid = patient_id(ctx, args.patient)
    text = read_text_file(args.file, MAX_BYTES)
    found = read_questionnaire_response(text)
    code = ctx.patients.get(pid).code
    if found.subject_code is not None and found.subject_code != code:
        raise InputError("subject", f"the response is about patient {found.subject_code}, not {code}; nothing recorded")
    rec = ctx.measures.add(pid, found.instrument, items=found.items, taken_on=found.taken_on)
    return _report(ctx, pid, found.instrument, rec, args.json)


def _report(ctx: AppContext, pid: int, instrument: Instrument, rec: MeasureRec, as_json: bool) -> int:
    """What ``measure add`` and ``measure import`` print, alerts included."""
    # Scored with the patient's whole history, so the change is measured from its real baseline.
    summary = ctx.summary.for_patient(pid)
    scored = next(m for m in summary.measures if m.record.id == rec.id)
    if as_json:
        output.emit_json(measure_json(scored))
        return 0
    print(
        f"Recorded {instrument.display_name} for patient {pid} on {rec.taken_on}: "
        f"{scored.score.total}/{scored.score.max_total} ({scored.score.severity})."
    )
    if scored.change is not None:
        print(scored.change.explanation)
    elif scored.baseline is not None:
        print(f"Baseline: {scored.baseline.label}.")
    for message in scored.score.flag_messages:  # one line per finding, most urgent first
        print(f"ALERT: {message}")
    if summary.risk.raised:
        print(f"Risk flag: {summary.risk.explanation}")
    return 0
