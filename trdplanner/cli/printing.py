"""``trdplanner worksheet|note|notes|report|prep|safety-plan|homework``: printable PDFs.

Each command gathers its records through the services, builds the PDF in memory and only
then writes it (temp file, then rename), so a bad argument or a failed export leaves no
file behind. ``SOURCE_DATE_EPOCH`` fixes the creation date, making output reproducible.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import sys
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

from trdplanner.catalog.errors import RenderError
from trdplanner.cli.args import date_arg, patient_id
from trdplanner.clinical import missing_parts
from trdplanner.core.errors import InputError
from trdplanner.core.records import NoteRec, NoteSectionRec
from trdplanner.core.vocab import NoteStatus

if TYPE_CHECKING:  # the composition root loads the database layer; only the handlers need it
    from trdplanner.context import AppContext
    from trdplanner.core.services.notes import RiskReviewIncomplete
    from trdplanner.export import NoteContent, PdfDocument, PdfOptions

_WORKSHEET_USAGE = (
    "trdplanner worksheet TEMPLATE [--patient ID] [--session ID] [--fillable] -o FILE\n"
    "       trdplanner worksheet read FILE.pdf --session ID [--replace] [--password-file FILE]"
)


def register(commands: Any) -> None:
    ws = commands.add_parser(
        "worksheet",
        usage=_WORKSHEET_USAGE,
        help="print a worksheet from a template (blank, prefilled or fillable), or read a filled one back",
        description="Print TEMPLATE as a PDF worksheet: blank, or prefilled for a patient or session; "
        "--fillable adds form fields. 'worksheet read FILE.pdf --session ID' stores the answers "
        "from a filled-in fillable worksheet in that session.",
    )
    ws.add_argument("template", metavar="TEMPLATE", help="template id (or 'read' to read a filled worksheet)")
    ws.add_argument("file", nargs="?", type=Path, help=argparse.SUPPRESS)
    ws.add_argument("--patient", metavar="ID", help="prefill for this patient (id or print code)")
    ws.add_argument("--session", metavar="ID", type=int, help="prefill for this session (or, with read, store into it)")
    ws.add_argument("--fillable", action="store_true", help="add form fields a client can fill on a screen")
    ws.add_argument(
        "--replace",
        action="store_true",
        help="with read: store the file's answers even where they clear or change stored ones (listed first)",
    )
    ws.add_argument("-o", "--output", type=Path, metavar="FILE", help="the PDF to write")
    ws.set_defaults(handler=worksheet)

    note = commands.add_parser(
        "note",
        usage="trdplanner note SESSION [--format FMT] [-o FILE]\n"
        "       trdplanner note sign SESSION [--format FMT] [--password-file FILE]",
        help="print a session's progress note (PDF with -o, else text), or sign it",
        description="Print the note of SESSION (the signed note, the saved draft, or a draft built from the "
        "session's records). 'note sign SESSION' signs it as the practice's clinician with their signing key "
        "(the signing password from --password-file FILE, or typed at a terminal); signing is refused while "
        "a required risk review is incomplete, with each missing part named.",
    )
    note.add_argument("session", metavar="SESSION", help="session id (or 'sign' followed by the session id)")
    note.add_argument("sign_session", nargs="?", help=argparse.SUPPRESS)
    note.add_argument("--format", default="soap", help="note format for a session with no note yet (default soap)")
    note.add_argument("-o", "--output", type=Path, metavar="FILE", help="write a PDF (default: text on stdout)")
    note.set_defaults(handler=print_note)

    notes = commands.add_parser("notes", help="all progress notes of a patient in a period, in one PDF")
    _patient_period(notes)
    notes.set_defaults(handler=print_notes)

    report = commands.add_parser(
        "report",
        help="a progress report for a patient over a period (or a letter to the prescriber)",
        description="Print a progress report: held sessions only, each note's assessment and plan (--full-notes "
        "for whole notes); or --prescriber for a letter with TRD status and staging, the measure trend, current "
        "treatment and risk, without psychotherapy note content.",
    )
    _patient_period(report)
    kind = report.add_mutually_exclusive_group()
    kind.add_argument("--full-notes", action="store_true", help="print each held session's whole note")
    kind.add_argument("--prescriber", action="store_true", help="a letter to the prescriber instead of the report")
    report.set_defaults(handler=print_report)

    timeline = commands.add_parser(
        "timeline", help="one A4 landscape page: trials, courses, psychotherapy and PHQ-9/QIDS-SR16 on one axis")
    timeline.add_argument("patient", metavar="PATIENT", help="patient id or print code")
    timeline.add_argument("-o", "--output", type=Path, metavar="FILE", required=True, help="the PDF to write")
    timeline.set_defaults(handler=print_timeline)

    prep = commands.add_parser("prep", help="the one-page pre-session sheet for a session")
    prep.add_argument("session", metavar="SESSION", type=int, help="session id")
    prep.add_argument("-o", "--output", type=Path, metavar="FILE", required=True, help="the PDF to write")
    prep.set_defaults(handler=print_prep)

    safety = commands.add_parser("safety-plan", help="print a patient's safety plan")
    safety.add_argument("patient", metavar="PATIENT", help="patient id or print code")
    safety.add_argument("--fold", action="store_true", help="three panels on one sheet, to fold into a leaflet")
    safety.add_argument("-o", "--output", type=Path, metavar="FILE", required=True, help="the PDF to write")
    safety.set_defaults(handler=print_safety_plan)

    homework = commands.add_parser("homework", help="all homework of a session in one PDF")
    homework.add_argument("session", metavar="SESSION", type=int, help="session id")
    homework.add_argument("-o", "--output", type=Path, metavar="FILE", required=True, help="the PDF to write")
    homework.set_defaults(handler=print_homework)
    _add_password_option(ws, note, notes, report, prep, safety, homework)


def _patient_period(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("patient", metavar="PATIENT", help="patient id or print code")
    parser.add_argument("--from", dest="start", metavar="YYYY-MM-DD", help="first day of the period")
    parser.add_argument("--to", dest="end", metavar="YYYY-MM-DD", help="last day of the period")
    parser.add_argument("-o", "--output", type=Path, metavar="FILE", required=True, help="the PDF to write")


# ---------------------------------------------------------------------------------- helpers


def options(ctx: AppContext) -> PdfOptions:
    """Paper and metadata from the settings; SOURCE_DATE_EPOCH pins the creation date."""
    from trdplanner.export import PdfOptions

    created: dt.datetime | None = None
    epoch = os.environ.get("SOURCE_DATE_EPOCH", "").strip()
    if epoch:
        try:
            created = dt.datetime.fromtimestamp(int(epoch), dt.UTC)
        except (ValueError, OverflowError, OSError):
            raise InputError("SOURCE_DATE_EPOCH", f"must be whole seconds since 1970, got {epoch!r}") from None
    return PdfOptions.from_settings(ctx.settings, created)


def _check_output(path: Path | None) -> Path:
    """Refuse an unusable output path before any work is done."""
    if path is None:
        raise InputError("output", "give the PDF to write with -o FILE")
    if path.is_dir():
        raise InputError("output", f"{path} is a folder; give a file name such as {path / 'document.pdf'}")
    if not path.parent.exists():
        raise InputError("output", f"the folder {path.parent} does not exist")
    return path


def _write(document: PdfDocument, path: Path, what: str, ctx: AppContext, args: argparse.Namespace) -> int:
    from trdplanner.export import FontError, save_pdf

    password = _pdf_password(args)
    if password:
        document.options = replace(document.options, password=password)
    try:
        data = document.render()
    except RenderError as exc:
        raise InputError("template", str(exc)) from None
    except FontError as exc:
        raise InputError("fonts", str(exc)) from None
    save_pdf(path, data)
    _audit_print(ctx, document, password is not None)
    print(f"Wrote {what} to {path}" + (" (password-protected)." if password else "."))
    return 0


# ---------------------------------------------------------------------------------- data safety


def _add_password_option(*parsers: argparse.ArgumentParser) -> None:
    for parser in parsers:
        parser.add_argument(
            "--password-file",
            type=Path,
            metavar="FILE",
            help="protect the PDF with the password on the first line of FILE (AES-256; "
            "never give a password as an argument); with 'worksheet read', the password that opens FILE.pdf",
        )


def _pdf_password(args: argparse.Namespace) -> str | None:
    file = getattr(args, "password_file", None)
    if file is None:
        return None
    from trdplanner.core.crypto import read_passphrase_file

    try:
        password = read_passphrase_file(file, "password-file")
    except InputError as exc:
        raise InputError("password-file", exc.problem) from None
    from trdplanner.export.base import password_problem

    problem = password_problem(password)
    if problem is not None and getattr(args, "template", None) != "read":
        raise InputError("password-file", problem)
    return password


def _audit_print(ctx: AppContext, document: PdfDocument, protected: bool) -> None:
    """Who printed which patient's document (by database id and kind; never the file name)."""
    from trdplanner.core.services.printlog import Output

    info = document.info()
    ctx.prints.record(info.kind, output=Output.FILE, patient_code=info.patient_code, protected=protected)


