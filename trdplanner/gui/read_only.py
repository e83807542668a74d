"""The window on a read-only data folder: a banner that says so, fields that do not take typing.

The record is shown as usual, printing works, and File ▸ Data safety ▸ Back up now asks for a
file in another folder. Anything that would save is refused by the services in one plain
sentence (core/errors.py READ_ONLY_MESSAGE), which the usual error dialog shows; fields are
made read-only here so nobody types a note that could not be kept.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QEvent, QObject
from PySide6.QtWidgets import (
    QAbstractSpinBox,
    QApplication,
    QFileDialog,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QTextEdit,
    QWidget,
)

from trdplanner.gui import theme

BANNER_TEXT = ("<b>Read-only:</b> {reason}. Nothing can be saved; you can still read, print and back up to another "
               "folder (File ▸ Data safety). Opening and printing are not recorded in the audit trail.")


# Date filters (gui/dates.py, the Notes tab's From/to) say this when empty; date fields that save do not.
FILTER_PLACEHOLDERS = frozenset({"Any date"})


def banner() -> QLabel:
    label = QLabel()
    label.setObjectName("readOnlyBanner")
    label.setWordWrap(True)
    label.setTextFormat(label.textFormat().RichText)
    label.setContentsMargins(12, 6, 12, 6)
    label.setProperty("role", "warning")
    # The theme's warning banner colours, whose text pair the contrast test checks in both schemes.
    label.setStyleSheet(f"QLabel#readOnlyBanner {{ background: {theme.hex_colour('warning_bg')}; "
                        f"color: {QApplication.palette().windowText().color().name()}; "
                        f"border-bottom: 1px solid {theme.hex_colour('warning')}; }}")
    label.hide()
    return label


def show_banner(label: QLabel, reason: str, data_dir: Path) -> None:
    from html import escape

    reason = reason or "the data folder cannot be written"
    label.setText(BANNER_TEXT.format(reason=escape(reason[:1].upper() + reason[1:])))
    label.setToolTip(str(data_dir))
    label.show()


def _freeze_one(w: QWidget) -> None:
    # Text and numbers only: lists, filters and choosers stay usable for finding one's way
    # around the record, and any save they lead to is refused in words by the services.
    if isinstance(w, QLineEdit | QTextEdit | QPlainTextEdit | QAbstractSpinBox) and not _is_filter(w):
        w.setReadOnly(True)


def _is_filter(w: QWidget) -> bool:
    """A search box or a date filter: it finds things in the record and saves nothing, so it stays usable."""
    parent = w.parentWidget()
    if parent is not None and getattr(parent, "search", None) is w:
        return True
    return isinstance(w, QLineEdit) and w.placeholderText() in FILTER_PLACEHOLDERS


def freeze(root: QWidget) -> None:
    """Every text field under ``root`` shows its value and takes no typing.

    Fields made later (a note's sections, a form opened from a session) are frozen as they are
    first shown: an application-wide filter watches for them under ``root``.
    """
    for w in root.findChildren(QWidget):
        _freeze_one(w)
    app = QApplication.instance()
    if app is not None and root.property("readOnlyFreezer") is None:
        freezer = _Freezer(root)
        root.setProperty("readOnlyFreezer", True)
        app.installEventFilter(freezer)


class _Freezer(QObject):
    def __init__(self, root: QWidget) -> None:
        super().__init__(root)  # removed with the workspace
        self.root = root

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() == QEvent.Type.Polish and isinstance(watched, QWidget) and self.root.isAncestorOf(watched):
            _freeze_one(watched)
        return False


def ask_backup_file(parent: QWidget, data_dir: Path) -> Path | None:
    """Where a backup from a read-only folder goes: a file the person picks, outside the data folder."""
    import datetime as dt

    suggested = Path.home() / f"trdplanner-backup-{dt.datetime.now():%Y%m%d-%H%M}.sqlite3"
    chosen, _filter = QFileDialog.getSaveFileName(
        parent, "Back up to another folder", str(suggested), "TRD Planner backup (*.sqlite3)")
    return Path(chosen) if chosen else None
