"""The clinical picture of one patient: TRD status, staging and scored measures.

This is where stored records meet the pure rules in ``trdplanner.clinical``; the
GUI overview, the CLI's ``patient show`` and the printed reports all read it.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from trdplanner.clinical import (
    Adherence,
    Change,
    MaudsleyScore,
    MaudsleySeverity,
    Outcome,
    Score,
    ScoreFlag,
    StopReason,
    ThaseRushStage,
    TrdStatus,
    TrialFacts,
    TrialKind,
    change,
    maudsley,
    score,
    thase_rush,
    trd_status,
)
from trdplanner.core.db import Database
from trdplanner.core.errors import NotFoundError
from trdplanner.core.models import Patient
from trdplanner.core.records import EpisodeRec, MeasureRec, PatientProfile, TrialRec
from trdplanner.core.services.history import trials_in
from trdplanner.core.services.measures import measures_in
from trdplanner.core.services.patients import load_patient, profile_from_row
from trdplanner.settings import Settings


@dataclass(frozen=True)
class ScoredMeasure:
    record: MeasureRec
    score: Score
    # Change from the first administration of the same instrument on file.
    change: Change | None

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

    @property
    def open_alerts(self) -> list[ScoredMeasure]:
        return [m for m in self.measures if m.alert_open]

    @property
    def risk_flag(self) -> bool:
        """True when any recorded suicidality item was positive, acknowledged or not."""
        return any(m.needs_alert for m in self.latest_by_instrument().values()) or bool(self.open_alerts)

    def latest_by_instrument(self) -> dict[str, ScoredMeasure]:
        latest: dict[str, ScoredMeasure] = {}
        for m in self.measures:
            latest[m.record.instrument] = m
        return latest


def trial_facts(trials: list[TrialRec], current: EpisodeRec | None) -> list[TrialFacts]:
    """Records as the clinical rules see them. A trial with no episode is taken as current."""
    facts = []
    for t in trials:
        in_current = t.episode_number is None or (current is not None and t.episode_number == current.number)
        facts.append(
            TrialFacts(
                id=str(t.id if t.id is not None else f"{t.kind}:{t.agent}:{t.start}"),
                kind=TrialKind(t.kind),
                agent=t.agent,
                drug_class=t.drug_class or None,
                dose=t.dose,
                min_effective_dose=t.min_effective_dose,
                dose_unit=t.dose_unit,
                start=t.start,
                stop=t.stop,
                weeks_at_adequate_dose=t.weeks_at_adequate_dose,
                adherence=Adherence(t.adherence),
                baseline_score=t.baseline_score,
                end_score=t.end_score,
                outcome=Outcome(t.outcome) if t.outcome else None,
                stop_reason=StopReason(t.stop_reason) if t.stop_reason else None,
                in_current_episode=in_current,
                ect_bilateral=t.ect_bilateral,
                clinician_judged_adequate=t.clinician_judged_adequate,
            )
        )
    return facts


def score_measures(measures: list[MeasureRec], settings: Settings) -> list[ScoredMeasure]:
    baselines: dict[str, int] = {}
    out = []
    change_settings = settings.change_settings()
    for m in measures:
        result = score(m.instrument, items=m.items, total=None if m.items is not None else m.total)
        baseline = baselines.setdefault(m.instrument, result.total)
        moved = (
            None
            if m is _first(measures, m.instrument)
            else change(m.instrument, baseline, result.total, change_settings)
        )
        out.append(ScoredMeasure(m, result, moved))
    return out


def _first(measures: list[MeasureRec], instrument: str) -> MeasureRec:
    return next(m for m in measures if m.instrument == instrument)


def summarize(
    profile: PatientProfile,
    trials: list[TrialRec],
    measures: list[MeasureRec],
    settings: Settings,
    as_of: dt.date | None = None,
) -> ClinicalSummary:
    as_of = as_of or dt.date.today()
    episode = profile.current_episode
    facts = trial_facts(trials, episode)
    trd_settings = settings.trd_settings()
    severity = MaudsleySeverity(episode.severity) if episode and episode.severity else None
    return ClinicalSummary(
        profile=profile,
        trials=trials,
        trd=trd_status(facts, trd_settings, as_of=as_of),
        thase_rush=thase_rush(facts, trd_settings, as_of=as_of),
        maudsley=maudsley(
            episode.onset if episode else None,
            as_of,
            severity,
            episode.psychotic_features if episode else None,
            facts,
            trd_settings,
        ),
        measures=score_measures(measures, settings),
        as_of=as_of,
    )


class SummaryService:
    def __init__(self, db: Database, settings: Settings) -> None:
        self.db = db
        self.settings = settings

    def for_patient(self, patient_id: int, as_of: dt.date | None = None) -> ClinicalSummary:
        with self.db.reading() as s:
            if s.get(Patient, patient_id) is None:
                raise NotFoundError("patient", patient_id)
            profile = profile_from_row(load_patient(s, patient_id))
            trials = trials_in(s, patient_id)
            measures = measures_in(s, patient_id)
        return summarize(profile, trials, measures, self.settings, as_of)


__all__ = ["ClinicalSummary", "ScoreFlag", "ScoredMeasure", "SummaryService", "summarize"]
