"""The dialog for a save refused because someone else changed the record since it was loaded.

It says who changed it and when, lists what differs between their version and yours, and
offers to reload theirs or to keep yours (saved on top of theirs, so theirs stays in the
audit trail and nothing is lost without being shown).
"""

from __future__ import annotations

import dataclasses
from typing import Any, Literal

from PySide6.QtWidgets import QMessageBox, QWidget

from trdplanner.core.errors import StaleError

Choice = Literal["reload", "keep"]
_SKIP = {"id", "version"}


def differences(mine: Any, theirs: Any) -> list[str]:
    """Names of the fields (plain words) that differ between two records of the same type."""
    out = []
    for f in dataclasses.fields(mine):
        if f.name in _SKIP:
            continue
        if getattr(mine, f.name) != getattr(theirs, f.name):
            out.append(f.name.replace("_", " "))
    return out


def ask_stale(parent: QWidget | None, exc: StaleError, what: str, differing: list[str]) -> Choice | None:
    who = exc.changed_by or "someone else"
    when = ""
    if exc.changed_at is not None and hasattr(exc.changed_at, "astimezone"):
        when = f" at {exc.changed_at.astimezone().strftime('%H:%M on %d %b %Y')}"
    box = QMessageBox(
        QMessageBox.Icon.Warning,
        "Changed by someone else",
        f"{what} was changed by {who}{when}, after you opened it. Your save was not applied.",
        QMessageBox.StandardButton.NoButton,
        parent,
    )
    listed = ", ".join(differing) if differing else "nothing you can see here (only its version moved)"
    box.setInformativeText(
        f"Where your version and theirs differ: {listed}.\n\n"
        "Reload theirs: show their version (your unsaved changes here are dropped).\n"
        "Keep mine: save your version on top of theirs (their change stays in the audit trail)."
    )
    reload = box.addButton("Reload theirs", QMessageBox.ButtonRole.RejectRole)
    keep = box.addButton("Keep mine", QMessageBox.ButtonRole.AcceptRole)
    box.addButton(QMessageBox.StandardButton.Cancel)
    box.setDefaultButton(reload)
    box.exec()
    clicked = box.clickedButton()
    if clicked is reload:
        return "reload"
    if clicked is keep:
        return "keep"
    return None
