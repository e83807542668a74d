"""Patient profiles: create, read, update, archive, and the searchable list."""

from __future__ import annotations

import datetime as dt
import hashlib

from sqlalchemy import delete, select, text
from sqlalchemy.orm import Session, selectinload

from trdplanner.core.convert import record_from_row, row_from_record, update_row
from trdplanner.core.db import Database
from trdplanner.core.errors import AccessDenied, InputError, NotFoundError
from trdplanner.core.models import (
    CareTeamMember,
    Comorbidity,
    ContributingFactor,
    Episode,
    Medication,
    Patient,
    PatientFlags,
    ProgressNote,
    PurgePermit,
    TherapySession,
)
from trdplanner.core.records import (
    CareTeamRec,
    ComorbidityRec,
    EpisodeRec,
    FactorRec,
    MedicationRec,
    PatientProfile,
    PatientSummary,
)
from trdplanner.core.services.cosign_queue import awaiting_query
from trdplanner.core.services.flags import compute_flags, refresh_stale
from trdplanner.core.text import fold, patient_search_text
from trdplanner.core.validate import check_profile, search_text
from trdplanner.core.versioning import check_version, touch
from trdplanner.core.vocab import NoteStatus, PatientStatus, RiskLevel
from trdplanner.settings import Settings


def profile_from_row(row: Patient) -> PatientProfile:
    return record_from_row(
        PatientProfile,
        row,
        comorbidities=[record_from_row(ComorbidityRec, c) for c in row.comorbidities],
        factors=[record_from_row(FactorRec, f) for f in row.factors],
        care_team=[record_from_row(CareTeamRec, m) for m in row.care_team],
        medications=[record_from_row(MedicationRec, m) for m in row.medications],
        episodes=[record_from_row(EpisodeRec, e) for e in row.episodes],
    )


def load_patient(s: Session, patient_id: int) -> Patient:
    row = s.get(
        Patient,
        patient_id,
        options=[
            selectinload(Patient.comorbidities),
            selectinload(Patient.factors),
            selectinload(Patient.care_team),
            selectinload(Patient.medications),
            selectinload(Patient.episodes),
        ],
    )
    if row is None:
        raise NotFoundError("patient", patient_id)
    return row


def _replace_children(row: Patient, profile: PatientProfile) -> None:
    row.comorbidities = [row_from_record(Comorbidity, c, position=i) for i, c in enumerate(profile.comorbidities)]
    row.factors = [row_from_record(ContributingFactor, f, position=i) for i, f in enumerate(profile.factors)]
    row.care_team = [row_from_record(CareTeamMember, m, position=i) for i, m in enumerate(profile.care_team)]
    row.medications = [row_from_record(Medication, m, position=i) for i, m in enumerate(profile.medications)]
    # Episodes keep their rows (trials point at them); match by number.
    existing = {e.number: e for e in row.episodes}
    kept: list[Episode] = []
    for rec in profile.episodes:
        ep = existing.get(rec.number)
        if ep is None:
            ep = row_from_record(Episode, rec)
        else:
            update_row(ep, rec)
        kept.append(ep)
    row.episodes = kept


def _search_text(p: PatientProfile) -> str:
    return patient_search_text(p.code, p.full_name, p.preferred_name, p.primary_diagnosis)


def create_patient_in(
    s: Session, profile: PatientProfile, *, clinician_id: int | None, stamp_risk_date: bool = True
) -> int:
    """A new patient row. ``stamp_risk_date``: a risk summary typed now is dated today; an imported
    one keeps the file's date (or none), since the app cannot know when it was written."""
    if s.scalar(select(Patient.id).where(Patient.code == profile.code)) is not None:
        raise InputError("code", f"a patient with code {profile.code!r} already exists")
    row = row_from_record(Patient, profile, clinician_id=clinician_id)
    if stamp_risk_date and row.risk_summary and row.risk_summary_updated is None:
        row.risk_summary_updated = dt.date.today()
    row.search_text = _search_text(profile)
    _replace_children(row, profile)
    s.add(row)
    s.flush()
    return row.id


