"""Choosing what to print for a patient: the period, and a progress report (assessment and plan,
or full notes) or a letter to the prescriber."""

from __future__ import annotations

import datetime as dt

from PySide6.QtCore import QDate
from PySide6.QtWidgets import (
    QButtonGroup,
    QDateEdit,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QRadioButton,
    QVBoxLayout,
    QWidget,
)

from trdplanner.gui.forms.fields import hint_label

KINDS = (
    ("report", "Progress report", "Held sessions, scores, treatment resistance, and each note's assessment and plan"),
    ("full", "Progress report with full notes", "As above, with the whole text of every held session's note"),
    (
        "prescriber",
        "Letter to the prescriber",
        "TRD status and staging, the measure trend, current treatment and risk; no psychotherapy note content",
    ),
)


def _qdate(day: dt.date) -> QDate:
    return QDate(day.year, day.month, day.day)


def _day(value: QDate) -> dt.date:
    return dt.date(value.year(), value.month(), value.day())


class ReportChooser(QDialog):
    """The period and kind of document; ``choice()`` after it is accepted."""

    def __init__(self, first: dt.date, last: dt.date, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Print a report")
        layout = QVBoxLayout(self)
        form = QFormLayout()
        self.start = QDateEdit(_qdate(first))
        self.end = QDateEdit(_qdate(last))
        for edit, name in ((self.start, "First day of the period"), (self.end, "Last day of the period")):
            edit.setCalendarPopup(True)
            edit.setDisplayFormat("yyyy-MM-dd")
            edit.setAccessibleName(name)
            edit.setToolTip(name)
            edit.dateChanged.connect(self._check)
        form.addRow("&From:", self.start)
        form.addRow("&To:", self.end)
        layout.addLayout(form)
        self.kinds = QButtonGroup(self)
        for i, (key, label, tip) in enumerate(KINDS):
            button = QRadioButton(label)
            button.setProperty("kind", key)
            button.setToolTip(tip)
            button.setChecked(i == 0)
            self.kinds.addButton(button, i)
            layout.addWidget(button)
            layout.addWidget(hint_label(tip))
        self.problem = QLabel()
        self.problem.setProperty("role", "error")
        self.problem.setWordWrap(True)
        layout.addWidget(self.problem)
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        self.buttons.button(QDialogButtonBox.StandardButton.Ok).setText("Preview")
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        layout.addWidget(self.buttons)
        self._check()

    def _check(self) -> None:
        start, end = _day(self.start.date()), _day(self.end.date())
        bad = start > end
        text = f"The period starts ({start}) after it ends ({end}): move one of the dates."
        self.problem.setText(text if bad else "")
        self.problem.setVisible(bad)
        self.buttons.button(QDialogButtonBox.StandardButton.Ok).setEnabled(not bad)

    def set_kind(self, key: str) -> None:
        for button in self.kinds.buttons():
            button.setChecked(button.property("kind") == key)

    def choice(self) -> tuple[str, dt.date, dt.date]:
        checked = self.kinds.checkedButton()
        kind = str(checked.property("kind")) if checked is not None else "report"
        return kind, _day(self.start.date()), _day(self.end.date())
