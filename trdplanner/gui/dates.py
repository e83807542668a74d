"""The one date field of the app: typed or picked, shown back as understood, empty stays empty.

A wrong date is worse than no date (a mistyped episode onset changes TRD duration and
staging), so the field never guesses: it reads ISO dates (2025-06-01) and the system
locale's short date written with a four-digit year, says in words what it understood,
and refuses anything it could read two ways with a message saying how to write it.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

from PySide6.QtCore import QDate, QLocale, Qt, Signal
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import (
    QCalendarWidget,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QMenu,
    QSizePolicy,
    QToolButton,
    QWidget,
    QWidgetAction,
)

from trdplanner.gui.forms.errors import mark_invalid
from trdplanner.gui.forms.style import repolish

MIN_DATE = dt.date(1900, 1, 1)
MAX_DATE = dt.date(2200, 12, 31)

_ISO = re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})$")
_THREE_NUMBERS = re.compile(r"^(\d{1,4})\s*[./\- ]\s*(\d{1,2})\s*[./\- ]\s*(\d{1,4})$")


@dataclass(frozen=True)
class DateReading:
    """What a typed text means: a date, empty (``date`` None, ``error`` empty), or an error."""

    date: dt.date | None
    error: str = ""

    @property
    def ok(self) -> bool:
        return not self.error


def locale_pattern(locale: QLocale) -> str:
    """The locale's short date pattern with a four-digit year (two-digit years are refused)."""
    pattern = locale.dateFormat(QLocale.FormatType.ShortFormat)
    if "yyyy" not in pattern:
        pattern = pattern.replace("yy", "yyyy")
    return pattern


def _checked(year: int, month: int, day: int) -> DateReading:
    try:
        d = dt.date(year, month, day)
    except ValueError:
        return DateReading(None, f"There is no day {day} in month {month} of {year}.")
    if not MIN_DATE <= d <= MAX_DATE:
        return DateReading(None, f"Give a date between {MIN_DATE:%Y} and {MAX_DATE:%Y}.")
    return DateReading(d)


def _order(pattern: str) -> str:
    """'dmy', 'mdy' or 'ymd': the order of the fields in a locale pattern."""
    positions = sorted((pattern.find(c), c) for c in "dMy" if c in pattern)
    return "".join(c for _pos, c in positions).lower()


def read_date(text: str, locale: QLocale | None = None) -> DateReading:
    """Read ``text`` as a date without guessing. Empty text is no date, not an error."""
    s = text.strip()
    if not s:
        return DateReading(None)
    loc = locale or QLocale.system()
    m = _ISO.match(s)
    if m:
        return _checked(int(m.group(1)), int(m.group(2)), int(m.group(3)))
    m = _THREE_NUMBERS.match(s)
    if not m:
        return DateReading(None, f"“{s}” is not a date. Type it as year-month-day, e.g. 2025-06-01.")
    a, b, c = (int(g) for g in m.groups())
    lengths = [len(g) for g in m.groups()]
    order = _order(locale_pattern(loc))
    if lengths[0] == 4:  # year first is only ever year-month-day
        return _checked(a, b, c)
    if lengths[2] != 4:
        return DateReading(None, f"Write the year in full (four digits) so “{s}” cannot be misread, "
                                 "or type year-month-day, e.g. 2025-06-01.")
    if order == "dmy":
        return _checked(c, b, a)
    if order == "mdy":
        return _checked(c, a, b)
    # The locale writes year first, so a day and month in front of the year could be either way round.
    if a <= 12 and b <= 12 and a != b:
        return DateReading(None, f"“{s}” could be {a} {_month(b)} or {b} {_month(a)}. "
                                 "Type it as year-month-day, e.g. 2025-06-01.")
    day, month = (a, b) if a > 12 else (b, a)
    return _checked(c, month, day)


def _month(n: int) -> str:
    return dt.date(2000, n, 1).strftime("%B") if 1 <= n <= 12 else str(n)


def spoken(d: dt.date) -> str:
    """The date in words, so a swapped day and month is seen at once."""
    return f"{d:%a} {d.day} {d:%b %Y}"


