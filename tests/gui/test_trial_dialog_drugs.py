"""Issue 14: the trial dialog completes agents from the drug table and fills class and minimum dose."""

from __future__ import annotations

import datetime as dt

from pytestqt.qtbot import QtBot

from trdplanner.clinical import TrdSettings
from trdplanner.core.records import EpisodeRec, TrialRec
from trdplanner.gui.workspace.trial_dialog import TrialDialog

TODAY = dt.date.today()
CURRENT = EpisodeRec(number=1, onset=TODAY - dt.timedelta(days=300))


def _dialog(qtbot: QtBot, others: list[TrialRec] | None = None) -> TrialDialog:
    dialog = TrialDialog(None, others or [], [CURRENT], CURRENT, TrdSettings())
    qtbot.addWidget(dialog)
    return dialog


def test_agent_completes_and_fills_class_and_minimum_dose(qtbot: QtBot) -> None:
    dialog = _dialog(qtbot)
    completer = dialog.agent.completer()
    assert completer is not None
    completer.setCompletionPrefix("zol")
    assert completer.currentCompletion() == "Zoloft"
    qtbot.keyClicks(dialog.agent, "Zoloft")
    dialog.agent.editingFinished.emit()
    assert dialog.drug_class.currentText() == "SSRI"
    assert dialog.min_dose.value() == 50
    assert dialog.dose_unit.text() == "mg/day"
    assert "Drug table: sertraline, SSRI, minimum 50 mg/day" in dialog.table_note.text()
    assert not dialog.min_reason.isVisibleTo(dialog)  # nothing overridden, nothing to explain


def test_a_different_minimum_needs_a_reason_which_is_kept(qtbot: QtBot) -> None:
    dialog = _dialog(qtbot)
    qtbot.keyClicks(dialog.agent, "sertraline")
    dialog.agent.editingFinished.emit()
    dialog.min_dose.set_value(75)
    qtbot.keyClicks(dialog.dose, "100")
    dialog.start.set_value(TODAY - dt.timedelta(days=90))
    dialog.stop.set_value(TODAY - dt.timedelta(days=20))
    assert dialog.min_reason.isVisibleTo(dialog)
    dialog._accept()
    assert "Say why the minimum differs from the drug table's 50 mg/day" in dialog.errors["min_dose_reason"].text()
    assert not hasattr(dialog, "result_trial")  # not saved
    qtbot.keyClicks(dialog.min_reason, "Prescriber's protocol for this patient")
    dialog._accept()
    assert dialog.result_trial.min_dose_reason == "Prescriber's protocol for this patient"
    assert dialog.result_trial.min_effective_dose == 75


def test_unknown_agent_is_said_and_a_dose_step_is_judged_with_the_first(qtbot: QtBot) -> None:
    dialog = _dialog(qtbot)
    qtbot.keyClicks(dialog.agent, "sertralin")
    assert "'sertralin' is not in the drug table" in dialog.table_note.text()

    start = TODAY - dt.timedelta(days=200)
    first = TrialRec(kind="antidepressant_monotherapy", agent="sertraline", dose=100, start=start,
                     stop=start + dt.timedelta(weeks=6), adherence="good", outcome="non_response",
                     episode_number=1, id=1)
    dialog = _dialog(qtbot, [first])
    qtbot.keyClicks(dialog.agent, "sertraline")
    dialog.agent.editingFinished.emit()
    qtbot.keyClicks(dialog.dose, "200")
    dialog.start.set_value(start + dt.timedelta(weeks=6, days=1))
    dialog.stop.set_value(start + dt.timedelta(weeks=14))
    dialog.adherence.setCurrentIndex(dialog.adherence.findData("good"))
    dialog.outcome.setCurrentIndex(dialog.outcome.findData("non_response"))
    text = dialog.verdict.text.text()
    assert "One sertraline trial over 2 dose steps" in text
    assert "(1 distinct antidepressant with an adequate failed trial)" in text
