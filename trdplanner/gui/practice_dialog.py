"""File > Practice: the practice's details and its clinicians; in a group practice, for admins,
clinicians' logins and which patients they see.

Solo practice: anyone who unlocked the app edits the details (prints and signatures use them).
Group practice: everyone sees the list; only an admin adds, edits or deactivates clinicians and
assigns or shares patients (the server refuses anyone else, and the buttons say so first).
"""

from __future__ import annotations

from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from trdplanner.core.errors import InputError
from trdplanner.core.records import ClinicianRec, PracticeRec
from trdplanner.core.vocab import ClinicianRole
from trdplanner.gui.dialogs import confirm, show_error
from trdplanner.gui.services import PracticeAdminServices


class ClinicianDialog(QDialog):
    """Add or edit one clinician. A group practice also asks for the new login's password."""

    def __init__(self, ctx: PracticeAdminServices, rec: ClinicianRec | None, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.rec = rec
        group = ctx.db.group is not None
        self.setWindowTitle("Edit clinician" if rec else "Add clinician")
        form = QFormLayout()
        self.login = QLineEdit(rec.login or "" if rec else "")
        self.login.setEnabled(rec is None)
        self.login.setToolTip("Lower-case letters, digits and _; in a group practice, their PostgreSQL login")
        self.name = QLineEdit(rec.name if rec else "")
        self.credentials = QLineEdit(rec.credentials if rec else "")
        self.licence = QLineEdit(rec.licence_number if rec else "")
        self.email = QLineEdit(rec.email if rec else "")
        self.role = QComboBox()
        for r in ClinicianRole:
            self.role.addItem(r.label, r.value)
        if rec:
            self.role.setCurrentIndex(max(0, self.role.findData(rec.role)))
        self.role.setEnabled(rec is None)
        self.supervisor = QComboBox()
        self.supervisor.addItem("None", None)
        for c in ctx.practice.clinicians(include_inactive=False):
            if rec is None or c.id != rec.id:
                self.supervisor.addItem(c.display, c.id)
        if rec and rec.supervisor_id:
            self.supervisor.setCurrentIndex(max(0, self.supervisor.findData(rec.supervisor_id)))
        form.addRow("&Login", self.login)
        form.addRow("&Name", self.name)
        form.addRow("&Credentials", self.credentials)
        form.addRow("L&icence number", self.licence)
        form.addRow("&E-mail", self.email)
        form.addRow("&Role", self.role)
        form.addRow("&Supervisor (co-signs)", self.supervisor)
        self.password = QLineEdit()
        self.password.setEchoMode(QLineEdit.EchoMode.Password)
        self.repeat = QLineEdit()
        self.repeat.setEchoMode(QLineEdit.EchoMode.Password)
        if group and rec is None:
            form.addRow("&Password", self.password)
            form.addRow("Re&peat password", self.repeat)
        self.error = QLabel("")
        self.error.setWordWrap(True)
        self.error.setProperty("role", "error")
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Cancel)
        buttons.accepted.connect(self._save)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(self.error)
        layout.addWidget(buttons)

    def _save(self) -> None:
        rec = self.rec or ClinicianRec(name="")
        rec.name = self.name.text().strip()
        rec.credentials = self.credentials.text().strip()
        rec.licence_number = self.licence.text().strip()
        rec.email = self.email.text().strip()
        rec.supervisor_id = self.supervisor.currentData()
        try:
            if self.rec is None:
                rec.login = self.login.text().strip() or None
                rec.role = ClinicianRole(self.role.currentData())
                password = None
                if self.ctx.db.group is not None:
                    if self.password.text() != self.repeat.text():
                        raise InputError("password", "the two entries differ")
                    password = self.password.text()
                self.ctx.practice.add_clinician(rec, password=password)
            else:
                self.ctx.practice.update_clinician(rec)
        except InputError as exc:
            self.error.setText(f"Please check {exc.field.replace('_', ' ')}: {exc.problem}.")
            return
        except Exception as exc:
            show_error(self, "The clinician could not be saved", exc)
            return
        self.accept()