def _period(args: argparse.Namespace) -> tuple[dt.date | None, dt.date | None]:
    start, end = date_arg(args.start, "from"), date_arg(args.end, "to")
    if start is not None and end is not None and start > end:
        raise InputError("from", f"{start.isoformat()} is after --to {end.isoformat()}")
    return start, end


# ---------------------------------------------------------------------------------- worksheet


def worksheet(ctx: AppContext, args: argparse.Namespace) -> int:
    from trdplanner import assemble

    if args.template == "read":
        return read_worksheet(ctx, args)
    if args.file is not None:
        raise InputError("arguments", f"unexpected {args.file}; did you mean -o {args.file}?")
    path = _check_output(args.output)
    template = assemble.catalog_template(ctx, args.template)
    pid = patient_id(ctx, args.patient) if args.patient is not None else None
    doc = assemble.worksheet_document(
        ctx, template, patient_id=pid, session_id=args.session, fillable=args.fillable, options=options(ctx)
    )
    return _write(doc, path, f"'{template.title}'", ctx, args)


def read_worksheet(ctx: AppContext, args: argparse.Namespace) -> int:
    """Store a filled fillable worksheet's answers in a session.

    Refused, with nothing changed, when the file holds no answer at all (the unfilled copy, or a
    file whose fields another program renamed). When stored answers would be cleared or changed,
    each is printed and nothing is written unless ``--replace`` is given."""
    from trdplanner import assemble
    from trdplanner.catalog.summaries import answered_fields
    from trdplanner.export import read_pdf

    if args.file is None:
        raise InputError("file", "give the filled-in PDF: trdplanner worksheet read FILE.pdf --session ID")
    if args.session is None:
        raise InputError("session", "give the session to store the answers in with --session ID")
    found = assemble.read_back(ctx, args.session, read_pdf(args.file), str(args.file), _pdf_password(args))
    template, instance_id, changes = found.template, found.instance_id, found.changes
    if changes and not args.replace:
        print(
            f"trdplanner: error: {args.file} would clear or change {len(changes)} stored answer(s) of "
            f"'{template.title}' in session {args.session}; nothing was changed:",
            file=sys.stderr,
        )
        for change in changes:
            print(f"  {change.describe()}", file=sys.stderr)
        print("  To replace them with the file's answers, run the command again with --replace.", file=sys.stderr)
        return 2
    stored, measure = assemble.store_read_back(ctx, found)
    answered = answered_fields(template, stored.values)
    action = "Updated" if instance_id is not None else "Added"
    print(f"{action} '{template.title}' in session {args.session}: {answered} answered field(s).")
    if changes:
        print(f"Replaced {len(changes)} stored answer(s), as asked with --replace.")
    if measure is not None:
        print(measure.message(template.title))
    return 0


