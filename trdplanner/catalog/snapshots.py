"""Template definitions as plain, JSON-able data, for storing alongside filled instances.

An instance filled against version 1 must stay readable after the catalog moves to version 2, so
the caller stores ``template_to_dict(template)`` with each instance and rebuilds the definition
with :func:`template_from_dict`, which validates it exactly like a file. The dict uses the YAML
format's own keys (and omits defaults), so a snapshot is also a valid template file.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from trdplanner.catalog.model import (
    Binding,
    BindingSource,
    Column,
    Field,
    FieldType,
    FilledBy,
    Kind,
    PrintLayout,
    Template,
)
from trdplanner.catalog.validation import parse_template

SNAPSHOT_SOURCE = "<snapshot>"


def template_to_dict(template: Template) -> dict[str, Any]:
    """The definition as JSON-able data; ``template_from_dict`` of it equals ``template``."""
    data: dict[str, Any] = {
        "id": template.id,
        "version": template.version,
        "modality": template.modality.value,
        "kind": template.kind.value,
        "title": template.title,
        "purpose": template.purpose,
        "instructions": template.instructions,
        "minutes": template.minutes,
    }
    if template.tags:
        data["tags"] = list(template.tags)
    if template.note_summary is not None:
        data["note_summary"] = template.note_summary
    default_filled_by = FilledBy.CLIENT if template.kind is Kind.HOMEWORK else FilledBy.SESSION
    data["fields"] = [_field_to_dict(f, default_filled_by) for f in template.fields]
    if template.agenda:
        data["agenda"] = [
            {"title": s.title, "minutes": s.minutes}
            | ({"description": s.description} if s.description is not None else {})
            for s in template.agenda
        ]
    if template.instrument is not None:
        data["instrument"] = template.instrument.value
    if template.references:
        data["references"] = list(template.references)
    if template.print_layout is not PrintLayout.SHEET:
        data["print_layout"] = template.print_layout.value
    return data


def template_from_dict(data: Mapping[str, Any], source: str = SNAPSHOT_SOURCE) -> Template:
    """Rebuild and validate a definition; raises :class:`TemplateError` like a broken file."""
    return parse_template(data, source)


def _field_to_dict(field: Field, default_filled_by: FilledBy) -> dict[str, Any]:
    data: dict[str, Any] = {"type": field.type.value}
    if field.id is not None:
        data["id"] = field.id
    if field.label:
        data["label"] = field.label
    if field.type is FieldType.PARAGRAPH:
        data["text"] = field.text
    if field.type is FieldType.DEFINITIONS:
        data["items"] = [{"term": d.term, "text": d.text} for d in field.items]
    if field.type.is_static:
        return data
    _common_to_dict(field, data)
    if field.filled_by is not default_filled_by:
        data["filled_by"] = field.filled_by.value
    if field.print is not None:
        hint = field.print
        key, value = next(
            (k, v)
            for k, v in (("lines", hint.lines), ("rows", hint.rows), ("height_mm", hint.height_mm))
            if v is not None
        )
        data["print"] = {key: value}
    if field.prefill is not None:
        data["prefill"] = _binding_to_dict(field.prefill)
    if field.type is FieldType.TABLE:
        data["columns"] = [_column_to_dict(c) for c in field.columns]
        if field.fixed_rows:
            data["fixed_rows"] = list(field.fixed_rows)
        if field.min_rows is not None:
            data["min_rows"] = field.min_rows
        if field.max_rows is not None:
            data["max_rows"] = field.max_rows
    return data


def _column_to_dict(column: Column) -> dict[str, Any]:
    data: dict[str, Any] = {"type": column.type.value, "id": column.id, "label": column.label}
    if column.abbr is not None:
        data["abbr"] = column.abbr
    _common_to_dict(column, data)
    return data


def _common_to_dict(shape: Field | Column, data: dict[str, Any]) -> None:
    if shape.help is not None:
        data["help"] = shape.help
    if shape.required:
        data["required"] = True
    if shape.type is FieldType.SHORT_TEXT and shape.max_length is not None:
        data["max_length"] = shape.max_length
    if shape.type in (FieldType.NUMBER, FieldType.RATING):
        if shape.min is not None:
            data["min"] = shape.min
        if shape.max is not None:
            data["max"] = shape.max
    if shape.type is FieldType.NUMBER and not shape.integer:
        data["integer"] = False
    if shape.type is FieldType.RATING:
        if shape.step != 1:
            data["step"] = shape.step
        if shape.anchors:
            # Text keys: JSON objects cannot have integer keys (the loader accepts both).
            data["anchors"] = {str(a.value): a.label for a in shape.anchors}
    if shape.type in (FieldType.CHOICE, FieldType.CHECKLIST):
        data["options"] = [
            {"id": o.id, "label": o.label} | ({"help": o.help} if o.help is not None else {}) for o in shape.options
        ]


def _binding_to_dict(binding: Binding) -> dict[str, Any]:
    data: dict[str, Any] = {"source": binding.source.value}
    if binding.source is BindingSource.PREVIOUS:
        data["template"] = binding.template
        data["field"] = binding.field
    elif binding.source is BindingSource.TEXT:
        data["text"] = binding.text
    else:
        data["key"] = binding.key
    return data
