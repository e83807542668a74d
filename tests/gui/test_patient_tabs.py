"""The seven patient tabs keep one contract (gui/patient_tab.py): found by key, saved and left the same way."""

from __future__ import annotations

import datetime as dt

import pytest
from PySide6.QtWidgets import QMessageBox
from pytestqt.qtbot import QtBot

from tests.gui.conftest import when_dialog
from trdplanner.context import AppContext
from trdplanner.core.records import EpisodeRec, PatientProfile
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
