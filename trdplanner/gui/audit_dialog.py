"""The audit trail viewer: newest events first, a filter by kind, and a check of the hash chain."""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from trdplanner.gui.theme import hex_colour

if TYPE_CHECKING:
    from trdplanner.core.services.audit import AuditService

PAGE = 500
KINDS = [
    ("Everything", ""),
    ("Patients (open, create, change, archive, purge)", "patient."),
    ("Notes (create, sign, addenda)", "note."),
    ("Measures", "measure."),
    ("Sessions", "session."),
    ("Printing", "document."),
    ("Backups and restores", "backup."),
    ("Failed unlocks", "unlock."),
]
COLUMNS = ["#", "When", "Who", "Action", "Object", "Detail"]


class AuditDialog(QDialog):
    def __init__(self, audit: AuditService, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.audit = audit
        self.limit = PAGE
        self.setWindowTitle("Audit trail")
        self.resize(960, 560)
        intro = QLabel(
            "Every change to a record, every signature, print, export, backup and restore, and every failed "
            "unlock, newest first. Entries hold ids and kinds, never patient details. Each entry is chained to "
            "the one before by a hash, so an entry altered outside the app is found by <b>Check the chain</b>."
        )
        intro.setWordWrap(True)
        self.kind = QComboBox()
        for label, prefix in KINDS:
            self.kind.addItem(label, prefix)
        self.kind.currentIndexChanged.connect(lambda _i: self.reload())
        self.table = QTableWidget(0, len(COLUMNS))
        self.table.setTabKeyNavigation(False)  # Tab leaves the list; arrows move in it
        self.table.setHorizontalHeaderLabels(COLUMNS)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.verticalHeader().hide()
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        header.setStretchLastSection(True)
        self.more = QPushButton("Show older entries")
        self.more.clicked.connect(self._more)
        self.check = QPushButton("Check the chain")
        self.check.setToolTip("Recompute every entry's hash and report the first one that does not match")
        self.check.clicked.connect(self.verify)
        self.outcome = QLabel()
        self.outcome.setWordWrap(True)
        self.outcome.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        top = QHBoxLayout()
        top.addWidget(QLabel("Show:"))
        top.addWidget(self.kind, 1)
        bottom = QHBoxLayout()
        bottom.addWidget(self.check)
        bottom.addWidget(self.outcome, 1)
        bottom.addWidget(self.more)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(intro)
        layout.addLayout(top)
        layout.addWidget(self.table, 1)
        layout.addLayout(bottom)
        layout.addWidget(buttons)
        self.reload()

    def reload(self) -> None:
        events = self.audit.list(self.limit, action=str(self.kind.currentData() or ""))
        self.table.setRowCount(len(events))
        for row, e in enumerate(events):
            detail = ", ".join(f"{k}={v}" for k, v in sorted(e.detail.items()))
            values = [
                str(e.id),
                e.at.astimezone().strftime("%Y-%m-%d %H:%M:%S"),
                e.actor,
                e.action,
                f"{e.object_type} {e.object_id}".strip(),
                detail,
            ]
            for col, value in enumerate(values):
                item = QTableWidgetItem(value)
                if col == 5:
                    item.setToolTip(detail)
                self.table.setItem(row, col, item)
        self.more.setEnabled(len(events) >= self.limit)

    def _more(self) -> None:
        self.limit += PAGE
        self.reload()

    def verify(self) -> bool:
        check = self.audit.verify()
        if check.ok:
            self.outcome.setText(
                f"<span style='color:{hex_colour('ok')}'>✓ All {check.count} entries check out.</span>"
            )
        else:
            self.outcome.setText(
                f"<span style='color:{hex_colour('danger')}'><b>⚠ The audit trail was altered:</b> "
                f"{check.problem}.</span>"
            )
        return check.ok
