"""The one date field: typed ISO and locale dates come back exactly; nothing ambiguous is guessed."""

from __future__ import annotations

import datetime as dt

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from PySide6.QtCore import QDate, QLocale, Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QLineEdit, QVBoxLayout, QWidget

from trdplanner.gui.dates import MAX_DATE, MIN_DATE, DateField, locale_pattern, read_date

UK = QLocale(QLocale.Language.English, QLocale.Country.UnitedKingdom)
US = QLocale(QLocale.Language.English, QLocale.Country.UnitedStates)
DATES = st.dates(min_value=MIN_DATE, max_value=MAX_DATE)


def _type(field: DateField, text: str) -> None:
    field.edit.setFocus()
    field.edit.selectAll()
    QTest.keyClick(field.edit, Qt.Key.Key_Delete)
    QTest.keyClicks(field.edit, text)
    QTest.keyClick(field.edit, Qt.Key.Key_Tab)
    field.edit.editingFinished.emit()  # offscreen focus changes do not always deliver it


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(day=DATES, use_locale=st.booleans(), locale=st.sampled_from([UK, US, QLocale.c()]))
def test_typed_dates_come_back_exactly(qtbot, day: dt.date, use_locale: bool, locale: QLocale) -> None:
    field = DateField(locale=locale)
    qtbot.addWidget(field)
    text = QDate(day.year, day.month, day.day).toString(locale_pattern(locale)) if use_locale else day.isoformat()
    _type(field, text)
    assert field.error() == ""
    assert field.value() == day
    assert field.text() == day.isoformat()  # what is stored is what is shown
    assert str(day.year) in field.echo.text() and str(day.day) in field.echo.text()


@given(day=DATES)
def test_read_date_iso_round_trip(day: dt.date) -> None:
    assert read_date(day.isoformat()).date == day


def test_the_reported_failures(qtbot) -> None:
    field = DateField(locale=UK)
    qtbot.addWidget(field)
    assert field.text() == "" and field.value() is None  # empty is empty, not "Not set" text
    _type(field, "9810512")
    assert field.value() is None and "not a date" in field.error()
    assert field.edit.property("invalid") is True
    _type(field, "2025-06-01")  # was silently stored as 2025-01-06
    assert field.value() == dt.date(2025, 6, 1) and field.error() == ""
    assert "Jun" in field.echo.text()
    _type(field, "")
    assert field.value() is None and field.error() == ""


def test_ambiguous_or_impossible_input_is_refused_not_guessed() -> None:
    iso_locale = QLocale(QLocale.Language.Swedish, QLocale.Country.Sweden)  # writes year first
    assert "yyyy" in locale_pattern(iso_locale) and locale_pattern(iso_locale).startswith("y")
    reading = read_date("01/06/2025", iso_locale)
    assert reading.date is None and "could be" in reading.error
    assert read_date("13/06/2025", iso_locale).date == dt.date(2025, 6, 13)  # only one way to read it
    assert "four digits" in read_date("01/06/25", UK).error
    assert read_date("01/06/2025", UK).date == dt.date(2025, 6, 1)
    assert read_date("01/06/2025", US).date == dt.date(2025, 1, 6)
    assert "no day 30" in read_date("2025-02-30").error
    assert read_date("1850-01-01").error


def test_invalid_text_keeps_the_previous_value(qtbot) -> None:
    field = DateField(locale=UK)
    qtbot.addWidget(field)
    field.set_value(dt.date(2024, 3, 9))
    seen: list[object] = []
    field.dateChanged.connect(seen.append)
    _type(field, "2024-13-40")
    assert field.value() == dt.date(2024, 3, 9) and field.error()
    assert seen == []


def test_calendar_opens_at_the_value_or_today(qtbot) -> None:
    field = DateField(locale=UK)
    qtbot.addWidget(field)
    field._sync_calendar()
    today = dt.date.today()
    assert (field.calendar.yearShown(), field.calendar.monthShown()) == (today.year, today.month)
    field.set_value(dt.date(2019, 4, 2))
    field._sync_calendar()
    assert field.calendar.selectedDate() == QDate(2019, 4, 2)
    assert (field.calendar.yearShown(), field.calendar.monthShown()) == (2019, 4)


def test_tab_leaves_the_field(qtbot) -> None:
    host = QWidget()
    qtbot.addWidget(host)
    layout = QVBoxLayout(host)
    field = DateField(locale=UK)
    after = QLineEdit()
    layout.addWidget(field)
    layout.addWidget(after)
    host.show()
    qtbot.waitExposed(host)
    host.activateWindow()
    field.setFocus()
    QTest.keyClicks(field.edit, "2025-06-01")
    QTest.keyClick(field.edit, Qt.Key.Key_Tab)
    assert host.focusWidget() is after
    assert field.value() == dt.date(2025, 6, 1)


def test_a_form_will_not_save_over_an_unreadable_date(qtbot) -> None:
    from trdplanner.gui.dates import first_unreadable

    host = QWidget()
    qtbot.addWidget(host)
    layout = QVBoxLayout(host)
    ok, bad = DateField(locale=UK), DateField(locale=UK)
    layout.addWidget(ok)
    layout.addWidget(bad)
    host.show()
    ok.set_value(dt.date(2025, 6, 1))
    bad.set_value(dt.date(2024, 1, 1))
    assert first_unreadable(host) is None
    bad.edit.setText("31/02/2025")  # typed, not yet finished: still caught
    assert first_unreadable(host) is bad
    assert "no day 31" in bad.error() and bad.value() == dt.date(2024, 1, 1)
