"""Asking for the database passphrase at start-up: choose one for a new practice, or unlock.

The passphrase stays in memory only as long as it takes to derive the key; it is never
logged, stored or shown. Strength hints come from ``trdplanner.core.crypto``.
"""

from __future__ import annotations

import importlib
from typing import Any

from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QProgressBar,
    QVBoxLayout,
    QWidget,
)

from trdplanner.gui.forms.errors import ErrorLabel, show_field_error
from trdplanner.gui.theme import heading_font


def _crypto() -> Any:
    # Imported by name: the encryption layer is optional at type-check time in some builds.
    return importlib.import_module("trdplanner.core.crypto")


class PassphraseDialog(QDialog):
    def __init__(self, new: bool, data_dir: str, error: str = "", parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.new = new
        self.setWindowTitle("Choose a passphrase" if new else "Unlock TRD Planner")
        title = QLabel("Protect your practice's records" if new else "Enter your passphrase")
        title.setFont(heading_font(1.2))
        intro = QLabel(
            "The database is encrypted on disk. Choose a passphrase you will remember: without it the records "
            "cannot be opened, and nobody can recover it for you."
            if new else
            "The records in this data folder are encrypted. Enter the passphrase chosen when the practice was set up."
        )
        intro.setWordWrap(True)
        folder = QLabel(f"Data folder: {data_dir}")
        folder.setProperty("role", "muted")
        folder.setWordWrap(True)
        self.passphrase = QLineEdit()
        self.passphrase.setEchoMode(QLineEdit.EchoMode.Password)
        self.passphrase.setToolTip("Your passphrase (a few unrelated words is best)")
        self.again = QLineEdit()
        self.again.setEchoMode(QLineEdit.EchoMode.Password)
        self.again.setToolTip("Type the passphrase again, to catch a typing mistake")
        self.meter = QProgressBar()
        self.meter.setRange(0, 4)
        self.meter.setTextVisible(False)
        self.meter.setMaximumHeight(6)
        self.meter.setToolTip("A rough guide to how hard the passphrase is to guess")
        self.hint = QLabel()
        self.hint.setProperty("role", "muted")
        self.error = ErrorLabel()
        self.error.show_error(error)
        form = QFormLayout()
        form.addRow("Passphrase", self.passphrase)
        if new:
            form.addRow("", self.meter)
            form.addRow("", self.hint)
            form.addRow("Again", self.again)
        form.addRow("", self.error)
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        ok = self.buttons.button(QDialogButtonBox.StandardButton.Ok)
        ok.setText("Create" if new else "Unlock")
        ok.setToolTip("Open the practice with this passphrase")
        cancel = self.buttons.button(QDialogButtonBox.StandardButton.Cancel)
        cancel.setText("Quit")
        cancel.setToolTip("Close TRD Planner without opening the records")
        self.buttons.accepted.connect(self._accept)
        self.buttons.rejected.connect(self.reject)
        self.passphrase.textChanged.connect(self._changed)
        layout = QVBoxLayout(self)
        layout.addWidget(title)
        layout.addWidget(intro)
        layout.addWidget(folder)
        layout.addLayout(form)
        layout.addWidget(self.buttons)
        self.setMinimumWidth(480)
        self.again.setVisible(new)
        self.passphrase.setFocus()
        if new:
            self._changed("")

    def _changed(self, text: str) -> None:
        if not self.new:
            return
        score, hint = _crypto().strength_hint(text)
        self.meter.setValue(score)
        self.hint.setText(hint)

    def _accept(self) -> None:
        text = self.passphrase.text()
        if not text:
            show_field_error(self.passphrase, self.error, "Enter the passphrase.")
            return
        if self.new:
            from trdplanner.core.errors import InputError

            try:
                _crypto().check_new_passphrase(text)
            except InputError as exc:
                show_field_error(self.passphrase, self.error, f"The passphrase {exc.problem}.")
                return
            if self.again.text() != text:
                show_field_error(self.again, self.error, "The two passphrases differ. Type them again.")
                return
        self.accept()

    def value(self) -> str:
        return self.passphrase.text()
