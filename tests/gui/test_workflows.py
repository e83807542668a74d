"""End-to-end workflows through the widgets: what a therapist does, and what they then see."""

from __future__ import annotations

import datetime as dt

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QDialogButtonBox
from pytestqt.qtbot import QtBot

from tests.gui.conftest import when_dialog
from trdplanner.context import AppContext
from trdplanner.core.records import EpisodeRec, PatientProfile
from trdplanner.gui.main_window import MainWindow
from trdplanner.gui.patient_tab import TabKey
from trdplanner.gui.workspace.measure_entry import AcknowledgeDialog
from trdplanner.gui.workspace.new_patient import NewPatientDialog
from trdplanner.gui.workspace.trial_dialog import TrialDialog


def _patient(ctx: AppContext, **extra: object) -> int:
    today = dt.date.today()
    profile = PatientProfile(
        code="T-01", full_name="Robin Ashby", primary_diagnosis="Major depressive disorder, recurrent",
        episodes=[EpisodeRec(number=1, onset=today - dt.timedelta(days=400), severity="moderate")], **extra,
    )
    return ctx.patients.create(profile)


def _open(window: MainWindow, qtbot: QtBot, pid: int, tab: TabKey) -> None:
    window.reload_patients()
    qtbot.waitUntil(lambda: window.patients.model.find(pid) is not None)
    window.open_patient(pid)
    window.workspace.show_tab(tab)


# --------------------------------------------------------------------------- create a patient


def test_create_a_patient_then_complete_the_profile(qtbot: QtBot, window: MainWindow, ctx: AppContext) -> None:
    assert window.patients.stack.currentWidget() is window.patients.empty
    assert "No patients yet" in window.patients.empty.text()

    def fill(d: NewPatientDialog) -> None:
        assert d.code.text() == "P-0001"  # a free code is suggested
        d.buttons = d.findChild(QDialogButtonBox)
        d.buttons.button(QDialogButtonBox.StandardButton.Ok).click()  # empty name: refused at the field
        assert d.isVisible()
        assert d.errors["full_name"].text() == "Must not be empty."
        qtbot.keyClicks(d.full_name, "Noor Haddad")
        qtbot.keyClicks(d.diagnosis, "Major depressive disorder, single episode")
        qtbot.keyClicks(d.icd10, "f32.2")
        d.onset.set_value(dt.date(2025, 1, 15))
        d.buttons.button(QDialogButtonBox.StandardButton.Ok).click()

    when_dialog(NewPatientDialog, fill)
    window.act_new.trigger()

    pid = window.current_patient_id()
    assert pid is not None
    assert "Noor Haddad" in window.header.text() and "P-0001" in window.header.text()
    assert window.patients.model.rowCount() == 1
    assert window.count_label.text() == "1 patient"
    profile = window.workspace.profile
    assert window.workspace.current_tab() is profile
    assert profile.full_name.text() == "Noor Haddad"
    assert profile.icd10.text() == "F32.2"

    # A bad email is shown at the field, and Save stays blocked until it is fixed.
    qtbot.keyClicks(profile.email, "noor-at-example")
    assert window.act_save.isEnabled()
    window.act_save.trigger()
    assert "does not look like an email" in profile.errors["email"].text()
    assert ctx.patients.get(pid).email == ""
    profile.email.clear()
    qtbot.keyClicks(profile.email, "noor@example.org")
    qtbot.keyClicks(profile.pronouns, "she/her")
    window.act_save.trigger()
    assert profile.errors["email"].isHidden()
    assert profile.state.text() == "Saved"
    saved = ctx.patients.get(pid)
    assert (saved.email, saved.pronouns, saved.episodes[0].onset) == ("noor@example.org", "she/her",
                                                                      dt.date(2025, 1, 15))


# --------------------------------------------------------------------------- two failed trials -> TRD


def _add_failed_trial(qtbot: QtBot, window: MainWindow, agent: str, drug_class: str, start: dt.date,
                      minimum: float) -> str:
    seen: dict[str, str] = {}

    def fill(d: TrialDialog) -> None:
        qtbot.keyClicks(d.agent, agent)
        d.agent.editingFinished.emit()  # as leaving the field does: the drug table fills class and minimum
        seen["class"] = d.drug_class.currentText()
        seen["minimum"] = d.min_dose.text()
        qtbot.keyClicks(d.dose, "150")
        seen["before"] = d.verdict.text.text()  # no dates yet: not adequate
        d.start.set_value(start)
        d.stop.set_value(start + dt.timedelta(weeks=10))
        qtbot.keyClicks(d.weeks, "8")
        d.adherence.setCurrentIndex(d.adherence.findData("good"))
        d.outcome.setCurrentIndex(d.outcome.findData("non_response"))
        d.stop_reason.setCurrentIndex(d.stop_reason.findData("inefficacy"))
        seen["after"] = d.verdict.text.text()
        d.buttons.button(QDialogButtonBox.StandardButton.Save).click()

    when_dialog(TrialDialog, fill)
    window.workspace.history.add_button.click()
    assert (seen["class"], seen["minimum"]) == (drug_class, f"{minimum:g}")
    assert "time at adequate dose unknown" in seen["before"]
    return seen["after"]


