"""How each kind of template field prints: blank, prefilled, as a record, or fillable.

Values reaching here are cleaned (``validate_instance(..., partial=True)``), so every type is
what the format document promises. Tables live in :mod:`trdplanner.export.tableprint`.
"""

from __future__ import annotations

from typing import Any

from reportlab.lib.units import mm
from reportlab.platypus import Flowable, Spacer

from trdplanner.catalog import Field, FieldType, display_value
from trdplanner.export.flowables import FreeBox, RatingScale, TickBox, WritingLines
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
    DEFAULT_LINES,
    Layout,
    Para,
    anchor_text,
    boxed_scale,
    gap,
    grid,
    hint,
    kept,
    label_block,
    scale_values,
    text_paragraphs,
)
from trdplanner.export.styles import LINE_PITCH, RULE, TINT, WRITING_LINE
from trdplanner.export.tableprint import print_table
from trdplanner.export.text import markup, printable

_INLINE = (FieldType.SHORT_TEXT, FieldType.NUMBER, FieldType.DATE, FieldType.TIME, FieldType.YES_NO)
_LABEL_SHARE = 0.42
# Label beside answer only while both are short: a side-by-side row cannot break across pages.
_INLINE_MAX_CHARS = 400


def _blank(value: Any) -> bool:
    return value is None or value == "" or value == []


def print_field(layout: Layout, fld: Field, value: Any, *, last: bool = False) -> list[Flowable]:
    """The flowables for one input field; ``last``: nothing to write in follows it on the sheet."""
    kind = fld.type
    if kind is FieldType.TABLE:
        return print_table(layout, fld, value or [], fill_page=last)
    # A filled record states a rating ("7/10, certain") instead of drawing the scale again.
    compact_rating = kind is FieldType.RATING and layout.compact
    if kind in _INLINE or (kind is FieldType.RATING and not boxed_scale(fld)) or compact_rating:
        size = len(fld.label) + len(fld.help or "") + len(str(value or ""))
        return _inline(layout, fld, value) if size <= _INLINE_MAX_CHARS else _stacked(layout, fld, value)
    if kind is FieldType.LONG_TEXT:
        return _long_text(layout, fld, value)
    if kind is FieldType.RATING:
        return _rating(layout, fld, value)
    if kind in (FieldType.CHOICE, FieldType.CHECKLIST):
        return _options(layout, fld, value)
    raise AssertionError(f"not an input type: {kind}")


# ---------------------------------------------------------------------------------- inline


def _inline(layout: Layout, fld: Field, value: Any) -> list[Flowable]:
    s = layout.styles
    label_w = layout.width * _LABEL_SHARE
    answer_w = layout.width - label_w
    extra = hint(fld) if fld.type in (FieldType.NUMBER, FieldType.RATING) else ""
    left = label_block(layout, fld.label, fld.help, extra)
    commands: list[tuple[Any, ...]] = [("RIGHTPADDING", (0, 0), (0, 0), 3 * mm)]
    if fld.type is FieldType.YES_NO:
        answer: list[Flowable] = [_yes_no(layout, fld, value)]
    elif layout.fillable and fld.type is FieldType.RATING:
        answer = [_rating_choice(fld, value)]
    elif layout.fillable:
        answer = _form_text(layout, fld, value, answer_w, multiline=False)
    elif not _blank(value):
        answer = [Para(markup(display_value(fld, value)), s.value)]
        commands.append(("LINEBELOW", (1, 0), (1, 0), 0.6, WRITING_LINE))
    elif fld.type is FieldType.RATING:
        assert fld.max is not None
        # A short line to write the number on, then the top of the scale.
        answer = [
            grid(
                [[Spacer(1, 5.5 * mm), Para(f"/ {fld.max:g}", s.value)]],
                [18 * mm, answer_w - 18 * mm],
                [("LINEBELOW", (0, 0), (0, 0), 0.6, WRITING_LINE), ("LEFTPADDING", (1, 0), (1, 0), 1.5 * mm)],
                split_rows=False,
            )
        ]
    else:
        answer = [Spacer(1, 5.5 * mm)]
        commands.append(("LINEBELOW", (1, 0), (1, 0), 0.6, WRITING_LINE))
    commands += [("VALIGN", (0, 0), (-1, -1), "BOTTOM"), ("BOTTOMPADDING", (0, 0), (0, 0), 0.8 * mm)]
    return [grid([[left, answer]], [label_w, answer_w], commands, split_rows=False), gap(3 * mm)]


