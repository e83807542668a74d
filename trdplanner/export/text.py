"""User text on its way into a PDF: made printable, put in drawing order, escaped for markup.

Everything a person typed (names, notes, answers) passes through here before it reaches a
Paragraph or the canvas. Paragraph markup is XML-like, so ``<b>``, ``&`` or ``<font>`` in a
name would otherwise be obeyed or crash the parser; escaped, they print literally.
"""

from __future__ import annotations

import re
import unicodedata
from xml.sax.saxutils import escape

from trdplanner.export.bidi import visual
from trdplanner.export.fonts import PLACEHOLDER, fonts

# Control characters never print; a tab becomes a space, other controls are dropped.
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")
_SURROGATE = re.compile(r"[\ud800-\udfff]")

# Paragraphs longer than this are set as several, because reportlab re-measures a paragraph's
# whole remaining text on every page it spills onto: 100,000 characters in one Paragraph take
# seconds, in pieces of this size well under one.
CHUNK_CHARS = 2500


def clean(text: str) -> str:
    """``text`` with every character the shipped fonts cannot draw made visible or dropped.

    Invisible format characters (joiners, direction marks, soft hyphens) are dropped; a presentation form
    the fonts lack falls back to its plain letter; anything else uncovered prints as the
    placeholder, so an emoji or a CJK name is seen to be missing instead of crashing.
    """
    text = text.replace("\r\n", "\n").replace("\r", "\n").replace("\t", " ")
    text = _CONTROL.sub("", text)
    text = _SURROGATE.sub(PLACEHOLDER, text)
    covered = fonts().covered
    if text.isascii():
        return text

    def drawable(ch: str) -> bool:
        # Beyond the Basic Multilingual Plane reportlab writes a broken text map, so an emoji
        # would print but vanish from copy and paste and search: treat it as uncovered.
        return ord(ch) <= 0xFFFF and ord(ch) in covered

    out: list[str] = []
    for ch in text:
        if unicodedata.category(ch) == "Cf":
            continue
        if ch == "\n" or drawable(ch):
            out.append(ch)
            continue
        plain = unicodedata.normalize("NFKC", ch)
        if plain and all(drawable(c) for c in plain):
            out.append(plain)
        else:
            out.append(PLACEHOLDER)
    return "".join(out)


def printable(text: object) -> str:
    """Plain text ready for the canvas: cleaned and in drawing order (not escaped)."""
    return visual(clean("" if text is None else str(text)))


def markup(text: object) -> str:
    """User text as Paragraph markup that prints exactly what was typed.

    Line breaks are kept; runs of spaces collapse as they do in any paragraph.
    """
    return escape(printable(text)).replace("\n", "<br/>")


def one_line(text: object) -> str:
    """Markup for a place that holds one line (a header, a table label): breaks become spaces."""
    return escape(printable(" ".join(str(text or "").split())))


def _split_long(line: str, limit: int) -> list[str]:
    """A line longer than ``limit`` cut at sentence ends, else spaces, else anywhere."""
    pieces: list[str] = []
    while len(line) > limit:
        window = line[:limit]
        cut = max(window.rfind(". "), window.rfind("? "), window.rfind("! "))
        if cut < limit // 2:
            cut = window.rfind(" ")
        if cut < limit // 2:
            cut = limit - 1
        pieces.append(line[: cut + 1])
        line = line[cut + 1 :]
    pieces.append(line)
    return pieces


def chunks(text: str, limit: int = CHUNK_CHARS) -> list[str]:
    """``text`` as consecutive pieces of at most about ``limit`` characters.

    Pieces end at line breaks where possible; a single overlong line is cut at a sentence
    end or a space. Short text (nearly everything) comes back as one piece.
    """
    if len(text) <= limit:
        return [text]
    out: list[str] = []
    current: list[str] = []
    size = 0
    for line in text.split("\n"):
        for piece in _split_long(line, limit):
            if current and size + len(piece) > limit:
                out.append("\n".join(current))
                current, size = [], 0
            current.append(piece)
            size += len(piece) + 1
    if current:
        out.append("\n".join(current))
    return out


def paragraphs_of(text: str) -> list[str]:
    """Blank-line separated paragraphs (how template authors write running text)."""
    return [p.strip() for p in re.split(r"\n\s*\n", text.strip()) if p.strip()]
