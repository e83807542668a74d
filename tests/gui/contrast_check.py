"""WCAG 2.x contrast: every text colour the app paints, against every background it sits on.

The pairs are listed here, next to nothing else, so a test can check them all in both
schemes and a new colour cannot slip in without being measured.
"""

from __future__ import annotations

from dataclasses import dataclass

from PySide6.QtGui import QColor, QPalette

#: WCAG AA for normal-size text.
AA_TEXT = 4.5


def _channel(c: float) -> float:
    return c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4


def luminance(colour: QColor) -> float:
    """Relative luminance as WCAG defines it (sRGB, 0 = black, 1 = white)."""
    r, g, b = (_channel(x) for x in (colour.redF(), colour.greenF(), colour.blueF()))
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def contrast_ratio(fg: QColor, bg: QColor) -> float:
    """(lighter + 0.05) / (darker + 0.05): 1 for equal colours, 21 for black on white."""
    if fg.alphaF() < 1.0:  # blend a translucent foreground onto its background first
        a = fg.alphaF()
        fg = QColor.fromRgbF(fg.redF() * a + bg.redF() * (1 - a), fg.greenF() * a + bg.greenF() * (1 - a),
                             fg.blueF() * a + bg.blueF() * (1 - a))
    hi, lo = sorted((luminance(fg), luminance(bg)), reverse=True)
    return (hi + 0.05) / (lo + 0.05)


@dataclass(frozen=True)
class Pair:
    what: str
    fg: QColor
    bg: QColor

    @property
    def ratio(self) -> float:
        return contrast_ratio(self.fg, self.bg)


def text_pairs(palette: QPalette, colours: dict[str, QColor]) -> list[Pair]:
    """Every text-on-background pair the app uses, for one palette and its status colours."""
    role = QPalette.ColorRole
    active = QPalette.ColorGroup.Active

    def pc(r: QPalette.ColorRole) -> QColor:
        return palette.color(active, r)

    backgrounds = {"window": pc(role.Window), "base": pc(role.Base), "alternate base": pc(role.AlternateBase),
                   "card": colours["card"]}
    pairs = [
        Pair("window text on window", pc(role.WindowText), pc(role.Window)),
        Pair("text on base", pc(role.Text), pc(role.Base)),
        Pair("text on alternate rows", pc(role.Text), pc(role.AlternateBase)),
        Pair("button text on button", pc(role.ButtonText), pc(role.Button)),
        Pair("selected text on selection", pc(role.HighlightedText), pc(role.Highlight)),
        Pair("tooltip text on tooltip", pc(role.ToolTipText), pc(role.ToolTipBase)),
        Pair("placeholder text on base", pc(role.PlaceholderText), pc(role.Base)),
        Pair("link on base", pc(role.Link), pc(role.Base)),
        Pair("text on card", pc(role.Text), colours["card"]),
    ]
    for name in ("danger", "warning", "ok", "accent", "muted"):
        for bg_name, bg in backgrounds.items():
            pairs.append(Pair(f"{name} text on {bg_name}", colours[name], bg))
    for name in ("danger", "warning", "ok", "accent"):
        pairs.append(Pair(f"{name} text on its banner or badge", colours[name], colours[f"{name}_bg"]))
        pairs.append(Pair(f"text on the {name} banner", pc(role.WindowText), colours[f"{name}_bg"]))
    pairs.append(Pair("selected answer on its fill", colours["selected_text"], colours["selected_bg"]))
    pairs.append(Pair("focus ring against window", colours["focus"], pc(role.Window)))
    return pairs
