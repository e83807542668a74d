"""File → Export to calendar…: planned sessions as an .ics file, by print code only."""

from __future__ import annotations

import logging
from pathlib import Path

from PySide6.QtCore import QStandardPaths
from PySide6.QtWidgets import QFileDialog, QMessageBox, QWidget

from trdplanner.core.fileio import write_atomic
from trdplanner.core.services.calendar import CalendarService
from trdplanner.core.services.patients import PatientService
from trdplanner.gui.dialogs import show_error

log = logging.getLogger(__name__)

ALL_PATIENTS = "All active patients"


def choose_scope(parent: QWidget, code: str) -> str | None:
    """With a patient open, ask whose sessions: that patient's or the whole practice's."""
    box = QMessageBox(
        QMessageBox.Icon.Question,
        "Export to calendar",
        "Which planned sessions should go in the calendar file? Events show the print code and the "
        "session number only, never a name or clinical details.",
        QMessageBox.StandardButton.NoButton,
        parent,
    )
    one = box.addButton(f"Only {code}", QMessageBox.ButtonRole.AcceptRole)
    everyone = box.addButton(ALL_PATIENTS, QMessageBox.ButtonRole.AcceptRole)
    box.addButton(QMessageBox.StandardButton.Cancel)
    box.setDefaultButton(one)
    box.exec()
    clicked = box.clickedButton()
    return code if clicked is one else ALL_PATIENTS if clicked is everyone else None


def choose_path(parent: QWidget, suggested: str) -> str:
    """Ask where to save (a seam tests replace)."""
    folder = QStandardPaths.writableLocation(QStandardPaths.StandardLocation.DocumentsLocation)
    path, _ = QFileDialog.getSaveFileName(
        parent, "Export to calendar", str(Path(folder) / suggested), "iCalendar files (*.ics)"
    )
    return path


def export_calendar(
    parent: QWidget, patients: PatientService, calendar: CalendarService, patient_id: int | None
) -> Path | None:
    from trdplanner.export.calendar import planned_sessions_ics

    scope = ALL_PATIENTS
    if patient_id is not None:
        chosen = choose_scope(parent, patients.get(patient_id).code)
        if chosen is None:
            return None
        scope = chosen
    only = patient_id if scope != ALL_PATIENTS else None
    picked = choose_path(parent, f"planned-sessions-{scope}.ics" if only else "planned-sessions.ics")
    if not picked:
        return None
    path = Path(picked)
    if path.suffix.lower() != ".ics":
        path = path.with_name(path.name + ".ics")
    try:
        visits = calendar.planned(only)
        write_atomic(path, planned_sessions_ics(visits))
    except Exception as exc:
        show_error(parent, "Could not export the calendar", exc)
        return None
    log.info("calendar exported (%d sessions)", len(visits))  # never the path: it may name the patient
    return path
