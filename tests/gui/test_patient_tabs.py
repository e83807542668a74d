"""The eight patient tabs keep one contract (gui/patient_tab.py): found by key, saved and left the same way."""

from __future__ import annotations

import datetime as dt

import pytest
from PySide6.QtWidgets import QMessageBox
from pytestqt.qtbot import QtBot

from tests.gui.conftest import when_dialog
from trdplanner.context import AppContext
from trdplanner.core.records import EpisodeRec, NoteSectionRec, PatientProfile
from trdplanner.gui.main_window import MainWindow
from trdplanner.gui.patient_tab import TabKey

TODAY = dt.date.today()


def _patients(window: MainWindow, qtbot: QtBot, ctx: AppContext) -> tuple[int, int]:
    first, second = (
        ctx.patients.create(PatientProfile(code=code, full_name=name,
                                           episodes=[EpisodeRec(number=1, onset=TODAY - dt.timedelta(days=300))]))
        for code, name in (("T-1", "Ines Varga"), ("T-2", "Tomas Lind"))
    )
    window.reload_patients()
    qtbot.waitUntil(lambda: window.patients.model.find(second) is not None)
    window.open_patient(first)
    return first, second


def test_every_tab_has_its_own_key_in_order_and_is_found_by_it_whatever_its_label(
    qtbot: QtBot, window: MainWindow, ctx: AppContext
) -> None:
    _patients(window, qtbot, ctx)
    ws = window.workspace
    assert [t.key for t in ws.tabs()] == list(TabKey)
    assert [ws.tabText(i) for i in range(ws.count())] == [k.label for k in TabKey]
    assert [ws.tabToolTip(i) for i in range(ws.count())] == [k.tip for k in TabKey]
    for i in range(ws.count()):  # a renamed label changes nothing: look-up never reads it
        ws.setTabText(i, f"Renamed {i}")
    for key in reversed(TabKey):
        ws.show_tab(key)
        current = ws.current_tab()
        assert current is not None and current.key == key
        assert ws.tab(key) is current
    ws.show_tab("measures")  # the overview's links send a key's value
    assert ws.current_tab() is ws.measures
    with pytest.raises(ValueError):
        ws.show_tab("Measures")  # a label is not a key


def test_save_and_print_follow_what_each_tab_says_it_can_do(qtbot: QtBot, window: MainWindow, ctx: AppContext) -> None:
    _patients(window, qtbot, ctx)
    ws = window.workspace
    for key in TabKey:
        ws.show_tab(key)
        tab = ws.tab(key)
        assert window.act_save.isEnabled() == tab.can_save(), key
        assert window.act_print.isEnabled() == tab.can_print(), key
    saving = {k for k in TabKey if ws.tab(k).can_save()}
    assert saving == {TabKey.PROFILE, TabKey.MEASURES, TabKey.PLAN, TabKey.SESSIONS, TabKey.NOTES}


def _answer(button: QMessageBox.StandardButton) -> None:
    def press(box: QMessageBox) -> None:
        assert box.windowTitle() == "Unsaved changes"
        box.button(button).click()

    when_dialog(QMessageBox, press)


@pytest.mark.parametrize("answer", ["save", "discard", "cancel"])
def test_leaving_the_profile_with_unsaved_edits_asks_then_saves_discards_or_stays(
    qtbot: QtBot, window: MainWindow, ctx: AppContext, answer: str
) -> None:
    first, second = _patients(window, qtbot, ctx)
    ws = window.workspace
    ws.show_tab(TabKey.PROFILE)
    qtbot.keyClicks(ws.profile.pronouns, "they/them")
    assert [t.key for t in ws.unsaved_tabs()] == [TabKey.PROFILE]
    ws.show_tab(TabKey.OVERVIEW)  # leaving happens from any tab; the question brings the profile back
    _answer({"save": QMessageBox.StandardButton.Save, "discard": QMessageBox.StandardButton.Discard,
             "cancel": QMessageBox.StandardButton.Cancel}[answer])
    window.open_patient(second)
    if answer == "cancel":
        assert window.current_patient_id() == first and ws.current_tab() is ws.profile
        assert ws.profile.has_unsaved_changes()
        assert ctx.patients.get(first).pronouns == ""
        ws.profile.discard_changes()  # or closing the window at the end of the test would ask again
        return
    assert window.current_patient_id() == second
    assert ctx.patients.get(first).pronouns == ("they/them" if answer == "save" else "")
    assert ws.unsaved_tabs() == []


