"""GUI test helpers: a main window on a fresh data dir, and a way to drive modal dialogs."""

from __future__ import annotations

import inspect
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication, QWidget
from pytestqt.qtbot import QtBot

from trdplanner.context import AppContext
from trdplanner.core.records import ClinicianRec, PracticeRec
from trdplanner.gui.main_window import MainWindow


def open_plain(data_dir: Path) -> AppContext:
    """The context on a plain (unencrypted) test database, whether or not this build encrypts new ones."""
    if "encrypt_new" in inspect.signature(AppContext.open).parameters:
        return AppContext.open(str(data_dir), encrypt_new=False)  # type: ignore[call-arg, unused-ignore]
    return AppContext.open(str(data_dir))


@pytest.fixture(autouse=True)
def signing_password_answered(monkeypatch: pytest.MonkeyPatch) -> None:
    """Every signing-password prompt is answered with the demo password (README), so no test waits
    on a modal dialog; a test that checks the prompt itself patches it again."""
    from trdplanner.core.demo import DEMO_SIGNING_PASSWORD

    monkeypatch.setattr("trdplanner.gui.notes.signing_dialog._ask", lambda *_a, **_k: DEMO_SIGNING_PASSWORD)


@pytest.fixture
def ctx(data_dir: Path) -> Iterator[AppContext]:
    context = open_plain(data_dir)
    context.practice.save_practice(PracticeRec(name="Test practice"))
    context.practice.add_clinician(ClinicianRec(name="Dr. Test Clinician", credentials="PhD"))
    yield context
    context.close()


@pytest.fixture
def window(qtbot: QtBot, ctx: AppContext, data_dir: Path) -> MainWindow:
    w = MainWindow(ctx, data_dir / "window-state.ini")
    qtbot.addWidget(w)
    w.show()
    qtbot.waitExposed(w)
    w.activateWindow()
    qtbot.waitUntil(w.isActiveWindow)
    return w


def when_dialog(kind: type[QWidget], act: Callable[[Any], None], timeout_ms: int = 5000) -> None:
    """Run ``act`` on the next modal dialog of ``kind`` as soon as it is open (dialogs block in exec())."""
    waited = [0]

    def poll() -> None:
        w = QApplication.activeModalWidget()
        if isinstance(w, kind) and w.isVisible():
            try:
                act(w)
            except BaseException:
                w.reject()  # never leave a test hanging on an open dialog; pytest-qt reports the error
                raise
            return
        waited[0] += 20
        if waited[0] > timeout_ms:
            raise AssertionError(f"no {kind.__name__} dialog appeared")
        QTimer.singleShot(20, poll)

    QTimer.singleShot(0, poll)
