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
from typing import Any

from fhir.resources.R4B.bundle import Bundle
from fhir.resources.R4B.condition import Condition
from fhir.resources.R4B.observation import Observation
from fhir.resources.R4B.patient import Patient
from fhir.resources.R4B.questionnaireresponse import QuestionnaireResponse

from trdplanner.clinical import FLAG_TEXT, Instrument, ScoreFlag, score
from trdplanner.core.records import MeasureRec, PatientProfile, PatientRecord
from trdplanner.core.vocab import PatientStatus
from trdplanner.export.fhir_build import Builder, loinc_code, make, notes, text_code, total_code
from trdplanner.export.fhir_codes import (
    ANSWERS,
    CONDITION_CLINICAL,
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
from trdplanner.export.fhir_treatment import MEDICATION_KINDS, add_plan, trial_resource

__all__ = ["MEDICATION_KINDS", "bundle_json", "patient_bundle"]


def _patient(profile: PatientProfile, include_identity: bool) -> Patient:
    data: dict[str, Any] = {
        "identifier": [{"use": "usual", "system": PRINT_CODE_SYSTEM, "value": profile.code}],
        "active": profile.status == PatientStatus.ACTIVE,
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
    return make(Patient, **data)


def _condition(profile: PatientProfile, subject: dict[str, str]) -> Condition:
    code: dict[str, Any] = {"text": profile.primary_diagnosis}
    if profile.primary_diagnosis_icd10:
        code["coding"] = [{"system": ICD10, "code": profile.primary_diagnosis_icd10}]
    return make(
        Condition,
        clinicalStatus={"coding": [{"system": CONDITION_CLINICAL, "code": "active"}]},
        category=[text_code("Primary diagnosis")],
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
    return make(
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


def _survey(code: dict[str, Any], subject: dict[str, str], on: dt.date, value: int, **more: Any) -> Observation:
    return make(
        Observation,
        status="final",
        category=[{"coding": [{"system": OBSERVATION_CATEGORY, "code": "survey", "display": "Survey"}]}],
        code=code,
        subject=subject,
        effectiveDateTime=on.isoformat(),
        valueInteger=value,
        **more,
    )


def _measure(b: Builder, index: int, m: MeasureRec, subject: dict[str, str]) -> None:
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
            total_code(instrument),
            subject,
            m.taken_on,
            result.total,
            interpretation=[text_code(result.severity)],
            derivedFrom=derived,
            note=notes(m.notes, FLAG_TEXT[ScoreFlag.SUICIDALITY_ITEM_UNKNOWN] if unknown else ""),
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
            loinc_code(form.items[item - 1], name) if form else text_code(name),
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
            note=notes(reviewed),
        ),
    )


def patient_bundle(
    record: PatientRecord, *, include_identity: bool = False, generated_at: dt.datetime | None = None
) -> Bundle:
    """The whole record as a validated FHIR Bundle (type ``collection``)."""
    b = Builder(record)
    patient_url = b.add(b.url("patient", 0), _patient(record.profile, include_identity))
    subject = {"reference": patient_url}
    condition = None
    if record.profile.primary_diagnosis:
        condition = b.add(b.url("condition", 0), _condition(record.profile, subject))
    for i, m in enumerate(record.measures):
        _measure(b, i, m, subject)
    for i, t in enumerate(record.trials):
        b.add(b.url("trial", i), trial_resource(t, subject))
    for i, plan in enumerate(record.plans):
        add_plan(b, i, plan, subject, condition)
    when = generated_at or dt.datetime.now(dt.UTC)
    return make(Bundle, type="collection", timestamp=when.isoformat(timespec="seconds"), entry=b.entries)


def bundle_json(bundle: Bundle) -> str:
    """Indented JSON, one file a person can read and any FHIR tool can load."""
    return json.dumps(json.loads(bundle.model_dump_json()), indent=2, ensure_ascii=False) + "\n"
