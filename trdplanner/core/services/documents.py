"""What the printed documents read: a patient's sessions over a period, the safety plan on
file, prefill values without a session, and storing a filled-in worksheet.

Each read is one database session; the export layer gets plain records and never touches
the database.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import select

from trdplanner.catalog import (
    Catalog,
    InstanceError,
    Kind,
    PrefillContext,
    Template,
    template_to_dict,
    validate_instance,
)
from trdplanner.core.db import Database
from trdplanner.core.errors import InputError, NotFoundError
from trdplanner.core.models import Patient, TemplateInstance, TherapySession
from trdplanner.core.records import (
    InstanceRec,
)
from trdplanner.core.services.form_measures import FormMeasure
from trdplanner.core.services.plans import plans_in
from trdplanner.core.services.practice import PracticeService
from trdplanner.core.services.sessions import SessionService, sessions_in
from trdplanner.core.services.summary import SummaryService
from trdplanner.core.services.templating import (
    SessionBundle,
    clinician_mapping,
    patient_mapping,
    previous_instances,
    snapshot_template,
)
from trdplanner.core.views import PatientSessions as PatientSessions
from trdplanner.core.views import SafetyPlan as SafetyPlan
from trdplanner.core.vocab import InstanceRole, PlanStatus
from trdplanner.settings import Settings

SAFETY_PLAN_TEMPLATE = "general-safety-plan"


def check_period(start: dt.date | None, end: dt.date | None) -> None:
    if start is not None and end is not None and start > end:
        raise InputError("from", f"{start.isoformat()} is after the end of the period ({end.isoformat()})")


class DocumentService:
    def __init__(self, db: Database, settings: Settings) -> None:
        self.db = db
        self.settings = settings

    def patient_sessions(
        self, patient_id: int, start: dt.date | None = None, end: dt.date | None = None
    ) -> PatientSessions:
        """Sessions dated within [start, end] (either end open), with one bundle each."""
        check_period(start, end)
        with self.db.reading() as s:
            if s.get(Patient, patient_id) is None:
                raise NotFoundError("patient", patient_id)
            sessions = sessions_in(s, patient_id)
            plans = [p for p in plans_in(s, patient_id) if p.status == PlanStatus.ACTIVE]
        summary = SummaryService(self.db, self.settings).for_patient(patient_id, as_of=end)
        practice_service = PracticeService(self.db)
        practice = practice_service.practice()
        default = practice_service.default_clinician()
        plan = plans[-1] if plans else None
        chosen = [x for x in sessions if (start is None or x.date >= start) and (end is None or x.date <= end)]
        bundles = [
            SessionBundle(
                profile=summary.profile,
                summary=summary,
                sessions=sessions,
                session=x,
                plan=plan,
                clinician=x.clinician or default,
                practice=practice,
            )
            for x in chosen
        ]
        latest = sessions[-1].clinician if sessions and sessions[-1].clinician else default
        return PatientSessions(summary, bundles, plan, latest, practice, start, end)

    def patient_prefill(self, patient_id: int, today: dt.date | None = None) -> PrefillContext:
        """Prefill values for a sheet printed for a patient outside any session."""
        return self._prefill(self.patient_sessions(patient_id), today)

    def _prefill(self, found: PatientSessions, today: dt.date | None) -> PrefillContext:
        practice = found.practice
        return PrefillContext(
            patient=patient_mapping(found.profile, self.settings),
            clinician=clinician_mapping(found.clinician),
            practice={"name": practice.name, "phone": practice.phone} if practice else {},
            session={"date": (today or dt.date.today()).isoformat()},
            previous=previous_instances(found.sessions),
        )

    def safety_plan(self, patient_id: int, today: dt.date | None = None) -> SafetyPlan:
        """The newest filled instance of the safety-plan template in any of the patient's sessions.

        ``prefill`` is dated the day that plan was written (or ``today`` when there is none),
        so a blank name or date on a stored plan can be filled in the same way.
        """
        found = self.patient_sessions(patient_id)
        for session in reversed(found.sessions):
            for inst in reversed(session.instances):
                if inst.template_id != SAFETY_PLAN_TEMPLATE:
                    continue
                template = snapshot_template(inst.template_snapshot)
                if template is not None:
                    return SafetyPlan(
                        found.profile,
                        session.clinician or found.clinician,
                        found.practice,
                        template,
                        dict(inst.values),
                        session,
                        self._prefill(found, session.date),
                    )
        prefill = self._prefill(found, today)
        return SafetyPlan(found.profile, found.clinician, found.practice, None, None, None, prefill)

    def worksheet_template(
        self, session_id: int, template_id: str, version: int, catalog: Catalog
    ) -> tuple[Template, int | None]:
        """The definition a returned worksheet's values belong to, and the instance to update.

        The session's own instance of that template wins (it keeps the definition it was
        filled with); otherwise the catalog's, which must be the version that was printed.
        """
        with self.db.reading() as s:
            if s.get(TherapySession, session_id) is None:
                raise NotFoundError("session", session_id)
            rows = list(
                s.scalars(
                    select(TemplateInstance)
                    .where(TemplateInstance.session_id == session_id, TemplateInstance.template_id == template_id)
                    .order_by(TemplateInstance.position)
                )
            )
            stored = [(r.id, dict(r.template_snapshot), r.template_version) for r in rows]
        for instance_id, snapshot, stored_version in reversed(stored):
            if stored_version != version:
                continue
            template = snapshot_template(snapshot)
            if template is not None:
                return template, instance_id
        template = catalog.find(template_id)
        if template is None:
            raise InputError("file", f"the worksheet was printed from template '{template_id}', which is not installed")
        if template.version != version:
            raise InputError(
                "file",
                f"the worksheet was printed from {template_id} v{version}; "
                f"the installed template is v{template.version}, so its answers cannot be matched",
            )
        return template, None

    def store_worksheet(
        self, session_id: int, template: Template, values: dict[str, Any], instance_id: int | None
    ) -> tuple[InstanceRec, FormMeasure | None]:
        """Validate returned values like any instance, then update or add it (a measure form
        records its measure in the same transaction). All or nothing."""
        cleaned = clean_values(template, values)
        sessions = SessionService(self.db)
        if instance_id is not None:
            return sessions.save_instance_values(instance_id, cleaned)
        role = InstanceRole.HOMEWORK if template.kind is Kind.HOMEWORK else InstanceRole.IN_SESSION
        rec = InstanceRec(
            template_id=template.id,
            template_version=template.version,
            template_snapshot=template_to_dict(template),
            values=cleaned,
            role=role,
        )
        rec.id, measure = sessions.save_instance(session_id, rec)
        return rec, measure

    def stored_values(self, instance_id: int | None) -> dict[str, Any]:
        """The values an instance holds now ({} when there is none yet)."""
        if instance_id is None:
            return {}
        with self.db.reading() as s:
            row = s.get(TemplateInstance, instance_id)
            if row is None:
                raise NotFoundError("template instance", instance_id)
            return dict(row.values)


def clean_values(template: Template, values: dict[str, Any]) -> dict[str, Any]:
    """``validate_instance(partial=True)``, its first problem raised as an InputError naming the field."""
    try:
        return validate_instance(template, values, partial=True)
    except InstanceError as exc:
        first, rest = exc.problems[0], exc.problems[1:]
        problem = first.message + (f"; also {'; '.join(str(p) for p in rest)}" if rest else "")
        raise InputError(first.path or "values", problem) from None
