"""Shared pieces for laying out template fields: the layout settings and small helpers."""

from __future__ import annotations

import threading
from collections import OrderedDict
from dataclasses import dataclass
from typing import Any

from reportlab.lib.units import mm
from reportlab.platypus import Flowable, Paragraph, Spacer, Table, TableStyle
from reportlab.platypus.paragraph import cleanBlockQuotedText
from reportlab.platypus.paraparser import ParaParser

from trdplanner.catalog import Column, Field, FieldType
from trdplanner.export.fonts import REGULAR, string_width
from trdplanner.export.formfields import Manifest
from trdplanner.export.styles import RULE, TINT, Styles
from trdplanner.export.text import chunks, markup

# Parsed markup by (text, style): column headers, labels and titles recur on every sheet and
# in every copy of a batch, and reportlab's markup parser (an HTML parser building fragment
# objects) costs more than laying the text out. Bounded; the lock makes it safe for the
# export threads the GUI runs.
_PARSED: OrderedDict[tuple[str, int], tuple[Any, list[Any]]] = OrderedDict()
_PARSED_MAX = 4096
_parsed_lock = threading.Lock()


def _parsed(text: str, style: Any) -> list[Any] | None:
    """Fresh copies of the fragments ``text`` parses to in ``style``; None when reportlab
    should parse it itself (markup that changes the style, a bullet, a transform, an error).

    Copies, because laying out marks fragments; a cached parse is never handed out twice.
    """
    key = (text, id(style))
    with _parsed_lock:
        hit = _PARSED.get(key)
        if hit is not None and hit[0] is style:
            _PARSED.move_to_end(key)
            return [f.clone() for f in hit[1]]
    parser = ParaParser()
    parser.caseSensitive = 1
    parsed_style, frags, bullet = parser.parse(cleanBlockQuotedText(text), style)
    # Markup that changes the style itself (<para>) or carries a bullet is left to reportlab.
    if frags is None or bullet or parsed_style is not style or style.textTransform:
        return None
    with _parsed_lock:
        # The style is kept in the entry, so its id cannot be reused while the entry lives.
        _PARSED[key] = (style, frags)
        if len(_PARSED) > _PARSED_MAX:
            _PARSED.popitem(last=False)
    return [f.clone() for f in frags]


class Para(Paragraph):
    """A Paragraph that parses its markup once per process and remembers its last layout.

    Asked again at the same width, it answers without breaking its lines again (Platypus
    measures a table's cells, and a kept group's members, several times per page; a
    paragraph's lines depend only on its width).
    """

    _wrapped_at: tuple[float, float, float] | None = None

    def __init__(self, text: str, style: Any = None, bulletText: Any = None, frags: Any = None, **kw: Any) -> None:
        if frags is None and style is not None and bulletText is None and text is not None:
            frags = _parsed(text, style)
            if frags is not None:
                text = cleanBlockQuotedText(text)  # what Paragraph keeps as .text when it parses
        super().__init__(text, style, bulletText, frags, **kw)

    def wrap(self, available_width: float, available_height: float) -> tuple[float, float]:
        last = self._wrapped_at
        if last is not None and last[0] == available_width:
            return last[1], last[2]
        width, height = super().wrap(available_width, available_height)
        self._wrapped_at = (available_width, width, height)
        return width, height

    def split(self, available_width: float, available_height: float) -> list[Flowable]:
        self._wrapped_at = None
        return list(super().split(available_width, available_height))


DEFAULT_LINES = 3
# A choice or checklist column with more options than this prints them once, numbered, above
# the table; each cell then offers the numbers to circle instead of repeating every label.
MAX_OPTIONS_IN_CELL = 4
DEFAULT_ROWS = 4
# A scale with more points than this prints as "__ / max" instead of boxes to circle.
MAX_SCALE_BOXES = 11


@dataclass
class Layout:
    """How fields print on this page.

    ``compact`` prints a filled record (the safety plan, a completed worksheet): answers
    without writing space beside them. ``manifest`` is set for fillable worksheets; inputs
    then become form fields and the manifest collects what read-back needs.
    """

    styles: Styles
    width: float
    compact: bool = False
    manifest: Manifest | None = None
    # Leave out instructions and help text (the fold-up safety plan has no room for them).
    terse: bool = False

    @property
    def fillable(self) -> bool:
        return self.manifest is not None

    def narrower(self, width: float) -> Layout:
        return Layout(self.styles, width, self.compact, self.manifest, self.terse)


def scale_values(shape: Field | Column) -> list[int]:
    assert shape.min is not None and shape.max is not None
    return list(range(int(shape.min), int(shape.max) + 1, shape.step))


def boxed_scale(shape: Field | Column) -> bool:
    """Whether a rating prints as a row of numbers to circle (short scales) or a blank."""
    return len(scale_values(shape)) <= MAX_SCALE_BOXES


def anchor_text(shape: Field | Column) -> str:
    """``0 = not at all, 100 = completely``: a scale's anchors in one line."""
    return ", ".join(f"{a.value:g} = {a.label}" for a in shape.anchors)


