"""The FHIR R4 export: every bundle re-read and validated with fhir.resources' R4B models."""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
from typing import Any

import pytest
from fhir.resources.R4B.bundle import Bundle

from trdplanner.clinical import Instrument, TrialKind
from trdplanner.context import AppContext
from trdplanner.core.records import (
    GoalRec,
    MeasureRec,
    ObjectiveRec,
    PatientProfile,
    PatientRecord,
    PlanRec,
    ProblemRec,
    TrialRec,
)
from trdplanner.export.fhir import MEDICATION_KINDS, bundle_json, patient_bundle
from trdplanner.export.fhir_codes import PRINT_CODE_SYSTEM

LOINC = "http://loinc.org"
PHQ9_ITEMS = ["44250-9", "44255-8", "44259-0", "44254-1", "44251-7", "44258-2", "44252-5", "44253-3", "44260-8"]
GAD7_ITEMS = ["69725-0", "68509-9", "69733-4", "69734-2", "69735-9", "69689-8", "69736-7"]
ANSWER_CODES = ["LA6568-5", "LA6569-3", "LA6570-1", "LA6571-9"]
# Every LOINC code the export may write, each confirmed in a published source (see export/fhir_codes.py).
CONFIRMED = {"44249-1", "44261-6", "69737-5", "70274-6", *PHQ9_ITEMS, *GAD7_ITEMS, *ANSWER_CODES}
STAMP = dt.datetime(2026, 3, 2, 12, 0, tzinfo=dt.UTC)


def _validated(record: PatientRecord, **kw: Any) -> tuple[Bundle, dict[str, Any]]:
    """Write the bundle as the CLI does, then read it back through the model library."""
    text = bundle_json(patient_bundle(record, generated_at=STAMP, **kw))
    reread = Bundle.model_validate_json(text)  # raises if any resource is not valid FHIR
    return reread, json.loads(text)


def _resources(data: dict[str, Any], kind: str) -> list[dict[str, Any]]:
    return [e["resource"] for e in data["entry"] if e["resource"]["resourceType"] == kind]


def _codings(value: Any) -> list[dict[str, Any]]:
    if isinstance(value, dict):
        found = [value] if "system" in value and "code" in value else []
        return found + [c for v in value.values() for c in _codings(v)]
    if isinstance(value, list):
        return [c for v in value for c in _codings(v)]
    return []


def _references(value: Any) -> list[str]:
    if isinstance(value, dict):
        own = [value["reference"]] if isinstance(value.get("reference"), str) else []
        return own + [r for v in value.values() for r in _references(v)]
    if isinstance(value, list):
        return [r for v in value for r in _references(v)]
    return []


def _demo_records(ctx: AppContext) -> list[PatientRecord]:
    return [ctx.transfer.export_record(s.id) for s in ctx.patients.summaries(status=None)]


def test_every_demo_patient_exports_a_valid_bundle(demo_reader: AppContext) -> None:
    records = _demo_records(demo_reader)
    assert len(records) >= 7
    for record in records:
        bundle, data = _validated(record)
        assert bundle.type == "collection"
        urls = {e["fullUrl"] for e in data["entry"]}
        assert len(urls) == len(data["entry"])
        # Every reference points at a resource inside the bundle.
        assert set(_references(data)) <= urls, record.profile.code
        # Only confirmed LOINC codes; nothing invented.
        loinc = {c["code"] for c in _codings(data) if c["system"] == LOINC}
        assert loinc <= CONFIRMED, (record.profile.code, loinc - CONFIRMED)
        # One total Observation per measure, carrying the stored total.
        totals = [o for o in _resources(data, "Observation") if o["code"]["text"].endswith("total score")]
        assert [o["valueInteger"] for o in totals] == [m.total for m in record.measures]
        assert [o["effectiveDateTime"] for o in totals] == [m.taken_on.isoformat() for m in record.measures]


def test_patient_is_the_print_code_unless_identity_is_asked_for(demo_reader: AppContext) -> None:
    record = _demo_records(demo_reader)[0]
    p = record.profile
    _, data = _validated(record)
    (patient,) = _resources(data, "Patient")
    assert patient["identifier"] == [{"use": "usual", "system": PRINT_CODE_SYSTEM, "value": p.code}]
    assert set(patient) == {"resourceType", "identifier", "active"}
    text = json.dumps(data, ensure_ascii=False)
    for private in (p.full_name, p.preferred_name, p.email, p.phone, p.address):
        assert not private or private not in text, private

    _, identified = _validated(record, include_identity=True)
    (patient,) = _resources(identified, "Patient")
    assert patient["name"][0]["text"] == p.full_name
    assert patient["birthDate"] == (p.date_of_birth.isoformat() if p.date_of_birth else None)


