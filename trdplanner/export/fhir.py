"""One patient's record as a FHIR R4 (R4B models) Bundle of type ``collection``.

Every resource is built with fhir.resources' R4B models, so each one is validated as it is
made. What goes in:

- Patient, identified by the print code only unless ``include_identity`` is asked for
  (then also name, date of birth, phone, e-mail and address).
- Condition for the primary diagnosis (ICD-10 where recorded).
- Each PHQ-9, GAD-7 and QIDS-SR16 with item answers as a QuestionnaireResponse.
- An Observation for every total (LOINC where a code is confirmed, text-only otherwise) and
  one for each recorded suicidality item (PHQ-9 item 9 is LOINC 44260-8). A total-only entry
  says in a note that its suicidality item was not recorded rather than implying a 0.
- A MedicationStatement for each medication trial and a Procedure for each interventional
  course the trial ledger records (ECT, rTMS/iTBS, VNS, IV ketamine, psychotherapy).
- A CarePlan per treatment plan, with a Goal per goal (objectives as targets and notes).

Codes and their sources are in :mod:`trdplanner.export.fhir_codes`.
"""

from __future__ import annotations

import datetime as dt
import json
import uuid
from typing import Any, TypeVar

from fhir.resources.R4B.bundle import Bundle
from fhir.resources.R4B.careplan import CarePlan
from fhir.resources.R4B.condition import Condition
from fhir.resources.R4B.goal import Goal
from fhir.resources.R4B.medicationstatement import MedicationStatement
from fhir.resources.R4B.observation import Observation
from fhir.resources.R4B.patient import Patient
from fhir.resources.R4B.procedure import Procedure
from fhir.resources.R4B.questionnaireresponse import QuestionnaireResponse
from fhir.resources.R4B.resource import Resource

from trdplanner.clinical import FLAG_TEXT, Instrument, ScoreFlag, TrialKind, score
from trdplanner.core.records import MeasureRec, PatientProfile, PatientRecord, PlanRec, TrialRec
from trdplanner.export.fhir_codes import (
    ANSWERS,
    CONDITION_CLINICAL,
    GOAL_ACHIEVEMENT,
    ICD10,
    INTERPRETATION,
    LOINC,
    LOINC_FORMS,
    OBSERVATION_CATEGORY,
    PRINT_CODE_SYSTEM,
    QUESTIONNAIRES,
    item_link_id,
    questionnaire_url,
)

# Trials that are a prescribed drug; every other kind is a course of treatment (a Procedure).
MEDICATION_KINDS = frozenset(
    {
        TrialKind.ANTIDEPRESSANT_MONOTHERAPY,
        TrialKind.SWITCH,
        TrialKind.COMBINATION,
        TrialKind.AUGMENTATION,
        TrialKind.ESKETAMINE,
    }
)
_STOPPED_REASONS = {"inefficacy", "intolerance", "non_adherence", "other"}
_PLAN_STATUS = {"active": "active", "closed": "completed", "revised": "revoked"}
_GOAL_STATUS = {"active": "active", "met": "completed", "discontinued": "cancelled"}


class _Builder:
    def __init__(self, record: PatientRecord) -> None:
        self.record = record
        self.code = record.profile.code
        self.entries: list[dict[str, Any]] = []

    def url(self, kind: str, index: int) -> str:
        # Stable across exports of the same record, so two exports can be compared.
        return uuid.uuid5(uuid.NAMESPACE_URL, f"trdplanner:{self.code}:{kind}:{index}").urn

    def add(self, url: str, resource: Resource) -> str:
        self.entries.append({"fullUrl": url, "resource": resource})
        return url


R = TypeVar("R", bound=Resource)


def _make(cls: type[R], **fields: Any) -> R:
    """A validated resource; None fields are left out (FHIR has no nulls)."""
    return cls.model_validate({k: v for k, v in fields.items() if v is not None})


def _text(text: str) -> dict[str, Any]:
    return {"text": text}


def _loinc(code: str, display: str) -> dict[str, Any]:
    return {"coding": [{"system": LOINC, "code": code, "display": display}], "text": display}


def _period(start: dt.date | None, end: dt.date | None) -> dict[str, str] | None:
    period = {k: v.isoformat() for k, v in (("start", start), ("end", end)) if v is not None}
    return period or None


def _notes(*texts: str) -> list[dict[str, str]] | None:
    kept = [{"text": t} for t in texts if t.strip()]
    return kept or None


def _patient(profile: PatientProfile, include_identity: bool) -> Patient:
    data: dict[str, Any] = {
        "identifier": [{"use": "usual", "system": PRINT_CODE_SYSTEM, "value": profile.code}],
        "active": profile.status == "active",
    }
    if include_identity:
        names = [{"use": "official", "text": profile.full_name}]
        if profile.preferred_name:
            names.append({"use": "usual", "text": profile.preferred_name})
        data["name"] = names
        if profile.date_of_birth:
            data["birthDate"] = profile.date_of_birth.isoformat()
        telecom = [{"system": s, "value": v} for s, v in (("phone", profile.phone), ("email", profile.email)) if v]
        if telecom:
            data["telecom"] = telecom
        if profile.address:
            data["address"] = [{"text": profile.address}]
    return _make(Patient, **data)


