"""Builders and database probes shared by the storage tests."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import func, select

from trdplanner.core.db import Database
from trdplanner.core.models import Base
from trdplanner.core.records import (
    CareTeamRec,
    ComorbidityRec,
    EpisodeRec,
    FactorRec,
    MedicationRec,
    PatientProfile,
)


def full_profile(code: str = "P-0001", **overrides: object) -> PatientProfile:
    """A profile with every field set and at least one entry in every child list."""
    values: dict[str, object] = dict(
        code=code,
        full_name="Maya Okafor-Lindqvist",
        preferred_name="Maya",
        date_of_birth=dt.date(1994, 3, 14),
        pronouns="she/her",
        phone="555-0101",
        email="maya@example.org",
        address="12 Example Lane\nSpringfield",
        emergency_contact_name="Ife Okafor",
        emergency_contact_relation="mother",
        emergency_contact_phone="555-0102",
        status="active",
        primary_diagnosis="Major depressive disorder, recurrent, severe",
        primary_diagnosis_icd10="F33.2",
        risk_level="moderate",
        risk_summary='Passive ideation last month; no plan. <b>Not</b> markup & "quotes".',
        risk_summary_updated=dt.date(2025, 12, 1),
        comorbidities=[
            ComorbidityRec("Generalised anxiety disorder", "F41.1"),
            ComorbidityRec("Insomnia, non-organic", "F51.0"),
        ],
        factors=[
            FactorRec("biological", "family_history", "Mother treated for depression"),
            FactorRec("psychological", "trauma_history", ""),
            FactorRec("lifestyle", "sleep", "Shift work"),
        ],
        care_team=[
            CareTeamRec("prescriber", "Dr. Morgan Reyes", "555-0190"),
            CareTeamRec("primary_care", "Riverside Clinic", ""),
        ],
        medications=[
            MedicationRec("Sertraline", "150 mg", "mornings", "good", "Dr. Morgan Reyes", dt.date(2025, 1, 6)),
            MedicationRec("Quetiapine", "25 mg", "nightly", "partial", "", None),
        ],
        episodes=[
            EpisodeRec(1, dt.date(2019, 2, 1), dt.date(2020, 1, 15), "mild", False),
            EpisodeRec(2, dt.date(2024, 9, 1), None, "severe", True),
        ],
    )
    values.update(overrides)
    return PatientProfile(**values)  # type: ignore[arg-type]


def row_counts(db: Database) -> dict[str, int]:
    """Rows per table of clinical data: compared before and after an operation that must write nothing.

    An audit trail may record reads and refused attempts, so its tables are left out.
    """
    with db.reading() as s:
        return {
            t.name: s.scalar(select(func.count()).select_from(t)) or 0
            for t in Base.metadata.sorted_tables
            if not t.name.startswith("audit")
        }