@pytest.mark.parametrize("answer", ["save", "discard"])
def test_leaving_the_treatment_plan_with_unsaved_edits_saves_or_discards(
    qtbot: QtBot, window: MainWindow, ctx: AppContext, answer: str
) -> None:
    first, second = _patients(window, qtbot, ctx)
    ws = window.workspace
    ws.show_tab(TabKey.PLAN)
    plan = ws.plan
    plan.create_button.click()
    qtbot.keyClicks(plan.p_statement, "Sleep broken most nights")
    plan.add_goal.click()
    qtbot.keyClicks(plan.g_text, "Sleep through four nights a week")
    assert plan.has_unsaved_changes()
    _answer(QMessageBox.StandardButton.Save if answer == "save" else QMessageBox.StandardButton.Discard)
    window.open_patient(second)
    assert window.current_patient_id() == second
    saved = ctx.plans.current(first)
    if answer == "save":
        assert saved is not None and saved.problems[0].statement == "Sleep broken most nights"
    else:
        assert saved is None or not saved.problems


@pytest.mark.parametrize("answer", ["save", "discard", "cancel"])
def test_leaving_a_half_scored_measure_asks_and_never_carries_it_to_the_next_patient(
    qtbot: QtBot, window: MainWindow, ctx: AppContext, answer: str
) -> None:
    first, second = _patients(window, qtbot, ctx)
    ws = window.workspace
    ws.show_tab(TabKey.MEASURES)
    entry = ws.measures.entry
    entry.instrument.setCurrentIndex(entry.instrument.findData("phq9"))
    full = answer == "save"
    entry.set_items([1, 2, 1, 0, 1, 2, 1, 0, 0] if full else [1, 2, 1, 0, 1, 2, 1, 0, 0][:9])
    if not full:
        entry.rows[8].set_value(None)  # eight of nine items scored
    assert [t.key for t in ws.unsaved_tabs()] == [TabKey.MEASURES]
    _answer({"save": QMessageBox.StandardButton.Save, "discard": QMessageBox.StandardButton.Discard,
             "cancel": QMessageBox.StandardButton.Cancel}[answer])
    window.open_patient(second)
    if answer == "cancel":
        assert window.current_patient_id() == first and ws.current_tab() is ws.measures
        assert entry.rows[0].value == 1  # the scores are still there
        ws.measures.discard_changes()
        return
    assert window.current_patient_id() == second
    assert [m.instrument for m in ctx.measures.list(first)] == (["phq9"] if answer == "save" else [])
    # The next patient's entry starts empty: nothing scored for one patient is saved for another.
    assert all(r.value is None for r in entry.rows) and ws.unsaved_tabs() == []
    assert ctx.measures.list(second) == []


def test_tabs_without_edits_are_left_without_a_question(qtbot: QtBot, window: MainWindow, ctx: AppContext) -> None:
    first, second = _patients(window, qtbot, ctx)
    ws = window.workspace
    for key in TabKey:
        ws.show_tab(key)
        assert ws.unsaved_tabs() == [], key
        target = second if window.current_patient_id() == first else first
        window.open_patient(target)  # a question would hang here (no dialog is answered)
        assert window.current_patient_id() == target, key


@pytest.mark.parametrize("key", [TabKey.NOTES, TabKey.SESSIONS])
def test_a_draft_note_typed_then_left_is_kept_without_a_question(
    qtbot: QtBot, window: MainWindow, ctx: AppContext, key: TabKey
) -> None:
    """Notes and session pages keep drafts as they are typed: leaving saves them, never asks."""
    first, second = _patients(window, qtbot, ctx)
    session = ctx.sessions.create(first, date=TODAY)
    ws = window.workspace
    ws.show_tab(key)
    if key is TabKey.NOTES:  # the Notes tab lists the notes there are: start one
        ctx.notes.save_draft(session.id, "soap", [NoteSectionRec("subjective", "Subjective", "")])
        ws.notes.refresh()
        assert ws.notes.select_session(session.id)
        editor = ws.notes.editor
    else:
        ws.sessions.open_session(session.id, page=3)
        editor = ws.sessions.note
    qtbot.waitUntil(lambda: bool(editor.sections))
    box = next(b for b in editor.sections if hasattr(b, "edit"))
    box.edit.setFocus()
    qtbot.keyClicks(box.edit, "Typed just before switching patient")
    assert ws.unsaved_tabs() == []  # nothing to ask: the draft is saved on the way out
    window.open_patient(second)
    assert window.current_patient_id() == second
    note = ctx.notes.for_session(session.id)
    assert note is not None and any("Typed just before switching patient" in s.text for s in note.sections)