def _condition(profile: PatientProfile, subject: dict[str, str]) -> Condition:
    code: dict[str, Any] = {"text": profile.primary_diagnosis}
    if profile.primary_diagnosis_icd10:
        code["coding"] = [{"system": ICD10, "code": profile.primary_diagnosis_icd10}]
    return _make(
        Condition,
        clinicalStatus={"coding": [{"system": CONDITION_CLINICAL, "code": "active"}]},
        category=[_text("Primary diagnosis")],
        code=code,
        subject=subject,
    )


def _answer(instrument: Instrument, value: int) -> dict[str, Any]:
    if instrument in LOINC_FORMS:
        code, display = ANSWERS[value]
        return {"valueCoding": {"system": LOINC, "code": code, "display": display}}
    return {"valueInteger": value}


def _questionnaire_response(m: MeasureRec, instrument: Instrument, subject: dict[str, str]) -> QuestionnaireResponse:
    assert m.items is not None
    labels = instrument.spec.item_labels
    return _make(
        QuestionnaireResponse,
        questionnaire=questionnaire_url(instrument),
        status="completed",
        subject=subject,
        authored=m.taken_on.isoformat(),
        item=[
            {
                "linkId": item_link_id(instrument, n),
                "text": labels[n - 1] if n <= len(labels) else f"Item {n}",
                "answer": [_answer(instrument, value)],
            }
            for n, value in enumerate(m.items, start=1)
        ],
    )


def _target_measure(name: str) -> dict[str, Any]:
    # A plan target names an instrument by its key; an unknown key is kept as text, not guessed.
    try:
        return _total_code(Instrument(name))
    except ValueError:
        return _text(name)


def _total_code(instrument: Instrument) -> dict[str, Any]:
    form = LOINC_FORMS.get(instrument)
    name = f"{instrument.display_name} total score"
    return _loinc(form.total, name) if form else _text(name)


def _survey(code: dict[str, Any], subject: dict[str, str], on: dt.date, value: int, **more: Any) -> Observation:
    return _make(
        Observation,
        status="final",
        category=[{"coding": [{"system": OBSERVATION_CATEGORY, "code": "survey", "display": "Survey"}]}],
        code=code,
        subject=subject,
        effectiveDateTime=on.isoformat(),
        valueInteger=value,
        **more,
    )


def _measure(b: _Builder, index: int, m: MeasureRec, subject: dict[str, str]) -> None:
    instrument = Instrument(m.instrument)
    result = score(instrument, items=m.items, total=None if m.items is not None else m.total)
    derived = None
    if m.items is not None and instrument in QUESTIONNAIRES:
        qr_url = b.add(b.url("qr", index), _questionnaire_response(m, instrument, subject))
        derived = [{"reference": qr_url}]
    unknown = ScoreFlag.SUICIDALITY_ITEM_UNKNOWN in result.flags
    b.add(
        b.url("total", index),
        _survey(
            _total_code(instrument),
            subject,
            m.taken_on,
            result.total,
            interpretation=[_text(result.severity)],
            derivedFrom=derived,
            note=_notes(m.notes, FLAG_TEXT[ScoreFlag.SUICIDALITY_ITEM_UNKNOWN] if unknown else ""),
        ),
    )
    item = instrument.spec.suicidality_item
    if result.suicidality_item_score is None or item is None:
        return
    positive = result.suicidality_item_score > 0
    form = LOINC_FORMS.get(instrument)
    labels = instrument.spec.item_labels
    name = f"{instrument.display_name} item {item}: {labels[item - 1] if item <= len(labels) else 'suicidality'}"
    reviewed = (
        f"Alert reviewed by {m.alert_acknowledged_by} at {m.alert_acknowledged_at.isoformat()}."
        if m.alert_acknowledged_at
        else ("Alert not yet reviewed by a clinician." if positive else "")
    )
    b.add(
        b.url("suicidality", index),
        _survey(
            _loinc(form.items[item - 1], name) if form else _text(name),
            subject,
            m.taken_on,
            result.suicidality_item_score,
            interpretation=[
                {
                    "coding": [{"system": INTERPRETATION, "code": "A" if positive else "N"}],
                    "text": "Positive: needs a clinician's risk review" if positive else "Not endorsed",
                }
            ],
            derivedFrom=derived,
            note=_notes(reviewed),
        ),
    )


def _trial_status(t: TrialRec, *, procedure: bool) -> str:
    if t.stop is None or t.stop_reason == "ongoing":
        return "in-progress" if procedure else "active"
    return "stopped" if t.stop_reason in _STOPPED_REASONS else "completed"


_OUTCOME_TEXT = {
    "response": "response",
    "partial_response": "partial response",
    "non_response": "non-response",
    "not_assessable": "not assessable",
}


def _outcome(t: TrialRec) -> str:
    return _OUTCOME_TEXT.get(t.outcome, t.outcome.replace("_", " "))


