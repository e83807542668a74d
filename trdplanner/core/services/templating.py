"""What session templates and note formats see of a stored session.

Builds the plain mappings the catalog needs: the prefill context for a template
(patient, clinician, practice, session, earlier instances) and the note context a
note format renders from (measures with change, risk, interventions, templates
completed, homework, objectives). Both read through the other services, so the
GUI, the CLI and the PDF export share one definition of "the session".
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from trdplanner.catalog import (
    PrefillContext,
    Template,
    TemplateError,
    prefill,
    summarize_instance,
    template_from_dict,
)
from trdplanner.clinical import Instrument, ScoreFlag
from trdplanner.core.records import (
    ClinicianRec,
    PatientProfile,
    PlanRec,
    PracticeRec,
    SessionRec,
)
from trdplanner.core.services.summary import ClinicalSummary, ScoredMeasure
from trdplanner.core.vocab import MODALITY_LABELS, Modality
from trdplanner.settings import PrintIdentity, Settings


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

    @property
    def earlier(self) -> list[SessionRec]:
        return [s for s in self.sessions if (s.date, s.number) < (self.session.date, self.session.number)]


def initials(full_name: str) -> str:
    return "".join(f"{part[0]}." for part in full_name.split() if part)


def print_name(profile: PatientProfile, identity: PrintIdentity) -> str:
    """How the patient is named on paper, per the privacy setting."""
    if identity == PrintIdentity.NAME:
        return profile.full_name
    if identity == PrintIdentity.INITIALS:
        return initials(profile.full_name)
    return profile.code


def patient_mapping(profile: PatientProfile, settings: Settings) -> dict[str, Any]:
    return {
        "print_name": print_name(profile, settings.print_identity),
        "display_name": profile.display_name,
        "preferred_name": profile.preferred_name or profile.full_name,
        "print_code": profile.code,
        "pronouns": profile.pronouns,
    }


def clinician_mapping(clinician: ClinicianRec | None) -> dict[str, Any]:
    if clinician is None:
        return {"name": "", "credentials": "", "display": ""}
    return {"name": clinician.name, "credentials": clinician.credentials, "display": clinician.display}


def modality_label(modality: str) -> str:
    try:
        return MODALITY_LABELS[Modality(modality)]
    except ValueError:
        return modality or "Not set"


def snapshot_template(snapshot: dict[str, Any]) -> Template | None:
    """The definition an instance was filled with; None if the stored snapshot is unreadable."""
    try:
        return template_from_dict(snapshot)
    except TemplateError:
        return None


def previous_instances(earlier: list[SessionRec]) -> dict[str, list[dict[str, Any]]]:
    """Earlier filled values by template id, newest first."""
    found: dict[str, list[dict[str, Any]]] = {}
    for session in sorted(earlier, key=lambda s: (s.date, s.number), reverse=True):
        for inst in reversed(session.instances):
            found.setdefault(inst.template_id, []).append(dict(inst.values))
    return found


def prefill_context(bundle: SessionBundle, settings: Settings) -> PrefillContext:
    session = bundle.session
    return PrefillContext(
        patient=patient_mapping(bundle.profile, settings),
        clinician=clinician_mapping(bundle.clinician),
        practice={"name": bundle.practice.name, "phone": bundle.practice.phone} if bundle.practice else {},
        session={"date": session.date.isoformat(), "number": session.number, "modality": session.modality},
        previous=previous_instances(bundle.earlier),
    )


def prefilled_values(template: Template, bundle: SessionBundle, settings: Settings) -> dict[str, Any]:
    return prefill(template, prefill_context(bundle, settings))


def _measure_mapping(m: ScoredMeasure, baseline: ScoredMeasure | None) -> dict[str, Any]:
    change = m.change
    return {
        "instrument": m.record.instrument,
        "name": Instrument(m.record.instrument).display_name,
        "date": m.record.taken_on.isoformat(),
        "total": m.score.total,
        "max_total": m.score.max_total,
        "severity": m.score.severity,
        "baseline_total": baseline.score.total if baseline else None,
        "baseline_date": baseline.record.taken_on.isoformat() if baseline else None,
        "change": change.delta if change else None,
        "percent_change": change.percent_change if change else None,
        "response": change.response if change else None,
        "remission": change.remission if change else None,
        "reliable_improvement": change.reliable_improvement if change else None,
        "reliable_deterioration": change.reliable_deterioration if change else None,
        "flags": sorted(str(f) for f in m.score.flags),
    }


def session_measures(bundle: SessionBundle) -> list[ScoredMeasure]:
    """Measures taken in this session, or on its date when not linked to a session."""
    s = bundle.session
    return [
        m
        for m in bundle.summary.measures
        if m.record.session_number == s.number or (m.record.session_number is None and m.record.taken_on == s.date)
    ]


def risk_mapping(bundle: SessionBundle, todays: list[ScoredMeasure]) -> dict[str, Any]:
    item9 = [m for m in todays if m.record.instrument == Instrument.PHQ9 and m.score.suicidality_item_score is not None]
    positive = any(m.score.has(ScoreFlag.PHQ9_ITEM9_POSITIVE) for m in todays)
    return {
        "item9_positive": positive,
        "item9_score": max((m.score.suicidality_item_score or 0) for m in item9) if item9 else None,
        "safety_plan_reviewed": bundle.session.safety_plan_reviewed,
        "summary": bundle.profile.risk_summary,
    }


def _objective_target(o: Any) -> str:
    if o.target_instrument and o.target_comparator and o.target_value is not None:
        value = int(o.target_value) if float(o.target_value).is_integer() else o.target_value
        name = Instrument(o.target_instrument).display_name
        by = f" by {o.target_date.isoformat()}" if o.target_date else ""
        return f"{name} {o.target_comparator} {value}{by}"
    return o.target_date.isoformat() if o.target_date else "not set"


def note_context(bundle: SessionBundle, settings: Settings) -> dict[str, Any]:
    session = bundle.session
    todays = session_measures(bundle)
    first: dict[str, ScoredMeasure] = {}
    for m in bundle.summary.measures:
        first.setdefault(m.record.instrument, m)
    completed = []
    for inst in session.instances:
        template = snapshot_template(inst.template_snapshot)
        if template is None:
            completed.append({"title": inst.template_id, "summary": "(stored definition unreadable)"})
            continue
        completed.append({"title": template.title, "summary": summarize_instance(template, inst.values)})
    reviewed = [
        {"title": h.title, "status": h.status.replace("_", " "), "notes": h.review_notes}
        for s in bundle.sessions
        for h in s.homework
        if h.reviewed_in_session_number == session.number
    ]
    objectives = []
    if bundle.plan:
        for problem in bundle.plan.problems:
            for goal in problem.goals:
                for o in goal.objectives:
                    objectives.append(
                        {"text": o.text, "status": o.status.replace("_", " "), "target": _objective_target(o)}
                    )
    return {
        "patient": {
            "display_name": bundle.profile.display_name,
            "print_code": bundle.profile.code,
            "pronouns": bundle.profile.pronouns,
        },
        "clinician": clinician_mapping(bundle.clinician),
        "session": {
            "date": session.date.isoformat(),
            "number": session.number,
            "format": session.format,
            "modality": session.modality,
            "modality_label": modality_label(session.modality),
            "agenda": list(session.agenda),
        },
        "measures": [_measure_mapping(m, first.get(m.record.instrument)) for m in todays],
        "risk": risk_mapping(bundle, todays),
        "interventions": list(session.interventions),
        "templates_completed": completed,
        "homework_reviewed": reviewed,
        "homework_assigned": [{"title": h.title, "instructions": h.instructions} for h in session.homework],
        "objectives": objectives,
        "medications": [
            {"name": m.name, "dose": m.dose, "schedule": m.schedule, "adherence": m.adherence}
            for m in bundle.profile.medications
        ],
    }

