"""Regenerate the README screenshots from the demo practice (synthetic patients only).

    xvfb-run -s "-screen 0 1280x720x24" env PYTHONPATH=. python docs/screenshots/make_screenshots.py

Runs on a throwaway data dir; nothing touches your own data.
"""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path
from typing import Any

from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication, QWidget

OUT = Path(__file__).resolve().parent
SIZE = (1280, 720)  # a common laptop screen: what fits here fits most


def _open_plain(cls: Any, data_dir: Path) -> Any:
    """A plain (unencrypted) practice, on builds with and without database encryption."""
    import inspect

    if "encrypt_new" in inspect.signature(cls.open).parameters:
        return cls.open(str(data_dir), encrypt_new=False)
    return cls.open(str(data_dir))


def main() -> int:
    from trdplanner.app import _application
    from trdplanner.context import AppContext
    from trdplanner.core.demo import create_demo
    from trdplanner.core.demo_group import create_demo_group
    from trdplanner.gui.main_window import MainWindow
    from trdplanner.gui.patient_tab import TabKey
    from trdplanner.gui.preferences import PreferencesDialog
    from trdplanner.gui.workspace.measure_entry import AcknowledgeDialog

    app = _application()
    data = Path(tempfile.mkdtemp(prefix="trd-shots-"))
    ctx = _open_plain(AppContext, data)
    create_demo(ctx)
    window = MainWindow(ctx, data / "window-state.ini")
    window.resize(*SIZE)
    window.show()

    def settle(ms: int = 700) -> None:  # wrapped labels take a few passes to find their height
        loop_end = QTimer()
        loop_end.setSingleShot(True)
        loop_end.start(ms)
        while loop_end.isActive():
            app.processEvents()

    def shot(widget: QWidget, name: str) -> None:
        settle()
        widget.grab().save(str(OUT / f"{name}.png"))
        print("wrote", name)

    settle(600)
    shot(window, "patient-list")
    pid = ctx.patients.id_for_code("DEMO-05")
    assert pid is not None
    window.open_patient(pid)
    ws = window.workspace
    for title, name in ((TabKey.OVERVIEW, "overview"), (TabKey.HISTORY, "history"), (TabKey.PLAN, "plan")):
        ws.show_tab(title)
        shot(window, name)
    ws.show_tab(TabKey.PROFILE)  # with a mistake, to show validation at the field
    ws.profile.icd10.setText("F3.3")
    ws.profile.email.setText("nell.marsh@")
    ws.profile._edited()
    ws.profile.validate()
    shot(window, "profile")
    ws.profile.discard_changes()

    ws.show_tab(TabKey.HISTORY)
    ws.history.table.selectRow(1)
    assert ws.history.summary is not None
    dialog = ws.history._dialog(ws.history.summary.trials[1])
    dialog.show()
    shot(dialog, "trial-dialog")
    dialog.close()

    ws.show_tab(TabKey.MEASURES)
    entry = ws.measures.entry
    entry.focus_first()
    for row, value in zip(entry.rows, (2, 2, 1, 2, 1, 1, 1), strict=False):
        row.set_value(value)
    entry._update()
    entry.rows[7].setFocus()
    shot(window, "measures")
    summary = ws.measures.summary
    assert summary is not None and summary.open_alerts
    ack = AcknowledgeDialog(summary.open_alerts[-1].record, [c.display for c in ctx.practice.clinicians()], window)
    ack.show()
    shot(ack, "item9-alert")
    ack.close()
    entry.reset()

    ws.show_tab(TabKey.SESSIONS)  # the newest session opens by itself, in session order: plan, forms, homework, note
    shot(window, "sessions")
    ws.sessions.pages.setCurrentWidget(ws.sessions.note)
    shot(window, "sessions-note")
    safety = ws.sessions.safety_plan()
    assert safety is not None
    shot(safety, "safety-plan")
    safety.close()
    ws.show_tab(TabKey.NOTES)
    ws.notes.search.setText("sleep")
    ws.notes.refresh()
    ws.notes.table.selectRow(0)
    shot(window, "notes-search")
    ws.notes.clear_filters()

    prefs = PreferencesDialog(ctx.settings, window)
    prefs.show()
    shot(prefs, "preferences")
    prefs.close()

    window.patients.trd.setChecked(True)
    window.patients.search.setText("recurrent")
    shot(window, "search-and-filter")
    window.patients.trd.setChecked(False)
    window.patients.search.clear()

    # The Groups view (Ctrl+G): the demo DBT group's second meeting, one member's own note part.
    create_demo_group(ctx)

    def show_group_meeting() -> None:
        window.show_groups()
        view = window._groups_view
        assert view is not None
        view.meeting_list.setCurrentRow(1)
        view.attendance.selectRow(0)

    show_group_meeting()
    shot(window, "groups")
    window.open_patient(pid)  # back to the patient's workspace

    import os

    from trdplanner.gui.theme import THEME_ENV, apply_theme

    os.environ[THEME_ENV] = "dark"
    apply_theme(app)
    window.workspace.show_tab(TabKey.OVERVIEW)
    shot(window, "overview-dark")
    window.resize(1024, 700)  # the smallest screen the app is laid out for
    window.workspace.show_tab(TabKey.MEASURES)
    shot(window, "measures-1024-dark")
    show_group_meeting()
    shot(window, "groups-1024-dark")

    window.close()
    ctx.close()
    QApplication.processEvents()
    return 0


if __name__ == "__main__":
    sys.exit(main())
