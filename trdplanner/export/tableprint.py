"""Template tables: a header row, filled rows, then blank rows sized for handwriting.

Cells hold Paragraphs and the table may split inside a row, so a cell with pages of text
flows onto the next page instead of being clipped or refusing to lay out.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import lru_cache
from typing import Any

from reportlab.lib.units import mm
from reportlab.platypus import Flowable, Table

from trdplanner.catalog import Column, Field, FieldType, display_value
from trdplanner.export.flowables import TickBox, Whole
from trdplanner.export.fonts import string_width
from trdplanner.export.formfields import (
    BLANK_CHOICE,
    CheckField,
    ChoiceField,
    RadioField,
    TextField,
    field_name,
    fits_form_font,
)
from trdplanner.export.layout import (
    DEFAULT_ROWS,
    MAX_OPTIONS_IN_CELL,
    Layout,
    Para,
    gap,
    grid,
    kept,
    label_block,
    scale_values,
    text_paragraphs,
)
from trdplanner.export.styles import RULE, TINT, Styles
from trdplanner.export.text import chunks, markup, printable

_WEIGHT = {
    FieldType.LONG_TEXT: 3.0,
    FieldType.SHORT_TEXT: 2.0,
    FieldType.CHOICE: 2.0,
    FieldType.CHECKLIST: 2.2,
    FieldType.DATE: 1.35,
    FieldType.TIME: 1.0,
    FieldType.NUMBER: 1.0,
    FieldType.RATING: 1.15,
    FieldType.YES_NO: 1.0,
}
_ROW_LABEL_WEIGHT = 1.5
_MIN_COLUMN = 11 * mm
_CELL_PAD = 1.5 * mm
_BOX = 4 * mm
_OPTION_PITCH = 5.4 * mm


def _blank(value: Any) -> bool:
    if isinstance(value, dict):
        return all(_blank(v) for v in value.values())
    return value is None or value == "" or value == []


def _longest_word(texts: list[str], font: str, size: float) -> float:
    return _longest_word_of(tuple(texts), font, size)


@lru_cache(maxsize=2048)
def _longest_word_of(texts: tuple[str, ...], font: str, size: float) -> float:
    words = [w for t in texts for w in t.split()]
    return max((string_width(w, font, size) for w in words), default=0.0)


def column_widths(fld: Field, width: float, styles: Styles | None = None) -> list[float]:
    """Widths in proportion to what each column holds, none narrower than its longest header word.

    A header set in a column narrower than one of its words breaks that word across lines
    ("resp / onse"); the word's width is the floor, taken from the widest columns.
    """
    weights = ([_ROW_LABEL_WEIGHT] if fld.fixed_rows else []) + [_WEIGHT[c.type] for c in fld.columns]
    raw = [width * w / sum(weights) for w in weights]
    floors = [_MIN_COLUMN] * len(raw)
    if styles is not None:
        bold, helper = styles.cell_bold, styles.cell_help
        labels = [list(fld.fixed_rows)] if fld.fixed_rows else []
        labels += [[c.label] for c in fld.columns]
        helps: list[list[str]] = ([[]] if fld.fixed_rows else []) + [[c.help or ""] for c in fld.columns]
        floors = [
            max(
                _MIN_COLUMN,
                _longest_word(lab, bold.fontName, bold.fontSize) + 2 * _CELL_PAD + 1,
                _longest_word(hlp, helper.fontName, helper.fontSize) + 2 * _CELL_PAD + 1,
            )
            for lab, hlp in zip(labels, helps, strict=True)
        ]
    # Lift narrow columns to their floor, taking the space from the others in proportion.
    for _ in range(3):
        short = sum(max(0.0, f - w) for f, w in zip(floors, raw, strict=True))
        if short <= 0.01:
            break
        spare = [i for i, (f, w) in enumerate(zip(floors, raw, strict=True)) if w > f]
        room = sum(raw[i] - floors[i] for i in spare) or 1.0
        take = min(short, room)
        raw = [
            max(f, w) if i not in spare else w - take * (w - f) / room
            for i, (f, w) in enumerate(zip(floors, raw, strict=True))
        ]
    total = sum(raw)
    return [w * width / total for w in raw] if total > width else raw


def _header_cell(layout: Layout, column: Column) -> list[Flowable]:
    """The column label in bold with its help below: two paragraphs of one font each.

    Two single-font paragraphs lay out and draw several times faster than one paragraph that
    switches font mid-way (reportlab's fast path is for text in one font).
    """
    s = layout.styles
    notes = [column.help] if column.help else []
    if column.type is FieldType.RATING:
        assert column.min is not None and column.max is not None
        notes.append(f"{column.min:g}–{column.max:g}")
    elif layout.fillable and column.type is FieldType.DATE:
        notes.append("YYYY-MM-DD")
    elif layout.fillable and column.type is FieldType.TIME:
        notes.append("HH:MM")
    out: list[Flowable] = [Para(markup(column.label), s.cell_bold)]
    if notes:
        out.append(Para(markup(" · ".join(n for n in notes if n)), s.cell_help))
    return out


def _numbered(column: Column) -> bool:
    return column.type in (FieldType.CHOICE, FieldType.CHECKLIST) and len(column.options) > MAX_OPTIONS_IN_CELL


def _legend(layout: Layout, fld: Field) -> list[Flowable]:
    """Long option lists, numbered once above the table (cells then show the numbers)."""
    out: list[Flowable] = []
    for column in fld.columns:
        if not _numbered(column):
            continue
        many = column.type is FieldType.CHECKLIST
        if layout.fillable:
            what = "tick the numbers that apply" if many else "tick one number"
        else:
            what = "circle the numbers that apply" if many else "circle one number"
        items = " · ".join(f"<b>{n}</b>&nbsp;{markup(o.label)}" for n, o in enumerate(column.options, start=1))
        out.append(Para(f"<b>{markup(column.label)}</b> ({what}): {items}", layout.styles.help))
    return out


def _blank_cell(layout: Layout, column: Column, width: float) -> list[Flowable]:
    """What an empty printed cell shows: nothing, or the options to tick (boxes of 4 mm)."""
    if _numbered(column):
        numbers = "&nbsp; ".join(str(n) for n in range(1, len(column.options) + 1))
        return [Para(numbers, layout.styles.cell)]
    if column.type in (FieldType.CHOICE, FieldType.CHECKLIST, FieldType.YES_NO):
        labels = ["Yes", "No"] if column.type is FieldType.YES_NO else [o.label for o in column.options]
        round_ = column.type is FieldType.CHOICE
        inner = width - 2 * _CELL_PAD
        rows = [[TickBox(size=_BOX, round_=round_), Para(markup(t), layout.styles.cell)] for t in labels]
        if column.type is FieldType.YES_NO and inner >= 26 * mm:
            rows = [[*rows[0], *rows[1]]]
            return [grid(rows, [5.2 * mm, inner / 2 - 5.2 * mm] * 2, [("BOTTOMPADDING", (0, 0), (-1, -1), 1)])]
        return [grid(rows, [5.2 * mm, max(1.0, inner - 5.2 * mm)], [("BOTTOMPADDING", (0, 0), (-1, -1), 1)])]
    # An empty list, not "": reportlab draws a string cell even when it is empty (a text object
    # per cell, 28 on a blank seven-column grid) and draws nothing for an empty list.
    return []


def _form_cell(layout: Layout, fld: Field, row: int, column: Column, value: Any, width: float, height: float) -> Any:
    assert layout.manifest is not None
    s = layout.styles
    name = field_name(fld.key, row, column.id)
    inner = width - 2 * _CELL_PAD
    where = fld.fixed_rows[row] if fld.fixed_rows else f"row {row + 1}"
    tip = printable(f"{fld.label}, {where}: {column.label}")
    if column.type is FieldType.RATING:
        options = [BLANK_CHOICE, *(str(v) for v in scale_values(column))]
        assert column.min is not None and column.max is not None
        return [
            ChoiceField(
                name,
                options,
                BLANK_CHOICE if value is None else str(value),
                width=min(inner, 22 * mm),
                tooltip=f"{tip} ({column.min:g} to {column.max:g})",
            )
        ]
    if column.type in (FieldType.CHOICE, FieldType.CHECKLIST, FieldType.YES_NO):
        if column.type is FieldType.YES_NO:
            choices = [("yes", "Yes", value is True), ("no", "No", value is False)]
        else:
            chosen = set(value or []) if column.type is FieldType.CHECKLIST else {value}
            choices = [(o.id, o.label, o.id in chosen) for o in column.options]
        numbered = _numbered(column)
        per_row = max(1, int(inner // (11 * mm))) if numbered else 1
        rows: list[list[Any]] = []
        current: list[Any] = []
        for n, (option_id, label, ticked) in enumerate(choices, start=1):
            option_tip = f"{tip}: {printable(label)}"
            if column.type is FieldType.CHECKLIST:
                box: Flowable = CheckField(
                    field_name(fld.key, row, column.id, option_id), ticked, size=_BOX, tooltip=option_tip
                )
            else:
                box = RadioField(name, option_id, selected=ticked, size=_BOX, tooltip=option_tip)
            current += [box, Para(str(n) if numbered else markup(label), s.cell_help)]
            if len(current) == 2 * per_row:
                rows.append(current)
                current = []
        if current:
            rows.append(current + [""] * (2 * per_row - len(current)))
        label_w = (inner / per_row - 5.2 * mm) if numbered else max(1.0, inner - 5.2 * mm)
        return grid(rows, [5.2 * mm, label_w] * per_row, [("BOTTOMPADDING", (0, 0), (-1, -1), 1)])
    shown = "" if value is None else (value if isinstance(value, str) else display_value(column, value))
    out: list[Flowable] = []
    if shown and not fits_form_font(shown):
        layout.manifest.kept[f"{fld.key}:{row}:{column.id}"] = value
        out += text_paragraphs(shown, s.cell)
        shown = ""
    multiline = column.type is FieldType.LONG_TEXT
    out.append(
        TextField(
            name,
            shown,
            width=inner,
            height=(height - 2 * _CELL_PAD) if multiline else 6 * mm,
            multiline=multiline,
            tooltip=tip,
        )
    )
    return out


def _row_height(fld: Field, fillable: bool) -> float:
    tall = any(c.type is FieldType.LONG_TEXT for c in fld.columns)
    height = 17 * mm if tall else 9 * mm
    if fillable:
        counts = [
            (len(c.options) if not _numbered(c) else 8) if c.type in (FieldType.CHOICE, FieldType.CHECKLIST) else 2
            for c in fld.columns
            if c.type in (FieldType.CHOICE, FieldType.CHECKLIST, FieldType.YES_NO)
        ]
        if counts:
            height = max(height, max(counts) * _OPTION_PITCH + 2 * _CELL_PAD)
    return height


def _row_count(layout: Layout, fld: Field, filled: int) -> int:
    """How many rows to print: filled ones plus blank ones to write in."""
    if fld.fixed_rows:
        return len(fld.fixed_rows)
    wanted = fld.print.rows if fld.print and fld.print.rows else DEFAULT_ROWS
    # A record shows what was filled in; a sheet to write on offers at least the rows it asks for.
    total = (filled or wanted) if layout.compact else max(wanted, filled)
    if fld.max_rows is not None:
        total = min(total, max(fld.max_rows, filled))
    return max(total, 1)


def _pieces(text: str, width: float) -> list[str]:
    """A cell's text in pieces of about 30 lines at this column width.

    Each piece goes in its own table row (continuation rows have no rule between them), so a
    cell holding pages of text splits between rows instead of being re-measured on every page.
    """
    per_line = max(12, int((width - 2 * _CELL_PAD) / 4.3))
    return chunks(text, per_line * 30)


class StretchTable(Flowable):
    """A table to write in whose blank rows grow until the page's writing space is used.

    Built again at wrap time with taller blank rows, so a three-row thought record fills its
    page instead of leaving half of it empty. ``reserve`` is the height of what must still
    fit below it on the page; a table that does not fit as it is splits as usual.
    """

    def __init__(self, build: Callable[[float], Flowable], base: float, blanks: int, cap: float) -> None:
        super().__init__()
        self.build = build
        self.base = base
        self.blanks = blanks
        self.cap = cap
        self.reserve = 0.0
        # Tables already built, by blank-row height; Platypus wraps a flowable several times.
        self._built: dict[float, Flowable] = {}
        self._table: Flowable | None = None
        self._wrapped: tuple[float, float, float, float] | None = None
        self._natural: dict[float, float] = {}

    def _at(self, height: float) -> Flowable:
        """The table with blank rows ``height`` tall: the same table re-heightened when its blank
        rows are empty space (printed sheets), a new one when they hold form fields."""
        first = self._built.get(self.base)
        if first is None:
            first = self._built[self.base] = self.build(self.base)
        rows = getattr(first, "_trd_blank_rows", None)
        if rows:
            assert isinstance(first, Table)
            set_blank_height(first, rows, height)
            return first
        table = self._built.get(height)
        if table is None:
            table = self._built[height] = self.build(height)
        return table

    def wrap(self, available_width: float, available_height: float) -> tuple[float, float]:
        last = self._wrapped
        if last is not None and last[:2] == (available_width, available_height):
            return last[2], last[3]  # the table is still laid out as chosen for this space
        # The unstretched height at this width, measured once (Platypus often asks first for an
        # unbounded height, when a keep-with-next group sizes itself).
        natural = self._natural.get(available_width)
        table = self._at(self.base)
        if natural is None:
            width, natural = table.wrap(available_width, available_height)
            self._natural[available_width] = natural
            measured = True
        else:
            width, measured = available_width, False
        height = natural
        room = available_height - self.reserve - natural - 2
        # Measured for a page of unbounded height: there is no page to fill.
        if self.blanks and room > 0 and natural <= available_height < _UNBOUNDED:
            taller = round(min(self.cap, self.base + room / self.blanks), 1)
            stretched = self._at(taller)
            width, height = stretched.wrap(available_width, available_height)
            table, measured = stretched, True
            if height > available_height - self.reserve:  # rows grew more than planned; keep base
                table = self._at(self.base)
                width, height = table.wrap(available_width, available_height)
        if not measured:
            width, height = table.wrap(available_width, available_height)
        self._table = table
        self.width, self.height = width, height
        self._wrapped = (available_width, available_height, width, height)
        return width, height

    def split(self, available_width: float, available_height: float) -> list[Flowable]:
        self._wrapped = None
        table = self._at(self.base)
        table.wrap(available_width, available_height)
        return list(table.split(available_width, available_height))

    def draw(self) -> None:
        assert self._table is not None
        self._table.drawOn(self.canv, 0, 0)


_UNBOUNDED = 100_000.0
# A stretched blank row never grows past this: a handful of rows, not one giant box.
_MAX_STRETCHED_ROW = 60 * mm


def print_table(layout: Layout, fld: Field, rows: list[dict[str, Any]], *, fill_page: bool = False) -> list[Flowable]:
    """A template table; ``fill_page`` lets its blank rows grow to use the rest of the page."""
    values = list(rows) if fld.fixed_rows else [r for r in rows if not _blank(r)]
    count = _row_count(layout, fld, len(values))
    blanks = 0 if fld.fixed_rows else count - len(values)

    def build(blank_height: float) -> Flowable:
        return _table(layout, fld, values, count, blank_height)

    if layout.manifest is not None:
        # Now, not when the table is built: a stretched table is built at layout time, after
        # the manifest field (drawn first on the page) has written what it holds.
        layout.manifest.tables[fld.key] = count
    base = _row_height(fld, layout.fillable)
    table: Flowable
    if fill_page and blanks and not layout.compact:
        table = StretchTable(build, base, blanks, max(base, _MAX_STRETCHED_ROW))
    else:
        table = build(base)
    head = label_block(layout, fld.label, fld.help)
    legend = _legend(layout, fld)
    if fld.fixed_rows:
        # A week (Mon-Sun) or another fixed list is read as one: never split it across pages,
        # and its label and legend go with it.
        return [*head, *kept(*legend, gap(1.2 * mm)), Whole(table), gap(4 * mm)]
    return [*head, *kept(*legend, gap(1.2 * mm)), table, gap(4 * mm)]


def _table(layout: Layout, fld: Field, values: list[dict[str, Any]], count: int, blank_height: float) -> Flowable:
    s = layout.styles
    widths = column_widths(fld, layout.width, layout.styles)
    offset = 1 if fld.fixed_rows else 0
    header: list[Any] = ([[]] if fld.fixed_rows else []) + [_header_cell(layout, c) for c in fld.columns]
    data: list[list[Any]] = [header]
    row_ends: list[int] = [0]
    blank_rows: list[int] = []
    for r in range(count):
        row = values[r] if r < len(values) else {}
        label: list[Any] = [Para(markup(fld.fixed_rows[r]), s.cell_bold)] if fld.fixed_rows else []
        empty = _blank(row)
        if layout.fillable:
            cells = label + [
                _form_cell(layout, fld, r, c, row.get(c.id), widths[i + offset], blank_height)
                for i, c in enumerate(fld.columns)
            ]
            data.append(cells)
        elif empty:
            cells = label + [_blank_cell(layout, c, widths[i + offset]) for i, c in enumerate(fld.columns)]
            # Room to write: the row is at least this tall (minRowHeights, set below) but grows
            # if a row label or a list of options needs more.
            blank_rows.append(len(data))
            data.append(cells)
        else:
            pieces = [
                [] if _blank(row.get(c.id)) else _pieces(display_value(c, row.get(c.id)), widths[i + offset])
                for i, c in enumerate(fld.columns)
            ]
            for k in range(max(1, *(len(p) for p in pieces))):
                cells = (label if k == 0 else [[] for _ in range(offset)]) + [
                    [Para(markup(p[k]), s.cell)] if k < len(p) else [] for p in pieces
                ]
                data.append(cells)
        row_ends.append(len(data) - 1)
    if layout.manifest is not None:
        layout.manifest.tables[fld.key] = count
    commands: list[tuple[Any, ...]] = [
        ("BOX", (0, 0), (-1, -1), 0.5, RULE),
        ("LINEAFTER", (0, 0), (-2, -1), 0.5, RULE),
        ("BACKGROUND", (0, 0), (-1, 0), TINT),
        ("LEFTPADDING", (0, 0), (-1, -1), _CELL_PAD),
        ("RIGHTPADDING", (0, 0), (-1, -1), _CELL_PAD),
        ("TOPPADDING", (0, 0), (-1, -1), _CELL_PAD),
        ("BOTTOMPADDING", (0, 0), (-1, -1), _CELL_PAD),
    ]
    commands += [("LINEBELOW", (0, end), (-1, end), 0.5, RULE) for end in row_ends]
    if fld.fixed_rows:
        commands.append(("BACKGROUND", (0, 1), (0, -1), TINT))
    table = grid(data, widths, commands, repeat=1, split_rows=not fld.fixed_rows)
    if blank_rows:
        set_blank_height(table, blank_rows, blank_height)
    return table


def set_blank_height(table: Table, rows: list[int], height: float) -> None:
    """Make ``rows`` of ``table`` at least ``height`` tall (takes effect at the next wrap)."""
    minimum = list(getattr(table, "_minRowHeights", None) or [0] * len(table._cellvalues))
    for r in rows:
        minimum[r] = height
    table._minRowHeights = minimum
    table._trd_blank_rows = rows
