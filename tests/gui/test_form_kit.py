"""One form kit (gui/forms), one way to show a field's error, one date widget (gui/dates.py)."""
# ruff: noqa: F811  (pytest fixtures imported from sessions_support)

from __future__ import annotations

import ast
import re
from pathlib import Path

from PySide6.QtCore import QDate, QLocale, Qt
from PySide6.QtGui import QColor
from PySide6.QtWidgets import QApplication, QDialogButtonBox, QLineEdit
from pytestqt.qtbot import QtBot
from sessions_support import ctx, dialogs  # noqa: F401

from trdplanner.catalog import Field, FieldType
from trdplanner.context import AppContext
from trdplanner.gui.dates import DateField, locale_pattern
from trdplanner.gui.forms import TemplateForm
from trdplanner.gui.forms.errors import ErrorLabel
from trdplanner.gui.forms.fields import DateEditor, make_editor
from trdplanner.gui.workspace.new_patient import NewPatientDialog

ROOT = Path(__file__).resolve().parents[2]
PACKAGE = ROOT / "trdplanner"


def _date_shape() -> Field:
    return Field(id="when", type=FieldType.DATE, label="When it happened")


def _type(qtbot: QtBot, editor: DateEditor, text: str) -> None:
    editor.edit.clear()
    qtbot.keyClicks(editor.edit, text)
    qtbot.keyClick(editor.edit, Qt.Key.Key_Return)  # finishes editing, as Tab or a click away does


def test_date_editor_is_the_date_field_and_gives_iso(qtbot: QtBot) -> None:
    editor = make_editor(_date_shape())
    qtbot.addWidget(editor)
    assert isinstance(editor, DateEditor) and isinstance(editor.field, DateField)
    assert editor.value() is None

    _type(qtbot, editor, "2025-06-01")
    assert editor.value() == "2025-06-01"
    assert "Jun 2025" in editor.field.echo.text()  # "Understood as …" in words beside the field

    local = QDate(2024, 3, 17).toString(locale_pattern(QLocale.system()))
    _type(qtbot, editor, local)
    assert editor.value() == "2024-03-17"

    editor.set_value("2019-04-02")
    assert editor.edit.text() == "2019-04-02" and editor.value() == "2019-04-02"
    editor.set_value(None)
    assert editor.value() is None and editor.edit.text() == ""


def test_a_bad_date_is_shown_and_kept_as_typed(qtbot: QtBot) -> None:
    editor = make_editor(_date_shape())
    qtbot.addWidget(editor)
    editor.show()
    editor.set_value("2025-06-01")
    _type(qtbot, editor, "next tuesday")
    # Not the older date: the raw text, so the template's check reports it at the field.
    assert editor.value() == "next tuesday"
    assert editor.edit.property("invalid") is True
    assert editor.field.echo.isVisible() and "not a date" in editor.field.echo.text()
    assert "not a date" in editor.edit.accessibleDescription()


def test_f4_and_alt_down_open_the_calendar(qtbot: QtBot) -> None:
    editor = make_editor(_date_shape())
    qtbot.addWidget(editor)
    editor.show()
    editor.set_value("2019-04-02")
    qtbot.keyClick(editor.edit, Qt.Key.Key_F4)
    qtbot.waitUntil(editor.field.menu.isVisible)
    assert editor.calendar.selectedDate() == QDate(2019, 4, 2)
    editor.field.menu.close()
    editor.edit.clear()
    qtbot.keyClicks(editor.edit, "2021-08-09")  # F4 straight after typing: opens at the typed date
    qtbot.keyClick(editor.edit, Qt.Key.Key_F4)
    qtbot.waitUntil(editor.field.menu.isVisible)
    assert editor.calendar.selectedDate() == QDate(2021, 8, 9)
    editor.field.menu.close()
    qtbot.keyClick(editor.edit, Qt.Key.Key_Down, Qt.KeyboardModifier.AltModifier)
    qtbot.waitUntil(editor.field.menu.isVisible)
    editor.calendar.activated.emit(QDate(2020, 1, 31))
    assert editor.value() == "2020-01-31" and not editor.field.menu.isVisible()


def _assert_marked(field_widget, label: ErrorLabel, message: str) -> None:
    """The one mechanism: words under the field, ``invalid`` frame, accessible description."""
    assert isinstance(label, ErrorLabel)
    assert label.property("role") == "fieldError"
    assert not label.isHidden() and label.text() == message
    assert field_widget.property("invalid") is True
    assert field_widget.accessibleDescription().rstrip(".").lower() in message.lower()