class PatientService:
    def __init__(self, db: Database, settings: Settings | None = None) -> None:
        self.db = db
        self.trd_settings = (settings or Settings()).trd_settings()
        # The clinician working now, when they supervise anyone: the list counts the notes
        # waiting for their co-signature (set by the composition root).
        self.cosigner_id: int | None = None

    def summaries(
        self,
        search: str = "",
        *,
        status: str | None = PatientStatus.ACTIVE,
        limit: int | None = None,
        trd: str | None = None,
        risk: bool | None = None,
        unsigned: bool | None = None,
        awaiting_cosign_by: int | None = None,
    ) -> list[PatientSummary]:
        """The patient list, filtered by a search over name, code and diagnosis and by the derived flags.

        ``trd`` is a TRD status (trd / not_trd / insufficient_data); ``risk`` keeps patients with
        a risk flag or a high risk level; ``unsigned`` keeps patients with unsigned notes;
        ``awaiting_cosign_by`` keeps patients with a signed note waiting for that supervisor's co-signature.
        """
        self.refresh_flags()
        # Plain columns, not ORM objects: the list of 10,000 loads several times faster.
        query = (
            select(
                Patient.id, Patient.code, Patient.full_name, Patient.preferred_name, Patient.primary_diagnosis,
                Patient.status, Patient.risk_level, PatientFlags.last_session, PatientFlags.unsigned_notes,
                PatientFlags.trd_status, PatientFlags.failed_trials, PatientFlags.risk_flag, PatientFlags.open_alerts,
                Patient.search_text,
            )
            .outerjoin(PatientFlags, PatientFlags.patient_id == Patient.id)
            .order_by(Patient.full_name, Patient.id)
        )
        if status:
            query = query.where(Patient.status == status)
        for word in fold(search_text(search)).split():
            query = query.where(Patient.search_text.contains(word, autoescape=True))
        if trd:
            query = query.where(PatientFlags.trd_status == trd)
        if risk is not None:
            flagged = PatientFlags.risk_flag.is_(True) | (Patient.risk_level == RiskLevel.HIGH)
            query = query.where(flagged if risk else ~flagged)
        if unsigned is not None:
            query = query.where(PatientFlags.unsigned_notes > 0 if unsigned else PatientFlags.unsigned_notes == 0)
        if awaiting_cosign_by is not None:
            waiting_for = awaiting_query(awaiting_cosign_by).subquery()
            query = query.where(Patient.id.in_(select(waiting_for.c.patient_id)))
        if limit:
            query = query.limit(limit)
        with self.db.reading() as s:
            waiting: dict[int, int] = {}
            if self.cosigner_id is not None:
                for _sid, pid in s.execute(awaiting_query(self.cosigner_id)):
                    waiting[pid] = waiting.get(pid, 0) + 1
            return [
                PatientSummary(pid, code, name, preferred, dx, PatientStatus(status), RiskLevel(risk), last,
                               unsigned or 0, trd or "", failed or 0, bool(flagged), alerts or 0, search_text,
                               waiting.get(pid, 0))
                for pid, code, name, preferred, dx, status, risk, last, unsigned, trd, failed, flagged, alerts,
                search_text in s.execute(query).all()
            ]

    def refresh_flags(self) -> int:
        """Recompute the derived list flags that are missing or stale; returns how many were."""
        with self.db.transaction() as s:
            return refresh_stale(s, self.trd_settings)

    def rebuild_flags(self) -> int:
        """Recompute every patient's list flags (after the TRD settings change, say)."""
        with self.db.transaction() as s:
            return compute_flags(s, s.scalars(select(Patient.id)), self.trd_settings)

    def get(self, patient_id: int) -> PatientProfile:
        with self.db.reading() as s:
            return profile_from_row(load_patient(s, patient_id))

    def id_for_code(self, code: str) -> int | None:
        with self.db.reading() as s:
            return s.scalar(select(Patient.id).where(Patient.code == code))

    def create(self, profile: PatientProfile, *, clinician_id: int | None = None) -> int:
        check_profile(profile)
        with self.db.transaction() as s:
            return create_patient_in(s, profile, clinician_id=clinician_id)

    def update(self, profile: PatientProfile) -> PatientProfile:
        if profile.id is None:
            raise InputError("id", "is required to update a patient")
        check_profile(profile)
        with self.db.transaction() as s:
            row = load_patient(s, profile.id)
            check_version(row, profile.version, "patient profile")
            clash = s.scalar(select(Patient.id).where(Patient.code == profile.code, Patient.id != profile.id))
            if clash is not None:
                raise InputError("code", f"a patient with code {profile.code!r} already exists")
            if profile.risk_summary != row.risk_summary:
                profile.risk_summary_updated = dt.date.today()
            elif profile.risk_summary_updated is None:
                profile.risk_summary_updated = row.risk_summary_updated
            update_row(row, profile)
            row.search_text = _search_text(profile)
            _replace_children(row, profile)
            touch(row)  # children may be all that changed; the profile's version still moves (once)
            s.flush()
            return profile_from_row(row)

    def set_status(self, patient_id: int, status: PatientStatus) -> None:
        """Archive or reactivate; patients are never deleted from here."""
        with self.db.transaction() as s:
            load_patient(s, patient_id).status = status

    def purge(self, patient_id: int, *, confirm_code: str) -> None:
        """Delete an ARCHIVED patient's whole record, signed notes included; audited.

        The caller must repeat the patient's print code (the confirmation a person gives).
        The audit event keeps the database id and a hash of the code, never the name.
        """
        from trdplanner.core import audit

        with self.db.transaction() as s:
            if s.info.get("group") and not s.execute(text("SELECT trd_is_admin()")).scalar_one():
                raise AccessDenied("Only an admin purges a patient's record.")
            row = s.get(Patient, patient_id)
            if row is None:
                raise NotFoundError("patient", patient_id)
            if row.status != PatientStatus.ARCHIVED:
                raise InputError("patient", "only an archived patient can be purged; archive them first")
            if confirm_code != row.code:
                raise InputError("confirmation", "does not match the patient's code; nothing was deleted")
            code_hash = hashlib.sha256(row.code.encode()).hexdigest()
            signed = list(
                s.scalars(
                    select(ProgressNote.id)
                    .join(TherapySession, TherapySession.id == ProgressNote.session_id)
                    .where(TherapySession.patient_id == patient_id, ProgressNote.status == NoteStatus.SIGNED)
                )
            )
            audit.summarise_in(
                s, "patient.purge", "patient", patient_id, {"code_sha256": code_hash, "signed_notes": signed}
            )
            if s.get_bind().dialect.name == "postgresql":
                # Only a role an administrator granted EXECUTE may purge (core/guards.py).
                s.execute(text("SELECT trd_purge_patient(:p)"), {"p": patient_id})
                s.expunge(row)
                return
            # A permit for this one patient lets the guards pass its signed notes and addenda;
            # deleting the patient consumes it (a trigger removes it).
            s.add(PurgePermit(patient_id=patient_id))
            s.flush()
            s.delete(row)
            s.flush()
            s.execute(delete(PurgePermit).where(PurgePermit.patient_id == patient_id))
