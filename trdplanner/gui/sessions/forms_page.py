"""The Forms page of a session: the templates added to it, each filled in as a generated form.

An instance is always edited against the definition stored with it (its snapshot), so a
worksheet filled months ago stays readable after the catalog moves on.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtWidgets import (
    QDialog,
    QFileDialog,
    QHBoxLayout,
    QInputDialog,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QSplitter,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from trdplanner.catalog import Template, template_to_dict, validate_instance
from trdplanner.core.records import HomeworkRec, InstanceRec, SessionRec
from trdplanner.core.services.templating import prefilled_values, snapshot_template
from trdplanner.core.vocab import InstanceRole
from trdplanner.gui.badges import badge, set_badge
from trdplanner.gui.dialogs import confirm, show_error
from trdplanner.gui.forms import TemplateForm
from trdplanner.gui.forms.fields import hint_label
from trdplanner.gui.services import FormsPageServices
from trdplanner.gui.sessions.picker import TemplatePicker


def _button(text: str, tip: str) -> QPushButton:
    b = QPushButton(text)
    b.setToolTip(tip)
    return b


class FormsPage(QWidget):
    changed_structure = Signal()  # an instance or homework was added or removed
    preview_requested = Signal(int)  # instance id
    measure_recorded = Signal()  # a measure form recorded or updated its score (the patient list and charts change)

    def __init__(self, ctx: FormsPageServices, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.session: SessionRec | None = None
        self.instance: InstanceRec | None = None
        self.form: TemplateForm | None = None
        self.dirty = False
        self.autosave = QTimer(self, singleShot=True)
        self.autosave.timeout.connect(self.flush)

        self.list = QListWidget()
        self.list.setToolTip("Templates in this session; choose one to fill it in")
        self.list.currentItemChanged.connect(self._chosen)
        self.add_button = _button("Add template…", "Choose a worksheet, exercise, handout or measure (Ctrl+T)")
        self.add_button.setShortcut("Ctrl+T")
        self.add_button.clicked.connect(self.add_template)
        self.remove_button = _button("Remove", "Remove the selected template and what was filled in (asks first)")
        self.remove_button.clicked.connect(self._remove)
        left = QWidget()
        left_layout = QVBoxLayout(left)
        left_layout.setContentsMargins(0, 0, 0, 0)
        left_layout.addWidget(self.list, 1)
        left_layout.addWidget(self.add_button)  # stacked, so the list can stay narrow
        left_layout.addWidget(self.remove_button)
        self.read_button = _button(
            "Read filled PDF…",
            "Store the answers from a fillable worksheet the client filled in; shows first any stored "
            "answer it would clear or change",
        )
        self.read_button.clicked.connect(lambda: self.read_filled_pdf())
        left_layout.addWidget(self.read_button)
        self.last_changes: list[str] = []

        self.title = QLabel()
        self.title.setProperty("role", "title")
        self.role_badge = badge("", "new")
        self.state = QLabel()
        self.state.setProperty("role", "muted")
        self.check_button = _button("Check answers", "Mark anything missing or out of range")
        self.check_button.clicked.connect(self.check)
        self.save_button = _button("Save", "Save what is filled in (Ctrl+S); it also saves by itself")
        self.save_button.clicked.connect(self.flush)
        self.preview_button = _button("Print preview…", "See this worksheet as it prints, filled in (Ctrl+P)")
        self.preview_button.clicked.connect(self._preview)
        head = QHBoxLayout()
        head.addWidget(self.title)
        head.addWidget(self.role_badge)
        head.addStretch(1)
        head.addWidget(self.state)
        head.addWidget(self.check_button)
        head.addWidget(self.save_button)
        head.addWidget(self.preview_button)
        self.form_host = QVBoxLayout()
        editor = QWidget()
        editor_layout = QVBoxLayout(editor)
        editor_layout.setContentsMargins(0, 0, 0, 0)
        editor_layout.addLayout(head)
        editor_layout.addLayout(self.form_host, 1)
        self.empty = QLabel(
            "No templates in this session yet.\nPress “Add template…” to choose a worksheet from the catalog; "
            "it opens here as a form, prefilled where the session already knows the answer."
        )
        self.empty.setProperty("role", "empty")
        self.empty.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.empty.setWordWrap(True)
        self.stack = QStackedWidget()
        self.stack.addWidget(self.empty)
        self.stack.addWidget(editor)

        left.setMinimumWidth(140)
        self.title.setWordWrap(True)  # a long template name wraps instead of widening the page
        split = QSplitter()
        split.addWidget(left)
        split.addWidget(self.stack)
        split.setStretchFactor(1, 4)
        split.setChildrenCollapsible(False)
        layout = QVBoxLayout(self)
        layout.addWidget(split, 1)
        layout.addWidget(hint_label("Required answers are marked *. Drafts may be incomplete."))

    # ------------------------------------------------------------------ loading

    def set_session(self, session: SessionRec | None, select_instance: int | None = None) -> None:
        self.flush()
        self.session = session
        self.list.blockSignals(True)
        self.list.clear()
        if session is not None:
            for inst in session.instances:
                template = snapshot_template(inst.template_snapshot)
                title = template.title if template else f"{inst.template_id} (definition unreadable)"
                role = "Homework" if inst.role == "homework" else "In session"
                item = QListWidgetItem(f"{title}\n{role}")
                item.setData(Qt.ItemDataRole.UserRole, inst.id)
                item.setToolTip(template.purpose.strip() if template else "")
                self.list.addItem(item)
        self.list.blockSignals(False)
        self.remove_button.setEnabled(bool(self.list.count()))
        if self.list.count():
            index = 0
            if select_instance is not None:
                ids = [self.list.item(i).data(Qt.ItemDataRole.UserRole) for i in range(self.list.count())]
                index = ids.index(select_instance) if select_instance in ids else 0
            self.list.setCurrentRow(index)
            self._chosen()
        else:
            self._show(None)

    def _instance(self, instance_id: int) -> InstanceRec | None:
        if self.session is None:
            return None
        return next((i for i in self.session.instances if i.id == instance_id), None)

    def _chosen(self) -> None:
        self.flush()
        item = self.list.currentItem()
        self._show(self._instance(int(item.data(Qt.ItemDataRole.UserRole))) if item is not None else None)

    def _show(self, inst: InstanceRec | None) -> None:
        if self.form is not None:
            self.form.setParent(None)
            self.form.deleteLater()
            self.form = None
        self.instance = inst
        if inst is None:
            self.stack.setCurrentWidget(self.empty)
            return
        template = snapshot_template(inst.template_snapshot)
        self.stack.setCurrentIndex(1)
        if template is None:
            self.title.setText(inst.template_id)
            self.state.setText("The stored definition of this template cannot be read, so it cannot be edited.")
            return
        self.title.setText(template.title)
        set_badge(self.role_badge, "Homework" if inst.role == "homework" else "In session", "new")
        self.form = TemplateForm(template)
        self.form.set_values(inst.values)
        self.form.changed.connect(self._edited)
        self.form_host.addWidget(self.form, 1)
        self.dirty = False
        self.state.setText("")

    # ------------------------------------------------------------------ saving

    def _edited(self) -> None:
        self.dirty = True
        self.state.setText("Unsaved changes")
        if not self.autosave.isActive():
            self.autosave.start(self.ctx.settings.autosave_seconds * 1000)

    def flush(self) -> bool:
        """Save the open form as a draft (incomplete is fine, malformed is marked at the field)."""
        self.autosave.stop()
        if not self.dirty or self.form is None or self.instance is None or self.instance.id is None:
            return True
        values = self.form.validate(partial=True)
        if values is None:
            self.state.setText("Not saved: correct the marked answers")
            return False
        try:
            saved, measure = self.ctx.sessions.save_instance_values(self.instance.id, values)
        except Exception as exc:
            self.state.setText("Not saved: see the message")
            show_error(self, "The form could not be saved", exc)
            return False
        self.instance.values = saved.values
        self.dirty = False
        saved_at = f"Saved {dt.datetime.now():%H:%M:%S}"
        if measure is not None and measure.status in ("recorded", "updated"):
            # A measure form just recorded (or corrected) its score: say so, with any alert.
            name = measure.instrument_name
            short = f"{saved_at}; {name} {measure.status}" + (
                "; ALERT: risk review needed" if measure.suicidality_positive else ""
            )
            self.state.setText(short)
            self.state.setToolTip(measure.message(self.title.text()))
            self.measure_recorded.emit()
        else:
            self.state.setText(saved_at)
        return True

    def check(self) -> bool:
        if self.form is None:
            return True
        if not self.flush():
            return False
        ok = self.form.validate(partial=False) is not None
        self.state.setText("Complete" if ok else "Some answers are missing or out of range")
        return ok

    def hideEvent(self, event) -> None:
        self.flush()
        super().hideEvent(event)

    def _preview(self) -> None:
        if self.instance is not None and self.instance.id is not None and self.flush():
            self.preview_requested.emit(self.instance.id)

    # ------------------------------------------------------------------ adding and removing

    def make_picker(self) -> TemplatePicker:
        modality = self.session.modality if self.session else ""
        return TemplatePicker(self.ctx, modality, self)

    def add_template(self) -> None:
        if self.session is None:
            return
        picker = self.make_picker()
        if picker.exec() != QDialog.DialogCode.Accepted:
            return
        template = picker.chosen()
        if template is not None:
            self.add(template, homework=picker.as_homework())

    def add(self, template: Template, *, homework: bool, start_from: dict | None = None) -> int | None:
        """Add ``template`` prefilled from the session (and from ``start_from``, an earlier version's
        answers, where given); returns the new instance id."""
        assert self.session is not None and self.session.id is not None
        self.flush()
        try:
            bundle = self.ctx.bundles.for_session(self.session.id)
            start = prefilled_values(template, bundle, self.ctx.settings)
            # Carried over: the answers. Not carried: fields bound to the day, the patient or the
            # clinician (date written, name), which take this session's values as a new plan would.
            for key, value in (start_from or {}).items():
                f = template.field(key)
                if f is not None and f.prefill is None and value not in (None, "", [], {}):
                    start[key] = value
            values = validate_instance(template, start, partial=True)
            rec = InstanceRec(
                template_id=template.id,
                template_version=template.version,
                template_snapshot=template_to_dict(template),
                values=values,
                role=InstanceRole.HOMEWORK if homework else InstanceRole.IN_SESSION,
            )
            instance_id = self.ctx.sessions.add_instance(self.session.id, rec)
            if homework:
                self.ctx.sessions.add_homework(
                    self.session.id,
                    HomeworkRec(title=template.title, template_id=template.id, instructions=template.instructions),
                )
            fresh = self.ctx.sessions.get(self.session.id)
        except Exception as exc:
            show_error(self, "Could not add the template", exc)
            return None
        self.set_session(fresh, select_instance=instance_id)
        self.changed_structure.emit()
        return instance_id

    def read_filled_pdf(self, path: str | None = None) -> bool:
        """Read a filled fillable worksheet into this session, asking first if stored answers change.

        The same checks as ``trdplanner worksheet read``: a file with no answer is refused with
        nothing changed; each stored answer it would clear or change is listed before asking."""
        if self.session is None or self.session.id is None:
            return False
        if path is None:
            path, _ = QFileDialog.getOpenFileName(self, "Read a filled worksheet", "", "PDF files (*.pdf)")
            if not path:
                return False
        # Imported here: reading PDFs (pypdf) is not needed to show the window.
        from trdplanner import assemble
        from trdplanner.export import read_pdf
        from trdplanner.export.readback import pdf_is_protected

        self.flush()
        session_id = self.session.id
        try:
            data = read_pdf(Path(path))
            password = None
            if pdf_is_protected(data):  # the client's copy may have been printed with a password
                password, ok = QInputDialog.getText(
                    self, "Password-protected worksheet", f"{Path(path).name} is password-protected. Its password:",
                    QLineEdit.EchoMode.Password,
                )
                if not ok:
                    return False
            found = assemble.read_back(self.ctx, session_id, data, Path(path).name, password or None)
        except Exception as exc:
            show_error(self, "The worksheet could not be read", exc)
            return False
        self.last_changes = [c.describe() for c in found.changes]
        if found.changes:
            listed = "\n".join(f"•  {line}" for line in self.last_changes[:20])
            more = f"\n…and {len(self.last_changes) - 20} more" if len(self.last_changes) > 20 else ""
            question = (
                f"Reading {Path(path).name} would clear or change {len(found.changes)} answer(s) already stored "
                f"in “{found.template.title}”:\n\n{listed}{more}\n\nReplace them with the file's answers?"
            )
            if not confirm(self, "Replace stored answers?", question, "Replace answers"):
                self.state.setText("Nothing was read: the stored answers were kept")
                return False
        try:
            stored, measure = assemble.store_read_back(self.ctx, found)
            fresh = self.ctx.sessions.get(session_id)
        except Exception as exc:
            show_error(self, "The answers could not be stored", exc)
            return False
        self.set_session(fresh, select_instance=stored.id)
        self.changed_structure.emit()
        text = f"Read {found.answered} answer(s) from {Path(path).name}"
        if measure is not None:
            self.state.setToolTip(measure.message(found.template.title))
            if measure.status in ("recorded", "updated"):
                text += f"; {measure.instrument_name} {measure.status}"
                self.measure_recorded.emit()
            if measure.suicidality_positive:
                text += "; ALERT: risk review needed"
        self.state.setText(text)
        return True

    def _remove(self) -> None:
        inst = self.instance
        if inst is None or inst.id is None:
            return
        name = self.title.text()
        if not confirm(
            self, "Remove template", f"Remove “{name}” from this session, with everything filled in on it?", "Remove"
        ):
            return
        self.dirty = False
        try:
            self.ctx.sessions.remove_instance(inst.id)
            assert self.session is not None and self.session.id is not None
            fresh = self.ctx.sessions.get(self.session.id)
        except Exception as exc:
            show_error(self, "Could not remove the template", exc)
            return
        self.set_session(fresh)
        self.changed_structure.emit()
