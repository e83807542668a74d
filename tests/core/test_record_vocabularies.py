"""Status-like record fields are the vocabularies' enums, not bare text: read from the database,
imported from JSON, and exported back as plain text."""

from __future__ import annotations

import datetime as dt
import json

import pytest

from trdplanner.context import AppContext
from trdplanner.core.convert import enum_fields
from trdplanner.core.errors import InputError
from trdplanner.core.records import NoteRec, PatientProfile, PlanRec, SessionRec
from trdplanner.core.serialize import from_data, to_data
from trdplanner.core.vocab import (
    NoteFormat,
    NoteStatus,
    PatientStatus,
    PlanStatus,
    RiskLevel,
    SessionFormat,
    SessionStatus,
)


def test_the_vocabulary_fields_are_typed_as_enums() -> None:
    assert enum_fields(PatientProfile) == {"status": PatientStatus, "risk_level": RiskLevel}
    assert enum_fields(SessionRec) == {"format": SessionFormat, "status": SessionStatus}
    assert enum_fields(NoteRec) == {"format": NoteFormat, "status": NoteStatus}
    assert enum_fields(PlanRec) == {"status": PlanStatus}


def test_records_read_from_the_database_hold_enums(ctx: AppContext) -> None:
    pid = ctx.patients.create(PatientProfile(code="VOC-01", full_name="Synthetic Person", risk_level=RiskLevel.HIGH))
    profile = ctx.patients.get(pid)
    assert type(profile.status) is PatientStatus and profile.status is PatientStatus.ACTIVE
    assert type(profile.risk_level) is RiskLevel and profile.risk_level is RiskLevel.HIGH
    [listed] = [p for p in ctx.patients.summaries() if p.id == pid]
    assert listed.risk_level is RiskLevel.HIGH and listed.status is PatientStatus.ACTIVE
    session = ctx.sessions.create(pid, date=dt.date(2026, 3, 9), format="group")
    assert session.format is SessionFormat.GROUP and session.status is SessionStatus.PLANNED


def test_a_bad_format_names_the_field_and_writes_nothing(ctx: AppContext) -> None:
    pid = ctx.patients.create(PatientProfile(code="VOC-02", full_name="Synthetic Person"))
    with pytest.raises(InputError) as err:
        ctx.sessions.create(pid, date=dt.date(2026, 3, 9), format="crowd")
    assert "session.format" in str(err.value) and "individual" in str(err.value)
    assert ctx.sessions.list(pid) == []


def test_json_import_gives_enums_and_refuses_unknown_values() -> None:
    profile = from_data(PatientProfile, {"code": "VOC-03", "full_name": "Synthetic", "risk_level": "moderate"})
    assert profile.risk_level is RiskLevel.MODERATE and profile.status is PatientStatus.ACTIVE
    with pytest.raises(InputError) as err:
        from_data(PatientProfile, {"code": "VOC-03", "full_name": "Synthetic", "status": "gone"})
    assert "status" in str(err.value) and "must be one of active" in str(err.value)
    exported = to_data(profile)
    assert type(exported["risk_level"]) is str and exported["risk_level"] == "moderate"
    assert json.loads(json.dumps(exported))["status"] == "active"
