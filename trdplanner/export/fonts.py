"""The font family every printed page uses: DejaVu Sans, shipped in ``resources/fonts``.

reportlab's built-in fonts only cover Latin-1, so a Greek or Cyrillic name would print as
boxes or crash. DejaVu covers Latin, Greek, Cyrillic, Hebrew, Arabic and many symbols; it is
embedded (subset) in every PDF. Characters no face covers are replaced by a visible
placeholder in :mod:`trdplanner.export.text` rather than left to the PDF viewer.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from functools import cache

from reportlab.lib.fonts import addMapping
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont

from trdplanner.paths import resources_dir

REGULAR = "TRDSans"
BOLD = "TRDSans-Bold"
CONDENSED = "TRDSansCondensed"
CONDENSED_BOLD = "TRDSansCondensed-Bold"

_FILES = {
    REGULAR: "DejaVuSans.ttf",
    BOLD: "DejaVuSans-Bold.ttf",
    CONDENSED: "DejaVuSansCondensed.ttf",
    CONDENSED_BOLD: "DejaVuSansCondensed-Bold.ttf",
}

# Shown in place of a character no shipped face can draw; DejaVu has this glyph.
PLACEHOLDER = "\N{REPLACEMENT CHARACTER}"

_lock = threading.Lock()


class FontError(RuntimeError):
    """The shipped fonts are missing or unreadable (a broken install, not a user error)."""


@dataclass(frozen=True)
class FontSet:
    """The registered faces and the characters all of them can draw."""

    covered: frozenset[int]


@cache
def _register() -> FontSet:
    folder = resources_dir() / "fonts"
    covered: set[int] | None = None
    for name, file in _FILES.items():
        path = folder / file
        try:
            font = TTFont(name, str(path))
        except Exception as exc:  # reportlab raises bare TTFError/OSError variants
            raise FontError(f"cannot load the font {path}: {exc}") from exc
        pdfmetrics.registerFont(font)
        chars = set(font.face.charToGlyph)
        covered = chars if covered is None else covered & chars
    # <b> in Paragraph markup picks the bold face. There is no italic: DejaVu's oblique lacks
    # Arabic, and a face that drops characters would undo the coverage promise above.
    addMapping(REGULAR, 0, 0, REGULAR)
    addMapping(REGULAR, 1, 0, BOLD)
    addMapping(REGULAR, 0, 1, REGULAR)
    addMapping(REGULAR, 1, 1, BOLD)
    addMapping(CONDENSED, 0, 0, CONDENSED)
    addMapping(CONDENSED, 1, 0, CONDENSED_BOLD)
    addMapping(CONDENSED, 0, 1, CONDENSED)
    addMapping(CONDENSED, 1, 1, CONDENSED_BOLD)
    return FontSet(frozenset(covered or ()))


def fonts() -> FontSet:
    """Register the family once per process (thread-safe) and return what it covers."""
    with _lock:
        return _register()


def string_width(text: str, font: str, size: float) -> float:
    fonts()
    return float(pdfmetrics.stringWidth(text, font, size))
