"""Reading PDFs back in tests: text per page, the body text without header and footer."""

from __future__ import annotations

import io
import unicodedata
from collections import Counter
from typing import Any

from pypdf import PdfReader

from trdplanner.catalog import Column, Field, FieldType, Template
from trdplanner.export.base import MARGIN_BOTTOM, MARGIN_TOP
from trdplanner.export.formfields import field_name
from trdplanner.export.text import clean

_UNMIRROR = str.maketrans({")": "(", "]": "[", "}": "{", ">": "<", "»": "«"})


def reader(data: bytes) -> PdfReader:
    return PdfReader(io.BytesIO(data))


def page_texts(data: bytes) -> list[str]:
    return [page.extract_text() or "" for page in reader(data).pages]


def body_text(data: bytes) -> str:
    """Text between the running header and the footer, page after page."""
    out: list[str] = []
    for page in reader(data).pages:
        height = float(page.mediabox.height)
        parts: list[str] = []

        def visit(
            text: str, cm: Any, tm: Any, font: Any, size: Any, parts: list[str] = parts, top: float = height
        ) -> None:
            y = tm[5] * cm[3] + cm[5] if cm else tm[5]
            if MARGIN_BOTTOM - 2 <= y <= top - MARGIN_TOP + 2:
                parts.append(text)

        page.extract_text(visitor_text=visit)
        out.append("".join(parts))
    return "\n".join(out)


def squash(text: str) -> str:
    """Compatibility-normalized with all white space removed: line breaks fall anywhere."""
    return "".join(unicodedata.normalize("NFKC", text).split())


def printed(text: str) -> str:
    """What a value should look like once printed (uncovered characters as the placeholder)."""
    return squash(clean(text))


def contains(haystack: str, needle: str) -> bool:
    return printed(needle) in squash(haystack)


def right_to_left(text: str) -> bool:
    """Whether ``text`` holds a right-to-left character, by its Unicode bidi class (as the
    renderer decides: Arabic mathematical letters are right-to-left too)."""
    return any(unicodedata.bidirectional(ch) in ("R", "AL") for ch in text)


def has_all_characters(haystack: str, needle: str) -> bool:
    """Every printed character of ``needle`` is in ``haystack`` as often (order-free).

    Right-to-left runs are put in drawing order on the page and read back by pypdf with its
    own reordering, so mixed-direction text is compared as a multiset of characters; brackets
    inside right-to-left text are drawn mirrored, so each pair counts as one.
    """
    want = Counter(printed(needle).translate(_UNMIRROR))
    have = Counter(squash(haystack).translate(_UNMIRROR))
    return all(have[ch] >= n for ch, n in want.items())


def sample_value(shape: Field | Column, tag: str) -> Any:
    """A valid, recognisable value for any input field or column."""
    kind = shape.type
    if kind in (FieldType.SHORT_TEXT, FieldType.LONG_TEXT):
        text = f"Answer {tag}"
        return text[: shape.max_length] if shape.max_length else text
    if kind is FieldType.NUMBER:
        lo = shape.min if shape.min is not None else 0
        return int(lo) + (1 if shape.max is None or lo + 1 <= shape.max else 0)
    if kind is FieldType.RATING:
        assert shape.min is not None
        return (
            int(shape.min) + shape.step if shape.max is not None and shape.min + shape.step <= shape.max else shape.min
        )
    if kind is FieldType.DATE:
        return "2026-02-14"
    if kind is FieldType.TIME:
        return "07:45"
    if kind is FieldType.YES_NO:
        return True
    if kind is FieldType.CHOICE:
        return shape.options[-1].id
    if kind is FieldType.CHECKLIST:
        return [shape.options[0].id, shape.options[-1].id] if len(shape.options) > 1 else [shape.options[0].id]
    raise AssertionError(kind)


