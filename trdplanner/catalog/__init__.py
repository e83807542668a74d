"""The template catalog: one definition drives the form, the printed worksheet and the note text.

No Qt and no database here; everything is plain data in, plain data out. See
``docs/template-format.md`` for the format this package enforces.
"""

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
    Instrument,
    Kind,
    Modality,
    NoteFormat,
    NoteSection,
    Option,
    PrintHint,
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
from trdplanner.catalog.prefill import PrefillContext, prefill
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
    "InstanceError",
    "InstanceLine",
    "Instrument",
    "Kind",
    "Modality",
    "NoteFormat",
    "NoteFormats",
    "NoteSection",
    "Option",
    "PrefillContext",
    "PrintHint",
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
