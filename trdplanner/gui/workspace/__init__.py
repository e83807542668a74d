"""The patient workspace: one tab per part of the record.

Overview, Profile, Treatment history, Measures and Treatment plan live in this package;
Sessions and Notes come from ``trdplanner.gui.sessions`` and ``trdplanner.gui.notes``.
Every tab has ``set_patient(patient_id)``; File ▸ Save and File ▸ Print call a tab's
``save_current()`` / ``print_current()`` when it has them.
"""

from __future__ import annotations

import logging
from functools import partial
from typing import TYPE_CHECKING

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QMessageBox, QScrollArea, QTabWidget, QWidget

from trdplanner import assemble
from trdplanner.gui import pdfs
from trdplanner.gui.theme import icon
from trdplanner.gui.workspace.base import WorkspaceTab
from trdplanner.gui.workspace.history import HistoryTab
from trdplanner.gui.workspace.measures import MeasuresTab
from trdplanner.gui.workspace.overview import OverviewTab
from trdplanner.gui.workspace.plan import PlanTab
from trdplanner.gui.workspace.profile import ProfileTab
from trdplanner.gui.workspace.timeline import TimelineTab

if TYPE_CHECKING:
    from trdplanner.context import AppContext

log = logging.getLogger(__name__)

TAB_TIPS = {
    "Overview": "Summary, TRD status and staging, risk, latest scores and next steps (Ctrl+1)",
    "Profile": "Every profile field: identity, contact, diagnosis, risk, episodes, care team (Ctrl+2)",
    "Treatment history": "The trial ledger and whether each trial counts toward TRD (Ctrl+3)",
    "Measures": "Enter PHQ-9, GAD-7, QIDS-SR16, HAM-D17; chart over time; alerts (Ctrl+4)",
    "Treatment plan": "Problems, goals, objectives and interventions (Ctrl+5)",
    "Sessions": "Sessions and the session planner (Ctrl+6)",
    "Notes": "Every progress note, with full-text search (Ctrl+7)",
    "Timeline": "Trials, interventional courses, therapy sessions and scores on one time axis (Ctrl+8)",
}
TAB_ICONS = {"Overview": "overview", "Profile": "profile", "Treatment history": "trial", "Measures": "measure",
             "Treatment plan": "plan", "Sessions": "sessions", "Notes": "notes", "Timeline": "chart"}


