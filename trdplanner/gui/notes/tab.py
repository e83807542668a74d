"""The Notes tab: every note of the patient, searchable and filterable, beside the editor."""

from __future__ import annotations

import datetime as dt

from PySide6.QtCore import Qt, QTimer
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QComboBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPushButton,
    QSplitter,
    QStackedWidget,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from trdplanner.core.services.notes import NoteHit
from trdplanner.core.services.templating import modality_label
from trdplanner.core.validate import MAX_SEARCH_CHARS
from trdplanner.core.vocab import Modality, NoteStatus
from trdplanner.gui.dates import DateField
from trdplanner.gui.dialogs import show_error
from trdplanner.gui.notes.editor import NoteEditor
from trdplanner.gui.notes.printing import note_preview
from trdplanner.gui.patient_tab import PatientTabWidget, TabKey
from trdplanner.gui.services import SessionServices
from trdplanner.gui.theme import colour


def _date_filter(tip: str) -> DateField:
    return DateField(tip=tip, empty_text="Any date", compact=True)


def _py_date(edit: DateField) -> dt.date | None:
    return edit.value()


class NotesTab(PatientTabWidget):
    """The Notes tab (a ``PatientTab``): every note of the patient, searchable, with the note editor."""

    COLUMNS = ("Date", "Session", "Modality", "Format", "Status", "Excerpt")
    key = TabKey.NOTES
    # It reads the notes when told the patient (so it is told only once shown); nothing another tab saves
    # changes them, and drafts save as they are typed, so there is no unsaved state to signal or discard.
    scrolls = True

    def __init__(self, ctx: SessionServices, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.patient_id: int | None = None
        self.hits: list[NoteHit] = []

        self.search = QLineEdit()
        self.search.setPlaceholderText("Search the text of every note and addendum")
        self.search.setClearButtonEnabled(True)
        self.search.setMaxLength(MAX_SEARCH_CHARS)  # the service's limit: a paste cannot go past it
        self.search.setToolTip("Words in any order, case or accent (Ctrl+Shift+F)")
        self.modality = QComboBox()
        self.modality.addItem("All modalities", "")
        for m in Modality:
            self.modality.addItem(m.label, str(m))
        self.modality.setToolTip("Only notes of sessions in this modality")
        self.format = QComboBox()
        self.format.addItem("All formats", "")
        for fmt in ctx.note_formats.formats:
            self.format.addItem(fmt.id.upper(), fmt.id)
        self.format.setToolTip("Only notes written in this format")
        self.date_from = _date_filter("Only notes of sessions on or after this date")
        self.date_to = _date_filter("Only notes of sessions on or before this date")
        self.unsigned = QCheckBox("Unsigned only")
        self.unsigned.setToolTip("Only drafts that still need signing")
        self.clear_button = QPushButton("Clear filters")
        self.clear_button.setToolTip("Show every note again")
        self.clear_button.clicked.connect(self.clear_filters)

        self._timer = QTimer(self, singleShot=True, interval=200)
        self._timer.timeout.connect(self.refresh)
        self.search.textChanged.connect(self._timer.start)
        for combo in (self.modality, self.format):
            combo.currentIndexChanged.connect(self.refresh)
        for edit in (self.date_from, self.date_to):
            edit.dateChanged.connect(self.refresh)
        self.unsigned.toggled.connect(self.refresh)

        # Two rows: the search and its switches, then the narrowing filters; one row is wider than a laptop.
        filters = QVBoxLayout()
        first = QHBoxLayout()
        first.addWidget(self.search, 1)
        first.addWidget(self.unsigned)
        first.addWidget(self.clear_button)
        second = QHBoxLayout()
        second.addWidget(self.modality)
        second.addWidget(self.format)
        for text, edit in (("&From", self.date_from), ("&to", self.date_to)):
            label = QLabel(text)
            label.setBuddy(edit)
            second.addWidget(label)
            second.addWidget(edit)
        second.addStretch(1)
        filters.addLayout(first)
        filters.addLayout(second)

        self.table = QTableWidget(0, len(self.COLUMNS))

        self.table.setTabKeyNavigation(False)  # Tab leaves the list; arrows move in it
        self.table.setHorizontalHeaderLabels(self.COLUMNS)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.verticalHeader().setVisible(False)
        self.table.setAlternatingRowColors(True)
        self.table.horizontalHeader().setSectionResizeMode(len(self.COLUMNS) - 1, QHeaderView.ResizeMode.Stretch)
        self.table.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        for c in (2, 3):  # modality and format are in each row's tooltip; the list stays narrow
            self.table.setColumnHidden(c, True)
        self.table.setToolTip("Notes, newest first; choose one to read or edit it")
        self.table.itemSelectionChanged.connect(self._selected)
        self.empty = QLabel()
        self.empty.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.empty.setWordWrap(True)
        self.empty.setProperty("role", "empty")
        self.list_stack = QStackedWidget()
        self.list_stack.addWidget(self.table)
        self.list_stack.addWidget(self.empty)

        self.editor = NoteEditor(ctx)
        self.editor.saved.connect(self._editor_saved)
        self.preview_button = QPushButton("Preview / print note…")
        self.preview_button.setToolTip("See the note as a PDF, then print or save it (Ctrl+P)")
        self.preview_button.clicked.connect(self.print_current)
        right = QWidget()
        right_layout = QVBoxLayout(right)
        right_layout.setContentsMargins(0, 0, 0, 0)
        right_layout.addWidget(self.editor, 1)
        bottom = QHBoxLayout()
        bottom.setContentsMargins(12, 0, 12, 8)
        bottom.addStretch(1)
        bottom.addWidget(self.preview_button)
        right_layout.addLayout(bottom)

        split = QSplitter(Qt.Orientation.Horizontal)
        split.addWidget(self.list_stack)
        split.addWidget(right)
        split.setStretchFactor(0, 2)
        split.setStretchFactor(1, 3)
        split.setChildrenCollapsible(False)
        self.list_stack.setMinimumWidth(220)
        self.split = split
        layout = QVBoxLayout(self)
        layout.addLayout(filters)
        layout.addWidget(split, 1)
        find = QShortcut(QKeySequence("Ctrl+Shift+F"), self, self._focus_search)
        find.setContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
        self.set_patient(None)

    def _focus_search(self) -> None:
        self.search.setFocus()
        self.search.selectAll()

    def set_patient(self, patient_id: int | None) -> None:
        self.editor.flush()
        self.patient_id = patient_id
        self.editor.set_session(None)
        self.setEnabled(True)
        self.refresh()

    def clear_filters(self) -> None:
        for w in (self.search, self.modality, self.format, self.date_from, self.date_to, self.unsigned):
            w.blockSignals(True)
        self.search.clear()
        self.modality.setCurrentIndex(0)
        self.format.setCurrentIndex(0)
        self.date_from.set_value(None)
        self.date_to.set_value(None)
        self.unsigned.setChecked(False)
        for w in (self.search, self.modality, self.format, self.date_from, self.date_to, self.unsigned):
            w.blockSignals(False)
        self.refresh()

    def filters_active(self) -> bool:
        return bool(
            self.search.text().strip()
            or self.modality.currentData()
            or self.format.currentData()
            or _py_date(self.date_from)
            or _py_date(self.date_to)
            or self.unsigned.isChecked()
        )

    def refresh(self) -> None:
        """Run the search again, keeping the selected note selected."""
        current = self.current_session_id()
        if self.patient_id is None:
            self.hits = []
            self._show_empty("Choose a patient to see their notes.")
            return
        try:
            self.hits = self.ctx.notes.search(
                self.patient_id,
                self.search.text(),
                modality=str(self.modality.currentData() or ""),
                fmt=str(self.format.currentData() or ""),
                date_from=_py_date(self.date_from),
                date_to=_py_date(self.date_to),
                unsigned_only=self.unsigned.isChecked(),
            )
        except Exception as exc:
            self.hits = []
            self._show_empty("The notes could not be loaded.")
            show_error(self, "Could not search the notes", exc)
            return
        if not self.hits:
            self._show_empty(
                "No notes match these filters. Try fewer words or press “Clear filters”."
                if self.filters_active()
                else "No notes yet.\nNotes are written from a session: open the Sessions tab, choose a session "
                "and use its Note page."
            )
            return
        self.list_stack.setCurrentWidget(self.table)
        self.table.blockSignals(True)
        self.table.setRowCount(len(self.hits))
        for r, hit in enumerate(self.hits):
            status = NoteStatus(hit.status).label
            if hit.addenda:
                status += f" +{hit.addenda}"
            cells = (
                f"{hit.session_date:%Y-%m-%d}",
                str(hit.session_number),
                modality_label(hit.modality),
                hit.format.upper(),
                status,
                hit.snippet,
            )
            for c, text in enumerate(cells):
                item = QTableWidgetItem(text)
                item.setToolTip(hit.snippet if c == 5 else f"Session {cells[1]}, {cells[0]}: {cells[2]}, "
                                f"{cells[3]} note, {status.lower()}")
                if c == 4 and hit.status != NoteStatus.SIGNED:
                    item.setForeground(colour("warning"))  # and bold: not by colour alone
                    font = item.font()
                    font.setBold(True)
                    item.setFont(font)
                self.table.setItem(r, c, item)
        self.table.resizeColumnsToContents()
        self.table.horizontalHeader().setSectionResizeMode(len(self.COLUMNS) - 1, QHeaderView.ResizeMode.Stretch)
        self.table.blockSignals(False)
        row = next((i for i, h in enumerate(self.hits) if h.session_id == current), None)
        if row is not None:
            self.table.blockSignals(True)
            self.table.selectRow(row)
            self.table.blockSignals(False)
            self.editor.highlight(self.search.text())
        elif current is not None:
            self.table.clearSelection()

    def _show_empty(self, text: str) -> None:
        self.empty.setText(text)
        self.list_stack.setCurrentWidget(self.empty)
        self.table.setRowCount(0)
        self.editor.set_session(None)

    def current_session_id(self) -> int | None:
        return self.editor.session.id if self.editor.session is not None else None

    def _selected(self) -> None:
        rows = self.table.selectionModel().selectedRows()
        if rows and rows[0].row() < len(self.hits):
            self.editor.set_session(self.hits[rows[0].row()].session_id)
            self.editor.highlight(self.search.text())

    def select_session(self, session_id: int) -> bool:
        for r, hit in enumerate(self.hits):
            if hit.session_id == session_id:
                self.table.selectRow(r)
                return True
        return False

    def _editor_saved(self) -> None:
        QTimer.singleShot(0, self.refresh)

    # ------------------------------------------------------------------ File menu hooks

    def print_current(self) -> None:
        if self.editor.session is None or self.editor.session.id is None:
            show_error(self, "Nothing to print", LookupError("no note is open"))
            return
        self.editor.flush()
        note_preview(self.ctx, self.editor.session.id, self)

    def save_current(self) -> bool:
        self.editor.save_draft()
        return True

    def can_save(self) -> bool:
        return True

    def can_print(self) -> bool:
        return True
