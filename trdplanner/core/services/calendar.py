"""Planned sessions for a calendar: print code, session number, date and length only."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select

from trdplanner.core.audit import record_in
from trdplanner.core.db import Database
from trdplanner.core.errors import NotFoundError
from trdplanner.core.models import Patient, TherapySession
from trdplanner.core.records import PlannedVisit
from trdplanner.core.vocab import PatientStatus, SessionStatus


class CalendarService:
    def __init__(self, db: Database) -> None:
        self.db = db

    def planned(self, patient_id: int | None = None, *, since: dt.date | None = None) -> list[PlannedVisit]:
        """Sessions still marked planned, oldest first, and one audit event for the export.

        Without a patient: every active patient's (an archived patient's old plans stay out).
        """
        query = (
            select(Patient.code, TherapySession.number, TherapySession.date, TherapySession.duration_minutes)
            .join(Patient, Patient.id == TherapySession.patient_id)
            .where(TherapySession.status == SessionStatus.PLANNED)
            .order_by(TherapySession.date, Patient.code, TherapySession.number)
        )
        if patient_id is not None:
            query = query.where(TherapySession.patient_id == patient_id)
        else:
            query = query.where(Patient.status == PatientStatus.ACTIVE)
        if since is not None:
            query = query.where(TherapySession.date >= since)
        with self.db.transaction() as s:
            if patient_id is not None and s.get(Patient, patient_id) is None:
                raise NotFoundError("patient", patient_id)
            visits = [PlannedVisit(code, number, date, minutes) for code, number, date, minutes in s.execute(query)]
            record_in(
                s,
                "calendar.export",
                "patient" if patient_id is not None else "",
                patient_id if patient_id is not None else "",
                {"sessions": len(visits)},
            )
            return visits
