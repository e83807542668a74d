"""The Groups view: members, meetings, attendance and each member's own note, from the window."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QComboBox
from pytestqt.qtbot import QtBot

from tests.export._pdf_helpers import page_texts
from tests.gui.conftest import open_plain
from trdplanner.context import AppContext
from trdplanner.core.demo import DEMO_SIGNING_PASSWORD
from trdplanner.core.records import ClinicianRec, PatientProfile
from trdplanner.core.vocab import AttendanceStatus, NoteStatus
from trdplanner.gui.main_window import MainWindow


def _practice(data_dir: Path) -> tuple[AppContext, int, list[int]]:
    ctx = open_plain(data_dir)
    clinician = ctx.practice.add_clinician(ClinicianRec("Dr. Group Lead", "PhD")).id
    assert clinician is not None
    ctx.signing.create_key(clinician, DEMO_SIGNING_PASSWORD)  # the prompt's answer (conftest) signs
    members = [
        ctx.patients.create(PatientProfile(code=f"GV-{i}", full_name=name))
        for i, name in enumerate(("Ada Quill", "Ben Rowe", "Cleo Marsh"), start=1)
    ]
    group = ctx.groups.create("Tuesday DBT skills", "dbt", [clinician])
    for pid in members:
        ctx.groups.add_member(group.id, pid, dt.date(2026, 11, 1))
    ctx.groups.add_meeting(group.id, dt.date(2026, 11, 10))
    return ctx, clinician, members


def _window(qtbot: QtBot, ctx: AppContext, data_dir: Path) -> MainWindow:
    window = MainWindow(ctx, data_dir / "window-state.ini")
    qtbot.addWidget(window)
    window.resize(1024, 700)
    window.show()
    qtbot.waitExposed(window)
    window.activateWindow()
    qtbot.waitUntil(window.isActiveWindow)
    return window


def _combo(window: MainWindow, row: int) -> QComboBox:
    view = window._groups_view
    assert view is not None
    combo = view.attendance.cellWidget(row, 2)
    assert isinstance(combo, QComboBox)
    return combo


def test_ctrl_g_shows_the_group_its_meeting_and_members(qtbot: QtBot, data_dir: Path) -> None:
    ctx, _clinician, _members = _practice(data_dir)
    window = _window(qtbot, ctx, data_dir)
    qtbot.keyClick(window, Qt.Key.Key_G, Qt.KeyboardModifier.ControlModifier)
    assert window.groups_shown()
    view = window._groups_view
    assert view is not None and view.group is not None and view.group.name == "Tuesday DBT skills"
    assert "Tuesday DBT skills" in view.title.text()
    assert view.meeting_list.count() == 1 and "wise mind" in view.plan.text().lower()
    names = [view.attendance.item(r, 1).text() for r in range(view.attendance.rowCount())]
    assert names == ["Ada Quill", "Ben Rowe", "Cleo Marsh"]
    assert all(_combo(window, r).currentData() == "" for r in range(3))  # not taken yet
    assert not window.act_save.isEnabled() and not window.act_print.isEnabled()  # no patient tab in front
    ctx.close()


def test_attendance_gives_a_present_member_their_own_session_and_refuses_nothing_else(
    qtbot: QtBot, data_dir: Path
) -> None:
    ctx, _clinician, (ada, ben, cleo) = _practice(data_dir)
    window = _window(qtbot, ctx, data_dir)
    window.show_groups()
    _combo(window, 0).setCurrentIndex(_combo(window, 0).findData(AttendanceStatus.ATTENDED.value))
    _combo(window, 1).setCurrentIndex(_combo(window, 1).findData(AttendanceStatus.LATE.value))
    _combo(window, 2).setCurrentIndex(_combo(window, 2).findData(AttendanceStatus.ABSENT.value))
    meeting = ctx.groups.get_meeting(window._groups_view.meeting.id)  # type: ignore[union-attr]
    marked = {a.patient_id: a for a in meeting.attendance}
    assert marked[ada].status == "attended" and marked[ada].session_id is not None
    assert marked[ben].status == "late" and marked[ben].session_id is not None
    assert marked[cleo].status == "absent" and marked[cleo].session_id is None
    assert [s.group_name for s in ctx.sessions.list(ada)] == ["Tuesday DBT skills"]
    assert ctx.sessions.list(cleo) == []  # absent: nothing in her record
    # The combos show what is recorded after a reload, not what was clicked.
    assert _combo(window, 2).currentData() == "absent"
    ctx.close()


def test_member_notes_are_written_once_shared_and_signed_one_by_one(qtbot: QtBot, data_dir: Path) -> None:
    ctx, _clinician, (ada, ben, _cleo) = _practice(data_dir)
    window = _window(qtbot, ctx, data_dir)
    window.show_groups()
    view = window._groups_view
    assert view is not None
    for row in (0, 1):
        _combo(window, row).setCurrentIndex(_combo(window, row).findData(AttendanceStatus.ATTENDED.value))
    view.shared.setPlainText("Practised wise mind with the raisin exercise.")
    qtbot.mouseClick(view.save_shared_button, Qt.MouseButton.LeftButton)

    view.select_member(ada)
    assert view.participation.isEnabled() and view.sign_as.currentText() != ""
    view.participation.setPlainText("Took part fully and shared an example.")
    view.risk.setPlainText("Denied thoughts of self-harm when asked.")
    qtbot.mouseClick(view.sign_button, Qt.MouseButton.LeftButton)  # saves the part, then signs
    meeting_id = view.meeting.id  # type: ignore[union-attr]
    ada_note = ctx.groups.member_note(meeting_id, ada)
    ben_note = ctx.groups.member_note(meeting_id, ben)
    assert ada_note is not None and ada_note.status != NoteStatus.DRAFT
    assert ben_note is not None and ben_note.status == NoteStatus.DRAFT  # signed on its own, not with Ada's
    ada_text = " ".join(s.text for s in ada_note.sections)
    ben_text = " ".join(s.text for s in ben_note.sections)
    assert "raisin exercise" in ada_text and "raisin exercise" in ben_text  # the shared part, written once
    assert "shared an example" in ada_text and "shared an example" not in ben_text
    view.select_member(ada)
    assert view.participation.isReadOnly() and not view.sign_button.isEnabled()  # a signed note is locked
    assert view.attendance.item(0, 3).text().startswith("Signed")
    ctx.close()


def test_a_part_naming_another_member_is_refused_and_nothing_is_saved(
    qtbot: QtBot, data_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    ctx, _clinician, (ada, _ben, _cleo) = _practice(data_dir)
    window = _window(qtbot, ctx, data_dir)
    window.show_groups()
    view = window._groups_view
    assert view is not None
    _combo(window, 0).setCurrentIndex(_combo(window, 0).findData(AttendanceStatus.ATTENDED.value))
    view.select_member(ada)
    shown: list[str] = []
    monkeypatch.setattr("trdplanner.gui.groups.view.show_error",
                        lambda _p, title, exc: shown.append(f"{title}: {exc}"))
    view.participation.setPlainText("Sat next to Ben Rowe and argued.")
    assert not view.save_member_part()
    assert shown and "participation" in shown[0].lower()
    assert ctx.groups.member_part(view.meeting.id, ada).participation == ""  # type: ignore[union-attr]
    ctx.close()


def test_open_record_returns_to_the_members_workspace(qtbot: QtBot, data_dir: Path) -> None:
    ctx, _clinician, (ada, _ben, _cleo) = _practice(data_dir)
    window = _window(qtbot, ctx, data_dir)
    window.show_groups()
    view = window._groups_view
    assert view is not None
    view.select_member(ada)
    qtbot.mouseClick(view.open_button, Qt.MouseButton.LeftButton)
    assert not window.groups_shown() and window.current_patient_id() == ada
    window.show_groups()
    window.open_patient(ada)  # the same patient again: back to their workspace
    assert not window.groups_shown()
    ctx.close()


def test_new_group_and_member_from_the_view(qtbot: QtBot, data_dir: Path) -> None:
    ctx, clinician, members = _practice(data_dir)
    extra = ctx.patients.create(PatientProfile(code="GV-9", full_name="Dev Ines"))
    window = _window(qtbot, ctx, data_dir)
    window.show_groups()
    view = window._groups_view
    assert view is not None
    from tests.gui.conftest import when_dialog
    from trdplanner.gui.groups.dialogs import AddMemberDialog, NewGroupDialog

    def fill_group(d: NewGroupDialog) -> None:
        d.name.setText("MBCT course, spring")
        d.modality.setCurrentIndex(d.modality.findData("mbct"))
        d.buttons.accepted.emit()

    when_dialog(NewGroupDialog, fill_group)
    view.new_group()
    assert view.group is not None and view.group.name == "MBCT course, spring"
    assert [f.clinician_id for f in view.group.facilitators] == [clinician]

    def fill_member(d: AddMemberDialog) -> None:
        d.patient.setCurrentIndex(d.patient.findData(extra))
        d.buttons.accepted.emit()

    when_dialog(AddMemberDialog, fill_member)
    view.add_member()
    assert [m.patient_id for m in view.group.members] == [extra]
    assert view.members.rowCount() == 1 and view.members.item(0, 0).text() == "GV-9"
    assert len(members) == 3 and ctx.groups.get(view.group.id).members[0].joined_on == dt.date.today()
    ctx.close()


def test_prints_from_the_view_name_each_member_alone_and_are_recorded_for_each(
    qtbot: QtBot, data_dir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    ctx, _clinician, (ada, ben, cleo) = _practice(data_dir)
    window = _window(qtbot, ctx, data_dir)
    window.show_groups()
    view = window._groups_view
    assert view is not None and view.print_button.isVisible()
    for row, status in ((0, AttendanceStatus.ATTENDED), (1, AttendanceStatus.LATE), (2, AttendanceStatus.ABSENT)):
        _combo(window, row).setCurrentIndex(_combo(window, row).findData(status.value))

    sheet = view.print_attendance()
    assert sheet is not None
    qtbot.waitUntil(lambda: sheet.preview.page_count() > 0, timeout=20000)
    text = " ".join(page_texts(sheet.preview.data))
    assert "Ada Quill" in text or "GV-1" in text
    sheet.close()

    batch = view.print_homework()
    assert batch is not None
    qtbot.waitUntil(lambda: batch.preview.page_count() > 0, timeout=30000)
    pages = page_texts(batch.preview.data)
    codes = {"GV-1": ada, "GV-2": ben, "GV-3": cleo}
    for page in pages:  # each page names one member, never an absent one
        named = {code for code in codes if code in page}
        assert len(named) == 1 and "GV-3" not in named, page[:200]
    monkeypatch.setattr(batch.preview, "choose_save_path", lambda: str(tmp_path / "homework.pdf"))
    before = len(ctx.audit.list(500, action="document.print"))
    assert batch.preview.save_as() == tmp_path / "homework.pdf"
    after = ctx.audit.list(500, action="document.print")  # newest first
    printed = after[: len(after) - before]
    assert sorted(e.object_id for e in printed) == sorted(str(p) for p in (ada, ben))  # once for each
    batch.close()
    ctx.close()


def test_the_mouse_wheel_over_an_attendance_box_scrolls_and_never_changes_attendance(
    qtbot: QtBot, data_dir: Path
) -> None:
    from PySide6.QtCore import QPoint, QPointF
    from PySide6.QtGui import QWheelEvent
    from PySide6.QtWidgets import QApplication

    ctx, _clinician, (ada, _ben, _cleo) = _practice(data_dir)
    window = _window(qtbot, ctx, data_dir)
    window.show_groups()
    view = window._groups_view
    assert view is not None
    box = _combo(window, 0)
    box.setCurrentIndex(box.findData(AttendanceStatus.LATE.value))
    box = _combo(window, 0)  # rebuilt after saving
    window.patients.search.setFocus()  # the pointer passes over the box; the keyboard is elsewhere
    centre = QPointF(box.rect().center())
    wheel = QWheelEvent(centre, QPointF(box.mapToGlobal(centre.toPoint())), QPoint(0, 0), QPoint(0, -120),
                        Qt.MouseButton.NoButton, Qt.KeyboardModifier.NoModifier, Qt.ScrollPhase.NoScrollPhase, False)
    QApplication.sendEvent(box, wheel)
    assert box.currentData() == "late"
    meeting = ctx.groups.get_meeting(view.meeting.id)  # type: ignore[union-attr]
    assert [a.status for a in meeting.attendance if a.patient_id == ada] == ["late"]
    ctx.close()


def test_after_taking_attendance_the_keyboard_stays_in_the_attendance_table(qtbot: QtBot, data_dir: Path) -> None:
    from PySide6.QtWidgets import QApplication

    ctx, _clinician, _members = _practice(data_dir)
    window = _window(qtbot, ctx, data_dir)
    window.show_groups()
    view = window._groups_view
    assert view is not None
    box = _combo(window, 1)
    box.setFocus()
    box.setCurrentIndex(box.findData(AttendanceStatus.ATTENDED.value))
    focused = QApplication.focusWidget()
    assert focused is _combo(window, 1)  # the rebuilt row's box, not the patient search
    assert not window.patients.isAncestorOf(focused)
    ctx.close()
