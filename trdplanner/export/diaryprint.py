"""A week card (``print_layout: diary-week``): the DBT diary card as clinicians know it.

The front is one grid with the days as rows and every column of the template's week tables side
by side under short headers (``abbr``), grouped under each table's label, with a key below that
spells each header out and states the rating scale once. The back explains how to rate, holds
each long checklist (the skills) as a grid of options by day with a tick box per day, and then
whatever the template asks after the week. The same field names and tooltips as the ordinary
table print, so a filled-in fillable card reads back the same way.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Mapping
from dataclasses import replace
from typing import Any

from reportlab.lib.units import mm
from reportlab.platypus import CondPageBreak, Flowable, PageBreak, Table

from trdplanner.catalog import Column, Field, FieldType, PrintHint, Template, display_value
from trdplanner.export.fieldprint import print_field
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
from trdplanner.export.layout import Layout, Para, gap, grid, hint, kept, scale_values
from trdplanner.export.styles import RULE, TINT, WRITING_LINE
from trdplanner.export.text import markup, paragraphs_of, printable

_PAD = 1.5 * mm
_BOX = 4 * mm
_BOX_GAP = 2.5 * mm
_ROW = 8.5 * mm
_MIN_ROW = 6.5 * mm  # 4 mm tick boxes and 10 pt figures still fit; a long header needs it
_MAX_ROW = 16 * mm
_MIN_NUMBER_COLUMN = 11 * mm
_MIN_TEXT_COLUMN = 24 * mm
_MAX_TEXT_COLUMN = 60 * mm
_SKILL_ROW = 5.3 * mm
_SKILL_BLOCKS = 2
_UNBOUNDED = 100_000.0
_BACK_LINES = 3
_BLOCK_GAP = 6 * mm


def _week_tables(template: Template) -> list[Field]:
    return [f for f in template.fields if f.type is FieldType.TABLE and f.fixed_rows]


def _grid_columns(weeks: list[Field]) -> list[tuple[Field, Column]]:
    return [(f, c) for f in weeks for c in f.columns if c.type is not FieldType.CHECKLIST]


def _rows_of(values: Mapping[str, Any], fld: Field) -> list[dict[str, Any]]:
    rows = list(values.get(fld.key) or [])
    return [dict(rows[r]) if r < len(rows) and isinstance(rows[r], Mapping) else {} for r in range(len(fld.fixed_rows))]


def _tip(fld: Field, row: int, column: Column) -> str:
    return printable(f"{fld.label}, {fld.fixed_rows[row]}: {column.label}")


# ---------------------------------------------------------------------------------- front grid


def _widths(layout: Layout, columns: list[tuple[Field, Column]], days: tuple[str, ...]) -> list[float]:
    s = layout.styles
    bold = s.cell_bold
    day_w = max(string_width(d, bold.fontName, bold.fontSize) for d in days) + 2 * _PAD + 1
    floors: list[float] = []
    for _, c in columns:
        head = max(string_width(w, bold.fontName, bold.fontSize) for w in (c.abbr or c.label).split()) + 2 * _PAD + 1
        if c.type is FieldType.YES_NO:
            floors.append(max(head, 2 * _BOX + _BOX_GAP + 2 * _PAD))
        elif c.type is FieldType.SHORT_TEXT:
            floors.append(max(head, _MIN_TEXT_COLUMN))
        else:
            floors.append(max(head, _MIN_NUMBER_COLUMN))
    spare = layout.width - day_w - sum(floors)
    texts = [i for i, (_, c) in enumerate(columns) if c.type is FieldType.SHORT_TEXT]
    widths = list(floors)
    # Writing space goes to the text columns first (up to a point), the rest to every column.
    for i in texts:
        extra = max(0.0, min(spare / len(texts), _MAX_TEXT_COLUMN - widths[i]))
        widths[i] += extra
    spare = layout.width - day_w - sum(widths)
    if spare > 0:
        widths = [w + spare / len(widths) for w in widths]
    else:  # too many columns for the page: shrink in proportion rather than run off it
        scale = (layout.width - day_w) / sum(widths)
        widths = [w * scale for w in widths]
    return [day_w, *widths]


def _yes_no_boxes(cells: list[Flowable]) -> Flowable:
    return grid(
        [cells],
        [_BOX + _BOX_GAP, _BOX],
        [("VALIGN", (0, 0), (-1, -1), "MIDDLE")],
    )


def _cell(layout: Layout, fld: Field, row: int, column: Column, value: Any, width: float) -> Any:
    s = layout.styles
    inner = width - 2 * _PAD
    if layout.fillable:
        name = field_name(fld.key, row, column.id)
        tip = _tip(fld, row, column)
        if column.type is FieldType.RATING:
            assert column.min is not None and column.max is not None
            options = [BLANK_CHOICE, *(str(v) for v in scale_values(column))]
            return ChoiceField(
                name,
                options,
                BLANK_CHOICE if value is None else str(value),
                width=inner,
                height=5.2 * mm,  # as short as the text fields, so a long header still leaves room
                tooltip=f"{tip} ({column.min:g} to {column.max:g})",
            )
        if column.type is FieldType.YES_NO:
            return _yes_no_boxes(
                [
                    RadioField(name, "yes", selected=value is True, size=_BOX, tooltip=f"{tip}: Yes"),
                    RadioField(name, "no", selected=value is False, size=_BOX, tooltip=f"{tip}: No"),
                ]
            )
        shown = "" if value is None else (value if isinstance(value, str) else display_value(column, value))
        if shown and not fits_form_font(shown):
            # The form's standard font cannot show it: printed, and kept for reading back.
            assert layout.manifest is not None
            layout.manifest.kept[f"{fld.key}:{row}:{column.id}"] = value
            return [Para(markup(shown), s.cell)]
        return TextField(name, shown, width=inner, height=5.2 * mm, tooltip=tip)  # 10 pt fits; rows stay short
    if value is None or value == "":
        if column.type is FieldType.YES_NO:
            return _yes_no_boxes([TickBox(size=_BOX), TickBox(size=_BOX)])
        return []
    if column.type in (FieldType.RATING, FieldType.NUMBER):
        return [Para(f"{value:g}" if isinstance(value, int | float) else markup(str(value)), s.cell)]
    text = display_value(column, value)
    if not _fits_cell(layout, text, width):
        return [Para("see back", s.cell_help)]
    return [Para(markup(text), s.cell)]


def _fits_cell(layout: Layout, text: str, width: float) -> bool:
    """Whether an answer fits its cell on one line (a taller row would push the week off the page)."""
    cell = layout.styles.cell
    return "\n" not in text and string_width(text, cell.fontName, cell.fontSize) <= width - 2 * _PAD - 1


def _long_answers(layout: Layout, weeks: list[Field], values: Mapping[str, Any], widths: list[float]) -> list[Flowable]:
    """Answers too long for their cell, printed in full under the grid."""
    s = layout.styles
    out: list[Flowable] = []
    columns = _grid_columns(weeks)
    for i, (fld, c) in enumerate(columns, start=1):
        if c.type not in (FieldType.SHORT_TEXT, FieldType.TIME):
            continue
        rows = _rows_of(values, fld)
        long = [
            (fld.fixed_rows[r], display_value(c, row.get(c.id)))
            for r, row in enumerate(rows)
            if row.get(c.id) not in (None, "")
            and not _fits_cell(layout, display_value(c, row.get(c.id)), widths[i])
        ]
        if long:
            items = "; ".join(f"<b>{markup(day)}</b> {markup(text.strip())}" for day, text in long)
            out.append(Para(f"<b>{markup(c.abbr or c.label)}</b> ({markup(c.label)}): {items}", s.cell))
    return out


class _WeekGrid(Flowable):
    """The week grid, its day rows as tall as the page allows (between a floor and a cap).

    Built afresh for each height asked, so what is drawn is what was measured. It never splits:
    a week is read as one.
    """

    def __init__(self, build: Callable[[float], Table], rows: int, widths: list[float]) -> None:
        super().__init__()
        self.build = build
        self.widths = widths
        self.rows = rows
        self.reserve = 0.0
        self._natural: dict[float, float] = {}
        self._table: Table | None = None

    def wrap(self, available_width: float, available_height: float) -> tuple[float, float]:
        natural = self._natural.get(available_width)
        if natural is None:
            natural = self._natural[available_width] = self.build(_ROW).wrap(available_width, _UNBOUNDED)[1]
        room = available_height - self.reserve - natural - 2
        height = _ROW
        if available_height < _UNBOUNDED:
            # Taller rows to fill the page; a little shorter ones when that keeps the key below
            # the grid on the same page (rows that hold more than that grow as they need).
            height = round(max(_MIN_ROW, min(_MAX_ROW, _ROW + room / self.rows)), 1)
        self._table = self.build(height)
        self.width, self.height = self._table.wrap(available_width, available_height)
        return self.width, self.height

    def split(self, available_width: float, available_height: float) -> list[Flowable]:
        # Asked only for a week taller than a whole page (``Whole``): split it as any table.
        table = self.build(_ROW)
        table.wrap(available_width, available_height)
        return list(table.split(available_width, available_height))

    def draw(self) -> None:
        assert self._table is not None
        self._table.drawOn(self.canv, 0, 0)


def _front_grid(layout: Layout, weeks: list[Field], values: Mapping[str, Any]) -> _WeekGrid:
    s = layout.styles
    days = weeks[0].fixed_rows
    columns = _grid_columns(weeks)
    widths = _widths(layout, columns, days)
    rows = {f.key: _rows_of(values, f) for f in weeks}
    # Row 0: each table's label over its columns; row 1: the short headers.
    groups: list[Any] = [[]]
    spans: list[tuple[Any, ...]] = []
    col = 1
    for fld in weeks:
        mine = [c for f, c in columns if f is fld]
        if not mine:
            continue
        groups += [[Para(markup(fld.label), s.cell_bold)]] + [[] for _ in mine[1:]]
        spans.append(("SPAN", (col, 0), (col + len(mine) - 1, 0)))
        spans.append(("LINEBEFORE", (col, 0), (col, -1), 1.2, RULE))
        col += len(mine)
    heads: list[Any] = [[]]
    for _, c in columns:
        head: list[Flowable] = [Para(markup(c.abbr or c.label), s.cell_bold)]
        if c.type is FieldType.YES_NO:
            head.append(Para("Y&nbsp;&nbsp;&nbsp;&nbsp;N", s.cell_help))
        heads.append(head)

    def build(height: float) -> Table:
        data: list[list[Any]] = [groups, heads]
        for r, day in enumerate(days):
            line: list[Any] = [Para(markup(day), s.cell_bold)]
            for i, (fld, c) in enumerate(columns, start=1):
                line.append(_cell(layout, fld, r, c, rows[fld.key][r].get(c.id), widths[i]))
            data.append(line)
        commands: list[tuple[Any, ...]] = [
            ("BOX", (0, 0), (-1, -1), 0.8, RULE),
            ("INNERGRID", (0, 1), (-1, -1), 0.5, RULE),
            ("LINEBELOW", (0, 0), (-1, 0), 0.5, RULE),
            ("BACKGROUND", (0, 0), (-1, 1), TINT),
            ("BACKGROUND", (0, 2), (0, -1), TINT),
            ("LEFTPADDING", (0, 0), (-1, -1), _PAD),
            ("RIGHTPADDING", (0, 0), (-1, -1), _PAD),
            ("TOPPADDING", (0, 0), (-1, -1), _PAD),
            ("BOTTOMPADDING", (0, 0), (-1, -1), _PAD),
            ("VALIGN", (0, 2), (-1, -1), "MIDDLE"),
            # The day rows get their height from _minRowHeights, not padding: with little padding
            # a long page header (a two-line clinician name) can still take the rows down to
            # _MIN_ROW and keep the key on the front, in every variant.
            ("TOPPADDING", (0, 2), (-1, -1), 0.6 * mm),
            ("BOTTOMPADDING", (0, 2), (-1, -1), 0.6 * mm),
            ("VALIGN", (0, 1), (-1, 1), "BOTTOM"),
            *spans,
        ]
        table = grid(data, widths, commands, split_rows=False)
        # Room to write: each day at least this tall, taller if what it holds needs more.
        table._minRowHeights = [0, 0] + [height] * len(days)
        return table

    if layout.manifest is not None:
        for fld in weeks:
            layout.manifest.tables[fld.key] = len(days)
    return _WeekGrid(build, len(days), widths)


def _scale(column: Column) -> tuple[float, float]:
    assert column.min is not None and column.max is not None
    return (column.min, column.max)


def _key(layout: Layout, columns: list[tuple[Field, Column]], fields: list[Field]) -> Flowable:
    """Each short header in full, and the rating scale stated once."""
    ratings = [c for _, c in columns if c.type is FieldType.RATING]
    common = Counter(_scale(c) for c in ratings).most_common(1)[0][0] if ratings else None
    parts: list[str] = []
    if common is not None:
        lo, hi = common
        tops = {c.anchor_label(hi) for c in ratings if _scale(c) == common}
        top = f" ({hi:g} = {markup(tops.pop())})" if len(tops) == 1 and None not in tops else ""
        parts.append(f"<b>Numbers:</b> {lo:g} to {hi:g}{top} unless shown otherwise")
    if any(c.type is FieldType.YES_NO for _, c in columns):
        parts.append("<b>Y / N:</b> tick one box")
    for _, c in columns:
        abbr = c.abbr or c.label
        same = c.label.casefold() == abbr.casefold()
        if same and not c.help and (c.type is not FieldType.RATING or _scale(c) == common):
            continue  # "Fear" needs no key
        text = f"<b>{markup(abbr)}</b> {markup(c.label)}"
        if c.help:
            text += f"{' ' if c.label.endswith('?') else ': '}{markup(c.help.rstrip('.'))}"
        if c.type is FieldType.RATING and _scale(c) != common:
            lo, hi = _scale(c)
            ends = [f"{v:g} = {markup(lab)}" for v in (lo, hi) if (lab := c.anchor_label(v))]
            if f"{lo:g}-{hi:g}" in c.label:  # "Skills use (0-7)" says its range already
                text += f": {', '.join(ends)}" if ends else ""
            else:
                text += f" ({lo:g} to {hi:g}{': ' + ', '.join(ends) if ends else ''})"
        if c.type is FieldType.NUMBER and c.min is not None and c.max is not None:
            text += f" ({c.min:g} to {c.max:g})"
        parts.append(text)
    # The help of the short answers above the grid (their row has room for the labels only).
    parts += [f"<b>{markup(f.label)}:</b> {markup(f.help)}" for f in fields if f.help]
    return Para(" &nbsp;·&nbsp; ".join(parts), layout.styles.help)


def _short_answers(layout: Layout, fields: list[Field], values: Mapping[str, Any]) -> Flowable:
    """Short answers asked before the week (its date, the client's own target) on one line."""
    s = layout.styles
    cells: list[Any] = []
    widths: list[float] = []
    commands: list[tuple[Any, ...]] = [("VALIGN", (0, 0), (-1, -1), "BOTTOM")]
    share = layout.width / len(fields)
    for i, fld in enumerate(fields):
        label_w = string_width(fld.label, s.label.fontName, s.label.fontSize) + 3 * mm
        answer_w = share - label_w - (_BLOCK_GAP if i < len(fields) - 1 else 0)
        value = values.get(fld.key)
        shown = "" if value in (None, "") else (value if isinstance(value, str) else display_value(fld, value))
        answer: Any
        if layout.fillable and shown and not fits_form_font(shown):
            assert layout.manifest is not None
            layout.manifest.kept[fld.key] = value
            answer = [Para(markup(shown), s.value)]
        elif layout.fillable:
            tip = f"{fld.label} ({hint(fld)})" if hint(fld) else fld.label
            answer = TextField(field_name(fld.key), shown, width=answer_w, height=7 * mm, tooltip=printable(tip))
        else:
            answer = [Para(markup(shown), s.value)] if shown else []
        col = len(cells)
        cells += [Para(markup(fld.label), s.label), answer]
        widths += [label_w, answer_w]
        if not layout.fillable:
            commands.append(("LINEBELOW", (col + 1, 0), (col + 1, 0), 0.6, WRITING_LINE))
        if i < len(fields) - 1:
            cells.append([])
            widths.append(_BLOCK_GAP)
    table = grid([cells], widths, commands)
    table._minRowHeights = [8 * mm]  # a line to write on; a long answer wraps below it
    return table


# ---------------------------------------------------------------------------------- back


def _explanations(layout: Layout, fields: list[Field]) -> list[Flowable]:
    """Headings with their paragraphs, side by side (how to rate each part of the grid)."""
    s = layout.styles
    blocks: list[list[Flowable]] = []
    for fld in fields:
        if fld.type is FieldType.HEADING:
            blocks.append([Para(markup(fld.label), s.subheading)])
        elif fld.type is FieldType.PARAGRAPH:
            if not blocks:
                blocks.append([])
            blocks[-1] += [Para(markup(p), s.body) for p in paragraphs_of(fld.text or "")]
    if not blocks:
        return []
    w = (layout.width - _BLOCK_GAP * (len(blocks) - 1)) / len(blocks)
    widths: list[float] = []
    for i in range(len(blocks)):
        widths += [w] if i == 0 else [_BLOCK_GAP, w]
    cells: list[Any] = []
    for i, block in enumerate(blocks):
        cells += [block] if i == 0 else [[], block]
    return [grid([cells], widths, [("VALIGN", (0, 0), (-1, -1), "TOP")]), gap(3 * mm)]


def _checklist_grid(layout: Layout, fld: Field, column: Column, values: Mapping[str, Any]) -> list[Flowable]:
    """The options as rows, a tick box per day; in blocks side by side to keep the list on one page."""
    s = layout.styles
    days = fld.fixed_rows
    rows = _rows_of(values, fld)
    ticked = [set(r.get(column.id) or []) for r in rows]
    bold = s.cell_bold
    day_w = max(string_width(d, bold.fontName, bold.fontSize) for d in days) + 2 * _PAD + 1
    block_w = (layout.width - _BLOCK_GAP * (_SKILL_BLOCKS - 1)) / _SKILL_BLOCKS
    name_w = block_w - day_w * len(days)
    per_block = -(-len(column.options) // _SKILL_BLOCKS)
    tables: list[Flowable] = []
    for b in range(_SKILL_BLOCKS):
        options = column.options[b * per_block : (b + 1) * per_block]
        if not options:
            continue
        corner: list[Any] = [Para(markup(column.label), s.cell_bold)] if b == 0 else []
        data: list[list[Any]] = [[corner] + [Para(markup(d), s.cell_bold) for d in days]]
        for option in options:
            line: list[Any] = [Para(markup(option.label), s.cell)]
            for r in range(len(days)):
                on = option.id in ticked[r]
                if layout.fillable:
                    tip = f"{_tip(fld, r, column)}: {printable(option.label)}"
                    line.append(
                        CheckField(field_name(fld.key, r, column.id, option.id), on, size=_BOX, tooltip=tip)
                    )
                else:
                    line.append(TickBox(on, size=_BOX))
            data.append(line)
        tables.append(
            grid(
                data,
                [name_w] + [day_w] * len(days),
                [
                    ("BOX", (0, 0), (-1, -1), 0.8, RULE),
                    ("INNERGRID", (0, 0), (-1, -1), 0.4, RULE),
                    ("BACKGROUND", (0, 0), (-1, 0), TINT),
                    ("LEFTPADDING", (0, 0), (-1, -1), _PAD),
                    ("RIGHTPADDING", (0, 0), (-1, -1), _PAD),
                    ("TOPPADDING", (0, 0), (-1, -1), 0.6 * mm),
                    ("BOTTOMPADDING", (0, 0), (-1, -1), 0.6 * mm),
                    ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
                    ("ALIGN", (1, 1), (-1, -1), "CENTER"),
                ],
                split_rows=False,
            )
        )
        tables[-1]._minRowHeights = [0] + [_SKILL_ROW] * len(options)
    widths: list[float] = []
    cells: list[Any] = []
    for i, t in enumerate(tables):
        widths += [block_w] if i == 0 else [_BLOCK_GAP, block_w]
        cells += [t] if i == 0 else [[], t]
    both = grid([cells], widths, [("VALIGN", (0, 0), (-1, -1), "TOP")], split_rows=False)
    return [Whole(both), gap(4 * mm)]


# ---------------------------------------------------------------------------------- the card


def diary_week_flowables(layout: Layout, template: Template, values: Mapping[str, Any]) -> list[Flowable]:
    """The front (week grid and key) and the back (how to rate, checklists, what follows)."""
    fields = list(template.fields)
    weeks = _week_tables(template)
    first = fields.index(weeks[0])
    last = fields.index(weeks[-1])
    # The headings and paragraphs right before the first week table introduce the grid: they
    # go on the back with the others, where there is room for them at full size.
    start = first
    while start > 0 and fields[start - 1].type in (FieldType.HEADING, FieldType.PARAGRAPH):
        start -= 1
    s = layout.styles
    out: list[Flowable] = []
    before_inputs: list[Field] = []
    for fld in fields[:start]:
        if fld.type is FieldType.PARAGRAPH:
            out += [Para(markup(p), s.body) for p in paragraphs_of(fld.text or "")]
        elif fld.type is FieldType.HEADING:
            out.append(Para(markup(fld.label), s.heading))
        elif fld.is_input:
            before_inputs.append(fld)
    if before_inputs:
        out += [_short_answers(layout, before_inputs, values), gap(2 * mm)]
    table = _front_grid(layout, weeks, values)
    key = _key(layout, _grid_columns(weeks), before_inputs)
    table.reserve = key.wrap(layout.width, _UNBOUNDED)[1] + 6 * mm
    out += [Whole(table), gap(2 * mm), key, PageBreak()]
    between = [f for f in fields[start : last + 1] if f.type in (FieldType.HEADING, FieldType.PARAGRAPH)]
    out += _explanations(layout, between)
    for fld in weeks:
        for column in fld.columns:
            if column.type is FieldType.CHECKLIST:
                out += _checklist_grid(layout, fld, column, values)
    # Answers too long for their cell follow on the back (the front has no room left for them).
    for f in _long_answers(layout, weeks, values, table.widths):
        out += [f, gap(2 * mm)]
    after = fields[last + 1 :]
    inputs = [f for f in after if f.is_input]
    for fld in after:
        if fld.type is FieldType.HEADING:
            out += [CondPageBreak(25 * mm), Para(markup(fld.label), s.heading)]
        elif fld.type is FieldType.PARAGRAPH:
            out += kept(*[Para(markup(p), s.body) for p in paragraphs_of(fld.text or "")])
        elif fld.is_input:
            if fld.type is FieldType.LONG_TEXT and fld.print is not None and (fld.print.lines or 0) > _BACK_LINES:
                # The back holds the skills grid too: a few lines keep the card to two sides.
                fld = replace(fld, print=PrintHint(lines=_BACK_LINES))
            out += print_field(layout, fld, values.get(fld.key), last=fld.key == inputs[-1].key)
    return out
