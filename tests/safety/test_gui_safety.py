"""The app lock, the audit viewer and the window's data-safety hooks."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from _safety_helpers import PASSPHRASE, make_patient, signed_session
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QAbstractButton, QApplication, QLabel, QLineEdit, QPlainTextEdit, QTextEdit, QWidget
from pytestqt.qtbot import QtBot
from sqlalchemy import text

from trdplanner.context import AppContext
from trdplanner.gui.audit_dialog import AuditDialog
from trdplanner.gui.lock import LOCKED_TITLE, AppLock
from trdplanner.gui.main_window import MainWindow

NAME = "Rowan Synthetic-Example"


@pytest.fixture
def window(qtbot: QtBot, ctx: AppContext, data_dir: Path) -> Iterator[MainWindow]:
    make_patient(ctx)
    w = MainWindow(ctx, data_dir / "window-state.ini")
    qtbot.addWidget(w)
    w.show()
    qtbot.waitExposed(w)
    yield w


def lock_of(w: MainWindow) -> AppLock:
    lock = w.app_lock  # type: ignore[attr-defined]
    assert isinstance(lock, AppLock)
    return lock


def visible_text() -> str:
    """Every piece of text a person could read on screen, in every window of the app."""
    parts: list[str] = []
    for top in QApplication.topLevelWidgets():
        if not top.isVisible():
            continue
        parts.append(top.windowTitle())
        for w in [top, *top.findChildren(QWidget)]:
            if not w.isVisible():
                continue
            if isinstance(w, QLabel | QAbstractButton | QLineEdit):
                parts.append(w.text())
            elif isinstance(w, QPlainTextEdit | QTextEdit):
                parts.append(w.toPlainText())
            elif hasattr(w, "model") and callable(w.model) and w.model() is not None:
                model = w.model()
                for r in range(min(model.rowCount(), 200)):
                    for c in range(model.columnCount()):
                        parts.append(str(model.index(r, c).data() or ""))
    return "\n".join(parts)


def open_first_patient(qtbot: QtBot, w: MainWindow) -> int:
    pid = w.patients.model.rows[0].id if hasattr(w.patients.model, "rows") else w.ctx.patients.summaries()[0].id
    w.open_patient(pid)
    code = w.ctx.patients.get(pid).code  # the title shows the print code by default (print-identity setting)
    qtbot.waitUntil(lambda: code in w.windowTitle())
    return pid


def test_locking_hides_every_patient_detail(qtbot: QtBot, window: MainWindow) -> None:
    open_first_patient(qtbot, window)
    assert NAME in visible_text()
    lock = lock_of(window)
    lock.lock()
    assert lock.locked and window.windowTitle() == LOCKED_TITLE
    assert not window.centralWidget().isVisible()
    shown = visible_text()
    assert NAME not in shown and "SAFE-01" not in shown and "TRD Planner is locked" in shown

    # Something in the background updating the header while locked does not bring the name back.
    window.setWindowTitle(f"{NAME} — TRD Planner")
    qtbot.waitUntil(lambda: window.windowTitle() == LOCKED_TITLE)
    # Input goes nowhere but the lock screen.
    search = window.patients.findChild(QLineEdit)
    if search is not None:
        before = search.text()
        qtbot.keyClicks(search, "zzz")
        assert search.text() == before


def test_wrong_passphrase_keeps_it_locked_and_is_audited(qtbot: QtBot, window: MainWindow, ctx: AppContext) -> None:
    open_first_patient(qtbot, window)
    lock = lock_of(window)
    lock.lock()
    cover = next(iter(lock._covers.values()))
    qtbot.keyClicks(cover.passphrase, "not it at all")
    qtbot.keyClick(cover.passphrase, Qt.Key.Key_Return)
    assert lock.locked and "not right" in cover.error.text() and cover.passphrase.text() == ""
    failed = ctx.audit.list(1)[0]
    assert failed.action == "unlock.failed" and failed.detail["attempt"] == 1

    qtbot.keyClicks(cover.passphrase, PASSPHRASE)
    qtbot.keyClick(cover.passphrase, Qt.Key.Key_Return)
    assert not lock.locked
    assert window.windowTitle() == "SAFE-01 — TRD Planner" and window.centralWidget().isVisible()  # print code
    assert NAME in visible_text()


def test_idle_time_locks_the_app(qtbot: QtBot, window: MainWindow, monkeypatch: pytest.MonkeyPatch) -> None:
    lock = lock_of(window)
    monkeypatch.setattr(lock, "idle_ms", lambda: 300)
    lock.restart_timer()
    qtbot.waitUntil(lambda: lock.locked, timeout=5000)
    assert window.windowTitle() == LOCKED_TITLE


def test_input_postpones_the_lock(qtbot: QtBot, window: MainWindow, monkeypatch: pytest.MonkeyPatch) -> None:
    lock = lock_of(window)
    monkeypatch.setattr(lock, "idle_ms", lambda: 1500)
    lock.restart_timer()
    for _ in range(6):  # keep typing for longer than the idle time
        qtbot.wait(400)
        lock.timer.stop()  # as if the last input were just now (the filter restarts at most once a second)
        qtbot.keyClick(window.patients, Qt.Key.Key_Down)
    assert not lock.locked


def test_opening_a_patient_is_audited(qtbot: QtBot, window: MainWindow, ctx: AppContext) -> None:
    pid = open_first_patient(qtbot, window)
    opened = [e for e in ctx.audit.list(10) if e.action == "patient.open"]
    assert opened and opened[0].object_id == str(pid)
    assert NAME not in opened[0].actor + str(opened[0].detail)


def test_audit_dialog_lists_and_checks_the_chain(qtbot: QtBot, ctx: AppContext) -> None:
    signed_session(ctx, make_patient(ctx))
    dialog = AuditDialog(ctx.audit)
    qtbot.addWidget(dialog)
    actions = {dialog.table.item(r, 3).text() for r in range(dialog.table.rowCount())}
    assert {"patient.create", "session.create", "note.sign"} <= actions
    assert dialog.verify() and "check out" in dialog.outcome.text()
    dialog.kind.setCurrentIndex([p for _, p in __import__("trdplanner.gui.audit_dialog").gui.audit_dialog.KINDS]
                                .index("note."))
    assert all(dialog.table.item(r, 3).text().startswith("note.") for r in range(dialog.table.rowCount()))

    with ctx.db.engine.begin() as conn:
        conn.execute(text("DROP TRIGGER trd_audit_no_update"))
        conn.execute(text("UPDATE audit_event SET actor = 'someone else' WHERE id = 2"))
    assert not dialog.verify()
    assert "altered" in dialog.outcome.text() and "entry 2" in dialog.outcome.text()


def test_backup_on_quit_and_from_the_menu(qtbot: QtBot, window: MainWindow, ctx: AppContext) -> None:
    lock = lock_of(window)
    qtbot.waitUntil(lambda: any(ctx.paths.backups_dir.iterdir()), timeout=10000)  # the daily one, at start-up
    lock.about_to_quit()
    assert lock.act_backup is not None
    lock.act_backup.trigger()
    backups = sorted(p.name for p in ctx.paths.backups_dir.iterdir() if not p.name.endswith(".anchor.json"))
    assert len(backups) == 3 and all(n.startswith("auto-") for n in backups)  # daily (at start), quit, menu
    reasons = sorted(e.detail["reason"] for e in ctx.audit.list(20, action="backup."))
    assert reasons == ["close", "daily", "manual"]