# ---------------------------------------------------------------------------------- notes


def note_text(content: NoteContent) -> str:
    """The note as plain text (``trdplanner note SESSION`` without -o)."""
    from trdplanner.core.signing import check_note

    b = content.bundle
    note: NoteRec | None = content.note
    status = "signed" if content.signed else "DRAFT, not signed"
    lines = [
        f"Progress note ({content.format_id.upper()}, {status})",
        f"Patient {b.profile.code} · session {b.session.number} · {b.session.date.isoformat()}",
        "",
    ]
    for title, text in content.sections:
        lines += [f"== {title} ==", text.strip() or "(left blank)", ""]
    if note is not None and note.status == NoteStatus.SIGNED:
        checked = check_note(note)
        check = f"signature verified: {checked.text}" if checked.ok else f"SIGNATURE DOES NOT VERIFY: {checked.text}"
        signed = note.signed_at.isoformat() if note.signed_at else "unknown time"
        lines.append(f"Signed by {note.signer_name} at {signed} ({check})")
        lines.append(f"Key {note.key_fingerprint or 'none'}; content fingerprint {note.fingerprint}")
        for c in note.cosignatures:
            lines.append(f"Co-signed by {c.signer_name} at {c.signed_at.isoformat()} ({c.fingerprint})")
        if note.awaiting_cosigner:
            lines.append(f"Awaiting co-signature by {note.awaiting_cosigner}")
        for a in note.addenda:
            lines += ["", f"== {a.kind.replace('_', ' ').capitalize()} ==", a.text.strip()]
            lines.append(f"Signed by {a.signer_name} at {a.signed_at.isoformat()} (key {a.key_fingerprint or 'none'}; "
                         f"{a.fingerprint})")
    return "\n".join(lines).rstrip() + "\n"


