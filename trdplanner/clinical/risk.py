"""Suicidality findings in words, and the structured risk review a positive finding requires.

Two rules live here, once, for screens, notes and prints alike:

- how a score's flags are said in a note ("PHQ-9 item 9 (thoughts of death or self-harm)
  answered 'most days (more than half)', 2 of 3"), never as an identifier;
- what a complete risk review holds (clinical reference section 2, item-9 rule: a structured
  suicide risk assessment and a safety-plan review, whatever the total), and which parts are
  still missing, so signing can be refused with each part named.

- whether the patient's risk flag is raised, and why (below).

All wording is the project's own.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from enum import StrEnum
from typing import Any

from trdplanner.clinical.instruments import Instrument, spec
from trdplanner.clinical.scoring import Score, ScoreFlag

# How often, in the words of the app's own PHQ-9 form (its item anchors).
PHQ9_FREQUENCY = ("not at all", "some days", "most days (more than half)", "almost every day")

# What each instrument's suicidality item asks about, in our words.
SUICIDALITY_TOPIC: dict[Instrument, str] = {
    Instrument.PHQ9: "thoughts of death or self-harm",
    Instrument.QIDS_SR16: "thoughts of death or suicide",
    Instrument.HAMD17: "suicidal thoughts or acts",
    Instrument.MADRS: "suicidal thoughts",
    Instrument.BDI2: "suicidal thoughts or wishes",
}


def suicidality_item_name(instrument: Instrument | str) -> str:
    """ "PHQ-9 item 9 (thoughts of death or self-harm)"; "" when the instrument has no such item."""
    s = spec(instrument)
    if s.suicidality_item is None:
        return ""
    return f"{s.display_name} item {s.suicidality_item} ({SUICIDALITY_TOPIC[s.instrument]})"


def suicidality_answer(instrument: Instrument | str, item_score: int) -> str:
    """The answer given, in words where the app has them: "answered 'some days' (1 of 3)"."""
    s = spec(instrument)
    assert s.suicidality_item is not None
    top = s.item_ranges[s.suicidality_item - 1].maximum
    if s.instrument is Instrument.PHQ9 and 0 <= item_score < len(PHQ9_FREQUENCY):
        return f"answered '{PHQ9_FREQUENCY[item_score]}' ({item_score} of {top})"
    return f"scored {item_score} of {top}"


def suicidality_finding(score: Score) -> str:
    """One sentence about the suicidality item of a score, or "" when there is nothing to say."""
    name = suicidality_item_name(score.instrument)
    if not name:
        return ""
    if score.suicidality_item_score is None:
        return f"{name} not recorded (only a total was entered)"
    return f"{name} {suicidality_answer(score.instrument, score.suicidality_item_score)}"


def flag_phrases(score: Score) -> list[str]:
    """A score's flags as a clinician would write them, most urgent first."""
    out = []
    if score.needs_risk_review or ScoreFlag.SUICIDALITY_ITEM_UNKNOWN in score.flags:
        out.append(suicidality_finding(score))
    if ScoreFlag.ITEMS_NOT_RECORDED in score.flags:
        out.append("total entered without the item answers")
    return out


# ------------------------------------------------------------------------------ risk review


class RiskFormulation(StrEnum):
    LOW = "low"
    MODERATE = "moderate"
    HIGH = "high"

    @property
    def label(self) -> str:
        return self.value.capitalize()


class SafetyPlanAction(StrEnum):
    REVIEWED = "reviewed"
    WRITTEN = "written"
    NOT_DONE = "not_done"

    @property
    def label(self) -> str:
        return {
            SafetyPlanAction.REVIEWED: "Safety plan reviewed with the client",
            SafetyPlanAction.WRITTEN: "Safety plan written with the client",
            SafetyPlanAction.NOT_DONE: "Safety plan not reviewed",
        }[self]


@dataclass(frozen=True)
class ReviewPart:
    key: str
    label: str
    hint: str


# The parts of the review, in the order a clinician asks about them. Each must be answered.
REVIEW_TEXT_PARTS: tuple[ReviewPart, ...] = (
    ReviewPart(
        "thoughts",
        "Current thoughts of death or suicide",
        "What the client reports now: passive or active, how often, how strong",
    ),
    ReviewPart("intent", "Intent", "Whether the client intends to act on the thoughts"),
    ReviewPart("plan", "Plan", "Any plan: method, time, place, preparations"),
    ReviewPart("means", "Access to means", "Access to the means named, and what has been done about it"),
    ReviewPart("protective", "Protective factors", "Reasons for living, people, commitments, hopes"),
)
FORMULATION_PART = ReviewPart(
    "formulation", "Risk formulation", "Your judgement of the current risk: low, moderate or high"
)
SAFETY_PLAN_PART = ReviewPart("safety_plan", "Safety plan", "Reviewed or written with the client this session")
ACTION_TEXT_PARTS: tuple[ReviewPart, ...] = (
    ReviewPart(
        "contacts",
        "Contacts",
        "Who was contacted or given to the client (crisis line, family, prescriber), or why none",
    ),
    ReviewPart("follow_up", "Follow-up", "When and how the client will next be seen or contacted"),
)
ALL_PARTS: tuple[ReviewPart, ...] = (*REVIEW_TEXT_PARTS, FORMULATION_PART, SAFETY_PLAN_PART, *ACTION_TEXT_PARTS)
REVIEW_KEYS = frozenset(p.key for p in ALL_PARTS) | {"acknowledge_alerts"}


def _text(review: Mapping[str, Any], key: str) -> str:
    value = review.get(key)
    return value.strip() if isinstance(value, str) else ""


