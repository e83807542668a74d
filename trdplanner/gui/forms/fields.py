"""One editor widget per input field type, driven only by the template's definition.

Every editor offers the same small interface (``value``, ``set_value``, ``set_error``, the
``changed`` signal), returns raw values that :func:`trdplanner.catalog.validate_instance`
cleans and checks, and can be blank: a form never invents an answer the client did not give.
``compact`` editors fit in a table cell.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from PySide6.QtCore import QObject, Qt, Signal
from PySide6.QtGui import QAction
from PySide6.QtWidgets import (
    QAbstractButton,
    QButtonGroup,
    QCheckBox,
    QComboBox,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QMenu,
    QPlainTextEdit,
    QSpinBox,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from trdplanner.catalog import Column, Field, FieldType
from trdplanner.gui import dates
from trdplanner.gui.forms.errors import innermost, is_invalid, mark_invalid

Shape = Field | Column

# Scales with more points than this get a spin box instead of a row of buttons.
MAX_BUTTON_POINTS = 11


def anchors_text(shape: Shape) -> str:
    return "   ·   ".join(f"{a.value} = {a.label}" for a in shape.anchors)


def range_hint(shape: Shape) -> str:
    if shape.min is not None and shape.max is not None:
        return f"{shape.min:g} to {shape.max:g}"
    if shape.min is not None:
        return f"{shape.min:g} or more"
    if shape.max is not None:
        return f"up to {shape.max:g}"
    return ""


def quietly(obj: QObject, setter: Any, value: Any) -> None:
    """Call ``setter(value)`` with ``obj``'s signals blocked.

    Not ``with QSignalBlocker(obj)``: in PySide6 6.12 its ``__exit__`` drops a reference to
    None it does not own, which crashes the interpreter once enough have piled up.
    """
    was = obj.blockSignals(True)
    try:
        setter(value)
    finally:
        obj.blockSignals(was)


class Editor(QWidget):
    """Base class: a blank-able editor for one value."""

    changed = Signal()
    error_in_tooltip = True  # False where the tooltip already explains the field (dates)

    def __init__(self, shape: Shape, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.shape = shape
        self._layout = QHBoxLayout(self)
        self._layout.setContentsMargins(0, 0, 0, 0)
        self._layout.setSpacing(4)
        self.setToolTip(shape.help or shape.label)
        self.changed.connect(self._edited)

    def value(self) -> Any:
        raise NotImplementedError

    def set_value(self, value: Any) -> None:
        raise NotImplementedError

    def focus_widget(self) -> QWidget:
        return innermost(self)

    def set_error(self, message: str | None) -> None:
        """Mark the editor wrong (``forms/errors.py``: frame, description) or clear the mark.

        The message in words is shown under the field by the form (``FieldBox``); a table cell has
        no room for it, so it is in the tooltip as well."""
        mark_invalid(self, message)
        target = self.focus_widget()
        if self.error_in_tooltip:
            target.setToolTip(f"{message}\n\n{self.shape.help or ''}".strip() if message else self.shape.help or "")

    def _edited(self) -> None:
        if is_invalid(self):
            self.set_error(None)  # cleared as soon as the field is edited

    def _add(self, widget: QWidget, stretch: int = 0) -> None:
        self._layout.addWidget(widget, stretch)


class ShortTextEditor(Editor):
    def __init__(self, shape: Shape, compact: bool = False, parent: QWidget | None = None) -> None:
        super().__init__(shape, parent)
        self.edit = QLineEdit()
        if shape.max_length:
            self.edit.setMaxLength(shape.max_length)
        self.edit.setToolTip(shape.help or shape.label)
        self.edit.setAccessibleName(shape.label)
        self.edit.textChanged.connect(self.changed)
        self._add(self.edit, 1)
        self.setFocusProxy(self.edit)

    def value(self) -> str | None:
        return self.edit.text() or None

    def set_value(self, value: Any) -> None:
        self.edit.setText("" if value is None else str(value))


class PlainText(QPlainTextEdit):
    """Multi-line text where Tab moves on (keyboard users) and Ctrl+Z/Ctrl+Shift+Z undo/redo."""

    def __init__(self, lines: int, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setTabChangesFocus(True)
        self.setLineWrapMode(QPlainTextEdit.LineWrapMode.WidgetWidth)
        # As tall as the printed sheet's lines (it scrolls inside after that), so a form reads
        # like the page instead of every box stretching to fill the window.
        self.setFixedHeight(self.fontMetrics().lineSpacing() * lines + 14)


class LongTextEditor(Editor):
    def __init__(self, shape: Shape, compact: bool = False, parent: QWidget | None = None) -> None:
        super().__init__(shape, parent)
        hint = getattr(shape, "print", None)
        lines = 2 if compact else max(2, min(6, (hint.lines if hint and hint.lines else 3)))
        self.edit = PlainText(lines)
        self.edit.setToolTip(shape.help or shape.label)
        self.edit.setAccessibleName(shape.label)
        self.edit.textChanged.connect(self.changed)
        self._add(self.edit, 1)
        self.setFocusProxy(self.edit)

    def value(self) -> str | None:
        return self.edit.toPlainText() or None

    def set_value(self, value: Any) -> None:
        text = "" if value is None else str(value)
        if text != self.edit.toPlainText():
            self.edit.setPlainText(text)


class NumberEditor(Editor):
    """Typed as text so a slip shows as a message at the field instead of being silently eaten."""

    def __init__(self, shape: Shape, compact: bool = False, parent: QWidget | None = None) -> None:
        super().__init__(shape, parent)
        self.edit = QLineEdit()
        kind = "whole number" if shape.integer else "number"
        limits = range_hint(shape)
        self.edit.setPlaceholderText(f"{kind} {limits}".strip() if not compact else limits or kind)
        self.edit.setToolTip(shape.help or f"{shape.label}: a {kind} {limits}".strip())
        self.edit.setAccessibleName(shape.label)
        self.edit.setMaximumWidth(140 if not compact else 16777215)
        self.edit.textChanged.connect(self.changed)
        self._add(self.edit, 1)
        if not compact:
            self._layout.addStretch(1)
        self.setFocusProxy(self.edit)

    def value(self) -> str | None:
        return self.edit.text().strip() or None

    def set_value(self, value: Any) -> None:
        self.edit.setText("" if value is None else (f"{value:g}" if isinstance(value, float) else str(value)))


class ButtonRow(Editor):
    """A row of toggle buttons where at most one is down; clicking the chosen one clears it."""

    def __init__(self, shape: Shape, choices: list[tuple[Any, str, str]], parent: QWidget | None = None) -> None:
        super().__init__(shape, parent)
        self._group = QButtonGroup(self)
        self._group.setExclusive(False)
        self._values: list[Any] = []
        for value, text, tip in choices:
            button = QToolButton()
            button.setText(text)
            button.setCheckable(True)
            button.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
            button.setToolTip(tip)
            button.setAccessibleName(f"{shape.label}: {text}")
            button.setMinimumWidth(34)
            self._group.addButton(button, len(self._values))
            # Each button's own toggled(bool) to a bound method: QButtonGroup.buttonToggled and
            # lambdas taking that bool mis-count its references in PySide6 6.12 and crash later.
            button.toggled.connect(self._toggled)
            self._values.append(value)
            self._add(button)
        self._layout.setSpacing(2)
        self._layout.addStretch(1)
        first = self._group.button(0)
        if first is not None:
            self.setFocusProxy(first)

    def _toggled(self, checked: bool) -> None:
        button = self.sender()
        if checked and isinstance(button, QAbstractButton):
            for other in self._group.buttons():
                if other is not button and other.isChecked():
                    quietly(other, other.setChecked, False)
        self.changed.emit()

    def value(self) -> Any:
        checked = self._group.checkedId()
        return None if checked < 0 else self._values[checked]

    def set_value(self, value: Any) -> None:
        for i, button in enumerate(self._group.buttons()):
            on = value is not None and self._values[i] == value and type(value) is type(self._values[i])
            quietly(button, button.setChecked, on)

    def button_for(self, value: Any) -> QAbstractButton | None:
        for i, v in enumerate(self._values):
            if v == value and type(v) is type(value):
                return self._group.button(i)
        return None


def rating_points(shape: Shape) -> list[int]:
    assert shape.min is not None and shape.max is not None
    return list(range(int(shape.min), int(shape.max) + 1, shape.step))


class SpinRating(Editor):
    """A rating as a spin box; the value one step below the scale means "not rated"."""

    def __init__(self, shape: Shape, compact: bool = False, parent: QWidget | None = None) -> None:
        super().__init__(shape, parent)
        points = rating_points(shape)
        self.spin = QSpinBox()
        self._blank = points[0] - shape.step
        self.spin.setRange(self._blank, points[-1])
        self.spin.setSingleStep(shape.step)
        self.spin.setSpecialValueText("–")
        self.spin.setValue(self._blank)
        self.spin.setAccessibleName(shape.label)
        tip = f"{shape.label}: {points[0]} to {points[-1]}"
        self.spin.setToolTip("\n".join(x for x in (tip, anchors_text(shape), shape.help or "") if x))
        self.spin.valueChanged.connect(self.changed)
        self._add(self.spin)
        if not compact:
            self.spin.setMinimumWidth(80)
            anchors = QLabel(anchors_text(shape))
            anchors.setProperty("role", "muted")
            self._add(anchors, 1)
        self.setFocusProxy(self.spin)

    def value(self) -> int | None:
        v = self.spin.value()
        return None if v == self._blank else v

    def set_value(self, value: Any) -> None:
        self.spin.setValue(self._blank if value is None else int(value))


class ButtonRating(ButtonRow):
    def __init__(self, shape: Shape, parent: QWidget | None = None) -> None:
        choices = [(p, str(p), shape.anchor_label(p) or f"{p}") for p in rating_points(shape)]
        super().__init__(shape, choices, parent)
        if shape.anchors:
            anchors = QLabel(anchors_text(shape))
            anchors.setProperty("role", "muted")
            self._layout.insertWidget(self._layout.count() - 1, anchors)


class ComboEditor(Editor):
    """Choice and compact yes/no: a drop-down whose first entry is blank."""

    def __init__(self, shape: Shape, choices: list[tuple[Any, str, str]], parent: QWidget | None = None) -> None:
        super().__init__(shape, parent)
        self.combo = QComboBox()
        self.combo.addItem("–", None)
        for value, text, tip in choices:
            self.combo.addItem(text, value)
            if tip:
                self.combo.setItemData(self.combo.count() - 1, tip, Qt.ItemDataRole.ToolTipRole)
        self.combo.setAccessibleName(shape.label)
        self.combo.setToolTip(shape.help or shape.label)
        self.combo.currentIndexChanged.connect(self.changed)
        self._add(self.combo, 1)
        self.setFocusProxy(self.combo)

    def value(self) -> Any:
        return self.combo.currentData()

    def set_value(self, value: Any) -> None:
        for i in range(self.combo.count()):
            data = self.combo.itemData(i)
            if data == value and type(data) is type(value):
                self.combo.setCurrentIndex(i)
                return
        self.combo.setCurrentIndex(0)


class DateEditor(Editor):
    """A template's date: the app's one date field (``gui/dates.py``), blank until the client gives one.

    ``value()`` is the ISO text of the date the field understood (typed ISO or the locale's short
    date), or the raw text when it cannot be read, so the template's own check reports the bad
    date at the field instead of the form quietly keeping an older one.
    """

    error_in_tooltip = False  # the date field's tooltip says how to type a date and what it understood

    def __init__(self, shape: Shape, compact: bool = False, parent: QWidget | None = None) -> None:
        super().__init__(shape, parent)
        self.field = dates.DateField(tip=shape.help or shape.label, compact=compact)
        self.edit = self.field.edit
        self.edit.setAccessibleName(shape.label)
        if compact:
            self.edit.setMaximumWidth(16777215)
        self.calendar = self.field.calendar
        self.edit.textChanged.connect(self.changed)
        self._add(self.field, 1)
        self.setFocusProxy(self.field)

    def open_calendar(self) -> None:
        self.field.open_calendar()

    def value(self) -> str | None:
        text = self.field.text().strip()
        if not text:
            return None
        reading = self.field.reading()
        return reading.date.isoformat() if reading.ok and reading.date is not None else text

    def set_value(self, value: Any) -> None:
        if isinstance(value, dt.date):
            self.field.set_value(value)
            return
        text = "" if value is None else str(value).strip()
        try:
            self.field.set_value(dt.date.fromisoformat(text) if text else None)
        except ValueError:  # a stored answer that is not a date: shown as it is, for the check to report
            self.field.set_value(None)
            self.edit.setText(text)


class TimeEditor(Editor):
    def __init__(self, shape: Shape, compact: bool = False, parent: QWidget | None = None) -> None:
        super().__init__(shape, parent)
        self.edit = QLineEdit()
        self.edit.setPlaceholderText("HH:MM")
        self.edit.setMaxLength(5)
        self.edit.setAccessibleName(shape.label)
        self.edit.setToolTip(shape.help or f"{shape.label} (24-hour HH:MM)")
        self.edit.setMaximumWidth(80 if not compact else 16777215)
        self.edit.textChanged.connect(self.changed)
        self._add(self.edit, 1)
        if not compact:
            self._layout.addStretch(1)
        self.setFocusProxy(self.edit)

    def value(self) -> str | None:
        return self.edit.text().strip() or None

    def set_value(self, value: Any) -> None:
        self.edit.setText("" if value is None else str(value))


class ChecklistEditor(Editor):
    """Tick boxes in one or two columns."""

    def __init__(self, shape: Shape, parent: QWidget | None = None) -> None:
        super().__init__(shape, parent)
        grid_host = QWidget()
        grid = QGridLayout(grid_host)
        grid.setContentsMargins(0, 0, 0, 0)
        grid.setHorizontalSpacing(24)
        per_column = len(shape.options) if len(shape.options) <= 6 else (len(shape.options) + 1) // 2
        self.boxes: dict[str, QCheckBox] = {}
        for i, option in enumerate(shape.options):
            box = QCheckBox(option.label)
            box.setToolTip(option.help or option.label)
            box.toggled.connect(self.changed)
            grid.addWidget(box, i % per_column, i // per_column)
            self.boxes[option.id] = box
        self._add(grid_host, 1)
        if self.boxes:
            self.setFocusProxy(next(iter(self.boxes.values())))

    def value(self) -> list[str]:
        return [oid for oid, box in self.boxes.items() if box.isChecked()]

    def set_value(self, value: Any) -> None:
        chosen = set(value or [])
        for oid, box in self.boxes.items():
            quietly(box, box.setChecked, oid in chosen)
        self.changed.emit()


class CompactChecklist(Editor):
    """A checklist in a table cell: a button whose menu holds the options."""

    def __init__(self, shape: Shape, parent: QWidget | None = None) -> None:
        super().__init__(shape, parent)
        self.button = QToolButton()
        self.button.setPopupMode(QToolButton.ToolButtonPopupMode.InstantPopup)
        self.button.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextOnly)
        self.button.setToolTip(shape.help or f"{shape.label}: choose any that apply")
        menu = QMenu(self.button)
        self.option_actions: dict[str, QAction] = {}
        for option in shape.options:
            action = menu.addAction(option.label)
            action.setCheckable(True)
            action.setToolTip(option.help or option.label)
            action.toggled.connect(self._update)
            self.option_actions[option.id] = action
        menu.setToolTipsVisible(True)
        self.button.setMenu(menu)
        self._add(self.button, 1)
        self.setFocusProxy(self.button)
        self._update()

    def _update(self) -> None:
        chosen = [a.text() for a in self.option_actions.values() if a.isChecked()]
        self.button.setText(", ".join(chosen) if chosen else "Choose…")
        self.changed.emit()

    def value(self) -> list[str]:
        return [oid for oid, a in self.option_actions.items() if a.isChecked()]

    def set_value(self, value: Any) -> None:
        chosen = set(value or [])
        for oid, action in self.option_actions.items():
            quietly(action, action.setChecked, oid in chosen)
        self._update()


def make_editor(shape: Shape, compact: bool = False) -> Editor:
    """The editor for one input field or table column."""
    kind = shape.type
    if kind is FieldType.SHORT_TEXT:
        return ShortTextEditor(shape, compact)
    if kind is FieldType.LONG_TEXT:
        return LongTextEditor(shape, compact)
    if kind is FieldType.NUMBER:
        return NumberEditor(shape, compact)
    if kind is FieldType.RATING:
        if compact or len(rating_points(shape)) > MAX_BUTTON_POINTS:
            return SpinRating(shape, compact)
        return ButtonRating(shape)
    if kind is FieldType.DATE:
        return DateEditor(shape, compact)
    if kind is FieldType.TIME:
        return TimeEditor(shape, compact)
    if kind is FieldType.YES_NO:
        choices = [(True, "Yes", ""), (False, "No", "")]
        return ComboEditor(shape, choices) if compact else ButtonRow(shape, choices)
    if kind is FieldType.CHOICE:
        return ComboEditor(shape, [(o.id, o.label, o.help or "") for o in shape.options])
    if kind is FieldType.CHECKLIST:
        return CompactChecklist(shape) if compact else ChecklistEditor(shape)
    raise ValueError(f"no editor for a {kind.value} field")


class WrappingLabel(QLabel):
    """A word-wrapped label that asks for the height its text needs at its current width.

    Layouts inside a scroll area size a wrapped label from its one-line hint, so on a narrow
    screen the second and third lines were painted over by the field below.
    """

    def __init__(self, text: str = "", parent: QWidget | None = None) -> None:
        super().__init__(text, parent)
        self.setWordWrap(True)

    def resizeEvent(self, event: Any) -> None:
        super().resizeEvent(event)
        need = self.heightForWidth(self.width())
        if need > 0 and need != self.minimumHeight():
            self.setMinimumHeight(need)


def hint_label(text: str) -> QLabel:
    label = WrappingLabel(text)
    label.setProperty("role", "muted")
    return label


def stack(*widgets: QWidget) -> QWidget:
    host = QWidget()
    layout = QVBoxLayout(host)
    layout.setContentsMargins(0, 0, 0, 0)
    for w in widgets:
        layout.addWidget(w)
    return host
