"""Filled instances as text: the note summary, and read-only lines shared by PDF and GUI.

Everything here works on cleaned values (``validate_instance(..., partial=True)`` is applied
first), so display code never meets an unexpected type.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from trdplanner.catalog import sandbox
from trdplanner.catalog.errors import InstanceError
from trdplanner.catalog.instances import is_blank, validate_instance
from trdplanner.catalog.model import Column, Field, FieldType, Template
from trdplanner.catalog.validation import option_labels

_ENV = sandbox.make_environment()

# How much of an instance the generic summary quotes: a note wants a line or two per field.
_SUMMARY_TEXT_CHARS = 300
_SUMMARY_TABLE_ROWS = 2


@dataclass(frozen=True)
class TableDisplay:
    """A filled table as display strings; with fixed rows, the first column is the row label."""

    headers: tuple[str, ...]
    rows: tuple[tuple[str, ...], ...]


@dataclass(frozen=True)
class InstanceLine:
    """One entry of the read-only view: a heading, or an input field with its display text.

    ``text`` is plain text for every type (a table as one line per filled row); ``table`` holds
    the cells for renderers that can draw a real table.
    """

    label: str
    text: str
    type: FieldType
    field_id: str | None = None
    table: TableDisplay | None = None

    @property
    def is_heading(self) -> bool:
        return self.type is FieldType.HEADING


def _number_text(value: int | float) -> str:
    return str(value) if isinstance(value, int) else f"{value:.10g}"


def display_value(shape: Field | Column, value: Any) -> str:
    """A cleaned non-table value as the reader should see it ("" when blank)."""
    if is_blank(value):
        return ""
    kind = shape.type
    if kind is FieldType.RATING:
        assert shape.min is not None and shape.max is not None
        base = f"{value}/{shape.max:g}" if shape.min >= 0 else f"{value} ({shape.min:g} to {shape.max:g})"
        anchor = shape.anchor_label(value)
        return f"{base} ({anchor})" if anchor else base
    if kind is FieldType.NUMBER:
        return _number_text(value)
    if kind is FieldType.YES_NO:
        return "Yes" if value else "No"
    if kind is FieldType.CHOICE:
        option = shape.option(value)
        return option.label if option else str(value)
    if kind is FieldType.CHECKLIST:
        return ", ".join(o.label for o in shape.options if o.id in value)
    return str(value)


def _row_text(table: Field, row: Mapping[str, Any], row_label: str | None) -> str:
    cells = [f"{c.label}: {display_value(c, row.get(c.id))}" for c in table.columns if not is_blank(row.get(c.id))]
    text = "; ".join(cells)
    return f"{row_label}: {text}" if row_label else text


def _filled_rows(table: Field, rows: list[dict[str, Any]]) -> list[tuple[str | None, dict[str, Any]]]:
    labels: list[str | None] = list(table.fixed_rows) or [None] * len(rows)
    return [(label, row) for label, row in zip(labels, rows, strict=False) if not is_blank(row)]


def _table_display(table: Field, rows: list[dict[str, Any]]) -> TableDisplay:
    headers = tuple(c.label for c in table.columns)
    cells = [tuple(display_value(c, row.get(c.id)) for c in table.columns) for row in rows]
    if table.fixed_rows:
        headers = ("", *headers)
        cells = [(label, *row) for label, row in zip(table.fixed_rows, cells, strict=False)]
    return TableDisplay(headers, tuple(cells))


def instance_lines(template: Template, values: Mapping[str, Any], *, include_empty: bool = True) -> list[InstanceLine]:
    """Headings and input fields in template order, each with type-aware display text.

    Paragraphs and definitions are instructions, not answers, and are left to the renderer that
    prints the template itself. ``include_empty=False`` drops blank fields (and headings left
    with nothing under them).
    """
    cleaned = validate_instance(template, values, partial=True)
    lines: list[InstanceLine] = []
    for fld in template.fields:
        if fld.type is FieldType.HEADING:
            lines.append(InstanceLine(fld.label, "", fld.type, fld.id))
            continue
        if not fld.is_input:
            continue
        value = cleaned[fld.key]
        if not include_empty and is_blank(value):
            continue
        if fld.type is FieldType.TABLE:
            text = "\n".join(_row_text(fld, row, label) for label, row in _filled_rows(fld, value))
            table = _table_display(fld, value)
            lines.append(InstanceLine(fld.label, text, fld.type, fld.key, table))
        else:
            lines.append(InstanceLine(fld.label, display_value(fld, value), fld.type, fld.key))
    if not include_empty:
        lines = [
            line
            for i, line in enumerate(lines)
            if not line.is_heading or (i + 1 < len(lines) and not lines[i + 1].is_heading)
        ]
    return lines


def _clip(text: str) -> str:
    return text if len(text) <= _SUMMARY_TEXT_CHARS else text[: _SUMMARY_TEXT_CHARS - 1] + "…"


def generic_summary(template: Template, cleaned: Mapping[str, Any]) -> str:
    """ "Label: value" lines for the filled fields; tables by row count and their first rows."""
    if not template.input_fields:
        return f"{template.kind.label}: {template.title}."
    parts: list[str] = []
    for fld in template.input_fields:
        value = cleaned[fld.key]
        if is_blank(value):
            continue
        if fld.type is FieldType.TABLE:
            rows = _filled_rows(fld, value)
            noun = "row" if len(rows) == 1 else "rows"
            parts.append(f"{fld.label}: {len(rows)} {noun} filled in")
            parts += [f"- {_clip(_row_text(fld, r, lbl))}" for lbl, r in rows[:_SUMMARY_TABLE_ROWS]]
            if len(rows) > _SUMMARY_TABLE_ROWS:
                parts.append(f"- (and {len(rows) - _SUMMARY_TABLE_ROWS} more)")
        else:
            parts.append(f"{fld.label}: {_clip(display_value(fld, value))}")
    return "\n".join(parts) if parts else "Nothing filled in."


def answered_fields(template: Template, values: Mapping[str, Any]) -> int:
    """How many input fields hold an answer. Fields filled in by a prefill binding (name, date,
    clinic) are not answers: a sheet handed out with only those is still unfilled."""
    cleaned = validate_instance(template, values, partial=True)
    return sum(1 for f in template.input_fields if f.prefill is None and not is_blank(cleaned[f.key]))


# What a filled instance is to the session whose note quotes it.
SUMMARY_STATES = ("filled", "reviewed")


def summarize_instance(template: Template, values: Mapping[str, Any], state: str = "filled") -> str:
    """The text a filled instance contributes to the progress note.

    Uses the template's ``note_summary`` (sandboxed; sees ``values``, ``template``, ``labels``,
    ``state`` and ``answered``) or, without one, :func:`generic_summary`. ``state`` is "filled"
    (filled in this session) or "reviewed" (homework from an earlier session, gone through in
    this one), so a summary can say which. An instance with no answer gets no summary at all:
    the caller states it as assigned or not filled in, never as done. Filled values are only
    ever data to Jinja.
    """
    if state not in SUMMARY_STATES:
        raise ValueError(f"state must be one of {SUMMARY_STATES}, got {state!r}")
    cleaned = validate_instance(template, values, partial=True)
    answered = answered_fields(template, cleaned)
    if not answered and template.input_fields:
        return ""
    if template.note_summary is None:
        return generic_summary(template, cleaned)
    context = {
        "values": cleaned,
        "template": template,
        "labels": option_labels(template),
        "state": state,
        "answered": answered,
    }
    text = sandbox.render(_ENV, template.note_summary, context, f"{template.ref}: note_summary")
    return re.sub(r"\n{3,}", "\n\n", text).strip()


# ------------------------------------------------------------------------------ worst case

# How long each text answer is in the worst-case instance. The check proves the *work* a summary
# does stays bounded (every table full, every option ticked); a summary that quotes answers
# verbatim grows with them, and the output limit at render time covers that.
_WORST_TEXT_CHARS = 200


def _worst_value(shape: Field | Column) -> Any:
    kind = shape.type
    if kind in (FieldType.SHORT_TEXT, FieldType.LONG_TEXT):
        limit = shape.max_length if shape.max_length is not None else _WORST_TEXT_CHARS
        return ("{{ 7*7 }} " * (_WORST_TEXT_CHARS // 10 + 1))[: max(1, min(limit, _WORST_TEXT_CHARS))]
    if kind is FieldType.RATING and shape.min is not None and shape.max is not None:
        return shape.min + int((shape.max - shape.min) // shape.step) * shape.step  # the top of the scale
    if kind in (FieldType.NUMBER, FieldType.RATING):
        return shape.max if shape.max is not None else 10**9
    if kind is FieldType.DATE:
        return "2026-12-31"
    if kind is FieldType.TIME:
        return "23:59"
    if kind is FieldType.YES_NO:
        return True
    if kind is FieldType.CHOICE:
        return shape.options[-1].id if shape.options else None
    if kind is FieldType.CHECKLIST:
        return [o.id for o in shape.options]
    return None


def worst_case_values(template: Template) -> dict[str, Any]:
    """Values that make a template's summary do the most work: every field filled, every table
    at its largest, every option ticked. Valid against the template (it is checked, not trusted)."""
    from trdplanner.catalog.limits import MAX_TABLE_ROWS

    values: dict[str, Any] = {}
    for fld in template.input_fields:
        if fld.type is FieldType.TABLE:
            rows = len(fld.fixed_rows) if fld.fixed_rows else (fld.max_rows or MAX_TABLE_ROWS)
            values[fld.key] = [{c.id: _worst_value(c) for c in fld.columns} for _ in range(rows)]
        else:
            values[fld.key] = _worst_value(fld)
    try:
        return validate_instance(template, values, partial=True)
    except InstanceError as exc:  # a value this guesser got wrong is left blank rather than failing the check
        wrong = {p.path.split(".")[0].split("[")[0] for p in exc.problems}
        return validate_instance(template, {k: v for k, v in values.items() if k not in wrong}, partial=True)


def check_summary_budget(template: Template) -> None:
    """Render the note summary against :func:`worst_case_values`; a ``TemplateError`` on
    ``note_summary`` if it fails or leaves the render budget (output length, work, time)."""
    from trdplanner.catalog.errors import RenderError, TemplateError

    if template.note_summary is None:
        return
    try:
        summarize_instance(template, worst_case_values(template))
    except RenderError as exc:
        raise TemplateError(
            "note_summary", f"fails on a full worksheet (every table at its largest): {exc.problem}"
        ) from None
