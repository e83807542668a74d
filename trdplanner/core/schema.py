"""The JSON Schema (draft 2020-12) of the patient file, built from the records themselves.

docs/patient.schema.json is this schema, written out; a test fails when the two differ,
so the schema cannot drift from what ``patient export`` writes. Regenerate it with:

    python -m trdplanner patient schema > docs/patient.schema.json

The import (core.serialize and core.validate) stays the authority: it also checks things a
schema cannot say, such as signed-note fingerprints and totals matching their items.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
import types
import typing
from collections.abc import Iterable
from enum import StrEnum
from typing import Any, Union

from trdplanner.clinical import Instrument, Outcome, StopReason, TrialKind
from trdplanner.clinical.courses import CourseKind, ElectrodePlacement
from trdplanner.core import records
from trdplanner.core.serialize import MAX_INT, MAX_LIST, MAX_TEXT, MIN_INT
from trdplanner.core.services.transfer import FORMAT, FORMAT_VERSION
from trdplanner.core.validate import CODE
from trdplanner.core.vocab import (
    COMPARATORS,
    FACTORS,
    AddendumKind,
    Adherence,
    AttendanceStatus,
    CareRole,
    FactorGroup,
    GoalStatus,
    HomeworkStatus,
    InstanceRole,
    Modality,
    NoteFormat,
    NoteStatus,
    ObjectiveStatus,
    PatientStatus,
    PlanStatus,
    RiskLevel,
    SessionFormat,
    SessionStatus,
    Severity,
)

SCHEMA_ID = "urn:trdplanner:schema:patient:1"


def _values(allowed: type[StrEnum] | Iterable[str], *, blank: bool = False) -> list[str]:
    return ([""] if blank else []) + [str(v) for v in allowed]


# The closed vocabularies the import enforces, by record and field (see core.validate).
ENUMS: dict[tuple[str, str], list[str]] = {
    ("PatientProfile", "status"): _values(PatientStatus),
    ("PatientProfile", "risk_level"): _values(RiskLevel),
    ("FactorRec", "group"): _values(FactorGroup),
    ("FactorRec", "factor"): sorted({f for group in FACTORS.values() for f in group}),
    ("CareTeamRec", "role"): _values(CareRole),
    ("MedicationRec", "adherence"): _values(Adherence),
    ("EpisodeRec", "severity"): _values(Severity, blank=True),
    ("TrialRec", "kind"): _values(TrialKind),
    ("TrialRec", "adherence"): _values(Adherence),
    ("TrialRec", "outcome"): _values(Outcome, blank=True),
    ("TrialRec", "stop_reason"): _values(StopReason, blank=True),
    ("MeasureRec", "instrument"): _values(Instrument),
    ("CourseRec", "kind"): _values(CourseKind),
    ("CourseRec", "outcome"): _values(Outcome, blank=True),
    ("CourseRec", "stop_reason"): _values(StopReason, blank=True),
    ("CourseSessionRec", "placement"): _values(ElectrodePlacement, blank=True),
    ("PlanRec", "status"): _values(PlanStatus),
    ("GoalRec", "status"): _values(GoalStatus),
    ("ObjectiveRec", "status"): _values(ObjectiveStatus),
    ("ObjectiveRec", "target_comparator"): _values(COMPARATORS, blank=True),
    ("SessionRec", "format"): _values(SessionFormat),
    ("SessionRec", "modality"): _values(Modality, blank=True),
    ("SessionRec", "status"): _values(SessionStatus),
    ("SessionRec", "group_attendance"): _values(AttendanceStatus, blank=True),
    ("InstanceRec", "role"): _values(InstanceRole),
    ("HomeworkRec", "status"): _values(HomeworkStatus),
    ("NoteRec", "format"): _values(NoteFormat),
    ("NoteRec", "status"): _values(NoteStatus),
    ("AddendumRec", "kind"): _values(AddendumKind),
}
PATTERNS: dict[tuple[str, str], str] = {("PatientProfile", "code"): CODE.pattern}
DATE = {"type": "string", "format": "date", "pattern": r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$"}
# serialize.py refuses a date-time without a UTC offset.
DATETIME = {"type": "string", "format": "date-time", "pattern": r"(Z|[+-][0-9]{2}:[0-9]{2})$"}


def _type(tp: Any, defs: dict[str, Any]) -> dict[str, Any]:
    origin = typing.get_origin(tp)
    if origin in (Union, types.UnionType):
        (inner,) = [a for a in typing.get_args(tp) if a is not type(None)]
        return {"anyOf": [_type(inner, defs), {"type": "null"}]}
    if dataclasses.is_dataclass(tp):
        cls = typing.cast(type, tp)
        _define(cls, defs)
        return {"$ref": f"#/$defs/{cls.__name__}"}
    if origin is list:
        (item,) = typing.get_args(tp)
        return {"type": "array", "maxItems": MAX_LIST, "items": _type(item, defs)}
    if origin is dict:
        return {"type": "object"}
    if isinstance(tp, type) and issubclass(tp, StrEnum):
        return {"enum": _values(tp)}
    simple: dict[Any, dict[str, Any]] = {
        str: {"type": "string", "maxLength": MAX_TEXT},
        bool: {"type": "boolean"},
        int: {"type": "integer", "minimum": MIN_INT, "maximum": MAX_INT},
        float: {"type": "number"},
        dt.date: DATE,
        dt.datetime: DATETIME,
    }
    return dict(simple[tp])


def _define(cls: type, defs: dict[str, Any]) -> None:
    name = cls.__name__
    if name in defs:
        return
    defs[name] = {}  # placeholder first: records refer to each other
    hints = typing.get_type_hints(cls)
    props: dict[str, Any] = {}
    required: list[str] = []
    for f in dataclasses.fields(cls):
        if f.name == "id" and hints[f.name] is not str:
            continue  # database ids are local to one database and never exported
        prop = _type(hints[f.name], defs)
        if (name, f.name) in ENUMS:
            prop = {"enum": ENUMS[(name, f.name)]}
        if (name, f.name) in PATTERNS:
            prop["pattern"] = PATTERNS[(name, f.name)]
        props[f.name] = prop
        if f.default is dataclasses.MISSING and f.default_factory is dataclasses.MISSING:
            required.append(f.name)
    defs[name] = {"type": "object", "additionalProperties": False, "required": required, "properties": props}


def patient_schema() -> dict[str, Any]:
    defs: dict[str, Any] = {}
    _define(records.PatientRecord, defs)
    top = defs.pop("PatientRecord")
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": SCHEMA_ID,
        "title": "TRD Planner patient file",
        "description": "One patient's whole record as written by `trdplanner patient export` (docs/patient-json.md).",
        "type": "object",
        "additionalProperties": False,
        "required": ["format", "format_version", *top["required"]],
        "properties": {
            "format": {"const": FORMAT},
            "format_version": {"const": FORMAT_VERSION},
            "app_version": {"type": "string", "description": "the version that wrote the file (informational)"},
            **top["properties"],
        },
        "$defs": dict(sorted(defs.items())),
    }


def schema_text() -> str:
    return json.dumps(patient_schema(), indent=2, ensure_ascii=False) + "\n"


if __name__ == "__main__":
    print(schema_text(), end="")