def _session_id(text: str | None, what: str = "SESSION") -> int:
    try:
        return int(str(text))
    except ValueError:
        raise InputError("session", f"{what} must be a session id (a whole number), got {text!r}") from None


def print_note(ctx: AppContext, args: argparse.Namespace) -> int:
    from trdplanner import assemble

    if args.session == "sign":
        return sign_note(ctx, args)
    if args.sign_session is not None:
        raise InputError("arguments", f"unexpected {args.sign_session!r}; did you mean: note sign {args.sign_session}?")
    session_id = _session_id(args.session)
    path = _check_output(args.output) if args.output is not None else None
    if path is None:
        content = assemble.note_content(ctx, ctx.bundles.for_session(session_id), args.format)
        sys.stdout.write(note_text(content))
        from trdplanner.core.services.printlog import Output

        ctx.prints.record("Progress note", output=Output.TEXT, patient_id=content.bundle.profile.id)
        return 0
    doc = assemble.note_document(ctx, session_id, args.format, options(ctx))
    return _write(doc, path, f"the note for session {session_id}", ctx, args)


def sign_note(ctx: AppContext, args: argparse.Namespace) -> int:
    """Sign the session's note as the practice's clinician (the saved draft, or a draft built now).

    A refusal because the risk review is incomplete prints one line per missing part and exits 2."""
    from trdplanner import assemble
    from trdplanner.core.services.notes import RiskReviewIncomplete

    if args.sign_session is None:
        raise InputError("session", "give the session to sign: trdplanner note sign SESSION")
    if args.output is not None:
        raise InputError("output", "note sign writes no file; print the note with: trdplanner note SESSION -o FILE")
    session_id = _session_id(args.sign_session)
    clinician = ctx.practice.default_clinician()
    if clinician is None or clinician.id is None:
        raise InputError("clinician", "the practice has no clinician to sign as")
    if ctx.notes.for_session(session_id) is None:
        reasons = ctx.notes.review_reasons(session_id)
        if reasons:  # a draft built now has a blank review: refuse before writing anything
            return _refused(session_id, RiskReviewIncomplete(missing_parts(None), reasons))
        content = assemble.note_content(ctx, ctx.bundles.for_session(session_id), args.format)
        ctx.notes.save_draft(
            session_id, content.format_id, [NoteSectionRec(i, t, x) for i, t, x in content.draft_sections]
        )
    from trdplanner.cli.keys import signing_password

    password = signing_password(getattr(args, "password_file", None))
    try:
        note = ctx.notes.sign(session_id, clinician.id, password=password)
    except RiskReviewIncomplete as exc:
        return _refused(session_id, exc)
    print(f"Signed the note for session {session_id} as {note.signer_name} (fingerprint {note.fingerprint}).")
    return 0


