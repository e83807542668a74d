"""What the Groups view's parts share: the service interface it calls, table cells and labels."""

from __future__ import annotations

import builtins
import datetime as dt
from collections.abc import Callable
from typing import Protocol

from PySide6.QtCore import Qt
from PySide6.QtGui import QWheelEvent
from PySide6.QtWidgets import QAbstractItemView, QComboBox, QHeaderView, QTableWidget, QTableWidgetItem, QWidget

from trdplanner.catalog.model import Modality
from trdplanner.core.group_records import AttendanceRec, GroupRec, GroupSummary, MeetingRec, MemberNotePart
from trdplanner.core.records import ClinicianRec, NoteRec
from trdplanner.core.vocab import NoteStatus

NOT_TAKEN = "Not taken yet"


class Groups(Protocol):
    """The part of ``GroupService`` this view calls."""

    def list(self) -> builtins.list[GroupSummary]: ...
    def get(self, group_id: int) -> GroupRec: ...
    def create(self, name: str, modality: str, facilitator_ids: builtins.list[int]) -> GroupRec: ...
    def add_member(self, group_id: int, patient_id: int, joined_on: dt.date) -> GroupRec: ...
    def member_leaves(self, group_id: int, patient_id: int, left_on: dt.date) -> GroupRec: ...
    def add_meeting(self, group_id: int, date: dt.date) -> MeetingRec: ...
    def get_meeting(self, meeting_id: int) -> MeetingRec: ...
    def record_attendance(self, meeting_id: int, patient_id: int, status: str) -> AttendanceRec: ...
    def write_shared_note(self, meeting_id: int, text: str) -> MeetingRec: ...
    def write_member_note(self, meeting_id: int, patient_id: int, part: MemberNotePart) -> NoteRec: ...
    def member_note(self, meeting_id: int, patient_id: int) -> NoteRec | None: ...
    def member_part(self, meeting_id: int, patient_id: int) -> MemberNotePart: ...
    def sign_member_note(self, meeting_id: int, patient_id: int, clinician_id: int, *, password: str) -> NoteRec: ...


AskPassword = Callable[[QWidget, ClinicianRec, str], "str | None"]


def modality_label(value: str) -> str:
    try:
        return Modality(value).label
    except ValueError:
        return value


def note_state(note: NoteRec | None, *, short: bool = False) -> str:
    """Where a member's note stands; ``short`` for the attendance table (the signer in its tooltip)."""
    if note is None:
        return "No note yet"
    if note.status == NoteStatus.DRAFT:
        return "Draft"
    if short or not note.signer_name:
        return "Signed"
    when = f" on {note.signed_at.date().isoformat()}" if note.signed_at else ""
    return f"Signed by {note.signer_name}{when}"


def cell(text: str, tip: str = "") -> QTableWidgetItem:
    item = QTableWidgetItem(text)
    item.setFlags(item.flags() & ~Qt.ItemFlag.ItemIsEditable)
    if tip:
        item.setToolTip(tip)
    return item


def row_id(table: QTableWidget, row: int) -> int | None:
    """The id kept on a row's first cell (a patient id)."""
    item = table.item(row, 0) if row >= 0 else None
    return int(item.data(Qt.ItemDataRole.UserRole)) if item is not None else None


def table(headers: list[str]) -> QTableWidget:
    table = QTableWidget(0, len(headers))
    table.setHorizontalHeaderLabels(headers)
    table.verticalHeader().hide()
    table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
    table.setTabKeyNavigation(False)
    table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
    table.horizontalHeader().setStretchLastSection(True)
    return table


class AttendanceBox(QComboBox):
    """A member's attendance drop-down that the mouse wheel never changes by passing over it.

    Scrolling the meeting page with the pointer over the column used to change (and save) a
    member's attendance. The wheel now scrolls the page unless the box has the keyboard focus,
    and a click, Tab or the arrow keys give it that.
    """

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)

    def wheelEvent(self, event: QWheelEvent) -> None:
        if not self.hasFocus():
            event.ignore()  # on to the scroll area
            return
        super().wheelEvent(event)