def _stacked(layout: Layout, fld: Field, value: Any) -> list[Flowable]:
    """A one-line field whose label or answer is too long to sit side by side."""
    head = label_block(layout, fld.label, fld.help, hint(fld) if fld.type is FieldType.RATING else "")
    if fld.type is FieldType.YES_NO:
        body: list[Flowable] = [_yes_no(layout, fld, value)]
    elif layout.fillable:
        body = _form_text(layout, fld, value, layout.width, multiline=False)
    elif _blank(value):
        body = [WritingLines(1)]
    else:
        body = text_paragraphs(display_value(fld, value), layout.styles.value)
    return [*head, *kept(gap(1 * mm)), *body, gap(3 * mm)]


def _form_text(layout: Layout, fld: Field, value: Any, width: float, *, multiline: bool) -> list[Flowable]:
    """A text form field; a prefilled value the form font cannot show prints above it instead."""
    assert layout.manifest is not None
    shown = "" if _blank(value) else str(value)
    out: list[Flowable] = []
    if shown and not fits_form_font(shown):
        layout.manifest.kept[fld.key] = value
        out += text_paragraphs(shown, layout.styles.value)
        shown = ""
    height = max(7 * mm, (fld.print.lines if fld.print and fld.print.lines else DEFAULT_LINES) * 6 * mm)
    if fld.print and fld.print.height_mm:
        height = fld.print.height_mm * mm
    out.append(
        TextField(
            field_name(fld.key),
            shown,
            width=width,
            height=height if multiline else 7 * mm,
            multiline=multiline,
            tooltip=printable(f"{fld.label} ({hint(fld)})" if hint(fld) else fld.label),
        )
    )
    return out


def _yes_no(layout: Layout, fld: Field, value: Any) -> Flowable:
    s = layout.styles
    cells: list[Any] = []
    for answer, text in ((True, "Yes"), (False, "No")):
        if layout.fillable:
            box: Flowable = RadioField(
                field_name(fld.key), "yes" if answer else "no", selected=value is answer,
                tooltip=printable(f"{fld.label}: {text}"),
            )
        else:
            box = TickBox(ticked=value is answer)
        cells += [box, Para(text, s.value)]
    return grid([cells], [7 * mm, 14 * mm, 7 * mm, 14 * mm], [("VALIGN", (0, 0), (-1, -1), "MIDDLE")], split_rows=False)


# ---------------------------------------------------------------------------------- long text


def _long_text(layout: Layout, fld: Field, value: Any) -> list[Flowable]:
    s = layout.styles
    head = label_block(layout, fld.label, fld.help)
    hint_lines = fld.print.lines if fld.print and fld.print.lines else DEFAULT_LINES
    if layout.fillable:
        body = _form_text(layout, fld, value, layout.width, multiline=True)
        return [*head, *kept(gap(1 * mm), *body[:-1]), body[-1], gap(3 * mm)]
    if not _blank(value):
        answer = text_paragraphs(str(value), s.value)
        # Keep the label with the start of the answer; the rest may flow on.
        return [*head, *kept(gap(1 * mm)), *answer, gap(3.5 * mm)]
    if fld.print and fld.print.height_mm:
        space: Flowable = FreeBox(fld.print.height_mm * mm)
    else:
        space = WritingLines(min(hint_lines, 2) if layout.compact else hint_lines)
    return [*head, space, gap(3 * mm)]


# ---------------------------------------------------------------------------------- rating


# A scale whose every point is described in more words than fit under its box prints as a list
# of answers, one per line (QIDS-SR16 items); a 0-10 scale with end anchors stays a row.
_ANCHOR_CHARS_UNDER_BOX = 12


