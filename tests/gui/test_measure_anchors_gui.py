"""The measure-entry form shows each item's own answer anchors: QIDS-SR16 item by item, HAM-D17 too."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtTest import QTest
from pytestqt.qtbot import QtBot

from trdplanner.clinical import Instrument
from trdplanner.clinical.anchors import answer_anchors
from trdplanner.gui.workspace.measure_entry import MeasureEntry


def _choose(entry: MeasureEntry, instrument: Instrument) -> None:
    entry.instrument.setCurrentIndex(entry.instrument.findData(str(instrument)))


def test_qids_rows_show_their_own_anchors_and_the_chosen_one(qtbot: QtBot) -> None:
    entry = MeasureEntry()
    qtbot.addWidget(entry)
    entry.resize(900, 640)
    entry.show()
    _choose(entry, Instrument.QIDS_SR16)
    qids = answer_anchors(Instrument.QIDS_SR16)
    assert len(entry.rows) == 16
    # Before an answer: the ends of that item's own scale.
    assert entry.rows[3].anchor.text() == f"0 = {qids[3][0]} … 3 = {qids[3][3]}"
    assert entry.rows[0].anchor.text() != entry.rows[4].anchor.text()
    # Typing a score shows what it means for that item.
    row = entry.rows[11]
    row.setFocus()
    QTest.keyClick(row, Qt.Key.Key_2)
    assert row.value == 2 and row.anchor.text() == f"2 = {qids[11][2]}"
    tips = [b.toolTip() for b in row.group.buttons()]
    assert tips[3] == f"3: {qids[11][3]}"


def test_hamd_rows_show_hamiltons_points(qtbot: QtBot) -> None:
    entry = MeasureEntry()
    qtbot.addWidget(entry)
    _choose(entry, Instrument.HAMD17)
    assert len(entry.rows) == 17
    assert "weighed" in entry.rows[15].anchor.text()
    assert entry.rows[2].anchor.text().endswith("Suicide attempt (any serious attempt rates 4)")
