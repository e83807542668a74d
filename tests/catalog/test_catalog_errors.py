"""Each kind of malformed template gets its own precise message: file, field path, problem."""

from __future__ import annotations

from typing import Any

import pytest
import yaml
from _catalog_helpers import base_template, with_fields

from trdplanner.catalog import TemplateError, load_template_text

TYPES = (
    "heading, paragraph, definitions, short_text, long_text, number, rating, date, time, yes_no, "
    "choice, checklist, table"
)
RATING = {"id": "r", "type": "rating", "label": "R", "min": 0, "max": 100}
TEXT = {"id": "t", "type": "short_text", "label": "T"}
WEEK_RATING = {"id": "u", "type": "rating", "label": "Urge", "abbr": "U", "min": 0, "max": 5}


def _without(key: str) -> dict[str, Any]:
    data = base_template()
    del data[key]
    return data


BROKEN: list[tuple[str, dict[str, Any], str]] = [
    ("bad id", base_template(id="CBT Test"), "id: must be lowercase letters, digits and hyphens"),
    ("id not of modality", base_template(id="dbt-test"), "id: must start with the modality ('cbt-')"),
    ("missing title", _without("title"), "title: required"),
    ("missing fields", _without("fields"), "fields: required"),
    ("version zero", base_template(version=0), "version: must be at least 1, got 0"),
    ("version as text", base_template(version="1"), "version: must be a whole number, got the text '1'"),
    (
        "unknown modality",
        base_template(modality="cbtx"),
        "modality: unknown modality 'cbtx' (expected one of cbt, cbasp, dbt, act, ipt, mbct, trauma, general)",
    ),
    (
        "unknown kind",
        base_template(kind="worksheet"),
        "kind: unknown kind 'worksheet' (expected one of exercise, homework, handout, structure, measure)",
    ),
    ("top-level typo", base_template(titel="x"), "titel: unknown key (did you mean 'title'?)"),
    (
        "field key typo",
        with_fields({"id": "a", "type": "short_text", "lable": "A"}),
        "fields[0].lable: unknown key (did you mean 'label'?)",
    ),
    (
        "unknown type",
        with_fields(TEXT, TEXT | {"id": "u"}, {"id": "b", "type": "txt", "label": "B"}),
        f"fields[2].type: unknown type 'txt' (expected one of {TYPES})",
    ),
    (
        "duplicate field id",
        with_fields(
            TEXT | {"id": "hot_thought"},
            TEXT | {"id": "x"},
            TEXT | {"id": "y"},
            TEXT | {"id": "z"},
            TEXT | {"id": "hot_thought"},
        ),
        "fields[4].id: duplicate id 'hot_thought' (also fields[0])",
    ),
    (
        "field id not snake_case",
        with_fields(TEXT | {"id": "Hot-Thought"}),
        "fields[0].id: must be snake_case: lowercase letters, digits and underscores, starting with a letter",
    ),
    ("input without label", with_fields({"id": "a", "type": "long_text"}), "fields[0].label: required"),
    (
        "number max not above min",
        with_fields({"id": "n", "type": "number", "label": "N", "min": 5, "max": 5}),
        "fields[0].max: must be greater than min (5)",
    ),
    (
        "column max not above min",
        with_fields(
            TEXT,
            TEXT | {"id": "u"},
            {"id": "x", "type": "heading", "label": "H"},
            {
                "id": "rows",
                "type": "table",
                "label": "Rows",
                "columns": [TEXT, {"id": "r", "type": "rating", "label": "R", "min": 0, "max": 0}],
            },
        ),
        "fields[3].columns[1].max: must be greater than min (0)",
    ),
    (
        "anchor outside range",
        with_fields(RATING | {"anchors": {0: "none", 150: "too much"}}),
        "fields[0].anchors.150: outside min..max (0 to 100)",
    ),
    (
        "step does not divide range",
        with_fields(RATING | {"max": 10, "step": 3}),
        "fields[0].step: 3 does not divide the range 0 to 10 evenly",
    ),
    (
        "anchor off the steps",
        with_fields(RATING | {"step": 5, "anchors": {37: "odd"}}),
        "fields[0].anchors.37: not on the scale's steps (0, 5, ... 100)",
    ),
    (
        "anchor label not text",
        with_fields(RATING | {"anchors": {0: True}}),
        "fields[0].anchors.0: must be text, got true (a yes/no value); put it in quotes",
    ),
    (
        "duplicate option id",
        with_fields(
            {
                "id": "c",
                "type": "choice",
                "label": "C",
                "options": [{"id": "x", "label": "X"}, {"id": "x", "label": "Y"}],
            }
        ),
        "fields[0].options[1].id: duplicate id 'x' (also fields[0].options[0])",
    ),
    (
        "choice without options",
        with_fields({"id": "c", "type": "checklist", "label": "C", "options": []}),
        "fields[0].options: needs at least one option",
    ),
    (
        "table without columns",
        with_fields({"id": "t", "type": "table", "label": "T", "columns": []}),
        "fields[0].columns: a table needs at least one column",
    ),
    (
        "nested table",
        with_fields(
            {
                "id": "t",
                "type": "table",
                "label": "T",
                "columns": [{"id": "u", "type": "table", "label": "U", "columns": [TEXT]}],
            }
        ),
        "fields[0].columns[0].type: tables cannot be nested (a column cannot be a table)",
    ),
    (
        "key of another type",
        with_fields(TEXT | {"options": [{"id": "x", "label": "X"}]}),
        "fields[0].options: not allowed for type 'short_text'",
    ),
    (
        "prefill on a column",
        with_fields(
            {
                "id": "t",
                "type": "table",
                "label": "T",
                "columns": [TEXT | {"prefill": {"source": "session", "key": "date"}}],
            }
        ),
        "fields[0].columns[0].prefill: not allowed on a table column",
    ),
    (
        "fixed rows with min_rows",
        with_fields(
            {"id": "t", "type": "table", "label": "T", "columns": [TEXT], "fixed_rows": ["Mon"], "min_rows": 1}
        ),
        "fields[0].min_rows: not allowed with fixed_rows (the row count is fixed)",
    ),
    (
        "print lines on a table",
        with_fields({"id": "t", "type": "table", "label": "T", "columns": [TEXT], "print": {"lines": 3}}),
        "fields[0].print.lines: only for text fields (use height_mm for a free box)",
    ),
    (
        "agenda outside structure",
        base_template(agenda=[{"title": "Check-in", "minutes": 5}]),
        "agenda: only allowed when kind is 'structure'",
    ),
    (
        "structure without agenda",
        base_template(id="cbt-structure", kind="structure", fields=[]),
        "agenda: required when kind is 'structure'",
    ),
    (
        "measure without instrument",
        base_template(kind="measure"),
        "instrument: required when kind is 'measure'",
    ),
    (
        "instrument outside measure",
        base_template(instrument="phq9"),
        "instrument: only allowed when kind is 'measure'",
    ),
    (
        "unknown instrument",
        base_template(kind="measure", instrument="bdi2"),
        "instrument: unknown instrument 'bdi2' (expected one of phq9, gad7, qids_sr16)",
    ),
    (
        "exercise without fields",
        base_template(fields=[]),
        "fields: needs at least one field (only a structure template may have none)",
    ),
    (
        "note_summary syntax error",
        base_template(note_summary="Recorded:\n{{ values.a }\n"),
        "note_summary: template error on line 2: unexpected '}'",
    ),
    (
        "note_summary unknown filter",
        base_template(note_summary="{{ values.a | lenght }}"),
        "note_summary: template error on line 1: No filter named 'lenght'.",
    ),
    (
        "note_summary unknown field",
        base_template(note_summary="{{ values.b }}"),
        "note_summary: 'values' has no 'b' (expected one of a)",
    ),
    (
        "note_summary unknown name",
        base_template(note_summary="{{ value.a }}"),
        "note_summary: unknown name 'value' (expected one of answered, labels, state, template, values)",
    ),
    (
        "text binding syntax error",
        with_fields(TEXT | {"prefill": {"source": "text", "text": "Hi {% if %}"}}),
        "fields[0].prefill.text: template error on line 1: Expected an expression, got 'end of statement block'",
    ),
    (
        "text binding unknown name",
        with_fields(TEXT | {"prefill": {"source": "text", "text": "{{ patinet.print_name }}"}}),
        "fields[0].prefill.text: unknown name 'patinet' (expected one of clinician, patient, "
        "practice, previous, session)",
    ),
    (
        "text binding unknown key",
        with_fields(TEXT | {"prefill": {"source": "text", "text": "{{ patient.nmae }}"}}),
        "fields[0].prefill.text: 'patient' has no 'nmae' (expected one of display_name, "
        "preferred_name, print_code, print_name, pronouns)",
    ),
    (
        "binding key unknown",
        with_fields(TEXT | {"prefill": {"source": "patient", "key": "name"}}),
        "fields[0].prefill.key: unknown patient key 'name' (expected one of print_name, "
        "display_name, preferred_name, print_code, pronouns)",
    ),
    (
        "binding into the wrong type",
        with_fields(RATING | {"prefill": {"source": "session", "key": "date"}}),
        "fields[0].prefill: a session date can only fill a date or long_text or short_text field, not rating",
    ),
    (
        "yes/no where text belongs",
        with_fields({"id": "a", "type": "short_text", "label": True}),
        "fields[0].label: must be text, got true (a yes/no value); put it in quotes",
    ),
    (
        "bad filled_by",
        with_fields(TEXT | {"filled_by": "therapist"}),
        "fields[0].filled_by: unknown filled_by 'therapist' (expected one of session, client)",
    ),
    (
        "field not a mapping",
        with_fields("short_text"),  # type: ignore[arg-type]
        "fields[0]: must be a mapping of keys to values, got the text 'short_text'",
    ),
    (
        "tag not lowercase",
        base_template(tags=["CBT"]),
        "tags[0]: must be lowercase",
    ),
    (
        "unknown print layout",
        base_template(print_layout="diary"),
        "print_layout: unknown print_layout 'diary' (expected one of sheet, diary-week)",
    ),
    (
        "diary-week without a week table",
        base_template(print_layout="diary-week"),
        "print_layout: 'diary-week' needs at least one table with fixed_rows (the days)",
    ),
    (
        "diary-week column without a short header",
        with_fields(
            {"id": "w", "type": "table", "label": "W", "fixed_rows": ["Mon", "Tue"], "columns": [WEEK_RATING, RATING]},
            print_layout="diary-week",
        ),
        "fields[0].columns[1].abbr: required with print_layout 'diary-week' (at most 8 characters)",
    ),
    (
        "diary-week tables on different days",
        with_fields(
            {"id": "w", "type": "table", "label": "W", "fixed_rows": ["Mon", "Tue"], "columns": [WEEK_RATING]},
            {"id": "v", "type": "table", "label": "V", "fixed_rows": ["Mon"], "columns": [WEEK_RATING]},
            print_layout="diary-week",
        ),
        "fields[1].fixed_rows: must be the same days as the first week table (Mon, Tue)",
    ),
    (
        "diary-week long text column",
        with_fields(
            {
                "id": "w",
                "type": "table",
                "label": "W",
                "fixed_rows": ["Mon"],
                "columns": [{"id": "n", "type": "long_text", "label": "Notes", "abbr": "N"}],
            },
            print_layout="diary-week",
        ),
        "fields[0].columns[0].type: a 'long_text' column does not fit a cell of the 'diary-week' grid",
    ),
    (
        "column header too long",
        with_fields(
            {"id": "w", "type": "table", "label": "W", "columns": [RATING | {"abbr": "Much too long"}]},
        ),
        "fields[0].columns[0].abbr: too long (13 characters; at most 8)",
    ),
    (
        "too many fields",
        with_fields(*({"id": f"f{i}", "type": "yes_no", "label": "Q"} for i in range(501))),
        "fields: too many entries (501; at most 500)",
    ),
]


