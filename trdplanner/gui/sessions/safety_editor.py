"""The safety plan as a structured editor: one section per step of the plan, rows added and removed.

Built from the safety-plan template itself with the form kit's editors (``gui/forms``), so the
screen, the printed plan, the fold-up card and the note summary all read the same values. The
free-text steps (reasons for living, warning signs, coping on one's own) are edited one entry
per row and stored as the template's text, one entry per line, so prints and older versions
read them unchanged. Every save is a new version in the open session; older versions stay as
they were written. Leaving with unsaved edits asks first (Save / Discard / Stay).
"""

from __future__ import annotations

import datetime as dt
from typing import Any, Protocol

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QDialog,
    QFrame,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QMessageBox,
    QPushButton,
    QScrollArea,
    QVBoxLayout,
    QWidget,
)

from trdplanner.catalog import Column, Field, FieldType, InstanceError, Template, template_to_dict, validate_instance
from trdplanner.catalog.model import BindingSource
from trdplanner.core.records import InstanceRec
from trdplanner.core.services.bundles import BundleService
from trdplanner.core.services.sessions import SessionService
from trdplanner.core.services.templating import prefilled_values
from trdplanner.core.vocab import InstanceRole
from trdplanner.gui.dialogs import show_error
from trdplanner.gui.forms import Editor, TableEditor, make_editor
from trdplanner.gui.forms.fields import hint_label
from trdplanner.settings import Settings

# Free-text steps edited as rows: field id -> what one row holds (the column's label).
LIST_SECTIONS: dict[str, str] = {
    "reasons_for_living": "One reason",
    "warning_signs": "One sign",
    "internal_coping": "One thing I can do",
}
ROW = "entry"


def text_to_rows(text: Any) -> list[dict[str, Any]]:
    """One row per non-blank line of a stored text answer."""
    if not isinstance(text, str):
        return []
    return [{ROW: line.strip()} for line in text.splitlines() if line.strip()]


def rows_to_text(rows: Any) -> str | None:
    """The rows back as the template's text answer, one entry per line (None when all are blank)."""
    lines = [str(r.get(ROW) or "").strip() for r in rows or [] if isinstance(r, dict)]
    joined = "\n".join(line for line in lines if line)
    return joined or None


def list_field(field: Field) -> Field:
    """The table shape a free-text step is edited in: one short line per row."""
    return Field(
        type=FieldType.TABLE,
        id=field.id,
        label=field.label,
        help=field.help,
        required=field.required,
        columns=(Column(type=FieldType.SHORT_TEXT, id=ROW, label=LIST_SECTIONS.get(field.key, "Entry")),),
    )


def starting_values(template: Template, prefilled: dict[str, Any], start_from: dict[str, Any] | None) -> dict[str, Any]:
    """What the editor opens with: the chosen version's answers, with the name and the date taken
    from this session (a revision is written today, about this patient), and blanks prefilled."""
    values = dict(prefilled)
    for f in template.fields:
        if not f.is_input:
            continue
        bound_to_today = f.prefill is not None and f.prefill.source in (BindingSource.PATIENT, BindingSource.SESSION)
        old = (start_from or {}).get(f.key)
        if not bound_to_today and old not in (None, "", [], {}):
            values[f.key] = old
    return values


class PlanServices(Protocol):
    """What the editor uses of the application context (handed down; not imported from the top)."""

    @property
    def sessions(self) -> SessionService: ...

    @property
    def bundles(self) -> BundleService: ...

    @property
    def settings(self) -> Settings: ...


