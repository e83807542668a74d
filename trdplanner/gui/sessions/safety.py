"""The patient's safety plan as a screen: every version written, read as the structured form,
printed whole or as the fold-up card, and edited in the open session with the structured editor
(``safety_editor``: a new version; old versions stay as they were written)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QDialog,
    QHBoxLayout,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QSplitter,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from trdplanner.catalog import Template
from trdplanner.core.services.documents import SAFETY_PLAN_TEMPLATE, DocumentService
from trdplanner.core.services.templating import snapshot_template
from trdplanner.gui.forms import TemplateForm


@dataclass(frozen=True)
class PlanVersion:
    session_id: int
    session_number: int
    date: str
    template: Template
    values: dict[str, Any]


def plan_versions(documents: DocumentService, patient_id: int) -> list[PlanVersion]:
    """Every filled safety plan of the patient, newest first, each with the definition it was written in."""
    found = documents.patient_sessions(patient_id)
    out: list[PlanVersion] = []
    for session in found.sessions:
        for inst in session.instances:
            if inst.template_id != SAFETY_PLAN_TEMPLATE:
                continue
            template = snapshot_template(inst.template_snapshot)
            if template is not None and session.id is not None:
                out.append(PlanVersion(session.id, session.number, session.date.isoformat(), template,
                                       dict(inst.values)))
    return list(reversed(out))


class SafetyPlanDialog(QDialog):
    """History on the left, the chosen version on the right; print, fold card, revise."""

    print_requested = Signal(bool)  # fold
    revise_requested = Signal(dict)  # the values to start the new version from

    def __init__(self, documents: DocumentService, patient_id: int, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Safety plan")
        self.documents = documents
        self.patient_id = patient_id
        self.versions: list[PlanVersion] = []
        self.history = QListWidget()
        self.history.setToolTip("Every version of the plan, newest first; each stays as it was written")
        self.history.currentRowChanged.connect(self._show)
        self.forms = QStackedWidget()
        self.empty = QLabel("No safety plan on file yet.\nPress “Edit in this session” to write the first one, "
                            "or print a blank plan prefilled with the patient's details.")
        self.empty.setWordWrap(True)
        self.empty.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.empty.setProperty("role", "empty")
        self.forms.addWidget(self.empty)
        split = QSplitter()
        split.addWidget(self.history)
        split.addWidget(self.forms)
        split.setStretchFactor(1, 1)
        split.setSizes([180, 560])
        split.setChildrenCollapsible(False)

        self.print_button = QPushButton("&Print plan…")
        self.print_button.setToolTip("Preview and print the newest plan on full pages")
        self.print_button.clicked.connect(lambda: self.print_requested.emit(False))
        self.card_button = QPushButton("Print fold-up &card…")
        self.card_button.setToolTip("Three panels on one sheet, folded into a pocket card for the client")
        self.card_button.clicked.connect(lambda: self.print_requested.emit(True))
        self.revise_button = QPushButton("&Edit in this session…")
        self.revise_button.setToolTip("Edit the plan step by step, starting from the version shown; "
                                      "saving adds a new version to the open session")
        self.revise_button.clicked.connect(self._revise)
        close = QPushButton("Close")
        close.clicked.connect(self.accept)
        buttons = QHBoxLayout()
        buttons.addWidget(self.revise_button)
        buttons.addStretch(1)
        buttons.addWidget(self.print_button)
        buttons.addWidget(self.card_button)
        buttons.addWidget(close)
        layout = QVBoxLayout(self)
        layout.addWidget(split, 1)
        layout.addLayout(buttons)
        self.resize(820, 560)
        self.reload()
        self.history.setFocus()

    def reload(self) -> None:
        """Read the versions again (after the editor saved one) and show the newest."""
        self.versions = plan_versions(self.documents, self.patient_id)
        self.history.blockSignals(True)
        self.history.clear()
        count = len(self.versions)
        for i, v in enumerate(self.versions):
            self.history.addItem(QListWidgetItem(f"Version {count - i} · {v.date} · session {v.session_number}"))
        self.history.blockSignals(False)
        if self.versions:
            self.history.setCurrentRow(0)
        self._show(self.history.currentRow())

    def _show(self, row: int) -> None:
        if not 0 <= row < len(self.versions):
            self.forms.setCurrentWidget(self.empty)
            return
        v = self.versions[row]
        form = TemplateForm(v.template)
        form.set_values(v.values)
        form.setEnabled(True)
        for w in form.findChildren(QWidget):
            if hasattr(w, "setReadOnly"):
                w.setReadOnly(True)  # history is read, not rewritten: a revision is a new version
        while self.forms.count() > 1:
            old = self.forms.widget(1)
            if old is None:
                break
            self.forms.removeWidget(old)
            old.deleteLater()
        self.forms.addWidget(form)
        self.forms.setCurrentWidget(form)

    def shown_values(self) -> dict[str, Any]:
        row = self.history.currentRow()
        return dict(self.versions[row].values) if 0 <= row < len(self.versions) else {}

    def _revise(self) -> None:
        self.revise_requested.emit(self.shown_values())
