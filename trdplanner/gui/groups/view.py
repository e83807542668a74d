"""The Groups view: a group's members and meetings, a meeting's plan and attendance, each member's note.

It sits beside the patient list in place of a patient's workspace (View ▸ Groups, Ctrl+G).
Everything goes through ``GroupService``; the facilitators see the members' names here, and a
member's own note holds the shared part and that member's own part only (the service refuses a
part that names another member).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QApplication,
    QComboBox,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QMenu,
    QPlainTextEdit,
    QPushButton,
    QScrollArea,
    QSplitter,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from trdplanner.core.group_records import GroupRec, MeetingRec, MemberNotePart
from trdplanner.core.records import ClinicianRec, NoteRec, PatientSummary
from trdplanner.core.vocab import AttendanceStatus, NoteStatus
from trdplanner.gui.dialogs import show_error
from trdplanner.gui.groups import printing
from trdplanner.gui.groups.common import (
    NOT_TAKEN,
    AskPassword,
    AttendanceBox,
    Groups,
    cell,
    modality_label,
    note_state,
    row_id,
    table,
)
from trdplanner.gui.groups.dialogs import AddMemberDialog, DateDialog, NewGroupDialog
from trdplanner.gui.help_dialogs import esc
from trdplanner.gui.pdfs import PrintSources
from trdplanner.gui.preview import PdfPreviewDialog
from trdplanner.gui.theme import icon


class GroupsView(QWidget):
    """Groups on the left; the chosen group's meetings and members on the right."""

    open_patient = Signal(int)  # "Open record" on a member

    def __init__(
        self,
        groups: Groups,
        clinicians: Callable[[], list[ClinicianRec]],
        patients: Callable[[], list[PatientSummary]],
        ask_password: AskPassword,
        sources: PrintSources | None = None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.groups = groups
        self._sources = sources  # what prints are made from (None: the view prints nothing)
        self._dialogs: list[PdfPreviewDialog] = []
        self._clinicians = clinicians
        self._patients = patients
        self._ask_password = ask_password
        self.group: GroupRec | None = None
        self.meeting: MeetingRec | None = None
        self._filling = False

        # A practice runs a handful of groups: a drop-down leaves the width to the meeting.
        self.group_list = QComboBox()
        self.group_list.setAccessibleName("Group")
        self.group_list.setToolTip("The group to show (its facilitators are in the line below the name)")
        self.group_list.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
        self.group_list.setMinimumContentsLength(24)
        self.group_list.currentIndexChanged.connect(lambda _i: self._group_chosen())
        choose = QLabel("&Group")
        choose.setBuddy(self.group_list)
        self.new_group_button = QPushButton("&New group…")
        self.new_group_button.setToolTip("Start a group: its name, modality and facilitators")
        self.new_group_button.clicked.connect(self.new_group)

        self.title = QLabel()
        self.title.setTextFormat(Qt.TextFormat.RichText)
        self.title.setWordWrap(True)
        self.tabs = QTabWidget()
        self.tabs.addTab(self._meetings_page(), "&Meetings")
        self.tabs.addTab(self._members_page(), "Mem&bers")
        right = QWidget()
        right_layout = QVBoxLayout(right)
        right_layout.setContentsMargins(0, 0, 0, 0)
        self.print_button = QPushButton(icon("print"), "&Print")
        self.print_button.setToolTip("Print the attendance sheet, everyone's homework, or the course plan")
        menu = QMenu(self.print_button)
        self.act_print_attendance = menu.addAction("Attendance sheet for this meeting", self.print_attendance)
        self.act_print_homework = menu.addAction("Homework for everyone present (one part each)",
                                                 self.print_homework)
        self.act_print_plan = menu.addAction("The group's course plan", self.print_plan)
        self.print_button.setMenu(menu)
        self.print_button.setVisible(sources is not None)
        chooser = QHBoxLayout()
        chooser.addWidget(choose)
        chooser.addWidget(self.group_list, 1)
        chooser.addWidget(self.new_group_button)
        chooser.addWidget(self.print_button)
        right_layout.addLayout(chooser)
        right_layout.addWidget(self.title)
        right_layout.addWidget(self.tabs, 1)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(8, 4, 8, 4)
        layout.addWidget(right)
        self._show_group()

    # ---------------------------------------------------------------- pages

    def _meetings_page(self) -> QWidget:
        self.meeting_list = QListWidget()
        self.meeting_list.setAccessibleName("Meetings")
        self.meeting_list.setWordWrap(True)
        self.meeting_list.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.meeting_list.setSpacing(2)
        self.meeting_list.currentItemChanged.connect(lambda *_a: self._meeting_chosen())
        self.add_meeting_button = QPushButton("Add &meeting…")
        self.add_meeting_button.setToolTip("Plan the next meeting: its agenda and homework come from the modality")
        self.add_meeting_button.clicked.connect(self.add_meeting)
        left = QWidget()
        left_layout = QVBoxLayout(left)
        left_layout.setContentsMargins(0, 0, 0, 0)
        left_layout.addWidget(self.meeting_list, 1)
        left_layout.addWidget(self.add_meeting_button)

        self.plan = QLabel()
        self.plan.setTextFormat(Qt.TextFormat.RichText)
        self.plan.setWordWrap(True)
        self.plan.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        plan_box = QGroupBox("Plan")
        QVBoxLayout(plan_box).addWidget(self.plan)

        self.attendance = table(["Code", "Member", "Attendance", "Note"])
        self.attendance.setAccessibleName("Attendance")
        self.attendance.itemSelectionChanged.connect(self._member_chosen)
        attendance_box = QGroupBox("Attendance")
        QVBoxLayout(attendance_box).addWidget(self.attendance)

        self.shared = QPlainTextEdit()
        self.shared.setPlaceholderText("What the group did, written once: it is carried into every member's note")
        self.shared.setTabChangesFocus(True)
        self.shared.setMinimumHeight(70)
        self.save_shared_button = QPushButton("Save shared &part")
        self.save_shared_button.setToolTip("Save it and re-draft every unsigned member note of this meeting")
        self.save_shared_button.clicked.connect(self.save_shared)
        shared_box = QGroupBox("Shared part of every member's note")
        shared_layout = QVBoxLayout(shared_box)
        shared_layout.addWidget(self.shared)
        shared_layout.addWidget(self.save_shared_button, 0, Qt.AlignmentFlag.AlignRight)

        self.member_box = QGroupBox("Member's own part")
        self.participation = self._part_edit("How they took part (attendance is added for you)")
        self.risk = self._part_edit("Risk: what was asked and what they said")
        self.response = self._part_edit("Their response to the skills and the homework")
        self.sign_as = QComboBox()
        self.sign_as.setToolTip("The facilitator who signs this member's note")
        # A long name and credentials must not widen the page past a small screen.
        self.sign_as.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
        self.sign_as.setMinimumContentsLength(18)
        self.note_state = QLabel()
        self.note_state.setWordWrap(True)  # "Signed by" a long name and credentials
        self.save_member_button = QPushButton("&Save part")
        self.save_member_button.setToolTip("Save this member's own part into their draft note")
        self.save_member_button.clicked.connect(self.save_member_part)
        self.sign_button = QPushButton("Si&gn note…")
        self.sign_button.setToolTip("Sign this member's note on its own, with your signing password")
        self.sign_button.clicked.connect(self.sign_member_note)
        self.open_button = QPushButton("Open &record")
        self.open_button.setToolTip("Open this member's own record (their session and note are there)")
        self.open_button.clicked.connect(self._open_member)
        form = QFormLayout(self.member_box)
        form.addRow("Participation", self.participation)
        form.addRow("Risk", self.risk)
        form.addRow("Response", self.response)
        form.addRow("Sign as", self.sign_as)
        form.addRow("Note", self.note_state)
        row = QHBoxLayout()
        row.addWidget(self.open_button)
        row.addStretch(1)
        row.addWidget(self.save_member_button)
        row.addWidget(self.sign_button)
        form.addRow(row)

        detail = QWidget()
        detail_layout = QVBoxLayout(detail)
        detail_layout.setContentsMargins(0, 0, 4, 0)
        for box in (plan_box, attendance_box, shared_box, self.member_box):
            detail_layout.addWidget(box)
        detail_layout.addStretch(1)
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setWidget(detail)
        self.meeting_detail = scroll

        split = QSplitter(Qt.Orientation.Horizontal)
        split.addWidget(left)
        split.addWidget(scroll)
        split.setStretchFactor(1, 1)
        split.setSizes([170, 720])
        return split

    def _part_edit(self, placeholder: str) -> QPlainTextEdit:
        edit = QPlainTextEdit()
        edit.setPlaceholderText(placeholder)
        edit.setTabChangesFocus(True)
        edit.setFixedHeight(58)
        return edit

    def _members_page(self) -> QWidget:
        self.members = table(["Code", "Member", "Joined", "Left"])
        self.members.setAccessibleName("Members")
        self.add_member_button = QPushButton("&Add member…")
        self.add_member_button.clicked.connect(self.add_member)
        self.leave_button = QPushButton("Member &leaves…")
        self.leave_button.setToolTip("Record the day the selected member left; their past meetings stay")
        self.leave_button.clicked.connect(self.member_leaves)
        page = QWidget()
        layout = QVBoxLayout(page)
        layout.addWidget(self.members, 1)
        row = QHBoxLayout()
        row.addStretch(1)
        row.addWidget(self.leave_button)
        row.addWidget(self.add_member_button)
        layout.addLayout(row)
        return page

    # ---------------------------------------------------------------- loading

    def reload(self, select: int | None = None) -> None:
        """Read the list of groups again, keeping (or choosing) the selected one."""
        keep = select if select is not None else (self.group.id if self.group else None)
        self.group_list.blockSignals(True)
        self.group_list.clear()
        try:
            summaries = self.groups.list()
        except Exception as exc:
            show_error(self, "Could not read the groups", exc)
            summaries = []
        for g in summaries:
            when = f" · next {g.next_meeting.isoformat()}" if g.next_meeting else ""
            self.group_list.addItem(f"{g.name} ({modality_label(g.modality)}, {g.members} members{when})", g.id)
            self.group_list.setItemData(self.group_list.count() - 1, "Facilitators: " + ", ".join(g.facilitators),
                                        Qt.ItemDataRole.ToolTipRole)
        self.group_list.setCurrentIndex(max(self.group_list.findData(keep), 0) if keep is not None else 0)
        self.group_list.blockSignals(False)
        self._group_chosen()

    def _group_chosen(self) -> None:
        chosen = self.group_list.currentData()
        self.group = None
        if chosen is not None:
            try:
                self.group = self.groups.get(int(chosen))
            except Exception as exc:
                show_error(self, "Could not open the group", exc)
        self._show_group()

    def _show_group(self, meeting_id: int | None = None) -> None:
        g = self.group
        self.tabs.setEnabled(g is not None)
        self.print_button.setEnabled(g is not None)
        if g is None:
            self.title.setText("<p style='font-size:13pt'><b>No groups yet</b></p>"
                               "<p>Start one with New group: its name, modality and facilitators.</p>")
            self.meeting_list.clear()
            self.members.setRowCount(0)
            self._show_meeting(None)
            return
        facilitators = ", ".join(f.name for f in g.facilitators)
        self.title.setText(f"<p style='font-size:13pt'><b>{esc(g.name)}</b></p><p>{modality_label(g.modality)}"
                           f" · {g.duration_minutes} minutes · facilitators: {esc(facilitators)}</p>")
        self.members.setRowCount(0)
        for member in g.members:
            r = self.members.rowCount()
            self.members.insertRow(r)
            code = cell(member.code)
            code.setData(Qt.ItemDataRole.UserRole, member.patient_id)
            self.members.setItem(r, 0, code)
            self.members.setItem(r, 1, cell(member.name))
            self.members.setItem(r, 2, cell(member.joined_on.isoformat()))
            self.members.setItem(r, 3, cell(member.left_on.isoformat() if member.left_on else ""))
        self.sign_as.clear()
        for f in g.facilitators:
            self.sign_as.addItem(f.name, f.clinician_id)
        keep = meeting_id if meeting_id is not None else (self.meeting.id if self.meeting else None)
        self.meeting_list.blockSignals(True)
        self.meeting_list.clear()
        for m in g.meetings:
            present = sum(1 for a in m.attendance if AttendanceStatus(a.status).present)
            taken = f" · {present} present" if m.attendance else ""
            item = QListWidgetItem(f"{m.date.isoformat()} · meeting {m.number}\n{m.theme}{taken}")
            item.setData(Qt.ItemDataRole.UserRole, m.id)
            self.meeting_list.addItem(item)
            if m.id == keep:
                self.meeting_list.setCurrentItem(item)
        if self.meeting_list.currentItem() is None and self.meeting_list.count():
            self.meeting_list.setCurrentRow(self._nearest_meeting(g))
        self.meeting_list.blockSignals(False)
        self._meeting_chosen()

    @staticmethod
    def _nearest_meeting(g: GroupRec) -> int:
        """Today's meeting, else the next one, else the last: what a facilitator opens the view for."""
        today = dt.date.today()
        for i, m in enumerate(g.meetings):
            if m.date >= today:
                return i
        return len(g.meetings) - 1

    def _meeting_chosen(self) -> None:
        item = self.meeting_list.currentItem()
        meeting = None
        if item is not None and self.group is not None:
            try:
                meeting = self.groups.get_meeting(int(item.data(Qt.ItemDataRole.UserRole)))
            except Exception as exc:
                show_error(self, "Could not open the meeting", exc)
        self._show_meeting(meeting)

    def _show_meeting(self, m: MeetingRec | None) -> None:
        self.meeting = m
        self.meeting_detail.setEnabled(m is not None)
        self._filling = True
        self.attendance.setRowCount(0)
        if m is None or self.group is None:
            self.plan.setText("No meeting chosen." if self.group else "")
            self.shared.setPlainText("")
            self._filling = False
            self._member_chosen()
            return
        agenda = "".join(f"<li>{esc(a)}</li>" for a in m.agenda) or "<li>No agenda set</li>"
        homework = "".join(
            f"<li>{esc(h.title)}{'' if h.patient_ids is None else ' (some members)'}</li>" for h in m.homework
        ) or "<li>None</li>"
        templates = ", ".join(m.templates) or "none"
        self.plan.setText(f"<p><b>Meeting {m.number}, {m.date.isoformat()}: {esc(m.theme)}</b></p>"
                          f"<p>Agenda</p><ol>{agenda}</ol><p>Homework</p><ul>{homework}</ul>"
                          f"<p>Forms used: {esc(templates)}</p>")
        marked = {a.patient_id: a for a in m.attendance}
        for member in self.group.members:
            if not member.active_on(m.date) and member.patient_id not in marked:
                continue
            r = self.attendance.rowCount()
            self.attendance.insertRow(r)
            code = cell(member.code)
            code.setData(Qt.ItemDataRole.UserRole, member.patient_id)
            self.attendance.setItem(r, 0, code)
            self.attendance.setItem(r, 1, cell(member.name))
            combo = AttendanceBox()
            combo.addItem(NOT_TAKEN, "")
            for status in AttendanceStatus:
                combo.addItem(status.label, status.value)
            combo.setAccessibleName(f"Attendance of {member.code}")
            a = marked.get(member.patient_id)
            combo.setCurrentIndex(combo.findData(a.status) if a else 0)
            combo.currentIndexChanged.connect(
                lambda _i, pid=member.patient_id, box=combo: self._attendance_changed(pid, box)
            )
            self.attendance.setCellWidget(r, 2, combo)
            note = self._note(m.id, member.patient_id) if a and AttendanceStatus(a.status).present else None
            self.attendance.setItem(r, 3, cell(note_state(note, short=True), note_state(note)))
        self.shared.setPlainText(m.shared_note)
        self._filling = False
        self._fit_attendance()
        if self.attendance.rowCount():
            self.attendance.selectRow(0)
        self._member_chosen()

    def _fit_attendance(self) -> None:
        """Every member's row in view: the table is as tall as its rows (the page scrolls instead)."""
        table = self.attendance
        table.resizeRowsToContents()
        height = table.horizontalHeader().height() + 2 * table.frameWidth()
        height += sum(table.rowHeight(r) for r in range(table.rowCount()))
        table.setFixedHeight(max(height, table.horizontalHeader().height() * 3))

    def _note(self, meeting_id: int, patient_id: int) -> NoteRec | None:
        try:
            return self.groups.member_note(meeting_id, patient_id)
        except Exception:  # shown as "No note yet"; opening the record explains any error
            return None

    # ---------------------------------------------------------------- the selected member

    def selected_member(self) -> int | None:
        return row_id(self.attendance, self.attendance.currentRow())

    def _present(self, patient_id: int) -> bool:
        m = self.meeting
        return m is not None and any(
            a.patient_id == patient_id and AttendanceStatus(a.status).present for a in m.attendance
        )

    def _member_chosen(self) -> None:
        pid = self.selected_member()
        present = pid is not None and self._present(pid)
        edits = (self.participation, self.risk, self.response)
        note = self._note(self.meeting.id, pid) if present and self.meeting and pid is not None else None
        signed = note is not None and note.status != NoteStatus.DRAFT
        part = MemberNotePart()
        if present and self.meeting is not None and pid is not None:
            try:
                part = self.groups.member_part(self.meeting.id, pid)
            except Exception as exc:
                show_error(self, "Could not read the member's note", exc)
        name_item = self.attendance.item(self.attendance.currentRow(), 1) if pid is not None else None
        name = name_item.text() if name_item is not None else ""
        self.member_box.setTitle(f"{name}'s own part" if name else "Member's own part")
        for edit, text in zip(edits, (part.participation, part.risk, part.response), strict=True):
            edit.setPlainText(text)
            edit.setReadOnly(signed or not present)
            edit.setEnabled(present)
        self.note_state.setText(note_state(note) if present else "Mark them present to write their note.")
        self.save_member_button.setEnabled(present and not signed)
        self.sign_button.setEnabled(present and not signed)
        self.sign_as.setEnabled(present and not signed)
        self.open_button.setEnabled(pid is not None)

    # ---------------------------------------------------------------- actions

    def new_group(self) -> None:
        dialog = NewGroupDialog(self._clinicians(), self)
        if not dialog.exec():
            return
        try:
            g = self.groups.create(dialog.name.text().strip(), str(dialog.modality.currentData()),
                                   dialog.chosen_facilitators())
        except Exception as exc:
            show_error(self, "The group was not created", exc)
            return
        self.reload(select=g.id)

    def add_member(self) -> None:
        if self.group is None:
            return
        gid = self.group.id
        current = {m.patient_id for m in self.group.members if m.left_on is None}
        dialog = AddMemberDialog([p for p in self._patients() if p.id not in current], self)
        if not dialog.exec():
            return
        pid, joined = dialog.patient_id(), dialog.joined.value()
        assert pid is not None and joined is not None
        self._apply(lambda: self.groups.add_member(gid, pid, joined), "The member was not added")

    def member_leaves(self) -> None:
        pid = row_id(self.members, self.members.currentRow())
        if self.group is None or pid is None:
            return
        gid = self.group.id
        dialog = DateDialog("Member leaves", "&Left on", "Their last meeting is the one before this day", self)
        if not dialog.exec():
            return
        left = dialog.value()
        self._apply(lambda: self.groups.member_leaves(gid, pid, left), "The member's leaving was not saved")

    def add_meeting(self) -> None:
        if self.group is None:
            return
        dialog = DateDialog("Add a meeting", "&Date", "The day the group meets", self)
        if not dialog.exec():
            return
        try:
            meeting = self.groups.add_meeting(self.group.id, dialog.value())
            self.group = self.groups.get(self.group.id)
        except Exception as exc:
            show_error(self, "The meeting was not added", exc)
            return
        self._show_group(meeting.id)

    def _apply(self, change: Callable[[], GroupRec], failure: str) -> None:
        try:
            self.group = change()
        except Exception as exc:
            show_error(self, failure, exc)
            return
        self._show_group()

    def _attendance_changed(self, patient_id: int, box: QComboBox) -> None:
        if self._filling or self.meeting is None:
            return
        status = str(box.currentData() or "")
        meeting_id = self.meeting.id
        if not status:  # "Not taken yet" cannot undo a mark: show what is recorded
            self._reload_meeting(meeting_id)
            return
        try:
            self.groups.record_attendance(meeting_id, patient_id, status)
        except Exception as exc:
            show_error(self, "The attendance was not saved", exc)
        self._reload_meeting(meeting_id, patient_id)

    def _reload_meeting(self, meeting_id: int, patient_id: int | None = None) -> None:
        if self.group is None:
            return
        focused = QApplication.focusWidget()
        on_attendance = isinstance(focused, AttendanceBox)
        try:
            self.group = self.groups.get(self.group.id)
        except Exception as exc:
            show_error(self, "Could not read the group", exc)
            return
        self._show_group(meeting_id)
        if patient_id is not None:
            self.select_member(patient_id)
        # Keep the keyboard where the facilitator was (rebuilt rows would send typing to the search).
        row = self.attendance.currentRow()
        box = self.attendance.cellWidget(row, 2) if on_attendance and row >= 0 else None
        keep = focused if focused is not None and self.isAncestorOf(focused) and focused.isEnabled() else None
        (box or keep or self.attendance).setFocus(Qt.FocusReason.OtherFocusReason)

    def select_member(self, patient_id: int) -> None:
        for r in range(self.attendance.rowCount()):
            if row_id(self.attendance, r) == patient_id:
                self.attendance.selectRow(r)
                return

    def save_shared(self) -> None:
        if self.meeting is None:
            return
        meeting_id, pid = self.meeting.id, self.selected_member()
        try:
            self.groups.write_shared_note(meeting_id, self.shared.toPlainText())
        except Exception as exc:
            show_error(self, "The shared part was not saved", exc)
            return
        self._reload_meeting(meeting_id, pid)

    def save_member_part(self) -> bool:
        pid = self.selected_member()
        if self.meeting is None or pid is None:
            return False
        part = MemberNotePart(self.participation.toPlainText(), self.risk.toPlainText(),
                              self.response.toPlainText())
        meeting_id = self.meeting.id
        try:
            self.groups.write_member_note(meeting_id, pid, part)
        except Exception as exc:
            show_error(self, "The member's part was not saved", exc)
            return False
        self._reload_meeting(meeting_id, pid)
        return True

    def sign_member_note(self) -> None:
        pid = self.selected_member()
        if self.meeting is None or pid is None or not self.save_member_part():
            return
        clinician_id = self.sign_as.currentData()
        clinician = next((c for c in self._clinicians() if c.id == clinician_id), None)
        if clinician is None or clinician.id is None:
            return
        password = self._ask_password(self, clinician, "Sign this member's note")
        if password is None:
            return
        meeting_id = self.meeting.id
        try:
            self.groups.sign_member_note(meeting_id, pid, clinician.id, password=password)
        except Exception as exc:
            show_error(self, "The note was not signed", exc)
            return
        self._reload_meeting(meeting_id, pid)

    # ---------------------------------------------------------------- printing

    def print_attendance(self) -> PdfPreviewDialog | None:
        return self._keep(printing.attendance(self, self._sources, self.meeting))

    def print_homework(self) -> PdfPreviewDialog | None:
        return self._keep(printing.homework(self, self._sources, self.meeting))

    def print_plan(self) -> PdfPreviewDialog | None:
        return self._keep(printing.plan(self, self._sources, self.group))

    def _keep(self, dialog: PdfPreviewDialog | None) -> PdfPreviewDialog | None:
        self._dialogs = [d for d in self._dialogs if d.isVisible()] + ([dialog] if dialog else [])
        return dialog

    def _open_member(self) -> None:
        pid = self.selected_member()
        if pid is not None:
            self.open_patient.emit(pid)