def hint(shape: Field | Column) -> str:
    """What a blank answer expects, for fields whose label alone does not say."""
    kind = shape.type
    if kind is FieldType.RATING:
        assert shape.min is not None and shape.max is not None
        return anchor_text(shape) or f"{shape.min:g} to {shape.max:g}"
    if kind is FieldType.NUMBER:
        if shape.min is not None and shape.max is not None:
            return f"a number from {shape.min:g} to {shape.max:g}"
        return "a number"
    if kind is FieldType.DATE:
        return "date as YYYY-MM-DD"
    if kind is FieldType.TIME:
        return "time as HH:MM"
    if kind is FieldType.SHORT_TEXT and shape.max_length:
        return f"up to {shape.max_length} characters"
    return ""


def text_paragraphs(text: str, style: Any) -> list[Flowable]:
    """User text as one or more Paragraphs (long text in pieces; see ``text.chunks``)."""
    return [Para(markup(piece), style) for piece in chunks(text)]


def kept(*flowables: Flowable) -> list[Flowable]:
    """Flowables that stay on the page of whatever follows them (a label and its answer space).

    Platypus groups a run of keep-with-next flowables with the next one. Nested KeepTogether
    blocks would break that chain (a heading would not follow its field onto a new page), so
    fields are built as flat lists of kept flowables instead.
    """
    for f in flowables:
        f.keepWithNext = 1
    return list(flowables)


def gap(height: float) -> Spacer:
    return Spacer(1, height)


def without_trailing_space(story: list[Flowable]) -> list[Flowable]:
    """``story`` without the gaps at its end: before a page break they have nothing to separate,
    and on a page filled to the foot (the diary card's back) a gap alone would start an empty page."""
    end = len(story)
    while end and isinstance(story[end - 1], Spacer):
        end -= 1
    return story[:end]


def label_block(layout: Layout, label: str, help_text: str | None, extra: str = "") -> list[Flowable]:
    """A field's label and help, kept with the answer space that follows."""
    s = layout.styles
    out: list[Flowable] = [Para(markup(label), s.label)]
    helps = [t for t in (None if layout.terse else help_text, extra) if t]
    if helps:
        out.append(Para(markup(" ".join(helps)), s.help))
    return kept(*out)


def grid(
    rows: list[list[Any]],
    widths: list[float],
    commands: list[tuple[Any, ...]],
    *,
    heights: list[float | None] | None = None,
    repeat: int = 0,
    split_rows: bool = True,
) -> Table:
    """A table with no padding unless asked; rows may split across pages unless told not to."""
    table = Table(
        rows,
        colWidths=widths,
        rowHeights=heights,
        repeatRows=repeat,
        splitInRow=1 if split_rows else 0,
        hAlign="LEFT",
    )
    base: list[tuple[Any, ...]] = [
        # Plain-string cells (even empty ones) use the table's font: ours, not Helvetica.
        ("FONTNAME", (0, 0), (-1, -1), REGULAR),
        ("VALIGN", (0, 0), (-1, -1), "TOP"),
        ("LEFTPADDING", (0, 0), (-1, -1), 0),
        ("RIGHTPADDING", (0, 0), (-1, -1), 0),
        ("TOPPADDING", (0, 0), (-1, -1), 0),
        ("BOTTOMPADDING", (0, 0), (-1, -1), 0),
    ]
    table.setStyle(TableStyle(base + commands))
    return table


PAD = 1.6 * mm


def data_table(s: Styles, header: list[str], rows: list[list[Any]], widths: list[float]) -> Flowable:
    """A plain ruled table with a tinted header row; cells are markup strings or flowables.

    A cell whose markup is plain text that fits its column on one line is set as a string,
    not a Paragraph: long tables (a year of scores, fifty sessions) lay out several times
    faster that way, and they look the same.
    """
    pad = 1.4 * mm
    font, size = s.cell.fontName, s.cell.fontSize

    def cell(value: Any, width: float) -> Any:
        if not isinstance(value, str):
            return value
        if "<" not in value and "&" not in value and string_width(value, font, size) <= width - 2 * pad:
            return value
        return Para(value, s.cell)

    body: list[list[Any]] = [[Para(h, s.cell_bold) for h in header]]
    for row in rows:
        body.append([cell(c, w) for c, w in zip(row, widths, strict=True)])
    return grid(
        body,
        widths,
        [
            ("FONTNAME", (0, 1), (-1, -1), font),
            ("FONTSIZE", (0, 1), (-1, -1), size),
            ("LEADING", (0, 1), (-1, -1), s.cell.leading),
            ("LINEBELOW", (0, 0), (-1, -1), 0.4, RULE),
            ("BACKGROUND", (0, 0), (-1, 0), TINT),
            ("LEFTPADDING", (0, 0), (-1, -1), pad),
            ("RIGHTPADDING", (0, 0), (-1, -1), pad),
            ("TOPPADDING", (0, 0), (-1, -1), 1.2 * mm),
            ("BOTTOMPADDING", (0, 0), (-1, -1), 1.2 * mm),
        ],
        repeat=1,
    )