def _assert_clear(field_widget, label: ErrorLabel) -> None:
    assert label.isHidden()
    assert field_widget.property("invalid") is False
    assert field_widget.accessibleDescription() == ""


def test_a_record_dialog_shows_errors_the_one_way(qtbot: QtBot, ctx: AppContext) -> None:
    dialog = NewPatientDialog(ctx)
    qtbot.addWidget(dialog)
    dialog.show()
    dialog.findChild(QDialogButtonBox).button(QDialogButtonBox.StandardButton.Ok).click()  # no name
    _assert_marked(dialog.full_name, dialog.errors["full_name"], "Must not be empty.")
    qtbot.keyClicks(dialog.full_name, "Noor Haddad")
    dialog._show("code", "Already used.")  # the next check moves the mark
    _assert_clear(dialog.full_name, dialog.errors["full_name"])
    _assert_marked(dialog.code, dialog.errors["code"], "Already used.")


def test_a_template_form_shows_errors_the_same_way_and_clears_on_edit(qtbot: QtBot, ctx: AppContext) -> None:
    template = next(t for t in ctx.catalog
                    if any(f.type is FieldType.DATE and not f.type.is_static for f in t.fields))
    form = TemplateForm(template)
    qtbot.addWidget(form)
    form.show()
    fid = next(f.key for f in template.fields if f.type is FieldType.DATE)
    box = form.boxes[fid]
    editor = box.editor
    assert isinstance(editor, DateEditor)
    _type(qtbot, editor, "31/31/2025")
    assert form.validate(partial=True) is None
    message = form.error_texts()[fid]
    inner = editor.focus_widget()
    assert inner is editor.edit
    _assert_marked(inner, box.error, message)
    assert editor.property("invalid") is True

    qtbot.keyClicks(editor.edit, "x")  # any edit clears the mark and the message
    assert box.error.isHidden() and inner.property("invalid") is False and editor.property("invalid") is False

    text_field = next((f for f in template.fields if f.type is FieldType.SHORT_TEXT), None)
    if text_field is not None:
        text_editor = form.editor(text_field.key)
        form.show_problems([(text_field.key, "must not be empty")])
        _assert_marked(text_editor.focus_widget(), form.boxes[text_field.key].error, "Must not be empty.")


# --------------------------------------------------------------------------- one kit, one calendar


def _sources() -> list[Path]:
    return sorted(PACKAGE.rglob("*.py"))


def test_nothing_imports_the_removed_kit() -> None:
    assert not (PACKAGE / "gui" / "workspace" / "fields.py").exists()
    offenders = []
    for path in _sources() + sorted((ROOT / "tests").rglob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            names = []
            if isinstance(node, ast.ImportFrom) and node.module:
                names = [node.module] + [f"{node.module}.{a.name}" for a in node.names]
            elif isinstance(node, ast.Import):
                names = [a.name for a in node.names]
            if any(n == "trdplanner.gui.workspace.fields" for n in names):
                offenders.append(str(path.relative_to(ROOT)))
    assert offenders == []


def test_only_the_date_field_builds_a_calendar() -> None:
    builds = re.compile(r"\bQCalendarWidget\s*\(")
    where = [str(p.relative_to(PACKAGE)) for p in _sources() if builds.search(p.read_text(encoding="utf-8"))]
    assert where == ["gui/dates.py"]


def test_no_unpolish_outside_repolish() -> None:
    # style().unpolish() crashes PySide6 6.12 later; forms/style.py repolish() is the safe way.
    where = [
        str(p.relative_to(PACKAGE)) for p in _sources()
        for node in ast.walk(ast.parse(p.read_text(encoding="utf-8")))
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr == "unpolish"
    ]
    assert where == []


def _has_red_frame(widget) -> bool:
    from trdplanner.gui.theme import hex_colour

    danger = QColor(hex_colour("danger"))
    image = widget.grab().toImage()
    y = image.height() // 2
    return any(image.pixelColor(x, y) == danger for x in range(0, 3))


def test_the_mark_is_really_drawn(qtbot: QtBot) -> None:
    # A property alone changes nothing on screen: the style rules must be applied again.
    from trdplanner.gui.forms.errors import mark_invalid
    from trdplanner.gui.theme import apply_theme

    app = QApplication.instance()
    assert isinstance(app, QApplication)
    apply_theme(app)
    edit = QLineEdit()
    qtbot.addWidget(edit)
    edit.resize(160, 30)
    edit.show()
    assert not _has_red_frame(edit)
    mark_invalid(edit, "Not a date.")
    assert _has_red_frame(edit)
    mark_invalid(edit, None)
    assert not _has_red_frame(edit)
