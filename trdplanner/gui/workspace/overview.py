"""The Overview tab: who the patient is, TRD status and staging, risk, scores, what to do next."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QGridLayout, QPushButton, QScrollArea, QVBoxLayout, QWidget

from trdplanner.clinical import BaselineKind, TrdStatusKind, spec
from trdplanner.core.guidance import suggest
from trdplanner.core.risk_findings import FindingKind, Urgency
from trdplanner.core.vocab import OPEN_OBJECTIVE
from trdplanner.gui.patient_tab import TabKey
from trdplanner.gui.reflow import Place, Reflow
from trdplanner.gui.theme import hex_colour, icon
from trdplanner.gui.workspace.base import Card, WorkspaceTab, esc, rich_label

if TYPE_CHECKING:
    from trdplanner.core.records import PlanRec
    from trdplanner.core.services.summary import ClinicalSummary, ScoredMeasure
    from trdplanner.core.views import IntegrationProposal

_URGENCY_COLOUR = {Urgency.DANGER: "danger", Urgency.WARNING: "warning", Urgency.INFO: ""}
_STEP_MARK = {"danger": ("⚠", "danger"), "warning": ("●", "warning"), "info": ("›", "accent"), "ok": ("✓", "ok")}


def _age(born: dt.date | None, today: dt.date) -> str:
    if born is None:
        return ""
    years = today.year - born.year - ((today.month, today.day) < (born.month, born.day))
    return f"{years} years"


def _colour_span(text: str, name: str, bold: bool = False) -> str:
    weight = "font-weight:600;" if bold else ""
    return f"<span style='color:{hex_colour(name)};{weight}'>{text}</span>"


class OverviewTab(WorkspaceTab):
    key = TabKey.OVERVIEW
    #: Ask the workspace to show another tab (by title).
    go_to = Signal(str)  # a TabKey's value

    def __init__(self, ctx, parent: QWidget | None = None) -> None:
        super().__init__(ctx, parent)
        self.summary: ClinicalSummary | None = None
        self.steps_card = Card("Next steps", tip="What the recorded data suggest doing next")
        self.steps = rich_label()
        self.steps_card.body.addWidget(self.steps)

        self.profile_card = Card("Profile")
        self.profile_text = rich_label()
        self.profile_card.body.addWidget(self.profile_text)

        self.trd_card = Card("TRD status and staging", tip="Worked out from the treatment history")
        self.trd_text = rich_label()
        self.trd_card.body.addWidget(self.trd_text)
        self.trd_link = self._link("Open treatment history", TabKey.HISTORY, "trial")
        self.trd_card.head.addWidget(self.trd_link)

        self.risk_card = Card("Risk", tip="Recorded risk level and the flags raised by measures")
        self.risk_text = rich_label()
        self.risk_card.body.addWidget(self.risk_text)
        self.ack_button = self._link("Review alert…", TabKey.MEASURES, "alert")
        self.ack_button.setToolTip("Open the Measures tab to acknowledge the alert")
        self.risk_card.head.addWidget(self.ack_button)

        self.scores_card = Card("Latest scores", tip="The latest score of each measure, with the trend")
        self.scores_text = rich_label()
        self.scores_card.body.addWidget(self.scores_text)
        self.scores_card.head.addWidget(self._link("Open measures", TabKey.MEASURES, "chart"))

        self.objectives_card = Card("Objectives due", tip="Treatment-plan objectives with a review date in the "
                                                          "next two weeks or already past")
        self.objectives_text = rich_label()
        self.objectives_card.body.addWidget(self.objectives_text)
        self.objectives_card.head.addWidget(self._link("Open treatment plan", TabKey.PLAN, "plan"))

        grid = QGridLayout()
        grid.setSpacing(12)
        places = [Place(self.steps_card, 0, 0, 2), Place(self.trd_card, 1, 0), Place(self.risk_card, 1, 1),
                  Place(self.scores_card, 2, 0), Place(self.profile_card, 2, 1), Place(self.objectives_card, 3, 0, 2)]
        grid.setColumnStretch(0, 1)
        grid.setColumnStretch(1, 1)
        grid.setAlignment(Qt.AlignmentFlag.AlignTop)
        page = QWidget()
        outer = QVBoxLayout(page)
        outer.setContentsMargins(16, 14, 16, 16)
        outer.addLayout(grid)
        outer.addStretch(1)
        scroll = QScrollArea()
        scroll.setFocusPolicy(Qt.FocusPolicy.NoFocus)  # Tab goes to the fields, not the frame
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QScrollArea.Shape.NoFrame)
        scroll.setWidget(page)
        # Risk and scores stay whole on a small screen: one column below 820 pixels.
        self.reflow = Reflow(grid, scroll.viewport(), places, 820)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(scroll)

    def _link(self, text: str, tab: TabKey, icon_name: str) -> QPushButton:
        b = QPushButton(icon(icon_name), text)
        b.setFlat(True)
        b.setCursor(Qt.CursorShape.PointingHandCursor)
        b.setToolTip(f"Go to the {tab.label} tab")
        b.clicked.connect(lambda: self.go_to.emit(tab.value))
        return b

    def clear(self) -> None:
        self.summary = None
        for label in (self.steps, self.profile_text, self.trd_text, self.risk_text, self.scores_text,
                      self.objectives_text):
            label.setText("")

    def load(self, patient_id: int) -> None:
        summary = self.ctx.summary.for_patient(patient_id)
        plan = self.ctx.plans.current(patient_id)
        self.show_summary(summary, plan, self.ctx.courses.integration_proposal(patient_id, summary.as_of))

    def show_summary(self, s: ClinicalSummary, plan: PlanRec | None,
                     integration: IntegrationProposal | None = None) -> None:
        self.summary = s
        today = s.as_of
        self._profile(s, today)
        self._trd(s)
        self._risk(s)
        self._scores(s)
        self._objectives(plan, today)
        missing = [m for a in s.trd.assessments for m in a.missing if a.in_current_episode]
        steps = suggest(
            trials=s.trials, measures=[m.record for m in s.measures],
            risk=s.risk_findings, trd=s.trd.status, missing=missing,
            stage=f"Thase-Rush stage {s.thase_rush.roman}", plan=plan, today=today, integration=integration,
        )
        if not steps:
            self.steps.setText(_colour_span("✓", "ok", True) + " Nothing pressing: the records are up to date.")
        else:
            rows = []
            for step in steps:
                mark, colour = _STEP_MARK[step.level]
                rows.append(f"<tr><td width=22 valign=top>{_colour_span(mark, colour, True)}</td>"
                            f"<td style='padding-bottom:4px'>{esc(step.text)}</td></tr>")
            self.steps.setText("<table cellspacing=0 cellpadding=1>" + "".join(rows) + "</table>")

    def _profile(self, s: ClinicalSummary, today: dt.date) -> None:
        p = s.profile
        bits = [b for b in (_age(p.date_of_birth, today), p.pronouns) if b]
        lines = []
        if bits:
            lines.append(" · ".join(esc(b) for b in bits))
        dx = esc(p.primary_diagnosis or "No diagnosis recorded")
        if p.primary_diagnosis_icd10:
            dx += f" ({esc(p.primary_diagnosis_icd10)})"
        lines.append(f"<b>Diagnosis:</b> {dx}")
        if p.comorbidities:
            lines.append("<b>Also:</b> " + esc(", ".join(c.description for c in p.comorbidities)))
        ep = p.current_episode
        if ep is not None:
            since = f"since {ep.onset.isoformat()}" if ep.onset else "onset not recorded"
            months = ""
            if ep.onset:
                n = (today.year - ep.onset.year) * 12 + today.month - ep.onset.month
                months = f" ({n} months)"
            sev = f", {ep.severity} at onset" if ep.severity else ""
            psych = {True: ", psychotic features", False: ", no psychotic features",
                     None: ", psychotic features not recorded (ask, and record on the Profile tab)"}[
                ep.psychotic_features]
            lines.append(f"<b>Current episode {ep.number}:</b> {since}{months}{sev}{psych}")
        else:
            lines.append("<b>Current episode:</b> none recorded (add one on the Profile tab)")
        if p.medications:
            lines.append("<b>Medication:</b> " + esc(", ".join(
                f"{m.name} {m.dose}".strip() for m in p.medications)))
        prescriber = next((c for c in p.care_team if c.role == "prescriber"), None)
        if prescriber:
            lines.append(f"<b>Prescriber:</b> {esc(prescriber.name)}")
        self.profile_text.setText("<br>".join(lines))

    def _trd(self, s: ClinicalSummary) -> None:
        trd = s.trd
        colour = {"trd": "danger", "insufficient_data": "warning"}.get(str(trd.status), "ok")
        label = {TrdStatusKind.TRD: "Meets TRD definition", TrdStatusKind.INSUFFICIENT_DATA: "Not yet decidable",
                 TrdStatusKind.NOT_TRD: "Does not meet TRD definition"}[trd.status]
        m = s.maudsley
        lines = [f"<span style='font-size:12pt'>{_colour_span(label, colour, True)}</span>", esc(trd.explanation)]
        lines.append(f"<b>Thase-Rush stage {esc(s.thase_rush.roman)}</b> — {esc(s.thase_rush.explanation)}")

        def pts(v: int | None) -> str:
            return "—" if v is None else str(v)

        if m.total is not None:
            head = f"<b>Maudsley score {m.total}</b> ({esc(m.category.value if m.category else '')}, range 3–15)"
        else:
            head = f"<b>Maudsley score</b> {esc(m.status.value.replace('_', ' '))}"
        dur = f"{pts(m.duration_points)}" + (f" ({m.duration_months} months)" if m.duration_months is not None else "")
        table = (
            "<table cellspacing=0 cellpadding=2>"
            f"<tr><td>Duration</td><td align=right><b>{dur}</b></td></tr>"
            f"<tr><td>Severity at onset</td><td align=right><b>{pts(m.severity_points)}</b></td></tr>"
            f"<tr><td>Antidepressant failures ({m.failed_antidepressant_trials})</td>"
            f"<td align=right><b>{pts(m.antidepressant_points)}</b></td></tr>"
            f"<tr><td>Augmentation</td><td align=right><b>{m.augmentation_points}</b></td></tr>"
            f"<tr><td>ECT</td><td align=right><b>{m.ect_points}</b></td></tr></table>"
        )
        lines.append(head + table)
        if m.missing:
            lines.append(_colour_span("Missing: " + esc(", ".join(m.missing)), "warning"))
        self.trd_text.setText("<br>".join(lines))

    def _risk(self, s: ClinicalSummary) -> None:
        """Shows the summary's risk findings (core/risk_findings.py) as they are; nothing is decided here."""
        lines = []
        for f in s.risk_findings:
            mark = "⚠ " if f.urgency is Urgency.DANGER else ""
            colour = _URGENCY_COLOUR[f.urgency]
            text = esc(f.text).replace("\n", "<br>")
            lines.append(_colour_span(mark + text, colour, f.kind is FindingKind.OPEN_ALERT) if colour else text)
        self.ack_button.setVisible(any(f.kind is FindingKind.OPEN_ALERT for f in s.risk_findings))
        self.risk_text.setText("<br>".join(lines))

    def _scores(self, s: ClinicalSummary) -> None:
        by: dict[str, list[ScoredMeasure]] = {}
        for m in s.measures:
            by.setdefault(m.record.instrument, []).append(m)
        if not by:
            self.scores_text.setText(_colour_span("No measures recorded yet. Add a PHQ-9 on the Measures tab.",
                                                  "muted"))
            return
        rows = []
        for instrument, ms in by.items():
            latest = ms[-1]
            name = spec(instrument).display_name
            trend = "&nbsp;→&nbsp;".join(str(m.score.total) for m in ms[-3:])
            arrow = ""
            if len(ms) > 1:
                d = ms[-1].score.total - ms[-2].score.total
                arrow = _colour_span("▼", "ok") if d < 0 else (_colour_span("▲", "danger") if d > 0 else "▬")
            status = []
            c = latest.change
            if c is not None:
                sign = "+" if c.delta > 0 else "−" if c.delta < 0 else "±"
                on_treatment = latest.baseline is not None and latest.baseline.kind is BaselineKind.TREATMENT
                since = "since&nbsp;treatment&nbsp;baseline" if on_treatment else "since&nbsp;episode&nbsp;baseline"
                status.append(f"{sign}{abs(c.delta)}&nbsp;{since}")
                if c.remission:
                    status.append(_colour_span("remission", "ok", True))
                elif c.response:
                    status.append(_colour_span("response", "ok"))
                if c.reliable_improvement:
                    status.append("reliable improvement")
                elif c.reliable_deterioration:
                    status.append(_colour_span("reliable deterioration", "danger"))
            flag = _colour_span(" ⚠", "danger", True) if latest.needs_alert else ""
            rows.append(
                f"<tr><td><b>{name.replace('-', '&#8209;')}</b></td>"
                f"<td align=right><b>{latest.score.total}</b>{flag}</td>"
                f"<td>{esc(latest.score.severity).replace(' ', '&nbsp;')}</td><td>{trend}</td><td>{arrow}</td>"
                f"<td>{latest.record.taken_on.isoformat()}</td><td>{', '.join(status)}</td></tr>"
            )
        head = (f"<tr style='color:{hex_colour('muted')}'><td>Measure</td><td>Latest</td><td>Band</td><td>Trend</td>"
                "<td></td><td>Date</td><td>Change</td></tr>")
        self.scores_text.setText("<table cellspacing=0 cellpadding=4>" + head + "".join(rows) + "</table>")

    def _objectives(self, plan: PlanRec | None, today: dt.date) -> None:
        if plan is None:
            self.objectives_text.setText(_colour_span("No active treatment plan.", "muted"))
            return
        soon = today + dt.timedelta(days=14)
        due = [(o, g) for p in plan.problems for g in p.goals for o in g.objectives
               if o.status in OPEN_OBJECTIVE and o.review_date is not None and o.review_date <= soon]
        if not due:
            self.objectives_text.setText(_colour_span("No objective is due for review in the next two weeks.",
                                                      "muted"))
            return
        rows = []
        for o, g in sorted(due, key=lambda x: x[0].review_date or today):
            late = o.review_date is not None and o.review_date < today
            when = _colour_span(o.review_date.isoformat(), "danger" if late else "warning") if o.review_date else ""
            rows.append(f"<tr><td>{when}</td><td>{esc(o.text)}<br><span style='color:{hex_colour('muted')}'>"
                        f"Goal: {esc(g.text)}</span></td></tr>")
        self.objectives_text.setText("<table cellspacing=0 cellpadding=3>" + "".join(rows) + "</table>")