class PatientWorkspace(QTabWidget):
    #: A tab saved something that changes the patient's row in the list (TRD, risk, unsigned notes).
    data_changed = Signal(int)
    #: The current tab's ability to save changed.
    request_save_state = Signal()
    #: Every tab was told of the patient (the read-only window freezes the fields then).
    patient_loaded = Signal()

    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        from trdplanner.gui.notes import NotesTab
        from trdplanner.gui.sessions import SessionsTab

        self.ctx = ctx
        self.setObjectName("workspace")
        self.setDocumentMode(True)
        # Tabs shrink and elide rather than hide behind scroll arrows on a small screen (Ctrl+1…7 and
        # the tooltips name them in full).
        self.setUsesScrollButtons(False)
        self.setElideMode(Qt.TextElideMode.ElideRight)
        self.overview = OverviewTab(ctx)
        self.profile = ProfileTab(ctx)
        self.history = HistoryTab(ctx)
        self.measures = MeasuresTab(ctx)
        self.plan = PlanTab(ctx)
        self.sessions = SessionsTab(ctx)
        self.notes = NotesTab(ctx)
        # The tab is handed what it calls, not the composition root.
        self.timeline = TimelineTab(partial(assemble.timeline_data, ctx), partial(pdfs.timeline_pdf, ctx))
        self._pages: list[QWidget] = []
        for tab, title in ((self.overview, "Overview"), (self.profile, "Profile"),
                           (self.history, "Treatment history"), (self.measures, "Measures"),
                           (self.plan, "Treatment plan"), (self.sessions, "Sessions"), (self.notes, "Notes"),
                           (self.timeline, "Timeline")):
            # Sessions and Notes scroll rather than force the window wider than the screen.
            page = tab if isinstance(tab, WorkspaceTab) else _scrolling(tab)
            i = self.addTab(page, icon(TAB_ICONS[title]), title)
            self._pages.append(tab)
            self.setTabToolTip(i, TAB_TIPS[title])
            if isinstance(tab, WorkspaceTab):
                tab.changed.connect(self._tab_changed)
                tab.dirty_changed.connect(lambda _d: self.request_save_state.emit())
        self.overview.go_to.connect(self.show_tab)
        self.sessions.measure_recorded.connect(self._tab_changed)
        self.patient_id: int | None = None
        self._pending: set[QWidget] = set()
        self._previous = 0
        self.currentChanged.connect(self._switched)

    def tabs(self) -> list[QWidget]:
        """The tabs themselves (a scroll area around a tab is not one)."""
        return list(self._pages)

    def tab_at(self, index: int) -> QWidget | None:
        return self._pages[index] if 0 <= index < len(self._pages) else None

    def current_tab(self) -> QWidget | None:
        return self.tab_at(self.currentIndex())

    def show_widget(self, tab: QWidget) -> None:
        if tab in self._pages:
            self.setCurrentIndex(self._pages.index(tab))

    def set_patient(self, patient_id: int | None) -> None:
        """Tell every tab. Tabs of this package load lazily themselves; the Sessions and Notes tabs
        are told when they are first shown, so opening a patient reads only what is on screen."""
        self.patient_id = patient_id
        self._pending = set()
        for tab in self.tabs():
            if isinstance(tab, WorkspaceTab) or tab is self.current_tab():
                self._tell(tab)
            else:
                self._pending.add(tab)
        self.patient_loaded.emit()

    def _tell(self, tab: QWidget) -> None:
        self._pending.discard(tab)
        try:
            tab.set_patient(self.patient_id)  # type: ignore[attr-defined]
        except Exception as exc:
            from trdplanner.gui.dialogs import show_error

            show_error(self, "Could not open the patient", exc)
        self.patient_loaded.emit()

    def current_patient_id(self) -> int | None:
        return self.patient_id

    def show_tab(self, title: str) -> None:
        for i in range(self.count()):
            if self.tabText(i) == title:
                self.setCurrentIndex(i)
                return

    def settings_changed(self) -> None:
        """TRD and change thresholds moved: everything derived from them is read again."""
        for tab in self.tabs():
            if isinstance(tab, WorkspaceTab):
                tab.invalidate()

    def _tab_changed(self, patient_id: int) -> None:
        sender = self.sender()
        for tab in self.tabs():
            if isinstance(tab, WorkspaceTab) and tab is not sender:
                tab.invalidate()
        self.data_changed.emit(patient_id)

    def _switched(self, index: int) -> None:
        left = self.tab_at(self._previous)
        self._previous = index
        shown = self.tab_at(index)
        if shown is not None and shown in self._pending:
            self._tell(shown)
        # Sessions and Notes change unsigned-note counts and last-session dates: refresh the list row.
        if left in (self.sessions, self.notes) and self.patient_id is not None:
            self.data_changed.emit(self.patient_id)
            for tab in (self.overview,):
                tab.invalidate()

    def unsaved_tabs(self) -> list[QWidget]:
        return [t for t in self.tabs() if getattr(t, "has_unsaved_changes", lambda: False)()]

    def confirm_leave(self, parent: QWidget) -> bool:
        """Before switching patient or quitting: save, discard or stay for each tab with unsaved edits."""
        for tab in self.unsaved_tabs():
            title = self.tabText(self._pages.index(tab))
            self.show_widget(tab)
            box = QMessageBox(QMessageBox.Icon.Question, "Unsaved changes",
                              f"The {title} tab has changes that are not saved.", QMessageBox.StandardButton.NoButton,
                              parent)
            box.setInformativeText("Save them before you go on?")
            save = box.addButton(QMessageBox.StandardButton.Save)
            discard = box.addButton(QMessageBox.StandardButton.Discard)
            box.addButton(QMessageBox.StandardButton.Cancel)
            box.setDefaultButton(save)
            box.exec()
            clicked = box.clickedButton()
            if clicked is save:
                ok = tab.save_current()  # type: ignore[attr-defined]
                if ok is False:
                    return False
            elif clicked is discard:
                getattr(tab, "discard_changes", lambda: None)()
            else:
                return False
        return True


def _scrolling(tab: QWidget) -> QScrollArea:
    area = QScrollArea()
    area.setFocusPolicy(Qt.FocusPolicy.NoFocus)  # Tab goes to the fields, not the frame
    area.setWidgetResizable(True)
    area.setFrameShape(QScrollArea.Shape.NoFrame)
    area.setWidget(tab)
    return area


__all__ = ["PatientWorkspace"]