def test_phq9_is_a_questionnaire_response_with_loinc_items_total_and_item_9(demo_reader: AppContext) -> None:
    for record in _demo_records(demo_reader):
        _, data = _validated(record)
        responses = [r for r in _resources(data, "QuestionnaireResponse") if r["questionnaire"].endswith("44249-1")]
        phq9 = [m for m in record.measures if m.instrument == "phq9" and m.items]
        assert len(responses) == len(phq9) > 0
        observations = _resources(data, "Observation")
        for m, qr in zip(phq9, responses, strict=True):
            assert qr["status"] == "completed" and qr["authored"] == m.taken_on.isoformat()
            assert [i["linkId"] for i in qr["item"]] == PHQ9_ITEMS
            assert [ANSWER_CODES.index(i["answer"][0]["valueCoding"]["code"]) for i in qr["item"]] == m.items
            derived = [o for o in observations if o.get("derivedFrom") and o["effectiveDateTime"] == qr["authored"]]
            by_code = {c["code"]: o for o in derived for c in o["code"].get("coding", [])}
            assert by_code["44261-6"]["valueInteger"] == m.total
            item9 = by_code["44260-8"]
            assert item9["valueInteger"] == m.items[8]
            assert item9["interpretation"][0]["coding"][0]["code"] == ("A" if m.items[8] > 0 else "N")


def test_a_positive_item_9_is_exported_as_abnormal_and_unreviewed() -> None:
    record = PatientRecord(
        profile=PatientProfile(code="T-1", full_name="Test Person"),
        measures=[MeasureRec("phq9", dt.date(2026, 1, 5), 1, [0, 0, 0, 0, 0, 0, 0, 0, 1])],
    )
    _, data = _validated(record)
    (item9,) = [o for o in _resources(data, "Observation") if "item 9" in o["code"]["text"]]
    assert item9["code"]["coding"][0]["code"] == "44260-8"
    assert item9["valueInteger"] == 1
    assert item9["interpretation"][0]["coding"][0]["code"] == "A"
    assert "not yet reviewed" in item9["note"][0]["text"]


def test_gad7_and_qids_questionnaires_and_text_only_codes_where_none_is_confirmed() -> None:
    qids = [1, 0, 2, 0, 2, 1, 0, 0, 0, 1, 2, 1, 2, 2, 0, 1]
    record = PatientRecord(
        profile=PatientProfile(code="T-2", full_name="Test Person"),
        measures=[
            MeasureRec("gad7", dt.date(2026, 1, 5), 13, [2, 2, 2, 2, 2, 2, 1]),
            MeasureRec("qids_sr16", dt.date(2026, 1, 6), 0, qids),
            MeasureRec("bdi2", dt.date(2026, 1, 7), 30),
        ],
    )
    _, data = _validated(record)
    gad, qr_qids = _resources(data, "QuestionnaireResponse")
    assert gad["questionnaire"] == "http://loinc.org/q/69737-5"
    assert [i["linkId"] for i in gad["item"]] == GAD7_ITEMS
    assert [i["answer"][0]["valueInteger"] for i in qr_qids["item"]] == qids
    assert not _codings(qr_qids), "QIDS-SR16 has no confirmed LOINC codes"
    obs = {o["code"]["text"]: o for o in _resources(data, "Observation")}
    assert obs["GAD-7 total score"]["code"]["coding"][0]["code"] == "70274-6"
    assert obs["GAD-7 total score"]["valueInteger"] == 13
    qids_total = obs["QIDS-SR16 total score"]
    assert "coding" not in qids_total["code"] and qids_total["valueInteger"] == 14
    # QIDS item 12 is the suicidality item: exported, positive, text-only code.
    qids_item = obs["QIDS-SR16 item 12: Thoughts of death or suicide"]
    assert "coding" not in qids_item["code"] and qids_item["valueInteger"] == 1
    # A total-only BDI-II says its suicidality item is unknown instead of implying 0.
    bdi = obs["BDI-II total score"]
    assert "coding" not in bdi["code"]
    assert "suicidality item was not recorded" in bdi["note"][0]["text"]
    assert not [t for t in obs if t.startswith("BDI-II item")]


