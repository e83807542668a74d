"""Filled values: precise per-field problems, normalization, storage and old versions."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

import pytest
from _catalog_helpers import base_template, thought_record_7, with_fields

from trdplanner.catalog import (
    FilledInstance,
    InstanceError,
    blank_values,
    instance_lines,
    parse_template,
    summarize_instance,
    template_from_dict,
    template_to_dict,
    validate_instance,
)

RECORD = parse_template(
    base_template(
        id="cbt-thought-record-7",
        kind="homework",
        fields=[
            {"id": "situation", "type": "long_text", "label": "Situation", "required": True},
            {
                "id": "rows",
                "type": "table",
                "label": "Moods",
                "max_rows": 4,
                "columns": [
                    {"id": "mood", "type": "short_text", "label": "Mood", "required": True},
                    {"id": "intensity", "type": "rating", "label": "Intensity", "min": 0, "max": 100, "step": 5},
                ],
            },
            {"id": "sessions", "type": "number", "label": "Sessions", "min": 0, "max": 30},
            {"id": "weight", "type": "number", "label": "Weight", "integer": False},
            {"id": "when", "type": "date", "label": "When"},
            {"id": "at", "type": "time", "label": "At"},
            {"id": "shared", "type": "yes_no", "label": "Shared"},
            {
                "id": "area",
                "type": "choice",
                "label": "Area",
                "options": [{"id": "grief", "label": "Grief"}, {"id": "dispute", "label": "Role dispute"}],
            },
            {
                "id": "skills",
                "type": "checklist",
                "label": "Skills",
                "options": [
                    {"id": "stop", "label": "STOP"},
                    {"id": "tip", "label": "TIP"},
                    {"id": "accepts", "label": "ACCEPTS"},
                ],
            },
            {"id": "code", "type": "short_text", "label": "Code", "max_length": 5},
        ],
    )
)


def _rows(*intensities: Any) -> list[dict[str, Any]]:
    return [{"mood": "sad", "intensity": i} for i in intensities]


@pytest.mark.parametrize(
    ("values", "expected"),
    [
        ({"rows": _rows(50, 40, 37)}, "rows[2].intensity: must be 0 to 100 in steps of 5, got 37"),
        ({"situation": "  "}, "situation: required"),
        ({}, "situation: required"),
        ({"unknown_field": 1}, "unknown_field: not a field of cbt-thought-record-7 v1"),
        ({"rows": [{"mood": "sad", "colour": "blue"}]}, "rows[0].colour: not a column of rows"),
        ({"rows": [{"intensity": 50}]}, "rows[0].mood: required"),
        ({"rows": _rows(1, 2, 3, 4, 5)}, "rows: has 5 rows; the table has 4 rows at most"),
        ({"rows": "sad"}, "rows: must be a list of rows, got the text 'sad'"),
        ({"sessions": 31}, "sessions: must be 0 to 30, got 31"),
        ({"sessions": 2.5}, "sessions: must be a whole number, got 2.5"),
        ({"sessions": "many"}, "sessions: must be a number, got the text 'many'"),
        ({"sessions": True}, "sessions: must be a number, got true (a yes/no value)"),
        ({"weight": float("nan")}, "weight: must be a finite number"),
        ({"when": "2024-02-30"}, "when: is not a real date: 2024-02-30"),
        ({"when": "04/03/2024"}, "when: must be a date as YYYY-MM-DD, got the text '04/03/2024'"),
        ({"at": "24:00"}, "at: must be a time as HH:MM (00:00 to 23:59), got the text '24:00'"),
        ({"shared": "yes"}, "shared: must be true or false, got the text 'yes'"),
        ({"area": "grif"}, "area: the text 'grif' is not an option (expected one of grief, dispute)"),
        ({"skills": ["stop", "stop"]}, "skills: lists 'stop' twice"),
        ({"skills": "stop"}, "skills: must be a list of option ids, got the text 'stop'"),
        ({"code": "toolong"}, "code: too long (7 characters; at most 5)"),
        ({"code": "a\nb"}, "code: must be a single line"),
        ({"situation": "bell\x07"}, "situation: contains a character that cannot be stored (U+0007)"),
    ],
)
def test_invalid_values_name_the_field(values: dict[str, Any], expected: str) -> None:
    values = {"situation": "At work"} | values if "situation" not in values and values != {} else values
    with pytest.raises(InstanceError) as info:
        validate_instance(RECORD, values)
    assert str(info.value).splitlines()[0] == expected
    assert info.value.path == expected.split(":")[0]


def test_every_problem_is_reported_at_once() -> None:
    with pytest.raises(InstanceError) as info:
        validate_instance(RECORD, {"sessions": -1, "rows": _rows(3), "bogus": 1})
    assert [p.path for p in info.value.problems] == ["bogus", "situation", "rows[0].intensity", "sessions"]


def test_values_are_normalized() -> None:
    cleaned = validate_instance(
        RECORD,
        {
            "situation": "Line one\r\nline two",
            "rows": [{"mood": "sad", "intensity": "55"}, {}, {"mood": None, "intensity": None}],
            "sessions": 3.0,
            "weight": "70.5",
            "when": dt.date(2031, 3, 4),
            "at": "9:05",
            "skills": ["tip", "stop"],
            "code": "",
        },
    )
    assert cleaned == {
        "situation": "Line one\nline two",
        "rows": [{"mood": "sad", "intensity": 55}],
        "sessions": 3,
        "weight": 70.5,
        "when": "2031-03-04",
        "at": "09:05",
        "shared": None,
        "area": None,
        "skills": ["stop", "tip"],
        "code": None,
    }
    assert validate_instance(RECORD, json.loads(json.dumps(cleaned))) == cleaned


def test_partial_skips_completeness_but_not_shape() -> None:
    assert validate_instance(RECORD, {}, partial=True) == blank_values(RECORD)
    with pytest.raises(InstanceError, match="sessions: must be 0 to 30"):
        validate_instance(RECORD, {"sessions": 99}, partial=True)


def test_fixed_rows_are_padded_and_bounded() -> None:
    diary = parse_template(
        with_fields(
            {
                "id": "days",
                "type": "table",
                "label": "Days",
                "fixed_rows": ["Mon", "Tue", "Wed"],
                "columns": [{"id": "urge", "type": "rating", "label": "Urge", "min": 0, "max": 5}],
            }
        )
    )
    assert validate_instance(diary, {"days": [{"urge": 3}]}) == {"days": [{"urge": 3}, {"urge": None}, {"urge": None}]}
    with pytest.raises(InstanceError, match=r"days: has 4 rows; the table has 3 fixed rows"):
        validate_instance(diary, {"days": [{}] * 4})


def test_min_rows_counts_filled_rows() -> None:
    template = parse_template(
        with_fields(
            {
                "id": "t",
                "type": "table",
                "label": "T",
                "min_rows": 2,
                "columns": [{"id": "x", "type": "short_text", "label": "X"}],
            }
        )
    )
    with pytest.raises(InstanceError, match="t: needs at least 2 rows, got 1"):
        validate_instance(template, {"t": [{"x": "one"}, {"x": ""}]})


def test_filled_instance_round_trips_through_json() -> None:
    instance = FilledInstance.create(RECORD, {"situation": "At work", "rows": _rows(50)})
    stored = json.loads(json.dumps(instance.to_dict()))
    back = FilledInstance.from_dict(stored)
    assert back == instance
    assert back.check(RECORD) == instance


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        ({"template_id": "", "template_version": 1, "values": {}}, "template_id: must be a template id"),
        ({"template_id": "x", "template_version": 0, "values": {}}, "template_version: must be a whole"),
        ({"template_id": "x", "template_version": 1, "values": []}, "values: must be a mapping"),
        ({"template_id": "x", "template_version": 1, "values": {}, "v": 2}, "v: unknown key"),
    ],
)
def test_filled_instance_from_dict_checks_shape(data: dict[str, Any], expected: str) -> None:
    with pytest.raises(InstanceError, match=expected):
        FilledInstance.from_dict(data)


def test_instance_of_version_1_stays_valid_and_renderable_after_version_2() -> None:
    v1 = parse_template(thought_record_7())
    snapshot = json.loads(json.dumps(template_to_dict(v1)))  # stored beside the instance
    instance = FilledInstance.create(v1, {"situation": "Meeting", "hot_thought": "I'm useless"})

    v2_data = thought_record_7()
    v2_data["version"] = 2
    v2_data["fields"] = [f for f in v2_data["fields"] if f["id"] != "hot_thought"]
    v2 = parse_template(v2_data)

    with pytest.raises(InstanceError, match="filled against cbt-record-seven v1, not cbt-record-seven v2"):
        instance.check(v2)
    with pytest.raises(InstanceError, match="hot_thought: not a field of cbt-record-seven v2"):
        validate_instance(v2, instance.values)

    original = template_from_dict(snapshot)
    assert original == v1
    assert instance.check(original) == instance
    assert "Hot thought: I'm useless" in summarize_instance(original, instance.values)
    assert ("Hot thought", "I'm useless") in [(ln.label, ln.text) for ln in instance_lines(original, instance.values)]


def test_snapshots_are_validated_like_files() -> None:
    data = template_to_dict(RECORD)
    data["fields"][0]["lable"] = "x"
    with pytest.raises(ValueError, match=r"^<snapshot>: fields\[0\]\.lable: unknown key"):
        template_from_dict(data)