def _refused(session_id: int, exc: RiskReviewIncomplete) -> int:
    """Why signing was refused: the reasons the review is required, then one line per missing part."""

    print(f"trdplanner: error: session {session_id}: not signed: the risk review is incomplete.", file=sys.stderr)
    for reason in exc.reasons:
        print(f"  required because: {reason}", file=sys.stderr)
    for part in exc.missing:
        print(f"  missing: {part}", file=sys.stderr)
    return 2


def print_notes(ctx: AppContext, args: argparse.Namespace) -> int:
    from trdplanner import assemble

    path = _check_output(args.output)
    start, end = _period(args)
    doc = assemble.notes_document(ctx, patient_id(ctx, args.patient), start, end, options(ctx))
    return _write(doc, path, f"{len(doc.contents)} note(s) for {doc.data.profile.code}", ctx, args)


# ---------------------------------------------------------------------------------- others


def print_report(ctx: AppContext, args: argparse.Namespace) -> int:
    from trdplanner import assemble

    path = _check_output(args.output)
    start, end = _period(args)
    pid = patient_id(ctx, args.patient)
    if args.prescriber:
        letter = assemble.prescriber_letter(ctx, pid, start, end, options(ctx))
        return _write(letter, path, f"the letter to the prescriber for {letter.data.profile.code}", ctx, args)
    doc = assemble.report_document(ctx, pid, start, end, options(ctx), full_notes=args.full_notes)
    return _write(doc, path, f"the progress report for {doc.data.profile.code}", ctx, args)


def print_timeline(ctx: AppContext, args: argparse.Namespace) -> int:
    from trdplanner import assemble

    path = _check_output(args.output)
    doc = assemble.timeline_document(ctx, patient_id(ctx, args.patient), options(ctx))
    return _write(doc, path, f"the treatment timeline for {doc.data.profile.code}", ctx, args)


def print_prep(ctx: AppContext, args: argparse.Namespace) -> int:
    from trdplanner import assemble

    path = _check_output(args.output)
    doc = assemble.prep_document(ctx, args.session, options(ctx))
    return _write(doc, path, f"the pre-session sheet for session {args.session}", ctx, args)


def print_safety_plan(ctx: AppContext, args: argparse.Namespace) -> int:
    from trdplanner import assemble

    path = _check_output(args.output)
    doc = assemble.safety_plan_document(ctx, patient_id(ctx, args.patient), fold=args.fold, options=options(ctx))
    code = doc.plan.profile.code
    what = f"the safety plan for {code}" if doc.plan.values is not None else f"a blank safety plan for {code}"
    if doc.plan.values is None:
        what += " (none on file yet)"
    return _write(doc, path, what, ctx, args)


def print_homework(ctx: AppContext, args: argparse.Namespace) -> int:
    from trdplanner import assemble

    path = _check_output(args.output)
    doc = assemble.homework_document(ctx, args.session, options=options(ctx))
    return _write(doc, path, f"{len(doc.items)} homework item(s) for session {args.session}", ctx, args)
