"""The one contract every patient tab keeps, and the stable keys the window finds tabs by.

A tab is found by its ``TabKey``, never by the text on it, so renaming a tab's label changes
nothing else. The workspace and the main window talk to the tabs only through ``PatientTab``:
no ``isinstance`` or ``hasattr`` branches, so a new tab is added by implementing this protocol.
``PatientTabWidget`` gives every tab the protocol's defaults, so each states only what differs.
"""

from __future__ import annotations

from collections.abc import Callable
from enum import StrEnum
from typing import Protocol

from PySide6.QtWidgets import QWidget


class TabKey(StrEnum):
    """The workspace's tabs, in the order they are shown (Ctrl+1 … Ctrl+8)."""

    OVERVIEW = "overview"
    PROFILE = "profile"
    HISTORY = "history"
    MEASURES = "measures"
    PLAN = "plan"
    SESSIONS = "sessions"
    NOTES = "notes"
    TIMELINE = "timeline"

    @property
    def label(self) -> str:
        return _LABELS[self]

    @property
    def tip(self) -> str:
        return _TIPS[self]

    @property
    def icon_name(self) -> str:
        return _ICONS[self]


_LABELS = {
    TabKey.OVERVIEW: "Overview", TabKey.PROFILE: "Profile", TabKey.HISTORY: "Treatment history",
    TabKey.MEASURES: "Measures", TabKey.PLAN: "Treatment plan", TabKey.SESSIONS: "Sessions", TabKey.NOTES: "Notes",
    TabKey.TIMELINE: "Timeline",
}
_TIPS = {
    TabKey.OVERVIEW: "Summary, TRD status and staging, risk, latest scores and next steps (Ctrl+1)",
    TabKey.PROFILE: "Every profile field: identity, contact, diagnosis, risk, episodes, care team (Ctrl+2)",
    TabKey.HISTORY: "The trial ledger and whether each trial counts toward TRD (Ctrl+3)",
    TabKey.MEASURES: "Enter PHQ-9, GAD-7, QIDS-SR16, HAM-D17; chart over time; alerts (Ctrl+4)",
    TabKey.PLAN: "Problems, goals, objectives and interventions (Ctrl+5)",
    TabKey.SESSIONS: "Sessions and the session planner (Ctrl+6)",
    TabKey.NOTES: "Every progress note, with full-text search (Ctrl+7)",
    TabKey.TIMELINE: "Trials, interventional courses, therapy sessions and scores on one time axis (Ctrl+8)",
}
_ICONS = {
    TabKey.OVERVIEW: "overview", TabKey.PROFILE: "profile", TabKey.HISTORY: "trial", TabKey.MEASURES: "measure",
    TabKey.PLAN: "plan", TabKey.SESSIONS: "sessions", TabKey.NOTES: "notes", TabKey.TIMELINE: "chart",
}


class PatientTab(Protocol):
    """What the workspace and the window may ask of a tab. Every tab is also a QWidget."""

    #: Which tab this is (stable; the label may change).
    key: TabKey
    #: True: the tab reads its patient itself once it is on screen, so it may be told at once.
    #: False: it reads when told, so the workspace tells it only when it is first shown.
    loads_when_shown: bool
    #: True: the workspace puts the tab in a scroll area (it is taller than a small screen).
    scrolls: bool

    def set_patient(self, patient_id: int | None) -> None: ...

    def invalidate(self) -> None:
        """Something it shows changed elsewhere: read it again (now if shown, else when next shown)."""

    def connect_changes(self, on_changed: Callable[[int], None], on_dirty: Callable[[bool], None]) -> None:
        """Call ``on_changed(patient_id)`` after the tab saved something others show, ``on_dirty`` when
        its unsaved state flips."""

    def has_unsaved_changes(self) -> bool: ...

    def save_current(self) -> bool:
        """Save what is unsaved; False when it could not be saved (the tab said why)."""

    def discard_changes(self) -> None: ...

    def can_save(self) -> bool:
        """Whether File ▸ Save means something on this tab."""

    def can_print(self) -> bool:
        """Whether File ▸ Print means something on this tab."""

    def print_current(self) -> object:
        """Open what this tab prints (a preview, where it is printed or saved)."""

    def panes(self) -> list[QWidget]:
        """The panes F6 moves through inside this tab, in screen order (the tab itself when it has one)."""

    def focus(self) -> None:
        """Put the keyboard focus in the tab."""


class PatientTabWidget(QWidget):
    """A tab that only shows: it saves nothing, prints nothing, is one pane, and is told the patient
    when it is first shown. Tabs inherit this and override what they do differently."""

    key: TabKey
    loads_when_shown = False
    scrolls = False

    def invalidate(self) -> None:
        """Nothing another tab saves changes what this tab shows."""

    def connect_changes(self, on_changed: Callable[[int], None], on_dirty: Callable[[bool], None]) -> None:
        """It changes nothing another tab shows, and holds no unsaved state to signal."""

    def has_unsaved_changes(self) -> bool:
        return False

    def save_current(self) -> bool:
        return True

    def discard_changes(self) -> None:
        """Nothing held back to discard."""

    def can_save(self) -> bool:
        return False

    def can_print(self) -> bool:
        return False

    def print_current(self) -> object:
        """Nothing prints from a tab that does not say it can."""
        return None

    def panes(self) -> list[QWidget]:
        return [self]

    def focus(self) -> None:
        self.setFocus()
