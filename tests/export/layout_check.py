"""A layout checker for printed PDFs: what a reviewer looking page by page would object to.

It reads the PDF with MuPDF (text spans with their boxes, vector drawings, form widgets) and
reports, in words:

- text that overprints other text (two spans whose glyph boxes overlap),
- text off the page or inside the unprintable edge of a home printer,
- a page that holds nothing but the running header and footer,
- a word broken inside a column header (every word of the headers we expect must be whole),
- a last page less than 15% used that keeping things together would have avoided.

Used by ``test_export_layout.py`` over every template (blank, prefilled with long text,
fillable) and every kind of document. Kept cheap: one pass of MuPDF per PDF.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

import pymupdf

from trdplanner.export.base import MARGIN_BOTTOM, MARGIN_TOP

# Home printers leave 4-6 mm unprinted; text closer to the edge than this is "off the page".
EDGE = 5 / 25.4 * 72
# Spans whose boxes overlap by less than this much (points, both ways) only touch.
_OVERLAP_TOLERANCE = 1.0
# The last page must hold at least this share of a page's body height.
MIN_LAST_PAGE_USE = 0.15
_WORD = re.compile(r"[^\W\d_]{4,}", re.UNICODE)


@dataclass(frozen=True)
class Span:
    page: int
    text: str
    rect: pymupdf.Rect
    size: float


def _spans(page: pymupdf.Page, number: int) -> list[Span]:
    out: list[Span] = []
    data = page.get_text("dict", flags=pymupdf.TEXT_PRESERVE_WHITESPACE)
    for block in data["blocks"]:
        for line in block.get("lines", []):
            if tuple(round(d, 3) for d in line["dir"]) != (1.0, 0.0):
                continue  # the rotated DRAFT watermark overlays everything by design
            for span in line["spans"]:
                text = span["text"]
                if not text.strip():
                    continue
                rect = pymupdf.Rect(span["bbox"])
                # Glyph boxes include the font's whole ascent and descent; shrink them to the
                # body of the letters so tight but legible leading does not count as overlap.
                inset = span["size"] * 0.18
                rect = pymupdf.Rect(rect.x0, rect.y0 + inset, rect.x1, rect.y1 - inset)
                out.append(Span(number, text, rect, span["size"]))
    return out


def _overlaps(spans: list[Span]) -> Iterable[str]:
    ordered = sorted(spans, key=lambda s: s.rect.y0)
    for i, a in enumerate(ordered):
        for b in ordered[i + 1 :]:
            if b.rect.y0 >= a.rect.y1:
                break
            w = min(a.rect.x1, b.rect.x1) - max(a.rect.x0, b.rect.x0)
            h = min(a.rect.y1, b.rect.y1) - max(a.rect.y0, b.rect.y0)
            if w > _OVERLAP_TOLERANCE and h > _OVERLAP_TOLERANCE:
                yield f"page {a.page + 1}: {a.text.strip()[:40]!r} overprints {b.text.strip()[:40]!r}"


def _body_band(page: pymupdf.Page) -> tuple[float, float]:
    """Top and bottom (MuPDF's y grows downwards) of the frame that holds the body."""
    return MARGIN_TOP - 2, page.rect.height - MARGIN_BOTTOM + 2


def _body_extent(page: pymupdf.Page, spans: list[Span]) -> tuple[float, float] | None:
    """The highest and lowest point of anything drawn in the body band, or None if empty."""
    top, bottom = _body_band(page)
    ys: list[float] = []
    for s in spans:
        if s.rect.y1 > top and s.rect.y0 < bottom:
            ys += [s.rect.y0, s.rect.y1]
    for drawing in page.get_drawings():
        r = drawing["rect"]
        if r.y1 > top + 1 and r.y0 < bottom - 1:
            ys += [max(r.y0, top), min(r.y1, bottom)]
    for widget in page.widgets() or []:
        r = widget.rect
        if r.width > 2 and r.y1 > top and r.y0 < bottom:
            ys += [r.y0, r.y1]
    if not ys:
        return None
    return min(ys), max(ys)


@dataclass
class Report:
    problems: list[str]
    pages: int
    last_page_use: float


def check(data: bytes, *, header_words: Iterable[str] = (), strand_allowed: bool = False) -> Report:
    """Every layout problem in the PDF ``data``, as sentences (an empty list when it is fine).

    ``header_words``: text that should be printed in column headers; each of its words of four
    letters or more must appear whole somewhere, so a header broken mid-word is caught.
    ``strand_allowed``: the document is a single unbreakable block that cannot keep together.
    """
    problems: list[str] = []
    doc = pymupdf.open(stream=data, filetype="pdf")
    words_seen: set[str] = set()
    use = 1.0
    for number, page in enumerate(doc):
        spans = _spans(page, number)
        width, height = page.rect.width, page.rect.height
        for s in spans:
            r = s.rect
            if r.x0 < EDGE - 0.5 or r.x1 > width - EDGE + 0.5 or r.y0 < EDGE - 0.5 or r.y1 > height - EDGE + 0.5:
                problems.append(f"page {number + 1}: {s.text.strip()[:40]!r} is off the page or in its edge")
        problems += list(_overlaps(spans))
        extent = _body_extent(page, spans)
        if extent is None:
            problems.append(f"page {number + 1} holds nothing but the header and footer")
        top, bottom = _body_band(page)
        if number == len(doc) - 1 and number > 0:
            use = 0.0 if extent is None else (extent[1] - top) / (bottom - top)
            if use < MIN_LAST_PAGE_USE and not strand_allowed:
                problems.append(f"the last page (page {number + 1}) is only {use:.0%} used")
        for w in page.get_text("words"):
            words_seen.add(w[4].strip(".,:;()[]%·?!'\"").casefold())
    wanted = {m.group(0).casefold() for text in header_words for m in _WORD.finditer(text)}
    broken = sorted(w for w in wanted if w not in words_seen and not any(w in seen for seen in words_seen))
    problems += [f"the header word {w!r} is not printed whole (broken across lines?)" for w in broken]
    pages = len(doc)
    doc.close()
    return Report(problems, pages, use)
