"""GUI start-up.

The window appears first; the database layer (SQLAlchemy and Alembic alone take several
times longer to import than a bare Qt window takes to show) is opened on a worker thread
and handed to the window when it is ready. Any error that reaches the top is logged
(type and stack only, never its message, which may quote patient data) and shown in a
dialog that says what to do.
"""

from __future__ import annotations

import argparse
import logging
import sys
import traceback
from types import TracebackType
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from collections.abc import Callable

    from PySide6.QtWidgets import QApplication, QWidget

    from trdplanner.context import AppContext
    from trdplanner.core.records import PatientSummary
    from trdplanner.gui.main_window import MainWindow

log = logging.getLogger(__name__)


def _application() -> QApplication:
    from PySide6.QtWidgets import QApplication

    from trdplanner.gui.theme import apply_theme

    existing = QApplication.instance()
    app = existing if isinstance(existing, QApplication) else QApplication(sys.argv[:1])
    app.setApplicationName("TRD Planner")
    app.setOrganizationName("TRDPlanner")
    app.setApplicationDisplayName("TRD Planner")
    # Ties windows to the installed menu entry (packaging/linux/*.desktop), so docks show its icon.
    app.setDesktopFileName("org.trdplanner.TRDPlanner")
    apply_theme(app)
    return app


def install_excepthook(window_getter: Callable[[], QWidget | None]) -> None:
    """Unhandled errors in slots: log the type and stack, show the plain-words dialog."""

    def hook(kind: type[BaseException], exc: BaseException, tb: TracebackType | None) -> None:
        log.error("unhandled %s\n%s", kind.__name__, "".join(traceback.format_tb(tb)))
        if isinstance(exc, KeyboardInterrupt):
            sys.__excepthook__(kind, exc, tb)
            return
        from trdplanner.gui.dialogs import show_error

        show_error(window_getter(), "Something went wrong", exc)

    sys.excepthook = hook


def run_gui(ctx: AppContext) -> int:
    """Open the window on an already opened context (the ``trdplanner gui`` command)."""
    from trdplanner.gui.main_window import MainWindow

    app = _application()
    window = MainWindow(ctx, ctx.paths.data_dir / "window-state.ini")
    install_excepthook(lambda: window)
    window.show()
    _hold_lock(app, ctx)
    _warn_about_record(window, ctx)
    return int(app.exec())


def _parse(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="trdplanner", add_help=False)
    parser.add_argument("--data-dir")
    parser.add_argument("--db")
    parser.add_argument("--verbose", action="store_true")
    parser.add_argument("--read-only", action="store_true")
    parser.add_argument("command", nargs="?", choices=["gui"])
    return parser.parse_args(argv)


