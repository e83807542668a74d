"""Property tests: random valid templates and instances round-trip; hostile text stays literal."""

from __future__ import annotations

import datetime as dt
import json
import math
from typing import Any

import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from trdplanner.catalog import (
    FieldType,
    FilledInstance,
    PrefillContext,
    Template,
    instance_lines,
    load_template_text,
    parse_template,
    prefill,
    summarize_instance,
    template_from_dict,
    template_to_dict,
    validate_instance,
)
from trdplanner.catalog.model import COLUMN_TYPES, Column, Field

PROPERTY_SETTINGS = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])

# Printable text of any script: no control characters, surrogates or private-use code points.
_CHARS = st.characters(blacklist_categories=("Cc", "Cs", "Co", "Cn"))
labels = st.text(_CHARS, min_size=1, max_size=30).filter(lambda s: s.strip() != "")
long_texts = st.text(st.one_of(_CHARS, st.just("\n")), min_size=1, max_size=200).filter(lambda s: s.strip() != "")
HOSTILE_PIECES = [
    "{{ 7*7 }}",
    "{% for x in y %}",
    "{# c #}",
    "}}",
    "{%",
    "<b>bold</b>",
    "<script>x</script>",
    "&amp;",
    "\u202eRTL override",
    "\u05e9\u05dc\u05d5\u05dd",
    "e\u0301\u0302",
    "\u200b",
    "${HOME}",
    "%s %d",
    "\\n",
    "'\"",
    "NULL",
    "\U0001f600",
]
hostile = (
    st.lists(st.one_of(st.sampled_from(HOSTILE_PIECES), st.text(_CHARS, max_size=10)), min_size=1, max_size=6)
    .map("".join)
    .filter(lambda s: s.strip() != "" and len(s) <= 200)
)


@st.composite
def value_shapes(draw: st.DrawFn, ftype: FieldType) -> dict[str, Any]:
    """The per-type extras for one input field or column."""
    extras: dict[str, Any] = {}
    if ftype is FieldType.SHORT_TEXT and draw(st.booleans()):
        extras["max_length"] = draw(st.integers(1, 500))
    elif ftype is FieldType.NUMBER:
        lo = draw(st.one_of(st.none(), st.integers(-1000, 1000), st.floats(-1000, 1000)))
        if lo is not None:
            extras["min"] = lo
        if draw(st.booleans()):
            extras["max"] = (lo if lo is not None else 0) + draw(st.integers(1, 1000))
        extras["integer"] = draw(st.booleans())
    elif ftype is FieldType.RATING:
        lo = draw(st.integers(-10, 10))
        step = draw(st.integers(1, 5))
        hi = lo + step * draw(st.integers(1, 20))
        extras.update(min=lo, max=hi)
        if step != 1 or draw(st.booleans()):
            extras["step"] = step
        points = list(range(lo, hi + 1, step))
        chosen = draw(st.lists(st.sampled_from(points), unique=True, max_size=3))
        if chosen:
            extras["anchors"] = {p: draw(labels) for p in chosen}
    elif ftype in (FieldType.CHOICE, FieldType.CHECKLIST):
        n = draw(st.integers(1, 5))
        extras["options"] = [
            {"id": f"opt-{i}", "label": draw(labels)} | ({"help": draw(labels)} if draw(st.booleans()) else {})
            for i in range(n)
        ]
    return extras


