"""The command line. Every command goes through the same services as the GUI.

Errors are printed as one line naming the field and the problem, the exit status is
non-zero, and because each command is one transaction nothing is half-written.
"""

from __future__ import annotations

import argparse
import logging
import sys
import traceback
from collections.abc import Callable, Sequence
from pathlib import Path

from trdplanner import __version__
from trdplanner.catalog.errors import InstanceError, RenderError, TemplateError
from trdplanner.cli import output
from trdplanner.context import AppContext
from trdplanner.core.crypto import WrongPassphrase, passphrase_from
from trdplanner.core.db import DatabaseError
from trdplanner.core.errors import AccessDenied, InputError, LockedError, NotFoundError, ReadOnlyError, StaleError
from trdplanner.logsetup import configure_logging
from trdplanner.paths import AppPaths

log = logging.getLogger(__name__)

Handler = Callable[[AppContext, argparse.Namespace], int]


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> None:  # type: ignore[override]
        self.exit(2, f"{self.prog}: error: {message}\n")


def build_parser() -> argparse.ArgumentParser:
    from trdplanner.cli import demo, measures, patients, templates

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
        type=Path,
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
        type=Path,
        help="read the database passphrase from the first line of FILE (or set TRDPLANNER_PASSPHRASE; "
        "never give it as an argument: other users can see argument lists)",
    )
    commands = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)
    gui = commands.add_parser("gui", help="open the app (the default)")
    gui.set_defaults(handler=_run_gui)
    demo.register(commands)
    patients.register(commands)
    measures.register(commands)
    from trdplanner.cli import printing; printing.register(commands)  # noqa: E702, I001 - one line: PDF commands
    templates.register(commands)
    from trdplanner.cli import safety; safety.register(commands)  # noqa: E702, I001 - one line: data safety
    from trdplanner.cli import calendar; calendar.register(commands)  # noqa: E702, I001 - one line: calendar
    from trdplanner.cli import keys; keys.register(commands)  # noqa: E702, I001 - one line: signing keys
    from trdplanner.cli import practice; practice.register(commands)  # noqa: E702, I001 - one line: group practice
    from trdplanner.cli import courses; courses.register(commands)  # noqa: E702, I001 - one line: courses
    return parser


def _run_gui(ctx: AppContext, args: argparse.Namespace) -> int:
    from trdplanner.app import run_gui

    return run_gui(ctx)


def _warn_if_new_database_gets_a_weak_passphrase(args: argparse.Namespace, passphrase: str) -> None:
    """A new database is about to be encrypted with ``passphrase``: say what the window's meter would.

    Too easy to guess is refused by ``unlock`` itself; weak or fair is a warning.
    """
    from trdplanner.core import crypto

    path = crypto.sqlite_file(AppPaths.resolve(args.data_dir).database_url(args.db))
    if path is not None and crypto.file_state(path) == crypto.FileState.MISSING:
        output.weak_passphrase_warning(passphrase)


_UNRECORDED = {"document.print": "print", "patient.open": "reading of the record", "patient.export": "export",
               "backup.create": "backup"}


def _say_unrecorded(action: str) -> None:
    what = _UNRECORDED.get(action, "access")
    print(f"note: the data folder is read-only, so this {what} is not recorded in the audit trail", file=sys.stderr)


def main(argv: Sequence[str]) -> int:
    parser = build_parser()
    args = parser.parse_args(list(argv))
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
