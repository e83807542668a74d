"""The Measures tab: enter a measure, see the scores over time, acknowledge alerts."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

from PySide6.QtCore import QEvent, QObject, Qt
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QSplitter,
    QStackedWidget,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from trdplanner.clinical import spec
from trdplanner.core.errors import InputError
from trdplanner.gui.charts import ChartEvent, ScoreChart, ScorePoint
from trdplanner.gui.columns import fit_columns
from trdplanner.gui.dates import first_unreadable
from trdplanner.gui.dialogs import show_error
from trdplanner.gui.patient_tab import TabKey
from trdplanner.gui.theme import colour, icon
from trdplanner.gui.workspace.base import Banner, WorkspaceTab, empty_state, esc
from trdplanner.gui.workspace.measure_entry import MeasureEntry, acknowledge
from trdplanner.gui.workspace.trial_dialog import KIND_LABELS

if TYPE_CHECKING:
    from trdplanner.core.services.summary import ClinicalSummary, ScoredMeasure

HISTORY_COLUMNS = ("Date", "Measure", "Total", "Band", "Change", "Alert")
HISTORY_TIPS = ("When it was completed", "The measure", "Total score", "Severity band of the total",
                "Change from the first score on the same measure", "Suicidality alert and its acknowledgement")
BAND, CHANGE = 3, 4


class MeasuresTab(WorkspaceTab):
    key = TabKey.MEASURES

    def can_save(self) -> bool:
        return True

    def __init__(self, ctx, parent: QWidget | None = None) -> None:
        super().__init__(ctx, parent)
        self.summary: ClinicalSummary | None = None

        self.entry = MeasureEntry()
        self.save_button = QPushButton(icon("save"), "Save measure")
        self.save_button.setToolTip("Save this measure (Ctrl+S)")
        self.save_button.clicked.connect(self.save_current)
        self.clear_button = QPushButton("Clear")
        self.clear_button.setToolTip("Clear the answers and start again")
        self.clear_button.clicked.connect(self.entry.reset)
        self.entry.ready_changed.connect(self.save_button.setEnabled)
        entry_box = QGroupBox("New measure")
        eb = QVBoxLayout(entry_box)
        eb.addWidget(self.entry, 1)
        row = QHBoxLayout()
        row.addStretch(1)
        row.addWidget(self.clear_button)
        row.addWidget(self.save_button)
        eb.addLayout(row)
        entry_box.setMinimumWidth(400)

        self.alerts = Banner("danger")
        self.alerts.setVisible(False)
        self.ack_button = QPushButton(icon("alert"), "Acknowledge…")
        self.ack_button.setToolTip("Review and acknowledge the open suicidality alert")
        self.ack_button.clicked.connect(self._acknowledge_first)
        self.alerts.layout_.addWidget(self.ack_button)

        self.chart_instrument = QComboBox()
        self.chart_instrument.setToolTip("Which measure the chart shows")
        self.chart_instrument.currentIndexChanged.connect(self._draw_chart)
        self.chart = ScoreChart()
        self.chart_empty = empty_state("No scores yet", "Enter a measure on the left; the chart shows each "
                                       "score against the severity bands, with treatment changes marked.")
        self.chart_stack = QStackedWidget()
        self.chart_stack.addWidget(self.chart)
        self.chart_stack.addWidget(self.chart_empty)
        chart_head = QHBoxLayout()
        chart_head.addWidget(self.chart_instrument)
        chart_head.addStretch(1)

        self.history = QTableWidget(0, len(HISTORY_COLUMNS))
        self.history.setTabKeyNavigation(False)  # Tab leaves the list; arrows move in it
        self.history.setHorizontalHeaderLabels(HISTORY_COLUMNS)
        self.history.verticalHeader().setVisible(False)
        self.history.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.history.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.history.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.history.setAlternatingRowColors(True)
        self.history.setShowGrid(False)
        self.history.setWordWrap(False)  # one line a row: long text elides, the tooltip keeps it whole
        self.history.setToolTip("Every measure on file, newest first. Enter on an open alert acknowledges it")
        head = self.history.horizontalHeader()
        head.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        head.setSectionResizeMode(3, QHeaderView.ResizeMode.Stretch)
        head.setStretchLastSection(False)
        self.fitter = fit_columns(self.history, 3)
        for i, tip in enumerate(HISTORY_TIPS):
            item = self.history.horizontalHeaderItem(i)
            if item is not None:
                item.setToolTip(tip)
        self.history.activated.connect(self._activate_row)
        self.history.doubleClicked.connect(self._activate_row)
        self.history.itemSelectionChanged.connect(self._show_details)
        self.history.viewport().installEventFilter(self)
        self.details = QLabel()
        self.details.setWordWrap(True)
        self.details.setProperty("role", "muted")
        self.details.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.details.setAccessibleName("The chosen score in full")
        self._details: list[str] = []
        self._detail_tips: list[str] = []

        right = QWidget()
        rl = QVBoxLayout(right)
        rl.setContentsMargins(0, 0, 0, 0)
        rl.addWidget(self.alerts)
        rl.addLayout(chart_head)
        rl.addWidget(self.chart_stack, 3)
        rl.addWidget(self.history, 2)
        rl.addWidget(self.details)

        split = QSplitter(Qt.Orientation.Horizontal)
        split.addWidget(entry_box)
        split.addWidget(right)
        split.setStretchFactor(0, 0)
        split.setStretchFactor(1, 1)
        split.setSizes([440, 700])
        split.setChildrenCollapsible(False)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(16, 12, 16, 12)
        layout.addWidget(split)

    # ---------------------------------------------------------------- load

    def clear(self) -> None:
        self.summary = None
        self.history.setRowCount(0)
        self._details, self._detail_tips = [], []
        self._show_details()
        self.alerts.setVisible(False)

    def load(self, patient_id: int) -> None:
        self.show_summary(self.ctx.summary.for_patient(patient_id))

    def set_patient(self, patient_id: int | None) -> None:
        # Scores are entered for one patient: another patient's entry starts empty (the window
        # asked about unsaved scores before it got here), so they can never be saved for them.
        if patient_id != self.patient_id:
            self.entry.reset()
        super().set_patient(patient_id)

    def has_unsaved_changes(self) -> bool:
        return self.patient_id is not None and self.entry.has_input()

    def discard_changes(self) -> None:
        self.entry.reset()

    def show_summary(self, s: ClinicalSummary) -> None:
        self.summary = s
        opened = s.open_alerts
        if opened:
            last = opened[-1].record
            more = f" and {len(opened) - 1} earlier score{'s' if len(opened) > 2 else ''}" if len(opened) > 1 else ""
            self.alerts.text.setText(f"<b>⚠ Suicidality alert not yet acknowledged</b><br>"
                                     f"{spec(last.instrument).display_name} of {last.taken_on}{esc(more)}")
        self.alerts.setVisible(bool(opened))
        chosen = self.chart_instrument.currentData()
        instruments = list(dict.fromkeys(m.record.instrument for m in s.measures))
        self.chart_instrument.blockSignals(True)
        self.chart_instrument.clear()
        for key in instruments:
            self.chart_instrument.addItem(spec(key).display_name, key)
        i = self.chart_instrument.findData(chosen if chosen in instruments else ("phq9" if "phq9" in instruments
                                                                                 else None))
        self.chart_instrument.setCurrentIndex(max(i, 0))
        self.chart_instrument.blockSignals(False)
        self.chart_instrument.setVisible(bool(instruments))
        self._draw_chart()
        self._fill_history(list(reversed(s.measures)))

    def _draw_chart(self) -> None:
        s = self.summary
        key = self.chart_instrument.currentData()
        if s is None or key is None:
            self.chart_stack.setCurrentWidget(self.chart_empty)
            return
        points = [ScorePoint(m.record.taken_on, m.score.total, m.needs_alert) for m in s.measures
                  if m.record.instrument == key]
        events: list[ChartEvent] = []
        for t in s.trials:
            name = t.agent or KIND_LABELS.get(t.kind, t.kind)
            if t.start:
                events.append(ChartEvent(t.start, f"▸ {name}"))
            if t.stop:
                events.append(ChartEvent(t.stop, f"■ {name}"))
        first = min((p.taken_on for p in points), default=dt.date.today())
        events = [e for e in events if e.on >= first - dt.timedelta(days=60)]
        self.chart.show_scores(key, points, sorted(events, key=lambda e: e.on), s.as_of)
        self.chart_stack.setCurrentWidget(self.chart)

    def eventFilter(self, obj: QObject, event: QEvent) -> bool:
        if obj is self.history.viewport() and event.type() in (QEvent.Type.Resize, QEvent.Type.Show):
            self._choose_columns()
        return super().eventFilter(obj, event)

    def _choose_columns(self) -> None:
        """When every column cannot be shown whole, the table keeps date, measure, total and alert;
        band and change are read in the line under it (the chosen row in full), so no column is cut
        to "2026-…" on a 1024-pixel screen."""
        head = self.history.horizontalHeader()
        wanted = sum(max(self.history.sizeHintForColumn(c) + 12, head.sectionSizeHint(c))
                     for c in range(self.history.columnCount()))
        narrow = wanted > self.history.viewport().width()
        for c in (BAND, CHANGE):
            if self.history.isColumnHidden(c) != narrow:
                self.history.setColumnHidden(c, narrow)

    def _show_details(self) -> None:
        rows = self.history.selectionModel().selectedRows()
        r = rows[0].row() if rows else 0
        self.details.setText(self._details[r] if 0 <= r < len(self._details) else "")
        self.details.setToolTip(self._detail_tips[r] if 0 <= r < len(self._detail_tips) else "")
        self.details.setVisible(bool(self._details))

    def _fill_history(self, measures: list[ScoredMeasure]) -> None:
        self._details, self._detail_tips = [], []
        self.history.setRowCount(len(measures))
        for r, m in enumerate(measures):
            rec = m.record
            change = ""
            if m.change is not None:
                d = m.change.delta
                change = f"{'+' if d > 0 else ''}{d}"
                if m.change.remission:
                    change += " · remission"
                elif m.change.response:
                    change += " · response"
            alert = alert_full = ""
            if m.needs_alert:
                if rec.alert_acknowledged_at:
                    alert = "✓ acknowledged"
                    alert_full = (f"Alert acknowledged by {rec.alert_acknowledged_by} "
                                  f"{rec.alert_acknowledged_at:%Y-%m-%d %H:%M} UTC.")
                else:
                    alert = "⚠ open"
                    alert_full = "Alert open: press Enter or double-click to acknowledge it."
            values = (rec.taken_on.isoformat(), spec(rec.instrument).display_name, str(m.score.total),
                      m.score.severity, change, alert)
            change_tip = ""
            if m.baseline is not None:  # the change names what it is measured from
                change_tip = m.change.explanation if m.change is not None else f"Baseline: {m.baseline.label}."
            flags = " ".join(m.score.flag_messages)
            # The line under the table: the chosen row in short; its tooltip has the whole explanation.
            short_alert = ("alert acknowledged" if rec.alert_acknowledged_at else "alert open (Enter acknowledges)"
                           ) if m.needs_alert else ""
            self._details.append(" · ".join(part for part in (
                values[0], f"{values[1]} {values[2]}, {values[3]}",
                f"change {change} from baseline" if change else "", short_alert) if part))
            self._detail_tips.append(" ".join(part for part in (change_tip, flags, alert_full) if part))
            for c, v in enumerate(values):
                item = QTableWidgetItem(v)
                item.setData(Qt.ItemDataRole.UserRole, rec.id)
                tip = flags or f"{values[1]} {values[2]}: {values[3]}"
                if c == CHANGE and change_tip:
                    tip = change_tip
                if c == 5 and alert_full:
                    tip = alert_full
                elif m.alert_open:
                    tip += "\nPress Enter or double-click to acknowledge the alert."
                item.setToolTip(tip)
                if c == 5 and m.alert_open:
                    item.setForeground(colour("danger"))
                self.history.setItem(r, c, item)
        self._choose_columns()
        self._show_details()

    # ---------------------------------------------------------------- actions

    def save_current(self) -> bool:
        if self.patient_id is None:
            return False
        if not self.entry.is_complete():
            missing = [r.index + 1 for r in self.entry.rows if r.value is None]
            self.entry.rows[missing[0] - 1].setFocus()
            self.entry.result.setText(f"<b>Score every item before saving</b> — item {missing[0]} is empty.")
            return False
        bad = first_unreadable(self.entry)
        if bad is not None:
            self.entry.result.setText(f"<b>The date could not be read</b> — {bad.error()}")
            return False
        items, total = self.entry.values()
        taken_on = self.entry.taken_on.value() or dt.date.today()
        try:
            rec = self.ctx.measures.add(self.patient_id, self.entry.key, items=items, total=total, taken_on=taken_on)
        except InputError as exc:
            self.entry.result.setText(f"<span style='color:{colour('danger').name()}'><b>Not saved:</b> "
                                      f"{esc(exc.problem)}.</span>")
            return False
        except Exception as exc:
            show_error(self, "Could not save the measure", exc)
            return False
        self.entry.reset()
        self.refresh()
        self.notify_saved()
        scored = next((m for m in (self.summary.measures if self.summary else []) if m.record.id == rec.id), None)
        if scored is not None and scored.alert_open:
            self.acknowledge(scored.record.id)
        return True

    def acknowledge(self, measure_id: int | None) -> bool:
        s = self.summary
        m = next((m for m in (s.measures if s else []) if m.record.id == measure_id), None)
        if m is None or not m.alert_open:
            return False
        if acknowledge(self, self.ctx, m.record):
            self.refresh()
            self.notify_saved()
            return True
        return False

    def _acknowledge_first(self) -> None:
        if self.summary and self.summary.open_alerts:
            self.acknowledge(self.summary.open_alerts[0].record.id)

    def _activate_row(self, index) -> None:
        item = self.history.item(index.row(), 0)
        if item is not None:
            self.acknowledge(item.data(Qt.ItemDataRole.UserRole))