@st.composite
def field_defs(draw: st.DrawFn, index: int, kind: str) -> dict[str, Any]:
    ftype = draw(st.sampled_from(list(FieldType)))
    if ftype is FieldType.HEADING:
        return {"type": "heading", "label": draw(labels)}
    if ftype is FieldType.PARAGRAPH:
        return {"type": "paragraph", "text": draw(long_texts)}
    if ftype is FieldType.DEFINITIONS:
        items = draw(st.lists(st.fixed_dictionaries({"term": labels, "text": long_texts}), min_size=1, max_size=3))
        return {"type": "definitions", "items": items}
    data: dict[str, Any] = {"id": f"f{index}", "type": ftype.value, "label": draw(labels)}
    if draw(st.booleans()):
        data["help"] = draw(labels)
    if draw(st.booleans()):
        data["required"] = draw(st.booleans())
    if draw(st.booleans()):
        data["filled_by"] = draw(st.sampled_from(["session", "client"]))
    data.update(draw(value_shapes(ftype)))
    if ftype.is_text and draw(st.booleans()):
        data["print"] = {"lines": draw(st.integers(1, 20))}
        if draw(st.booleans()):
            data["prefill"] = {"source": "patient", "key": "print_name"}
    if ftype is FieldType.DATE and draw(st.booleans()):
        data["prefill"] = {"source": "session", "key": "date"}
    if ftype is FieldType.TABLE:
        col_types = draw(st.lists(st.sampled_from(sorted(COLUMN_TYPES)), min_size=1, max_size=4))
        data["columns"] = [
            {"id": f"c{i}", "type": t.value, "label": draw(labels)} | draw(value_shapes(t))
            for i, t in enumerate(col_types)
        ]
        if draw(st.booleans()):
            data["fixed_rows"] = draw(st.lists(labels, min_size=1, max_size=4))
        else:
            lo = draw(st.one_of(st.none(), st.integers(0, 3)))
            if lo is not None:
                data["min_rows"] = lo
            if draw(st.booleans()):
                data["max_rows"] = (lo or 0) + draw(st.integers(1, 5))
        if draw(st.booleans()):
            data["print"] = {"rows": draw(st.integers(1, 10))}
    return data


@st.composite
def template_defs(draw: st.DrawFn) -> dict[str, Any]:
    modality = draw(st.sampled_from(["cbt", "dbt", "act", "ipt", "mbct", "trauma", "general"]))
    kind = draw(st.sampled_from(["exercise", "homework", "handout", "structure", "measure"]))
    n = draw(st.integers(0 if kind == "structure" else 1, 8))
    data: dict[str, Any] = {
        "id": f"{modality}-{draw(st.from_regex(r'[a-z0-9]{1,8}(-[a-z0-9]{1,5})?', fullmatch=True))}",
        "version": draw(st.integers(1, 50)),
        "modality": modality,
        "kind": kind,
        "title": draw(labels),
        "purpose": draw(long_texts),
        "instructions": draw(long_texts),
        "minutes": draw(st.integers(1, 120)),
        "fields": [draw(field_defs(i, kind)) for i in range(n)],
    }
    if draw(st.booleans()):
        data["tags"] = draw(st.lists(st.from_regex(r"[a-z][a-z ]{0,10}[a-z]", fullmatch=True), unique=True, max_size=3))
    if kind == "structure":
        data["agenda"] = [{"title": draw(labels), "minutes": draw(st.integers(1, 30))}]
    if kind == "measure":
        data["instrument"] = draw(st.sampled_from(["phq9", "gad7", "qids_sr16"]))
    if draw(st.booleans()):
        data["note_summary"] = "{{ template.title }} done"
    if draw(st.booleans()):
        data["references"] = [draw(labels)]
    return data


def _scalar_values(shape: Field | Column) -> st.SearchStrategy[Any]:
    kind = shape.type
    if kind is FieldType.SHORT_TEXT:
        return st.text(_CHARS, max_size=min(shape.max_length or 80, 80))
    if kind is FieldType.LONG_TEXT:
        pieces = st.one_of(st.text(_CHARS, max_size=20), st.sampled_from(["\n", "\t", "\r\n"]))
        return st.lists(pieces, max_size=10).map("".join)
    if kind is FieldType.NUMBER:
        lo = shape.min if shape.min is not None else -1e6
        hi = shape.max if shape.max is not None else 1e6
        if shape.integer:
            ilo, ihi = math.ceil(lo), math.floor(hi)
            return st.integers(ilo, ihi) if ilo <= ihi else st.none()
        return st.floats(lo, hi, allow_nan=False, allow_infinity=False)
    if kind is FieldType.RATING:
        assert shape.min is not None and shape.max is not None
        return st.sampled_from(list(range(int(shape.min), int(shape.max) + 1, shape.step)))
    if kind is FieldType.DATE:
        return st.one_of(st.dates(), st.dates().map(dt.date.isoformat))
    if kind is FieldType.TIME:
        return st.one_of(st.times(), st.times().map(lambda t: t.strftime("%H:%M")))
    if kind is FieldType.YES_NO:
        return st.booleans()
    ids = [o.id for o in shape.options]
    if kind is FieldType.CHOICE:
        return st.sampled_from(ids)
    return st.lists(st.sampled_from(ids), unique=True)


