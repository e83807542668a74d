"""The demo practice: one clinician and synthetic patients spanning the TRD spectrum.

Every person here is invented. Dates are laid out relative to the day the demo is
created, so episode durations (and hence Maudsley duration points) stay stable.
Running it again adds nothing: patients are matched by their print code.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Protocol

from trdplanner.catalog import Catalog
from trdplanner.core.demo_instances import instances_for
from trdplanner.core.demo_patients import DemoPatient, demo_patients, items_for, weeks_ago
from trdplanner.core.records import (
    ClinicianRec,
    GoalRec,
    HomeworkRec,
    InterventionRec,
    MeasureRec,
    NoteRec,
    NoteSectionRec,
    ObjectiveRec,
    PatientRecord,
    PlanRec,
    PracticeRec,
    ProblemRec,
    SessionRec,
)
from trdplanner.core.services.patients import PatientService
from trdplanner.core.services.practice import PracticeService
from trdplanner.core.services.transfer import TransferService
from trdplanner.core.signing import SigningService
from trdplanner.core.vocab import (
    HomeworkStatus,
    NoteFormat,
    NoteStatus,
    ObjectiveStatus,
    RiskLevel,
    SessionStatus,
)

DEMO_PRACTICE = PracticeRec(
    name="Harbour Light Therapy Collective (demo)", address="12 Example Lane, Springfield", phone="555-0100"
)
# The demo clinician's signing password (stated in the README): demo notes carry real signatures.
DEMO_SIGNING_PASSWORD = "demo signing password"
DEMO_CLINICIAN = ClinicianRec(
    name="Dr. Avery Lindqvist",
    credentials="PhD, Licensed Psychologist",
    licence_number="DEMO-PSY-0001",
    email="avery@example.org",
)


_AGENDA = {
    "cbt": [
        "Mood check and PHQ-9",
        "Bridge from last session",
        "Homework review",
        "Thought record practice",
        "New homework",
    ],
    "dbt": ["Diary card review", "Chain analysis of target behaviour", "Skills coaching", "Homework"],
    "act": ["Check-in and measures", "Values clarification", "Defusion practice", "Committed action"],
    "ipt": ["How have you been since we last met?", "Link mood to interpersonal events", "Role-transition work"],
    "mbct": ["Home practice review", "Three-minute breathing space", "Relapse signature"],
}


def _note_sections(p: DemoPatient, number: int, total: int) -> list[NoteSectionRec]:
    name = p.profile.preferred_name or p.profile.full_name.split()[0]
    return [
        NoteSectionRec("subjective", "Subjective", f"{name} reports mood about the same as last week; sleep variable."),
        NoteSectionRec("objective", "Objective", f"PHQ-9 total {total}. Engaged, affect constricted, on time."),
        NoteSectionRec(
            "assessment", "Assessment", "Progress toward objectives is partial. Risk reviewed; no intent or plan."
        ),
        NoteSectionRec("plan", "Plan", f"Continue weekly sessions; homework assigned. Next: session {number + 1}."),
    ]


def build_record(
    p: DemoPatient, today: dt.date, catalog: Catalog, sign: Callable[[NoteRec], NoteRec] | None = None
) -> PatientRecord:
    measures = [
        MeasureRec("phq9", weeks_ago(today, w), total, items_for(total, 9, 3, item9=item9))
        for w, total, item9 in p.phq9
    ] + list(p.extra_measures)
    measures.sort(key=lambda m: m.taken_on)
    # Weekly sessions over the last eight weeks, the last one today and still unsigned.
    sessions: list[SessionRec] = []
    for n in range(1, 9):
        date = weeks_ago(today, 8 - n)
        total = p.phq9[-1][1]
        note = NoteRec(format=NoteFormat.SOAP, sections=_note_sections(p, n, total))
        if n < 8:
            signed_at = dt.datetime.combine(date, dt.time(17, 30), tzinfo=dt.UTC)
            note.status = NoteStatus.SIGNED
            note.signer_name = DEMO_CLINICIAN.display
            note.signed_at = signed_at
            if sign is not None:
                note = sign(note)
        sessions.append(
            SessionRec(
                number=n,
                date=date,
                modality=p.modality,
                status=SessionStatus.COMPLETED if n < 8 else SessionStatus.PLANNED,
                clinician=DEMO_CLINICIAN,
                agenda=list(_AGENDA.get(p.modality, [])),
                interventions=[f"{p.modality.upper()} skills practice"],
                safety_plan_reviewed=p.profile.risk_level == RiskLevel.HIGH,
                instances=instances_for(catalog, p.profile.code, p.modality, n, date.isoformat()),
                homework=[
                    HomeworkRec(
                        title="Practise this week's skill daily",
                        status=HomeworkStatus.COMPLETED if n < 7 else HomeworkStatus.ASSIGNED,
                        reviewed_in_session_number=n + 1 if n < 7 else None,
                    )
                ],
                note=note,
            )
        )
    target = max(4, p.phq9[0][1] // 2)
    plan = PlanRec(
        created_on=weeks_ago(today, 8),
        review_date=today + dt.timedelta(weeks=4),
        client_participation="Plan written together; client agreed.",
        problems=[
            ProblemRec(
                statement="Persistent low mood with withdrawal from valued activities.",
                evidence=f"PHQ-9 {p.phq9[0][1]} at intake.",
                goals=[
                    GoalRec(
                        text="Return to valued work and family roles with depression in remission.",
                        objectives=[
                            ObjectiveRec(
                                f"PHQ-9 below {target} within 12 weeks",
                                "phq9",
                                "<",
                                float(target),
                                today + dt.timedelta(weeks=4),
                                today + dt.timedelta(weeks=2),
                            ),
                            ObjectiveRec(
                                "Complete 3 scheduled mastery or pleasure activities per week for 4 weeks",
                                review_date=today + dt.timedelta(weeks=2),
                                status=ObjectiveStatus.PARTIALLY_MET,
                            ),
                        ],
                    )
                ],
                interventions=[
                    InterventionRec(f"Weekly 50-minute {p.modality.upper()}", p.modality, "weekly", DEMO_CLINICIAN.name)
                ],
            )
        ],
    )
    return PatientRecord(
        profile=p.profile, clinician=DEMO_CLINICIAN, trials=p.trials, measures=measures, plans=[plan],
        sessions=sessions, courses=p.courses,
    )


class DemoServices(Protocol):
    """What adding the demo needs (the composition root, AppContext, is one)."""

    @property
    def practice(self) -> PracticeService: ...
    @property
    def signing(self) -> SigningService: ...
    @property
    def patients(self) -> PatientService: ...
    @property
    def transfer(self) -> TransferService: ...
    @property
    def catalog(self) -> Catalog: ...


def create_demo(ctx: DemoServices, today: dt.date | None = None) -> tuple[int, int]:
    """Add the demo practice; returns (patients added, patients already present)."""
    today = today or dt.date.today()
    if ctx.practice.practice() is None:
        ctx.practice.save_practice(DEMO_PRACTICE)
    clinician = next((c for c in ctx.practice.clinicians() if c.licence_number == DEMO_CLINICIAN.licence_number), None)
    if clinician is None:
        clinician = ctx.practice.add_clinician(DEMO_CLINICIAN)
    assert clinician.id is not None
    clinician_id = clinician.id
    if ctx.signing.active_key(clinician_id) is None:
        ctx.signing.create_key(clinician_id, DEMO_SIGNING_PASSWORD)
    sign = ctx.signing.record_signer(clinician_id, DEMO_SIGNING_PASSWORD)
    added = present = 0
    for p in demo_patients(today):
        if ctx.patients.id_for_code(p.profile.code) is not None:
            present += 1
            continue
        ctx.transfer.import_record(build_record(p, today, ctx.catalog, sign))
        added += 1
    return added, present
