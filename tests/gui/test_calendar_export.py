"""File → Export to calendar…: the window writes the same print-code-only .ics as the command."""

from __future__ import annotations

from pathlib import Path

import pytest
from icalendar import Calendar
from PySide6.QtWidgets import QMessageBox
from pytestqt.qtbot import QtBot

from tests.gui.conftest import open_plain, when_dialog
from trdplanner.core.demo import create_demo
from trdplanner.gui import calendar_export
from trdplanner.gui.main_window import MainWindow


def _summaries(path: Path) -> list[str]:
    return [str(e["SUMMARY"]) for e in Calendar.from_ical(path.read_bytes()).walk("VEVENT")]


def test_export_to_calendar_from_the_file_menu(
    qtbot: QtBot, data_dir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    ctx = open_plain(data_dir)
    create_demo(ctx)
    window = MainWindow(ctx, data_dir / "window-state.ini")
    qtbot.addWidget(window)
    window.show()
    qtbot.waitExposed(window)
    file_menu = window.menuBar().actions()[0].menu()
    assert window.act_calendar in file_menu.actions()

    target = tmp_path / "practice"  # no suffix typed: .ics is added
    monkeypatch.setattr(calendar_export, "choose_path", lambda parent, suggested: str(target))
    window.act_calendar.trigger()  # no patient open: the whole practice, no question asked
    written = tmp_path / "practice.ics"
    summaries = _summaries(written)
    assert len(summaries) == len(ctx.calendar.planned()) >= 6
    text = written.read_text(encoding="utf-8")
    for p in ctx.patients.summaries(status=None):
        assert p.full_name not in text and p.primary_diagnosis not in text
        assert (p.code in text) == (p.status == "active"), p.code

    pid = ctx.patients.id_for_code("DEMO-03")
    assert pid is not None
    window.open_patient(pid)
    target = tmp_path / "one.ics"
    when_dialog(QMessageBox, lambda box: next(b for b in box.buttons() if b.text() == "Only DEMO-03").click())
    window.act_calendar.trigger()
    assert _summaries(target) == ["Session 8 · DEMO-03"]

    target = tmp_path / "cancelled.ics"
    when_dialog(QMessageBox, lambda box: box.button(QMessageBox.StandardButton.Cancel).click())
    window.act_calendar.trigger()
    assert not target.exists()
    ctx.close()