def _field_values(fld: Field) -> st.SearchStrategy[Any]:
    if fld.type is not FieldType.TABLE:
        return st.one_of(st.none(), _scalar_values(fld))
    row = st.fixed_dictionaries({c.id: st.one_of(st.none(), _scalar_values(c)) for c in fld.columns})
    limit = len(fld.fixed_rows) if fld.fixed_rows else (fld.max_rows or 4)
    return st.lists(row, max_size=min(limit, 4))


@st.composite
def templates_with_values(draw: st.DrawFn) -> tuple[Template, dict[str, Any]]:
    template = parse_template(draw(template_defs()))
    values = {f.key: draw(_field_values(f)) for f in template.input_fields}
    return template, values


@PROPERTY_SETTINGS
@given(template_defs())
def test_valid_templates_round_trip(data: dict[str, Any]) -> None:
    template = parse_template(data, "gen.yaml")
    as_yaml = yaml.safe_dump(data, sort_keys=False, allow_unicode=True)
    assert load_template_text(as_yaml, "gen.yaml") == template
    snapshot = json.loads(json.dumps(template_to_dict(template)))
    assert template_from_dict(snapshot) == template
    again = yaml.safe_dump(template_to_dict(template), allow_unicode=True)
    assert load_template_text(again) == template


@PROPERTY_SETTINGS
@given(templates_with_values())
def test_instances_round_trip(case: tuple[Template, dict[str, Any]]) -> None:
    template, values = case
    cleaned = validate_instance(template, values, partial=True)
    assert set(cleaned) == {f.key for f in template.input_fields}
    stored = json.loads(json.dumps(FilledInstance(template.id, template.version, cleaned).to_dict()))
    snapshot = template_from_dict(json.loads(json.dumps(template_to_dict(template))))
    back = FilledInstance.from_dict(stored).check(snapshot, partial=True)
    assert back.values == cleaned
    assert validate_instance(template, cleaned, partial=True) == cleaned
    assert isinstance(summarize_instance(template, cleaned), str)
    assert len(instance_lines(template, cleaned)) == sum(
        1 for f in template.fields if f.is_input or f.type is FieldType.HEADING
    )


HOSTILE_TEMPLATE = parse_template(
    {
        "id": "general-hostile",
        "version": 1,
        "modality": "general",
        "kind": "exercise",
        "title": "Hostile",
        "purpose": "p",
        "instructions": "i",
        "minutes": 1,
        "note_summary": "Said: {{ values.text }} | {{ values.rows[0].cell if values.rows else '' }}",
        "fields": [
            {"id": "text", "type": "long_text", "label": "Text"},
            {
                "id": "rows",
                "type": "table",
                "label": "Rows",
                "columns": [{"id": "cell", "type": "short_text", "label": "Cell"}],
            },
            {
                "id": "carried",
                "type": "long_text",
                "label": "Carried",
                "prefill": {"source": "previous", "template": "general-hostile", "field": "text"},
            },
            {
                "id": "greeting",
                "type": "long_text",
                "label": "Greeting",
                "prefill": {
                    "source": "text",
                    "text": "{{ patient.preferred_name }}: {{ previous['general-hostile'].text }}",
                },
            },
        ],
    }
)
PLAIN = parse_template(
    {
        **template_to_dict(HOSTILE_TEMPLATE),
        "id": "general-plain",
        "note_summary": None,
        "fields": template_to_dict(HOSTILE_TEMPLATE)["fields"][:2],
    }
)


@PROPERTY_SETTINGS
@given(hostile, hostile)
def test_hostile_values_stay_literal(text: str, cell: str) -> None:
    values = {"text": text, "rows": [{"cell": cell}]}
    cleaned = validate_instance(HOSTILE_TEMPLATE, values)
    assert cleaned["text"] == text and cleaned["rows"][0]["cell"] == cell
    assert summarize_instance(HOSTILE_TEMPLATE, values) == f"Said: {text} | {cell}".strip()
    generic = summarize_instance(PLAIN, values)
    assert f"Text: {text}" in generic and f"Cell: {cell}" in generic
    lines = {ln.label: ln.text for ln in instance_lines(HOSTILE_TEMPLATE, values)}
    assert lines["Text"] == text and lines["Rows"] == f"Cell: {cell}"
    ctx = PrefillContext(
        patient={"preferred_name": cell},
        previous={"general-hostile": [FilledInstance.create(HOSTILE_TEMPLATE, values)]},
    )
    started = prefill(HOSTILE_TEMPLATE, ctx)
    assert started["carried"] == text
    assert started["greeting"] == f"{cell}: {text}".strip()
