"""What the main window remembers between runs, and how its first size fits the screen.

A mixin for ``MainWindow``: the window's geometry and dock state, the list/workspace
splitter, the patient list's columns and filter, and the open tab, kept in ``QSettings``.
A window made smaller takes its room from the patient list first.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import QByteArray, QSettings, QTimer
from PySide6.QtGui import QGuiApplication, QResizeEvent, QShowEvent
from PySide6.QtWidgets import QMainWindow, QSplitter

if TYPE_CHECKING:
    from trdplanner.gui.patient_list import PatientListPanel
    from trdplanner.gui.workspace import PatientWorkspace

    _Base = QMainWindow
else:
    _Base = object


class LayoutMemory(_Base):
    """Saves and restores the main window's layout; the window supplies the parts named below."""

    _state: QSettings | None
    _workspace: PatientWorkspace | None
    splitter: QSplitter
    patients: PatientListPanel
    _size_splitter: bool

    def _restore_layout(self) -> None:
        st = self._state
        geometry = st.value("main_window/geometry") if st else None
        if isinstance(geometry, QByteArray | bytes):
            self.restoreGeometry(geometry)
        else:
            self._fit_first_size()
        self._size_splitter = True
        if st is None:
            return
        if isinstance(st.value("main_window/splitter"), QByteArray | bytes):
            self._size_splitter = False
        for key, restore in (("main_window/state", self.restoreState),
                             ("main_window/splitter", self.splitter.restoreState),
                             ("patient_list/header", self.patients.table.horizontalHeader().restoreState)):
            value = st.value(key)
            if isinstance(value, QByteArray | bytes):
                restore(value)
        hidden = st.value("patient_list/hidden")
        if hidden is not None:
            self.patients.restore_hidden_choice(str(hidden))
        status = st.value("patient_list/status")
        if status is not None:
            i = self.patients.status.findText(str(status))
            if i >= 0:
                self.patients.status.setCurrentIndex(i)

    def save_layout(self) -> None:
        st = self._state
        if st is None:
            return
        st.setValue("main_window/geometry", self.saveGeometry())
        st.setValue("main_window/state", self.saveState())
        st.setValue("main_window/splitter", self.splitter.saveState())
        st.setValue("patient_list/header", self.patients.table.horizontalHeader().saveState())
        st.setValue("patient_list/status", self.patients.status.currentText())
        st.setValue("patient_list/hidden", self.patients.hidden_choice())
        if self._workspace is not None:
            st.setValue("workspace/tab", self._workspace.currentIndex())
        st.sync()

    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        if getattr(self, "_size_splitter", False):  # first run: room for the list's columns
            self._size_splitter = False
            width = min(420, max(240, self.width() // 4))  # a small screen leaves the workspace the room
            QTimer.singleShot(0, lambda: self.splitter.setSizes([width, max(self.width() - width, 600)]))

    def _fit_first_size(self) -> None:
        """The first window is 1360x840 where that fits, otherwise the screen's free area.

        A laptop at 1280x720 or 1024x700 would otherwise get a window larger than its screen,
        with the right edge (the note's Sign button among it) out of reach.
        """
        screen = self.screen() or QGuiApplication.primaryScreen()
        if screen is None:
            self.resize(1360, 840)
            return
        free = screen.availableGeometry()
        if free.width() <= 1360 or free.height() <= 840:
            self.setGeometry(free)
        else:
            self.resize(1360, 840)

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        # A window made smaller takes the room from the list first, so the workspace still fits
        # (only when it shrinks: a restored layout keeps the list width it was left with).
        if event.oldSize().width() <= 0 or event.size().width() >= event.oldSize().width():
            return
        sizes = self.splitter.sizes()
        cap = max(self.patients.minimumWidth(), int(self.width() * 0.3))
        if len(sizes) == 2 and sizes[0] > cap:
            self.splitter.setSizes([cap, sum(sizes) - cap])
