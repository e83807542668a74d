"""The command line. Every command goes through the same services as the GUI.

Errors are printed as one line naming the field and the problem, the exit status is
non-zero, and because each command is one transaction nothing is half-written.
"""

from __future__ import annotations

import argparse
import importlib
import sys
from collections.abc import Callable, Sequence

from trdplanner import __version__

# --help and --version answer within 3x a bare interpreter (benchmarks/bench_startup.py), so this module
# imports only argparse at first: logging, pathlib and typing load once a command runs. Type checkers
# treat a name TYPE_CHECKING as true whatever its value.
TYPE_CHECKING = False
if TYPE_CHECKING:
    from pathlib import Path

    from trdplanner.context import AppContext

Handler = Callable[["AppContext", argparse.Namespace], int]

# Every command, in the order --help lists them: (name, the modules that register it, one-line help).
# Only the chosen command's modules are imported, so --help, --version and a mistyped command answer
# before any command code (or the database layer) loads. tests/cli/test_cli_startup.py checks that each
# line here matches what its modules register.
COMMANDS: tuple[tuple[str, tuple[str, ...], str], ...] = (
    ("gui", (), "open the app (the default)"),
    ("demo", ("demo",), "create a demo practice with synthetic patients"),
    ("patient", ("patients", "safety"), "list, show, import or export patients"),
    ("measure", ("measures",), "record outcome measures"),
    ("worksheet", ("printing",),
     "print a worksheet from a template (blank, prefilled or fillable), or read a filled one back"),
    ("note", ("printing",), "print a session's progress note (PDF with -o, else text), or sign it"),
    ("notes", ("printing",), "all progress notes of a patient in a period, in one PDF"),
    ("report", ("printing",), "a progress report for a patient over a period (or a letter to the prescriber)"),
    ("timeline", ("printing",),
     "one A4 landscape page: trials, courses, psychotherapy and PHQ-9/QIDS-SR16 on one axis"),
    ("prep", ("printing",), "the one-page pre-session sheet for a session"),
    ("safety-plan", ("printing",), "print a patient's safety plan"),
    ("homework", ("printing",), "all homework of a session in one PDF"),
    ("templates", ("templates",), "list session templates or check a template file"),
    ("backup", ("patients", "safety"), "write a verified copy of the database (encrypted like it) to FILE"),
    ("restore", ("patients", "safety"),
     "replace the database with a backup (checked first; the current database is kept aside)"),
    ("audit", ("patients", "safety"), "check or list the audit trail"),
    ("encrypt", ("patients", "safety"),
     "encrypt an unencrypted database in place with a new passphrase (verified copy first)"),
    ("passphrase", ("patients", "safety"), "change the database passphrase"),
    ("calendar", ("calendar",), "write planned sessions as an iCalendar (.ics) file; events name print codes only"),
    ("key", ("keys",), "a clinician's signing key: create, rotate, revoke, list"),
    ("practice", ("practice",), "the practice's details; set up a group practice"),
    ("clinician", ("practice",), "add, list, edit or deactivate clinicians"),
    ("course", ("courses",), "record esketamine, IV ketamine, TMS and ECT courses"),
    ("group", ("groups",), "therapy groups: members, meetings and attendance"),
)
_GLOBAL_WITH_VALUE = frozenset({"--data-dir", "--db", "--db-password-file", "--passphrase-file"})


def _terminal_columns() -> int:
    """shutil.get_terminal_size().columns, without importing shutil (and the compression modules it
    loads), which argparse would do for --version and --help alone."""
    import os

    try:
        columns = int(os.environ.get("COLUMNS", "0"))
    except ValueError:
        columns = 0
    if columns <= 0:
        try:
            columns = os.get_terminal_size(sys.__stdout__.fileno()).columns  # type: ignore[union-attr]
        except (AttributeError, ValueError, OSError):
            columns = 0
    return columns or 80


class _Formatter(argparse.HelpFormatter):
    def __init__(self, prog: str, indent_increment: int = 2, max_help_position: int = 24,
                 width: int | None = None) -> None:
        # argparse's own default: the terminal's width less two.
        super().__init__(prog, indent_increment, max_help_position, _terminal_columns() - 2 if width is None else width)


