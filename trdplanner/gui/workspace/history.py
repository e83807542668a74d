"""The Treatment history tab: the trial ledger, each trial's adequacy, the TRD status, and the
interventional courses (esketamine, IV ketamine, rTMS/iTBS, ECT) with their sessions."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QAbstractItemView,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QStackedWidget,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from trdplanner.clinical.courses import CourseKind
from trdplanner.core.errors import InputError
from trdplanner.gui.columns import fit_columns
from trdplanner.gui.dialogs import confirm, show_error
from trdplanner.gui.patient_tab import TabKey
from trdplanner.gui.theme import colour, icon
from trdplanner.gui.workspace.base import Banner, WorkspaceTab, empty_state, esc, rich_label
from trdplanner.gui.workspace.course_dialogs import (
    OUTCOME_LABELS,
    STOP_LABELS,
    AddCourseDialog,
    CourseSessionDialog,
    EndCourseDialog,
)
from trdplanner.gui.workspace.trial_dialog import KIND_LABELS, TrialDialog

if TYPE_CHECKING:
    from trdplanner.core.records import CourseRec, TrialRec
    from trdplanner.core.services.courses import CourseView
    from trdplanner.core.services.summary import ClinicalSummary

COLUMNS = ("Drug / treatment", "Kind", "Class", "Dose / minimum", "Dates", "Weeks", "Adherence", "Outcome",
           "Episode", "Adequate", "Counts")
TIPS = ("Drug or treatment", "Kind of treatment", "Drug class", "Dose reached / minimum effective dose",
        "Start and stop dates", "Weeks at adequate dose", "Adherence",
        "Outcome (recorded, or worked out from the scores)", "Episode the trial belongs to",
        "Adequate dose and duration under the current settings", "Counts as a failed adequate trial toward TRD")
COL_EPISODE, COL_ADEQUATE, COL_COUNTS = 8, 9, 10
COURSE_COLUMNS = ("Course", "Started", "Ended", "Sessions", "Adequate", "Outcome")
COURSE_TIPS = ("The interventional treatment", "First day of the course", "Last day, or ongoing",
               "Sessions recorded, of those planned", "Whether the course was adequate (the reason is in the tip "
               "and under the list)", "How the course went")
COURSE_ADEQUATE = {True: "Yes", False: "No", None: "Not yet"}
SHORT_KIND = {"antidepressant_monotherapy": "Antidepressant", "switch": "Switch", "combination": "Combination",
              "augmentation": "Augmentation"}


def _num(x: float | None) -> str:
    return "" if x is None else f"{x:g}"


class HistoryTab(WorkspaceTab):
    key = TabKey.HISTORY

    def __init__(self, ctx, parent: QWidget | None = None) -> None:
        super().__init__(ctx, parent)
        self.summary: ClinicalSummary | None = None
        self.status = Banner("ok")
        self.status.setToolTip("TRD status of the current episode, from the trials below")
        self.table = QTableWidget(0, len(COLUMNS))
        self.table.setTabKeyNavigation(False)  # Tab leaves the list; arrows move in it
        self.table.setHorizontalHeaderLabels(COLUMNS)
        for i, tip in enumerate(TIPS):
            head = self.table.horizontalHeaderItem(i)
            if head is not None:
                head.setToolTip(tip)
        self.table.verticalHeader().setVisible(False)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setAlternatingRowColors(True)
        self.table.setShowGrid(False)
        self.table.setWordWrap(False)
        self.table.setToolTip("The trial ledger. Enter or double-click edits a trial")
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        self.fitter = fit_columns(self.table, 0)  # the ledger fits the window; cells elide, tooltips hold all
        self.table.doubleClicked.connect(lambda _i: self.edit_trial())
        self.table.itemSelectionChanged.connect(self._show_reason)
        self.table.activated.connect(lambda _i: self.edit_trial())
        self.reason = Banner("ok")
        self.reason.setToolTip("Why the selected trial does or does not count")

        self.add_button = QPushButton(icon("add"), "Add trial…")
        self.add_button.setToolTip("Record a treatment trial (Ctrl+Shift+N)")
        self.add_button.setShortcut("Ctrl+Shift+N")
        self.add_button.clicked.connect(self.add_trial)
        self.edit_button = QPushButton(icon("edit"), "Edit…")
        self.edit_button.setToolTip("Edit the selected trial (Enter)")
        self.edit_button.clicked.connect(self.edit_trial)
        self.delete_button = QPushButton(icon("remove"), "Delete…")
        self.delete_button.setToolTip("Delete the selected trial, after you confirm")
        self.delete_button.clicked.connect(self.delete_trial)
        buttons = QHBoxLayout()
        buttons.addWidget(self.add_button)
        buttons.addWidget(self.edit_button)
        buttons.addWidget(self.delete_button)
        buttons.addStretch(1)

        self.empty = empty_state("No trials recorded", "Add each antidepressant, augmentation, ECT or other "
                                 "treatment trial with <b>Add trial…</b>; the TRD status and staging follow from them.")
        self.stack = QStackedWidget()
        list_page = QWidget()
        lp = QVBoxLayout(list_page)
        lp.setContentsMargins(0, 0, 0, 0)
        lp.addWidget(self.table, 1)
        lp.addWidget(self.reason)
        self.stack.addWidget(list_page)
        self.stack.addWidget(self.empty)

        layout = QVBoxLayout(self)
        layout.setContentsMargins(16, 12, 16, 12)
        layout.setSpacing(10)
        layout.addWidget(self.status)
        layout.addLayout(buttons)
        layout.addWidget(self.stack, 1)
        layout.addWidget(self._courses_box())
        self.stage = rich_label(muted=True)
        layout.addWidget(self.stage)
        self.courses: list[CourseView] = []

    # ---------------------------------------------------------------- load

    def clear(self) -> None:
        self.summary = None
        self.table.setRowCount(0)
        self.show_courses([])

    def load(self, patient_id: int) -> None:
        self.show_summary(self.ctx.summary.for_patient(patient_id))
        self.show_courses(self.ctx.courses.views(patient_id))

    def show_summary(self, s: ClinicalSummary) -> None:
        self.summary = s
        trd = s.trd
        level = {"trd": "danger", "insufficient_data": "warning"}.get(str(trd.status), "ok")
        label = {"trd": "Meets the TRD definition", "insufficient_data": "TRD status not yet decidable",
                 "not_trd": "Does not meet the TRD definition"}[str(trd.status)]
        self.status.set_level(level)
        self.status.text.setText(f"<b style='font-size:12pt'>{label}</b><br>{esc(trd.explanation)}")
        self.stage.setText(f"Thase-Rush stage {esc(s.thase_rush.roman)}: {esc(s.thase_rush.explanation)}")
        assessments = {a.trial_id: a for a in trd.assessments}
        current = s.profile.current_episode
        self.table.setRowCount(len(s.trials))
        for r, t in enumerate(s.trials):
            a = assessments.get(str(t.id))
            dose = ""
            if t.dose is not None:
                dose = f"{_num(t.dose)}" + (f" / {_num(t.min_effective_dose)}" if t.min_effective_dose else "")
                dose += f" {t.dose_unit}"
            weeks = _num(t.weeks_at_adequate_dose)
            if not weeks and a is not None and a.weeks_at_adequate_dose is not None:
                weeks = f"{a.weeks_at_adequate_dose:.0f}"
            outcome = (a.outcome.value if a and a.outcome else t.outcome).replace("_", " ")
            episode = "" if t.episode_number is None else str(t.episode_number)
            if current and t.episode_number == current.number:
                episode += " (current)"
            dates = f"{t.start.isoformat() if t.start else '?'} → {t.stop.isoformat() if t.stop else 'ongoing'}"
            kind = KIND_LABELS.get(t.kind, t.kind)
            values = [t.agent or kind, SHORT_KIND.get(t.kind, kind),
                      t.drug_class, dose, dates, weeks, t.adherence, outcome, episode,
                      "yes" if a and a.adequate else ("missing data" if a and a.missing else "no"),
                      "✔ failed" if a and a.counts_toward_trd else ""]
            for c, v in enumerate(values):
                item = QTableWidgetItem(v)
                item.setToolTip(a.reason if a else "")
                if c == 0:
                    item.setData(Qt.ItemDataRole.UserRole, t.id)
                if c == COL_COUNTS and a and a.counts_toward_trd:
                    item.setForeground(colour("danger"))
                if c == COL_ADEQUATE and a and a.missing:
                    item.setForeground(colour("warning"))
                self.table.setItem(r, c, item)
        # The episode column matters only when trials span more than one episode.
        self.table.setColumnHidden(COL_EPISODE, len({t.episode_number for t in s.trials}) <= 1)
        self.stack.setCurrentIndex(0 if s.trials else 1)
        self.edit_button.setEnabled(False)
        self.delete_button.setEnabled(False)
        self.reason.setVisible(False)

    def _selected(self) -> TrialRec | None:
        if self.summary is None:
            return None
        row = self.table.currentRow()
        if row < 0 or not self.table.selectionModel().hasSelection():
            return None
        first = self.table.item(row, 0)
        tid = first.data(Qt.ItemDataRole.UserRole) if first is not None else None
        return next((t for t in self.summary.trials if t.id == tid), None)

    def _show_reason(self) -> None:
        t = self._selected()
        self.edit_button.setEnabled(t is not None)
        self.delete_button.setEnabled(t is not None)
        if t is None or self.summary is None:
            self.reason.setVisible(False)
            return
        a = next((a for a in self.summary.trd.assessments if a.trial_id == str(t.id)), None)
        if a is None:
            return
        self.reason.set_level("danger" if a.counts_toward_trd else ("ok" if a.adequate else "warning"))
        self.reason.text.setText(f"<b>{esc(t.agent or KIND_LABELS.get(t.kind, t.kind))}</b>: {esc(a.reason)}")
        self.reason.setVisible(True)

    # ---------------------------------------------------------------- edit

    def _dialog(self, trial: TrialRec | None) -> TrialDialog:
        assert self.summary is not None
        s = self.summary
        return TrialDialog(trial, s.trials, s.profile.episodes, s.profile.current_episode,
                           self.ctx.settings.trd_settings(), self)

    def add_trial(self) -> None:
        self._run_dialog(None)

    def edit_trial(self) -> None:
        t = self._selected()
        if t is not None:
            self._run_dialog(t)

    def _run_dialog(self, trial: TrialRec | None) -> None:
        if self.summary is None or self.patient_id is None:
            return
        dialog = self._dialog(trial)
        while dialog.exec():
            rec = dialog.result_trial
            try:
                if rec.id is None:
                    self.ctx.trials.add(self.patient_id, rec)
                else:
                    self.ctx.trials.update(rec)
            except InputError as exc:
                dialog.show_input_error(exc)
                continue
            except Exception as exc:
                show_error(self, "Could not save the trial", exc)
                continue
            self.refresh()
            self.notify_saved()
            return

    def delete_trial(self) -> None:
        t = self._selected()
        if t is None or t.id is None:
            return
        when = f" started {t.start.isoformat()}" if t.start else ""
        if not confirm(self, "Delete trial", f"Delete the {t.agent or t.kind} trial{when}? The TRD status and "
                       "staging will be worked out again without it. This cannot be undone.", "Delete trial"):
            return
        try:
            self.ctx.trials.delete(t.id)
        except Exception as exc:
            show_error(self, "Could not delete the trial", exc)
            return
        self.refresh()
        self.notify_saved()

    # ---------------------------------------------------------------- courses

    def _courses_box(self) -> QGroupBox:
        box = QGroupBox("Courses")
        box.setToolTip("Esketamine, IV ketamine, rTMS / iTBS and ECT courses: each is also a trial in the list above")
        self.course_table = QTableWidget(0, len(COURSE_COLUMNS))
        self.course_table.setTabKeyNavigation(False)
        self.course_table.setHorizontalHeaderLabels(COURSE_COLUMNS)
        for i, tip in enumerate(COURSE_TIPS):
            head = self.course_table.horizontalHeaderItem(i)
            if head is not None:
                head.setToolTip(tip)
        self.course_table.verticalHeader().setVisible(False)
        self.course_table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.course_table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.course_table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.course_table.setShowGrid(False)
        self.course_table.setWordWrap(False)
        self.course_table.setToolTip("The patient's courses. Enter records a session of the selected course")
        header = self.course_table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        self.course_fitter = fit_columns(self.course_table, 5)
        self.course_table.itemSelectionChanged.connect(self._course_buttons)
        self.course_table.activated.connect(lambda _i: self.record_course_session())
        self.no_courses = QLabel("No courses recorded. <b>Add course…</b> starts one; each course is also a trial "
                                 "in the list above.")
        self.no_courses.setTextFormat(Qt.TextFormat.RichText)
        self.no_courses.setWordWrap(True)
        self.no_courses.setProperty("role", "muted")
        self.course_reason = rich_label(muted=True)
        self.course_reason.setToolTip("Why the selected course is or is not adequate, and why it stopped")

        self.add_course_button = QPushButton(icon("add"), "Add course…")
        self.add_course_button.setToolTip("Start an esketamine, IV ketamine, rTMS / iTBS or ECT course")
        self.add_course_button.clicked.connect(self.add_course)
        self.session_button = QPushButton(icon("add"), "Record course session…")
        self.session_button.setToolTip("Record a session of the selected course (Enter)")
        self.session_button.clicked.connect(self.record_course_session)
        self.end_course_button = QPushButton(icon("edit"), "End course…")
        self.end_course_button.setToolTip("End the selected course with its outcome and why it stopped")
        self.end_course_button.clicked.connect(self.end_course)
        buttons = QHBoxLayout()
        buttons.addWidget(self.add_course_button)
        buttons.addWidget(self.session_button)
        buttons.addWidget(self.end_course_button)
        buttons.addStretch(1)
        layout = QVBoxLayout(box)
        layout.setContentsMargins(8, 6, 8, 6)
        layout.addLayout(buttons)
        layout.addWidget(self.course_table)
        layout.addWidget(self.no_courses)
        layout.addWidget(self.course_reason)
        return box

    def _writable(self) -> bool:
        # A read-only data folder saves nothing: the buttons say so before a dialog is filled in for nothing.
        return not getattr(self.ctx, "read_only", False)

    def show_courses(self, views: list[CourseView]) -> None:
        self.courses = views
        table = self.course_table
        table.blockSignals(True)
        table.clearSelection()
        table.setRowCount(len(views))
        for r, v in enumerate(views):
            c = v.record
            given = len(c.sessions)
            sessions = f"{given} of {c.planned_sessions}" if c.planned_sessions else str(given)
            ended = c.stop is not None or c.stop_reason not in ("", "ongoing")
            outcome = OUTCOME_LABELS.get(c.outcome, "Not recorded") if ended else "Ongoing"
            stop = c.stop.isoformat() if c.stop else ("yes" if ended else "ongoing")
            adequate = COURSE_ADEQUATE[v.adequate]
            if v.adequate is None and CourseKind(c.kind).is_dosing:
                adequate = "Not judged"  # no rule for ketamine; the clinician's call, not yet made
            for col, text in enumerate((v.label, c.start.isoformat(), stop, sessions, adequate, outcome)):
                item = QTableWidgetItem(text)
                item.setToolTip(v.adequacy_reason if col == 4 else text)
                if col == 0:
                    item.setData(Qt.ItemDataRole.UserRole, c.id)
                table.setItem(r, col, item)
        rows = max(len(views), 1)
        table.setFixedHeight(min(table.horizontalHeader().sizeHint().height()
                                 + rows * table.verticalHeader().defaultSectionSize() + 6, 150))
        table.setVisible(bool(views))
        self.no_courses.setVisible(not views)
        if views:  # the latest running course is the one a session is most likely recorded for
            running = [i for i, v in enumerate(views) if v.record.stop is None]
            table.selectRow(running[-1] if running else len(views) - 1)
        table.blockSignals(False)
        self._course_buttons()

    def selected_course(self) -> CourseRec | None:
        rows = self.course_table.selectionModel().selectedRows()
        if not rows:
            return None
        item = self.course_table.item(rows[0].row(), 0)
        cid = item.data(Qt.ItemDataRole.UserRole) if item is not None else None
        return next((v.record for v in self.courses if v.record.id == cid), None)

    def _course_buttons(self) -> None:
        c = self.selected_course()
        view = next((v for v in self.courses if c is not None and v.record.id == c.id), None)
        if view is not None:
            why = STOP_LABELS.get(view.record.stop_reason, "")
            self.course_reason.setText(f"<b>{esc(view.label)}</b>: {esc(view.adequacy_reason)}"
                                       + (f". Stopped: {esc(why.lower())}." if why else "."))
        self.course_reason.setVisible(view is not None)
        writable = self._writable() and self.patient_id is not None
        self.add_course_button.setEnabled(writable)
        self.session_button.setEnabled(writable and c is not None)
        self.end_course_button.setEnabled(writable and c is not None and c.stop is None)

    def _course_saved(self) -> None:
        self.refresh()
        self.notify_saved()

    def add_course(self) -> None:
        if self.patient_id is None or not self._writable():
            return
        pid = self.patient_id
        if AddCourseDialog(lambda rec: self.ctx.courses.add(pid, rec), self).exec():
            self._course_saved()

    def record_course_session(self) -> None:
        c = self.selected_course()
        if c is None or c.id is None or not self._writable():
            return
        cid = c.id
        if CourseSessionDialog(c, lambda rec: self.ctx.courses.add_session(cid, rec), self).exec():
            self._course_saved()

    def end_course(self) -> None:
        c = self.selected_course()
        if c is None or c.id is None or not self._writable():
            return
        cid = c.id

        def save(rec: CourseRec) -> CourseRec:
            assert rec.stop is not None
            return self.ctx.courses.end(cid, rec.stop, rec.outcome, rec.stop_reason)

        if EndCourseDialog(c, save, self).exec():
            self._course_saved()


__all__ = ["HistoryTab", "dt"]
