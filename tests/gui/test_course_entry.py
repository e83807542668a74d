"""Courses entered in the window: start an ECT course, record its treatments, end it, all through the
course service; a value the service refuses is shown at its field and nothing is stored."""

from __future__ import annotations

import datetime as dt

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QDialogButtonBox
from pytestqt.qtbot import QtBot

from tests.gui.conftest import when_dialog
from trdplanner.context import AppContext
from trdplanner.core.records import EpisodeRec, PatientProfile
from trdplanner.gui.main_window import MainWindow
from trdplanner.gui.patient_tab import TabKey
from trdplanner.gui.workspace.course_dialogs import AddCourseDialog, CourseSessionDialog, EndCourseDialog

START = dt.date.today() - dt.timedelta(days=30)


def _open_history(window: MainWindow, qtbot: QtBot, ctx: AppContext) -> int:
    pid = ctx.patients.create(PatientProfile(
        code="C-01", full_name="Casey Example", primary_diagnosis="Major depressive disorder, recurrent",
        episodes=[EpisodeRec(number=1, onset=START - dt.timedelta(days=300), severity="severe")]))
    window.reload_patients()
    qtbot.waitUntil(lambda: window.patients.model.find(pid) is not None)
    window.open_patient(pid)
    window.workspace.show_tab(TabKey.HISTORY)
    qtbot.waitUntil(lambda: window.workspace.history.add_course_button.isEnabled())
    return pid


def _save(d: object) -> None:
    d.buttons.button(QDialogButtonBox.StandardButton.Save).click()


def _session(qtbot: QtBot, window: MainWindow, day: dt.date, seizure: str, placement: str | None = None,
             enter: bool = False) -> None:
    def fill(d: CourseSessionDialog) -> None:
        assert "dose" not in d.inputs and "sedation" not in d.inputs  # only what an ECT treatment has
        d.given_on.set_value(day)
        if placement is not None:
            box = d.inputs["placement"]
            box.setCurrentIndex(box.findData(placement))
        qtbot.keyClicks(d.inputs["seizure_seconds"], seizure)
        qtbot.keyClicks(d.inputs["cognitive_effects"], "Word-finding pauses for an hour")
        if enter:
            qtbot.keyClick(d.inputs["cognitive_effects"], Qt.Key.Key_Return)  # Enter saves
        else:
            _save(d)

    when_dialog(CourseSessionDialog, fill)
    window.workspace.history.session_button.click()


def test_ect_course_added_given_and_ended_in_the_window(qtbot: QtBot, window: MainWindow, ctx: AppContext) -> None:
    pid = _open_history(window, qtbot, ctx)
    history = window.workspace.history
    assert history.no_courses.isVisible() and not history.session_button.isEnabled()

    def add(d: AddCourseDialog) -> None:
        d.kind.setCurrentIndex(d.kind.findData("ect"))
        assert not d.protocol.isVisibleTo(d)  # protocol and target are asked for TMS only
        d.start.set_value(START)
        qtbot.keyClicks(d.provider, "City Hospital ECT suite")
        _save(d)

    when_dialog(AddCourseDialog, add)
    history.add_course_button.click()
    assert history.course_table.rowCount() == 1 and history.session_button.isEnabled()

    _session(qtbot, window, START, "42", placement="bilateral")
    # The placement carries over from the last treatment; Enter in a field saves.
    _session(qtbot, window, START + dt.timedelta(days=2), "38", enter=True)
    assert history.course_table.item(0, 3).text() == "2"
    assert history.course_table.item(0, 4).text() == "Not yet"
    assert "2 of at least 8 treatments" in history.course_reason.text()

    def end(d: EndCourseDialog) -> None:
        assert d.stop.value() == START + dt.timedelta(days=2)  # the last treatment is offered as the last day
        d.outcome.setCurrentIndex(d.outcome.findData("non_response"))
        d.stop_reason.setCurrentIndex(d.stop_reason.findData("inefficacy"))
        _save(d)

    when_dialog(EndCourseDialog, end)
    with qtbot.waitSignal(history.changed, timeout=1000):  # the workspace is told: overview, staging, timeline
        history.end_course_button.click()

    [course] = ctx.courses.list(pid)
    assert (course.kind, course.start, course.provider) == ("ect", START, "City Hospital ECT suite")
    assert [(s.number, s.given_on, s.placement, s.seizure_seconds) for s in course.sessions] == [
        (1, START, "bilateral", 42), (2, START + dt.timedelta(days=2), "bilateral", 38)]
    assert course.sessions[0].cognitive_effects == "Word-finding pauses for an hour"
    assert (course.stop, course.outcome, course.stop_reason) == (START + dt.timedelta(days=2), "non_response",
                                                                 "inefficacy")
    # The tab and the ledger show it: the course row in words, and its trial in the list above.
    row = [history.course_table.item(0, c).text() for c in range(history.course_table.columnCount())]
    assert row == ["ECT", START.isoformat(), (START + dt.timedelta(days=2)).isoformat(), "2", "No", "No response"]
    assert "not adequate. Stopped: not helping enough." in history.course_reason.text()
    assert not history.end_course_button.isEnabled()
    assert any(history.table.item(r, 0).text() == "ECT" for r in range(history.table.rowCount()))


