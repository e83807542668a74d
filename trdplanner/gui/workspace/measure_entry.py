"""Entering a measure item by item, with the live total, band and flags; acknowledging alerts.

Keyboard: on an item, a digit scores it and moves to the next item, so a whole PHQ-9
is nine key presses. Tab and Shift+Tab move between items without scoring.
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QFocusEvent, QKeyEvent
from PySide6.QtWidgets import (
    QButtonGroup,
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QFrame,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QScrollArea,
    QSpinBox,
    QStackedWidget,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from trdplanner.clinical import FLAG_TEXT, ScoreFlag, score, spec
from trdplanner.clinical.anchors import answer_anchors
from trdplanner.gui.dates import DateField
from trdplanner.gui.theme import hex_colour
from trdplanner.gui.workspace.base import Banner, esc, rich_label

if TYPE_CHECKING:
    from trdplanner.core.records import MeasureRec

ITEMISED = ("phq9", "gad7", "qids_sr16", "hamd17")
TOTAL_ONLY = ("madrs", "bdi2")


class ItemRow(QFrame):
    """One item: its label and a button per allowed score. Digits score it from the keyboard."""

    scored = Signal(int)  # the row index, after a digit or click set the score

    def __init__(self, index: int, label: str, maximum: int, suicidality: bool, parent: QWidget | None = None,
                 anchors: tuple[str, ...] = ()):
        super().__init__(parent)
        self.index = index
        self.maximum = maximum
        self.anchors = anchors
        self.value: int | None = None
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        self.setObjectName("itemRow")
        hint = " — a positive answer raises a suicidality alert" if suicidality else ""
        self.setToolTip(f"Item {index + 1}: type 0 to {maximum} to score it and move on{hint}")
        layout = QHBoxLayout(self)
        layout.setContentsMargins(6, 2, 6, 2)
        self.label = QLabel(f"<b>{index + 1}.</b> {esc(label)}")
        self.label.setWordWrap(True)
        # What the chosen score means (or the ends of the scale), in words, under the item.
        self.anchor = QLabel()
        self.anchor.setWordWrap(True)
        self.anchor.setProperty("role", "muted")
        text_box = QVBoxLayout()
        text_box.setSpacing(0)
        text_box.addWidget(self.label)
        text_box.addWidget(self.anchor)
        layout.addLayout(text_box, 1)
        self.group = QButtonGroup(self)
        self.group.setExclusive(True)
        for v in range(maximum + 1):
            b = QToolButton()
            b.setText(str(v))
            b.setCheckable(True)
            b.setFocusPolicy(Qt.FocusPolicy.NoFocus)
            b.setFixedWidth(34)
            meaning = anchors[v] if v < len(anchors) else ""
            b.setToolTip(f"{v}: {meaning}" if meaning else f"Score item {index + 1} as {v}")
            b.setAccessibleName(f"Item {index + 1}, {v}" + (f": {meaning}" if meaning else ""))
            self.group.addButton(b, v)
            layout.addWidget(b)
        for _ in range(4 - maximum):  # keep the columns of buttons aligned across 0-2 and 0-4 items
            spacer = QWidget()
            spacer.setFixedWidth(34)  # the layout adds the spacing itself
            layout.addWidget(spacer)
        self.group.idClicked.connect(self._clicked)
        self._suicidality = suicidality
        self._restyle()

    def _clicked(self, v: int) -> None:
        self.value = v
        self._restyle()
        self.scored.emit(self.index)

    def set_value(self, v: int | None) -> None:
        self.value = v
        self.group.setExclusive(False)
        for b in self.group.buttons():
            b.setChecked(v is not None and self.group.id(b) == v)
        self.group.setExclusive(True)
        self._restyle()

    def keyPressEvent(self, event: QKeyEvent) -> None:
        text = event.text()
        if text.isdigit() and int(text) <= self.maximum:
            self.set_value(int(text))
            self.scored.emit(self.index)
            return
        if event.key() in (Qt.Key.Key_Delete, Qt.Key.Key_Backspace):
            self.set_value(None)
            self.scored.emit(-1)
            return
        if event.key() == Qt.Key.Key_Down:
            self.focusNextChild()
            return
        if event.key() == Qt.Key.Key_Up:
            self.focusPreviousChild()
            return
        super().keyPressEvent(event)

    def focusInEvent(self, event: QFocusEvent) -> None:
        super().focusInEvent(event)
        self._restyle()

    def focusOutEvent(self, event: QFocusEvent) -> None:
        super().focusOutEvent(event)
        self._restyle()

    def _restyle(self) -> None:
        border = hex_colour("accent") if self.hasFocus() else "transparent"
        bg = hex_colour("danger_bg") if self._suicidality and self.value else "transparent"
        # The chosen answer is filled, bold and ticked: it differs by more than colour.
        self.setStyleSheet(
            f"QFrame#itemRow {{ border: 2px solid {border}; border-radius: 4px; background: {bg}; }}"
            f"QToolButton:checked {{ background: {hex_colour('selected_bg')}; color: {hex_colour('selected_text')};"
            f" font-weight: 700; border: 1px solid {hex_colour('selected_bg')}; border-radius: 3px; }}"
        )
        for b in self.group.buttons():
            v = self.group.id(b)
            b.setText(f"✓{v}" if b.isChecked() else str(v))
        if self.anchors:
            if self.value is not None and self.value < len(self.anchors):
                self.anchor.setText(f"{self.value} = {self.anchors[self.value]}")
            else:
                self.anchor.setText(f"0 = {self.anchors[0]} … {self.maximum} = {self.anchors[self.maximum]}")
        self.anchor.setVisible(bool(self.anchors))


class MeasureEntry(QWidget):
    """Pick an instrument and date, score it, see total, band and flags as you go."""

    ready_changed = Signal(bool)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.instrument = QComboBox()
        for key in (*ITEMISED, *TOTAL_ONLY):
            s = spec(key)
            self.instrument.addItem(s.display_name + ("" if s.items_storable else " (total only)"), key)
        self.instrument.setToolTip("The measure to enter. MADRS and BDI-II are copyrighted: only the total is kept")
        self.instrument.currentIndexChanged.connect(self._build)
        self.taken_on = DateField(tip="The day the measure was completed")
        self.taken_on.set_value(dt.date.today())
        self.taken_on.dateChanged.connect(self._update)
        top = QFormLayout()
        top.addRow("Measure", self.instrument)
        top.addRow("Completed on", self.taken_on)

        self.items_box = QWidget()
        self.items_layout = QVBoxLayout(self.items_box)
        self.items_layout.setContentsMargins(0, 0, 0, 0)
        self.items_layout.setSpacing(1)
        self.items_layout.addStretch(1)
        scroll = QScrollArea()
        scroll.setFocusPolicy(Qt.FocusPolicy.NoFocus)  # Tab goes to the fields, not the frame
        scroll.setWidgetResizable(True)
        scroll.setWidget(self.items_box)
        scroll.setFrameShape(QScrollArea.Shape.NoFrame)
        self.total_spin = QSpinBox()
        self.total_spin.setToolTip("The total score as the clinician rated it")
        self.total_spin.valueChanged.connect(self._update)
        self.total_spin.valueChanged.connect(self._total_typed)
        self._total_entered = False  # a total-only measure's score was set by hand (0 is a score too)
        total_page = QWidget()
        tp = QFormLayout(total_page)
        tp.addRow("Total", self.total_spin)
        self.total_note = rich_label(muted=True)
        tp.addRow(self.total_note)
        self.pages = QStackedWidget()
        self.pages.addWidget(scroll)
        self.pages.addWidget(total_page)

        self.result = QLabel()
        self.result.setTextFormat(Qt.TextFormat.RichText)
        self.result.setToolTip("Live total and severity band")
        self.flags = Banner("danger")
        self.flags.setVisible(False)

        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addLayout(top)
        layout.addWidget(self.pages, 1)
        layout.addWidget(self.result)
        layout.addWidget(self.flags)
        self.rows: list[ItemRow] = []
        self._build()

    @property
    def key(self) -> str:
        return str(self.instrument.currentData())

    def _build(self) -> None:
        for row in self.rows:
            row.hide()
            self.items_layout.removeWidget(row)
            row.setParent(None)
            row.deleteLater()
        self.rows = []
        s = spec(self.key)
        anchors = answer_anchors(s.instrument)
        if s.items_storable:
            for i, (label, rng) in enumerate(zip(s.item_labels, s.item_ranges, strict=True)):
                row = ItemRow(i, label, rng.maximum, s.suicidality_item == i + 1,
                              anchors=anchors[i] if i < len(anchors) else ())
                row.scored.connect(self._advance)
                self.items_layout.insertWidget(len(self.rows), row)
                self.rows.append(row)
            self.pages.setCurrentIndex(0)
            for a, b in zip(self.rows, self.rows[1:], strict=False):
                QWidget.setTabOrder(a, b)
        else:
            self.total_spin.setRange(s.total_min, s.total_max)
            self.total_spin.setValue(s.total_min)
            self._total_entered = False
            self.total_note.setText(f"{s.display_name} items are copyrighted, so only the total is stored. Its "
                                    "suicidality item is unknown to the app: ask about it directly.")
            self.pages.setCurrentIndex(1)
        self._update()

    def reset(self) -> None:
        for row in self.rows:
            row.set_value(None)
        self.total_spin.setValue(self.total_spin.minimum())
        self._total_entered = False
        self.taken_on.set_value(dt.date.today())
        self._update()

    def _total_typed(self, _value: int) -> None:
        self._total_entered = True

    def has_input(self) -> bool:
        """Anything scored that is not saved yet (asked about before the patient changes)."""
        if self.rows:
            return any(r.value is not None for r in self.rows)
        return self._total_entered

    def focus_first(self) -> None:
        (self.rows[0] if self.rows else self.total_spin).setFocus(Qt.FocusReason.TabFocusReason)

    def _advance(self, index: int) -> None:
        self._update()
        if 0 <= index < len(self.rows) - 1:
            self.rows[index + 1].setFocus(Qt.FocusReason.TabFocusReason)
        elif index == len(self.rows) - 1:
            self.rows[index].setFocus()

    def values(self) -> tuple[list[Any] | None, int | None]:
        """(items, None) for itemised measures, (None, total) for total-only ones; items may hold None."""
        if self.rows:
            return [r.value for r in self.rows], None
        return None, self.total_spin.value()

    def is_complete(self) -> bool:
        items, _total = self.values()
        return items is None or all(v is not None for v in items)

    def set_items(self, items: list[int]) -> None:
        for row, v in zip(self.rows, items, strict=True):
            row.set_value(v)
        self._update()

    def _update(self, *_args: object) -> None:
        s = spec(self.key)
        items, total = self.values()
        done = self.is_complete()
        muted = hex_colour("muted")
        if items is not None and not done:
            partial = sum(v for v in items if v is not None)
            left = sum(1 for v in items if v is None)
            self.result.setText(f"<span style='font-size:13pt'>Total so far <b>{partial}</b></span> "
                                f"<span style='color:{muted}'>· {left} item{'s' if left != 1 else ''} to go</span>")
            positive = s.suicidality_item is not None and (items[s.suicidality_item - 1] or 0) > 0
            self._show_flags([ScoreFlag.PHQ9_ITEM9_POSITIVE if self.key == "phq9" else
                              ScoreFlag.SUICIDALITY_ITEM_POSITIVE] if positive else [])
            self.ready_changed.emit(False)
            return
        result = score(self.key, items=items, total=total)
        self.result.setText(f"<span style='font-size:13pt'>Total <b>{result.total}</b> of {result.max_total}"
                            f" · <b>{esc(result.severity)}</b></span> <span style='color:{muted}'>"
                            f"({esc(s.severity_source)})</span>")
        self._show_flags(list(result.alert_flags))
        self.ready_changed.emit(True)

    def _show_flags(self, flags: list[ScoreFlag]) -> None:
        shown = flags  # already one per finding (Score.alert_flags)
        if not shown:
            self.flags.setVisible(False)
            return
        danger = any(f in (ScoreFlag.PHQ9_ITEM9_POSITIVE, ScoreFlag.SUICIDALITY_ITEM_POSITIVE) for f in shown)
        self.flags.set_level("danger" if danger else "warning")
        self.flags.text.setText("<br>".join(("⚠ " if danger else "") + esc(FLAG_TEXT[f]) for f in shown))
        self.flags.setVisible(True)


class AcknowledgeDialog(QDialog):
    """The clinician confirms they have seen a positive suicidality item. Who and when are stored."""

    def __init__(self, measure: MeasureRec, clinicians: list[str], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Suicidality alert")
        s = spec(measure.instrument)
        flag = ScoreFlag.PHQ9_ITEM9_POSITIVE if measure.instrument == "phq9" else ScoreFlag.SUICIDALITY_ITEM_POSITIVE
        item = s.suicidality_item or 0
        answer = measure.items[item - 1] if measure.items and item else None
        banner = Banner("danger")
        banner.text.setText(
            f"<b>⚠ {s.display_name} of {measure.taken_on.isoformat()}: item {item} scored {answer}.</b><br>"
            f"{esc(FLAG_TEXT[flag])}")
        self.who = QComboBox()
        self.who.setEditable(True)
        self.who.addItems(clinicians)
        self.who.setToolTip("The clinician who reviewed the alert; stored with the time")
        self.confirm = QCheckBox("I have reviewed this alert and acted on it (risk assessment, safety plan)")
        self.confirm.setToolTip("Required: the alert stays open until a clinician confirms this")
        form = QFormLayout()
        form.addRow("Reviewed by", self.who)
        form.addRow(self.confirm)
        note = rich_label("The flag stays on the score after acknowledgement; only who and when are added.",
                          muted=True)
        self.buttons = QDialogButtonBox()
        self.ack = QPushButton("Acknowledge")
        self.ack.setToolTip("Record that you reviewed the alert, with your name and the time")
        self.ack.setEnabled(False)
        self.later = QPushButton("Not now")
        self.later.setToolTip("Leave the alert open; it stays on the overview and the patient list")
        self.buttons.addButton(self.ack, QDialogButtonBox.ButtonRole.AcceptRole)
        self.buttons.addButton(self.later, QDialogButtonBox.ButtonRole.RejectRole)
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        self.confirm.toggled.connect(self._ready)
        self.who.editTextChanged.connect(self._ready)
        layout = QVBoxLayout(self)
        layout.addWidget(banner)
        layout.addLayout(form)
        layout.addWidget(note)
        layout.addWidget(self.buttons)
        self.resize(520, self.sizeHint().height())
        self.confirm.setFocus()

    def _ready(self, *_args: object) -> None:
        self.ack.setEnabled(self.confirm.isChecked() and bool(self.who.currentText().strip()))

    def clinician(self) -> str:
        return self.who.currentText().strip()


def acknowledge(parent: QWidget, ctx, measure: MeasureRec) -> bool:
    """Ask for acknowledgement and store it. True when the alert was acknowledged."""
    from trdplanner.gui.dialogs import show_error

    try:
        names = [c.display for c in ctx.practice.clinicians()]
    except Exception as exc:
        show_error(parent, "Could not list the clinicians", exc)
        names = []
    dialog = AcknowledgeDialog(measure, names, parent)
    if not dialog.exec():
        return False
    try:
        assert measure.id is not None
        ctx.measures.acknowledge_alert(measure.id, dialog.clinician())
    except Exception as exc:
        show_error(parent, "Could not record the acknowledgement", exc)
        return False
    return True


__all__ = ["AcknowledgeDialog", "MeasureEntry", "acknowledge"]
