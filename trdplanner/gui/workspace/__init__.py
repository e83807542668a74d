"""The patient workspace: one tab per part of the record.

Overview, Profile, Treatment history, Measures and Treatment plan live in this package;
Sessions and Notes come from ``trdplanner.gui.sessions`` and ``trdplanner.gui.notes``.
Every tab keeps the ``PatientTab`` contract (gui/patient_tab.py) and is found by its ``TabKey``.
"""

from __future__ import annotations

import logging
from functools import partial
from typing import TYPE_CHECKING

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QMessageBox, QScrollArea, QTabWidget, QWidget

from trdplanner import assemble
from trdplanner.gui import pdfs
from trdplanner.gui.patient_tab import PatientTab, TabKey
from trdplanner.gui.theme import icon
from trdplanner.gui.workspace.history import HistoryTab
from trdplanner.gui.workspace.measures import MeasuresTab
from trdplanner.gui.workspace.overview import OverviewTab
from trdplanner.gui.workspace.plan import PlanTab
from trdplanner.gui.workspace.profile import ProfileTab
from trdplanner.gui.workspace.timeline import TimelineTab

if TYPE_CHECKING:
    from trdplanner.gui.services import WorkspaceServices

log = logging.getLogger(__name__)

class PatientWorkspace(QTabWidget):
    #: A tab saved something that changes the patient's row in the list (TRD, risk, unsigned notes).
    data_changed = Signal(int)
    #: The current tab's ability to save changed.
    request_save_state = Signal()
    #: Every tab was told of the patient (the read-only window freezes the fields then).
    patient_loaded = Signal()

    def __init__(self, ctx: WorkspaceServices, parent: QWidget | None = None) -> None:
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
        self.timeline = TimelineTab(partial(assemble.timeline_data, ctx), partial(pdfs.timeline_pdf, ctx),
                                    print_log=ctx.prints)
        # Each tab twice over: as the contract the workspace talks to, and as the widget it shows.
        self._tabs: list[PatientTab] = []
        self._widgets: list[QWidget] = []
        # One call per tab, so the type checker holds each class to the PatientTab protocol.
        self._add(self.overview, self.overview)
        self._add(self.profile, self.profile)
        self._add(self.history, self.history)
        self._add(self.measures, self.measures)
        self._add(self.plan, self.plan)
        self._add(self.sessions, self.sessions)
        self._add(self.notes, self.notes)
        self._add(self.timeline, self.timeline)
        self.overview.go_to.connect(self.show_tab)
        self.patient_id: int | None = None
        self._pending: set[TabKey] = set()
        self._previous = 0
        self.currentChanged.connect(self._switched)

    def _add(self, tab: PatientTab, widget: QWidget) -> None:
        key = tab.key
        # Sessions and Notes scroll rather than force the window wider than the screen.
        i = self.addTab(_scrolling(widget) if tab.scrolls else widget, icon(key.icon_name), key.label)
        self.setTabToolTip(i, key.tip)
        self._tabs.append(tab)
        self._widgets.append(widget)
        tab.connect_changes(partial(self._tab_changed, source=key),
                            lambda _dirty: self.request_save_state.emit())

    def tabs(self) -> list[PatientTab]:
        """The tabs, in order (a scroll area around a tab is not one)."""
        return list(self._tabs)

    def widgets(self) -> list[QWidget]:
        """The tabs as widgets, in the same order."""
        return list(self._widgets)

    def tab_at(self, index: int) -> PatientTab | None:
        return self._tabs[index] if 0 <= index < len(self._tabs) else None

    def current_tab(self) -> PatientTab | None:
        return self.tab_at(self.currentIndex())

    def tab(self, key: TabKey) -> PatientTab:
        return self._tabs[self._index(key)]

    def _index(self, key: TabKey) -> int:
        return next(i for i, t in enumerate(self._tabs) if t.key == key)

    def show_widget(self, widget: QWidget) -> None:
        if widget in self._widgets:
            self.setCurrentIndex(self._widgets.index(widget))

    def set_patient(self, patient_id: int | None) -> None:
        """Tell every tab. Tabs of this package load lazily themselves; the Sessions and Notes tabs
        are told when they are first shown, so opening a patient reads only what is on screen."""
        self.patient_id = patient_id
        self._pending = set()
        for tab in self.tabs():
            if tab.loads_when_shown or tab is self.current_tab():
                self._tell(tab)
            else:
                self._pending.add(tab.key)
        self.patient_loaded.emit()

    def _tell(self, tab: PatientTab) -> None:
        self._pending.discard(tab.key)
        try:
            tab.set_patient(self.patient_id)
        except Exception as exc:
            from trdplanner.gui.dialogs import show_error

            show_error(self, "Could not open the patient", exc)
        self.patient_loaded.emit()

    def current_patient_id(self) -> int | None:
        return self.patient_id

    def show_tab(self, key: TabKey | str) -> None:
        """Bring a tab forward by its key (the overview's links send a key's value)."""
        self.setCurrentIndex(self._index(TabKey(key)))

    def settings_changed(self) -> None:
        """TRD and change thresholds moved: everything derived from them is read again."""
        for tab in self.tabs():
            tab.invalidate()

    def _tab_changed(self, patient_id: int, source: TabKey) -> None:
        for tab in self.tabs():
            if tab.key != source:
                tab.invalidate()
        self.data_changed.emit(patient_id)

    def _switched(self, index: int) -> None:
        left = self.tab_at(self._previous)
        self._previous = index
        shown = self.tab_at(index)
        if shown is not None and shown.key in self._pending:
            self._tell(shown)
        # Sessions and Notes change unsigned-note counts and last-session dates: refresh the list row.
        if left is not None and left.key in (TabKey.SESSIONS, TabKey.NOTES) and self.patient_id is not None:
            self.data_changed.emit(self.patient_id)
            self.overview.invalidate()

    def unsaved_tabs(self) -> list[PatientTab]:
        return [t for t in self.tabs() if t.has_unsaved_changes()]

    def confirm_leave(self, parent: QWidget) -> bool:
        """Before switching patient or quitting: save, discard or stay for each tab with unsaved edits."""
        for tab in self.unsaved_tabs():
            title = tab.key.label
            self.setCurrentIndex(self._index(tab.key))
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
                if not tab.save_current():
                    return False
            elif clicked is discard:
                tab.discard_changes()
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
