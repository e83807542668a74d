"""A whole template as a form: built from its definition, checked by the catalog's own rules."""

from __future__ import annotations

import html
import re
from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QFrame, QLabel, QScrollArea, QVBoxLayout, QWidget

from trdplanner.catalog import Field, FieldType, InstanceError, Template, validate_instance
from trdplanner.gui.forms.errors import ErrorLabel
from trdplanner.gui.forms.fields import Editor, hint_label, make_editor
from trdplanner.gui.forms.table import TableEditor
from trdplanner.gui.theme import hex_colour

_PATH = re.compile(r"^(?P<field>[^.\[]+)(?:\[(?P<row>\d+)\](?:\.(?P<column>.+))?)?$")


class FieldBox(QWidget):
    """Label, help, editor and the error line under it, for one input field."""

    def __init__(self, field: Field, editor: Editor | TableEditor, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.field = field
        self.editor = editor
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 6, 0, 6)
        layout.setSpacing(3)
        star = f' <span style="color:{hex_colour("danger")}">*</span>' if field.required else ""
        self.label = QLabel(html.escape(field.label) + star)
        self.label.setTextFormat(Qt.TextFormat.RichText)
        self.label.setProperty("role", "fieldlabel")
        self.label.setWordWrap(True)
        self.label.setBuddy(editor)
        self.label.setToolTip("Required" if field.required else "")
        layout.addWidget(self.label)
        if field.help:
            layout.addWidget(hint_label(field.help))
        layout.addWidget(editor)
        self.error = ErrorLabel()  # the message in words; the editor gets the frame (forms/errors.py)
        layout.addWidget(self.error)
        editor.changed.connect(self._edited)

    def show_errors(self, messages: list[str]) -> None:
        self.error.show_error("\n".join(messages))

    def _edited(self) -> None:
        if not self.error.isHidden():
            self.error.show_error("")  # cleared as soon as the field is edited, like the frame


class TemplateForm(QScrollArea):
    """Every field of ``template``, in order; ``values()`` feeds ``validate_instance``."""

    changed = Signal()

    def __init__(self, template: Template, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.template = template
        self.setWidgetResizable(True)
        self.setFrameShape(QFrame.Shape.NoFrame)
        self.boxes: dict[str, FieldBox] = {}
        body = QWidget()
        body.setObjectName("formBody")
        layout = QVBoxLayout(body)
        layout.setContentsMargins(16, 12, 16, 24)
        layout.setSpacing(4)
        if template.instructions:
            intro = QLabel(template.instructions.strip())
            intro.setWordWrap(True)
            intro.setProperty("role", "instructions")
            layout.addWidget(intro)
        for field in template.fields:
            layout.addWidget(self._static(field) if field.type.is_static else self._input(field))
        layout.addStretch(1)
        self.setWidget(body)
        self._loading = False

    def _static(self, field: Field) -> QWidget:
        if field.type is FieldType.HEADING:
            label = QLabel(field.label)
            label.setProperty("role", "heading")
        elif field.type is FieldType.PARAGRAPH:
            label = QLabel((field.text or "").strip())
            label.setProperty("role", "paragraph")
        else:
            rows = "".join(
                f"<p style='margin:2px 0'><b>{html.escape(d.term)}</b> — {html.escape(d.text.strip())}</p>"
                for d in field.items
            )
            title = f"<p><b>{html.escape(field.label)}</b></p>" if field.label else ""
            label = QLabel(title + rows)
            label.setTextFormat(Qt.TextFormat.RichText)
            label.setProperty("role", "paragraph")
        label.setWordWrap(True)
        label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        return label

    def _input(self, field: Field) -> QWidget:
        editor: Editor | TableEditor = TableEditor(field) if field.type is FieldType.TABLE else make_editor(field)
        editor.changed.connect(self._changed)
        box = FieldBox(field, editor)
        self.boxes[field.key] = box
        return box

    def _changed(self) -> None:
        if not self._loading:
            self.changed.emit()

    # ------------------------------------------------------------------ values

    def editor(self, field_id: str) -> Editor | TableEditor:
        return self.boxes[field_id].editor

    def values(self) -> dict[str, Any]:
        """What is on screen, raw: blanks as None or [], numbers still as typed."""
        return {fid: box.editor.value() for fid, box in self.boxes.items()}

    def set_values(self, values: dict[str, Any]) -> None:
        self._loading = True
        try:
            for fid, box in self.boxes.items():
                box.editor.set_value(values.get(fid))
        finally:
            self._loading = False
        self.clear_errors()

    def clear_errors(self) -> None:
        for box in self.boxes.values():
            box.show_errors([])
            if isinstance(box.editor, TableEditor):
                box.editor.clear_errors()
            else:
                box.editor.set_error(None)

    def validate(self, *, partial: bool) -> dict[str, Any] | None:
        """Cleaned values, or None after marking every problem at its field."""
        self.clear_errors()
        try:
            return validate_instance(self.template, self.values(), partial=partial)
        except InstanceError as exc:
            self.show_problems([(p.path, p.message) for p in exc.problems])
            return None

    def show_problems(self, problems: list[tuple[str, str]]) -> None:
        by_field: dict[str, list[str]] = {}
        for path, message in problems:
            match = _PATH.match(path)
            fid = match["field"] if match else path
            box = self.boxes.get(fid)
            if box is None or match is None:
                continue
            editor = box.editor
            if isinstance(editor, TableEditor) and match["row"] is not None:
                row = int(match["row"])
                column = match["column"]
                cell = editor.cell(row, column) if column else None
                col = editor.field.column(column) if column else None
                where = f"Row {editor._row_label(row)}" + (f", {col.label}" if col else "")
                by_field.setdefault(fid, []).append(f"{where}: {message}")
                if cell is not None:
                    cell.set_error(message)
            else:
                by_field.setdefault(fid, []).append(_sentence(message))
                if isinstance(editor, Editor):
                    editor.set_error(message)
        for fid, messages in by_field.items():
            self.boxes[fid].show_errors(messages)
        first = next((self.boxes[f] for f in self.boxes if f in by_field), None)
        if first is not None:
            self.ensureWidgetVisible(first)
            first.editor.setFocus()

    def error_texts(self) -> dict[str, str]:
        """Field id -> the error text shown under it (for tests and the status line)."""
        return {fid: box.error.text() for fid, box in self.boxes.items() if not box.error.isHidden()}


def _sentence(message: str) -> str:
    if message == "required":
        return "This needs an answer."
    return message[:1].upper() + message[1:] + ("" if message.endswith(".") else ".")
