"""The template catalog: one definition drives the form, the printed worksheet and the note text.

No Qt and no database here; everything is plain data in, plain data out. See
``docs/template-format.md`` for the format this package enforces.
"""

# The names below are loaded on first use (PEP 562), so importing one light part of the catalog
# (its errors, its model) does not pull in Jinja2 and the loader: the command line's --help and
# `patient list` stay fast. Type checkers see ordinary imports.

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from trdplanner.catalog.catalog import BrokenFile, Catalog
    from trdplanner.catalog.errors import InstanceError, Problem, RenderError, TemplateError
    from trdplanner.catalog.instances import (
        FilledInstance,
        blank_values,
        instance_problems,
        validate_instance,
    )
    from trdplanner.catalog.loader import load_catalog, load_template_file, load_template_text
    from trdplanner.catalog.model import (
        AgendaStep,
        Anchor,
        Binding,
        BindingSource,
        Column,
        Definition,
        Field,
        FieldType,
        FilledBy,
        FormInstrument,
        Kind,
        Modality,
        NoteFormat,
        NoteSection,
        Option,
        PrintHint,
        PrintLayout,
        Template,
    )
    from trdplanner.catalog.notes import (
        NoteFormats,
        example_note_context,
        load_note_formats,
        measure_line,
        parse_note_format,
        render_note,
        risk_line,
    )
    from trdplanner.catalog.prefilling import PrefillContext, prefill
    from trdplanner.catalog.snapshots import template_from_dict, template_to_dict
    from trdplanner.catalog.summaries import (
        InstanceLine,
        TableDisplay,
        answered_fields,
        display_value,
        instance_lines,
        summarize_instance,
    )
    from trdplanner.catalog.validation import parse_template

_HOME = {
    "AgendaStep": "model",
    "Anchor": "model",
    "Binding": "model",
    "BindingSource": "model",
    "BrokenFile": "catalog",
    "Catalog": "catalog",
    "Column": "model",
    "Definition": "model",
    "Field": "model",
    "FieldType": "model",
    "FilledBy": "model",
    "FilledInstance": "instances",
    "InstanceError": "errors",
    "InstanceLine": "summaries",
    "FormInstrument": "model",
    "Kind": "model",
    "Modality": "model",
    "NoteFormat": "model",
    "NoteFormats": "notes",
    "NoteSection": "model",
    "Option": "model",
    "PrefillContext": "prefilling",
    "PrintHint": "model",
    "PrintLayout": "model",
    "Problem": "errors",
    "RenderError": "errors",
    "TableDisplay": "summaries",
    "Template": "model",
    "TemplateError": "errors",
    "answered_fields": "summaries",
    "blank_values": "instances",
    "display_value": "summaries",
    "example_note_context": "notes",
    "instance_lines": "summaries",
    "instance_problems": "instances",
    "load_catalog": "loader",
    "load_note_formats": "notes",
    "load_template_file": "loader",
    "load_template_text": "loader",
    "measure_line": "notes",
    "parse_note_format": "notes",
    "parse_template": "validation",
    "prefill": "prefilling",
    "render_note": "notes",
    "risk_line": "notes",
    "summarize_instance": "summaries",
    "template_from_dict": "snapshots",
    "template_to_dict": "snapshots",
    "validate_instance": "instances",
}


def __getattr__(name: str) -> Any:
    module = _HOME.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(f"{__name__}.{module}"), name)
    globals()[name] = value  # later look-ups skip this function
    return value


__all__ = [
    "AgendaStep",
    "Anchor",
    "Binding",
    "BindingSource",
    "BrokenFile",
    "Catalog",
    "Column",
    "Definition",
    "Field",
    "FieldType",
    "FilledBy",
    "FilledInstance",
    "FormInstrument",
    "InstanceError",
    "InstanceLine",
    "Kind",
    "Modality",
    "NoteFormat",
    "NoteFormats",
    "NoteSection",
    "Option",
    "PrefillContext",
    "PrintHint",
    "PrintLayout",
    "Problem",
    "RenderError",
    "TableDisplay",
    "Template",
    "TemplateError",
    "answered_fields",
    "blank_values",
    "display_value",
    "example_note_context",
    "instance_lines",
    "instance_problems",
    "load_catalog",
    "load_note_formats",
    "load_template_file",
    "load_template_text",
    "measure_line",
    "parse_note_format",
    "parse_template",
    "prefill",
    "render_note",
    "risk_line",
    "summarize_instance",
    "template_from_dict",
    "template_to_dict",
    "validate_instance",
]
