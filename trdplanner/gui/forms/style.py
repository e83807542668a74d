"""Styles for the session, form and note screens, part of the app-wide style sheet.

Colours come from the theme, so they follow the light or dark scheme and are checked for
contrast with everything else (tests/gui/contrast_check.py); everything else follows the palette.
"""

from __future__ import annotations

from PySide6.QtWidgets import QWidget


def rules() -> str:
    from trdplanner.gui.theme import hex_colour as c

    return f"""
QLabel[role="title"] {{ font-size: 13pt; font-weight: 600; }}
QLabel[role="fieldlabel"] {{ font-weight: 600; }}
QLabel[role="heading"] {{
    font-size: 12pt; font-weight: 600; padding-top: 12px; padding-bottom: 2px;
    border-bottom: 1px solid palette(mid);
}}
QLabel[role="fieldError"] {{ color: {c("danger")}; font-weight: 600; }}
QLabel[role="instructions"] {{
    background: {c("accent_bg")}; border-left: 3px solid {c("accent")}; padding: 8px 10px;
}}
QLabel[role="paragraph"] {{ padding: 2px 0; }}
QLabel[badge] {{ border-radius: 9px; padding: 2px 10px; font-weight: 600; }}
QLabel[badge="draft"] {{ background: {c("warning_bg")}; color: {c("warning")}; border: 1px solid {c("warning")}; }}
QLabel[badge="signed"] {{ background: {c("ok_bg")}; color: {c("ok")}; border: 1px solid {c("ok")}; }}
QLabel[badge="new"] {{ background: {c("accent_bg")}; color: {c("accent")}; border: 1px solid {c("accent")}; }}
QLabel[role="signature"] {{
    background: {c("ok_bg")}; color: palette(window-text); border: 1px solid {c("ok")}; border-radius: 6px;
    padding: 8px 10px;
}}
QLabel[role="signature"][verified="false"] {{
    background: {c("danger_bg")}; color: {c("danger")}; border-color: {c("danger")};
}}
QLineEdit[invalid="true"], QPlainTextEdit[invalid="true"], QComboBox[invalid="true"], QSpinBox[invalid="true"],
QToolButton[invalid="true"] {{
    border: 1px solid {c("danger")}; border-radius: 3px;
}}
QToolButton:checked {{ font-weight: 600; }}
"""


def repolish(widget: QWidget) -> None:
    """Re-apply style rules after a dynamic property (``invalid``, ``badge``, ``role``) changed.

    ``style().polish()`` alone: the style-sheet style drops its cached rules for the widget there.
    Not ``style().unpolish(widget)`` first: in PySide6 6.12 that call drops a reference it does not
    own, and the interpreter later crashes deallocating None/True. Not
    ``setStyleSheet(styleSheet())`` either: for a widget without its own sheet Qt returns early, so
    the red frame and red message never appeared (tests/gui/test_form_kit.py looks at the pixels).
    """
    widget.style().polish(widget)
    widget.update()
