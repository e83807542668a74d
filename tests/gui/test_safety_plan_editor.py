"""The structured safety-plan editor: edit by step, add and remove rows, save a new version that the
history shows and the print reads, and never close over unsaved edits without asking."""
# ruff: noqa: F811  (pytest fixtures imported from sessions_support)

from __future__ import annotations

import os
from contextlib import suppress
from io import BytesIO

import pytest
from hypothesis import given
from hypothesis import strategies as st
from pypdf import PdfReader
from PySide6.QtCore import Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication, QLineEdit, QMessageBox, QWidget
from pytestqt.exceptions import TimeoutError as QtTimeoutError
from pytestqt.qtbot import QtBot
from sessions_support import ctx  # noqa: F401

from tests.gui.conftest import when_dialog
from tests.gui.layout_check import problems
from trdplanner.context import AppContext
from trdplanner.gui import pdfs
from trdplanner.gui.forms import TableEditor
from trdplanner.gui.sessions import SessionsTab
from trdplanner.gui.sessions.safety import SafetyPlanDialog, plan_versions
from trdplanner.gui.sessions.safety_editor import SafetyPlanEditor, rows_to_text, text_to_rows
from trdplanner.gui.theme import THEME_ENV, apply_theme


def _tab(qtbot: QtBot, ctx: AppContext, code: str = "DEMO-05") -> tuple[SessionsTab, int]:
    pid = ctx.patients.id_for_code(code)
    assert pid is not None
    tab = SessionsTab(ctx)
    qtbot.addWidget(tab)
    tab.resize(1280, 720)
    tab.show()
    tab.set_patient(pid)
    assert tab.current is not None
    return tab, pid


def _open_editor(qtbot: QtBot, tab: SessionsTab) -> tuple[SafetyPlanDialog, SafetyPlanEditor]:
    history = tab.safety_plan()
    assert history is not None and history.revise_button.isEnabled()
    qtbot.mouseClick(history.revise_button, Qt.MouseButton.LeftButton)
    editors = [d for d in tab._dialogs if isinstance(d, SafetyPlanEditor)]
    assert len(editors) == 1
    editor = editors[0]
    qtbot.waitExposed(editor)
    return history, editor


def _type_into(qtbot: QtBot, table: TableEditor, row: int, text: str) -> None:
    cell = table.cell(row, "entry") or table.cell(row, table.field.columns[0].id)
    assert cell is not None
    line = cell.findChild(QLineEdit)
    assert line is not None
    line.setFocus()
    line.selectAll()
    QTest.keyClicks(line, text)


@given(st.lists(st.text(st.characters(blacklist_categories=("Cc", "Cs", "Zl", "Zp")), min_size=1, max_size=40)
                .map(str.strip).filter(bool), max_size=8))
def test_rows_and_text_round_trip(entries: list[str]) -> None:
    text = rows_to_text([{"entry": e} for e in entries])
    assert [r["entry"] for r in text_to_rows(text)] == entries
    assert (text or "").splitlines() == entries


