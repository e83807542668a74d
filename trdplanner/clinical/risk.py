"""Whether a patient's suicide-risk flag is raised, and why.

Rule (project brief; clinical reference §2 "Item-9 rule"): a positive suicidality item is
never hidden, downgraded or cleared by a later score that does not answer it. So:

* a positive item (PHQ-9 item 9, QIDS-SR16 item 12, HAM-D17 item 3) raises the flag;
* a later score whose suicidality item is unknown (total-only entry, MADRS, BDI-II) changes
  nothing;
* the flag clears only after a later score that records the item at 0, or a completed risk
  review dated on or after the positive score;
* an alert nobody has acknowledged keeps the flag raised whatever came later.

Observations are plain data in date order; the caller decides what counts as a completed
review (the app: a completed session with the safety plan reviewed and its note signed).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date


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
