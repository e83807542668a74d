"""An editable list of small records (comorbidities, medications, episodes …) for the record tabs."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QHBoxLayout,
    QHeaderView,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from trdplanner.gui.columns import fit_columns
from trdplanner.gui.forms.errors import ErrorLabel, mark_invalid
from trdplanner.gui.forms.record_fields import TRI_OPTIONS, combo
from trdplanner.gui.theme import icon


@dataclass
class Column:
    attr: str
    header: str
    tip: str
    kind: str = "text"  # text | combo | date | bool | tri (yes/no/not recorded) | int
    options: Sequence[tuple[str, str]] = field(default_factory=tuple)
    width: int = 0


class RecordTable(QWidget):
    """An editable list of small records (comorbidities, medications, episodes …)."""

    edited = Signal()

    def __init__(self, columns: list[Column], noun: str, make: Any, tip: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.columns = columns
        self.noun = noun
        self.make = make  # record factory from a dict of column values
        self.table = QTableWidget(0, len(columns))
        self.table.setTabKeyNavigation(False)  # Tab leaves the list; arrows move in it
        self.table.setHorizontalHeaderLabels([c.header for c in columns])
        for i, c in enumerate(columns):
            head = self.table.horizontalHeaderItem(i)
            if head is not None:
                head.setToolTip(c.tip)
        self.table.verticalHeader().setVisible(False)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.AllEditTriggers)
        self.table.setTabKeyNavigation(False)
        self.table.setToolTip(tip)
        header = self.table.horizontalHeader()
        header.setStretchLastSection(True)
        for i, c in enumerate(columns):
            if c.width:
                header.resizeSection(i, c.width)
            elif c.kind == "text":
                header.setSectionResizeMode(i, QHeaderView.ResizeMode.Stretch)
        text_cols = [i for i, c in enumerate(columns) if c.kind == "text"]
        self.fitter = fit_columns(self.table, text_cols[0] if text_cols else None)  # no sideways scrolling
        self.table.itemChanged.connect(lambda _item: self.edited.emit())
        self.table.setMinimumHeight(96)
        self.add_button = QPushButton(icon("add"), f"Add {noun}")
        self.add_button.setToolTip(f"Add a {noun} to the list")
        self.add_button.clicked.connect(self.add_row)
        self.remove_button = QPushButton(icon("remove"), "Remove")
        self.remove_button.setToolTip(f"Remove the selected {noun} (takes effect when you save)")
        self.remove_button.clicked.connect(self.remove_row)
        self.error = ErrorLabel()
        buttons = QHBoxLayout()
        buttons.addWidget(self.add_button)
        buttons.addWidget(self.remove_button)
        buttons.addStretch(1)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.table)
        layout.addWidget(self.error)
        layout.addLayout(buttons)

    def set_records(self, records: Sequence[Any]) -> None:
        self.table.blockSignals(True)
        self.table.setRowCount(0)
        for rec in records:
            self._append({c.attr: getattr(rec, c.attr) for c in self.columns})
        self.table.blockSignals(False)
        self._fit()

    def _fit(self) -> None:
        rows = max(self.table.rowCount(), 1)
        h = self.table.horizontalHeader().height() + rows * self.table.verticalHeader().defaultSectionSize() + 6
        self.table.setFixedHeight(min(max(h, 72), 260))

    def _append(self, values: dict[str, Any]) -> None:
        r = self.table.rowCount()
        self.table.insertRow(r)
        for i, c in enumerate(self.columns):
            value = values.get(c.attr)
            if c.kind == "tri":
                # Yes / No / Not recorded: an unticked box cannot say "nobody asked".
                current = "" if value is None else ("yes" if value else "no")
                box = combo(TRI_OPTIONS, c.tip, current)
                box.currentIndexChanged.connect(lambda _i: self.edited.emit())
                self.table.setCellWidget(r, i, box)
            elif c.kind == "combo":
                box = combo(c.options, c.tip, str(value or ""))
                box.currentIndexChanged.connect(lambda _i: self.edited.emit())
                self.table.setCellWidget(r, i, box)
            elif c.kind == "bool":
                item = QTableWidgetItem()
                flags = Qt.ItemFlag.ItemIsUserCheckable | Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable
                item.setFlags(flags)
                item.setCheckState(Qt.CheckState.Checked if value else Qt.CheckState.Unchecked)
                item.setToolTip(c.tip)
                self.table.setItem(r, i, item)
            else:
                text = value.isoformat() if isinstance(value, dt.date) else ("" if value is None else str(value))
                item = QTableWidgetItem(text)
                item.setToolTip(c.tip + (" (YYYY-MM-DD)" if c.kind == "date" else ""))
                self.table.setItem(r, i, item)

    def add_row(self) -> None:
        defaults: dict[str, Any] = {}
        for c in self.columns:
            if c.kind == "int" and c.attr == "number":
                defaults[c.attr] = self.table.rowCount() + 1
        self._append(defaults)
        self._fit()
        self.table.setCurrentCell(self.table.rowCount() - 1, 0)
        self.table.setFocus()
        self.edited.emit()

    def remove_row(self) -> None:
        row = self.table.currentRow()
        if row >= 0:
            self.table.removeRow(row)
            self._fit()
            self.edited.emit()

    def records(self) -> list[Any]:
        """The rows as records; raises ValueError naming the row and column for a bad date or number."""
        out = []
        for r in range(self.table.rowCount()):
            values: dict[str, Any] = {}
            for i, c in enumerate(self.columns):
                if c.kind == "tri":
                    w = self.table.cellWidget(r, i)
                    data = w.currentData() if isinstance(w, QComboBox) else ""
                    values[c.attr] = None if not data else data == "yes"
                    continue
                if c.kind == "combo":
                    w = self.table.cellWidget(r, i)
                    values[c.attr] = w.currentData() if isinstance(w, QComboBox) else ""
                    continue
                item = self.table.item(r, i)
                if c.kind == "bool":
                    values[c.attr] = item is not None and item.checkState() == Qt.CheckState.Checked
                    continue
                text = item.text().strip() if item else ""
                if c.kind == "date":
                    try:
                        values[c.attr] = dt.date.fromisoformat(text) if text else None
                    except ValueError:
                        raise RowError(r, i, f"{c.header} in row {r + 1} is not a date like 2024-03-01") from None
                elif c.kind == "int":
                    if not text.isdigit():
                        raise RowError(r, i, f"{c.header} in row {r + 1} must be a whole number")
                    values[c.attr] = int(text)
                else:
                    values[c.attr] = text
            out.append(self.make(values))
        return out

    def show_row_error(self, row: int | None, message: str) -> None:
        self.error.show_error(message)
        mark_invalid(self.table, message)
        if row is not None and 0 <= row < self.table.rowCount():
            self.table.selectRow(row)


class RowError(ValueError):
    def __init__(self, row: int, column: int, message: str) -> None:
        super().__init__(message)
        self.row = row
        self.column = column