class DateField(QWidget):
    """A date typed (ISO or the locale's short date) or picked from a calendar; may be empty.

    ``value()`` is the last date the field understood (None when empty). While the text
    cannot be read the field is marked invalid, says why, and keeps its previous value;
    ``error()`` tells a form that it must not save yet.
    """

    dateChanged = Signal(object)  # the new value: dt.date or None

    def __init__(self, parent: QWidget | None = None, *, tip: str = "", empty_text: str = "Not set",
                 locale: QLocale | None = None, compact: bool = False) -> None:
        super().__init__(parent)
        self._locale = locale or QLocale.system()
        self._value: dt.date | None = None
        self._error = ""
        self.edit = QLineEdit()
        self.edit.setPlaceholderText(empty_text)
        self.edit.setClearButtonEnabled(True)
        self.edit.setMaxLength(24)
        width = self.edit.fontMetrics().horizontalAdvance("2025-06-01") + 40  # room for the clear button
        self.edit.setMinimumWidth(width)
        self.edit.setMaximumWidth(width + 40)
        example = QDate(2025, 6, 1).toString(locale_pattern(self._locale))
        self.edit.setToolTip((tip + "\n" if tip else "")
                             + f"Type 2025-06-01 or {example}; Alt+Down opens the calendar; empty means not set")
        self.edit.setAccessibleDescription(tip)
        self.edit.textEdited.connect(self._typed)
        self.edit.editingFinished.connect(self._finished)
        self.pick = QToolButton()
        self.pick.setText("▾")
        self.pick.setToolTip("Pick the date from a calendar (Alt+Down)")
        self.pick.setFocusPolicy(Qt.FocusPolicy.NoFocus)  # the text field is the keyboard path; Tab moves on
        self.pick.clicked.connect(self.open_calendar)
        menu = QMenu(self.pick)
        self.calendar = QCalendarWidget()
        self.calendar.setGridVisible(False)
        self.calendar.setMinimumDate(QDate(MIN_DATE.year, 1, 1))
        self.calendar.setMaximumDate(QDate(MAX_DATE.year, 12, 31))
        self.calendar.clicked.connect(self._picked)
        self.calendar.activated.connect(self._picked)
        action = QWidgetAction(menu)
        action.setDefaultWidget(self.calendar)
        menu.addAction(action)
        menu.aboutToShow.connect(self._sync_calendar)
        self.menu = menu
        self.echo = QLabel()
        self.echo.setProperty("role", "muted")
        self.echo.setWordWrap(True)  # an error message wraps under itself rather than widening the form
        self.echo.setMinimumWidth(self.echo.fontMetrics().horizontalAdvance("Wed 30 Sep") + 6)  # wraps below that
        self.echo.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Preferred)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(4)
        layout.addWidget(self.edit)
        layout.addWidget(self.pick)
        layout.addWidget(self.echo, 1)
        self.compact = compact
        if compact:  # in a filter row the understood date goes in the tooltip; errors still show
            self.echo.setMinimumWidth(0)
            self.echo.hide()
        self.setFocusProxy(self.edit)
        self.edit.installEventFilter(self)

    # ------------------------------------------------------------------ value

    def value(self) -> dt.date | None:
        # Read the text again: a shortcut (Ctrl+S) can save before the field has finished editing.
        reading = read_date(self.edit.text(), self._locale)
        return reading.date if reading.ok else self._value

    def error(self) -> str:
        return self._error

    def set_value(self, value: dt.date | None) -> None:
        self._error = ""
        self.edit.setText("" if value is None else value.isoformat())
        self._set(value)
        self._show()

    def text(self) -> str:
        return self.edit.text()

    def reading(self) -> DateReading:
        """What the text says now, read afresh (editing may not have finished)."""
        return read_date(self.edit.text(), self._locale)

    # ------------------------------------------------------------------ typing

    def _typed(self, text: str) -> None:
        # Half-typed dates are shown back but committed only when editing finishes.
        self._show(final=False, reading=read_date(text, self._locale))

    def _finished(self) -> None:
        reading = read_date(self.edit.text(), self._locale)
        self._error = reading.error
        if reading.ok:
            self._set(reading.date)
            if reading.date is not None and self.edit.text() != reading.date.isoformat():
                self.edit.setText(reading.date.isoformat())  # what is stored is what is shown
        self._show()

    def _set(self, value: dt.date | None) -> None:
        if value != self._value:
            self._value = value
            self.dateChanged.emit(value)

    def _show(self, final: bool = True, reading: DateReading | None = None) -> None:
        error = self._error if final else ""
        mark_invalid(self.edit, error)
        if self.compact:
            self.echo.setVisible(bool(error))
            self.edit.setToolTip(self.edit.toolTip().split("\n\nUnderstood as")[0]
                                 + (f"\n\nUnderstood as {spoken(self._value)}" if self._value else ""))
        if error:
            self.echo.setProperty("role", "fieldError")
            self.echo.setText(error)
            self.echo.setToolTip(error)
        else:
            self.echo.setProperty("role", "muted")
            shown = reading.date if reading is not None and reading.ok else self._value
            self.echo.setText(spoken(shown) if shown is not None and self.edit.text().strip() else "")
            self.echo.setToolTip("")
        repolish(self.echo)
        self.edit.setAccessibleDescription(error or self.echo.text())

    # ------------------------------------------------------------------ calendar

    def eventFilter(self, obj, event) -> bool:
        if (obj is self.edit and isinstance(event, QKeyEvent) and event.type() == QKeyEvent.Type.KeyPress
                and (event.key() == Qt.Key.Key_F4 or (event.key() == Qt.Key.Key_Down
                                                       and event.modifiers() & Qt.KeyboardModifier.AltModifier))):
            self.open_calendar()
            return True
        return super().eventFilter(obj, event)

    def open_calendar(self) -> None:
        self.menu.popup(self.pick.mapToGlobal(self.pick.rect().bottomLeft()))

    def _sync_calendar(self) -> None:
        # What is typed now, when it reads as a date: F4 right after typing has not finished editing.
        reading = self.reading()
        day = (reading.date if reading.ok else None) or self._value or dt.date.today()
        q = QDate(day.year, day.month, day.day)
        self.calendar.setSelectedDate(q)
        self.calendar.setCurrentPage(q.year(), q.month())
        self.calendar.setFocus()

    def _picked(self, date: QDate) -> None:
        value = dt.date(date.year(), date.month(), date.day())
        self.set_value(value)
        self.menu.close()
        self.edit.setFocus()


def first_unreadable(root: QWidget) -> DateField | None:
    """The first date field under ``root`` whose text could not be read; focused, so it can be fixed.

    Forms call this before saving: a date typed wrongly must stop the save, not quietly keep the
    previous value."""
    for field in root.findChildren(DateField):
        if field.isVisibleTo(root) and (field.error() or field.reading().error):
            field._finished()  # show the message if typing has not finished yet
            field.setFocus()
            return field
    return None
