"""Repeating tables: one editor per cell, rows added and removed, or fixed rows (Mon..Sun)."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHBoxLayout,
    QHeaderView,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from trdplanner.catalog import Field, FieldType
from trdplanner.catalog.limits import MAX_TABLE_ROWS
from trdplanner.gui.dialogs import confirm
from trdplanner.gui.forms.fields import Editor, make_editor


class TableEditor(QWidget):
    """A table field. ``value()`` is a list of row mappings keyed by column id."""

    changed = Signal()

    def __init__(self, field: Field, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.field = field
        self.fixed = bool(field.fixed_rows)
        self.max_rows = len(field.fixed_rows) if self.fixed else (field.max_rows or MAX_TABLE_ROWS)
        self.rows: list[dict[str, Editor]] = []
        self.table = QTableWidget(0, len(field.columns))
        self.table.setAccessibleName(field.label)
        self.table.setToolTip(field.help or field.label)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setTabKeyNavigation(False)  # Tab walks through the cell editors
        self.table.setVerticalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.table.setHorizontalScrollMode(QAbstractItemView.ScrollMode.ScrollPerPixel)
        self.table.setWordWrap(True)
        for i, column in enumerate(field.columns):
            item = QTableWidgetItem(column.label + (" *" if column.required else ""))
            item.setToolTip(column.help or column.label)
            self.table.setHorizontalHeaderItem(i, item)
        header = self.table.horizontalHeader()
        header.setDefaultAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter)
        header.setMinimumSectionSize(70)
        for i, column in enumerate(field.columns):
            if column.type.is_text:
                header.setSectionResizeMode(i, QHeaderView.ResizeMode.Stretch)
            else:
                header.setSectionResizeMode(i, QHeaderView.ResizeMode.Interactive)
                self.table.setColumnWidth(i, self._column_width(column.type, column.label))
        self.table.verticalHeader().setVisible(True)

        self.add_button = QPushButton("Add row")
        self.add_button.setToolTip(f"Add a row to “{field.label}” (at most {self.max_rows})")
        self.add_button.clicked.connect(self._add_clicked)
        self.remove_button = QPushButton("Remove row")
        self.remove_button.setToolTip("Remove the selected row (asks first if it has anything in it)")
        self.remove_button.clicked.connect(self._remove_clicked)
        buttons = QHBoxLayout()
        buttons.setContentsMargins(0, 0, 0, 0)
        buttons.addWidget(self.add_button)
        buttons.addWidget(self.remove_button)
        buttons.addStretch(1)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.table)
        if not self.fixed:
            layout.addLayout(buttons)
        else:
            self.add_button.hide()
            self.remove_button.hide()
        start = len(field.fixed_rows) if self.fixed else max(1, field.min_rows or 1)
        for _ in range(start):
            self.add_row()
        self.setFocusProxy(self.table)

    @staticmethod
    def _column_width(kind: FieldType, label: str) -> int:
        base = {
            FieldType.RATING: 90,
            FieldType.YES_NO: 80,
            FieldType.NUMBER: 90,
            FieldType.DATE: 130,
            FieldType.TIME: 80,
            FieldType.CHOICE: 150,
            FieldType.CHECKLIST: 170,
        }.get(kind, 120)
        return max(base, min(170, 8 * len(label) + 16))

    def _row_label(self, index: int) -> str:
        return self.field.fixed_rows[index] if self.fixed else str(index + 1)

    def add_row(self) -> dict[str, Editor]:
        if len(self.rows) >= self.max_rows:
            raise ValueError("the table is full")
        r = self.table.rowCount()
        self.table.insertRow(r)
        self.table.setVerticalHeaderItem(r, QTableWidgetItem(self._row_label(r)))
        editors: dict[str, Editor] = {}
        tall = False
        for c, column in enumerate(self.field.columns):
            editor = make_editor(column, compact=True)
            editor.setAccessibleName(f"{self.field.label}, row {self._row_label(r)}, {column.label}")
            editor.changed.connect(self.changed)
            self.table.setCellWidget(r, c, editor)
            editors[column.id] = editor
            tall = tall or column.type is FieldType.LONG_TEXT
        self.table.setRowHeight(r, 64 if tall else 34)
        self.rows.append(editors)
        self._fit()
        return editors

    def _add_clicked(self) -> None:
        editors = self.add_row()
        first = next(iter(editors.values()), None)
        if first is not None:
            first.setFocus()
        self.changed.emit()

    def _row_is_blank(self, index: int) -> bool:
        return all(e.value() in (None, [], "") for e in self.rows[index].values())

    def _remove_clicked(self) -> None:
        index = self.table.currentRow()
        if index < 0:
            index = len(self.rows) - 1
        if index < 0:
            return
        if not self._row_is_blank(index) and not confirm(
            self, "Remove row", f"Remove row {index + 1} of “{self.field.label}” and what is written in it?", "Remove"
        ):
            return
        self.remove_row(index)
        self.changed.emit()

    def remove_row(self, index: int) -> None:
        self.table.removeRow(index)
        del self.rows[index]
        for r in range(self.table.rowCount()):
            self.table.setVerticalHeaderItem(r, QTableWidgetItem(self._row_label(r)))
        self._fit()

    def _fit(self) -> None:
        """Show every row: the form scrolls, the table does not."""
        height = self.table.horizontalHeader().height() + 2 * self.table.frameWidth()
        height += sum(self.table.rowHeight(r) for r in range(self.table.rowCount()))
        if self.table.horizontalScrollBar().isVisible() or self._needs_hscroll():
            height += self.table.horizontalScrollBar().sizeHint().height()
        self.table.setFixedHeight(height + 2)
        self.add_button.setEnabled(len(self.rows) < self.max_rows)
        self.remove_button.setEnabled(bool(self.rows))

    def _needs_hscroll(self) -> bool:
        if not self.table.isVisible():
            return False  # laid out again with the real width when shown (resizeEvent)
        widths = sum(self.table.columnWidth(c) for c in range(self.table.columnCount()))
        return widths + self.table.verticalHeader().width() > max(self.table.viewport().width(), 600)

    def resizeEvent(self, event) -> None:
        super().resizeEvent(event)
        self._fit()

    def value(self) -> list[dict[str, Any]]:
        return [{cid: e.value() for cid, e in row.items()} for row in self.rows]

    def set_value(self, value: Any) -> None:
        rows = list(value or [])
        if self.fixed:
            rows = rows[: len(self.rows)]
        else:
            while len(self.rows) > max(1, len(rows), self.field.min_rows or 0):
                self.remove_row(len(self.rows) - 1)
            while len(self.rows) < min(len(rows), self.max_rows):
                self.add_row()
        for index, editors in enumerate(self.rows):
            row = rows[index] if index < len(rows) and isinstance(rows[index], dict) else {}
            for cid, editor in editors.items():
                editor.set_value(row.get(cid))

    def cell(self, row: int, column_id: str) -> Editor | None:
        if 0 <= row < len(self.rows):
            return self.rows[row].get(column_id)
        return None

    def clear_errors(self) -> None:
        for row in self.rows:
            for editor in row.values():
                editor.set_error(None)
