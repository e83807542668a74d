"""Styles for the session, form and note screens, on top of the app-wide theme.

Colours come in pairs that read on light and dark palettes alike; everything else
follows the palette.
"""

from __future__ import annotations

from PySide6.QtWidgets import QWidget

DANGER = "#b3261e"

STYLESHEET = f"""
QLabel[role="title"] {{ font-size: 13pt; font-weight: 600; }}
QLabel[role="fieldlabel"] {{ font-weight: 600; }}
QLabel[role="heading"] {{
    font-size: 12pt; font-weight: 600; padding-top: 12px; padding-bottom: 2px;
    border-bottom: 1px solid palette(mid);
}}
QLabel[role="muted"] {{ color: palette(placeholder-text); }}
QLabel[role="fieldError"] {{ color: {DANGER}; font-weight: 600; }}
QLabel[role="empty"] {{ color: palette(placeholder-text); font-size: 11pt; padding: 24px; }}
QLabel[role="instructions"] {{
    background: rgba(47, 111, 143, 0.08); border-left: 3px solid #2f6f8f; padding: 8px 10px;
}}
QLabel[role="paragraph"] {{ padding: 2px 0; }}
QLabel[badge] {{ border-radius: 9px; padding: 2px 10px; font-weight: 600; }}
QLabel[badge="draft"] {{ background: #fff4dc; color: #8a5a00; border: 1px solid #e0b860; }}
QLabel[badge="signed"] {{ background: #e6f4ea; color: #1e6b3a; border: 1px solid #8cc79c; }}
QLabel[badge="new"] {{ background: #e8f1f6; color: #245a75; border: 1px solid #9cc3d8; }}
QLabel[role="signature"] {{
    background: #e6f4ea; color: #1e3b28; border: 1px solid #8cc79c; border-radius: 6px; padding: 8px 10px;
}}
QLabel[role="signature"][verified="false"] {{ background: #fbe9e7; color: {DANGER}; border-color: {DANGER}; }}
QLineEdit[invalid="true"], QPlainTextEdit[invalid="true"], QComboBox[invalid="true"], QSpinBox[invalid="true"],
QToolButton[invalid="true"] {{
    border: 1px solid {DANGER}; border-radius: 3px;
}}
QToolButton:checked {{ font-weight: 600; }}
"""


def repolish(widget: QWidget) -> None:
    """Re-apply style rules after a dynamic property (``invalid``, ``badge``) changed.

    Not ``style().unpolish(widget)``: in PySide6 6.12 that call drops a reference it does not
    own, and the interpreter later crashes deallocating None/True.
    """
    widget.setStyleSheet(widget.styleSheet())
