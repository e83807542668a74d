"""Addenda under a signed note: the signed list, and the entry for a new one."""

from __future__ import annotations

import html

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QComboBox, QHBoxLayout, QLabel, QPushButton, QVBoxLayout, QWidget

from trdplanner.core.records import AddendumRec
from trdplanner.core.vocab import AddendumKind
from trdplanner.gui.forms.fields import PlainText, hint_label


class AddendaPanel(QWidget):
    """``submitted(kind, text)`` asks the editor to sign a new addendum."""

    submitted = Signal(str, str)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 8, 0, 0)
        title = QLabel("Addenda")
        title.setProperty("role", "heading")
        layout.addWidget(title)
        self.listing = QLabel()
        self.listing.setWordWrap(True)
        self.listing.setTextFormat(Qt.TextFormat.RichText)
        self.listing.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        layout.addWidget(self.listing)
        layout.addWidget(
            hint_label("Record anything learned after signing here. Each addendum is signed and dated on its own.")
        )
        self.kind = QComboBox()
        for kind in AddendumKind:
            self.kind.addItem(kind.label, str(kind))
        self.kind.setToolTip("Addendum adds information; correction fixes an error; late entry records an event late")
        self.entry = PlainText(4)
        self.entry.setAccessibleName("New addendum")
        self.entry.setToolTip("The text of the new addendum")
        self.entry.setPlaceholderText("Write the addendum…")
        self.entry.textChanged.connect(self._update)
        self.button = QPushButton("Sign addendum…")
        self.button.setToolTip("Sign and add this addendum to the note")
        self.button.clicked.connect(self._submit)
        row = QHBoxLayout()
        row.addWidget(QLabel("Kind:"))
        row.addWidget(self.kind)
        row.addStretch(1)
        row.addWidget(self.button)
        layout.addWidget(self.entry)
        layout.addLayout(row)
        self._update()

    def _update(self) -> None:
        self.button.setEnabled(bool(self.entry.toPlainText().strip()))

    def _submit(self) -> None:
        text = self.entry.toPlainText().strip()
        if text:
            self.submitted.emit(str(self.kind.currentData()), text)

    def clear_entry(self) -> None:
        self.entry.clear()

    def set_addenda(self, addenda: list[AddendumRec]) -> None:
        if not addenda:
            self.listing.setText("<i>No addenda.</i>")
            return
        parts = []
        for a in addenda:
            when = a.signed_at.astimezone().strftime("%d %b %Y %H:%M")
            body = html.escape(a.text).replace("\n", "<br>")
            parts.append(
                f"<p><b>{html.escape(AddendumKind(a.kind).label)}</b> — {html.escape(a.signer_name)}, {when}<br>"
                f"{body}<br><span style='color:#666'>Fingerprint {a.fingerprint[:16]}…</span></p>"
            )
        self.listing.setText("".join(parts))

    def texts(self) -> str:
        return self.listing.text()
