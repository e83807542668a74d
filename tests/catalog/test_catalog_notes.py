"""Progress-note formats: loading, precise errors, rendering, and the item-9 guarantee."""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

import pytest
import yaml
from _catalog_helpers import NOTES_DIR, write_yaml

from trdplanner.catalog import (
    RenderError,
    TemplateError,
    example_note_context,
    load_note_formats,
    measure_line,
    parse_note_format,
    render_note,
    risk_line,
)
from trdplanner.catalog.notes import ITEM9_POSITIVE_MARK

SECTIONS = {
    "soap": ["subjective", "objective", "assessment", "plan"],
    "dap": ["data", "assessment", "plan"],
    "birp": ["behaviour", "intervention", "response", "plan"],
    "girp": ["goal", "intervention", "response", "plan"],
    "pirp": ["problem", "intervention", "response", "plan"],
}
FORMATS = load_note_formats(NOTES_DIR)


def _minimal(**overrides: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "id": "mini",
        "title": "Mini",
        "description": "A test format.",
        "sections": [
            {"id": "all", "title": "All", "prompt": "Everything.", "template": "{{ risk_line }}", "risk": True}
        ],
    }
    data.update(overrides)
    return data


def test_standard_formats_have_the_reference_sections() -> None:
    assert FORMATS.broken == ()
    for format_id, sections in SECTIONS.items():
        fmt = FORMATS.get(format_id)
        assert [s.id for s in fmt.sections] == sections
        assert all(s.prompt.strip() for s in fmt.sections)
        assert sum(s.risk for s in fmt.sections) == 1


@pytest.mark.parametrize("format_id", list(SECTIONS))
def test_format_renders_the_trd_content(format_id: str) -> None:
    ctx = example_note_context()
    rendered = render_note(FORMATS.get(format_id), ctx)
    assert [sid for sid, _, _ in rendered] == SECTIONS[format_id]
    note = "\n".join(text for _, _, text in rendered)
    assert "Session 7, 2031-03-04" in note
    assert "CBT" in note
    for item in ctx["interventions"]:
        assert item in note
    assert "PHQ-9 12/27 (moderate)" in note and "change -7 (-37%)" in note
    assert "response: no; remission: no; reliable improvement" in note
    assert "GAD-7 6/21" in note
    assert "Medication and adherence" in note
    for hw in ctx["homework_reviewed"] + ctx["homework_assigned"]:
        assert hw["title"] in note
    for objective in ctx["objectives"]:
        assert objective["text"] in note
    assert ctx["templates_completed"][0]["summary"] in note
    risk_section = next(text for sid, _, text in rendered if FORMATS.get(format_id).section(sid).risk)  # type: ignore[union-attr]
    assert ITEM9_POSITIVE_MARK in risk_section
    assert "Safety plan marked as reviewed this session." in risk_section
    assert "Risk summary on file, last updated 2031-02-11 (not an assessment made this session)" in risk_section
    assert "flags:" not in note and "_" not in "".join(m["flags"][0] for m in ctx["measures"][:1])
    # With a review required, the structured review section stands in for the free-text prompt.
    assert ("Ideation, intent, plan, access to means, protective factors" in risk_section) == (
        not ctx["risk"]["review_required"]
    )


@pytest.mark.parametrize("format_id", list(SECTIONS))
def test_empty_session_renders(format_id: str) -> None:
    ctx = example_note_context()
    for key in (
        "measures",
        "interventions",
        "templates_completed",
        "homework_reviewed",
        "homework_due",
        "forms_unfilled",
        "homework_assigned",
        "objectives",
    ):
        ctx[key] = []
    ctx["risk"] = {
        "item9_positive": False,
        "item9_score": 0,
        "safety_plan_reviewed": False,
        "summary": "",
        "summary_updated": "",
        "findings": [],
        "open_alerts": [],
        "review_required": False,
    }
    note = "\n".join(text for _, _, text in render_note(FORMATS.get(format_id), ctx))
    assert (
        "Risk: PHQ-9 item 9 (thoughts of death or self-harm) answered 'not at all' this session. "
        "Safety plan not marked as reviewed this session." in note
    )
    assert "No homework was due." in note
    assert ITEM9_POSITIVE_MARK not in note
    assert "treatment-plan goal" in note


def test_positive_item9_is_never_omitted_even_if_the_format_forgets() -> None:
    forgetful = parse_note_format(
        _minimal(sections=[{"id": "a", "title": "A", "prompt": "P", "template": "Nothing here.", "risk": True}])
    )
    ctx = example_note_context()
    [(_, _, text)] = render_note(forgetful, ctx)
    assert text.startswith("RISK: PHQ-9 item 9 (thoughts of death or self-harm) answered 'some days' (1 of 3)")
    # A score above 0 counts even if the flag says otherwise.
    ctx["risk"] = {"item9_positive": False, "item9_score": 2, "safety_plan_reviewed": False, "summary": None}
    [(_, _, text)] = render_note(forgetful, ctx)
    assert ITEM9_POSITIVE_MARK in text and "Safety plan not marked as reviewed" in text
    assert text.startswith("RISK: PHQ-9 item 9 (thoughts of death or self-harm) scored 2 of 3 this session.")


