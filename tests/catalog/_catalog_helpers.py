"""Shared builders for the catalog tests: small valid templates as plain data."""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

import yaml

REPO = Path(__file__).resolve().parents[2]
TEMPLATES_DIR = REPO / "templates"
NOTES_DIR = TEMPLATES_DIR / "notes"


def base_template(**overrides: Any) -> dict[str, Any]:
    """A minimal valid exercise template; keyword arguments replace top-level keys."""
    data: dict[str, Any] = {
        "id": "cbt-test",
        "version": 1,
        "modality": "cbt",
        "kind": "exercise",
        "title": "Test template",
        "purpose": "Exercising the validator.",
        "instructions": "Fill this in.",
        "minutes": 5,
        "fields": [{"id": "a", "type": "short_text", "label": "A"}],
    }
    data.update(copy.deepcopy(overrides))
    return data


def with_fields(*fields: dict[str, Any], **overrides: Any) -> dict[str, Any]:
    return base_template(fields=list(fields), **overrides)


def thought_record_7() -> dict[str, Any]:
    """A seven-column-style record with a hot thought and re-rating, for prefill tests."""
    return base_template(
        id="cbt-record-seven",
        kind="homework",
        title="Seven-column record (test)",
        fields=[
            {"id": "situation", "type": "long_text", "label": "Situation", "required": True},
            {"id": "hot_thought", "type": "short_text", "label": "Hot thought", "max_length": 200},
            {
                "id": "moods",
                "type": "table",
                "label": "Moods",
                "columns": [
                    {"id": "mood", "type": "short_text", "label": "Mood"},
                    {
                        "id": "intensity",
                        "type": "rating",
                        "label": "Intensity",
                        "min": 0,
                        "max": 100,
                        "step": 5,
                        "anchors": {0: "none", 100: "strongest"},
                    },
                ],
            },
            {"id": "balanced_thought", "type": "long_text", "label": "Balanced thought"},
            {"id": "rerating", "type": "rating", "label": "Belief now", "min": 0, "max": 100, "step": 5},
        ],
    )


def follow_up() -> dict[str, Any]:
    """A template that carries the hot thought and re-rating forward from the record above."""
    return base_template(
        id="cbt-record-follow-up",
        title="Follow-up on last week's record",
        fields=[
            {
                "id": "client",
                "type": "short_text",
                "label": "Client",
                "prefill": {"source": "patient", "key": "print_name"},
            },
            {"id": "date", "type": "date", "label": "Date", "prefill": {"source": "session", "key": "date"}},
            {
                "id": "last_hot_thought",
                "type": "long_text",
                "label": "Last week's hot thought",
                "prefill": {"source": "previous", "template": "cbt-record-seven", "field": "hot_thought"},
            },
            {
                "id": "last_rerating",
                "type": "rating",
                "label": "Belief last week",
                "min": 0,
                "max": 100,
                "step": 5,
                "prefill": {"source": "previous", "template": "cbt-record-seven", "field": "rerating"},
            },
            {
                "id": "moods",
                "type": "table",
                "label": "Moods again",
                "columns": [
                    {"id": "mood", "type": "short_text", "label": "Mood"},
                    {"id": "intensity", "type": "rating", "label": "Now", "min": 0, "max": 100, "step": 5},
                ],
                "prefill": {"source": "previous", "template": "cbt-record-seven", "field": "moods"},
            },
            {
                "id": "reminder",
                "type": "long_text",
                "label": "Reminder",
                "prefill": {
                    "source": "text",
                    "text": "{{ patient.preferred_name }}, last time you believed "
                    "\"{{ previous['cbt-record-seven'].balanced_thought }}\".",
                },
            },
        ],
    )


def write_yaml(path: Path, data: Any) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(yaml.safe_dump(data, sort_keys=False, allow_unicode=True), encoding="utf-8")
    return path