class _Parser(argparse.ArgumentParser):
    def __init__(self, *args: object, **kwargs: object) -> None:
        kwargs.setdefault("formatter_class", _Formatter)
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]

    def error(self, message: str) -> None:  # type: ignore[override]
        self.exit(2, f"{self.prog}: error: {message}\n")


def _path(value: str) -> Path:
    from pathlib import Path

    return Path(value)


def chosen_command(argv: Sequence[str]) -> str | None:
    """The command word in ``argv`` (the first word that is not a global option or its value)."""
    rest = list(argv)
    while rest:
        arg = rest.pop(0)
        if arg in _GLOBAL_WITH_VALUE:
            if rest:
                rest.pop(0)
        elif not arg.startswith("-"):
            return arg
    return None


def build_parser(command: str | None = "") -> argparse.ArgumentParser:
    """The parser. ``command``: register only that command's modules (the others are listed by name and
    help); None registers none (--help); the default "" registers every command fully."""
    parser = _Parser(
        prog="trdplanner",
        description="TRD Planner: session planning, measures and notes for treatment-resistant "
        "depression. Run without a command to open the app.",
    )
    parser.add_argument("--version", action="version", version=f"TRD Planner {__version__}")
    parser.add_argument(
        "--data-dir",
        metavar="DIR",
        help="where the app keeps its database, settings, "
        "logs and backups (default: the platform's user data folder; "
        "or set TRDPLANNER_DATA_DIR)",
    )
    parser.add_argument(
        "--db",
        metavar="URL",
        help="a SQLAlchemy database URL, e.g. postgresql+psycopg://user@host/trd (or set TRDPLANNER_DB)",
    )
    parser.add_argument(
        "--db-password-file",
        metavar="FILE",
        type=_path,
        help="read the PostgreSQL password from the first line of FILE (or set PGPASSWORD, or use ~/.pgpass)",
    )
    parser.add_argument("--verbose", action="store_true", help="more detail in the log file")
    parser.add_argument(
        "--read-only",
        action="store_true",
        help="open the records for reading only: show, print and back up to another folder work, nothing is "
        "saved or recorded (the app does this by itself when the data folder cannot be written)",
    )
    parser.add_argument(
        "--passphrase-file",
        metavar="FILE",
        type=_path,
        help="read the database passphrase from the first line of FILE (or set TRDPLANNER_PASSPHRASE; "
        "never give it as an argument: other users can see argument lists)",
    )
    # prog given: argparse would otherwise build a help formatter just to work it out.
    commands = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser, prog="trdplanner")
    gui = commands.add_parser("gui", help="open the app (the default)")
    gui.set_defaults(handler=_run_gui)
    wanted: list[str] = []
    for name, modules, _help in COMMANDS:
        if command == "" or name == command:
            wanted += [m for m in modules if m not in wanted]
    for module in wanted:
        importlib.import_module(f"trdplanner.cli.{module}").register(commands)
    # The rest are listed by name and help only; choosing one re-parses with its module loaded.
    for name, _modules, help_text in COMMANDS:
        if name not in commands.choices:
            commands.add_parser(name, help=help_text, add_help=False)
    return parser


def _run_gui(ctx: AppContext, args: argparse.Namespace) -> int:
    from trdplanner.app import run_gui

    return run_gui(ctx)


def _warn_if_new_database_gets_a_weak_passphrase(args: argparse.Namespace, passphrase: str) -> None:
    """A new database is about to be encrypted with ``passphrase``: say what the window's meter would.

    Too easy to guess is refused by ``unlock`` itself; weak or fair is a warning.
    """
    from trdplanner.cli import output
    from trdplanner.core import crypto
    from trdplanner.paths import AppPaths

    path = crypto.sqlite_file(AppPaths.resolve(args.data_dir).database_url(args.db))
    if path is not None and crypto.file_state(path) == crypto.FileState.MISSING:
        output.weak_passphrase_warning(passphrase)


_UNRECORDED = {"document.print": "print", "patient.open": "reading of the record", "patient.export": "export",
               "backup.create": "backup"}


def _say_unrecorded(action: str) -> None:
    what = _UNRECORDED.get(action, "access")
    print(f"note: the data folder is read-only, so this {what} is not recorded in the audit trail", file=sys.stderr)


