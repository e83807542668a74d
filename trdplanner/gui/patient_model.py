"""The patient list as a Qt table model. It holds plain summaries, never ORM rows.

The service hands over every patient once (a few milliseconds of work for 10,000);
searching, filtering and sorting then happen in memory on the folded search text, so
the list answers each keystroke without a database round trip.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt
from PySide6.QtGui import QFont

from trdplanner.clinical.trd import TrdStatusKind
from trdplanner.core.text import fold
from trdplanner.core.vocab import RiskLevel

if TYPE_CHECKING:  # the records module is imported once the database is open
    from trdplanner.core.records import PatientSummary

Index = QModelIndex | QPersistentModelIndex

TRD_LABELS = {str(k): k.label for k in TrdStatusKind}
_TRD_ORDER = {"trd": 0, "insufficient_data": 1, "not_trd": 2, "not_applicable": 3, "": 4}
_RISK_ORDER = {"high": 0, "moderate": 1, "low": 2, "unknown": 3}


@dataclass(frozen=True)
class PatientFilter:
    text: str = ""
    status: str | None = "active"  # None shows every status
    trd_only: bool = False
    risk_only: bool = False
    unsigned_only: bool = False
    cosign_only: bool = False  # waiting for my co-signature

    @property
    def narrowed(self) -> bool:
        return bool(self.text.strip()) or self.trd_only or self.risk_only or self.unsigned_only or self.cosign_only

    def accepts(self, p: PatientSummary, words: list[str]) -> bool:
        if self.status and p.status != self.status:
            return False
        if self.trd_only and p.trd_status != "trd":
            return False
        if self.risk_only and not (p.risk_flag or p.risk_level == RiskLevel.HIGH):
            return False
        if self.unsigned_only and not p.unsigned_notes:
            return False
        if self.cosign_only and not p.awaiting_my_cosignature:
            return False
        return all(w in p.search_text for w in words)


def display_name(p: PatientSummary) -> str:
    if p.preferred_name and p.preferred_name not in p.full_name:
        return f"{p.full_name} ({p.preferred_name})"
    return p.full_name


class PatientTableModel(QAbstractTableModel):
    COL_NAME, COL_CODE, COL_DIAGNOSIS, COL_TRD, COL_RISK, COL_LAST, COL_UNSIGNED = range(7)
    HEADERS = ("Name", "Code", "Diagnosis", "TRD", "Risk", "Last session", "Unsigned")
    HEADER_TIPS = (
        "Full name, with the preferred name in brackets",
        "The print code that identifies the patient on printed pages",
        "Primary diagnosis",
        "TRD status worked out from the treatment history (current settings)",
        "Recorded risk level; ⚠ marks a positive suicidality item or an unacknowledged alert",
        "Date of the most recent session",
        "Progress notes still waiting for a signature",
    )

    def __init__(self) -> None:
        super().__init__()
        self._all: list[PatientSummary] = []
        self._rows: list[PatientSummary] = []
        self._filter = PatientFilter()
        self._sort_column = self.COL_NAME
        self._sort_order = Qt.SortOrder.AscendingOrder
        self._alert_icon: Any = None
        self._bold = QFont()
        self._bold.setWeight(QFont.Weight.DemiBold)

    # ---------------------------------------------------------------- data in

    def set_rows(self, rows: list[PatientSummary]) -> None:
        """Every patient the service returned; the current filter and sort are applied."""
        self._all = list(rows)
        self._apply()

    def set_filter(self, f: PatientFilter) -> None:
        self._filter = f
        self._apply()

    @property
    def current_filter(self) -> PatientFilter:
        return self._filter

    @property
    def total(self) -> int:
        """Patients with the chosen status, before search and flag filters."""
        status = self._filter.status
        return sum(1 for p in self._all if not status or p.status == status)

    def set_alert_icon(self, icon: Any) -> None:
        self._alert_icon = icon

    def _apply(self) -> None:
        words = fold(self._filter.text).split()
        rows = [p for p in self._all if self._filter.accepts(p, words)]
        rows.sort(key=self._sort_key(self._sort_column), reverse=self._sort_order == Qt.SortOrder.DescendingOrder)
        self.beginResetModel()
        self._rows = rows
        self.endResetModel()

    def _sort_key(self, column: int):
        if column == self.COL_CODE:
            return lambda p: (p.code.casefold(), p.id)
        if column == self.COL_DIAGNOSIS:
            return lambda p: (fold(p.primary_diagnosis), p.search_text, p.id)
        if column == self.COL_TRD:
            return lambda p: (_TRD_ORDER.get(p.trd_status, 3), -p.failed_trials, p.search_text)
        if column == self.COL_RISK:
            return lambda p: (not p.risk_flag, _RISK_ORDER.get(p.risk_level, 3), p.search_text)
        if column == self.COL_LAST:
            return lambda p: (p.last_session or dt.date.min, p.id)
        if column == self.COL_UNSIGNED:
            return lambda p: (p.unsigned_notes, p.id)
        return lambda p: (fold(p.full_name), p.id)

    def sort(self, column: int, order: Qt.SortOrder = Qt.SortOrder.AscendingOrder) -> None:
        self._sort_column, self._sort_order = column, order
        self.layoutAboutToBeChanged.emit()
        persistent = self.persistentIndexList()
        ids = [self._rows[i.row()].id if i.isValid() and i.row() < len(self._rows) else None for i in persistent]
        self._rows.sort(key=self._sort_key(column), reverse=order == Qt.SortOrder.DescendingOrder)
        where = {p.id: r for r, p in enumerate(self._rows)}
        for old, pid in zip(persistent, ids, strict=True):
            row = where.get(pid) if pid is not None else None
            self.changePersistentIndex(old, self.index(row, old.column()) if row is not None else QModelIndex())
        self.layoutChanged.emit()

    # ---------------------------------------------------------------- lookups

    def summary_at(self, row: int) -> PatientSummary:
        return self._rows[row]

    def row_of(self, patient_id: int) -> int | None:
        for r, p in enumerate(self._rows):
            if p.id == patient_id:
                return r
        return None

    def find(self, patient_id: int) -> PatientSummary | None:
        return next((p for p in self._all if p.id == patient_id), None)

    # ---------------------------------------------------------------- Qt model

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self.HEADERS)

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if orientation != Qt.Orientation.Horizontal:
            return None
        if role == Qt.ItemDataRole.DisplayRole:
            return self.HEADERS[section]
        if role == Qt.ItemDataRole.ToolTipRole:
            return self.HEADER_TIPS[section]
        return None

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid():
            return None
        p = self._rows[index.row()]
        col = index.column()
        if role == Qt.ItemDataRole.DisplayRole:
            return self._text(p, col)
        if role == Qt.ItemDataRole.DecorationRole and col == self.COL_RISK and p.risk_flag:
            return self._alert_icon
        if role == Qt.ItemDataRole.ToolTipRole:
            return self._tooltip(p)
        if role == Qt.ItemDataRole.FontRole and col == self.COL_RISK and p.open_alerts:
            return self._bold
        if role == Qt.ItemDataRole.UserRole:
            return p.id
        if role == Qt.ItemDataRole.TextAlignmentRole and col == self.COL_UNSIGNED:
            return int(Qt.AlignmentFlag.AlignCenter)
        return None

    def _text(self, p: PatientSummary, col: int) -> str:
        if col == self.COL_NAME:
            name = display_name(p)
            return f"{name} (archived)" if p.archived else name
        if col == self.COL_CODE:
            return p.code
        if col == self.COL_DIAGNOSIS:
            return p.primary_diagnosis or "—"
        if col == self.COL_TRD:
            label = TRD_LABELS.get(p.trd_status, "")
            return f"{label} ({p.failed_trials})" if p.trd_status == "trd" else label
        if col == self.COL_RISK:
            return p.risk_level.capitalize()
        if col == self.COL_LAST:
            return p.last_session.isoformat() if p.last_session else "—"
        if col == self.COL_UNSIGNED:
            return str(p.unsigned_notes) if p.unsigned_notes else ""
        return ""

    @staticmethod
    def _tooltip(p: PatientSummary) -> str:
        lines = [f"{p.full_name} · {p.code}", p.primary_diagnosis or "No diagnosis recorded"]
        if p.trd_status == "trd":
            lines.append(f"TRD: {p.failed_trials} adequate failed antidepressant trials")
        if p.open_alerts:
            lines.append(f"{p.open_alerts} suicidality alert(s) not yet acknowledged")
        elif p.risk_flag:
            lines.append("Latest score has a positive suicidality item")
        if p.unsigned_notes:
            lines.append(f"{p.unsigned_notes} unsigned note(s)")
        lines.append("Press Enter or double-click to open")
        return "\n".join(lines)