@pytest.mark.parametrize(
    ("risk", "expected"),
    [
        (
            {"item9_positive": None, "item9_score": None, "safety_plan_reviewed": False},
            "Risk: PHQ-9 item 9 not recorded this session; ask directly about thoughts of death or "
            "self-harm. Safety plan not marked as reviewed this session.",
        ),
        (
            {"item9_positive": True, "item9_score": 3, "safety_plan_reviewed": False, "summary": "Active ideation."},
            "RISK: PHQ-9 item 9 (thoughts of death or self-harm) scored 3 of 3 this session. A structured "
            "risk review is required before this note is signed. Safety plan not marked as reviewed this "
            "session. Risk summary on file, date of last update not recorded (not an assessment made this "
            "session): Active ideation.",
        ),
        (
            {
                "item9_score": None,
                "safety_plan_reviewed": True,
                "open_alerts": ["open alert: QIDS-SR16 item 12 (thoughts of death or suicide) scored 1 of 3"],
                "summary": "Passive thoughts.",
                "summary_updated": "2031-01-02",
            },
            "RISK: Open alert: QIDS-SR16 item 12 (thoughts of death or suicide) scored 1 of 3. A structured "
            "risk review is required before this note is signed. Safety plan marked as reviewed this session. "
            "Risk summary on file, last updated 2031-01-02 (not an assessment made this session): Passive thoughts.",
        ),
    ],
)
def test_risk_line(risk: dict[str, Any], expected: str) -> None:
    assert risk_line(risk) == expected


def test_measure_line_states_change_and_status() -> None:
    m = copy.deepcopy(example_note_context()["measures"][0])
    m.update(remission=True, response=True, reliable_improvement=False, reliable_deterioration=True, flags=[])
    assert measure_line(m) == (
        "PHQ-9 12/27 (moderate) on 2031-03-04; baseline 19 on 2031-01-14, change -7 (-37%); "
        "response: yes; remission: yes; RELIABLE DETERIORATION"
    )


def test_missing_context_key_names_format_and_section() -> None:
    ctx = example_note_context()
    del ctx["session"]["number"]
    with pytest.raises(RenderError, match=r"^note soap: subjective: undefined value"):
        render_note(FORMATS.get("soap"), ctx)


def test_user_text_in_context_stays_literal() -> None:
    ctx = example_note_context()
    ctx["templates_completed"][0]["summary"] = "{{ 7*7 }} <b>bold</b> {% if %}"
    note = "\n".join(t for _, _, t in render_note(FORMATS.get("soap"), ctx))
    assert "{{ 7*7 }} <b>bold</b> {% if %}" in note and "49" not in note


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        (_minimal(sections=[]), "sections: a note needs at least one section"),
        (_minimal(titel="x"), "titel: unknown key (did you mean 'title'?)"),
        (
            _minimal(sections=[{"id": "a", "title": "A", "prompt": "P", "template": "x"}]),
            "sections: exactly one section needs 'risk: true' (where the risk assessment goes), found 0",
        ),
        (
            _minimal(
                sections=[{"id": "a", "title": "A", "prompt": "P", "risk": True, "template": "{{ sesion.date }}"}]
            ),
            "sections[0].template: unknown name 'sesion' (expected one of clinician, "
            "forms_unfilled, homework_assigned, homework_due, homework_reviewed, interventions, measures, "
            "medications, objectives, patient, present, risk, risk_line, session, templates_completed)",
        ),
        (
            _minimal(
                sections=[
                    {
                        "id": "a",
                        "title": "A",
                        "prompt": "P",
                        "risk": True,
                        "template": "{% for m in measures %}{{ m.totl }}{% endfor %}",
                    }
                ]
            ),
            "sections[0].template: items of 'measures' have no 'totl' (expected one of "
            "baseline_date, baseline_total, change, date, flags, instrument, max_total, name, "
            "percent_change, reliable_deterioration, reliable_improvement, remission, response, "
            "severity, total)",
        ),
        (
            _minimal(
                sections=[{"id": "a", "title": "A", "prompt": "P", "risk": True, "template": "{{ risk.item_9 }}"}]
            ),
            "sections[0].template: 'risk' has no 'item_9' (expected one of findings, item9_positive, "
            "item9_score, open_alerts, review_required, safety_plan_reviewed, standing, summary, summary_updated)",
        ),
        (
            _minimal(
                sections=[{"id": "a", "title": "A", "prompt": "P", "risk": True, "template": "{% for x in measures %}"}]
            ),
            "sections[0].template: template error on line 1: Unexpected end of template. Jinja "
            "was looking for the following tags: 'endfor' or 'else'. The innermost block that "
            "needs to be closed is 'for'.",
        ),
    ],
)
def test_broken_note_format_errors(data: dict[str, Any], expected: str) -> None:
    with pytest.raises(TemplateError) as info:
        parse_note_format(data, "notes/mini.yaml")
    assert str(info.value) == f"notes/mini.yaml: {expected}"


def test_broken_note_file_is_listed_not_fatal(tmp_path: Path) -> None:
    notes = tmp_path / "notes"
    write_yaml(notes / "mini.yaml", _minimal())
    write_yaml(notes / "other.yaml", _minimal())
    (notes / "bad.yaml").write_text(yaml.safe_dump(_minimal(id="bad", sections=[])))
    loaded = load_note_formats(notes)
    assert [f.id for f in loaded.formats] == ["mini"]
    assert sorted(b.message for b in loaded.broken) == [
        "notes/bad.yaml: sections: a note needs at least one section",
        "notes/other.yaml: id: 'mini' does not match the file name 'other.yaml'",
    ]
