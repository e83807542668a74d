"""Keeps ``patient_flags`` (TRD status, risk flag, unsigned notes, last session) current.

Every ORM transaction that touches a patient's profile, episodes, trials, measures,
sessions or notes refreshes that patient's row just before it commits, whichever
service or command made the change. The TRD status depends on the TRD settings, so
each row records the settings it was worked out under (``rule``); a row written under
other settings, or missing altogether, is recomputed the next time the list is read.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable

from sqlalchemy import event, exists, func, or_, select
from sqlalchemy.orm import Session

from trdplanner.catalog.drugs import builtin_drug_table
from trdplanner.clinical import (
    SuicidalityObservation,
    TrdSettings,
    is_bipolar_spectrum,
    risk_flag,
    score,
    trd_status,
)
from trdplanner.core.convert import record_from_row
from trdplanner.core.models import (
    Episode,
    Measure,
    Patient,
    PatientFlags,
    ProgressNote,
    TherapySession,
    Trial,
)
from trdplanner.core.records import EpisodeRec, TrialRec
from trdplanner.core.vocab import NOT_HELD, NoteStatus, SessionStatus

CHUNK = 500
_TRACKED = (Patient, Episode, Trial, Measure, TherapySession, ProgressNote)
_settings = TrdSettings()


def configure(settings: TrdSettings) -> None:
    """The TRD settings used when a transaction refreshes flags (the app's current settings)."""
    global _settings
    _settings = settings


# Bumped whenever what a row holds changes, so rows written by an older version are redone once.
# 3: failures per distinct agent, the drug table, bipolar not applicable, risk that never quietly clears.
FLAGS_VERSION = 3


def rule_key(settings: TrdSettings) -> str:
    return (
        f"v{FLAGS_VERSION}|{settings.min_weeks:g}|{int(settings.partial_response_counts_as_failure)}"
        f"|{int(settings.partial_adherence_is_adequate)}|{int(settings.intolerance_stop_counts_as_failure)}"
    )


def risk_reviews_in(s: Session, patient_ids: Iterable[int]) -> dict[int, list[dt.date]]:
    """Dates of completed risk reviews: a completed session with the safety plan reviewed and its note signed.

    The signature is what makes it a completed review: a ticked box in a draft proves nothing yet.
    """
    ids = list(patient_ids)
    out: dict[int, list[dt.date]] = defaultdict(list)
    if not ids:
        return out
    rows = s.execute(
        select(TherapySession.patient_id, TherapySession.date)
        .join(ProgressNote, ProgressNote.session_id == TherapySession.id)
        .where(
            TherapySession.patient_id.in_(ids),
            TherapySession.status == SessionStatus.COMPLETED,
            TherapySession.safety_plan_reviewed.is_(True),
            ProgressNote.status == NoteStatus.SIGNED,
        )
    )
    for pid, day in rows:
        out[pid].append(day)
    return out


def observation(instrument: str, taken_on: dt.date, items: list[int] | None, total: int,
                acknowledged: bool) -> SuicidalityObservation:
    """A stored measure as the risk rule sees it (its suicidality item, or unknown)."""
    result = score(instrument, items=items, total=None if items is not None else total)
    return SuicidalityObservation(taken_on, result.instrument.display_name, result.suicidality_item_score,
                                  acknowledged)


def _current_episode(episodes: list[EpisodeRec]) -> EpisodeRec | None:
    open_episodes = [e for e in episodes if e.ended is None]
    return max(open_episodes, key=lambda e: e.number) if open_episodes else None


def compute_flags(s: Session, patient_ids: Iterable[int], settings: TrdSettings, today: dt.date | None = None) -> int:
    """Recompute the rows for these patients in a few set-based queries per chunk. Returns rows written."""
    # Imported here: summary imports the services, which import this module.
    from trdplanner.core.services.summary import trial_facts

    today = today or dt.date.today()
    ids = sorted(set(patient_ids))
    written = 0
    for start in range(0, len(ids), CHUNK):
        chunk = [
            pid for pid in s.scalars(select(Patient.id).where(Patient.id.in_(ids[start : start + CHUNK])))
        ]
        if not chunk:
            continue
        episodes: dict[int, list[EpisodeRec]] = defaultdict(list)
        numbers: dict[int, int] = {}
        for e in s.scalars(select(Episode).where(Episode.patient_id.in_(chunk))):
            episodes[e.patient_id].append(record_from_row(EpisodeRec, e))
            numbers[e.id] = e.number
        trials: dict[int, list[TrialRec]] = defaultdict(list)
        for t in s.scalars(select(Trial).where(Trial.patient_id.in_(chunk)).order_by(Trial.start, Trial.id)):
            trials[t.patient_id].append(
                record_from_row(TrialRec, t, episode_number=numbers.get(t.episode_id) if t.episode_id else None)
            )
        observations: dict[int, list[SuicidalityObservation]] = defaultdict(list)
        measure_rows = s.execute(
            select(
                Measure.patient_id,
                Measure.instrument,
                Measure.taken_on,
                Measure.items,
                Measure.total,
                Measure.alert_acknowledged_at,
            )
            .where(Measure.patient_id.in_(chunk))
            .order_by(Measure.taken_on, Measure.id)
        )
        for pid, instrument, taken_on, items, total, acknowledged in measure_rows:
            observations[pid].append(observation(instrument, taken_on, items, total, acknowledged is not None))
        reviews = risk_reviews_in(s, chunk)
        diagnoses = {
            pid: (text, code)
            for pid, text, code in s.execute(
                select(Patient.id, Patient.primary_diagnosis, Patient.primary_diagnosis_icd10).where(
                    Patient.id.in_(chunk)
                )
            )
        }
        drugs = builtin_drug_table()
        unsigned = dict(
            s.execute(
                select(TherapySession.patient_id, func.count(ProgressNote.id))
                .join(ProgressNote, ProgressNote.session_id == TherapySession.id)
                .where(TherapySession.patient_id.in_(chunk), ProgressNote.status == NoteStatus.DRAFT)
                .group_by(TherapySession.patient_id)
            ).all()
        )
        # The last session held or due by today: a session planned for next week is not "last".
        last = dict(
            s.execute(
                select(TherapySession.patient_id, func.max(TherapySession.date))
                .where(
                    TherapySession.patient_id.in_(chunk),
                    TherapySession.date <= today,
                    TherapySession.status.notin_([str(x) for x in NOT_HELD]),
                )
                .group_by(TherapySession.patient_id)
            ).all()
        )
        existing = {f.patient_id: f for f in s.scalars(select(PatientFlags).where(PatientFlags.patient_id.in_(chunk)))}
        key = rule_key(settings)
        for pid in chunk:
            facts = trial_facts(trials.get(pid, []), _current_episode(episodes.get(pid, [])))
            bipolar = is_bipolar_spectrum(*diagnoses.get(pid, ("", "")))
            status = trd_status(facts, settings, as_of=today, drugs=drugs, bipolar=bipolar)
            risk = risk_flag(observations.get(pid, []), reviews.get(pid, []))
            row = existing.get(pid)
            if row is None:
                row = PatientFlags(patient_id=pid)
                s.add(row)
            row.trd_status = str(status.status)
            row.failed_trials = status.adequate_failed_trials
            row.risk_flag = risk.raised
            row.open_alerts = risk.open_alerts
            row.unsigned_notes = int(unsigned.get(pid, 0))
            row.last_session = last.get(pid)
            row.rule = key
            row.computed_on = today
            written += 1
        s.flush()
    return written


def stale_patient_ids(s: Session, settings: TrdSettings, today: dt.date | None = None) -> list[int]:
    """Patients with no row, a row from other TRD settings, or a row from before today that today changes:
    an open trial (its duration grows) or a session whose date has come since."""
    today = today or dt.date.today()
    open_trial = exists().where(Trial.patient_id == Patient.id, Trial.stop.is_(None))
    session_came = exists().where(
        TherapySession.patient_id == Patient.id,
        TherapySession.date > PatientFlags.computed_on,
        TherapySession.date <= today,
    )
    query = (
        select(Patient.id)
        .outerjoin(PatientFlags, PatientFlags.patient_id == Patient.id)
        .where(
            or_(
                PatientFlags.patient_id.is_(None),
                PatientFlags.rule != rule_key(settings),
                (PatientFlags.computed_on < today) & (open_trial | session_came),
            )
        )
    )
    return list(s.scalars(query))


def refresh_stale(s: Session, settings: TrdSettings) -> int:
    stale = stale_patient_ids(s, settings)
    return compute_flags(s, stale, settings) if stale else 0


# --------------------------------------------------------------------------- tracking


def _patient_ids_touched(s: Session) -> set[int]:
    touched: set[int] = s.info.setdefault("flags_touched", set())
    return touched


@event.listens_for(Session, "after_flush")
def _collect(session: Session, _flush_context: object) -> None:
    touched = _patient_ids_touched(session)
    note_sessions: set[int] = set()
    for obj in (*session.new, *session.dirty, *session.deleted):
        if not isinstance(obj, _TRACKED):
            continue
        if isinstance(obj, Patient):
            if obj.id is not None:
                touched.add(obj.id)
        elif isinstance(obj, ProgressNote):
            if obj.session_id is not None:
                note_sessions.add(obj.session_id)
        elif obj.patient_id is not None:
            touched.add(obj.patient_id)
    if note_sessions:
        touched.update(
            session.scalars(select(TherapySession.patient_id).where(TherapySession.id.in_(note_sessions)))
        )


@event.listens_for(Session, "before_commit")
def _refresh(session: Session) -> None:
    if session.new or session.dirty or session.deleted:
        session.flush()  # so the last changes are collected too
    touched = session.info.pop("flags_touched", None)
    if touched:
        compute_flags(session, touched, _settings)
        session.info.pop("flags_touched", None)  # our own writes are not changes to track


@event.listens_for(Session, "after_rollback")
def _forget(session: Session) -> None:
    session.info.pop("flags_touched", None)
