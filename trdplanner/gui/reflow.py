"""Two columns of panels on a wide window, one column on a narrow one (a 1024-pixel laptop).

Reading order is kept: a panel's place in one column is its (row, column) order in two.
"""

from __future__ import annotations

from dataclasses import dataclass

from PySide6.QtCore import QEvent, QObject
from PySide6.QtWidgets import QGridLayout, QWidget


@dataclass(frozen=True)
class Place:
    widget: QWidget
    row: int
    col: int
    span: int = 1  # columns spanned in the two-column arrangement


class Reflow(QObject):
    """Re-places ``places`` in ``grid`` whenever ``watch`` (the visible area) crosses ``narrow_below`` pixels."""

    def __init__(self, grid: QGridLayout, watch: QWidget, places: list[Place], narrow_below: int) -> None:
        super().__init__(watch)
        self.grid = grid
        self.places = sorted(places, key=lambda p: (p.row, p.col))
        self.narrow_below = narrow_below
        self.narrow: bool | None = None
        watch.installEventFilter(self)
        self.arrange(False)

    def eventFilter(self, obj: QObject, event: QEvent) -> bool:
        if event.type() == QEvent.Type.Resize and isinstance(obj, QWidget):
            self.arrange(obj.width() < self.narrow_below)
        return False

    def arrange(self, narrow: bool) -> None:
        if narrow == self.narrow:
            return
        self.narrow = narrow
        for p in self.places:
            self.grid.removeWidget(p.widget)
        for i, p in enumerate(self.places):
            if narrow:
                self.grid.addWidget(p.widget, i, 0, 1, 2)
            else:
                self.grid.addWidget(p.widget, p.row, p.col, 1, p.span)