def start(
    argv: list[str], *, on_ready: Callable[[MainWindow], None] | None = None
) -> tuple[QApplication, MainWindow]:
    """Show the window at once and open the database behind it. ``on_ready`` runs once the list is shown."""
    args = _parse(argv)
    from trdplanner.core.writable import cannot_write
    from trdplanner.logsetup import configure_logging
    from trdplanner.paths import AppPaths

    app = _application()
    paths = AppPaths.resolve(args.data_dir)
    # A read-only data folder (a write-protected stick, a share without write rights): nothing is
    # created or written there, a log included; the database opens read-only (context.py).
    read_only = args.read_only or cannot_write(paths.data_dir, [paths.database_file]) is not None
    if not read_only:
        paths.ensure()
        configure_logging(paths.logs_dir, verbose=args.verbose)
    logging.getLogger("alembic").setLevel(logging.WARNING)  # one line per plugin otherwise
    log.info("app starting")

    from trdplanner.gui.main_window import MainWindow
    from trdplanner.gui.tasks import run_in_background

    window = MainWindow(None, paths.data_dir / "window-state.ini")
    install_excepthook(lambda: window)
    window.show()

    # A group practice's login, asked for when the server wants a password (see failed()).
    credentials: dict[str, str | None] = {"url": args.db, "password": None}

    def open_context(passphrase: str | None) -> tuple[AppContext, list[PatientSummary]]:
        from trdplanner.context import AppContext

        url, password = credentials["url"], credentials["password"]
        mode = True if args.read_only else None  # None: read-only exactly when the folder cannot be written
        if passphrase is None:  # $TRDPLANNER_PASSPHRASE, or a database that needs none
            ctx = AppContext.open(str(paths.data_dir), url, db_password=password, read_only=mode)
        else:
            opener: Any = AppContext.open  # takes the passphrase on builds that encrypt
            ctx = opener(str(paths.data_dir), url, passphrase, db_password=password, read_only=mode)
        return ctx, ctx.patients.summaries(status=None)

    last_passphrase: list[str | None] = [None]

    def attempt(passphrase: str | None) -> None:
        last_passphrase[0] = passphrase
        window.statusBar().showMessage("Opening the database…")
        run_in_background(lambda: open_context(passphrase), ready, failed)

    wrong_passphrases = [0]  # data safety: failed unlocks are audited once the database is open

    def ready(result: tuple[AppContext, list[PatientSummary]]) -> None:
        ctx, rows = result
        if wrong_passphrases[0]:
            ctx.audit.try_record("unlock.failed", "app", "", {"attempts": wrong_passphrases[0], "where": "start-up"})
        window.attach(ctx, rows)
        app.aboutToQuit.connect(ctx.close)
        _hold_lock(app, ctx)
        _warn_about_record(window, ctx)
        log.info("database open, %d patients listed", len(rows))
        if on_ready is not None:
            on_ready(window)

    def failed(exc: BaseException) -> None:
        from trdplanner.gui.dialogs import explain

        passphrase_problem = _passphrase_problem(exc)
        if passphrase_problem is not None:
            new, message = passphrase_problem
            wrong_passphrases[0] += type(exc).__name__ == "WrongPassphrase"
            log.info("database needs a passphrase (new=%s)", new)
            from trdplanner.gui.passphrase import PassphraseDialog

            window.statusBar().showMessage("Waiting for the passphrase")
            dialog = PassphraseDialog(new, str(paths.data_dir), message, window)
            if dialog.exec():
                attempt(dialog.value())
            else:
                app.exit(0)
            return

        from trdplanner.gui.login import LoginDialog, needs_login

        if credentials["url"] and needs_login(exc):
            from sqlalchemy.engine import make_url

            url = make_url(str(credentials["url"]))
            retry = credentials["password"] is not None
            log.info("the server asks for a login")
            window.statusBar().showMessage("Waiting for your login")
            login_dialog = LoginDialog(
                f"{url.host or 'localhost'}{':' + str(url.port) if url.port else ''}/{url.database or ''}",
                url.username or "",
                "That login and password were not accepted. Check them and try again." if retry else "",
                window,
            )
            if login_dialog.exec():
                login, password = login_dialog.value()
                credentials["url"] = url.set(username=login or None).render_as_string(hide_password=False)
                credentials["password"] = password
                attempt(last_passphrase[0])
            else:
                app.exit(0)
            return

        from PySide6.QtWidgets import QMessageBox

        what, todo = explain(exc)
        log.error("could not open the database: %s", type(exc).__name__)
        box = QMessageBox(QMessageBox.Icon.Critical, "TRD Planner cannot open its database", what,
                          QMessageBox.StandardButton.Close, window)
        box.setInformativeText(f"{todo}\n\nData folder: {paths.data_dir}")
        box.exec()
        app.exit(3)

    attempt(None)  # the passphrase from $TRDPLANNER_PASSPHRASE, if any; else the dialog asks
    return app, window


def _hold_lock(app: QApplication, ctx: AppContext) -> None:
    """While the window is open, `trdplanner restore` refuses to replace the database under it."""
    from trdplanner.core import backup

    if ctx.read_only:  # nothing is written in a read-only data folder; a restore cannot happen there either
        return
    try:
        mark = backup.hold_app_lock(ctx.paths.data_dir)
    except OSError:  # a read-only data folder: nothing can be restored into it anyway
        return
    app.aboutToQuit.connect(lambda: backup.release_app_lock(mark))


def _warn_about_record(window: QWidget, ctx: AppContext) -> None:
    """Tell the person at once when the database is not the one last seen, or lost its guards."""
    lines = list(ctx.anchor_problems)
    if ctx.db.repaired_guards:
        lines.append("Protections that keep signed notes and the audit trail unchangeable were missing; they have "
                     "been put back and this is recorded.")
    if ctx.missing_guards:
        lines.append("Protections that keep signed notes and the audit trail unchangeable are missing. The data "
                     "folder is read-only, so they are put back (and this recorded) when it is opened where it can "
                     "be written.")
    if not lines:
        return
    from PySide6.QtWidgets import QMessageBox

    box = QMessageBox(QMessageBox.Icon.Warning, "The record may have been changed outside TRD Planner",
                      "\n\n".join(line[0].upper() + line[1:] for line in lines), QMessageBox.StandardButton.Ok, window)
    box.setInformativeText("This is recorded in the audit trail. Check with whoever looks after your records, or "
                           "restore a backup; once dealt with, 'trdplanner audit accept' records that.")
    box.open()


def _passphrase_problem(exc: BaseException) -> tuple[bool, str] | None:
    """(new database?, message for the dialog) when opening failed for want of the right passphrase."""
    import importlib

    try:
        crypto: Any = importlib.import_module("trdplanner.core.crypto")
    except ImportError:  # a build without encryption support
        return None
    if isinstance(exc, crypto.PassphraseRequired):
        return bool(getattr(exc, "new", True)), ""
    if isinstance(exc, crypto.WrongPassphrase):
        return False, "That passphrase does not open this database. Check Caps Lock and try again."
    if isinstance(exc, crypto.PassphraseError):
        return True, str(exc).removeprefix("database: ").capitalize() + "."
    return None


def main(argv: list[str] | None = None) -> int:
    app, _window = start(sys.argv[1:] if argv is None else argv)
    return int(app.exec())


if __name__ == "__main__":
    sys.exit(main())
