"""Start-up: the window shows at once, the database opens behind it, the passphrase is asked for."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot

from tests.gui.conftest import when_dialog
from trdplanner.app import start
from trdplanner.gui.passphrase import PassphraseDialog


@pytest.fixture(autouse=True)
def _no_env_passphrase(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("TRDPLANNER_PASSPHRASE", raising=False)


def test_a_new_practice_chooses_a_passphrase_then_unlocks_with_it(qtbot: QtBot, data_dir: Path) -> None:
    pytest.importorskip("trdplanner.core.crypto", reason="this build does not encrypt the database")
    seen: dict[str, str] = {}

    def choose(d: PassphraseDialog) -> None:
        assert d.new
        d.passphrase.setText("short")
        d.buttons.accepted.emit()
        seen["short"] = d.error.text()
        d.passphrase.setText("river lantern copper meadow")
        seen["hint"] = d.hint.text()
        d.again.setText("river lantern copper meadow!")
        d.buttons.accepted.emit()
        seen["differ"] = d.error.text()
        d.again.setText("river lantern copper meadow")
        d.buttons.accepted.emit()

    when_dialog(PassphraseDialog, choose)
    _app, window = start(["--data-dir", str(data_dir)])
    qtbot.addWidget(window)
    assert window.isVisible() and window.ctx is None  # the window is up before the database
    qtbot.waitUntil(lambda: window.ctx is not None, timeout=20000)
    assert "at least 8" in seen["short"]
    assert seen["hint"] in ("Good.", "Strong.")
    assert "differ" in seen["differ"]
    assert "No patients yet" in window.patients.empty.text()
    assert window.ctx.key is not None  # the new database is encrypted
    window.ctx.close()
    window.close()

    # Next launch: the wrong passphrase is refused with a clear message, the right one opens it.
    attempts: list[str] = []

    def unlock(d: PassphraseDialog) -> None:
        attempts.append(d.error.text())
        d.passphrase.setText("wrong words entirely" if len(attempts) == 1 else "river lantern copper meadow")
        d.buttons.accepted.emit()
        if len(attempts) == 1:
            when_dialog(PassphraseDialog, unlock, timeout_ms=20000)

    when_dialog(PassphraseDialog, unlock)
    _app, again = start(["--data-dir", str(data_dir)])
    qtbot.addWidget(again)
    qtbot.waitUntil(lambda: again.ctx is not None, timeout=30000)
    assert attempts[0] == "" and "does not open this database" in attempts[1]
    again.ctx.close()


def test_launch_path_does_not_import_the_database_layer_before_the_window(data_dir: Path) -> None:
    code = (
        "import sys; from trdplanner.app import _application; "
        "from trdplanner.gui.main_window import MainWindow; app = _application(); w = MainWindow(None, None); "
        "w.show(); print('sqlalchemy' in sys.modules, 'alembic' in sys.modules)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True,
                         cwd=Path(__file__).resolve().parents[2])
    assert out.stdout.split() == ["False", "False"]


def test_python_m_trdplanner_without_a_command_opens_the_window(monkeypatch: pytest.MonkeyPatch) -> None:
    from trdplanner.__main__ import _wants_gui

    assert _wants_gui([]) and _wants_gui(["--data-dir", "x"]) and _wants_gui(["--db=sqlite://", "gui"])
    assert not _wants_gui(["patient", "list"]) and not _wants_gui(["--help"]) and not _wants_gui(["--data-dir"])
    assert QApplication.instance() is not None
