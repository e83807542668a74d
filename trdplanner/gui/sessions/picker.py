"""Choose a template from the catalog: filter by modality and kind, read it, see the printed page."""

from __future__ import annotations

import html

from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QRadioButton,
    QSplitter,
    QVBoxLayout,
    QWidget,
)

from trdplanner.catalog import Kind, Modality, Template
from trdplanner.core.text import fold
from trdplanner.gui import pdfs
from trdplanner.gui.pdfs import PrintSources
from trdplanner.gui.preview import PdfPreview


class TemplatePicker(QDialog):
    """``chosen()`` and ``as_homework()`` after ``exec()`` returns Accepted."""

    def __init__(self, ctx: PrintSources, modality: str = "", parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.catalog = ctx.catalog
        self.setWindowTitle("Add a template to the session")
        self.resize(1100, 760)
        self.modality = QComboBox()
        self.modality.addItem("All modalities", "")
        for m in Modality:
            self.modality.addItem(m.label, str(m))
        self.modality.setCurrentIndex(max(0, self.modality.findData(modality)))
        self.modality.setToolTip("Show the templates of one modality")
        self.kind = QComboBox()
        self.kind.addItem("All kinds", "")
        for k in Kind:
            if k is not Kind.STRUCTURE:
                self.kind.addItem(k.label, str(k))
        self.kind.setToolTip("Exercises, homework worksheets, handouts or measure forms")
        self.search = QLineEdit()
        self.search.setPlaceholderText("Search titles and tags")
        self.search.setClearButtonEnabled(True)
        self.search.setToolTip("Words in a template's title, purpose or tags")
        self.list = QListWidget()
        self.list.setToolTip("Templates; choose one to read about it and see its printed page")
        self.list.setMinimumWidth(280)
        self.empty = QLabel("No template matches. Choose “All modalities” or clear the search.")
        self.empty.setProperty("role", "empty")
        self.empty.setWordWrap(True)
        self.about = QLabel()
        self.about.setWordWrap(True)
        self.about.setTextFormat(Qt.TextFormat.RichText)
        self.about.setAlignment(Qt.AlignmentFlag.AlignTop)
        self.preview = PdfPreview()
        self.preview.print_log = ctx.prints  # a blank page printed from here is recorded too
        self.in_session = QRadioButton("Fill in during the session")
        self.in_session.setToolTip("The worksheet is filled in together in the session")
        self.homework = QRadioButton("Give as homework")
        self.homework.setToolTip("Also listed as homework, ready to print for the client")
        self.in_session.setChecked(True)
        self._preview_timer = QTimer(self, singleShot=True, interval=250)
        self._preview_timer.timeout.connect(self._load_preview)

        filters = QHBoxLayout()
        filters.addWidget(self.modality)
        filters.addWidget(self.kind)
        filters.addWidget(self.search, 1)
        left = QWidget()
        left_layout = QVBoxLayout(left)
        left_layout.setContentsMargins(0, 0, 0, 0)
        left_layout.addLayout(filters)
        left_layout.addWidget(self.list, 1)
        left_layout.addWidget(self.empty)
        right = QWidget()
        right_layout = QVBoxLayout(right)
        right_layout.setContentsMargins(0, 0, 0, 0)
        right_layout.addWidget(self.about)
        right_layout.addWidget(self.preview, 1)
        role = QHBoxLayout()
        role.addWidget(self.in_session)
        role.addWidget(self.homework)
        role.addStretch(1)
        right_layout.addLayout(role)
        split = QSplitter()
        split.addWidget(left)
        split.addWidget(right)
        split.setStretchFactor(1, 2)
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        ok = self.buttons.button(QDialogButtonBox.StandardButton.Ok)
        ok.setText("Add to session")
        ok.setToolTip("Add the chosen template to this session")
        self.buttons.button(QDialogButtonBox.StandardButton.Cancel).setToolTip("Close without adding anything (Esc)")
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(split, 1)
        layout.addWidget(self.buttons)

        self.modality.currentIndexChanged.connect(self.refresh)
        self.kind.currentIndexChanged.connect(self.refresh)
        self.search.textChanged.connect(self.refresh)
        self.list.currentItemChanged.connect(self._current_changed)
        self.list.itemDoubleClicked.connect(self._double_clicked)
        self.refresh()
        self.search.setFocus()

    def _double_clicked(self) -> None:
        self.accept()

    def templates(self) -> list[Template]:
        found = self.catalog.filter(modality=self.modality.currentData() or None, kind=self.kind.currentData() or None)
        words = fold(self.search.text()).split()
        out = []
        for t in found:
            if t.kind is Kind.STRUCTURE:
                continue
            haystack = fold(" ".join((t.title, t.purpose, *t.tags)))
            if all(w in haystack for w in words):
                out.append(t)
        return out

    def refresh(self) -> None:
        current = self.chosen()
        self.list.clear()
        for t in self.templates():
            item = QListWidgetItem(f"{t.title}\n{t.modality.label} · {t.kind.label} · {t.minutes} min")
            item.setData(Qt.ItemDataRole.UserRole, t.id)
            item.setToolTip(t.purpose.strip())
            self.list.addItem(item)
            if current is not None and t.id == current.id:
                self.list.setCurrentItem(item)
        self.empty.setVisible(self.list.count() == 0)
        if self.list.currentItem() is None and self.list.count():
            self.list.setCurrentRow(0)
        self.buttons.button(QDialogButtonBox.StandardButton.Ok).setEnabled(self.list.currentItem() is not None)

    def chosen(self) -> Template | None:
        item = self.list.currentItem() if hasattr(self, "list") else None
        return self.catalog.find(str(item.data(Qt.ItemDataRole.UserRole))) if item is not None else None

    def as_homework(self) -> bool:
        return self.homework.isChecked()

    def select(self, template_id: str) -> bool:
        for i in range(self.list.count()):
            if self.list.item(i).data(Qt.ItemDataRole.UserRole) == template_id:
                self.list.setCurrentRow(i)
                return True
        return False

    def _current_changed(self) -> None:
        t = self.chosen()
        self.buttons.button(QDialogButtonBox.StandardButton.Ok).setEnabled(t is not None)
        if t is None:
            self.about.setText("")
            self.preview.show_message("Choose a template to see its printed page.")
            return
        self.about.setText(
            f"<h3 style='margin:0'>{html.escape(t.title)}</h3>"
            f"<p style='color:#555'>{html.escape(t.modality.label)} · {html.escape(t.kind.label)} · "
            f"about {t.minutes} minutes · {len(t.input_fields)} fields</p>"
            f"<p>{html.escape(t.purpose.strip())}</p>"
        )
        (self.homework if t.kind is Kind.HOMEWORK else self.in_session).setChecked(True)
        self.preview.show_message("Preparing the printed page…")
        self._preview_timer.start()

    def _load_preview(self) -> None:
        t = self.chosen()
        if t is not None:
            ctx = self.ctx
            self.preview.load(lambda: pdfs.blank_worksheet_pdf(ctx, t), f"{t.id}.pdf", "the printed page")