def sample_values(template: Template) -> dict[str, Any]:
    values: dict[str, Any] = {}
    for fld in template.input_fields:
        if fld.type is FieldType.TABLE:
            count = len(fld.fixed_rows) or min(2, fld.max_rows or 2)
            values[fld.key] = [
                {c.id: sample_value(c, f"{fld.key}-{r}-{c.id}") for c in fld.columns} for r in range(count)
            ]
        else:
            values[fld.key] = sample_value(fld, fld.key)
    return values


def template_texts(template: Template, *, column_options: bool = True) -> list[str]:
    """Every piece of template wording a printed worksheet must show.

    A table's option labels show in its blank rows (or numbered above it), so a table whose
    rows are all filled in only shows the options chosen: pass ``column_options=False``.
    """
    texts = [template.title]
    if template.instructions:
        texts.append(template.instructions)
    for step in template.agenda:
        texts.append(step.title)
    for fld in template.fields:
        if fld.type is FieldType.PARAGRAPH and fld.text:
            texts.append(fld.text)
        elif fld.type is FieldType.DEFINITIONS:
            texts += [item.term for item in fld.items] + [item.text for item in fld.items]
        elif fld.label:
            texts.append(fld.label)
        texts += [c.label for c in fld.columns] + list(fld.fixed_rows) + [o.label for o in fld.options]
        for column in fld.columns if column_options else ():
            texts += [o.label for o in column.options]
    return texts


def bold_text(data: bytes) -> str:
    """All text drawn in a bold face, white space removed."""
    parts: list[str] = []
    for page in reader(data).pages:

        def visit(text: str, cm: Any, tm: Any, font: Any, size: Any) -> None:
            if font is not None and "Bold" in str(font.get("/BaseFont", "")):
                parts.append(text)

        page.extract_text(visitor_text=visit)
    return squash("".join(parts))


def _form_entries(shape: Field | Column, value: Any, *path: object) -> dict[str, str]:
    """What a PDF viewer stores in each field when the client enters ``value``."""
    kind = shape.type
    if value is None:
        return {}
    if kind is FieldType.CHECKLIST:
        return {field_name(*path, o.id): "/Yes" if o.id in value else "/Off" for o in shape.options}
    if kind is FieldType.YES_NO:
        return {field_name(*path): "/yes" if value else "/no"}
    if kind is FieldType.CHOICE:
        return {field_name(*path): f"/{value}"}
    return {field_name(*path): str(value)}


def fill(data: bytes, template: Template, values: dict[str, Any]) -> bytes:
    """Type ``values`` into a fillable worksheet the way a PDF viewer would."""
    from pypdf import PdfReader, PdfWriter

    entries: dict[str, str] = {}
    for fld in template.input_fields:
        value = values.get(fld.key)
        if fld.type is FieldType.TABLE:
            for r, row in enumerate(value or []):
                for column in fld.columns:
                    entries.update(_form_entries(column, row.get(column.id), fld.key, r, column.id))
        elif fld.type is FieldType.RATING:
            if value is None:
                continue
            entries.update({field_name(fld.key): f"/{value}" if _in_grid(template, fld) else str(value)})
        else:
            entries.update(_form_entries(fld, value, fld.key))
    writer = PdfWriter(clone_from=PdfReader(io.BytesIO(data)))
    for page in writer.pages:
        writer.update_page_form_field_values(page, entries, auto_regenerate=False)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def _in_grid(template: Template, fld: Field) -> bool:
    """Whether a rating prints as radio buttons (questionnaire grid, answer list) rather than a drop-down."""
    from trdplanner.export.fieldprint import answers_as_list, same_scale
    from trdplanner.export.layout import boxed_scale

    if not boxed_scale(fld):
        return False
    if answers_as_list(fld):
        return True
    fields = template.fields
    i = fields.index(fld)
    before = i > 0 and fields[i - 1].type is FieldType.RATING and same_scale(fields[i - 1], fld)
    after = i + 1 < len(fields) and fields[i + 1].type is FieldType.RATING and same_scale(fields[i + 1], fld)
    return before or after
