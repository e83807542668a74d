"""Starting values for a new instance, from the ``prefill`` bindings of its template.

A binding that has nothing to offer (no earlier instance yet, a context key the caller left out, a
value that does not fit the field) simply leaves the field blank: prefilling is a convenience and
must never stop a session from starting. A ``text`` binding whose Jinja is wrong is different —
that is a bug in the template — and raises :class:`RenderError` naming template and field.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import logging
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from trdplanner.catalog import sandbox
from trdplanner.catalog.instances import blank_row, clean_scalar, is_blank, latest_values
from trdplanner.catalog.model import Binding, BindingSource, Field, FieldType, Template
from trdplanner.catalog.validation import prefill_text_references

log = logging.getLogger(__name__)

_ENV = sandbox.make_environment()


def _empty() -> Mapping[str, Any]:
    return {}


@dataclass(frozen=True)
class PrefillContext:
    """What bindings can draw on. All plain mappings; see the format doc for their keys.

    ``previous`` maps a template id to that patient's earlier instances of it, newest first; each
    entry is a :class:`FilledInstance`, its ``to_dict()`` form, or a plain values mapping.
    """

    patient: Mapping[str, Any] = field(default_factory=_empty)
    clinician: Mapping[str, Any] = field(default_factory=_empty)
    practice: Mapping[str, Any] = field(default_factory=_empty)
    session: Mapping[str, Any] = field(default_factory=_empty)
    previous: Mapping[str, Sequence[Any]] = field(default_factory=_empty)

    def latest(self, template_id: str) -> Mapping[str, Any] | None:
        return latest_values(self.previous.get(template_id, ()))

    def source(self, source: BindingSource) -> Mapping[str, Any]:
        mapping: Mapping[str, Any] = getattr(self, source.value)
        return mapping


def prefill(template: Template, ctx: PrefillContext) -> dict[str, Any]:
    """Starting values by field id, for the fields whose binding produced a usable value."""
    values: dict[str, Any] = {}
    for fld in template.input_fields:
        if fld.prefill is None:
            continue
        raw = _bound_value(template, fld, fld.prefill, ctx)
        if raw is None:
            continue
        value = _fit(fld, raw)
        if not is_blank(value):
            values[fld.key] = value
    return values


def _bound_value(template: Template, fld: Field, binding: Binding, ctx: PrefillContext) -> Any:
    if binding.source is BindingSource.PREVIOUS:
        assert binding.template is not None and binding.field is not None
        latest = ctx.latest(binding.template)
        return None if latest is None else latest.get(binding.field)
    if binding.source is BindingSource.TEXT:
        assert binding.text is not None
        return _render_text(template, fld, binding.text, ctx)
    assert binding.key is not None
    value = ctx.source(binding.source).get(binding.key)
    if isinstance(value, dt.date) and fld.type is not FieldType.DATE:
        return value.isoformat()
    if isinstance(value, int | float) and not isinstance(value, bool) and fld.type.is_text:
        return str(value)
    return value


def _render_text(template: Template, fld: Field, text: str, ctx: PrefillContext) -> str | None:
    previous: dict[str, Mapping[str, Any]] = {}
    for template_id, _field in prefill_text_references(text):
        latest = ctx.latest(template_id)
        if latest is None:
            # "Keep practising: <last week's step>" has nothing to say before there is a last week.
            return None
        previous[template_id] = latest
    context = {
        "patient": ctx.patient,
        "clinician": ctx.clinician,
        "practice": ctx.practice,
        "session": ctx.session,
        "previous": previous,
    }
    where = f"{template.ref}: {fld.key}.prefill.text"
    return sandbox.render(_ENV, text, context, where).strip()


def _fit(fld: Field, raw: Any) -> Any:
    """``raw`` cleaned for ``fld``, or None if it does not fit (logged, not raised)."""
    if fld.type is FieldType.TABLE:
        return _fit_table(fld, raw)
    try:
        return clean_scalar(fld, raw)
    except ValueError as exc:
        log.info("prefill for %s left blank: %s", fld.key, exc)
        return None


def _fit_table(fld: Field, raw: Any) -> list[dict[str, Any]] | None:
    """Carry rows column by column; a cell that does not fit the new column stays blank."""
    if not isinstance(raw, Sequence) or isinstance(raw, str):
        return None
    limit = len(fld.fixed_rows) if fld.fixed_rows else fld.max_rows
    rows = []
    for source_row in raw[:limit]:
        row = blank_row(fld)
        source = source_row if isinstance(source_row, Mapping) else {}
        for column in fld.columns:
            with contextlib.suppress(ValueError):
                row[column.id] = clean_scalar(column, source.get(column.id))
        rows.append(row)
    if fld.fixed_rows:
        rows += [blank_row(fld) for _ in range(len(fld.fixed_rows) - len(rows))]
    return rows
