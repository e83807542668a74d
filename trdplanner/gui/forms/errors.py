"""The one way a field shows that it is wrong, for record dialogs and template forms alike.

A message in words at the field (an :class:`ErrorLabel` under it), a red frame (the ``invalid``
property, re-applied with :func:`~trdplanner.gui.forms.style.repolish`) and the same message as
the field's accessible description, so a screen reader says why when the field gets focus.
Everything is cleared as soon as the field is edited or the form is checked again.
"""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel, QWidget

from trdplanner.gui.forms.style import repolish


def innermost(widget: QWidget) -> QWidget:
    """The widget that really takes the keyboard: the end of the focus-proxy chain.

    A date field or a form editor is a container whose line edit is the thing with a frame."""
    seen = widget
    while (proxy := seen.focusProxy()) is not None and proxy is not seen:
        seen = proxy
    return seen


def mark_invalid(widget: QWidget, message: str | None) -> None:
    """Mark ``widget`` (and the field inside it) wrong with ``message``, or clear the mark.

    The frame comes from the style sheet's ``[invalid="true"]`` rules; the description is what
    assistive technology reads with the field. No ``style().unpolish()``: see ``repolish``."""
    invalid = bool(message)
    targets = [widget]
    inner = innermost(widget)
    if inner is not widget:
        targets.append(inner)
    for target in targets:
        if bool(target.property("invalid")) != invalid:
            target.setProperty("invalid", invalid)
            repolish(target)
        if invalid or target.property("errorDescription"):
            # Only undo a description this helper set: a date field keeps "Understood as …" in its own.
            target.setAccessibleDescription(message or "")
            target.setProperty("errorDescription", invalid)


def is_invalid(widget: QWidget) -> bool:
    return bool(widget.property("invalid"))


class ErrorLabel(QLabel):
    """The message under a field: hidden while there is nothing to say."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setProperty("role", "fieldError")
        self.setWordWrap(True)
        self.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.hide()

    def show_error(self, text: str | None) -> None:
        self.setText(text or "")
        self.setVisible(bool(text))


def show_field_error(widget: QWidget, label: ErrorLabel, message: str | None) -> None:
    """Message under the field, frame and description on it; ``None`` or "" clears all three."""
    label.show_error(message)
    mark_invalid(widget, message)
