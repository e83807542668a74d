"""GUI start-up: the QApplication and the main window on an opened AppContext."""

from __future__ import annotations

import sys

from trdplanner.context import AppContext


def run_gui(ctx: AppContext) -> int:
    from PySide6.QtWidgets import QApplication

    from trdplanner.gui.main_window import MainWindow

    app = QApplication.instance() or QApplication(sys.argv[:1])
    app.setApplicationName("TRD Planner")
    app.setOrganizationName("TRDPlanner")
    window = MainWindow(ctx.patients, ctx.paths.data_dir / "window-state.ini")
    window.show()
    return int(app.exec())
