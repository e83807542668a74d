"""Starting values from bindings: context, previous instances, sandboxed text."""

from __future__ import annotations

import datetime as dt

import pytest
from _catalog_helpers import base_template, follow_up, thought_record_7

from trdplanner.catalog import (
    FilledInstance,
    PrefillContext,
    RenderError,
    parse_template,
    prefill,
    validate_instance,
)

RECORD = parse_template(thought_record_7())
FOLLOW_UP = parse_template(follow_up())


def _context(**overrides: object) -> PrefillContext:
    last_week = FilledInstance.create(
        RECORD,
        {
            "situation": "Friend cancelled lunch",
            "hot_thought": "Nobody wants me around",
            "moods": [{"mood": "sad", "intensity": 80}, {"mood": "lonely", "intensity": 65}],
            "balanced_thought": "She cancelled because her child was ill",
            "rerating": 40,
        },
    )
    older = FilledInstance.create(RECORD, {"situation": "Old", "hot_thought": "Old thought"})
    fields: dict[str, object] = {
        "patient": {"print_name": "EX-0001", "preferred_name": "Sam"},
        "clinician": {"name": "Example Clinician"},
        "session": {"date": dt.date(2031, 3, 11), "number": 8},
        "previous": {"cbt-record-seven": [last_week, older]},
    }
    fields.update(overrides)
    return PrefillContext(**fields)  # type: ignore[arg-type]


def test_prefill_carries_hot_thought_and_rerating_forward() -> None:
    values = prefill(FOLLOW_UP, _context())
    assert values == {
        "client": "EX-0001",
        "date": "2031-03-11",
        "last_hot_thought": "Nobody wants me around",
        "last_rerating": 40,
        "moods": [{"mood": "sad", "intensity": 80}, {"mood": "lonely", "intensity": 65}],
        "reminder": 'Sam, last time you believed "She cancelled because her child was ill".',
    }
    # The starting values are a valid (partial) instance of the template.
    assert validate_instance(FOLLOW_UP, values, partial=True)["last_rerating"] == 40


def test_previous_accepts_stored_dicts_and_plain_values() -> None:
    ctx = _context()
    latest = ctx.previous["cbt-record-seven"][0]
    assert isinstance(latest, FilledInstance)
    for entry in (latest.to_dict(), dict(latest.values)):
        values = prefill(FOLLOW_UP, _context(previous={"cbt-record-seven": [entry]}))
        assert values["last_hot_thought"] == "Nobody wants me around"


def test_first_session_leaves_previous_bindings_blank() -> None:
    values = prefill(FOLLOW_UP, _context(previous={}))
    assert values == {"client": "EX-0001", "date": "2031-03-11"}


def test_values_that_do_not_fit_are_left_blank() -> None:
    template = parse_template(
        base_template(
            id="cbt-narrow",
            fields=[
                {
                    "id": "code",
                    "type": "short_text",
                    "label": "Code",
                    "max_length": 3,
                    "prefill": {"source": "patient", "key": "print_code"},
                },
                {
                    "id": "n",
                    "type": "number",
                    "label": "Session",
                    "max": 5,
                    "prefill": {"source": "session", "key": "number"},
                },
                {
                    "id": "n_text",
                    "type": "short_text",
                    "label": "Session",
                    "prefill": {"source": "session", "key": "number"},
                },
            ],
        )
    )
    ctx = PrefillContext(patient={"print_code": "EX-0001"}, session={"number": 8})
    assert prefill(template, ctx) == {"n_text": "8"}


def test_user_values_are_data_not_templates() -> None:
    sneaky = FilledInstance.create(
        RECORD, {"situation": "x", "hot_thought": "{{ 7*7 }}", "balanced_thought": "{% raw %}{{ x }}"}
    )
    values = prefill(FOLLOW_UP, _context(previous={"cbt-record-seven": [sneaky]}))
    assert values["last_hot_thought"] == "{{ 7*7 }}"
    assert values["reminder"] == 'Sam, last time you believed "{% raw %}{{ x }}".'
    patient = {"print_name": "{{ 7*7 }}", "preferred_name": "{{ 7*7 }}"}
    values = prefill(FOLLOW_UP, _context(patient=patient))
    assert values["client"] == "{{ 7*7 }}"
    assert values["reminder"].startswith("{{ 7*7 }}, last time")


def test_undefined_context_key_at_render_names_template_and_field() -> None:
    with pytest.raises(RenderError) as info:
        prefill(FOLLOW_UP, _context(patient={"print_name": "EX-0001"}))
    assert str(info.value).startswith("cbt-record-follow-up v1: reminder.prefill.text: undefined value:")
    assert "preferred_name" in str(info.value)


def test_sandbox_blocks_unsafe_and_runaway_templates() -> None:
    for text, problem in [
        ("{{ patient.__class__ }}", "'patient' has no '__class__'"),
    ]:
        with pytest.raises(ValueError, match=problem):
            parse_template(
                base_template(
                    fields=[{"id": "a", "type": "long_text", "label": "A", "prefill": {"source": "text", "text": text}}]
                )
            )
    runaway = parse_template(
        base_template(
            fields=[
                {
                    "id": "a",
                    "type": "long_text",
                    "label": "A",
                    "prefill": {"source": "text", "text": "{{ 'x' * 10**9 }}"},
                }
            ]
        )
    )
    with pytest.raises(RenderError, match="not allowed in a template"):
        prefill(runaway, PrefillContext())
    mutating = parse_template(
        base_template(
            fields=[
                {
                    "id": "a",
                    "type": "long_text",
                    "label": "A",
                    "prefill": {"source": "text", "text": "{{ previous.clear() }}"},
                }
            ]
        )
    )
    with pytest.raises(RenderError, match="not allowed in a template"):
        prefill(mutating, PrefillContext())
