"""What every workspace tab shares: lazy loading, error dialogs, cards and empty states.

A tab is told the patient with ``set_patient``; it reads from the services only when it
is on screen, so opening a patient costs only the tab the user is looking at.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import TYPE_CHECKING

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QShowEvent
from PySide6.QtWidgets import (
    QFrame,
    QHBoxLayout,
    QLabel,
    QSizePolicy,
    QVBoxLayout,
    QWidget,
)

from trdplanner.gui.dialogs import show_error
from trdplanner.gui.forms.style import repolish
from trdplanner.gui.patient_tab import PatientTabWidget
from trdplanner.gui.theme import heading_font

if TYPE_CHECKING:
    from trdplanner.gui.services import WorkspaceServices

log = logging.getLogger(__name__)


class WorkspaceTab(PatientTabWidget):
    """Base for the tabs of this package: subclasses set ``key`` and implement ``load(patient_id)`` and
    ``clear()``. It keeps the ``PatientTab`` contract (gui/patient_tab.py) for them."""

    #: Emitted after the tab saved something, with the patient id.
    changed = Signal(int)
    #: Emitted when the tab's unsaved state changes (enables File ▸ Save).
    dirty_changed = Signal(bool)

    loads_when_shown = True  # it reads when shown (showEvent), so telling it the patient costs nothing

    def __init__(self, ctx: WorkspaceServices, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.patient_id: int | None = None
        self._stale = True

    @property
    def title(self) -> str:
        return self.key.label

    def connect_changes(self, on_changed: Callable[[int], None], on_dirty: Callable[[bool], None]) -> None:
        self.changed.connect(on_changed)
        self.dirty_changed.connect(on_dirty)

    def set_patient(self, patient_id: int | None) -> None:
        self.patient_id = patient_id
        self._stale = True
        if self.isVisible():
            self.refresh()

    def invalidate(self) -> None:
        """Something this tab shows changed elsewhere; read it again when next shown."""
        self._stale = True
        if self.isVisible():
            self.refresh()

    def refresh(self) -> None:
        self._stale = False
        if self.patient_id is None:
            self.clear()
            return
        try:
            self.load(self.patient_id)
        except Exception as exc:
            log.warning("%s tab could not load patient %s: %s", self.title, self.patient_id, type(exc).__name__)
            self.clear()
            show_error(self, f"Could not show the {self.title.lower()}", exc)

    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        if self._stale:
            self.refresh()

    def load(self, patient_id: int) -> None:
        raise NotImplementedError

    def clear(self) -> None:
        raise NotImplementedError

    def notify_saved(self) -> None:
        if self.patient_id is not None:
            self.changed.emit(self.patient_id)


class Card(QFrame):
    """A titled panel on the overview and elsewhere."""

    def __init__(self, title: str, parent: QWidget | None = None, tip: str = "") -> None:
        super().__init__(parent)
        self.setObjectName("card")
        outer = QVBoxLayout(self)
        outer.setContentsMargins(14, 10, 14, 12)
        outer.setSpacing(6)
        head = QHBoxLayout()
        self.title_label = QLabel(title)
        self.title_label.setFont(heading_font(1.08))
        if tip:
            self.title_label.setToolTip(tip)
        head.addWidget(self.title_label)
        head.addStretch(1)
        self.head = head
        outer.addLayout(head)
        self.body = QVBoxLayout()
        self.body.setSpacing(4)
        outer.addLayout(self.body)
        outer.addStretch(1)
        self.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Preferred)


def rich_label(text: str = "", *, muted: bool = False, selectable: bool = True) -> QLabel:
    label = QLabel(text)
    label.setWordWrap(True)
    label.setTextFormat(Qt.TextFormat.RichText)
    if selectable:
        label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
    if muted:
        label.setProperty("role", "muted")
    return label


def empty_state(title: str, hint: str) -> QLabel:
    label = QLabel(f"<p style='font-size:13pt'><b>{title}</b></p><p>{hint}</p>")
    label.setAlignment(Qt.AlignmentFlag.AlignCenter)
    label.setWordWrap(True)
    label.setTextFormat(Qt.TextFormat.RichText)
    label.setProperty("role", "empty")
    label.setMargin(32)
    return label


class Banner(QFrame):
    """A coloured strip for alerts and status: level is danger, warning or ok."""

    def __init__(self, level: str = "warning", parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("banner")
        self.setProperty("level", level)
        self.layout_ = QHBoxLayout(self)
        self.layout_.setContentsMargins(12, 8, 12, 8)
        self.text = rich_label()
        self.layout_.addWidget(self.text, 1)

    def set_level(self, level: str) -> None:
        self.setProperty("level", level)
        repolish(self)  # not style().unpolish(): it crashes PySide6 6.12 later (forms/style.py)


def esc(text: object) -> str:
    return str(text).replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