def test_a_refused_value_is_shown_at_its_field_and_nothing_is_stored(qtbot: QtBot, window: MainWindow,
                                                                     ctx: AppContext) -> None:
    pid = _open_history(window, qtbot, ctx)
    history = window.workspace.history

    def add(d: AddCourseDialog) -> None:
        d.kind.setCurrentIndex(d.kind.findData("ect"))
        d.start.set_value(START)
        _save(d)

    when_dialog(AddCourseDialog, add)
    history.add_course_button.click()
    seen: dict[str, object] = {}

    def fill(d: CourseSessionDialog) -> None:
        d.given_on.set_value(START)
        qtbot.keyClicks(d.inputs["seizure_seconds"], "900")
        _save(d)  # a seizure of 15 minutes, and no placement chosen
        seen["seizure"] = d.errors["seizure_seconds"].text()
        d.inputs["seizure_seconds"].clear()
        qtbot.keyClicks(d.inputs["seizure_seconds"], "45")
        _save(d)
        seen["placement"] = d.errors["placement"].text()
        seen["seizure after"] = d.errors["seizure_seconds"].isVisibleTo(d)
        seen["open"] = d.isVisible()
        qtbot.keyClick(d, Qt.Key.Key_Escape)  # Esc leaves without saving

    when_dialog(CourseSessionDialog, fill)
    history.session_button.click()
    assert seen["placement"] == "Is required for an ECT treatment."
    assert seen["seizure"] == "Must be 0 to 600 seconds, got 900."
    assert seen["seizure after"] is False and seen["open"] is True
    [course] = ctx.courses.list(pid)
    assert course.sessions == []
    assert history.course_table.item(0, 3).text() == "0"


def test_course_buttons_are_off_on_a_read_only_folder(qtbot: QtBot, window: MainWindow, ctx: AppContext) -> None:
    pid = ctx.patients.create(PatientProfile(code="R-01", full_name="Remy Example"))
    ctx.read_only = True
    window.reload_patients()
    qtbot.waitUntil(lambda: window.patients.model.find(pid) is not None)
    window.open_patient(pid)
    window.workspace.show_tab(TabKey.HISTORY)
    history = window.workspace.history
    qtbot.waitUntil(history.no_courses.isVisible)
    assert not history.add_course_button.isEnabled()
    assert not history.session_button.isEnabled() and not history.end_course_button.isEnabled()


def test_esketamine_session_observations_and_a_tms_course_plan(qtbot: QtBot, window: MainWindow,
                                                               ctx: AppContext) -> None:
    pid = _open_history(window, qtbot, ctx)
    history = window.workspace.history

    def add(kind: str, **fields: str) -> None:
        def fill(d: AddCourseDialog) -> None:
            d.kind.setCurrentIndex(d.kind.findData(kind))
            d.start.set_value(START)
            for name, text in fields.items():
                qtbot.keyClicks(d.inputs[name], text)
            _save(d)

        when_dialog(AddCourseDialog, fill)
        history.add_course_button.click()

    add("tms", protocol="iTBS 600 pulses", target="left DLPFC", planned_sessions="20")
    add("esketamine")
    assert history.selected_course() is not None and history.selected_course().kind == "esketamine"
    seen: dict[str, object] = {}

    def fill(d: CourseSessionDialog) -> None:
        seen["labels"] = [d.inputs["sedation"].itemText(i) for i in range(d.inputs["sedation"].count())]
        d.given_on.set_value(START)
        qtbot.keyClicks(d.inputs["dose"], "56")
        qtbot.keyClicks(d.inputs["bp_before"], "128/82")
        qtbot.keyClicks(d.inputs["bp_after"], "82/128")  # the wrong way round
        qtbot.keyClicks(d.inputs["observed_minutes"], "120")
        for name, value in (("sedation", "2"), ("dissociation", "1")):
            box = d.inputs[name]
            box.setCurrentIndex(box.findData(value))
        qtbot.keyClicks(d.inputs["travel_home"], "Driven home by her partner")
        _save(d)
        seen["bp"] = d.errors["bp_after"].text()
        d.inputs["bp_after"].clear()
        qtbot.keyClicks(d.inputs["bp_after"], "134/84")
        _save(d)

    when_dialog(CourseSessionDialog, fill)
    history.session_button.click()
    assert seen["labels"] == ["Not recorded", "0 awake and alert", "1 drowsy, answers at once",
                              "2 sleepy, answers when spoken to", "3 hard to rouse, answers to touch",
                              "4 not rousable"]
    assert seen["bp"] == "Must be systolic/diastolic, like 128/82; got '82/128'."
    tms, esk = ctx.courses.list(pid)
    assert (tms.kind, tms.protocol, tms.target, tms.planned_sessions) == ("tms", "iTBS 600 pulses", "left DLPFC", 20)
    [s] = esk.sessions
    assert (s.dose, s.bp_before, s.bp_after, s.observed_minutes, s.sedation, s.dissociation, s.travel_home) == (
        56, "128/82", "134/84", 120, 2, 1, "Driven home by her partner")
    history.course_table.selectRow(0)
    assert history.course_table.item(0, 3).text() == "0 of 20"
