"""How scores are worded on paper: change from baseline and flags, shared by every document."""

from __future__ import annotations

from trdplanner.clinical import ScoreFlag
from trdplanner.core.views import ScoredMeasure

_FLAG_LABELS = {
    ScoreFlag.PHQ9_ITEM9_POSITIVE: "item 9 POSITIVE",
    ScoreFlag.SUICIDALITY_ITEM_POSITIVE: "suicidality item POSITIVE",
    ScoreFlag.ITEMS_NOT_RECORDED: "total only",
    ScoreFlag.SUICIDALITY_ITEM_UNKNOWN: "suicidality item not recorded",
}


def flag_labels(m: ScoredMeasure) -> list[str]:
    """Short labels for a score's flags, most urgent first (item 9 named once)."""
    flags = m.score.flags
    shown = [f for f in ScoreFlag if f in flags]
    if ScoreFlag.PHQ9_ITEM9_POSITIVE in flags:
        shown = [f for f in shown if f is not ScoreFlag.SUICIDALITY_ITEM_POSITIVE]
    return [_FLAG_LABELS.get(f, str(f)) for f in shown]


def change_text(m: ScoredMeasure) -> str:
    """Change from the first score on file, as Paragraph markup (deterioration in bold)."""
    c = m.change
    if c is None:
        return "first score on file"
    parts = [f"{c.delta:+d}"]
    if c.percent_change is not None:
        parts.append(f"({c.percent_change:+.0f}%)")
    if c.remission:
        parts.append("remission")
    elif c.response:
        parts.append("response")
    if c.reliable_deterioration:
        parts.append("<b>reliable deterioration</b>")
    elif c.reliable_improvement:
        parts.append("reliable improvement")
    return " ".join(parts)
