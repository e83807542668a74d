"""Treatment plan editing, the trial dialog's live verdicts, next steps, and the score chart."""

from __future__ import annotations

import datetime as dt

from PySide6.QtWidgets import QMessageBox
from pytestqt.qtbot import QtBot

from tests.gui.conftest import when_dialog
from trdplanner.clinical import TrdSettings, TrdStatusKind, score
from trdplanner.context import AppContext
from trdplanner.core.guidance import suggest
from trdplanner.core.records import EpisodeRec, MeasureRec, PatientProfile, TrialRec
from trdplanner.core.risk_findings import risk_findings
from trdplanner.core.views import ScoredMeasure
from trdplanner.gui.main_window import MainWindow
from trdplanner.gui.patient_tab import TabKey
from trdplanner.gui.workspace.trial_dialog import TrialDialog

TODAY = dt.date.today()


def _open(window: MainWindow, qtbot: QtBot, ctx: AppContext, tab: TabKey) -> int:
    pid = ctx.patients.create(PatientProfile(code="W-1", full_name="Kai Moreno",
                                             episodes=[EpisodeRec(number=1, onset=TODAY - dt.timedelta(days=300))]))
    window.reload_patients()
    qtbot.waitUntil(lambda: window.patients.model.find(pid) is not None)
    window.open_patient(pid)
    window.workspace.show_tab(tab)
    return pid


def test_build_and_save_a_treatment_plan(qtbot: QtBot, window: MainWindow, ctx: AppContext) -> None:
    pid = _open(window, qtbot, ctx, TabKey.PLAN)
    plan = window.workspace.plan
    assert plan.outer.currentIndex() == 1  # empty state with a create button
    plan.create_button.click()
    qtbot.keyClicks(plan.p_statement, "Withdrawal from friends and activities")
    plan.add_goal.click()
    qtbot.keyClicks(plan.g_text, "See a friend every week")
    plan.add_objective.click()
    qtbot.keyClicks(plan.o_text, "PHQ-9 below 10")
    plan.o_instrument.setCurrentIndex(plan.o_instrument.findData("phq9"))
    plan.o_comparator.setCurrentIndex(plan.o_comparator.findData("<"))
    qtbot.keyClicks(plan.o_value, "10")
    plan.o_review.set_value(TODAY + dt.timedelta(days=3))
    assert plan.save_button.isEnabled()
    window.act_save.trigger()
    saved = ctx.plans.current(pid)
    assert saved is not None
    objective = saved.problems[0].goals[0].objectives[0]
    assert (objective.text, objective.target_instrument, objective.target_comparator, objective.target_value) == (
        "PHQ-9 below 10", "phq9", "<", 10.0)
    assert plan.state.text() == "Saved"
    window.workspace.show_tab(TabKey.OVERVIEW)
    assert "PHQ-9 below 10" in window.workspace.overview.objectives_text.text()

    # A target comparator without a value is refused, and the message says where.
    window.workspace.show_tab(TabKey.PLAN)
    plan.tree.setCurrentItem(plan.tree.topLevelItem(0).child(0).child(0))
    plan.o_value.clear()
    plan.o_value.textEdited.emit("")
    window.act_save.trigger()
    assert "objective 1" in plan.editor_error.text() and "needs an instrument and a value" in plan.editor_error.text()

    # Removing asks first.
    plan.tree.setCurrentItem(plan.tree.topLevelItem(0).child(0))
    when_dialog(QMessageBox, lambda box: next(b for b in box.buttons() if b.text() == "Remove").click())
    plan.remove.click()
    assert plan.tree.topLevelItem(0).childCount() == 0
    window.act_save.trigger()
    current = ctx.plans.current(pid)
    assert current is not None and current.problems[0].goals == []


def test_trial_dialog_explains_trials_that_do_not_count(qtbot: QtBot) -> None:
    current = EpisodeRec(number=1, onset=TODAY - dt.timedelta(days=300))
    start = TODAY - dt.timedelta(days=100)
    dialog = TrialDialog(None, [], [current], current, TrdSettings())
    qtbot.addWidget(dialog)
    qtbot.keyClicks(dialog.agent, "Escitalopram")
    qtbot.keyClicks(dialog.dose, "10")
    qtbot.keyClicks(dialog.min_dose, "10")
    dialog.start.set_value(start)
    dialog.stop.set_value(start + dt.timedelta(days=16))
    dialog.stop_reason.setCurrentIndex(dialog.stop_reason.findData("intolerance"))
    assert "stopped for intolerance after 2 weeks 2 days" in dialog.verdict.text.text()
    assert "Not counted as an adequate trial" in dialog.verdict.text.text()
    dialog.stop.set_value(start - dt.timedelta(days=1))  # before the start: shown at the field
    assert "before start" in dialog.errors["stop"].text()
    assert not dialog.update_verdict()
    dialog.kind.setCurrentIndex(dialog.kind.findData("ect"))
    assert dialog.course_box.isVisibleTo(dialog) and not dialog.dose_box.isVisibleTo(dialog)


def test_next_steps_flag_no_response_after_eight_weeks() -> None:
    start = TODAY - dt.timedelta(weeks=9)
    trial = TrialRec(kind="antidepressant_monotherapy", agent="Sertraline", start=start)
    measures = [MeasureRec("phq9", start - dt.timedelta(days=2), 20), MeasureRec("phq9", TODAY, 18)]
    steps = suggest(trials=[trial], measures=measures, risk=[], trd=TrdStatusKind.NOT_TRD, missing=[],
                    stage="", plan=None, today=TODAY)
    assert steps[0].level == "warning"
    assert steps[0].text.startswith("No response after 9 weeks on Sertraline (PHQ-9 20 → 18, 10% better)")
    alert = MeasureRec("phq9", TODAY, 12, items=[1] * 9)
    risk = risk_findings(PatientProfile(code="X-1", full_name="Synthetic"),
                         [ScoredMeasure(alert, score("phq9", items=alert.items), None)])
    first = suggest(trials=[], measures=[alert], risk=risk, trd=TrdStatusKind.NOT_TRD, missing=[],
                    stage="", plan=None, today=TODAY)[0]
    # The next step is the risk findings' open alert, in its words.
    assert first.level == "danger" and first.text == risk[0].text and "suicidality" in first.text


def test_score_chart_draws_bands_points_and_events(qtbot: QtBot) -> None:
    from trdplanner.gui.charts import ChartEvent, ScoreChart, ScorePoint

    chart = ScoreChart()
    qtbot.addWidget(chart)
    chart.show_scores("phq9", [ScorePoint(TODAY - dt.timedelta(days=60), 20), ScorePoint(TODAY, 9, alert=True)],
                      [ChartEvent(TODAY - dt.timedelta(days=50), "▸ Sertraline")], TODAY)
    names = [s.name() for s in chart.chart().series()]
    assert {"Minimal", "Mild", "Moderate", "Moderately severe", "Severe"} <= set(names)
    chart.show_scores("gad7", [], [], TODAY)  # redrawing replaces everything
    assert {s.name() for s in chart.chart().series()} >= {"Minimal", "Severe"}
    assert "Moderately severe" not in {s.name() for s in chart.chart().series()}
