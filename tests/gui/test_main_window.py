"""The main window lists patients from the services and filters as the user types."""

from __future__ import annotations

from pathlib import Path

from pytestqt.qtbot import QtBot

from trdplanner.context import AppContext
from trdplanner.core.demo import create_demo
from trdplanner.gui.main_window import MainWindow


def _window(qtbot: QtBot, data_dir: Path) -> tuple[MainWindow, AppContext]:
    ctx = AppContext.open(str(data_dir))
    create_demo(ctx)
    window = MainWindow(ctx.patients, data_dir / "window-state.ini")
    qtbot.addWidget(window)
    window.show()
    return window, ctx


def _names(window: MainWindow) -> list[str]:
    model = window.model
    return [model.summary_at(r).full_name for r in range(model.rowCount())]


def test_window_lists_active_demo_patients(qtbot: QtBot, data_dir: Path) -> None:
    window, ctx = _window(qtbot, data_dir)
    names = _names(window)
    assert "Priya Raman" in names and "Tomás Álvarez" in names
    assert "Aiko Tanaka" not in names  # archived patients stay out of the default list
    assert window.statusBar().currentMessage() == f"{len(names)} patients"
    ctx.close()


def test_search_as_you_type_filters_by_name_code_and_diagnosis(qtbot: QtBot, data_dir: Path) -> None:
    window, ctx = _window(qtbot, data_dir)
    qtbot.keyClicks(window.search, "tomas")  # typed without the accent, as people do
    qtbot.waitUntil(lambda: _names(window) == ["Tomás Álvarez"])
    window.search.clear()
    qtbot.keyClicks(window.search, "zz_%")  # LIKE wildcards are searched literally
    qtbot.waitUntil(lambda: window.stack.currentWidget() is window.empty)
    assert "No patients match" in window.empty.text()
    window.search.clear()
    qtbot.keyClicks(window.search, "demo-03")
    qtbot.waitUntil(lambda: _names(window) == ["Priya Raman"])
    window.search.clear()
    qtbot.keyClicks(window.search, "psychotic features")
    qtbot.waitUntil(lambda: set(_names(window)) == {"Eleanor Marsh", "Tomás Álvarez"})
    ctx.close()


def test_empty_practice_explains_how_to_start(qtbot: QtBot, data_dir: Path) -> None:
    ctx = AppContext.open(str(data_dir))
    window = MainWindow(ctx.patients, data_dir / "window-state.ini")
    qtbot.addWidget(window)
    assert window.stack.currentWidget() is window.empty
    assert "trdplanner demo" in window.empty.text()
    ctx.close()
