"""Looking at a window the way a therapist would: is anything scrolled sideways, painted over or cut off?

Used by the screenshot tests and by ``docs/screenshots/make_screenshots.py``; it reads widget
geometry only, so it works on the offscreen platform as well as on a real screen.
"""

from __future__ import annotations

from dataclasses import dataclass

from PySide6.QtCore import QRect, Qt
from PySide6.QtWidgets import (
    QAbstractButton,
    QAbstractScrollArea,
    QFocusFrame,
    QLabel,
    QScrollBar,
    QStackedWidget,
    QTabBar,
    QWidget,
)

#: Overlaps smaller than this (in pixels, each way) are frame borders touching, not a widget painted over another.
TOLERANCE = 2


@dataclass(frozen=True)
class Problem:
    kind: str  # "scrolls sideways", "overlap", "cut off"
    where: str

    def __str__(self) -> str:
        return f"{self.kind}: {self.where}"


def describe(w: QWidget) -> str:
    name = w.objectName() or w.accessibleName()
    text = getattr(w, "text", None)
    label = ""
    if callable(text):
        try:
            label = str(text())[:30]
        except TypeError:
            label = ""
    bits = [type(w).__name__]
    if name:
        bits.append(f"#{name}")
    if label:
        bits.append(f"“{label}”")
    chain: list[str] = []
    p = w.parentWidget()
    while p is not None and len(chain) < 3:
        chain.append(type(p).__name__)
        p = p.parentWidget()
    return " ".join(bits) + (f" in {' < '.join(chain)}" if chain else "")


def _shown(w: QWidget) -> bool:
    return w.isVisible() and not w.isWindow() and w.width() > 0 and w.height() > 0


def sideways_scrollbars(root: QWidget) -> list[Problem]:
    """Horizontal scroll bars that are on screen and have somewhere to scroll."""
    out = []
    for bar in root.findChildren(QScrollBar):
        if bar.orientation() == Qt.Orientation.Horizontal and bar.isVisible() and bar.maximum() > 0:
            area = bar.parentWidget()
            while area is not None and not isinstance(area, QAbstractScrollArea):
                area = area.parentWidget()
            out.append(Problem("scrolls sideways", describe(area or bar)))
    return out


def _laid_out_children(parent: QWidget) -> list[QWidget]:
    layout = parent.layout()
    if layout is None or isinstance(parent, QStackedWidget | QAbstractScrollArea):
        return []
    kids = []
    for w in parent.findChildren(QWidget, options=Qt.FindChildOption.FindDirectChildrenOnly):
        if _shown(w) and not isinstance(w, QFocusFrame) and layout.indexOf(w) >= 0:
            kids.append(w)
    return kids


def overlaps_and_cuts(root: QWidget) -> list[Problem]:
    """Siblings in one layout that overlap, and laid-out widgets that stick out of their parent."""
    out: list[Problem] = []
    parents = [root, *root.findChildren(QWidget)]
    for parent in parents:
        if not parent.isVisible() or isinstance(parent, QTabBar):
            continue
        kids = _laid_out_children(parent)
        bounds = parent.rect().adjusted(-TOLERANCE, -TOLERANCE, TOLERANCE, TOLERANCE)
        for i, a in enumerate(kids):
            ga = a.geometry()
            if not bounds.contains(ga):
                out.append(Problem("cut off", f"{describe(a)} at {_rect(ga)} outside {_rect(parent.rect())}"))
            elif isinstance(a, QLabel) and a.wordWrap() and a.text() and \
                    a.heightForWidth(a.width()) > a.height() + TOLERANCE + 2:
                out.append(Problem("cut off", f"{describe(a)} shows {a.height()} of the "
                                              f"{a.heightForWidth(a.width())} pixels its text needs"))
            elif isinstance(a, QAbstractButton) and a.width() + TOLERANCE < a.minimumSizeHint().width():
                out.append(Problem("cut off", f"{describe(a)} squeezed to {a.width()} of "
                                              f"{a.minimumSizeHint().width()} pixels"))
            for b in kids[i + 1:]:
                inter = ga.intersected(b.geometry())
                if inter.width() > TOLERANCE and inter.height() > TOLERANCE:
                    out.append(Problem("overlap", f"{describe(a)} and {describe(b)} share {_rect(inter)}"))
    return out


def problems(root: QWidget) -> list[Problem]:
    return sideways_scrollbars(root) + overlaps_and_cuts(root)


def _rect(r: QRect) -> str:
    return f"{r.x()},{r.y()} {r.width()}x{r.height()}"
