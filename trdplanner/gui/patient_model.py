"""A table model over the patient list. It holds plain summaries, never ORM rows."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt

from trdplanner.core.records import PatientSummary

Index = QModelIndex | QPersistentModelIndex


class PatientTableModel(QAbstractTableModel):
    COL_NAME, COL_CODE, COL_DIAGNOSIS, COL_LAST, COL_RISK = range(5)
    HEADERS = ("Name", "Code", "Diagnosis", "Last session", "Risk")

    def __init__(self) -> None:
        super().__init__()
        self._rows: list[PatientSummary] = []

    def set_rows(self, rows: list[PatientSummary]) -> None:
        self.beginResetModel()
        self._rows = rows
        self.endResetModel()

    def summary_at(self, row: int) -> PatientSummary:
        return self._rows[row]

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self.HEADERS)

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole:
            return self.HEADERS[section]
        return None

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid():
            return None
        p = self._rows[index.row()]
        col = index.column()
        if role == Qt.ItemDataRole.DisplayRole:
            if col == self.COL_NAME:
                return (
                    f"{p.full_name} ({p.preferred_name})"
                    if p.preferred_name and p.preferred_name not in p.full_name
                    else p.full_name
                )
            if col == self.COL_CODE:
                return p.code
            if col == self.COL_DIAGNOSIS:
                return p.primary_diagnosis
            if col == self.COL_LAST:
                return p.last_session.isoformat() if p.last_session else "—"
            if col == self.COL_RISK:
                return p.risk_level.capitalize()
        if role == Qt.ItemDataRole.ToolTipRole:
            unsigned = f"\n{p.unsigned_notes} unsigned note(s)" if p.unsigned_notes else ""
            return f"{p.full_name} · {p.code}\n{p.primary_diagnosis}{unsigned}"
        if role == Qt.ItemDataRole.UserRole:
            return p.id
        return None