def answers_as_list(shape: Field) -> bool:
    """Whether a boxed rating prints as a list of described answers (radio buttons when fillable)."""
    if shape.type is not FieldType.RATING or not boxed_scale(shape) or not shape.anchors:
        return False
    points = scale_values(shape)
    labelled = {a.value for a in shape.anchors}
    return all(p in labelled for p in points) and max(len(a.label) for a in shape.anchors) > _ANCHOR_CHARS_UNDER_BOX


def _answer_list(layout: Layout, fld: Field, value: Any) -> list[Flowable]:
    """One line per answer: a round box (or radio button), the score, and its description."""
    s = layout.styles
    head = label_block(layout, fld.label, fld.help)
    anchors = {a.value: a.label for a in fld.anchors}
    rows: list[list[Any]] = []
    for p in scale_values(fld):
        chosen = isinstance(value, int) and value == p
        if layout.fillable:
            box: Flowable = RadioField(field_name(fld.key), str(p), selected=chosen, tooltip=printable(
                f"{fld.label}: {p}, {anchors[p]}"))
        else:
            box = TickBox(ticked=chosen, round_=True)
        rows.append([box, Para(str(p), s.label), Para(markup(anchors[p]), s.body)])
    table = grid(
        rows,
        [7 * mm, 6 * mm, layout.width - 13 * mm],
        [("TOPPADDING", (0, 0), (0, -1), 0.4 * mm), ("BOTTOMPADDING", (0, 0), (-1, -1), 1.2 * mm)],
        split_rows=False,
    )
    table.keepWithNext = 0
    return [*head, *kept(gap(1.2 * mm)), table, gap(3 * mm)]


def _rating(layout: Layout, fld: Field, value: Any) -> list[Flowable]:
    if answers_as_list(fld):
        return _answer_list(layout, fld, value)
    head = label_block(layout, fld.label, fld.help)
    anchors = {a.value: printable(a.label) for a in fld.anchors}
    values = scale_values(fld)
    if layout.fillable:
        chooser = _rating_choice(fld, value)
        text = anchor_text(fld)
        parts: list[Flowable] = [chooser]
        if text:
            parts.append(Para(markup(text), layout.styles.help))
        return [*head, *kept(gap(1 * mm), *parts[:-1]), parts[-1], gap(3 * mm)]
    s = layout.styles
    under: list[Flowable] = []
    if not RatingScale.anchors_fit(values, anchors, layout.width, s.help.fontSize):
        # Words that would run into each other under the boxes go on a line of their own.
        under = [Para(markup(anchor_text(fld)), s.help)]
        anchors = {}
    scale = RatingScale(
        values,
        anchors,
        chosen=value if isinstance(value, int) else None,
        font_size=s.body.fontSize,
        anchor_size=s.help.fontSize,
    )
    if under:
        return [*head, *kept(gap(1.2 * mm), scale, gap(0.8 * mm)), *under, gap(3.5 * mm)]
    return [*head, *kept(gap(1.2 * mm)), scale, gap(3.5 * mm)]


def _rating_choice(fld: Field, value: Any) -> Flowable:
    """A drop-down of the scale's points: the client can only pick a value the scale allows."""
    return ChoiceField(
        field_name(fld.key),
        [BLANK_CHOICE, *(str(v) for v in scale_values(fld))],
        BLANK_CHOICE if value is None else str(value),
        width=24 * mm,
        tooltip=printable(f"{fld.label} ({hint(fld)})"),
    )


def same_scale(a: Field, b: Field) -> bool:
    return (a.min, a.max, a.step, a.anchors) == (b.min, b.max, b.step, b.anchors)


