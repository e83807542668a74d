"""What session templates and note formats see of a stored session.

Builds the plain mappings the catalog needs: the prefill context for a template
(patient, clinician, practice, session, earlier instances) and the note context a
note format renders from (measures with change, risk, interventions, templates
completed, homework, objectives). Both read through the other services, so the
GUI, the CLI and the PDF export share one definition of "the session".
"""

from __future__ import annotations

from typing import Any

from trdplanner.catalog import (
    NoteFormat,
    PrefillContext,
    Template,
    TemplateError,
    answered_fields,
    prefill,
    render_note,
    summarize_instance,
    template_from_dict,
)
from trdplanner.clinical import Instrument, ScoreFlag, flag_phrases, review_text, suicidality_finding
from trdplanner.core.records import (
    ClinicianRec,
    PatientProfile,
    SessionRec,
)
from trdplanner.core.risk_findings import FindingKind
from trdplanner.core.views import ScoredMeasure
from trdplanner.core.views import SessionBundle as SessionBundle
from trdplanner.core.vocab import MODALITY_LABELS, AttendanceStatus, HomeworkStatus, Modality, SessionStatus
from trdplanner.settings import PrintIdentity, Settings


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
        # In the words a clinician writes, never the flag identifiers.
        "flags": flag_phrases(m.score),
    }


def _counts_for_date(session: SessionRec) -> bool:
    try:
        return SessionStatus(session.status).counts_for_date
    except ValueError:
        return False


def measures_of_session(
    measures: list[ScoredMeasure], session: SessionRec, sessions: list[SessionRec]
) -> list[ScoredMeasure]:
    """The measures that belong to ``session``: those entered in it, and those entered without a
    session on its date when it is the patient's only session that day that was not called off.
    A measure never attaches by date to a session that was not held or to one of two that day."""
    same_day = [x for x in sessions if x.date == session.date and _counts_for_date(x)]
    by_date = _counts_for_date(session) and len(same_day) == 1
    return [
        m
        for m in measures
        if m.record.session_number == session.number
        or (by_date and m.record.session_number is None and m.record.taken_on == session.date)
    ]


def session_measures(bundle: SessionBundle) -> list[ScoredMeasure]:
    """Measures taken in this session (see :func:`measures_of_session`)."""
    return measures_of_session(bundle.summary.measures, bundle.session, bundle.sessions)


def reasons_from(todays: list[ScoredMeasure], open_alerts: list[ScoredMeasure]) -> list[str]:
    """Why a session's note needs a structured risk review; empty when it does not.

    A suicidality item answered above 0 in this session (PHQ-9 item 9, QIDS-SR16 item 12,
    HAM-D17 item 3), or an alert from any earlier score that no clinician has acknowledged yet.
    """
    reasons = [f"{suicidality_finding(m.score)} on {m.record.taken_on.isoformat()}" for m in todays if m.needs_alert]
    ids = {id(m.record) for m in todays}
    for m in open_alerts:
        if id(m.record) not in ids:
            reasons.append(
                f"open alert: {suicidality_finding(m.score)} on {m.record.taken_on.isoformat()}, not yet acknowledged"
            )
    return reasons


def review_reasons(bundle: SessionBundle, todays: list[ScoredMeasure] | None = None) -> list[str]:
    todays = session_measures(bundle) if todays is None else todays
    return reasons_from(todays, bundle.summary.open_alerts)


RISK_REVIEW_SECTION = "risk_review"
RISK_REVIEW_TITLE = "Risk review"


def risk_review_section(reasons: list[str], fields: dict[str, Any] | None = None) -> tuple[str, str, str]:
    """The structured risk review as a note section ``(id, title, text)``."""
    return RISK_REVIEW_SECTION, RISK_REVIEW_TITLE, review_text(fields, reasons)


def draft_sections(fmt: NoteFormat, bundle: SessionBundle, settings: Settings) -> list[tuple[str, str, str]]:
    """A new draft in ``fmt``: the format's sections from the session's facts and, when a
    suicidality item is positive or an alert is open, the risk review right after the format's
    risk section (its parts blank, to be completed before signing)."""
    context = note_context(bundle, settings)
    sections = render_note(fmt, context)
    reasons = review_reasons(bundle)
    if reasons:
        at = next((i + 1 for i, x in enumerate(fmt.sections) if x.risk), len(sections))
        sections.insert(at, risk_review_section(reasons))
    return sections


def risk_mapping(bundle: SessionBundle, todays: list[ScoredMeasure]) -> dict[str, Any]:
    item9 = [m for m in todays if m.record.instrument == Instrument.PHQ9 and m.score.suicidality_item_score is not None]
    positive = any(m.score.has(ScoreFlag.PHQ9_ITEM9_POSITIVE) for m in todays)
    profile = bundle.profile
    return {
        "item9_positive": positive,
        "item9_score": max((m.score.suicidality_item_score or 0) for m in item9) if item9 else None,
        "safety_plan_reviewed": bundle.session.safety_plan_reviewed,
        "summary": profile.risk_summary,
        "summary_updated": profile.risk_summary_updated.isoformat() if profile.risk_summary_updated else "",
        "findings": [suicidality_finding(m.score) for m in todays if m.needs_alert],
        "open_alerts": [r for r in review_reasons(bundle, todays) if r.startswith("open alert: ")],
        "review_required": bool(review_reasons(bundle, todays)),
        # The risk flag as the session's risk findings say it, when an earlier score raised it.
        "standing": [f.text for f in bundle.risk_findings if f.kind is FindingKind.FLAG_RAISED
                     and (f.taken_on, f.instrument) not in {(m.record.taken_on, m.record.instrument) for m in todays}],
    }