def test_edit_add_remove_save_shows_in_history_and_print(qtbot: QtBot, ctx: AppContext,
                                                         monkeypatch: pytest.MonkeyPatch) -> None:
    tab, pid = _tab(qtbot, ctx)
    before = plan_versions(ctx.documents, pid)
    assert before, "the demo's high-risk patient has a safety plan on file"
    history, editor = _open_editor(qtbot, tab)
    assert history.history.count() == len(before)

    # Started from the newest version: its warning signs, one per row.
    signs = editor.editors["warning_signs"]
    assert isinstance(signs, TableEditor)
    old_lines = (before[0].values.get("warning_signs") or "").splitlines()
    assert [r["entry"] for r in signs.value()] == [line.strip() for line in old_lines if line.strip()]

    # Add a warning sign in a new row, typed key by key.
    qtbot.mouseClick(signs.add_button, Qt.MouseButton.LeftButton)
    _type_into(qtbot, signs, len(signs.rows) - 1, "Stop answering texts from my sister")
    assert editor.has_unsaved_changes()

    # A new person to ask for help; then remove an empty row again (no question for a blank row).
    people = editor.editors["help_people"]
    assert isinstance(people, TableEditor)
    count = len(people.rows)
    qtbot.mouseClick(people.add_button, Qt.MouseButton.LeftButton)
    people.cell(count, "name").set_value("Neighbour Sam")  # type: ignore[union-attr]
    people.cell(count, "phone").set_value("555-0142")  # type: ignore[union-attr]
    qtbot.mouseClick(people.add_button, Qt.MouseButton.LeftButton)
    assert len(people.rows) == count + 2
    people.table.setCurrentCell(count + 1, 0)
    qtbot.mouseClick(people.remove_button, Qt.MouseButton.LeftButton)
    assert len(people.rows) == count + 1

    # Save from the keyboard (Ctrl+S): a new version, newest first in the open history.
    editor.activateWindow()
    qtbot.waitUntil(editor.isActiveWindow)
    QTest.keyClick(editor, Qt.Key.Key_S, Qt.KeyboardModifier.ControlModifier)
    assert not editor.has_unsaved_changes()
    after = plan_versions(ctx.documents, pid)
    assert len(after) == len(before) + 1
    newest = after[0].values
    assert newest["warning_signs"].splitlines()[-1] == "Stop answering texts from my sister"
    assert {"name": "Neighbour Sam", "phone": "555-0142"} in newest["help_people"]
    assert history.history.count() == len(before) + 1
    assert history.history.item(0).text().startswith(f"Version {len(before) + 1} ·")
    assert history.shown_values()["warning_signs"] == newest["warning_signs"]
    # Older versions are untouched.
    assert [v.values for v in after[1:]] == [v.values for v in before]

    # The print reads what the editor saved.
    text = " ".join(p.extract_text() or "" for p in PdfReader(BytesIO(pdfs.safety_plan_pdf(ctx, pid, False))).pages)
    assert "Stop answering texts from my sister" in text and "Neighbour Sam" in text
    card = " ".join(p.extract_text() or "" for p in PdfReader(BytesIO(pdfs.safety_plan_pdf(ctx, pid, True))).pages)
    assert "Neighbour Sam" in card
    editor.close()


def test_leaving_with_unsaved_edits_asks(qtbot: QtBot, ctx: AppContext) -> None:
    tab, pid = _tab(qtbot, ctx)
    count = len(plan_versions(ctx.documents, pid))
    _history, editor = _open_editor(qtbot, tab)
    reasons = editor.editors["reasons_for_living"]
    assert isinstance(reasons, TableEditor)
    qtbot.mouseClick(reasons.add_button, Qt.MouseButton.LeftButton)
    _type_into(qtbot, reasons, len(reasons.rows) - 1, "My dog Pepper")
    assert tab.has_unsaved_changes()  # the window's leave check sees it too

    # Esc, then Cancel: the editor stays open with the text.
    asked: list[str] = []

    def cancel(box: QMessageBox) -> None:
        asked.append(box.text())
        box.button(QMessageBox.StandardButton.Cancel).click()

    when_dialog(QMessageBox, cancel)
    editor.reject()
    assert asked and "not saved" in asked[0]
    assert editor.isVisible() and editor.has_unsaved_changes()
    assert rows_to_text(reasons.value()).splitlines()[-1] == "My dog Pepper"  # type: ignore[union-attr]

    # Close box, then Save: saved as a new version and closed.
    when_dialog(QMessageBox, lambda box: box.button(QMessageBox.StandardButton.Save).click())
    editor.close()
    qtbot.waitUntil(lambda: not editor.isVisible())
    versions = plan_versions(ctx.documents, pid)
    assert len(versions) == count + 1
    assert versions[0].values["reasons_for_living"].splitlines()[-1] == "My dog Pepper"


def test_discard_closes_without_a_new_version(qtbot: QtBot, ctx: AppContext) -> None:
    tab, pid = _tab(qtbot, ctx)
    count = len(plan_versions(ctx.documents, pid))
    _history, editor = _open_editor(qtbot, tab)
    coping = editor.editors["internal_coping"]
    assert isinstance(coping, TableEditor)
    _type_into(qtbot, coping, 0, "Cold water on my face")
    when_dialog(QMessageBox, lambda box: box.button(QMessageBox.StandardButton.Discard).click())
    editor.close()
    qtbot.waitUntil(lambda: not editor.isVisible())
    assert len(plan_versions(ctx.documents, pid)) == count
    QApplication.processEvents()