def test_trials_become_medication_statements_and_interventional_courses_procedures(demo_reader: AppContext) -> None:
    seen_procedure = False
    for record in _demo_records(demo_reader):
        _, data = _validated(record)
        meds, procs = _resources(data, "MedicationStatement"), _resources(data, "Procedure")
        assert len(meds) == sum(TrialKind(t.kind) in MEDICATION_KINDS for t in record.trials)
        assert len(procs) == sum(TrialKind(t.kind) not in MEDICATION_KINDS for t in record.trials)
        for proc in procs:
            seen_procedure = True
            assert proc["status"] in {"completed", "stopped", "in-progress"}
            assert proc["code"]["text"]
    assert seen_procedure, "the demo has an ECT course"

    record = PatientRecord(
        profile=PatientProfile(code="T-3", full_name="Test Person"),
        trials=[
            TrialRec("rtms_itbs", agent="iTBS", start=dt.date(2025, 1, 1), treatments_count=30),
            TrialRec("iv_ketamine", agent="Ketamine infusions", start=dt.date(2025, 3, 1), stop=dt.date(2025, 4, 1)),
            TrialRec("augmentation", agent="Lithium", dose=800, start=dt.date(2024, 1, 1), stop=dt.date(2024, 5, 1),
                     stop_reason="intolerance"),
        ],
    )  # fmt: skip
    _, data = _validated(record)
    tms, ketamine = _resources(data, "Procedure")
    assert tms["status"] == "in-progress" and "Treatments given: 30" in tms["note"][0]["text"]
    assert ketamine["status"] == "completed" and ketamine["performedPeriod"]["end"] == "2025-04-01"
    (lithium,) = _resources(data, "MedicationStatement")
    assert lithium["status"] == "stopped" and lithium["dosage"][0]["text"] == "800 mg/day"


def test_treatment_plan_is_a_care_plan_with_goals_and_targets() -> None:
    plan = PlanRec(
        created_on=dt.date(2026, 1, 1),
        problems=[
            ProblemRec(
                "Low mood",
                goals=[
                    GoalRec(
                        "Remission",
                        objectives=[ObjectiveRec("PHQ-9 under 5", "phq9", "<", 5.0, dt.date(2026, 4, 1))],
                    ),
                    GoalRec("Back to work", status="met"),
                ],
            )
        ],
    )
    record = PatientRecord(profile=PatientProfile(code="T-4", full_name="Test Person"), plans=[plan])
    _, data = _validated(record)
    (care_plan,) = _resources(data, "CarePlan")
    goals = _resources(data, "Goal")
    assert care_plan["status"] == "active" and care_plan["intent"] == "plan"
    assert len(care_plan["goal"]) == len(goals) == 2
    target = goals[0]["target"][0]
    assert target["measure"]["coding"][0]["code"] == "44261-6"
    assert target["detailQuantity"] == {"value": 5.0, "comparator": "<"}
    assert target["dueDate"] == "2026-04-01"
    assert goals[1]["lifecycleStatus"] == "completed"
    assert goals[1]["achievementStatus"]["coding"][0]["code"] == "achieved"


def test_export_is_stable_for_the_same_record(demo_reader: AppContext) -> None:
    record = _demo_records(demo_reader)[1]
    assert bundle_json(patient_bundle(record, generated_at=STAMP)) == bundle_json(
        patient_bundle(dataclasses.replace(record), generated_at=STAMP)
    )


@pytest.mark.parametrize("instrument", [i for i in Instrument if i.spec.items_storable])
def test_every_storable_instrument_exports_and_validates(instrument: Instrument) -> None:
    items = [r.maximum for r in instrument.spec.item_ranges]
    record = PatientRecord(
        profile=PatientProfile(code="T-5", full_name="Test Person"),
        measures=[MeasureRec(instrument.value, dt.date(2026, 1, 5), 0, items)],
    )
    _, data = _validated(record)
    (total,) = [o for o in _resources(data, "Observation") if o["code"]["text"].endswith("total score")]
    assert total["valueInteger"] == instrument.spec.total_max
