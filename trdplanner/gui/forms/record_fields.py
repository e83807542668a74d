"""Widgets for the record dialogs and tabs (profile, trial, course, plan): one kit with the template forms.

Fields that may be left blank ("not set"), and a form row whose message sits under its field
(``forms/errors.py`` shows it the same way template forms do).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from PySide6.QtCore import QLocale, Qt
from PySide6.QtGui import QDoubleValidator, QIntValidator
from PySide6.QtWidgets import QCheckBox, QComboBox, QFormLayout, QLabel, QLineEdit, QVBoxLayout, QWidget

from trdplanner.gui.forms.errors import ErrorLabel

TRI_OPTIONS = [("Not recorded", ""), ("Yes", "yes"), ("No", "no")]


class NumberField(QLineEdit):
    """A number that may be left blank (None)."""

    def __init__(self, *, decimals: int = 0, maximum: float = 1e6, tip: str = "", parent: QWidget | None = None):
        super().__init__(parent)
        self.decimals = decimals
        if decimals:
            v: Any = QDoubleValidator(0, maximum, decimals, self)
            v.setNotation(QDoubleValidator.Notation.StandardNotation)
            v.setLocale(QLocale.c())
        else:
            v = QIntValidator(0, int(maximum), self)
        self.setValidator(v)
        self.setPlaceholderText("—")
        self.setToolTip(tip)
        self.setMaximumWidth(110)

    def value(self) -> float | int | None:
        text = self.text().strip().replace(",", ".")
        if not text:
            return None
        return float(text) if self.decimals else int(text)

    def set_value(self, value: float | int | None) -> None:
        self.setText("" if value is None else (f"{value:g}" if self.decimals else str(int(value))))


def combo(options: Sequence[tuple[str, str]], tip: str, current: str = "") -> QComboBox:
    """A combo box over (label, stored value) pairs."""
    box = QComboBox()
    for label, value in options:
        box.addItem(label, value)
    box.setToolTip(tip)
    set_combo(box, current)
    return box


def set_combo(box: QComboBox, value: str | None) -> None:
    i = box.findData(value if value is not None else "")
    box.setCurrentIndex(max(i, 0))


def add_row(form: QFormLayout, text: str, widget: QWidget, error: ErrorLabel) -> None:
    """A form row whose label stays level with the field when an error line opens under it."""
    label = QLabel(text)
    label.setBuddy(widget)
    label.setMinimumHeight(QLineEdit().sizeHint().height())
    label.setAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
    form.setLabelAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignTop)
    form.addRow(label, labelled(widget, error))


def labelled(widget: QWidget, error: ErrorLabel) -> QWidget:
    """The field with its error line underneath, for a form row."""
    box = QWidget()
    layout = QVBoxLayout(box)
    layout.setContentsMargins(0, 0, 0, 0)
    layout.setSpacing(2)
    layout.addWidget(widget)
    layout.addWidget(error)
    return box


class YesNo(QCheckBox):
    def __init__(self, text: str, tip: str, parent: QWidget | None = None) -> None:
        super().__init__(text, parent)
        self.setToolTip(tip)
