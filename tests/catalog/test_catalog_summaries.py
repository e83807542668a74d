"""Note summaries (template-defined and generic) and the shared read-only lines."""

from __future__ import annotations

import pytest
from _catalog_helpers import TEMPLATES_DIR, base_template, with_fields

from trdplanner.catalog import (
    FieldType,
    InstanceError,
    RenderError,
    instance_lines,
    load_catalog,
    parse_template,
    summarize_instance,
)

WORKSHEET = parse_template(
    with_fields(
        {"type": "heading", "label": "Before"},
        {"id": "situation", "type": "long_text", "label": "Situation"},
        {"id": "belief", "type": "rating", "label": "Belief", "min": 0, "max": 100, "anchors": {100: "completely"}},
        {"id": "done", "type": "yes_no", "label": "Done"},
        {
            "id": "area",
            "type": "choice",
            "label": "Area",
            "options": [{"id": "grief", "label": "Grief"}, {"id": "dispute", "label": "Role dispute"}],
        },
        {
            "id": "skills",
            "type": "checklist",
            "label": "Skills used",
            "options": [{"id": "stop", "label": "STOP"}, {"id": "tip", "label": "TIP"}],
        },
        {"type": "paragraph", "text": "Instructions, not answers."},
        {"type": "heading", "label": "Record"},
        {
            "id": "rows",
            "type": "table",
            "label": "Record",
            "columns": [
                {"id": "thought", "type": "short_text", "label": "Thought"},
                {"id": "pct", "type": "rating", "label": "Belief", "min": 0, "max": 100},
            ],
        },
        {
            "id": "days",
            "type": "table",
            "label": "Days",
            "fixed_rows": ["Mon", "Tue"],
            "columns": [{"id": "urge", "type": "rating", "label": "Urge", "min": 0, "max": 5}],
        },
        {"id": "weight", "type": "number", "label": "Weight", "integer": False},
    )
)
FILLED = {
    "situation": "Meeting ran late",
    "belief": 100,
    "done": False,
    "area": "dispute",
    "skills": ["tip", "stop"],
    "rows": [
        {"thought": "I'm a failure", "pct": 70},
        {"thought": "Nobody cares", "pct": 60},
        {"thought": "Third", "pct": 10},
    ],
    "days": [{}, {"urge": 3}],
    "weight": 70.25,
}


def test_generic_summary_is_readable() -> None:
    assert summarize_instance(WORKSHEET, FILLED) == "\n".join(
        [
            "Situation: Meeting ran late",
            "Belief: 100/100 (completely)",
            "Done: No",
            "Area: Role dispute",
            "Skills used: STOP, TIP",
            "Record: 3 rows filled in",
            "- Thought: I'm a failure; Belief: 70/100",
            "- Thought: Nobody cares; Belief: 60/100",
            "- (and 1 more)",
            "Days: 1 row filled in",
            "- Tue: Urge: 3/5",
            "Weight: 70.25",
        ]
    )
    # Nothing answered: no summary at all (the note names the form as assigned or not filled in).
    assert summarize_instance(WORKSHEET, {}) == ""


def test_instance_lines_are_ordered_and_type_aware() -> None:
    lines = instance_lines(WORKSHEET, FILLED)
    assert [(ln.label, ln.type) for ln in lines] == [
        ("Before", FieldType.HEADING),
        ("Situation", FieldType.LONG_TEXT),
        ("Belief", FieldType.RATING),
        ("Done", FieldType.YES_NO),
        ("Area", FieldType.CHOICE),
        ("Skills used", FieldType.CHECKLIST),
        ("Record", FieldType.HEADING),
        ("Record", FieldType.TABLE),
        ("Days", FieldType.TABLE),
        ("Weight", FieldType.NUMBER),
    ]
    record = lines[7]
    assert record.table is not None
    assert record.table.headers == ("Thought", "Belief")
    assert record.table.rows[0] == ("I'm a failure", "70/100")
    assert record.text.splitlines()[0] == "Thought: I'm a failure; Belief: 70/100"
    days = lines[8]
    assert days.table is not None and days.table.headers == ("", "Urge")
    assert days.table.rows == (("Mon", ""), ("Tue", "3/5"))
    assert days.text == "Tue: Urge: 3/5"


def test_instance_lines_without_empty_fields() -> None:
    lines = instance_lines(WORKSHEET, {"weight": 3}, include_empty=False)
    assert [(ln.label, ln.text) for ln in lines] == [("Record", ""), ("Weight", "3")]


def test_note_summary_sees_values_template_and_labels() -> None:
    template = parse_template(
        with_fields(
            {"id": "area", "type": "choice", "label": "Area", "options": [{"id": "grief", "label": "Grief"}]},
            {"id": "n", "type": "number", "label": "N"},
            note_summary=(
                "{{ template.title }}: focus on {{ labels[values.area] | lower }}"
                "{% if values.n %}, {{ values.n }} times{% endif %}.\n\n\n\n"
            ),
        )
    )
    assert summarize_instance(template, {"area": "grief", "n": 2}) == "Test template: focus on grief, 2 times."


def test_example_template_summary() -> None:
    catalog = load_catalog(TEMPLATES_DIR)
    record = catalog.get("cbt-thought-record-3")
    values = {"rows": [{"situation": "Bus", "thought": "Everyone stares", "intensity": 60}]}
    assert summarize_instance(record, values) == '1 situation(s) recorded; for example "Everyone stares".'


def test_every_catalog_template_summarizes_blank_and_lines_render() -> None:
    catalog = load_catalog(TEMPLATES_DIR)
    for template in catalog:
        assert isinstance(summarize_instance(template, {}), str), template.id
        assert all(isinstance(ln.text, str) for ln in instance_lines(template, {}))


def test_invalid_values_are_refused() -> None:
    with pytest.raises(InstanceError, match="belief: must be 0 to 100, got 101"):
        summarize_instance(WORKSHEET, {"belief": 101})


def test_labels_must_be_unambiguous_when_used() -> None:
    options = [{"id": "other", "label": "Other"}]
    with pytest.raises(ValueError, match=r"note_summary: uses 'labels' but option 'other' has"):
        parse_template(
            with_fields(
                {"id": "a", "type": "choice", "label": "A", "options": options},
                {"id": "b", "type": "choice", "label": "B", "options": [{"id": "other", "label": "Something else"}]},
                note_summary="{{ labels[values.a] }}",
            )
        )


def test_broken_note_summary_at_render_names_the_template() -> None:
    template = parse_template(base_template(note_summary="{{ values.a.missing }}"))
    with pytest.raises(RenderError, match=r"^cbt-test v1: note_summary: undefined value"):
        summarize_instance(template, {"a": "an answer"})
