"""Moving between the window's panes with F6 and Shift+F6 (the list, the open tab, its inner panes)."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QWidget

from trdplanner.gui.patient_list import PatientListPanel


def first_focusable(root: QWidget) -> QWidget | None:
    """The first widget inside ``root`` that Tab would reach."""
    w = root.nextInFocusChain()
    while w is not None and w is not root:
        if (root.isAncestorOf(w) and w.isVisible() and w.isEnabled()
                and w.focusPolicy() & Qt.FocusPolicy.TabFocus and not w.focusProxy()):
            return w
        w = w.nextInFocusChain()
    return None


def move_focus(panes: list[QWidget], step: int, patients: PatientListPanel) -> None:
    """Focus the pane ``step`` away from the one holding the focus (wrapping round).

    The patient list takes the focus on its table (or its search box when it is empty); any
    other pane on its first field, so the keyboard lands where typing can start.
    """
    if not panes:
        return
    focus = QApplication.focusWidget()
    here = next((i for i, p in enumerate(panes) if focus is not None and (p is focus or p.isAncestorOf(focus))), -1)
    target = panes[(here + step) % len(panes)]
    if target is patients:
        if patients.model.rowCount():
            patients.table.setFocus(Qt.FocusReason.ShortcutFocusReason)
        else:
            patients.focus_search()
        return
    first = first_focusable(target)
    (first or target).setFocus(Qt.FocusReason.ShortcutFocusReason)
