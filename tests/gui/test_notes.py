"""The note editor's autosave, the Notes tab's search and filters, and note failures."""
# ruff: noqa: F811  (pytest fixtures imported from sessions_support)

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot
from sessions_support import Dialogs, ctx, dialogs, say_yes  # noqa: F401

from trdplanner.context import AppContext
from trdplanner.gui.notes import NoteEditor, NotesTab


def _draft_session(ctx: AppContext, code: str = "DEMO-01") -> int:
    pid = ctx.patients.id_for_code(code)
    assert pid is not None
    session = next(s for s in ctx.sessions.list(pid) if s.note is not None and s.note.status == "draft")
    assert session.id is not None
    return session.id


def test_autosave_keeps_typing_when_the_editor_is_destroyed(qtbot: QtBot, ctx: AppContext, data_dir: Path) -> None:
    sid = _draft_session(ctx)
    editor = NoteEditor(ctx)
    editor.show()
    editor.set_session(sid)
    box = editor.sections[0].edit
    box.setFocus()
    box.moveCursor(box.textCursor().MoveOperation.End)
    qtbot.keyClicks(box, " Typed before the crash.")
    assert editor.state.text() == "Unsaved changes"
    qtbot.wait(ctx.settings.autosave_seconds * 1000 + 400)  # the autosave timer fires
    assert editor.state.text().startswith("Saved")
    # The window goes away without anyone pressing Save (as when the app is killed).
    editor.deleteLater()
    qtbot.wait(10)
    fresh = AppContext.open(str(data_dir))
    note = fresh.notes.for_session(sid)
    assert note is not None and note.sections[0].text.endswith("Typed before the crash.")
    fresh.close()


def test_leaving_the_note_saves_at_once(qtbot: QtBot, ctx: AppContext) -> None:
    sid = _draft_session(ctx, "DEMO-02")
    editor = NoteEditor(ctx)
    qtbot.addWidget(editor)
    editor.show()
    editor.set_session(sid)
    qtbot.keyClicks(editor.sections[1].edit, "Focus-out text. ")
    editor.sections[2].edit.setFocus()  # focus moves to another section
    editor.sections[1].edit.clearFocus()
    qtbot.waitUntil(lambda: not editor.dirty, timeout=2000)
    note = ctx.notes.for_session(sid)
    assert note is not None and "Focus-out text." in note.sections[1].text
    qtbot.keyClicks(editor.sections[3].edit, "Hidden text. ")
    editor.hide()
    note = ctx.notes.for_session(sid)
    assert note is not None and "Hidden text." in note.sections[3].text


def test_notes_tab_searches_and_filters(qtbot: QtBot, ctx: AppContext, dialogs) -> None:
    pid = ctx.patients.id_for_code("DEMO-04")
    tab = NotesTab(ctx)
    qtbot.addWidget(tab)
    tab.show()
    assert "Choose a patient" in tab.empty.text()
    tab.set_patient(pid)
    assert tab.table.rowCount() == 8
    assert [tab.table.item(r, 4).text() for r in range(8)].count("Draft") == 1
    qtbot.keyClicks(tab.search, "TOMAS")
    qtbot.waitUntil(lambda: tab.table.rowCount() == 8)
    tab.search.clear()
    qtbot.keyClicks(tab.search, "no such words anywhere")
    qtbot.waitUntil(lambda: tab.list_stack.currentWidget() is tab.empty)
    assert "No notes match" in tab.empty.text()
    qtbot.mouseClick(tab.clear_button, Qt.MouseButton.LeftButton)
    assert tab.table.rowCount() == 8 and tab.search.text() == ""
    tab.unsigned.setChecked(True)
    assert tab.table.rowCount() == 1 and tab.table.item(0, 4).text() == "Draft"
    tab.table.selectRow(0)
    assert tab.editor.status_badge.text() == "Draft"
    tab.unsigned.setChecked(False)
    tab.format.setCurrentIndex(tab.format.findData("dap"))
    assert "No notes match" in tab.empty.text()
    tab.clear_filters()
    tab.table.selectRow(3)
    assert tab.editor.status_badge.text() == "Signed"
    assert all(b.edit.isReadOnly() for b in tab.editor.sections)
    assert dialogs.shown == []


def test_a_failed_save_says_what_happened(
    qtbot: QtBot, ctx: AppContext, dialogs: Dialogs, monkeypatch: pytest.MonkeyPatch
) -> None:
    sid = _draft_session(ctx)
    editor = NoteEditor(ctx)
    qtbot.addWidget(editor)
    editor.show()
    editor.set_session(sid)

    def broken(*_args: object, **_kw: object) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(ctx.notes, "save_draft", broken)
    qtbot.keyClicks(editor.sections[0].edit, "x")
    assert not editor.save_draft()
    assert editor.state.text() == "Not saved: see the message"
    assert dialogs.shown and dialogs.shown[-1][0] == "The draft could not be saved"
    assert "The disk is full" in dialogs.shown[-1][1]  # said as what it is (issue 11), not as an OSError
    assert editor.dirty  # the typing is still there to save again


def test_switching_format_asks_first(qtbot: QtBot, ctx: AppContext, monkeypatch: pytest.MonkeyPatch) -> None:
    asked = say_yes(monkeypatch, "trdplanner.gui.notes.editor")
    sid = _draft_session(ctx)
    editor = NoteEditor(ctx)
    qtbot.addWidget(editor)
    editor.show()
    editor.set_session(sid)
    editor.format_combo.setCurrentIndex(editor.format_combo.findData("dap"))
    editor._format_chosen()
    assert asked and asked[0].startswith("Change note format")
    assert [b.title for b in editor.sections] == ["Data", "Assessment", "Plan"]


def test_risk_review_is_required_before_signing_and_names_what_is_missing(
    qtbot: QtBot, ctx: AppContext, dialogs: Dialogs, monkeypatch: pytest.MonkeyPatch
) -> None:
    from trdplanner.gui.notes.risk_review import RiskReviewBox

    say_yes(monkeypatch, "trdplanner.gui.notes.editor")
    pid = ctx.patients.id_for_code("DEMO-01")
    assert pid is not None
    session = ctx.sessions.create(pid, date=ctx.sessions.list(pid)[-1].date, modality="cbt")
    assert session.id is not None
    ctx.measures.add(pid, "phq9", items=[1] * 8 + [2], taken_on=session.date, session_id=session.id)
    editor = NoteEditor(ctx)
    qtbot.addWidget(editor)
    editor.show()
    editor.set_session(session.id)
    box = editor.review_box()
    assert isinstance(box, RiskReviewBox)
    assert not editor.sign()
    assert "Intent" in editor.last_refusal and "Follow-up" in editor.last_refusal
    assert any("Still missing" in text and "Access to means" in text for _, text, _ in dialogs.shown)
    note = ctx.notes.for_session(session.id)
    assert note is None or note.status == "draft"  # nothing was signed
    for key, edit in box.texts.items():
        qtbot.keyClicks(edit, f"Recorded {key}.")
    box.formulation.setCurrentIndex(box.formulation.findData("low"))
    box.safety_plan.setCurrentIndex(box.safety_plan.findData("written"))
    assert editor.sign()
    note = ctx.notes.for_session(session.id)
    assert note is not None and note.status == "signed"
    text = next(x.text for x in note.sections if x.id == "risk_review")
    assert "Intent: Recorded intent." in text and "Risk formulation: Low" in text
