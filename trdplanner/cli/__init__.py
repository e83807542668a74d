"""The command line. Every command goes through the same services as the GUI.

Errors are printed as one line naming the field and the problem, the exit status is
non-zero, and because each command is one transaction nothing is half-written.
"""

from __future__ import annotations

import argparse
import logging
import sys
from collections.abc import Callable, Sequence

from trdplanner import __version__
from trdplanner.cli import output
from trdplanner.context import AppContext
from trdplanner.core.db import DatabaseError
from trdplanner.core.errors import InputError, LockedError, NotFoundError
from trdplanner.logsetup import configure_logging

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
    parser.add_argument("--verbose", action="store_true", help="more detail in the log file")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)
    gui = commands.add_parser("gui", help="open the app (the default)")
    gui.set_defaults(handler=_run_gui)
    demo.register(commands)
    patients.register(commands)
    measures.register(commands)
    from trdplanner.cli import printing; printing.register(commands)  # noqa: E702, I001 - one line: PDF commands
    templates.register(commands)
    return parser


def _run_gui(ctx: AppContext, args: argparse.Namespace) -> int:
    from trdplanner.app import run_gui

    return run_gui(ctx)


def main(argv: Sequence[str]) -> int:
    parser = build_parser()
    args = parser.parse_args(list(argv))
    handler: Handler = getattr(args, "handler", _run_gui)
    try:
        ctx = AppContext.open(args.data_dir, args.db)
    except (DatabaseError, OSError) as exc:
        output.error(str(exc))
        return 3
    configure_logging(ctx.paths.logs_dir, verbose=args.verbose)
    log.info("command %s started", args.command or "gui")
    try:
        return handler(ctx, args)
    except InputError as exc:
        output.error(str(exc))
        return 2
    except (NotFoundError, LockedError) as exc:
        output.error(str(exc))
        return 2
    except DatabaseError as exc:
        output.error(str(exc))
        return 3
    except BrokenPipeError:
        return 0
    finally:
        ctx.close()


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
