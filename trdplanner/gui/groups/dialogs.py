"""Small dialogs of the Groups view: a new group, a new member, a new meeting, a member leaving."""

from __future__ import annotations

import datetime as dt

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QWidget,
)

from trdplanner.catalog.model import Modality
from trdplanner.core.records import ClinicianRec, PatientSummary
from trdplanner.gui.dates import DateField


class _Form(QDialog):
    def __init__(self, title: str, parent: QWidget | None) -> None:
        super().__init__(parent)
        self.setWindowTitle(title)
        self.form = QFormLayout(self)
        self.problem = QLabel()
        self.problem.setProperty("role", "error")
        self.problem.setWordWrap(True)
        self.problem.hide()
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        self.buttons.accepted.connect(self._accept)
        self.buttons.rejected.connect(self.reject)

    def finish(self) -> None:
        self.form.addRow(self.problem)
        self.form.addRow(self.buttons)

    def check(self) -> str:
        """What is missing, in words; empty when the dialog may close."""
        return ""

    def _accept(self) -> None:
        problem = self.check()
        if problem:
            self.problem.setText(problem)
            self.problem.show()
            return
        self.accept()


class NewGroupDialog(_Form):
    """Name, modality and facilitators of a new group (the service checks them again)."""

    def __init__(self, clinicians: list[ClinicianRec], parent: QWidget | None = None) -> None:
        super().__init__("New group", parent)
        self.name = QLineEdit()
        self.name.setMaxLength(200)
        self.name.setPlaceholderText("e.g. DBT skills group, Tuesday evening")
        self.modality = QComboBox()
        for m in Modality:
            self.modality.addItem(m.label, m.value)
        self.modality.setCurrentIndex(self.modality.findData(Modality.DBT.value))
        self.facilitators = QListWidget()
        self.facilitators.setToolTip("Tick every clinician who runs the group")
        for c in clinicians:
            if c.id is None:
                continue
            item = QListWidgetItem(c.display)
            item.setData(Qt.ItemDataRole.UserRole, c.id)
            item.setFlags(item.flags() | Qt.ItemFlag.ItemIsUserCheckable)
            item.setCheckState(Qt.CheckState.Checked if self.facilitators.count() == 0 else Qt.CheckState.Unchecked)
            self.facilitators.addItem(item)
        self.facilitators.setMaximumHeight(120)
        self.form.addRow("&Name", self.name)
        self.form.addRow("&Modality", self.modality)
        self.form.addRow("&Facilitators", self.facilitators)
        self.finish()

    def chosen_facilitators(self) -> list[int]:
        out: list[int] = []
        for i in range(self.facilitators.count()):
            item = self.facilitators.item(i)
            if item.checkState() == Qt.CheckState.Checked:
                out.append(int(item.data(Qt.ItemDataRole.UserRole)))
        return out

    def check(self) -> str:
        if not self.name.text().strip():
            return "Give the group a name."
        if not self.chosen_facilitators():
            return "Tick at least one facilitator."
        return ""


class AddMemberDialog(_Form):
    """Which patient joins, and from when."""

    def __init__(self, patients: list[PatientSummary], parent: QWidget | None = None) -> None:
        super().__init__("Add a member", parent)
        self.patient = QComboBox()
        self.patient.setEditable(False)
        for p in patients:
            self.patient.addItem(f"{p.full_name} ({p.code})", p.id)
        self.joined = DateField(tip="The first meeting they belong to")
        self.joined.set_value(dt.date.today())
        self.form.addRow("&Patient", self.patient)
        self.form.addRow("&Joined on", self.joined)
        self.finish()

    def patient_id(self) -> int | None:
        value = self.patient.currentData()
        return int(value) if value is not None else None

    def check(self) -> str:
        if self.patient_id() is None:
            return "Every active patient is already a member."
        return self.joined.error() or ("" if self.joined.value() else "Give the date they joined.")


class DateDialog(_Form):
    """One date: a new meeting's day, or the day a member left."""

    def __init__(self, title: str, label: str, tip: str, parent: QWidget | None = None) -> None:
        super().__init__(title, parent)
        self.date = DateField(tip=tip)
        self.date.set_value(dt.date.today())
        self.form.addRow(label, self.date)
        self.finish()

    def value(self) -> dt.date:
        value = self.date.value()
        assert value is not None  # check() refused an empty date
        return value

    def check(self) -> str:
        return self.date.error() or ("" if self.date.value() else "Give a date.")