def test_bad_input_is_marked_and_nothing_saved(qtbot: QtBot, ctx: AppContext) -> None:
    tab, pid = _tab(qtbot, ctx)
    count = len(plan_versions(ctx.documents, pid))
    _history, editor = _open_editor(qtbot, tab)
    too_long = "x" * 100_001  # above the longest text value a form keeps
    editor.editors["barriers"].set_value(too_long)
    assert editor.save() is False
    assert editor.errors["barriers"].isVisibleTo(editor) and editor.errors["barriers"].text()
    assert len(plan_versions(ctx.documents, pid)) == count
    editor.discard()


@pytest.mark.parametrize("scheme", ("light", "dark"))
def test_editor_fits_a_1024x700_screen(qtbot: QtBot, ctx: AppContext, scheme: str,
                                       monkeypatch: pytest.MonkeyPatch) -> None:
    app = QApplication.instance()
    assert isinstance(app, QApplication)
    monkeypatch.setenv(THEME_ENV, scheme)
    apply_theme(app)
    try:
        tab, _pid = _tab(qtbot, ctx)
        _history, editor = _open_editor(qtbot, tab)
        editor.resize(980, 640)  # inside a 1024x700 screen with a title bar
        found: list[str] = []
        for y in (0, 10_000):  # the top and the bottom of the plan
            editor.area.verticalScrollBar().setValue(y)
            with suppress(TimeoutError, QtTimeoutError):  # the assertion below says what is still wrong
                qtbot.waitUntil(lambda: not problems(editor), timeout=2000)
            found.extend(str(p) for p in problems(editor))
        assert not editor.area.horizontalScrollBar().isVisible()
        assert not found, "\n".join(found)
        editor.discard()
    finally:
        os.environ[THEME_ENV] = "light"
        apply_theme(app)


def test_tab_walks_the_whole_plan_and_stays_in_the_editor(qtbot: QtBot, ctx: AppContext) -> None:
    tab, _pid = _tab(qtbot, ctx)
    _history, editor = _open_editor(qtbot, tab)
    editor.activateWindow()
    qtbot.waitUntil(editor.isActiveWindow)
    signs = editor.editors["warning_signs"]
    means = editor.editors["means"]
    assert isinstance(signs, TableEditor) and isinstance(means, TableEditor)
    seen: list[QWidget] = []
    for _ in range(120):
        focus = QApplication.focusWidget()
        assert focus is not None and (focus is editor or editor.isAncestorOf(focus)), focus
        seen.append(focus)
        QTest.keyClick(focus, Qt.Key.Key_Tab)
    sign_cell = signs.cell(0, "entry")
    assert sign_cell is not None and any(w is sign_cell or sign_cell.isAncestorOf(w) for w in seen)
    assert signs.add_button in seen and means.add_button in seen and editor.save_button in seen
    # Space on a focused Add row adds a row there; the new row's first cell takes the focus.
    rows = len(means.rows)
    means.add_button.setFocus()
    QTest.keyClick(means.add_button, Qt.Key.Key_Space)
    assert len(means.rows) == rows + 1
    new = means.cell(rows, "item")
    focus = QApplication.focusWidget()
    assert new is not None and focus is not None and (focus is new or new.isAncestorOf(focus))
    editor.discard()


def test_first_plan_written_from_nothing(qtbot: QtBot, ctx: AppContext) -> None:
    tab, pid = _tab(qtbot, ctx, "DEMO-01")
    assert plan_versions(ctx.documents, pid) == []
    history, editor = _open_editor(qtbot, tab)
    assert history.history.count() == 0
    assert editor.values()["warning_signs"] is None  # blank stays blank: nothing is invented
    signs = editor.editors["warning_signs"]
    assert isinstance(signs, TableEditor)
    _type_into(qtbot, signs, 0, "Pulling away from friends")
    assert editor.save()
    versions = plan_versions(ctx.documents, pid)
    assert len(versions) == 1 and versions[0].values["warning_signs"] == "Pulling away from friends"
    assert versions[0].values["name"]  # the name and date come from the session, as on a new form
    assert history.history.count() == 1 and history.history.item(0).text().startswith("Version 1 ·")
    editor.close()
