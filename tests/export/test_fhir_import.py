"""Reading a PHQ-9 or GAD-7 QuestionnaireResponse: strict, and the same answers our export writes."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from trdplanner.clinical import Instrument
from trdplanner.core.errors import InputError
from trdplanner.core.records import MeasureRec, PatientProfile, PatientRecord
from trdplanner.export.fhir import bundle_json, patient_bundle
from trdplanner.export.fhir_read import read_questionnaire_response

PHQ9_ITEMS = ["44250-9", "44255-8", "44259-0", "44254-1", "44251-7", "44258-2", "44252-5", "44253-3", "44260-8"]
GAD7_ITEMS = ["69725-0", "68509-9", "69733-4", "69734-2", "69735-9", "69689-8", "69736-7"]
ANSWERS = ["LA6568-5", "LA6569-3", "LA6570-1", "LA6571-9"]


def lhc_style(items: list[int], *, codes: list[str] = PHQ9_ITEMS, **extra: Any) -> dict[str, Any]:
    """A response the way LOINC's form builder writes one: "/"-prefixed link ids, LA answer codes."""
    qr: dict[str, Any] = {
        "resourceType": "QuestionnaireResponse",
        "questionnaire": "http://loinc.org/q/44249-1" if codes is PHQ9_ITEMS else "http://loinc.org/q/69737-5",
        "status": "completed",
        "authored": "2026-02-03T09:15:00+01:00",
        "item": [
            {"linkId": f"/{code}", "answer": [{"valueCoding": {"system": "http://loinc.org", "code": ANSWERS[v]}}]}
            for code, v in zip(codes, items, strict=True)
        ],
    }
    qr.update(extra)
    return qr


def read(data: dict[str, Any]) -> Any:
    return read_questionnaire_response(json.dumps(data))


def test_our_own_export_reads_back_to_the_same_answers() -> None:
    items = [3, 2, 1, 0, 1, 2, 3, 0, 2]
    record = PatientRecord(
        profile=PatientProfile(code="RT-1", full_name="Round Trip"),
        measures=[
            MeasureRec("phq9", dt.date(2026, 1, 5), sum(items), items),
            MeasureRec("gad7", dt.date(2026, 1, 6), 9, [1, 2, 1, 2, 1, 1, 1]),
        ],
    )
    bundle = json.loads(bundle_json(patient_bundle(record)))
    responses = [e["resource"] for e in bundle["entry"] if e["resource"]["resourceType"] == "QuestionnaireResponse"]
    phq, gad = (read(r) for r in responses)
    assert (phq.instrument, phq.items, phq.taken_on) == (Instrument.PHQ9, items, dt.date(2026, 1, 5))
    assert (gad.instrument, gad.items, gad.taken_on) == (Instrument.GAD7, [1, 2, 1, 2, 1, 1, 1], dt.date(2026, 1, 6))


@given(items=st.lists(st.integers(0, 3), min_size=9, max_size=9))
def test_any_phq9_answers_read_back_exactly(items: list[int]) -> None:
    found = read(lhc_style(items))
    assert found.instrument == Instrument.PHQ9 and found.items == items
    # The date is the day in the response's own time zone, not shifted to UTC.
    assert found.taken_on == dt.date(2026, 2, 3)


def test_gad7_is_recognised_by_its_items_without_a_questionnaire_and_integer_answers() -> None:
    data = lhc_style([0, 1, 2, 3, 0, 1, 2], codes=GAD7_ITEMS)
    del data["questionnaire"]
    for item in data["item"]:
        value = ANSWERS.index(item["answer"][0]["valueCoding"]["code"])
        item["answer"] = [{"valueInteger": value}]
    found = read(data)
    assert found.instrument == Instrument.GAD7 and found.items == [0, 1, 2, 3, 0, 1, 2]


def test_nested_groups_and_a_matching_total_are_accepted() -> None:
    data = lhc_style([1] * 9)
    data["item"] = [{"linkId": "group", "item": data["item"]}, {"linkId": "44261-6", "answer": [{"valueInteger": 9}]}]
    assert read(data).items == [1] * 9


def test_subject_print_code_is_read() -> None:
    data = lhc_style([0] * 9, subject={"identifier": {"system": "urn:trdplanner:print-code", "value": "DEMO-02"}})
    assert read(data).subject_code == "DEMO-02"
    data["subject"] = {"reference": "Patient/123"}
    assert read(data).subject_code is None


def _broken(change: str) -> dict[str, Any]:
    data = lhc_style([1, 1, 1, 1, 1, 1, 1, 1, 1])
    if change == "total":
        data["item"].append({"linkId": "/44261-6", "answer": [{"valueInteger": 3}]})
    elif change == "missing item 9":
        data["item"].pop()
    elif change == "twice":
        data["item"].append(data["item"][0])
    elif change == "answer code":
        data["item"][0]["answer"][0]["valueCoding"]["code"] = "LA9999-9"
    elif change == "out of range":
        data["item"][8]["answer"] = [{"valueInteger": 4}]
    elif change == "two answers":
        data["item"][8]["answer"] *= 2
    elif change == "in progress":
        data["status"] = "in-progress"
    elif change == "no date":
        del data["authored"]
    elif change == "partial date":
        data["authored"] = "2026-02"
    elif change == "other questionnaire":
        data["questionnaire"] = "http://loinc.org/q/12345-6"
        data["item"] = data["item"][:3]
    elif change == "not fhir":
        data["status"] = 7
    return data


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ("total", "item 44261-6 (total)"),
        ("missing item 9", "item 44260-8 (PHQ-9 item 9)"),
        ("twice", "item 44250-9 (PHQ-9 item 1)"),
        ("answer code", "item 44250-9 (PHQ-9 item 1)"),
        ("out of range", "item 44260-8 (PHQ-9 item 9)"),
        ("two answers", "item 44260-8 (PHQ-9 item 9)"),
        ("in progress", "status"),
        ("no date", "authored"),
        ("partial date", "authored"),
        ("other questionnaire", "questionnaire"),
        ("not fhir", "file"),
    ],
)
def test_a_doubtful_response_is_refused_naming_the_field(change: str, field: str) -> None:
    with pytest.raises(InputError) as err:
        read(_broken(change))
    assert err.value.field == field


@pytest.mark.parametrize(
    "text",
    ["", "[]", "{", json.dumps({"resourceType": "Observation", "status": "final"}), "x" * (1024 * 1024 + 1)],
)
def test_not_a_questionnaire_response_at_all(text: str) -> None:
    with pytest.raises(InputError):
        read_questionnaire_response(text)