def _trial_notes(t: TrialRec, *, with_outcome: bool) -> list[dict[str, str]] | None:
    return _notes(
        f"Outcome: {_outcome(t)}" if t.outcome and with_outcome else "",
        f"Stopped because of {t.stop_reason.replace('_', ' ')}" if t.stop_reason in _STOPPED_REASONS else "",
        f"Adherence: {t.adherence}" if t.adherence != "unknown" else "",
        f"Treatments given: {t.treatments_count}" if t.treatments_count is not None else "",
        f"Side effects: {t.side_effects}" if t.side_effects else "",
        t.notes,
    )


def _trial(t: TrialRec, subject: dict[str, str]) -> Resource:
    kind = TrialKind(t.kind)
    name = t.agent or kind.display_name
    if kind in MEDICATION_KINDS:
        dosage = [{"text": f"{t.dose:g} {t.dose_unit}"}] if t.dose is not None else None
        return _make(
            MedicationStatement,
            status=_trial_status(t, procedure=False),
            category=_text(f"Depression treatment trial: {kind.display_name}"),
            medicationCodeableConcept=_text(name),
            subject=subject,
            effectivePeriod=_period(t.start, t.stop),
            dosage=dosage,
            note=_trial_notes(t, with_outcome=True),
        )
    return _make(
        Procedure,
        status=_trial_status(t, procedure=True),
        category=_text(f"Depression treatment course: {kind.display_name}"),
        code=_text(name),
        subject=subject,
        performedPeriod=_period(t.start, t.stop),
        outcome=_text(_outcome(t)) if t.outcome else None,
        note=_trial_notes(t, with_outcome=False),
    )


def _plan(b: _Builder, index: int, plan: PlanRec, subject: dict[str, str], condition: str | None) -> None:
    goal_refs: list[dict[str, str]] = []
    activities: list[dict[str, Any]] = []
    for p_i, problem in enumerate(plan.problems):
        for g_i, goal in enumerate(problem.goals):
            targets = [
                {
                    "measure": _target_measure(o.target_instrument),
                    "detailQuantity": {"value": o.target_value, "comparator": o.target_comparator or None},
                    "dueDate": o.target_date.isoformat() if o.target_date else None,
                }
                for o in goal.objectives
                if o.target_instrument and o.target_value is not None
            ]
            data: dict[str, Any] = {
                "lifecycleStatus": _GOAL_STATUS.get(goal.status, "active"),
                "description": _text(goal.text),
                "subject": subject,
                "target": [_clean(t) for t in targets] or None,
                "note": _notes(
                    f"Problem: {problem.statement}",
                    *(f"Objective ({o.status.replace('_', ' ')}): {o.text}" for o in goal.objectives),
                ),
            }
            if goal.status == "met":
                data["achievementStatus"] = {"coding": [{"system": GOAL_ACHIEVEMENT, "code": "achieved"}]}
            url = b.add(b.url(f"goal-{index}-{p_i}", g_i), _make(Goal, **data))
            goal_refs.append({"reference": url})
        for intervention in problem.interventions:
            how = ", ".join(x for x in (intervention.frequency, intervention.responsible) if x)
            activities.append(
                {
                    "detail": {
                        "status": "in-progress" if plan.status == "active" else "stopped",
                        "description": f"{intervention.text} ({how})" if how else intervention.text,
                    }
                }
            )
    care_plan = _make(
        CarePlan,
        status=_PLAN_STATUS.get(plan.status, "unknown"),
        intent="plan",
        title="Treatment plan",
        description=" ".join(p.statement for p in plan.problems) or None,
        subject=subject,
        period=_period(plan.created_on, None),
        created=plan.created_on.isoformat(),
        addresses=[{"reference": condition}] if condition else None,
        goal=goal_refs or None,
        activity=activities or None,
        note=_notes(plan.client_participation, f"Next review {plan.review_date}" if plan.review_date else ""),
    )
    b.add(b.url("careplan", index), care_plan)


def _clean(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _clean(v) for k, v in value.items() if v is not None}
    return value


def patient_bundle(
    record: PatientRecord, *, include_identity: bool = False, generated_at: dt.datetime | None = None
) -> Bundle:
    """The whole record as a validated FHIR Bundle (type ``collection``)."""
    b = _Builder(record)
    patient_url = b.add(b.url("patient", 0), _patient(record.profile, include_identity))
    subject = {"reference": patient_url}
    condition = None
    if record.profile.primary_diagnosis:
        condition = b.add(b.url("condition", 0), _condition(record.profile, subject))
    for i, m in enumerate(record.measures):
        _measure(b, i, m, subject)
    for i, t in enumerate(record.trials):
        b.add(b.url("trial", i), _trial(t, subject))
    for i, plan in enumerate(record.plans):
        _plan(b, i, plan, subject, condition)
    when = generated_at or dt.datetime.now(dt.UTC)
    return _make(Bundle, type="collection", timestamp=when.isoformat(timespec="seconds"), entry=b.entries)


def bundle_json(bundle: Bundle) -> str:
    """Indented JSON, one file a person can read and any FHIR tool can load."""
    return json.dumps(json.loads(bundle.model_dump_json()), indent=2, ensure_ascii=False) + "\n"