def test_two_failed_adequate_trials_change_the_trd_status(qtbot: QtBot, window: MainWindow, ctx: AppContext) -> None:
    pid = _patient(ctx)
    _open(window, qtbot, pid, TabKey.HISTORY)
    history = window.workspace.history
    assert "Does not meet the TRD definition" in history.status.text.text()
    assert history.stack.currentWidget() is history.empty

    first = _add_failed_trial(qtbot, window, "Sertraline", "SSRI", dt.date.today() - dt.timedelta(days=300), 50)
    assert "Counts as an adequate failed trial" in first
    assert "does not meet the TRD definition (1 distinct antidepressant with an adequate failed trial)" in first
    assert history.table.rowCount() == 1
    assert history.table.item(0, 10).text() == "✔ failed"
    assert "Does not meet the TRD definition" in history.status.text.text()

    second = _add_failed_trial(qtbot, window, "Venlafaxine", "SNRI", dt.date.today() - dt.timedelta(days=150), 75)
    assert "meets the TRD definition (2 distinct antidepressants with an adequate failed trial)" in second
    assert "Meets the TRD definition" in history.status.text.text()
    assert "TRD: 2 distinct antidepressants with an adequate failed trial" in history.status.text.text()

    # The rest of the app follows: the list row, the header and the overview.
    qtbot.waitUntil(lambda: window.patients.model.find(pid).trd_status == "trd")
    row = window.patients.model.row_of(pid)
    assert window.patients.model.index(row, 3).data() == "TRD (2)"
    assert "TRD" in window.header.text()
    window.workspace.show_tab(TabKey.OVERVIEW)
    assert "Meets TRD definition" in window.workspace.overview.trd_text.text()
    assert "Thase-Rush stage II" in window.workspace.overview.trd_text.text()


# --------------------------------------------------------------------------- PHQ-9 item 9


def _enter_phq9(qtbot: QtBot, window: MainWindow, answers: str) -> None:
    entry = window.workspace.measures.entry
    entry.instrument.setCurrentIndex(entry.instrument.findData("phq9"))
    entry.focus_first()
    for digit in answers:
        focused = QApplication.focusWidget()
        assert focused in entry.rows  # each digit moved the focus on to the next item
        qtbot.keyClick(focused, digit)


def test_phq9_with_item_9_positive_raises_an_alert_the_clinician_acknowledges(
    qtbot: QtBot, window: MainWindow, ctx: AppContext
) -> None:
    pid = _patient(ctx)
    _open(window, qtbot, pid, TabKey.MEASURES)
    measures = window.workspace.measures
    window.activateWindow()
    _enter_phq9(qtbot, window, "2212110")
    assert "Total so far <b>9</b>" in measures.entry.result.text()
    assert not measures.save_button.isEnabled()
    _enter_phq9_rest = measures.entry.rows[7]
    qtbot.keyClick(_enter_phq9_rest, "1")
    qtbot.keyClick(measures.entry.rows[8], "2")  # item 9: thoughts of death or self-harm
    assert "Total <b>12</b> of 27" in measures.entry.result.text()
    assert "Moderate" in measures.entry.result.text()
    assert measures.entry.flags.isVisible()
    assert "item 9" in measures.entry.flags.text.text()
    assert measures.save_button.isEnabled()

    seen: dict[str, object] = {}

    def acknowledge(d: AcknowledgeDialog) -> None:
        seen["ack_enabled_before"] = d.ack.isEnabled()
        assert d.who.currentText() == "Dr. Test Clinician, PhD"
        d.confirm.setChecked(True)
        d.ack.click()

    when_dialog(AcknowledgeDialog, acknowledge)
    window.act_save.trigger()  # Ctrl+S saves the measure, then the alert asks for acknowledgement
    assert seen["ack_enabled_before"] is False  # nobody can acknowledge without confirming the review

    stored = ctx.measures.list(pid)
    assert [m.items for m in stored] == [[2, 2, 1, 2, 1, 1, 0, 1, 2]]
    assert stored[0].alert_acknowledged_by == "Dr. Test Clinician, PhD"
    assert stored[0].alert_acknowledged_at is not None
    assert not measures.alerts.isVisible()
    assert measures.history.item(0, 5).text() == "✓ acknowledged"
    assert measures.history.item(0, 5).toolTip().startswith("Alert acknowledged by Dr. Test Clinician, PhD")
    measures.history.selectRow(0)
    assert "alert acknowledged" in measures.details.text()
    assert "acknowledged by Dr. Test Clinician, PhD" in measures.details.toolTip()
    # The flag stays on the score; the overview still shows it, now acknowledged.
    window.workspace.show_tab(TabKey.OVERVIEW)
    risk = window.workspace.overview.risk_text.text()
    assert "positive suicidality item" in risk and "acknowledged by Dr. Test Clinician" in risk