def missing_parts(review: Mapping[str, Any] | None) -> list[str]:
    """The labels of the parts not yet answered, in order; empty when the review is complete.

    A safety plan "not reviewed" is an answer the record can hold, but not a complete review:
    the item-9 rule asks for the plan to be reviewed or written.
    """
    review = review or {}
    missing = [p.label for p in REVIEW_TEXT_PARTS if not _text(review, p.key)]
    if _text(review, "formulation") not in {f.value for f in RiskFormulation}:
        missing.append(FORMULATION_PART.label)
    if _text(review, "safety_plan") not in (SafetyPlanAction.REVIEWED, SafetyPlanAction.WRITTEN):
        missing.append(f"{SAFETY_PLAN_PART.label} (reviewed or written)")
    missing += [p.label for p in ACTION_TEXT_PARTS if not _text(review, p.key)]
    return missing


def review_text(review: Mapping[str, Any] | None, reasons: list[str]) -> str:
    """The review as note text: why it is required, then each part (blank parts say so)."""
    review = review or {}
    lines = [
        "Structured risk review, required because: "
        + ("; ".join(reasons) if reasons else "recorded by the clinician")
        + "."
    ]
    for part in REVIEW_TEXT_PARTS:
        lines.append(f"{part.label}: {_text(review, part.key) or '(not yet recorded)'}")
    formulation = _text(review, "formulation")
    shown = RiskFormulation(formulation).label if formulation in {f.value for f in RiskFormulation} else ""
    lines.append(f"{FORMULATION_PART.label}: {shown or '(not yet recorded)'}")
    plan = _text(review, "safety_plan")
    plan_shown = SafetyPlanAction(plan).label if plan in {a.value for a in SafetyPlanAction} else ""
    lines.append(f"{SAFETY_PLAN_PART.label}: {plan_shown or '(not yet recorded)'}")
    for part in ACTION_TEXT_PARTS:
        lines.append(f"{part.label}: {_text(review, part.key) or '(not yet recorded)'}")
    return "\n".join(lines)


def clean_review(review: Mapping[str, Any]) -> dict[str, Any]:
    """Only the known parts, as text (and the acknowledgement choice as a bool)."""
    out: dict[str, Any] = {}
    for key in REVIEW_KEYS:
        if key == "acknowledge_alerts":
            out[key] = bool(review.get(key))
        else:
            value = review.get(key, "")
            out[key] = value.strip() if isinstance(value, str) else ""
    return out


# ------------------------------------------------------------------------------ risk flag
#Whether a patient's suicide-risk flag is raised, and why.
#
# Rule (project brief; clinical reference §2 "Item-9 rule"): a positive suicidality item is
# never hidden, downgraded or cleared by a later score that does not answer it. So:
#
# * a positive item (PHQ-9 item 9, QIDS-SR16 item 12, HAM-D17 item 3) raises the flag;
# * a later score whose suicidality item is unknown (total-only entry, MADRS, BDI-II) changes
#   nothing;
# * the flag clears only after a later score that records the item at 0, or a completed risk
#   review dated on or after the positive score;
# * an alert nobody has acknowledged keeps the flag raised whatever came later.
#
# Observations are plain data in date order; the caller decides what counts as a completed
# review (the app: a completed session with the safety plan reviewed and its note signed).


@dataclass(frozen=True)
class SuicidalityObservation:
    """One scored measure: its date, instrument and suicidality item (``None`` = unknown)."""

    taken_on: date
    instrument: str
    item_score: int | None
    acknowledged: bool = True


@dataclass(frozen=True)
class RiskFlag:
    raised: bool
    explanation: str
    #: The positive score that keeps the flag raised, if any.
    since: SuicidalityObservation | None = None
    open_alerts: int = 0


def risk_flag(observations: Sequence[SuicidalityObservation], reviews: Iterable[date] = ()) -> RiskFlag:
    """The flag after these observations (in date order) and completed risk reviews."""
    open_alerts = sum(1 for o in observations if o.item_score is not None and o.item_score > 0 and not o.acknowledged)
    review_days = sorted(reviews)
    positive: SuicidalityObservation | None = None
    cleared_by = ""
    for o in observations:
        if o.item_score is None:
            continue  # unknown answers nothing: it can neither raise nor clear
        if o.item_score > 0:
            positive, cleared_by = o, ""
        elif positive is not None:
            cleared_by = f"a later {o.instrument} on {o.taken_on.isoformat()} recorded the suicidality item as 0"
            positive = None
    if positive is not None:
        after = [d for d in review_days if d >= positive.taken_on]
        if after:
            cleared_by = f"a completed risk review on {after[0].isoformat()}"
            last_positive = positive
            positive = None
        else:
            last_positive = positive
    else:
        last_positive = None
    if open_alerts:
        return RiskFlag(
            True,
            f"{open_alerts} positive suicidality item{'s' if open_alerts != 1 else ''} not yet "
            "acknowledged by a clinician.",
            positive or last_positive,
            open_alerts,
        )
    if positive is not None:
        return RiskFlag(
            True,
            f"Suicidality item positive on the {positive.instrument} of {positive.taken_on.isoformat()} "
            f"(score {positive.item_score}); it stays flagged until a completed risk review or a "
            "later score that records the item as 0 (a score without that item does not clear it).",
            positive,
        )
    if cleared_by:
        return RiskFlag(False, f"No risk flag: an earlier positive suicidality item was followed by {cleared_by}.")
    return RiskFlag(False, "No positive suicidality item on record.")
