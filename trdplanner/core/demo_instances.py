"""Filled worksheets for the demo sessions, so prefill and notes have earlier work to draw on.

All content is invented. Values are validated against the shipped templates, and the
definition is snapshotted with each instance exactly as a real session would store it.
"""

from __future__ import annotations

from typing import Any

from trdplanner.catalog import Catalog, template_to_dict, validate_instance
from trdplanner.core.records import InstanceRec
from trdplanner.core.vocab import InstanceRole

DAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")

_THOUGHTS = [
    (
        "Friend cancelled lunch",
        "She's tired of me.",
        85,
        "She said her child was ill; one cancellation is not a verdict on me.",
        60,
    ),
    (
        "Forgot a bill at the bank",
        "I can't manage anything any more.",
        90,
        "I paid four other bills this month; I forgot one.",
        55,
    ),
    (
        "Daughter visited and we laughed",
        "It won't last, it never does.",
        70,
        "Good moments happen even now; I can notice them.",
        50,
    ),
]


def thought_record(week: int) -> dict[str, Any]:
    situation, hot, belief, balanced, balanced_belief = _THOUGHTS[week % len(_THOUGHTS)]
    return {
        "situation": situation,
        "moods": [{"mood": "Sad", "intensity": 80}, {"mood": "Ashamed", "intensity": 60}],
        "automatic_thoughts": f"{hot} Nothing ever changes.",
        "hot_thought": hot,
        "hot_thought_belief": belief,
        "distortions": ["mind_reading", "overgeneralization"],
        "evidence_for": "It has happened before.",
        "evidence_against": "There is a plain reason, and other people still make time for me.",
        "balanced_thought": balanced,
        "balanced_belief": balanced_belief,
        "mood_rerating": [{"mood": "Sad", "intensity": 55}, {"mood": "Ashamed", "intensity": 30}],
    }


def diary_card(week: int, target: str, start: str) -> dict[str, Any]:
    return {
        "week_start": start,
        "target_name": target,
        "urges": [
            {
                "suicide": (d + week) % 2,
                "self_harm": (d + week) % 3,
                "acted_self_harm": False,
                "substance": 1,
                "acted_substance": False,
                "target": 3 - d % 3,
                "acted_target": d % 3 == 0,
            }
            for d in range(7)
        ],
        "emotions": [
            {
                "sadness": 3 + d % 2,
                "shame": 2,
                "anger": 1,
                "fear": 2,
                "joy": d % 2,
                "pain": 3,
                "distress": 6 - d % 3,
                "medication": True,
                "sleep_hours": 6,
            }
            for d in range(7)
        ],
        "skills": [{"used": ["wise_mind", "tip"] if d % 2 else ["opposite_action"], "rating": 4} for d in range(7)],
    }


def committed_action(week: int) -> dict[str, Any]:
    steps = ["Walk to the corner shop and back", "Call my sister on Sunday", "Sketch for ten minutes after dinner"]
    return {
        "value": "Being connected to the people I love",
        "smart_goal": "Reach out to one person each week for the next month.",
        "first_step": steps[week % len(steps)],
        "first_step_when": "Saturday morning",
        "first_step_where": "At home",
        "willingness": "The heavy, flat feeling and the thought that I'm a burden.",
    }


def safety_plan() -> dict[str, Any]:
    return {
        "reasons_for_living": "My daughter and grandson. The garden in spring.",
        "warning_signs": "Staying in bed past noon; not answering the phone; thinking everyone would be better off.",
        "internal_coping": "Cold water on my face; a slow walk round the block; the breathing I practised.",
        "likely_coping": 7,
        "distraction": [{"who_or_where": "The library café", "contact": "Open 9-5"}],
        "help_people": [{"name": "Ruth (daughter)", "phone": "555-0142"}],
        "professionals": [
            {"service": "Harbour Light out-of-hours line", "phone": "555-0100"},
            {"service": "988 Suicide & Crisis Lifeline", "phone": "988"},
            {"service": "Springfield General ED", "phone": "555-0911"},
            {"service": "", "phone": ""},
        ],
        "means": [{"item": "Stored medication", "step": "Ruth keeps the week's supply; pharmacy blister packs."}],
        "likely_overall": 8,
        "kept_where": "Phone photo and the fridge door",
    }


def instance(
    catalog: Catalog, template_id: str, values: dict[str, Any], role: InstanceRole = InstanceRole.IN_SESSION
) -> InstanceRec:
    template = catalog.get(template_id)
    cleaned = validate_instance(template, values, partial=True)
    return InstanceRec(
        template_id=template.id,
        template_version=template.version,
        template_snapshot=template_to_dict(template),
        values=cleaned,
        role=role,
    )


def instances_for(catalog: Catalog, code: str, modality: str, number: int, week_start: str) -> list[InstanceRec]:
    """The worksheets one demo session holds; the last (planned) session has none yet."""
    if number == 8:
        return []
    found: list[InstanceRec] = []
    if number == 2 and code in ("DEMO-04", "DEMO-05", "DEMO-06"):
        found.append(instance(catalog, "general-safety-plan", safety_plan()))
    if number >= 5:
        if modality == "cbt":
            found.append(instance(catalog, "cbt-thought-record-7", thought_record(number), InstanceRole.HOMEWORK))
        elif modality == "dbt":
            target = "Skipping meals" if code == "DEMO-04" else "Staying in bed all day"
            card = diary_card(number, target, week_start)
            found.append(instance(catalog, "dbt-diary-card", card, InstanceRole.HOMEWORK))
        elif modality == "act":
            found.append(instance(catalog, "act-committed-action", committed_action(number), InstanceRole.HOMEWORK))
    return found