def main(argv: Sequence[str]) -> int:
    command = chosen_command(argv)
    known = command in {name for name, _modules, _help in COMMANDS}
    parser = build_parser(command if known else None)
    args = parser.parse_args(list(argv))  # --version, --help and usage errors end here, nothing else loaded
    # Loaded only once a command will run.
    import logging
    import traceback

    from trdplanner.catalog.errors import InstanceError, RenderError, TemplateError
    from trdplanner.cli import output
    from trdplanner.context import AppContext
    from trdplanner.core.crypto import WrongPassphrase, passphrase_from
    from trdplanner.core.db import DatabaseError
    from trdplanner.core.errors import AccessDenied, InputError, LockedError, NotFoundError, ReadOnlyError, StaleError
    from trdplanner.logsetup import configure_logging
    from trdplanner.paths import AppPaths

    log = logging.getLogger(__name__)
    handler: Handler = getattr(args, "handler", _run_gui)
    try:
        passphrase = passphrase_from(args.passphrase_file, output.warning)
        standalone = getattr(args, "standalone", None)  # commands that open (or replace) the database themselves
        if standalone is not None:
            # Each of these replaces or rewrites the database: refused at once when nothing can be saved.
            from trdplanner.core.writable import cannot_write

            paths = AppPaths.resolve(args.data_dir)
            if args.read_only or cannot_write(paths.data_dir, [paths.database_file]):
                raise ReadOnlyError()
            configure_logging(AppPaths.resolve(args.data_dir).ensure().logs_dir, verbose=args.verbose)
            log.info("command %s started", args.command)
            return int(standalone(args, passphrase))
        db_password = None
        if args.db_password_file is not None:
            from trdplanner.cli.practice import read_secret

            db_password = read_secret(args.db_password_file, "db-password-file")
        encrypt_new = not getattr(args, "no_encryption", False)
        if passphrase and encrypt_new:
            _warn_if_new_database_gets_a_weak_passphrase(args, passphrase)
        ctx = AppContext.open(
            args.data_dir, args.db, passphrase, encrypt_new=encrypt_new, db_password=db_password,
            read_only=True if args.read_only else None,
        )
    except (InputError, NotFoundError, LockedError, AccessDenied, ReadOnlyError) as exc:
        output.error(str(exc))
        return 2
    except (DatabaseError, OSError) as exc:
        if isinstance(exc, WrongPassphrase):
            log.warning("wrong passphrase given on the command line")
        from trdplanner.core.storage import storage_problem

        output.error(str(exc) if isinstance(exc, DatabaseError) else (storage_problem(exc) or str(exc)))
        return 3
    if ctx.read_only:  # nothing is written in the data folder, a log file included
        ctx.db.on_unrecorded = _say_unrecorded
    else:
        configure_logging(ctx.paths.logs_dir, verbose=args.verbose)
    for problem in ctx.anchor_problems:
        print(f"warning: {problem} (recorded; see 'trdplanner audit verify')", file=sys.stderr)
    if ctx.db.repaired_guards:
        print("warning: the database's protections were missing and have been put back (recorded)", file=sys.stderr)
    if ctx.missing_guards:
        print("warning: the database's protections are missing; they are put back (and this recorded) once it is "
              "opened where it can be written", file=sys.stderr)
    log.info("command %s started", args.command or "gui")
    try:
        return handler(ctx, args)
    except (InputError, InstanceError, RenderError, TemplateError) as exc:  # each names where and what
        output.error(str(exc))
        return 2
    except RecursionError:  # input nested beyond what any of our checks expected: still said in words
        output.error("input: nested too deeply to process; nothing was changed")
        return 2
    except (NotFoundError, LockedError, AccessDenied, StaleError, ReadOnlyError) as exc:
        output.error(str(exc))
        return 2
    except DatabaseError as exc:
        output.error(str(exc))
        return 3
    except BrokenPipeError:
        return 0
    except Exception as exc:  # data safety: a traceback's messages can quote patient data (SQL parameters)
        if args.verbose:
            raise
        from trdplanner.core.storage import storage_problem

        storage = storage_problem(exc, ctx.paths.data_dir)
        if storage is not None:  # a full disk or read-only folder: say so, not "unexpected"
            log.error("storage problem: %s", type(exc).__name__)
            output.error(storage)
            return 3
        log.error("unexpected %s\n%s", type(exc).__name__, "".join(traceback.format_tb(exc.__traceback__)))
        output.error(f"unexpected {type(exc).__name__}; the log in {ctx.paths.logs_dir} has the details")
        return 70
    finally:
        ctx.close()


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
