"""What the services hand out about a patient and a session: plain frozen records.

No database here (tests/core/test_views_pure.py checks it): the PDF export, the note
formats and the screens take these without importing SQLAlchemy. The services that build
them (core/services/summary.py, bundles.py, documents.py) own the sessions.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from functools import cached_property
from typing import TYPE_CHECKING, Any

from trdplanner.clinical import (
    Baseline,
    Change,
    MaudsleyScore,
    RiskFlag,
    Score,
    ThaseRushStage,
    TrdStatus,
    risk_flag,
)
from trdplanner.core.records import (
    ClinicianRec,
    CourseRec,
    CourseSessionRec,
    MeasureRec,
    PatientProfile,
    PlanRec,
    PracticeRec,
    SessionRec,
    TrialRec,
)
from trdplanner.core.risk_findings import RiskFinding, risk_findings

if TYPE_CHECKING:  # the catalog's prefill pulls in Jinja2; view types stay light
    from trdplanner.catalog import PrefillContext, Template


@dataclass(frozen=True)
class ScoredMeasure:
    record: MeasureRec
    score: Score
    # Change from this score's baseline (its episode's first score, or the last one before the
    # treatment running on its date began); None when it is itself the baseline or has none.
    change: Change | None
    baseline: Baseline | None = None

    @property
    def needs_alert(self) -> bool:
        return self.score.needs_risk_review

    @property
    def alert_open(self) -> bool:
        return self.needs_alert and self.record.alert_acknowledged_at is None


@dataclass(frozen=True)
class ClinicalSummary:
    profile: PatientProfile
    trials: list[TrialRec]
    trd: TrdStatus
    thase_rush: ThaseRushStage
    maudsley: MaudsleyScore
    measures: list[ScoredMeasure] = field(default_factory=list)
    as_of: dt.date = field(default_factory=dt.date.today)
    risk: RiskFlag = field(default_factory=lambda: risk_flag([]))
    bipolar: bool = False
    # Days of completed risk reviews (a session with the safety plan reviewed and its note signed).
    risk_reviews: tuple[dt.date, ...] = ()
    #: Is the patient at risk now, and why (core/risk_findings.py): what every screen and print shows.
    risk_findings: tuple[RiskFinding, ...] = ()

    @property
    def open_alerts(self) -> list[ScoredMeasure]:
        return [m for m in self.measures if m.alert_open]

    @property
    def risk_flag(self) -> bool:
        """Raised by a positive suicidality item until a completed review or a later item at 0.

        A later score that does not record the item (total only, MADRS, BDI-II) never clears it.
        """
        return self.risk.raised

    def latest_by_instrument(self) -> dict[str, ScoredMeasure]:
        latest: dict[str, ScoredMeasure] = {}
        for m in self.measures:
            latest[m.record.instrument] = m
        return latest


@dataclass(frozen=True)
class LastDosing:
    """The latest recorded esketamine or IV ketamine session, with its observations."""

    course_label: str
    session: CourseSessionRec

    @property
    def observations(self) -> list[tuple[str, str]]:
        """(label, value) pairs of what was recorded, in the order a clinician reads them."""
        x = self.session
        unit = "mg/kg" if "IV" in self.course_label else "mg"
        pairs = [
            ("Dose", f"{x.dose:g} {unit}" if x.dose is not None else ""),
            ("Infusion", f"{x.infusion_minutes} min" if x.infusion_minutes is not None else ""),
            ("Blood pressure", " → ".join(v for v in (x.bp_before, x.bp_after) if v)),
            ("Observed", f"{x.observed_minutes} min before discharge" if x.observed_minutes is not None else ""),
            ("Sedation", f"{x.sedation}/4" if x.sedation is not None else ""),
            ("Dissociation", f"{x.dissociation}/4" if x.dissociation is not None else ""),
            ("Adverse events", x.adverse_events),
            ("Home", x.travel_home),
        ]
        return [(k, v) for k, v in pairs if v]

    @property
    def heading(self) -> str:
        return f"{self.course_label} session {self.session.number}, {self.session.given_on.isoformat()}"


@dataclass(frozen=True)
class IntegrationProposal:
    """An integration session due after the latest dosing session, and whether one is booked."""

    dosing: LastDosing
    earliest: dt.date
    latest: dt.date
    booked_on: dt.date | None = None

    @property
    def text(self) -> str:
        dosed = f"{self.dosing.course_label} dose on {self.dosing.session.given_on.isoformat()}"
        if self.booked_on is not None:
            return f"Integration session after the {dosed} is booked for {self.booked_on.isoformat()}."
        return (f"Book an integration session after the {dosed}: between {self.earliest.isoformat()} and "
                f"{self.latest.isoformat()} (the ketamine integration template can guide it).")


@dataclass(frozen=True)
class SessionBundle:
    """Everything about one session that templates, notes and prints draw on."""

    profile: PatientProfile
    summary: ClinicalSummary
    sessions: list[SessionRec]  # all of the patient's sessions, oldest first
    session: SessionRec
    plan: PlanRec | None
    clinician: ClinicianRec | None
    practice: PracticeRec | None
    # The latest ketamine dosing session on or before this session's day, for the pre-session sheet.
    last_dosing: LastDosing | None = None

    @property
    def earlier(self) -> list[SessionRec]:
        return [s for s in self.sessions if (s.date, s.number) < (self.session.date, self.session.number)]

    @cached_property
    def risk_findings(self) -> tuple[RiskFinding, ...]:
        """The risk findings as known on this session's day (later scores and reviews left out):
        what the agenda, the pre-session sheet and the note's risk section show."""
        s = self.summary
        return tuple(risk_findings(self.profile, s.measures, s.risk_reviews, day=self.session.date))


@dataclass(frozen=True)
class PatientSessions:
    """A patient's sessions in a period, each with its bundle, and what surrounds them."""

    summary: ClinicalSummary
    bundles: list[SessionBundle]  # sessions in the period, oldest first
    plan: PlanRec | None
    clinician: ClinicianRec | None
    practice: PracticeRec | None
    start: dt.date | None
    end: dt.date | None

    @property
    def profile(self) -> PatientProfile:
        return self.summary.profile

    @property
    def sessions(self) -> list[SessionRec]:
        return [b.session for b in self.bundles]


@dataclass(frozen=True)
class SafetyPlan:
    """The patient's latest filled safety plan, or None values when there is none on file."""

    profile: PatientProfile
    clinician: ClinicianRec | None
    practice: PracticeRec | None
    template: Template | None  # the definition it was filled with
    values: dict[str, Any] | None
    session: SessionRec | None  # the session it was last written or updated in
    prefill: PrefillContext


@dataclass(frozen=True)
class TimelineData:
    """One patient's treatments and scores on one time axis: what the timeline page and screen draw."""

    profile: PatientProfile
    clinician: ClinicianRec | None
    trials: list[TrialRec]  # medication and other ledger trials that no course owns
    sessions: list[SessionRec]  # psychotherapy sessions
    courses: list[CourseRec]
    scores: list[ScoredMeasure]  # PHQ-9 and QIDS-SR16, oldest first
    as_of: dt.date

    @property
    def start(self) -> dt.date:
        """The first day anything on the timeline happened (the latest day when nothing did)."""
        days = [t.start for t in self.trials if t.start] + [x.date for x in self.sessions]
        days += [c.start for c in self.courses] + [m.record.taken_on for m in self.scores]
        return min(days, default=self.as_of)

    @property
    def end(self) -> dt.date:
        days = [self.as_of] + [x.date for x in self.sessions]
        days += [x.given_on for c in self.courses for x in c.sessions]
        return max(days)
