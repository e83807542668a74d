"""Gathers one session with everything around it, in one read."""

from __future__ import annotations

from sqlalchemy import select

from trdplanner.core.db import Database
from trdplanner.core.errors import NotFoundError
from trdplanner.core.models import TherapySession
from trdplanner.core.services.courses import last_dosing_in
from trdplanner.core.services.plans import plans_in
from trdplanner.core.services.practice import PracticeService
from trdplanner.core.services.sessions import sessions_in
from trdplanner.core.services.summary import SummaryService
from trdplanner.core.services.templating import SessionBundle
from trdplanner.core.vocab import PlanStatus
from trdplanner.settings import Settings


class BundleService:
    def __init__(self, db: Database, settings: Settings) -> None:
        self.db = db
        self.settings = settings

    def for_session(self, session_id: int) -> SessionBundle:
        with self.db.reading() as s:
            patient_id = s.scalar(select(TherapySession.patient_id).where(TherapySession.id == session_id))
            if patient_id is None:
                raise NotFoundError("session", session_id)
            sessions = sessions_in(s, patient_id)
            plans = [p for p in plans_in(s, patient_id) if p.status == PlanStatus.ACTIVE]
            session_day = s.scalar(select(TherapySession.date).where(TherapySession.id == session_id))
            assert session_day is not None
            last_dosing = last_dosing_in(s, patient_id, session_day)
        summary = SummaryService(self.db, self.settings).for_patient(patient_id)
        session = next(x for x in sessions if x.id == session_id)
        practice = PracticeService(self.db)
        clinician = session.clinician or practice.default_clinician()
        return SessionBundle(
            profile=summary.profile,
            summary=summary,
            sessions=sessions,
            session=session,
            plan=plans[-1] if plans else None,
            clinician=clinician,
            practice=practice.practice(),
            last_dosing=last_dosing,
        )