class SafetyPlanEditor(QDialog):
    """Edit the plan step by step; Save adds a new version to the open session."""

    saved = Signal(int)  # the new version's instance id

    def __init__(self, ctx: PlanServices, session_id: int, template: Template,
                 start_from: dict[str, Any] | None = None, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.session_id = session_id
        self.template = template
        self.setWindowTitle("Edit the safety plan")
        bundle = ctx.bundles.for_session(session_id)
        self.session_number = bundle.session.number
        self.values_at_start = starting_values(template, prefilled_values(template, bundle, ctx.settings), start_from)
        self.editors: dict[str, Editor | TableEditor] = {}
        self.errors: dict[str, QLabel] = {}
        self.dirty = False
        self.saved_ids: list[int] = []

        header = QLabel(
            f"A new version is saved in session {bundle.session.number} "
            f"({bundle.session.date.isoformat()}); earlier versions stay as they were written. "
            "Use the client's own words."
        )
        header.setWordWrap(True)
        header.setProperty("role", "muted")

        body = QWidget()
        body.setObjectName("formBody")
        column = QVBoxLayout(body)
        column.setContentsMargins(12, 8, 12, 16)
        column.setSpacing(10)
        group: QGroupBox | None = None
        group_layout: QVBoxLayout | None = None
        for field in template.fields:
            if field.type is FieldType.HEADING:
                group = QGroupBox(field.label)
                group_layout = QVBoxLayout(group)
                group_layout.setSpacing(4)
                column.addWidget(group)
                continue
            if field.type is FieldType.PARAGRAPH:
                note = QLabel((field.text or "").strip())
                note.setWordWrap(True)
                note.setProperty("role", "paragraph")
                (group_layout or column).addWidget(note)
                continue
            if not field.is_input or (field.prefill is not None
                                      and field.prefill.source in (BindingSource.PATIENT, BindingSource.SESSION)):
                continue  # name and date come from the session, shown in the header
            (group_layout or column).addWidget(self._field_box(field))
        column.addStretch(1)
        self.area = QScrollArea()
        self.area.setWidgetResizable(True)
        self.area.setFrameShape(QFrame.Shape.NoFrame)
        self.area.setFocusPolicy(Qt.FocusPolicy.NoFocus)  # Tab goes to the fields, not the frame
        self.area.setWidget(body)

        self.state = QLabel("")
        self.state.setProperty("role", "muted")
        self.save_button = QPushButton("&Save new version")
        self.save_button.setToolTip("Save the plan as a new version in this session (Ctrl+S)")
        self.save_button.clicked.connect(self.save)
        self.close_button = QPushButton("Close")
        self.close_button.setToolTip("Close the editor; unsaved changes are asked about first (Esc)")
        self.close_button.clicked.connect(self.reject)
        buttons = QHBoxLayout()
        buttons.addWidget(self.state, 1)
        buttons.addWidget(self.save_button)
        buttons.addWidget(self.close_button)
        layout = QVBoxLayout(self)
        layout.addWidget(header)
        layout.addWidget(self.area, 1)
        layout.addLayout(buttons)
        QShortcut(QKeySequence(QKeySequence.StandardKey.Save), self, self.save)

        self._load(self.values_at_start)
        self.resize(860, 640)
        first = next(iter(self.editors.values()), None)
        if first is not None:
            first.setFocus()

    # ------------------------------------------------------------------ building

    def _field_box(self, field: Field) -> QWidget:
        shape = list_field(field) if field.key in LIST_SECTIONS else field
        editor: Editor | TableEditor = TableEditor(shape) if shape.type is FieldType.TABLE else make_editor(shape)
        editor.changed.connect(self._edited)
        self.editors[field.key] = editor
        box = QWidget()
        lay = QVBoxLayout(box)
        lay.setContentsMargins(0, 4, 0, 4)
        lay.setSpacing(3)
        label = QLabel(field.label)
        label.setProperty("role", "fieldlabel")
        label.setWordWrap(True)
        label.setBuddy(editor)
        lay.addWidget(label)
        if field.help:
            lay.addWidget(hint_label(field.help))
        lay.addWidget(editor)
        error = QLabel()
        error.setWordWrap(True)
        error.setProperty("role", "fieldError")
        error.hide()
        lay.addWidget(error)
        self.errors[field.key] = error
        return box

    def _load(self, values: dict[str, Any]) -> None:
        for key, editor in self.editors.items():
            value = values.get(key)
            editor.set_value(text_to_rows(value) if key in LIST_SECTIONS else value)
        self.dirty = False
        self.state.setText("")

    def _edited(self) -> None:
        self.dirty = True
        self.state.setText("Unsaved changes")

    # ------------------------------------------------------------------ values and saving

    def values(self) -> dict[str, Any]:
        """The whole plan as the template stores it (list steps joined one entry per line)."""
        out = dict(self.values_at_start)
        for key, editor in self.editors.items():
            raw = editor.value()
            out[key] = rows_to_text(raw) if key in LIST_SECTIONS else raw
        return out

    def has_unsaved_changes(self) -> bool:
        return self.dirty

    def discard(self) -> None:
        """Close without saving (the user chose Discard elsewhere, e.g. when leaving the patient)."""
        self.dirty = False
        self.close()

    def save(self) -> bool:
        """Validate and add a new version to the session; False (and the problem shown) otherwise."""
        for error in self.errors.values():
            error.hide()
        try:
            values = validate_instance(self.template, self.values(), partial=True)
        except InstanceError as exc:
            first: QWidget | None = None
            for problem in exc.problems:
                key = problem.path.split("[", 1)[0].split(".", 1)[0]
                label = self.errors.get(key)
                if label is not None:
                    label.setText(problem.message[:1].upper() + problem.message[1:])
                    label.show()
                    first = first or self.editors[key]
            self.state.setText("Not saved: correct the marked answers")
            if first is not None:
                self.area.ensureWidgetVisible(first)
                first.setFocus()
            return False
        rec = InstanceRec(
            template_id=self.template.id,
            template_version=self.template.version,
            template_snapshot=template_to_dict(self.template),
            values=values,
            role=InstanceRole.IN_SESSION,
        )
        try:
            instance_id = self.ctx.sessions.add_instance(self.session_id, rec)
        except Exception as exc:
            self.state.setText("Not saved: see the message")
            show_error(self, "The safety plan could not be saved", exc)
            return False
        self.dirty = False
        self.saved_ids.append(instance_id)
        self.state.setText(f"Saved as a new version {dt.datetime.now():%H:%M:%S}")
        self.saved.emit(instance_id)
        return True

    # ------------------------------------------------------------------ leaving

    def ask_leave(self) -> str:
        """'save', 'discard' or 'stay' (the question is only asked when something is unsaved)."""
        box = QMessageBox(QMessageBox.Icon.Question, "Unsaved changes",
                          "The safety plan has changes that are not saved.", QMessageBox.StandardButton.NoButton, self)
        box.setInformativeText("Save them as a new version before closing?")
        save = box.addButton(QMessageBox.StandardButton.Save)
        discard = box.addButton(QMessageBox.StandardButton.Discard)
        box.addButton(QMessageBox.StandardButton.Cancel)
        box.setDefaultButton(save)
        box.exec()
        clicked = box.clickedButton()
        return "save" if clicked is save else "discard" if clicked is discard else "stay"

    def may_leave(self) -> bool:
        if not self.dirty:
            return True
        choice = self.ask_leave()
        if choice == "save":
            return self.save()
        return choice == "discard"

    def reject(self) -> None:  # Esc, Close and the window's close box (QDialog routes it here)
        if self.may_leave():
            self.dirty = False
            super().reject()
