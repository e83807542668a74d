"""Small coloured status labels ("Draft", "Signed", "Due"); the theme styles them by ``kind``."""

from __future__ import annotations

from PySide6.QtWidgets import QLabel

from trdplanner.gui.forms.style import repolish


def badge(text: str, kind: str) -> QLabel:
    label = QLabel(text)
    label.setProperty("badge", kind)
    return label


def set_badge(label: QLabel, text: str, kind: str) -> None:
    label.setText(text)
    label.setProperty("badge", kind)
    repolish(label)