def _objective_target(o: Any) -> str:
    if o.target_instrument and o.target_comparator and o.target_value is not None:
        value = int(o.target_value) if float(o.target_value).is_integer() else o.target_value
        name = Instrument(o.target_instrument).display_name
        by = f" by {o.target_date.isoformat()}" if o.target_date else ""
        return f"{name} {o.target_comparator} {value}{by}"
    return o.target_date.isoformat() if o.target_date else "not set"


def _forms(session: SessionRec) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """This session's instances: those with answers (summarised), and those without (named with
    what they are: assigned as homework, not filled in, or a handout given)."""
    filled: list[dict[str, Any]] = []
    unfilled: list[dict[str, Any]] = []
    for inst in session.instances:
        template = snapshot_template(inst.template_snapshot)
        if template is None:
            filled.append({"title": inst.template_id, "summary": "(stored definition unreadable)"})
            continue
        if not template.input_fields:
            unfilled.append({"title": template.title, "state": "handout given"})
            continue
        if not answered_fields(template, inst.values):
            state = "assigned as homework, not filled in yet" if inst.role == "homework" else "not filled in"
            unfilled.append({"title": template.title, "state": state})
            continue
        filled.append({"title": template.title, "summary": summarize_instance(template, inst.values, "filled")})
    return filled, unfilled


def _homework_worksheet(bundle: SessionBundle, assigned_in: SessionRec, template_id: str) -> str:
    """The summary of the worksheet a homework item names, as filled in its session ("" if none)."""
    if not template_id:
        return ""
    for inst in assigned_in.instances:
        if inst.template_id != template_id:
            continue
        template = snapshot_template(inst.template_snapshot)
        if template is not None and answered_fields(template, inst.values):
            return summarize_instance(template, inst.values, "reviewed")
    return ""


def _homework(bundle: SessionBundle) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """Homework reviewed in this session, and homework due (assigned at an earlier session and
    not reviewed by this one)."""
    session = bundle.session
    reviewed: list[dict[str, Any]] = []
    due: list[dict[str, Any]] = []
    for earlier in bundle.sessions:
        if earlier.id == session.id:
            continue
        for h in earlier.homework:
            status = HomeworkStatus(h.status).label.lower() if h.status in set(HomeworkStatus) else h.status
            if h.reviewed_in_session_number == session.number:
                reviewed.append(
                    {
                        "title": h.title,
                        "status": status,
                        "notes": h.review_notes,
                        "assigned_session": earlier.number,
                        "worksheet": _homework_worksheet(bundle, earlier, h.template_id),
                    }
                )
            elif (earlier.date, earlier.number) < (session.date, session.number) and (
                h.reviewed_in_session_number is None or h.reviewed_in_session_number > session.number
            ):
                due.append(
                    {"title": h.title, "assigned_session": earlier.number, "assigned_date": earlier.date.isoformat()}
                )
    return reviewed, due


def _attendance_label(value: str) -> str:
    try:
        return AttendanceStatus(value).label
    except ValueError:
        return value


def note_context(bundle: SessionBundle, settings: Settings) -> dict[str, Any]:
    session = bundle.session
    todays = session_measures(bundle)
    first: dict[str, ScoredMeasure] = {}
    for m in bundle.summary.measures:
        first.setdefault(m.record.instrument, m)
    completed, unfilled = _forms(session)
    reviewed, due = _homework(bundle)
    objectives = []
    if bundle.plan:
        for problem in bundle.plan.problems:
            for goal in problem.goals:
                for o in goal.objectives:
                    objectives.append(
                        {"text": o.text, "status": o.status.replace("_", " "), "target": _objective_target(o)}
                    )
    try:
        status = SessionStatus(session.status)
        status_label = status.label.lower()
    except ValueError:
        status, status_label = None, session.status
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
            "status": session.status,
            "status_label": status_label,
            "held": bool(status and status.held),
        },
        # The first score of an instrument is its own baseline: no change, response or remission to claim.
        "measures": [
            _measure_mapping(m, None if first.get(m.record.instrument) is m else first.get(m.record.instrument))
            for m in todays
        ],
        "risk": risk_mapping(bundle, todays),
        # A group meeting's copy: the group's name and how the patient attended (their own only).
        "present": {
            "group_name": session.group_name,
            "group_attendance": _attendance_label(session.group_attendance).lower(),
            # People present who are not patients (a family session); the note is still the patient's.
            "others": "; ".join(f"{a.relation}, {a.name}" for a in session.others_present),
        },
        "interventions": list(session.interventions),
        "templates_completed": completed,
        "forms_unfilled": unfilled,
        "homework_reviewed": reviewed,
        "homework_due": due,
        "homework_assigned": [{"title": h.title, "instructions": h.instructions} for h in session.homework],
        "objectives": objectives,
        "medications": [
            {"name": m.name, "dose": m.dose, "schedule": m.schedule, "adherence": m.adherence}
            for m in bundle.profile.medications
        ],
    }