def test_an_alert_left_open_stays_visible_everywhere(qtbot: QtBot, window: MainWindow, ctx: AppContext) -> None:
    pid = _patient(ctx)
    _open(window, qtbot, pid, TabKey.MEASURES)
    measures = window.workspace.measures
    measures.entry.set_items([1, 1, 1, 1, 1, 1, 1, 1, 1])
    when_dialog(AcknowledgeDialog, lambda d: d.later.click())
    measures.save_button.click()
    assert measures.alerts.isVisible()
    assert "not yet acknowledged" in measures.alerts.text.text()
    qtbot.waitUntil(lambda: window.patients.model.find(pid).open_alerts == 1)
    assert "alert to acknowledge" in window.header.text()
    window.workspace.show_tab(TabKey.OVERVIEW)
    steps = window.workspace.overview.steps.text()
    assert "Positive suicidality item not yet acknowledged by a clinician (1)" in steps
    assert "Acknowledge, complete a risk assessment and review the safety plan." in steps
    # Acknowledging later, from the history table, with Enter.
    window.workspace.show_tab(TabKey.MEASURES)
    when_dialog(AcknowledgeDialog, lambda d: (d.confirm.setChecked(True), d.ack.click()))
    measures.history.setFocus()
    measures.history.setCurrentCell(0, 0)
    qtbot.keyClick(measures.history, Qt.Key.Key_Return)
    assert ctx.measures.list(pid)[0].alert_acknowledged_at is not None
    assert not measures.alerts.isVisible()


def test_overview_proposes_an_integration_session_after_a_ketamine_dose(
    qtbot: QtBot, window: MainWindow, ctx: AppContext
) -> None:
    from trdplanner.core.records import CourseRec, CourseSessionRec

    pid = _patient(ctx)
    today = dt.date.today()
    course = ctx.courses.add(pid, CourseRec("esketamine", today - dt.timedelta(days=1)))
    assert course.id is not None
    ctx.courses.add_session(course.id, CourseSessionRec(0, today - dt.timedelta(days=1), dose=56))
    _open(window, qtbot, pid, TabKey.OVERVIEW)
    steps = window.workspace.overview.steps.text()
    assert "Book an integration session after the Esketamine (nasal) dose" in steps
    assert (today + dt.timedelta(days=2)).isoformat() in steps


def test_timeline_tab_shows_trials_courses_sessions_and_scores(
    qtbot: QtBot, window: MainWindow, ctx: AppContext
) -> None:
    from trdplanner.core.records import CourseRec, CourseSessionRec, TrialRec

    pid = _patient(ctx)
    today = dt.date.today()
    ctx.trials.add(pid, TrialRec(kind="antidepressant_monotherapy", agent="Sertraline", dose=100,
                                 start=today - dt.timedelta(days=90), stop=today - dt.timedelta(days=30),
                                 outcome="non_response"))
    course = ctx.courses.add(pid, CourseRec("ect", today - dt.timedelta(days=20)))
    assert course.id is not None
    for n in range(3):
        ctx.courses.add_session(course.id, CourseSessionRec(0, today - dt.timedelta(days=20 - 2 * n),
                                                            placement="bilateral"))
    ctx.sessions.create(pid, date=today - dt.timedelta(days=7), modality="cbt")
    ctx.measures.add(pid, "phq9", items=[2, 2, 2, 2, 2, 2, 2, 2, 1], taken_on=today - dt.timedelta(days=7))
    _open(window, qtbot, pid, TabKey.TIMELINE)
    tab = window.workspace.timeline
    data = tab.view.data
    assert data is not None
    assert [t.agent for t in data.trials] == ["Sertraline"]  # the course's own trial is drawn as the course
    assert len(data.courses[0].sessions) == 3 and len(data.sessions) == 1
    assert [m.needs_alert for m in data.scores] == [True]
    assert "1 trial, 1 course, 1 therapy session, 1 PHQ-9/QIDS-SR16 score" in tab.caption.text()
    assert not tab.view.grab().isNull()
    dialog = tab.print_current()  # File ▸ Print on this tab: the one-page PDF in the preview
    assert dialog is not None and dialog.windowTitle() == "Treatment timeline"
    dialog.close()
