"""The Measures history reads at 1024x700 and 1280x720: no shown column is cut, and the chosen row
is given in full under the table (band and change included when their columns make way)."""
# ruff: noqa: F811  (pytest fixtures imported from sessions_support)

from __future__ import annotations

from pathlib import Path

import pytest
from pytestqt.qtbot import QtBot
from sessions_support import ctx  # noqa: F401

from trdplanner.context import AppContext
from trdplanner.gui.main_window import MainWindow
from trdplanner.gui.workspace.measures import BAND, CHANGE


@pytest.mark.parametrize("size", [(1024, 700), (1280, 720)], ids=lambda s: f"{s[0]}x{s[1]}")
def test_history_columns_are_not_cut(qtbot: QtBot, ctx: AppContext, tmp_path: Path, size: tuple[int, int]) -> None:
    window = MainWindow(ctx, tmp_path / "state.ini")
    qtbot.addWidget(window)
    window.resize(*size)
    window.show()
    qtbot.waitExposed(window)
    pid = ctx.patients.id_for_code("DEMO-05")
    assert pid is not None
    window.open_patient(pid)
    ws = window.workspace
    ws.show_widget(ws.measures)
    table = ws.measures.history
    qtbot.waitUntil(lambda: table.rowCount() > 3)

    def cut() -> list[str]:
        out = []
        for c in range(table.columnCount()):
            if table.isColumnHidden(c):
                continue
            need = max(table.sizeHintForColumn(c), table.horizontalHeader().sectionSizeHint(c))
            if table.columnWidth(c) < need:
                out.append(f"{table.horizontalHeaderItem(c).text()}: {table.columnWidth(c)} < {need}")
        return out

    qtbot.waitUntil(lambda: not cut(), timeout=3000)
    shown = [c for c in range(table.columnCount()) if not table.isColumnHidden(c)]
    assert {0, 1, 2, 5} <= set(shown)  # date, measure, total and alert always
    if size[0] >= 1280:
        assert BAND in shown and CHANGE in shown  # a 1280-pixel laptop has room for every column
    assert sum(table.columnWidth(c) for c in shown) <= table.viewport().width()
    assert not table.horizontalScrollBar().isVisible()
    # The chosen row in full under the table, whichever columns are shown.
    table.selectRow(0)
    details = ws.measures.details.text()
    date, name, total, band = (table.item(0, c).text() for c in (0, 1, 2, BAND))
    assert date in details and f"{name} {total}, {band}" in details
    if table.item(0, CHANGE).text():
        assert f"change {table.item(0, CHANGE).text()}" in details
    window.grab().save(str(tmp_path / "measures.png"))
