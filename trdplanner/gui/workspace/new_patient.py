"""File ▸ New patient: the few fields needed to start a record; the rest is on the Profile tab."""

from __future__ import annotations

import re

from PySide6.QtWidgets import QDialog, QDialogButtonBox, QFormLayout, QLabel, QLineEdit, QVBoxLayout, QWidget

from trdplanner.core.errors import InputError
from trdplanner.core.records import EpisodeRec, PatientProfile
from trdplanner.core.validate import check_profile
from trdplanner.gui.dates import DateField, first_unreadable
from trdplanner.gui.dialogs import show_error
from trdplanner.gui.forms.errors import ErrorLabel, show_field_error
from trdplanner.gui.forms.record_fields import add_row


def suggest_code(existing: list[str]) -> str:
    """The next free P-NNNN code."""
    numbers = [int(m.group(1)) for c in existing if (m := re.fullmatch(r"P-(\d+)", c))]
    return f"P-{(max(numbers) + 1) if numbers else 1:04d}"


class NewPatientDialog(QDialog):
    def __init__(self, ctx, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.created_id: int | None = None
        self.setWindowTitle("New patient")
        self.code = QLineEdit()
        self.code.setToolTip("Print code: identifies the patient on printed pages instead of their name")
        try:
            self.code.setText(suggest_code([p.code for p in ctx.patients.summaries(status=None)]))
        except Exception as exc:
            show_error(self, "Could not read the patient list", exc)
        self.full_name = QLineEdit()
        self.full_name.setToolTip("Full legal name (required)")
        self.full_name.setPlaceholderText("First and last name")
        self.preferred_name = QLineEdit()
        self.preferred_name.setToolTip("The name the patient likes to be called")
        self.date_of_birth = DateField(tip="Date of birth")
        self.diagnosis = QLineEdit()
        self.diagnosis.setToolTip("Primary diagnosis in words")
        self.diagnosis.setPlaceholderText("Major depressive disorder, recurrent")
        self.icd10 = QLineEdit()
        self.icd10.setToolTip("ICD-10 code, like F33.1")
        self.icd10.setPlaceholderText("F33.1")
        self.onset = DateField(tip="When the current depressive episode began (creates episode 1)")
        self.errors = {n: ErrorLabel() for n in ("code", "full_name", "primary_diagnosis_icd10", "date_of_birth",
                                                 "episodes")}
        self.inputs = {"code": self.code, "full_name": self.full_name, "primary_diagnosis_icd10": self.icd10,
                       "date_of_birth": self.date_of_birth, "episodes": self.onset}
        form = QFormLayout()
        add_row(form, "Print code", self.code, self.errors["code"])
        add_row(form, "Full name", self.full_name, self.errors["full_name"])
        form.addRow("Preferred name", self.preferred_name)
        add_row(form, "Date of birth", self.date_of_birth, self.errors["date_of_birth"])
        form.addRow("Primary diagnosis", self.diagnosis)
        add_row(form, "ICD-10", self.icd10, self.errors["primary_diagnosis_icd10"])
        add_row(form, "Current episode began", self.onset, self.errors["episodes"])
        hint = QLabel("Everything else — contact details, risk, care team, medications — is on the Profile tab.")
        hint.setProperty("role", "muted")
        hint.setWordWrap(True)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        ok = buttons.button(QDialogButtonBox.StandardButton.Ok)
        ok.setText("Create patient")
        ok.setToolTip("Create the patient and open their profile")
        buttons.button(QDialogButtonBox.StandardButton.Cancel).setToolTip("Close without creating anyone")
        buttons.accepted.connect(self._create)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(hint)
        layout.addWidget(buttons)
        self.setMinimumWidth(460)
        self.full_name.setFocus()

    def profile(self) -> PatientProfile:
        onset = self.onset.value()
        return PatientProfile(
            code=self.code.text().strip(), full_name=self.full_name.text().strip(),
            preferred_name=self.preferred_name.text().strip(), date_of_birth=self.date_of_birth.value(),
            primary_diagnosis=self.diagnosis.text().strip(),
            primary_diagnosis_icd10=self.icd10.text().strip().upper(),
            episodes=[EpisodeRec(number=1, onset=onset)] if onset else [],
        )

    def _show(self, field: str, message: str) -> None:
        key = field.split("[")[0].split(".")[0]
        for name, label in self.errors.items():
            show_field_error(self.inputs[name], label, message if name == key else "")
        if key in self.inputs:
            self.inputs[key].setFocus()

    def _create(self) -> None:
        if first_unreadable(self) is not None:
            return
        p = self.profile()
        try:
            check_profile(p)
            clinician = self.ctx.practice.default_clinician()
            self.created_id = self.ctx.patients.create(p, clinician_id=clinician.id if clinician else None)
        except InputError as exc:
            self._show(exc.field, exc.problem[0].upper() + exc.problem[1:] + ".")
            return
        except Exception as exc:
            show_error(self, "Could not create the patient", exc)
            return
        self.accept()
