"""The main window: the patient list with search as you type.

The window is given the patient service only; it never sees the database.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import QSettings, Qt, QTimer
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHeaderView,
    QLabel,
    QLineEdit,
    QMainWindow,
    QMessageBox,
    QStackedWidget,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from trdplanner import __version__
from trdplanner.core.services.patients import PatientService
from trdplanner.gui.patient_model import PatientTableModel


class MainWindow(QMainWindow):
    def __init__(self, patients: PatientService, state_file: Path) -> None:
        super().__init__()
        self._patients = patients
        # Window layout lives in the data dir with everything else the app writes.
        self._state = QSettings(str(state_file), QSettings.Format.IniFormat)
        self.setWindowTitle("TRD Planner")
        self.setMinimumSize(720, 480)

        self.search = QLineEdit()
        self.search.setPlaceholderText("Search patients by name, code or diagnosis")
        self.search.setClearButtonEnabled(True)
        self.search.setToolTip("Type to filter the patient list (Ctrl+F)")
        # Wait for a short pause in typing so a fast typist does not queue a query per key.
        self._search_timer = QTimer(self, singleShot=True, interval=120)
        self._search_timer.timeout.connect(self.refresh)
        self.search.textChanged.connect(self._search_timer.start)

        self.model = PatientTableModel()
        self.table = QTableView()
        self.table.setModel(self.model)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setAlternatingRowColors(True)
        self.table.verticalHeader().setVisible(False)
        self.table.horizontalHeader().setSectionResizeMode(
            PatientTableModel.COL_DIAGNOSIS, QHeaderView.ResizeMode.Stretch
        )
        self.table.setToolTip("Patients; press Enter or double-click to open")

        self.empty = QLabel()
        self.empty.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.empty.setWordWrap(True)
        self.stack = QStackedWidget()
        self.stack.addWidget(self.table)
        self.stack.addWidget(self.empty)

        body = QWidget()
        layout = QVBoxLayout(body)
        layout.addWidget(self.search)
        layout.addWidget(self.stack)
        self.setCentralWidget(body)
        self._build_menus()
        self._restore_geometry()
        self.refresh()

    def _build_menus(self) -> None:
        file_menu = self.menuBar().addMenu("&File")
        file_menu.addAction(self._action("&Quit", self.close, QKeySequence.StandardKey.Quit))
        edit_menu = self.menuBar().addMenu("&Edit")
        edit_menu.addAction(self._action("&Find patient", self._focus_search, QKeySequence.StandardKey.Find))
        help_menu = self.menuBar().addMenu("&Help")
        help_menu.addAction(self._action("&About TRD Planner", self._about))

    def _action(
        self, text: str, slot: Callable[[], object], shortcut: QKeySequence.StandardKey | None = None
    ) -> QAction:
        action = QAction(text, self)
        if shortcut is not None:
            action.setShortcut(QKeySequence(shortcut))
        action.triggered.connect(slot)
        return action

    def _focus_search(self) -> None:
        self.search.setFocus()
        self.search.selectAll()

    def _about(self) -> None:
        QMessageBox.about(
            self,
            "About TRD Planner",
            f"<b>TRD Planner {__version__}</b><p>Session planning, measures and notes for "
            "therapists treating treatment-resistant depression.</p>",
        )

    def refresh(self) -> None:
        text = self.search.text().strip()
        self.model.set_rows(self._patients.summaries(text))
        if self.model.rowCount():
            self.stack.setCurrentWidget(self.table)
            self.table.resizeColumnToContents(PatientTableModel.COL_NAME)
        else:
            self.empty.setText(
                f"No patients match “{text}”."
                if text
                else "No patients yet.\nRun “trdplanner demo” to add synthetic demo patients."
            )
            self.stack.setCurrentWidget(self.empty)
        count = self.model.rowCount()
        self.statusBar().showMessage(f"{count} patient{'s' if count != 1 else ''}")

    def _restore_geometry(self) -> None:
        geometry = self._state.value("main_window/geometry")
        if geometry is not None:
            self.restoreGeometry(geometry)
        else:
            self.resize(1100, 700)

    def closeEvent(self, event) -> None:
        self._state.setValue("main_window/geometry", self.saveGeometry())
        super().closeEvent(event)
