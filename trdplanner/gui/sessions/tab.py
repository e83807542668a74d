"""The Sessions tab: the patient's sessions beside the planner (Plan, Forms, Note)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QSplitter,
    QStackedWidget,
    QTableWidget,
    QTableWidgetItem,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from trdplanner.core.records import SessionRec
from trdplanner.core.services.documents import SAFETY_PLAN_TEMPLATE
from trdplanner.core.services.templating import modality_label
from trdplanner.core.vocab import Modality, NoteStatus, SessionFormat
from trdplanner.gui import pdfs
from trdplanner.gui.columns import fit_columns
from trdplanner.gui.dates import DateField
from trdplanner.gui.dialogs import show_error
from trdplanner.gui.notes.editor import NoteEditor
from trdplanner.gui.notes.printing import note_preview
from trdplanner.gui.patient_tab import PatientTabWidget, TabKey
from trdplanner.gui.preview import PdfPreviewDialog
from trdplanner.gui.services import SessionServices
from trdplanner.gui.sessions.agenda import starting_agenda
from trdplanner.gui.sessions.forms_page import FormsPage
from trdplanner.gui.sessions.plan_page import PlanPage
from trdplanner.gui.sessions.report_chooser import ReportChooser
from trdplanner.gui.sessions.safety import SafetyPlanDialog
from trdplanner.gui.sessions.safety_editor import SafetyPlanEditor
from trdplanner.gui.theme import colour


class NewSessionDialog(QDialog):
    def __init__(self, modality: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("New session")
        self.date = DateField(tip="When the session takes place", empty_text="Session date")
        self.date.set_value(dt.date.today())
        self.modality = QComboBox()
        for m in Modality:
            self.modality.addItem(m.label, str(m))
        self.modality.setCurrentIndex(max(0, self.modality.findData(modality or "general")))
        self.modality.setToolTip("The agenda starts from this modality's session structure")
        self.format = QComboBox()
        for f in SessionFormat:
            self.format.addItem(f.label, str(f))
        self.format.setToolTip("Individual, group or family session")
        form = QFormLayout()
        form.addRow("&Date:", self.date)
        form.addRow("&Modality:", self.modality)
        form.addRow("&Format:", self.format)
        note = QLabel(
            "The agenda is prefilled from the modality's session structure, homework waiting for review "
            "and any risk finding (a positive PHQ-9 item 9 puts the safety plan first)."
        )
        note.setWordWrap(True)
        note.setProperty("role", "muted")
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        buttons.button(QDialogButtonBox.StandardButton.Ok).setText("Create session")
        buttons.button(QDialogButtonBox.StandardButton.Ok).setToolTip("Create the session and open its plan")
        buttons.button(QDialogButtonBox.StandardButton.Cancel).setToolTip("Do not create a session (Esc)")
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(note)
        layout.addWidget(buttons)

    def values(self) -> tuple[dt.date, str, str]:
        return (self.date.value() or dt.date.today(), str(self.modality.currentData()),
                str(self.format.currentData()))

    def accept(self) -> None:
        if self.date.error() or self.date.value() is None:
            self.date.setFocus()
            self.date.echo.setText(self.date.error() or "Give the session's date.")
            return
        super().accept()


class SessionsTab(PatientTabWidget):
    """The Sessions tab (a ``PatientTab``): the session list and the planner for the chosen session."""

    COLUMNS = ("#", "Date", "Modality", "Status", "Note")
    #: A measure form recorded its score: the patient's list row, overview and charts change.
    measure_recorded = Signal(int)
    key = TabKey.SESSIONS
    # It reads sessions when told the patient (so it is told only once shown); nothing another tab saves
    # changes what it lists. It scrolls rather than force the window wider than a small screen.
    scrolls = True
    #: Shown in the narrow list; modality and status are in each row's tooltip and on the Plan page.
    COMPACT = (0, 1, 4)

    def __init__(self, ctx: SessionServices, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.patient_id: int | None = None
        self.sessions: list[SessionRec] = []
        self._dialogs: list[QDialog] = []

        self.new_button = QPushButton("New session…")
        self.new_button.setToolTip("Plan a new session for this patient (Ctrl+Shift+N)")
        self.new_button.setShortcut("Ctrl+Shift+N")
        self.new_button.clicked.connect(self.new_session)
        self.report_button = QPushButton("Reports…")
        self.report_button.setToolTip(
            "Choose a period, then preview a progress report or a letter to the prescriber to print or save"
        )
        self.report_button.clicked.connect(self.progress_report)
        self.prep_button = QPushButton("Pre-session sheet…")
        self.prep_button.setToolTip("The one-page sheet to read before the chosen session: view and print it")
        self.prep_button.clicked.connect(self.pre_session_sheet)
        self.safety_button = QPushButton("Safety plan…")
        self.safety_button.setToolTip("Every version of the safety plan; print it or the fold-up card; revise it")
        self.safety_button.clicked.connect(self.safety_plan)
        self.table = QTableWidget(0, len(self.COLUMNS))
        self.table.setTabKeyNavigation(False)  # Tab leaves the list; arrows move in it
        self.table.setHorizontalHeaderLabels(self.COLUMNS)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.verticalHeader().setVisible(False)
        self.table.setAlternatingRowColors(True)
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        self.table.horizontalHeader().setStretchLastSection(True)
        self.table.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        for c in range(len(self.COLUMNS)):
            self.table.setColumnHidden(c, c not in self.COMPACT)
        self.fitter = fit_columns(self.table, 4)
        self.table.setToolTip("Sessions, newest first; choose one to plan it, fill its forms or write its note")
        self.table.itemSelectionChanged.connect(self._selected)
        self.list_empty = QLabel()
        self.list_empty.setProperty("role", "empty")
        self.list_empty.setWordWrap(True)
        self.list_empty.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.list_stack = QStackedWidget()
        self.list_stack.addWidget(self.table)
        self.list_stack.addWidget(self.list_empty)
        left = QWidget()
        left_layout = QVBoxLayout(left)
        left_layout.setContentsMargins(0, 0, 0, 0)
        left_layout.addWidget(self.new_button)
        left_layout.addWidget(self.list_stack, 1)
        left_layout.addWidget(self.prep_button)
        left_layout.addWidget(self.safety_button)
        left_layout.addWidget(self.report_button)

        self.plan = PlanPage(ctx)
        self.plan.saved.connect(self._session_saved)
        self.plan.print_homework_requested.connect(self.print_homework)
        self.forms = FormsPage(ctx)
        self.forms.changed_structure.connect(self._structure_changed)
        self.forms.preview_requested.connect(self.preview_instance)
        self.forms.measure_recorded.connect(self._measure_recorded)
        self.note = NoteEditor(ctx)
        self.note.saved.connect(self._note_saved)
        # The pages follow a session: set the agenda and review homework, work on forms and measures,
        # agree new homework, then write and sign the note.
        homework = QWidget()
        homework_layout = QVBoxLayout(homework)
        homework_layout.addWidget(self.plan.homework_box, 1)
        self.homework = homework
        self.pages = QTabWidget()
        self.pages.setDocumentMode(True)
        self.pages.addTab(self.plan, "&1 Plan")
        self.pages.addTab(self.forms, "&2 Forms")
        self.pages.addTab(self.homework, "&3 Homework")
        self.pages.addTab(self.note, "&4 Note && sign")
        self.pages.setTabToolTip(0, "Session details, agenda and interventions (Alt+1)")
        self.pages.setTabToolTip(1, "Worksheets, exercises and measures filled in this session (Alt+2)")
        self.pages.setTabToolTip(2, "Review earlier homework; assign and print this session's (Alt+3)")
        self.pages.setTabToolTip(3, "The progress note: write, sign, add addenda (Alt+4)")
        self.detail_empty = QLabel()
        self.detail_empty.setProperty("role", "empty")
        self.detail_empty.setWordWrap(True)
        self.detail_empty.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.detail = QStackedWidget()
        self.detail.addWidget(self.detail_empty)
        self.detail.addWidget(self.pages)

        split = QSplitter()
        split.addWidget(left)
        split.addWidget(self.detail)
        split.setStretchFactor(0, 0)
        split.setStretchFactor(1, 1)
        left.setMinimumWidth(150)
        left.setMaximumWidth(320)
        split.setSizes([190, 1000])
        split.setCollapsible(1, False)  # the list may fold away; the session never does
        self.split = split
        layout = QVBoxLayout(self)
        layout.setContentsMargins(6, 6, 6, 6)
        layout.addWidget(split)
        self.set_patient(None)

    # ------------------------------------------------------------------ patient and list

    def panes(self) -> list[QWidget]:
        """F6 stops: the session list (unless folded away), then the page on show."""
        out: list[QWidget] = []
        left = self.split.widget(0)
        if left is not None and self.split.sizes()[0] > 0:
            out.append(left)
        page = self.pages.currentWidget()
        out.append(page if page is not None and self.detail.currentWidget() is self.pages else self.detail)
        return out

    def set_patient(self, patient_id: int | None) -> None:
        self.flush()
        self.patient_id = patient_id
        self.new_button.setEnabled(patient_id is not None)
        self.report_button.setEnabled(patient_id is not None)
        self.safety_button.setEnabled(patient_id is not None)
        self._open(None)
        self.reload()
        if self.sessions:  # the newest session is the one a therapist usually wants: open it
            self.table.selectRow(0)

    def flush(self) -> None:
        """Save anything unsaved on every page (called before switching patient or session)."""
        self.plan.flush()
        self.forms.flush()
        self.note.flush()

    def reload(self, select: int | None = None) -> None:
        if self.patient_id is None:
            self.sessions = []
            self._fill()
            return
        try:
            self.sessions = sorted(
                self.ctx.sessions.list(self.patient_id), key=lambda s: (s.date, s.number), reverse=True
            )
        except Exception as exc:
            self.sessions = []
            show_error(self, "Could not load the sessions", exc)
        self._fill(select)

    def _fill(self, select: int | None = None) -> None:
        self.table.blockSignals(True)
        self.table.setRowCount(len(self.sessions))
        for r, s in enumerate(self.sessions):
            note = "—" if s.note is None else NoteStatus(s.note.status).label
            cells = (str(s.number), f"{s.date:%Y-%m-%d}", modality_label(s.modality), s.status.capitalize(), note)
            tip = f"Session {s.number}, {s.date:%Y-%m-%d}: {cells[2] or 'no modality'}, {cells[3].lower()}, " \
                  f"note {note.lower() if s.note else 'not started'}"
            for c, text in enumerate(cells):
                item = QTableWidgetItem(text)
                item.setToolTip(tip)
                if c == 4 and note == "Draft":
                    # Not by colour alone: a draft is bold and in the theme's warning colour.
                    item.setForeground(colour("warning"))
                    font = item.font()
                    font.setBold(True)
                    item.setFont(font)
                self.table.setItem(r, c, item)
        self.table.blockSignals(False)
        if self.patient_id is None:
            self.list_empty.setText("Choose a patient to see their sessions.")
            self.list_stack.setCurrentWidget(self.list_empty)
        elif not self.sessions:
            self.list_empty.setText("No sessions yet.\nPress “New session…” to plan the first one.")
            self.list_stack.setCurrentWidget(self.list_empty)
        else:
            self.list_stack.setCurrentWidget(self.table)
        if select is not None:
            row = next((i for i, s in enumerate(self.sessions) if s.id == select), None)
            if row is not None:
                self.table.selectRow(row)
        elif self.current is None:
            self.detail_empty.setText(
                "Choose a session on the left, or press “New session…”."
                if self.patient_id is not None
                else "Choose a patient to plan their sessions."
            )

    @property
    def current(self) -> SessionRec | None:
        return self.plan.session if self.detail.currentWidget() is self.pages else None

    def _selected(self) -> None:
        rows = self.table.selectionModel().selectedRows()
        if rows and rows[0].row() < len(self.sessions):
            self._open(self.sessions[rows[0].row()].id)

    def _open(self, session_id: int | None) -> None:
        if session_id is None:
            self.plan.set_session(None)
            self.forms.set_session(None)
            self.note.set_session(None)
            self.detail.setCurrentWidget(self.detail_empty)
            self.prep_button.setEnabled(False)
            return
        self.flush()
        try:
            session = self.ctx.sessions.get(session_id)
        except Exception as exc:
            show_error(self, "Could not open the session", exc)
            return
        self.plan.set_session(session)
        self.forms.set_session(session)
        self.note.set_session(session_id)
        self.detail.setCurrentWidget(self.pages)
        self.prep_button.setEnabled(True)

    def open_session(self, session_id: int, page: int = 0) -> None:
        self.reload(select=session_id)
        if self.current is None or self.current.id != session_id:
            self._open(session_id)
        self.pages.setCurrentIndex(page)

    def _session_saved(self) -> None:
        self._refresh_rows()

    def _refresh_rows(self) -> None:
        """Update the list after a save without reopening the session being edited."""
        if self.patient_id is None:
            return
        try:
            self.sessions = sorted(
                self.ctx.sessions.list(self.patient_id), key=lambda s: (s.date, s.number), reverse=True
            )
        except Exception as exc:
            show_error(self, "Could not load the sessions", exc)
            return
        current = self.current
        self.table.blockSignals(True)
        self._fill()
        if current is not None:
            row = next((i for i, s in enumerate(self.sessions) if s.id == current.id), None)
            if row is not None:
                self.table.selectRow(row)
        self.table.blockSignals(False)

    def _structure_changed(self) -> None:
        self.plan.reload_homework()
        self._refresh_rows()

    def _measure_recorded(self) -> None:
        if self.patient_id is not None:
            self.measure_recorded.emit(self.patient_id)

    def _note_saved(self) -> None:
        self._refresh_rows()

    # ------------------------------------------------------------------ new session

    def make_new_session_dialog(self) -> NewSessionDialog:
        last = self.sessions[0].modality if self.sessions else ""
        return NewSessionDialog(last, self)

    def new_session(self) -> int | None:
        if self.patient_id is None:
            return None
        dialog = self.make_new_session_dialog()
        if dialog.exec() != QDialog.DialogCode.Accepted:
            return None
        date, modality, fmt = dialog.values()
        return self.create_session(date, modality, fmt)

    def create_session(self, date: dt.date, modality: str, fmt: str = "individual") -> int | None:
        assert self.patient_id is not None
        self.flush()
        try:
            clinician = self.ctx.practice.default_clinician()
            session = self.ctx.sessions.create(
                self.patient_id,
                date=date,
                modality=modality,
                format=fmt,
                clinician_id=clinician.id if clinician else None,
            )
            assert session.id is not None
            structure = self.ctx.catalog.structure_for(modality) or self.ctx.catalog.structure_for("general")
            outstanding = self.ctx.sessions.outstanding_homework(self.patient_id, session.id)
            bundle = self.ctx.bundles.for_session(session.id)
            session.agenda = starting_agenda(bundle, structure, outstanding)
            if structure is not None:
                session.duration_minutes = max(5, min(600, structure.minutes))
            self.ctx.sessions.update(session)
        except Exception as exc:
            show_error(self, "Could not create the session", exc)
            self.reload()
            return None
        self.open_session(session.id, page=0)
        return session.id

    # ------------------------------------------------------------------ printing

    def _preview(self, title: str, produce, name: str, what: str) -> PdfPreviewDialog:
        dialog = PdfPreviewDialog(title, self)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.preview.print_log = self.ctx.prints
        dialog.preview.load(produce, name, what)
        self._dialogs.append(dialog)
        dialog.destroyed.connect(lambda: self._dialogs.remove(dialog) if dialog in self._dialogs else None)
        dialog.show()
        return dialog

    def print_homework(self, homework_ids: list[int]) -> PdfPreviewDialog | None:
        session = self.current
        if session is None or session.id is None:
            return None
        sid = session.id
        ctx = self.ctx
        count = len(homework_ids)
        return self._preview(
            f"Homework — session {session.number}",
            lambda: pdfs.homework_pdf(ctx, sid, homework_ids),
            f"homework-session-{session.number}.pdf",
            f"{count} homework sheet{'s' if count != 1 else ''}",
        )

    def preview_instance(self, instance_id: int) -> PdfPreviewDialog | None:
        session = self.current
        if session is None or session.id is None:
            return None
        sid, ctx = session.id, self.ctx
        return self._preview(
            "Worksheet preview",
            lambda: pdfs.instance_pdf(ctx, sid, instance_id),
            f"worksheet-session-{session.number}.pdf",
            "the worksheet",
        )

    def progress_report(self) -> ReportChooser | None:
        """Ask for the period and the kind of report, then preview it (non-modal, like the preview)."""
        if self.patient_id is None:
            return None
        dates = [s.date for s in self.sessions]
        today = dt.date.today()
        chooser = ReportChooser(min(dates) if dates else today, max([today, *dates]), self)
        chooser.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        chooser.accepted.connect(lambda: self.preview_report(*chooser.choice()))
        self._dialogs.append(chooser)
        chooser.destroyed.connect(lambda: self._dialogs.remove(chooser) if chooser in self._dialogs else None)
        chooser.show()
        return chooser

    def preview_report(self, kind: str, start: dt.date | None, end: dt.date | None) -> PdfPreviewDialog | None:
        if self.patient_id is None:
            return None
        pid, ctx = self.patient_id, self.ctx
        if kind == "prescriber":
            return self._preview(
                "Letter to the prescriber",
                lambda: pdfs.prescriber_letter_pdf(ctx, pid, start, end),
                "letter-to-prescriber.pdf",
                "the letter to the prescriber",
            )
        full = kind == "full"
        return self._preview(
            "Progress report",
            lambda: pdfs.progress_report_pdf(ctx, pid, start, end, full_notes=full),
            "progress-report.pdf",
            "the progress report",
        )

    def pre_session_sheet(self) -> PdfPreviewDialog | None:
        session = self.current
        if session is None or session.id is None:
            return None
        sid, ctx = session.id, self.ctx
        return self._preview(f"Pre-session sheet — session {session.number}", lambda: pdfs.prep_pdf(ctx, sid),
                             f"pre-session-{session.number}.pdf", "the pre-session sheet")

    def safety_plan(self) -> SafetyPlanDialog | None:
        if self.patient_id is None:
            return None
        try:
            dialog = SafetyPlanDialog(self.ctx.documents, self.patient_id, self)
        except Exception as exc:
            show_error(self, "Could not open the safety plan", exc)
            return None
        dialog.print_requested.connect(self.print_safety_plan)
        dialog.revise_requested.connect(self.revise_safety_plan)
        dialog.revise_button.setEnabled(self.current is not None)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.show()
        self._dialogs.append(dialog)
        dialog.destroyed.connect(lambda: self._dialogs.remove(dialog) if dialog in self._dialogs else None)
        return dialog

    def print_safety_plan(self, fold: bool) -> PdfPreviewDialog | None:
        if self.patient_id is None:
            return None
        pid, ctx = self.patient_id, self.ctx
        what = "the fold-up safety card" if fold else "the safety plan"
        return self._preview("Safety plan card" if fold else "Safety plan",
                             lambda: pdfs.safety_plan_pdf(ctx, pid, fold),
                             "safety-plan-card.pdf" if fold else "safety-plan.pdf", what)

    def revise_safety_plan(self, values: dict) -> SafetyPlanEditor | None:
        """The structured editor on the open session, starting from ``values`` (a version's answers);
        each save is a new version, shown at once in any open history and on the Forms page."""
        session = self.current
        if session is None or session.id is None:
            return None
        template = self.ctx.catalog.find(SAFETY_PLAN_TEMPLATE)
        if template is None:
            show_error(self, "Could not edit the safety plan", LookupError("the safety plan template is missing"))
            return None
        self.flush()
        try:
            editor = SafetyPlanEditor(self.ctx, session.id, template, values, self)
        except Exception as exc:
            show_error(self, "Could not edit the safety plan", exc)
            return None
        editor.saved.connect(self._safety_plan_saved)
        editor.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        self._dialogs.append(editor)
        editor.destroyed.connect(lambda: self._dialogs.remove(editor) if editor in self._dialogs else None)
        editor.show()
        return editor

    def _safety_plan_saved(self, instance_id: int) -> None:
        session = self.current
        if session is not None and session.id is not None:
            try:
                self.forms.set_session(self.ctx.sessions.get(session.id), select_instance=instance_id)
            except Exception as exc:
                show_error(self, "Could not reload the session", exc)
            self._structure_changed()
        for dialog in list(self._dialogs):
            if isinstance(dialog, SafetyPlanDialog):
                dialog.reload()

    def print_current(self) -> None:
        """File > Print…: the page on show decides what prints."""
        session = self.current
        if session is None or session.id is None:
            self.preview_report("report", None, None)
            return
        page = self.pages.currentWidget()
        if page is self.note:
            self.note.flush()
            self._dialogs.append(note_preview(self.ctx, session.id, self))
        elif page is self.forms and self.forms.instance is not None and self.forms.instance.id is not None:
            self.forms.flush()
            self.preview_instance(self.forms.instance.id)
        else:
            self.plan.request_print()

    def save_current(self) -> bool:
        """File > Save: save every page now, and any safety-plan editor with unsaved edits."""
        page = self.pages.currentWidget()
        if page is self.note:
            self.note.save_draft()
        self.flush()
        return all(e.save() for e in self._plan_editors() if e.has_unsaved_changes())

    def _plan_editors(self) -> list[SafetyPlanEditor]:
        return [d for d in self._dialogs if isinstance(d, SafetyPlanEditor)]

    def has_unsaved_changes(self) -> bool:
        """An open safety-plan editor holds edits the record does not have yet (asked before leaving)."""
        return any(e.has_unsaved_changes() for e in self._plan_editors())

    def connect_changes(self, on_changed: Callable[[int], None], on_dirty: Callable[[bool], None]) -> None:
        self.measure_recorded.connect(on_changed)  # its unsaved state is asked for when leaving, not signalled

    def can_save(self) -> bool:
        return True

    def can_print(self) -> bool:
        return True

    def discard_changes(self) -> None:
        for editor in self._plan_editors():
            editor.discard()
