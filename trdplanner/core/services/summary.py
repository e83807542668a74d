"""The clinical picture of one patient: TRD status, staging and scored measures.

This is where stored records meet the pure rules in ``trdplanner.clinical``; the
GUI overview, the CLI's ``patient show`` and the printed reports all read it.
"""

from __future__ import annotations

import datetime as dt

from trdplanner.catalog.drugs import builtin_drug_table
from trdplanner.clinical import (
    Adherence,
    BaselineKind,
    DrugTable,
    EpisodeWindow,
    MaudsleySeverity,
    Outcome,
    ScoreFlag,
    ScorePoint,
    StopReason,
    TreatmentWindow,
    TrialFacts,
    TrialKind,
    change,
    choose_baseline,
    is_bipolar_spectrum,
    maudsley,
    score,
    thase_rush,
    trd_status,
)
from trdplanner.core.db import Database
from trdplanner.core.errors import NotFoundError
from trdplanner.core.models import Patient
from trdplanner.core.records import EpisodeRec, MeasureRec, PatientProfile, TrialRec
from trdplanner.core.risk_findings import risk_findings, risk_now
from trdplanner.core.services.flags import risk_reviews_in
from trdplanner.core.services.measures import measures_in
from trdplanner.core.services.patients import load_patient, profile_from_row
from trdplanner.core.services.trials import trials_in
from trdplanner.core.views import ClinicalSummary as ClinicalSummary
from trdplanner.core.views import ScoredMeasure as ScoredMeasure
from trdplanner.settings import Settings


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


def episode_windows(profile: PatientProfile) -> list[EpisodeWindow]:
    return [EpisodeWindow(e.number, e.onset, e.ended) for e in profile.episodes]


def treatment_windows(trials: list[TrialRec]) -> list[TreatmentWindow]:
    """Dated trials as treatments a score's baseline can be taken from."""
    out = []
    for t in trials:
        if t.start is None:
            continue
        name = t.agent or TrialKind(t.kind).display_name
        out.append(TreatmentWindow(name, t.start, t.stop))
    return out


def score_measures(
    measures: list[MeasureRec],
    settings: Settings,
    episodes: list[EpisodeWindow] | None = None,
    treatments: list[TreatmentWindow] | None = None,
) -> list[ScoredMeasure]:
    """Score each measure and measure its change from the baseline :func:`choose_baseline` picks."""
    change_settings = settings.change_settings()
    scored = [
        (m, score(m.instrument, items=m.items, total=None if m.items is not None else m.total)) for m in measures
    ]
    histories: dict[str, list[ScorePoint]] = {}
    positions: list[int] = []
    for i, (m, result) in enumerate(scored):
        history = histories.setdefault(str(m.instrument), [])
        positions.append(len(history))
        history.append(ScorePoint(str(m.id if m.id is not None else f"#{i}"), m.taken_on, result.total))
    out = []
    for (m, result), pos in zip(scored, positions, strict=True):
        name = result.instrument.display_name
        baseline = choose_baseline(name, histories[str(m.instrument)], pos, episodes or [], treatments or [])
        moved = None
        if baseline.point is not None:
            moved = change(m.instrument, baseline.point.total, result.total, change_settings,
                           baseline_label=baseline.label)
        out.append(ScoredMeasure(m, result, moved, baseline))
    return out


def summarize(
    profile: PatientProfile,
    trials: list[TrialRec],
    measures: list[MeasureRec],
    settings: Settings,
    as_of: dt.date | None = None,
    *,
    reviews: list[dt.date] | None = None,
    drugs: DrugTable | None = None,
) -> ClinicalSummary:
    as_of = as_of or dt.date.today()
    drugs = drugs or builtin_drug_table()
    episode = profile.current_episode
    facts = trial_facts(trials, episode)
    trd_settings = settings.trd_settings()
    bipolar = is_bipolar_spectrum(profile.primary_diagnosis, profile.primary_diagnosis_icd10)
    severity = MaudsleySeverity(episode.severity) if episode and episode.severity else None
    scored = score_measures(measures, settings, episode_windows(profile), treatment_windows(trials))
    return ClinicalSummary(
        profile=profile,
        trials=trials,
        trd=trd_status(facts, trd_settings, as_of=as_of, drugs=drugs, bipolar=bipolar),
        thase_rush=thase_rush(facts, trd_settings, as_of=as_of, drugs=drugs, bipolar=bipolar),
        maudsley=maudsley(
            episode.onset if episode else None,
            as_of,
            severity,
            episode.psychotic_features if episode else None,
            facts,
            trd_settings,
            drugs=drugs,
            bipolar=bipolar,
        ),
        measures=scored,
        as_of=as_of,
        risk=risk_now(scored, reviews or ()),
        bipolar=bipolar,
        risk_reviews=tuple(sorted(reviews or ())),
        risk_findings=tuple(risk_findings(profile, scored, reviews or ())),
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
            reviews = risk_reviews_in(s, [patient_id]).get(patient_id, [])
        return summarize(profile, trials, measures, self.settings, as_of, reviews=reviews)


__all__ = ["BaselineKind", "ClinicalSummary", "ScoreFlag", "ScoredMeasure", "SummaryService", "summarize"]
