"""Outcome measures: entry with validation, listing, and item-9 alert acknowledgement."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from sqlalchemy import select
from sqlalchemy.orm import Session

from trdplanner.clinical import MeasureInputError, validate
from trdplanner.clinical import score as score_measure
from trdplanner.core.convert import record_from_row
from trdplanner.core.db import Database
from trdplanner.core.errors import InputError, NotFoundError
from trdplanner.core.models import Measure, Patient, TherapySession
from trdplanner.core.models.base import utcnow
from trdplanner.core.records import MeasureRec


def measures_in(s: Session, patient_id: int) -> list[MeasureRec]:
    numbers = {
        sid: number
        for sid, number in s.execute(
            select(TherapySession.id, TherapySession.number).where(TherapySession.patient_id == patient_id)
        )
    }
    rows = s.scalars(select(Measure).where(Measure.patient_id == patient_id).order_by(Measure.taken_on, Measure.id))
    return [
        record_from_row(
            MeasureRec,
            r,
            items=list(r.items) if r.items is not None else None,
            session_number=numbers.get(r.session_id) if r.session_id else None,
        )
        for r in rows
    ]


def add_measure_in(
    s: Session,
    patient_id: int,
    rec: MeasureRec,
    *,
    session_id: int | None = None,
    field: str = "measure",
) -> int:
    """Validate against the instrument and store; the total is always recomputed from items."""
    try:
        validate(rec.instrument, items=rec.items, total=None if rec.items is not None else rec.total)
        result = score_measure(rec.instrument, items=rec.items, total=None if rec.items is not None else rec.total)
    except MeasureInputError as exc:
        raise InputError(f"{field}.{exc.field}", exc.message) from exc
    if rec.taken_on > dt.date.today() + dt.timedelta(days=1):
        raise InputError(f"{field}.taken_on", "is in the future")
    row = Measure(
        patient_id=patient_id,
        session_id=session_id,
        instrument=str(rec.instrument),
        taken_on=rec.taken_on,
        items=list(rec.items) if rec.items is not None else None,
        total=result.total,
        notes=rec.notes,
        alert_acknowledged_by=rec.alert_acknowledged_by,
        alert_acknowledged_at=rec.alert_acknowledged_at,
    )
    s.add(row)
    s.flush()
    return row.id


class MeasureService:
    def __init__(self, db: Database) -> None:
        self.db = db

    def add(
        self,
        patient_id: int,
        instrument: str,
        *,
        items: Sequence[int] | None = None,
        total: int | None = None,
        taken_on: dt.date | None = None,
        session_id: int | None = None,
        notes: str = "",
    ) -> MeasureRec:
        if (items is None) == (total is None):
            raise InputError("measure", "give either the item answers or a total, not both")
        rec = MeasureRec(
            instrument=instrument,
            taken_on=taken_on or dt.date.today(),
            total=total if total is not None else 0,
            items=list(items) if items is not None else None,
            notes=notes,
        )
        with self.db.transaction() as s:
            if s.get(Patient, patient_id) is None:
                raise NotFoundError("patient", patient_id)
            if session_id is not None:
                session = s.get(TherapySession, session_id)
                if session is None or session.patient_id != patient_id:
                    raise InputError("session", f"no session {session_id} for this patient")
            measure_id = add_measure_in(s, patient_id, rec, session_id=session_id)
            row = s.get(Measure, measure_id)
            assert row is not None
            return record_from_row(MeasureRec, row, items=rec.items, session_number=None)

    def list(self, patient_id: int) -> list[MeasureRec]:
        with self.db.reading() as s:
            if s.get(Patient, patient_id) is None:
                raise NotFoundError("patient", patient_id)
            return measures_in(s, patient_id)

    def acknowledge_alert(self, measure_id: int, clinician: str) -> MeasureRec:
        """Record who reviewed a positive suicidality item, and when. The flag itself stays."""
        if not clinician.strip():
            raise InputError("clinician", "must name who reviewed the alert")
        with self.db.transaction() as s:
            row = s.get(Measure, measure_id)
            if row is None:
                raise NotFoundError("measure", measure_id)
            if not row.alert_acknowledged_at:
                row.alert_acknowledged_by = clinician
                row.alert_acknowledged_at = utcnow()
            s.flush()
            return record_from_row(MeasureRec, row, session_number=None)
