"""The starting agenda of a new session: risk first, then the modality's structure with the
homework that is still waiting to be reviewed slotted in at its homework step.

Plain functions over records, so the rule is tested without a window.
"""

from __future__ import annotations

from trdplanner.catalog import Template
from trdplanner.core.records import HomeworkRec
from trdplanner.core.risk_findings import safety_plan_first
from trdplanner.core.services.templating import SessionBundle

SAFETY_PLAN_ITEM = "Safety plan review"


def risk_items(bundle: SessionBundle) -> list[str]:
    """The agenda line a risk finding puts at the top: a positive suicidality item still flagged
    on the session's day (or not yet acknowledged), else a high risk level, means the safety plan first.

    Only displays the session's risk findings (core/risk_findings.py); it decides nothing itself.
    """
    first = safety_plan_first(bundle.risk_findings)
    return [f"{SAFETY_PLAN_ITEM}: {first.short}"] if first is not None else []


def _is_homework_step(title: str) -> bool:
    lowered = title.casefold()
    return "homework" in lowered or "practice review" in lowered or "diary card" in lowered


def build_agenda(structure: Template | None, outstanding: list[HomeworkRec], risk: list[str]) -> list[str]:
    steps = [f"{s.title} ({s.minutes} min)" for s in structure.agenda] if structure else []
    reviews = list(dict.fromkeys(f"Review homework: {h.title}" for h in outstanding))
    at = next((i + 1 for i, s in enumerate(structure.agenda if structure else ()) if _is_homework_step(s.title)), None)
    if at is None:
        at = min(2, len(steps))
    return [*risk, *steps[:at], *reviews, *steps[at:]]


def starting_agenda(bundle: SessionBundle, structure: Template | None, outstanding: list[HomeworkRec]) -> list[str]:
    return build_agenda(structure, outstanding, risk_items(bundle))
