"""The left-hand patient list: search as you type, filters, sortable columns, empty states."""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import QEvent, QItemSelectionModel, QModelIndex, Qt, Signal
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QMenu,
    QStackedWidget,
    QTableView,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from trdplanner.core.validate import MAX_SEARCH_CHARS
from trdplanner.core.vocab import PatientStatus
from trdplanner.gui.patient_model import PatientFilter, PatientTableModel
from trdplanner.gui.theme import icon

if TYPE_CHECKING:  # the records module is imported once the database is open
    from trdplanner.core.records import PatientSummary

STATUS_CHOICES = (("Active patients", "active"), ("Archived patients", "archived"), ("All patients", None))


class _Table(QTableView):
    """Enter opens the selected patient, as double-click does."""

    activated_row = Signal(int)

    def keyPressEvent(self, event: QKeyEvent) -> None:
        if event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter) and self.currentIndex().isValid():
            self.activated_row.emit(self.currentIndex().row())
            return
        super().keyPressEvent(event)


class PatientListPanel(QWidget):
    patient_activated = Signal(int)  # Enter or double-click
    filter_changed = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.search = QLineEdit()
        self.search.setPlaceholderText("Search name, code or diagnosis")
        self.search.setClearButtonEnabled(True)
        self.search.setMaxLength(MAX_SEARCH_CHARS)  # the service's limit: a paste cannot go past it
        self.search.addAction(icon("search"), QLineEdit.ActionPosition.LeadingPosition)
        self.search.setToolTip("Type to filter the list as you type (Ctrl+F). Accents and case are ignored.")
        self.search.textChanged.connect(self._refilter)
        self.search.returnPressed.connect(self._open_first)
        self.search.installEventFilter(self)

        self.status = QComboBox()
        for label, value in STATUS_CHOICES:
            self.status.addItem(label, value)
        self.status.setToolTip("Show active, archived or all patients")
        self.status.currentIndexChanged.connect(self._refilter)

        self.trd = self._toggle("TRD", "Only patients whose history meets the TRD definition")
        self.risk = self._toggle("Risk", "Only patients with a risk flag, an open alert or a high risk level")
        self.unsigned = self._toggle("Unsigned", "Only patients with progress notes waiting for a signature")
        self.cosign = self._toggle("Co-sign", "Only patients with notes waiting for my co-signature")
        self.cosign.setVisible(False)  # shown to supervisors (set_cosigner)

        filters = QHBoxLayout()
        filters.setSpacing(4)
        filters.addWidget(self.status, 1)
        for b in (self.trd, self.risk, self.unsigned, self.cosign):
            filters.addWidget(b)

        self.model = PatientTableModel()
        self.model.set_alert_icon(icon("alert"))
        self.table = _Table()
        self.table.setTabKeyNavigation(False)  # Tab goes on into the workspace; arrows move in the list
        self.table.setModel(self.model)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setAlternatingRowColors(True)
        self.table.setSortingEnabled(True)
        self.table.sortByColumn(PatientTableModel.COL_NAME, Qt.SortOrder.AscendingOrder)
        self.table.setWordWrap(False)
        self.table.setShowGrid(False)
        self.table.verticalHeader().setVisible(False)
        self.table.verticalHeader().setDefaultSectionSize(self.fontMetrics().height() + 10)
        self.table.verticalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Fixed)
        header = self.table.horizontalHeader()
        header.setHighlightSections(False)
        header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        header.setStretchLastSection(False)
        header.setSectionResizeMode(PatientTableModel.COL_NAME, QHeaderView.ResizeMode.Stretch)
        header.setMinimumSectionSize(48)
        self._widths = {1: 74, 2: 200, 3: 78, 4: 98, 5: 90, 6: 74}
        for col, w in self._widths.items():
            header.resizeSection(col, w)
        # Diagnosis and unsigned count are one right-click away (and in each row's tooltip).
        self.table.setColumnHidden(PatientTableModel.COL_DIAGNOSIS, True)
        self.table.setColumnHidden(PatientTableModel.COL_UNSIGNED, True)
        # The list never scrolls sideways: columns that do not fit its width step aside, least
        # needed first, and come back when it is widened (the row tooltip has them all).
        self.table.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self._chosen_hidden = {PatientTableModel.COL_DIAGNOSIS, PatientTableModel.COL_UNSIGNED}
        self._auto_hidden: set[int] = set()
        self.table.viewport().installEventFilter(self)
        header.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        header.customContextMenuRequested.connect(self._column_menu)
        header.setToolTip("Click to sort; right-click to choose the columns")
        self.table.setToolTip("Patients: press Enter or double-click to open; click a column heading to sort")
        self.table.doubleClicked.connect(lambda index: self._emit_row(index.row()))
        self.table.activated_row.connect(self._emit_row)

        self.empty = QLabel()
        self.empty.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.empty.setWordWrap(True)
        self.empty.setProperty("role", "empty")
        self.empty.setMargin(24)
        self.empty.setTextFormat(Qt.TextFormat.RichText)
        self.stack = QStackedWidget()
        self.stack.addWidget(self.table)
        self.stack.addWidget(self.empty)

        self.count = QLabel()  # the status bar shows it

        layout = QVBoxLayout(self)
        layout.setContentsMargins(8, 8, 4, 8)
        layout.setSpacing(6)
        layout.addWidget(self.search)
        layout.addLayout(filters)
        layout.addWidget(self.stack, 1)
        self._loaded = False
        self.show_loading()

    def _toggle(self, text: str, tip: str) -> QToolButton:
        b = QToolButton()
        b.setText(text)
        b.setCheckable(True)
        b.setToolTip(tip)
        b.setAutoRaise(False)
        b.toggled.connect(self._refilter)
        return b

    def _column_menu(self, pos) -> None:
        menu = QMenu(self)
        menu.setToolTipsVisible(True)
        for col, name in enumerate(PatientTableModel.HEADERS):
            if col == PatientTableModel.COL_NAME:
                continue
            action = menu.addAction(name)
            action.setCheckable(True)
            action.setChecked(not self.table.isColumnHidden(col))
            action.setToolTip(PatientTableModel.HEADER_TIPS[col])
            action.toggled.connect(lambda on, c=col: self.choose_column(c, on))
        menu.exec(self.table.horizontalHeader().mapToGlobal(pos))

    def _note_direct_changes(self) -> None:
        """Columns shown or hidden other than by fitting (the menu, a restored layout) are the user's choice."""
        for c in self.GIVE_WAY:
            if not self.table.isColumnHidden(c):
                self._chosen_hidden.discard(c)
            elif c not in self._auto_hidden:
                self._chosen_hidden.add(c)

    def hidden_choice(self) -> str:
        self._note_direct_changes()
        return ",".join(str(c) for c in sorted(self._chosen_hidden))

    def restore_hidden_choice(self, text: str) -> None:
        self._chosen_hidden = {int(x) for x in text.split(",") if x.strip().isdigit()}
        self._auto_hidden = set()
        for c in self.GIVE_WAY:  # what fitting hid last time is not a choice: fit again from scratch
            self.table.setColumnHidden(c, c in self._chosen_hidden)
        self.fit_columns()

    def choose_column(self, col: int, shown: bool) -> None:
        self.table.setColumnHidden(col, not shown)
        self.fit_columns()

    #: Which columns give way first when the list is narrow (a column the user turned on goes last).
    GIVE_WAY = (PatientTableModel.COL_DIAGNOSIS, PatientTableModel.COL_UNSIGNED, PatientTableModel.COL_LAST,
                PatientTableModel.COL_TRD, PatientTableModel.COL_CODE, PatientTableModel.COL_RISK)
    OFF_BY_DEFAULT = (PatientTableModel.COL_DIAGNOSIS, PatientTableModel.COL_UNSIGNED)
    NAME_ROOM = 130

    def fit_columns(self) -> None:
        self._note_direct_changes()
        header = self.table.horizontalHeader()
        room = self.table.viewport().width() - self.NAME_ROOM
        wanted = [c for c in reversed(self.GIVE_WAY) if c not in self._chosen_hidden]
        wanted.sort(key=lambda c: 0 if c in self.OFF_BY_DEFAULT else 1)  # asked for: keep it
        self._auto_hidden = set()
        for c in wanted:
            if not self.table.isColumnHidden(c):
                self._widths[c] = header.sectionSize(c)  # keep a width the user dragged
            width = self._widths.get(c, header.defaultSectionSize())
            fits = room >= width
            self.table.setColumnHidden(c, not fits)
            if fits:
                room -= width
            else:
                self._auto_hidden.add(c)

    # ---------------------------------------------------------------- state

    def current_filter(self) -> PatientFilter:
        return PatientFilter(
            text=self.search.text(),
            status=self.status.currentData(),
            trd_only=self.trd.isChecked(),
            risk_only=self.risk.isChecked(),
            unsigned_only=self.unsigned.isChecked(),
            cosign_only=self.cosign.isChecked() and not self.cosign.isHidden(),
        )

    def set_cosigner(self, on: bool) -> None:
        """Show the "waiting for my co-signature" filter (to clinicians who supervise someone)."""
        self.cosign.setVisible(on)
        if not on:
            self.cosign.setChecked(False)

    def show_loading(self) -> None:
        self.empty.setText("Loading patients…")
        self.stack.setCurrentWidget(self.empty)
        self.count.setText("")

    def set_rows(self, rows: list[PatientSummary], keep_selection: int | None = None) -> None:
        self._loaded = True
        self.model.set_filter(self.current_filter())  # whatever was typed while the list was loading
        self.model.set_rows(rows)
        self._after_filter()
        if keep_selection is not None:
            self.select(keep_selection)

    def _refilter(self, *_args: object) -> None:
        if not self._loaded:
            return
        self.model.set_filter(self.current_filter())
        self._after_filter()
        self.filter_changed.emit()

    def _after_filter(self) -> None:
        shown, total = self.model.rowCount(), self.model.total
        f = self.model.current_filter
        if shown:
            self.stack.setCurrentWidget(self.table)
        elif total == 0 and not f.narrowed and f.status == PatientStatus.ACTIVE:
            self.empty.setText(
                "<p><b>No patients yet</b></p><p>Add your first patient with <b>File ▸ New patient</b> "
                "(Ctrl+N).</p><p>To explore the app first, run <code>trdplanner demo</code> to add "
                "invented demo patients.</p>"
            )
            self.stack.setCurrentWidget(self.empty)
        else:
            what = f"“{f.text.strip()}”" if f.text.strip() else "these filters"
            self.empty.setText(
                f"<p><b>No patients match {what}.</b></p>"
                "<p>Check the spelling, clear the search (Esc) or switch off a filter.</p>"
            )
            self.stack.setCurrentWidget(self.empty)
        noun = "patient" if total == 1 else "patients"
        self.count.setText(f"{shown} of {total} {noun}" if f.narrowed else f"{total} {noun}")

    def select(self, patient_id: int) -> bool:
        row = self.model.row_of(patient_id)
        if row is None:
            return False
        index = self.model.index(row, 0)
        self.table.selectionModel().setCurrentIndex(
            index, QItemSelectionModel.SelectionFlag.ClearAndSelect | QItemSelectionModel.SelectionFlag.Rows
        )
        self.table.scrollTo(index)
        return True

    def focus_search(self) -> None:
        self.search.setFocus(Qt.FocusReason.ShortcutFocusReason)
        self.search.selectAll()

    # ---------------------------------------------------------------- activation

    def _emit_row(self, row: int) -> None:
        if 0 <= row < self.model.rowCount():
            self.patient_activated.emit(self.model.summary_at(row).id)

    def _open_first(self) -> None:
        if self.model.rowCount():
            current = self.table.currentIndex()
            row = current.row() if current.isValid() else 0
            self.table.setCurrentIndex(self.model.index(row, 0))
            self._emit_row(row)

    def eventFilter(self, obj, event) -> bool:
        if obj is self.table.viewport() and event.type() == QEvent.Type.Resize:
            self.fit_columns()  # the table's own width, also when it appears after loading
            return False
        # Down arrow from the search box moves into the list; Esc clears the search.
        if obj is self.search and isinstance(event, QKeyEvent) and event.type() == QKeyEvent.Type.KeyPress:
            if event.key() == Qt.Key.Key_Down and self.model.rowCount():
                self.table.setFocus()
                if not self.table.currentIndex().isValid():
                    self.table.setCurrentIndex(self.model.index(0, 0))
                return True
            if event.key() == Qt.Key.Key_Escape and self.search.text():
                self.search.clear()
                return True
        return super().eventFilter(obj, event)

    def current_index(self) -> QModelIndex:
        return self.table.currentIndex()