class PracticeDialog(QDialog):
    def __init__(self, ctx: PracticeAdminServices, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.group = ctx.db.group is not None
        me = ctx.practice.current_clinician()
        self.admin = not self.group or (me is not None and me.role == ClinicianRole.ADMIN)
        self.setWindowTitle("Practice")
        self.resize(760, 560)

        details = QGroupBox("Practice details (printed at the top of notes and reports)")
        form = QFormLayout(details)
        practice = ctx.practice.practice()
        self._practice = practice
        self.name = QLineEdit(practice.name if practice else "")
        self.address = QLineEdit(practice.address if practice else "")
        self.phone = QLineEdit(practice.phone if practice else "")
        form.addRow("&Name", self.name)
        form.addRow("&Address", self.address)
        form.addRow("P&hone", self.phone)
        self.save_details = QPushButton("Save details")
        self.save_details.clicked.connect(self._save_details)
        form.addRow("", self.save_details)
        for w in (self.name, self.address, self.phone, self.save_details):
            w.setEnabled(self.admin)

        people = QGroupBox("Clinicians")
        self.table = QTableWidget(0, 6)
        self.table.setHorizontalHeaderLabels(["Login", "Name", "Licence", "Role", "Supervisor", "Active"])
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.verticalHeader().hide()
        self.table.horizontalHeader().setStretchLastSection(True)
        self.table.doubleClicked.connect(lambda _i: self._edit())
        self.add = QPushButton("&Add clinician…")
        self.add.clicked.connect(self._add)
        self.edit = QPushButton("&Edit…")
        self.edit.clicked.connect(self._edit)
        self.deactivate = QPushButton("&Deactivate…")
        self.deactivate.setToolTip("Disable the clinician's login; their signatures stay valid")
        self.deactivate.clicked.connect(self._deactivate)
        row = QHBoxLayout()
        for b in (self.add, self.edit, self.deactivate):
            b.setEnabled(self.admin)
            row.addWidget(b)
        row.addStretch(1)
        box = QVBoxLayout(people)
        box.addWidget(self.table)
        box.addLayout(row)
        if self.group and not self.admin:
            note = QLabel("Only the practice's admin adds, edits or deactivates clinicians.")
            note.setWordWrap(True)
            box.addWidget(note)

        layout = QVBoxLayout(self)
        layout.addWidget(details)
        layout.addWidget(people, 1)
        if self.group:
            layout.addWidget(self._caseload_box())
        close = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        close.rejected.connect(self.reject)
        layout.addWidget(close)
        self._fill()

    def _caseload_box(self) -> QGroupBox:
        box = QGroupBox("Caseloads (admin)")
        form = QHBoxLayout(box)
        self.patient_code = QLineEdit()
        self.patient_code.setPlaceholderText("Patient code")
        self.who = QComboBox()
        assign = QPushButton("A&ssign to")
        assign.setToolTip("Make this clinician the patient's own clinician")
        assign.clicked.connect(lambda: self._caseload("assign"))
        share = QPushButton("S&hare with")
        share.clicked.connect(lambda: self._caseload("share"))
        unshare = QPushButton("&Unshare")
        unshare.clicked.connect(lambda: self._caseload("unshare"))
        form.addWidget(self.patient_code)
        form.addWidget(assign)
        form.addWidget(share)
        form.addWidget(unshare)
        form.addWidget(self.who, 1)
        for w in (self.patient_code, assign, share, unshare, self.who):
            w.setEnabled(self.admin)
        return box

    def _fill(self) -> None:
        rows = self.ctx.practice.clinicians()
        self._rows = rows
        names = {c.id: c.login or c.name for c in rows}
        self.table.setRowCount(len(rows))
        for i, c in enumerate(rows):
            values = [c.login or "–", c.display, c.licence_number or "–", ClinicianRole(c.role).label,
                      names.get(c.supervisor_id, "–") if c.supervisor_id else "–", "Yes" if c.active else "No"]
            for j, v in enumerate(values):
                self.table.setItem(i, j, QTableWidgetItem(v))
        self.table.resizeColumnsToContents()
        if self.group:
            self.who.clear()
            for c in rows:
                if c.login and c.active:
                    self.who.addItem(f"{c.display} ({c.login})", c.login)

    def _selected(self) -> ClinicianRec | None:
        row = self.table.currentRow()
        return self._rows[row] if 0 <= row < len(self._rows) else None

    def _save_details(self) -> None:
        rec = self._practice or PracticeRec(name="")
        rec.name, rec.address, rec.phone = self.name.text().strip(), self.address.text().strip(), self.phone.text()
        try:
            self._practice = self.ctx.practice.save_practice(rec)
        except Exception as exc:
            show_error(self, "The practice details could not be saved", exc)

    def _add(self) -> None:
        if ClinicianDialog(self.ctx, None, self).exec():
            self._fill()

    def _edit(self) -> None:
        rec = self._selected()
        if rec is not None and self.admin and ClinicianDialog(self.ctx, rec, self).exec():
            self._fill()

    def _deactivate(self) -> None:
        rec = self._selected()
        if rec is None or not rec.login:
            return
        if not confirm(self, "Deactivate clinician",
                       f"Deactivate {rec.display}? Their login is disabled; notes they signed stay valid.",
                       "Deactivate"):
            return
        try:
            self.ctx.practice.deactivate(rec.login)
        except Exception as exc:
            show_error(self, "The clinician could not be deactivated", exc)
        self._fill()

    def _caseload(self, action: str) -> None:
        code = self.patient_code.text().strip()
        login = self.who.currentData()
        if not code or not login:
            return
        try:
            pid = self.ctx.patients.id_for_code(code)
            if pid is None:
                raise InputError("patient code", f"no patient with code {code!r} that you can see")
            getattr(self.ctx.practice, action)(pid, login)
        except Exception as exc:
            show_error(self, "The caseload could not be changed", exc)
            return
        self.patient_code.clear()
