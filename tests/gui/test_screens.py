"""Tests that look: every workspace tab and session page at 1280x720 and 1024x700, light and dark.

A tab fails when it shows a sideways scroll bar, when two widgets of one layout overlap, or when
a widget sticks out of its parent or a button is squeezed below its size (its label cut off).
Each case also saves the screen it looked at, for a person to look at too.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import suppress
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication, QHBoxLayout, QLabel, QPushButton, QScrollArea, QVBoxLayout, QWidget
from pytestqt.qtbot import QtBot

from tests.gui.conftest import open_plain
from tests.gui.layout_check import overlaps_and_cuts, problems, sideways_scrollbars
from trdplanner.context import AppContext
from trdplanner.core.demo import create_demo
from trdplanner.gui.main_window import MainWindow
from trdplanner.gui.theme import THEME_ENV, apply_theme

SIZES = ((1280, 720), (1024, 700))
SCHEMES = ("light", "dark")


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Iterator[AppContext]:
    data = tmp_path_factory.mktemp("screens")
    old = os.environ.get("TRDPLANNER_PASSPHRASE")
    os.environ["TRDPLANNER_PASSPHRASE"] = "screens test passphrase"
    ctx = open_plain(data)
    create_demo(ctx)
    yield ctx
    ctx.close()
    if old is None:
        os.environ.pop("TRDPLANNER_PASSPHRASE", None)
    else:
        os.environ["TRDPLANNER_PASSPHRASE"] = old


def _settle(qtbot: QtBot, window: QWidget) -> None:
    """Let the layout finish (wrapped labels take a pass or two to find their height), up to 2 s."""
    with suppress(AssertionError):  # the caller reports what is still wrong
        qtbot.waitUntil(lambda: not problems(window), timeout=2000)


def _scheme(app: QApplication, name: str) -> None:
    os.environ[THEME_ENV] = name
    apply_theme(app)  # type: ignore[arg-type]


@pytest.mark.parametrize("scheme", SCHEMES)
@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
def test_every_tab_fits_without_scrolling_sideways_or_overlapping(
    qtbot: QtBot, demo: AppContext, tmp_path: Path, size: tuple[int, int], scheme: str
) -> None:
    app = QApplication.instance()
    assert isinstance(app, QApplication)
    _scheme(app, scheme)
    try:
        window = MainWindow(demo, tmp_path / "state.ini")
        qtbot.addWidget(window)
        window.resize(*size)
        window.show()
        qtbot.waitExposed(window)
        pid = demo.patients.id_for_code("DEMO-05")  # the patient with the most on file
        assert pid is not None
        window.open_patient(pid)
        ws = window.workspace
        seen: list[str] = []
        found: list[str] = []
        for i in range(ws.count()):
            ws.setCurrentIndex(i)
            if ws.tab_at(i) is ws.notes:
                ws.notes.table.selectRow(0)  # a note open beside the list, as when searching
            pages = range(ws.sessions.pages.count()) if ws.tab_at(i) is ws.sessions else [None]
            for p in pages:
                if p is not None:
                    ws.sessions.pages.setCurrentIndex(p)
                _settle(qtbot, window)
                where = ws.tabText(i) + ("" if p is None else " / " + ws.sessions.pages.tabText(p).replace("&", ""))
                seen.append(where)
                window.grab().save(str(tmp_path / f"{len(seen):02d}.png"))
                found.extend(f"{where}: {problem}" for problem in problems(window))
        assert window.width() <= size[0] and window.height() <= size[1]
        assert len(seen) == ws.count() - 1 + ws.sessions.pages.count()
        assert ws.sessions.current is not None  # the newest session opened by itself
        assert not found, "\n".join(found)
    finally:
        _scheme(app, "light")


def test_the_sign_button_and_format_box_are_in_view_at_1280x720(qtbot: QtBot, demo: AppContext,
                                                                 tmp_path: Path) -> None:
    window = MainWindow(demo, tmp_path / "state.ini")
    qtbot.addWidget(window)
    window.resize(1280, 720)
    window.show()
    qtbot.waitExposed(window)
    pid = demo.patients.id_for_code("DEMO-05")
    assert pid is not None
    window.open_patient(pid)
    ws = window.workspace
    ws.show_widget(ws.sessions)
    ws.sessions.pages.setCurrentWidget(ws.sessions.note)
    qtbot.wait(60)
    for w in (ws.sessions.note.sign_button, ws.sessions.note.format_combo, ws.sessions.note.save_button):
        assert w.isVisible()
        top_left = w.mapTo(window, w.rect().topLeft())
        bottom_right = w.mapTo(window, w.rect().bottomRight())
        assert window.rect().contains(top_left) and window.rect().contains(bottom_right), w


def test_the_patient_list_folds_away_and_comes_back(qtbot: QtBot, demo: AppContext, tmp_path: Path) -> None:
    window = MainWindow(demo, tmp_path / "state.ini")
    qtbot.addWidget(window)
    window.resize(1024, 700)
    window.show()
    qtbot.waitExposed(window)
    before = window.splitter.sizes()[1]
    window.toggle_patient_list()
    assert window.splitter.sizes()[0] == 0 and not window.act_list.isChecked()
    assert window.splitter.sizes()[1] > before
    window.toggle_patient_list()
    assert window.splitter.sizes()[0] >= window.patients.minimumWidth() and window.act_list.isChecked()


# ---------------------------------------------------------------------------- the checker itself


def test_the_checker_sees_a_sideways_scroll_bar(qtbot: QtBot) -> None:
    area = QScrollArea()
    qtbot.addWidget(area)
    wide = QLabel("x" * 400)
    area.setWidget(wide)
    area.resize(200, 100)
    area.show()
    qtbot.waitExposed(area)
    assert sideways_scrollbars(area)


def test_the_checker_sees_overlap_and_a_squeezed_button(qtbot: QtBot) -> None:
    host = QWidget()
    qtbot.addWidget(host)
    row = QHBoxLayout(host)
    a = QPushButton("A fairly long button label")
    b = QPushButton("Another long button label")
    row.addWidget(a)
    row.addWidget(b)
    host.setFixedWidth(120)  # narrower than the buttons need
    host.show()
    qtbot.waitExposed(host)
    assert any(p.kind == "cut off" for p in overlaps_and_cuts(host))

    other = QWidget()
    qtbot.addWidget(other)
    col = QVBoxLayout(other)
    c, d = QLabel("one"), QLabel("two")
    col.addWidget(c)
    col.addWidget(d)
    other.resize(200, 120)
    other.show()
    qtbot.waitExposed(other)
    assert not overlaps_and_cuts(other)
    d.setGeometry(c.geometry().translated(5, 5))  # painted over its sibling
    assert any(p.kind == "overlap" for p in overlaps_and_cuts(other))


# ---------------------------------------------------------------------------- keyboard


def _active_window(qtbot: QtBot, demo: AppContext, tmp_path: Path) -> MainWindow:
    window = MainWindow(demo, tmp_path / "state.ini")
    qtbot.addWidget(window)
    window.resize(1280, 720)
    window.show()
    qtbot.waitExposed(window)
    window.activateWindow()
    qtbot.waitUntil(window.isActiveWindow)
    pid = demo.patients.id_for_code("DEMO-03")
    assert pid is not None
    window.open_patient(pid)
    return window


def _press(key: Qt.Key, modifier: Qt.KeyboardModifier = Qt.KeyboardModifier.NoModifier) -> QWidget:
    focus = QApplication.focusWidget()
    assert focus is not None
    QTest.keyClick(focus, key, modifier)
    now = QApplication.focusWidget()
    assert now is not None
    return now


def test_tab_leaves_the_patient_list_for_the_workspace(qtbot: QtBot, demo: AppContext, tmp_path: Path) -> None:
    window = _active_window(qtbot, demo, tmp_path)
    window.patients.table.setFocus()
    presses = 0
    while not window.workspace.isAncestorOf(QApplication.focusWidget()):
        presses += 1
        assert presses <= 6, "six presses of Tab did not reach the workspace"
        _press(Qt.Key.Key_Tab)


def test_f6_moves_between_the_panes(qtbot: QtBot, demo: AppContext, tmp_path: Path) -> None:
    window = _active_window(qtbot, demo, tmp_path)
    ws = window.workspace
    ws.show_widget(ws.sessions)
    qtbot.wait(50)
    window.patients.table.setFocus()
    stops = []
    for _ in range(4):
        QTest.keyClick(window, Qt.Key.Key_F6)
        focus = QApplication.focusWidget()
        stops.append(next((i for i, p in enumerate(window.panes()) if focus is p or p.isAncestorOf(focus)), -1))
    # patient list -> session list -> session page -> patient list -> ...
    assert stops == [1, 2, 0, 1]
    QTest.keyClick(window, Qt.Key.Key_F6, Qt.KeyboardModifier.ShiftModifier)
    assert window.patients.isAncestorOf(QApplication.focusWidget())


def test_help_lists_the_shortcuts_for_new_session_sign_and_lock(qtbot: QtBot, demo: AppContext, tmp_path: Path,
                                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    window = _active_window(qtbot, demo, tmp_path)
    shown: list[str] = []
    monkeypatch.setattr("trdplanner.gui.help_dialogs.QMessageBox.information",
                        lambda _parent, _title, text: shown.append(text))
    help_action = next(a for a in window.actions() if a.shortcut().toString() == "F1")
    help_action.trigger()  # Help ▸ Keyboard shortcuts, as F1 opens it
    text = shown[0]
    for key, what in (("Ctrl+Shift+N", "New session"), ("Ctrl+Shift+S", "Sign"), ("Ctrl+L", "Lock"),
                      ("F6", "pane"), ("Ctrl+G", "Groups")):
        assert key in text and what in text
    assert window.workspace.sessions.note.sign_button.shortcut().toString() == "Ctrl+Shift+S"
    assert window.app_lock.act_lock.shortcut().toString() == "Ctrl+L"  # type: ignore[attr-defined]


def test_the_title_bar_names_the_patient_by_print_code(qtbot: QtBot, demo: AppContext, tmp_path: Path) -> None:
    window = _active_window(qtbot, demo, tmp_path)
    assert window.windowTitle() == "DEMO-03 — TRD Planner"
    assert "Priya" not in window.windowTitle()


# ---------------------------------------------------------------------------- pre-session sheet, safety plan


def _loaded(qtbot: QtBot, dialog) -> bytes:
    qtbot.waitUntil(lambda: dialog.preview.page_count() > 0, timeout=30000)
    return dialog.preview.data


def test_pre_session_sheet_and_safety_plan_screens(qtbot: QtBot, demo: AppContext, tmp_path: Path) -> None:
    from io import BytesIO

    from pypdf import PdfReader
    from PySide6.QtWidgets import QLineEdit, QPlainTextEdit

    window = _active_window(qtbot, demo, tmp_path)
    pid = demo.patients.id_for_code("DEMO-05")
    assert pid is not None
    window.open_patient(pid)
    tab = window.workspace.sessions
    window.workspace.show_widget(tab)
    qtbot.wait(50)
    assert tab.current is not None
    sheet = _loaded(qtbot, tab.pre_session_sheet())
    text = " ".join(p.extract_text() or "" for p in PdfReader(BytesIO(sheet)).pages)
    assert "DEMO-05" in text

    dialog = tab.safety_plan()
    assert dialog is not None
    before = len(dialog.versions)
    assert before >= 1, "the demo's high-risk patient has a safety plan on file"
    form = dialog.forms.currentWidget()
    edits = [*form.findChildren(QLineEdit), *form.findChildren(QPlainTextEdit)]
    assert edits and all(w.isReadOnly() for w in edits)  # history is read, not rewritten
    card = _loaded(qtbot, tab.print_safety_plan(True))
    page = PdfReader(BytesIO(card)).pages[0]
    assert float(page.mediabox.width) > float(page.mediabox.height)  # the fold-up card is landscape
    shown = dialog.shown_values()
    editor = tab.revise_safety_plan(shown)  # the structured editor, starting from the version shown
    assert editor is not None and editor.save()
    editor.close()
    again = tab.safety_plan()
    assert again is not None and len(again.versions) == before + 1
    carried = {k: v for k, v in shown.items() if isinstance(v, str) and v}
    assert carried and all(again.versions[0].values.get(k) == v for k, v in carried.items())


def test_tab_through_a_measure_stops_only_on_fields(qtbot: QtBot, demo: AppContext, tmp_path: Path) -> None:
    window = _active_window(qtbot, demo, tmp_path)
    ws = window.workspace
    ws.show_widget(ws.measures)
    qtbot.wait(50)
    window.patients.table.setFocus()
    QTest.keyClick(window, Qt.Key.Key_F6)  # into the workspace: the first field of the tab
    stops = [QApplication.focusWidget()]
    for _ in range(6):
        stops.append(_press(Qt.Key.Key_Tab))
    assert all(ws.measures.isAncestorOf(w) for w in stops if w is not None)
    assert not [w for w in stops if isinstance(w, QScrollArea)], "Tab stopped on a bare frame"
    assert any(type(w).__name__ == "ItemRow" for w in stops)  # reaches the items, scored by digits
