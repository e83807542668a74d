"""The treatment-trial ledger."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from trdplanner.core.convert import record_from_row, row_from_record, update_row
from trdplanner.core.db import Database
from trdplanner.core.errors import InputError, NotFoundError
from trdplanner.core.models import Episode, Patient, Trial
from trdplanner.core.records import TrialRec
from trdplanner.core.validate import check_trial
from trdplanner.core.versioning import check_version


def _episode_ids(s: Session, patient_id: int) -> dict[int, int]:
    rows = s.execute(select(Episode.number, Episode.id).where(Episode.patient_id == patient_id))
    return {number: eid for number, eid in rows}


def trials_in(s: Session, patient_id: int) -> list[TrialRec]:
    numbers = {eid: number for number, eid in _episode_ids(s, patient_id).items()}
    # NULLS FIRST spelled out: SQLite puts unknown start dates first and PostgreSQL last by default,
    # and an export must list trials in the same order whichever database it came from.
    rows = s.scalars(
        select(Trial).where(Trial.patient_id == patient_id).order_by(Trial.start.asc().nulls_first(), Trial.id)
    )
    return [
        record_from_row(TrialRec, r, episode_number=numbers.get(r.episode_id) if r.episode_id else None) for r in rows
    ]


def add_trial_in(s: Session, patient_id: int, rec: TrialRec, field: str = "trial") -> int:
    episodes = _episode_ids(s, patient_id)
    check_trial(rec, set(episodes), field)
    row = row_from_record(
        Trial,
        rec,
        skip=("id", "episode_number", "version"),
        patient_id=patient_id,
        episode_id=episodes.get(rec.episode_number) if rec.episode_number else None,
    )
    s.add(row)
    s.flush()
    return row.id


class TrialService:
    def __init__(self, db: Database) -> None:
        self.db = db

    def list(self, patient_id: int) -> list[TrialRec]:
        with self.db.reading() as s:
            if s.get(Patient, patient_id) is None:
                raise NotFoundError("patient", patient_id)
            return trials_in(s, patient_id)

    def add(self, patient_id: int, rec: TrialRec) -> int:
        with self.db.transaction() as s:
            if s.get(Patient, patient_id) is None:
                raise NotFoundError("patient", patient_id)
            return add_trial_in(s, patient_id, rec)

    def update(self, rec: TrialRec) -> None:
        if rec.id is None:
            raise InputError("trial.id", "is required to update a trial")
        with self.db.transaction() as s:
            row = s.get(Trial, rec.id)
            if row is None:
                raise NotFoundError("trial", rec.id)
            check_version(row, rec.version, "trial")
            episodes = _episode_ids(s, row.patient_id)
            check_trial(rec, set(episodes))
            update_row(row, rec, skip=("id", "episode_number", "version"))
            row.episode_id = episodes.get(rec.episode_number) if rec.episode_number else None

    def delete(self, trial_id: int) -> None:
        with self.db.transaction() as s:
            row = s.get(Trial, trial_id)
            if row is None:
                raise NotFoundError("trial", trial_id)
            s.delete(row)
