"""docs/patient.schema.json: current, a valid 2020-12 schema, and true of every export."""

from __future__ import annotations

import copy
import json
import shutil
from pathlib import Path
from typing import Any

import jsonschema
import pytest
from hypothesis import given, settings
from test_core_transfer_property import PROPERTY, patient_records

from trdplanner.core.db import Database
from trdplanner.core.errors import InputError
from trdplanner.core.records import PatientRecord
from trdplanner.core.schema import schema_text
from trdplanner.core.services.transfer import TransferService, record_to_json
from trdplanner.export.fhir import bundle_json, patient_bundle

REPO = Path(__file__).resolve().parents[2]
SCHEMA_FILE = REPO / "docs" / "patient.schema.json"


@pytest.fixture(scope="module")
def validator() -> jsonschema.Draft202012Validator:
    schema = json.loads(SCHEMA_FILE.read_text(encoding="utf-8"))
    jsonschema.Draft202012Validator.check_schema(schema)
    return jsonschema.Draft202012Validator(schema, format_checker=jsonschema.Draft202012Validator.FORMAT_CHECKER)


def test_the_schema_file_is_the_one_the_records_generate() -> None:
    assert SCHEMA_FILE.read_text(encoding="utf-8") == schema_text(), (
        "docs/patient.schema.json is out of date: python -m trdplanner patient schema > docs/patient.schema.json"
    )


def test_the_docs_link_it() -> None:
    assert "patient.schema.json" in (REPO / "docs" / "patient-json.md").read_text(encoding="utf-8")
    assert "docs/patient.schema.json" in (REPO / "README.md").read_text(encoding="utf-8")


def test_every_demo_export_is_valid(demo_exports: dict[str, str], validator: jsonschema.Draft202012Validator) -> None:
    assert len(demo_exports) >= 7
    for code, text in demo_exports.items():
        found = validator.iter_errors(json.loads(text))
        errors = [f"{'/'.join(map(str, e.absolute_path))}: {e.message}" for e in found]
        assert not errors, (code, errors[:5])


def _break(data: dict[str, Any], how: str) -> None:
    if how == "unknown field":
        data["sessions"][0]["room"] = "4B"
    elif how == "status":
        data["profile"]["status"] = "deleted"
    elif how == "instrument":
        data["measures"][0]["instrument"] = "phq-9"
    elif how == "missing code":
        del data["profile"]["code"]
    elif how == "code pattern":
        data["profile"]["code"] = "has spaces"
    elif how == "date":
        data["sessions"][0]["date"] = "03/02/2026"
    elif how == "naive date-time":
        data["sessions"][0]["note"]["signed_at"] = "2026-03-02T17:30:00"
    elif how == "format":
        data["format"] = "someone.else"
    elif how == "item type":
        data["measures"][0]["items"][0] = "3"
    elif how == "null list":
        data["trials"] = None


@pytest.mark.parametrize(
    "how",
    ["unknown field", "status", "instrument", "missing code", "code pattern", "date", "naive date-time", "format",
     "item type", "null list"],
)  # fmt: skip
def test_what_import_refuses_the_schema_refuses(
    how: str,
    demo_exports: dict[str, str],
    validator: jsonschema.Draft202012Validator,
    sqlite_template: Path,
    tmp_path: Path,
) -> None:
    data = copy.deepcopy(json.loads(demo_exports["DEMO-01"]))
    _break(data, how)
    assert not validator.is_valid(data), how
    # The importer agrees: the same file is refused by a real import into an empty database.
    path = tmp_path / "empty.sqlite3"
    shutil.copyfile(sqlite_template, path)
    db = Database.open(f"sqlite:///{path}")
    try:
        with pytest.raises(InputError):
            TransferService(db).import_json(json.dumps(data))
    finally:
        db.close()


@settings(PROPERTY, max_examples=25)
@given(record=patient_records())
def test_any_valid_record_exports_valid_json_and_a_valid_fhir_bundle(
    record: PatientRecord, validator: jsonschema.Draft202012Validator
) -> None:
    from fhir.resources.R4B.bundle import Bundle

    errors = [e.message for e in validator.iter_errors(json.loads(record_to_json(record)))]
    assert not errors, errors[:3]
    Bundle.model_validate_json(bundle_json(patient_bundle(record)))
