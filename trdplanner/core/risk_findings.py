"""Is the patient at risk now, and why: one ordered list of findings every screen and print shows.

The overview, the session agenda, the pre-session sheet, the progress report, the prescriber
letter and the note's risk section all display this list instead of working the answer out
again. Pure: no Qt, no database (tests/core/test_views_pure.py checks the view types that carry it).

The clinical rule itself is not restated here: whether the flag is raised, and what clears it,
is ``clinical.risk_flag`` (a positive suicidality item is never hidden, downgraded or cleared by
a later score that does not answer it). This module only gathers its inputs from the records and
says the result, with the recorded risk level and summary, in plain words.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from enum import StrEnum
from typing import TYPE_CHECKING

from trdplanner.clinical import (
    RiskFlag,
    SuicidalityObservation,
    risk_flag,
    spec,
    suicidality_finding,
    suicidality_item_name,
)
from trdplanner.core.records import PatientProfile
from trdplanner.core.vocab import RiskLevel

if TYPE_CHECKING:  # views imports this module for the field types
    from trdplanner.core.views import ScoredMeasure

# How many unacknowledged scores a finding names before it says "and N earlier".
ALERTS_NAMED = 4
SUMMARY_UPDATED_UNKNOWN = "date of last update not recorded"
STAYS_FLAGGED = ("It stays flagged until a completed risk review or a later score that records the item as 0 "
                 "(a score without that item does not clear it).")


class FindingKind(StrEnum):
    """What a finding is about, most urgent kinds first."""

    OPEN_ALERT = "open_alert"  # positive suicidality item(s) no clinician has acknowledged
    FLAG_RAISED = "flag_raised"  # a positive item not yet cleared by a review or a later item at 0
    RISK_LEVEL = "risk_level"  # the level the clinician recorded in the profile
    ITEM_NOT_RECORDED = "item_not_recorded"  # the latest score that asks about it has no answer
    NO_SUICIDALITY_SCORE = "no_suicidality_score"  # nothing on file asks about it
    LATEST_ITEM = "latest_item"  # the latest recorded answer, when it raises nothing
    NO_FLAG = "no_flag"  # why the flag is down (never raised, or what cleared it)
    RISK_SUMMARY = "risk_summary"  # the clinician's free-text summary, with its date

    @property
    def label(self) -> str:
        return {
            FindingKind.OPEN_ALERT: "Alert not yet acknowledged",
            FindingKind.FLAG_RAISED: "Risk flag raised",
            FindingKind.RISK_LEVEL: "Risk level on file",
            FindingKind.ITEM_NOT_RECORDED: "Suicidality item not recorded",
            FindingKind.NO_SUICIDALITY_SCORE: "No suicidality item on file",
            FindingKind.LATEST_ITEM: "Latest suicidality item",
            FindingKind.NO_FLAG: "No risk flag",
            FindingKind.RISK_SUMMARY: "Risk summary on file",
        }[self]


class Urgency(StrEnum):
    DANGER = "danger"
    WARNING = "warning"
    INFO = "info"

    @property
    def label(self) -> str:
        return {Urgency.DANGER: "Act now", Urgency.WARNING: "Check", Urgency.INFO: "For information"}[self]


_URGENCY_ORDER = {Urgency.DANGER: 0, Urgency.WARNING: 1, Urgency.INFO: 2}


@dataclass(frozen=True)
class RiskFinding:
    """One thing to say about the patient's risk now.

    ``text`` is the full sentence every display shows; ``short`` the few words an agenda line or
    a list cell has room for; ``taken_on``/``instrument`` name the score behind it, if any.
    """

    kind: FindingKind
    urgency: Urgency
    text: str
    short: str
    taken_on: dt.date | None = None
    instrument: str = ""

    @property
    def needs_safety_plan(self) -> bool:
        """Whether this finding puts the safety plan first (clinical reference §2, item-9 rule)."""
        if self.kind is FindingKind.RISK_LEVEL:
            return self.urgency is Urgency.DANGER
        return self.kind in (FindingKind.OPEN_ALERT, FindingKind.FLAG_RAISED)


def observations(measures: Sequence[ScoredMeasure]) -> list[SuicidalityObservation]:
    """Scored measures as the risk rule sees them, in date order (unknown items stay unknown)."""
    ordered = sorted(measures, key=lambda m: m.record.taken_on)
    return [
        SuicidalityObservation(m.record.taken_on, m.score.instrument.display_name, m.score.suicidality_item_score,
                               m.record.alert_acknowledged_at is not None)
        for m in ordered
    ]


def risk_now(measures: Sequence[ScoredMeasure], reviews: Iterable[dt.date] = ()) -> RiskFlag:
    """The risk flag after these scores and completed risk reviews (``clinical.risk_flag``)."""
    return risk_flag(observations(measures), reviews)


def _open_alerts(measures: Sequence[ScoredMeasure]) -> list[RiskFinding]:
    alerts = sorted((m for m in measures if m.alert_open), key=lambda m: m.record.taken_on)
    if not alerts:
        return []
    named = ", ".join(f"{spec(m.record.instrument).display_name} of {m.record.taken_on.isoformat()}"
                      for m in reversed(alerts[-ALERTS_NAMED:]))
    more = len(alerts) - ALERTS_NAMED
    extra = f" and {more} earlier" if more > 0 else ""
    latest = alerts[-1]
    noun = "item" if len(alerts) == 1 else "items"
    return [RiskFinding(
        FindingKind.OPEN_ALERT, Urgency.DANGER,
        f"Positive suicidality {noun} not yet acknowledged by a clinician ({len(alerts)}): {named}{extra}. "
        "Acknowledge, complete a risk assessment and review the safety plan.",
        f"{_item_short(latest)} positive on {latest.record.taken_on.isoformat()}",
        latest.record.taken_on, latest.record.instrument,
    )]


def _item_short(m: ScoredMeasure) -> str:
    """ "PHQ-9 item 9" (the item without its topic), for a line with little room."""
    s = spec(m.record.instrument)
    return f"{s.display_name} item {s.suicidality_item}" if s.suicidality_item else "suicidality item"


def _flag_raised(flag: RiskFlag, measures: Sequence[ScoredMeasure]) -> list[RiskFinding]:
    if not flag.raised:
        return []
    since = flag.since
    behind = [m for m in measures if since is not None and m.needs_alert and m.record.taken_on == since.taken_on
              and m.score.instrument.display_name == since.instrument]
    if not behind:  # raised only by an alert nobody acknowledged: the open-alert finding names it
        return []
    m = behind[-1]
    who, when = m.record.alert_acknowledged_by, m.record.alert_acknowledged_at
    acknowledged = f" (acknowledged by {who} on {when:%Y-%m-%d})" if who and when else ""
    text = (f"Risk flag raised by a positive suicidality item: {suicidality_finding(m.score)} on "
            f"{m.record.taken_on.isoformat()}{acknowledged}. {STAYS_FLAGGED}")
    return [RiskFinding(FindingKind.FLAG_RAISED, Urgency.DANGER, text,
                        f"{_item_short(m)} positive on {m.record.taken_on.isoformat()}",
                        m.record.taken_on, m.record.instrument)]


def _latest_item(flag: RiskFlag, measures: Sequence[ScoredMeasure]) -> list[RiskFinding]:
    ordered = sorted(measures, key=lambda m: m.record.taken_on)
    asking = [m for m in ordered if spec(m.record.instrument).suicidality_item]
    if not asking:
        return [RiskFinding(FindingKind.NO_SUICIDALITY_SCORE, Urgency.WARNING,
                            "No score on file asks about thoughts of death or self-harm: ask directly.",
                            "no suicidality item on file")]
    last = asking[-1]
    name, day = suicidality_item_name(last.record.instrument), last.record.taken_on.isoformat()
    if last.score.suicidality_item_score is None:
        still = " (it does not clear the earlier positive answer)" if flag.raised else ""
        return [RiskFinding(FindingKind.ITEM_NOT_RECORDED, Urgency.WARNING,
                            f"{name} not recorded on the latest {spec(last.record.instrument).display_name} "
                            f"({day}){still}: ask directly.",
                            f"{_item_short(last)} not recorded on {day}", last.record.taken_on, last.record.instrument)]
    since = flag.since
    if flag.raised and since is not None and since.taken_on == last.record.taken_on:
        return []  # the raised flag already says this answer
    return [RiskFinding(FindingKind.LATEST_ITEM, Urgency.INFO, f"{suicidality_finding(last.score)} on {day}.",
                        f"{_item_short(last)} scored {last.score.suicidality_item_score} on {day}",
                        last.record.taken_on, last.record.instrument)]


def _profile(profile: PatientProfile) -> list[RiskFinding]:
    try:
        level = RiskLevel(profile.risk_level)
    except ValueError:
        level = RiskLevel.UNKNOWN
    urgency = {RiskLevel.HIGH: Urgency.DANGER, RiskLevel.MODERATE: Urgency.WARNING}.get(level, Urgency.INFO)
    shown = level.label if level is not RiskLevel.UNKNOWN else "Not recorded"
    out = [RiskFinding(FindingKind.RISK_LEVEL, urgency, f"Risk level on file: {shown}.",
                       f"risk level on file is {shown.lower()}")]
    if profile.risk_summary.strip():
        when = (f"last updated {profile.risk_summary_updated.isoformat()}" if profile.risk_summary_updated
                else SUMMARY_UPDATED_UNKNOWN)
        out.append(RiskFinding(FindingKind.RISK_SUMMARY, Urgency.INFO,
                               f"Risk summary on file, {when}: {profile.risk_summary.strip()}",
                               f"risk summary, {when}", profile.risk_summary_updated))
    return out


def risk_findings(
    profile: PatientProfile,
    measures: Sequence[ScoredMeasure],
    reviews: Iterable[dt.date] = (),
    day: dt.date | None = None,
) -> list[RiskFinding]:
    """What to say about the patient's risk, most urgent first.

    ``reviews`` are the days of completed risk reviews; ``day`` (a session's date) leaves out
    scores and reviews after it, so a session's agenda and sheet say what was known that day.
    """
    if day is not None:
        measures = [m for m in measures if m.record.taken_on <= day]
        reviews = [r for r in reviews if r <= day]
    flag = risk_now(measures, reviews)
    found = _open_alerts(measures) + _flag_raised(flag, measures) + _profile(profile)[:1]
    found += _latest_item(flag, measures)
    if not flag.raised:
        found.append(RiskFinding(FindingKind.NO_FLAG, Urgency.INFO, flag.explanation, "no risk flag"))
    found += _profile(profile)[1:]
    return sorted(found, key=lambda f: _URGENCY_ORDER[f.urgency])


def safety_plan_first(findings: Sequence[RiskFinding]) -> RiskFinding | None:
    """The finding that puts the safety plan at the top of an agenda: the newest positive item,
    else a high recorded risk level; None when there is none."""
    items = [f for f in findings if f.needs_safety_plan and f.taken_on is not None]
    if items:
        return max(items, key=lambda f: f.taken_on or dt.date.min)
    return next((f for f in findings if f.needs_safety_plan), None)