def print_rating_group(layout: Layout, fields: list[Field], values: dict[str, Any]) -> list[Flowable]:
    """Consecutive ratings on one scale as a grid: a question per row, a column per point.

    This is how questionnaires such as the PHQ-9 are laid out, and it reads far faster than
    one scale per question.
    """
    s = layout.styles
    first = fields[0]
    points = scale_values(first)
    anchors = {a.value: a.label for a in first.anchors}
    all_labelled = all(p in anchors for p in points)
    col = 19 * mm if all_labelled else 9 * mm
    label_w = layout.width - col * len(points)
    header: list[Any] = [Para("", s.cell)]
    for p in points:
        text = f"{markup(anchors[p])}<br/>({p})" if all_labelled else str(p)
        header.append(Para(text, s.cell_center))
    rows: list[list[Any]] = [header]
    commands: list[tuple[Any, ...]] = [
        ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
        ("LINEBELOW", (0, 0), (-1, -1), 0.4, RULE),
        ("BACKGROUND", (0, 0), (-1, 0), TINT),
        ("TOPPADDING", (0, 0), (-1, -1), 1.4 * mm),
        ("BOTTOMPADDING", (0, 0), (-1, -1), 1.4 * mm),
        ("LEFTPADDING", (0, 0), (0, -1), 1.2 * mm),
        ("RIGHTPADDING", (0, 0), (0, -1), 2 * mm),
    ]
    for r, fld in enumerate(fields, start=1):
        label: list[Flowable] = [Para(markup(fld.label), s.cell)]
        if fld.help:
            label.append(Para(markup(fld.help), s.cell_help))
        row: list[Any] = [label]
        chosen = values.get(fld.key)
        for c, p in enumerate(points, start=1):
            if layout.fillable:
                tip = f"{fld.label}: {p}" + (f", {anchors[p]}" if p in anchors else "")
                row.append(RadioField(field_name(fld.key), str(p), selected=chosen == p, tooltip=printable(tip)))
                commands.append(("ALIGN", (c, r), (c, r), "CENTER"))
            else:
                row.append(TickBox(ticked=chosen == p, round_=True))
                commands.append(("ALIGN", (c, r), (c, r), "CENTER"))
        rows.append(row)
    intro: list[Flowable] = []
    if not all_labelled and first.anchors:
        intro += kept(Para(markup(anchor_text(first)), s.help), gap(1 * mm))
    table = grid(rows, [label_w] + [col] * len(points), commands, repeat=1)
    return [*intro, table, Spacer(1, 4 * mm)]


# ---------------------------------------------------------------------------------- options


def _options(layout: Layout, fld: Field, value: Any) -> list[Flowable]:
    s = layout.styles
    chosen = set(value or []) if fld.type is FieldType.CHECKLIST else {value}
    longest = max((len(o.label) for o in fld.options), default=0)
    has_help = any(o.help for o in fld.options)
    per_row = 1 if has_help or longest > 40 else (2 if longest > 22 else 3)
    cell_w = layout.width / per_row
    cells: list[list[Any]] = []
    row: list[Any] = []
    for option in fld.options:
        ticked = option.id in chosen
        if layout.fillable:
            if fld.type is FieldType.CHECKLIST:
                box: Flowable = CheckField(
                    field_name(fld.key, option.id), ticked, tooltip=printable(f"{fld.label}: {option.label}")
                )
            else:
                box = RadioField(
                    field_name(fld.key), option.id, selected=ticked, tooltip=printable(f"{fld.label}: {option.label}")
                )
        else:
            box = TickBox(ticked=ticked, round_=fld.type is FieldType.CHOICE)
        text = markup(option.label)
        if option.help:
            text += f" <font color='#555555' size='{s.help.fontSize:g}'>{markup(option.help)}</font>"
        row += [box, Para(text, s.body if not layout.compact else s.small)]
        if len(row) == 2 * per_row:
            cells.append(row)
            row = []
    if row:
        row += [""] * (2 * per_row - len(row))
        cells.append(row)
    widths = [7 * mm, cell_w - 7 * mm] * per_row
    # Boxes sit a little lower than the top of their cell, level with the first line of text.
    nudge = [("TOPPADDING", (c, 0), (c, -1), 0.9 * mm) for c in range(0, 2 * per_row, 2)]
    options = grid(cells, widths, [("BOTTOMPADDING", (0, 0), (-1, -1), 0.6 * mm), *nudge])
    head = label_block(layout, fld.label, fld.help, "tick all that apply" if fld.type is FieldType.CHECKLIST else "")
    return [*head, *kept(gap(1.2 * mm)), options, gap(3 * mm)]


__all__ = ["LINE_PITCH", "print_field", "print_rating_group", "same_scale"]