@pytest.mark.parametrize(("data", "expected"), [(d, e) for _, d, e in BROKEN], ids=[n for n, _, _ in BROKEN])
def test_broken_template_gets_precise_error(data: dict[str, Any], expected: str) -> None:
    text = yaml.safe_dump(data, sort_keys=False, allow_unicode=True)
    with pytest.raises(TemplateError) as info:
        load_template_text(text, "templates/cbt/broken.yaml")
    assert str(info.value) == f"templates/cbt/broken.yaml: {expected}"
    assert info.value.file == "templates/cbt/broken.yaml"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("id: a\nid: b\n", "YAML error at line 2, column 1: duplicate key 'id'"),
        ("id: [1\n", "YAML error at line 2, column 1: expected ',' or ']', but got '<stream end>'"),
        ("- just\n- a list\n", "the file must hold a mapping of keys to values, got a list"),
        ("", "the file must hold a mapping of keys to values, got nothing (an empty value)"),
    ],
)
def test_yaml_level_errors(text: str, expected: str) -> None:
    with pytest.raises(TemplateError) as info:
        load_template_text(text, "f.yaml")
    assert str(info.value) == f"f.yaml: {expected}"


def test_alias_bomb_is_refused_quickly() -> None:
    lines = ['a0: &a0 ["x", "x", "x", "x", "x", "x", "x", "x", "x", "x"]']
    lines += [f"a{i}: &a{i} [{', '.join([f'*a{i - 1}'] * 10)}]" for i in range(1, 9)]
    with pytest.raises(TemplateError, match="too large once YAML aliases are expanded"):
        load_template_text("\n".join(lines), "bomb.yaml")


def test_deep_nesting_is_refused() -> None:
    with pytest.raises(TemplateError, match="nested"):
        load_template_text("x: " + "[" * 5000 + "]" * 5000, "deep.yaml")
