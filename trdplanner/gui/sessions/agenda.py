"""The starting agenda of a new session: risk first, then the modality's structure with the
homework that is still waiting to be reviewed slotted in at its homework step.

Plain functions over records, so the rule is tested without a window.
"""

from __future__ import annotations

from trdplanner.catalog import Template
from trdplanner.core.records import HomeworkRec
from trdplanner.core.services.templating import SessionBundle
from trdplanner.core.vocab import RiskLevel

SAFETY_PLAN_ITEM = "Safety plan review"


def risk_items(bundle: SessionBundle) -> list[str]:
    """Agenda lines a risk finding puts at the top (a positive item 9 means the safety plan first)."""
    day = bundle.session.date
    measures = sorted((m for m in bundle.summary.measures if m.record.taken_on <= day), key=lambda m: m.record.taken_on)
    latest: dict[str, object] = {}
    for m in measures:
        latest[m.record.instrument] = m
    positive = [m for m in measures if m.needs_alert and (m.alert_open or latest.get(m.record.instrument) is m)]
    if positive:
        newest = positive[-1]
        name = "PHQ-9 item 9" if newest.record.instrument == "phq9" else "suicidality item"
        return [f"{SAFETY_PLAN_ITEM}: {name} positive on {newest.record.taken_on.isoformat()}"]
    if bundle.profile.risk_level == RiskLevel.HIGH:
        return [f"{SAFETY_PLAN_ITEM}: risk level on file is high"]
    return []


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
