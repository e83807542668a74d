"""Hand-built records for PDF tests that must not depend on the demo practice."""

from __future__ import annotations

import datetime as dt

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

from trdplanner.core.fingerprint import note_fingerprint, note_form, signed_message
from trdplanner.core.records import (
    ClinicianRec,
    EpisodeRec,
    GoalRec,
    HomeworkRec,
    MeasureRec,
    NoteRec,
    NoteSectionRec,
    ObjectiveRec,
    PatientProfile,
    PlanRec,
    PracticeRec,
    ProblemRec,
    SessionRec,
    TrialRec,
)
from trdplanner.core.services.summary import summarize
from trdplanner.core.services.templating import SessionBundle
from trdplanner.settings import Settings

CLINICIAN = ClinicianRec(name="Dr. Ines Okonkwo", credentials="PsyD", id=1)
PRACTICE = PracticeRec(name="Northgate Psychology (test)", phone="555-0199")


def profile(full_name: str = "Ruth Ekström", code: str = "T-0107") -> PatientProfile:
    return PatientProfile(
        code=code,
        full_name=full_name,
        pronouns="she/her",
        primary_diagnosis="Major depressive disorder, recurrent, moderate",
        primary_diagnosis_icd10="F33.1",
        risk_level="moderate",
        risk_summary="Passive thoughts last month; no plan; sister nearby.",
        episodes=[EpisodeRec(2, dt.date(2025, 6, 1), severity="moderate")],
        id=1,
    )


def _signed(sections: list[NoteSectionRec], when: dt.datetime) -> NoteRec:
    note = NoteRec(format="soap", sections=sections, status="signed", signer_name=CLINICIAN.display, signed_at=when)
    note.fingerprint = note_fingerprint("soap", [(s.id, s.title, s.text) for s in sections], note.signer_name, when)
    _sign(note)
    return note


def bundle(full_name: str = "Ruth Ekström", note_text: str | None = None) -> SessionBundle:
    """A patient with two trials, four PHQ-9s, a plan and three sessions; the last one is bundled."""
    person = profile(full_name)
    trials = [
        TrialRec(
            kind="antidepressant_monotherapy",
            agent="Sertraline",
            drug_class="SSRI",
            episode_number=2,
            dose=150,
            min_effective_dose=50,
            start=dt.date(2025, 6, 10),
            stop=dt.date(2025, 9, 30),
            weeks_at_adequate_dose=14,
            adherence="good",
            outcome="non_response",
            stop_reason="inefficacy",
            id=1,
        ),
        TrialRec(
            kind="switch",
            agent="Venlafaxine XR",
            drug_class="SNRI",
            episode_number=2,
            dose=225,
            min_effective_dose=75,
            start=dt.date(2025, 10, 7),
            weeks_at_adequate_dose=10,
            adherence="good",
            id=2,
        ),
    ]
    measures = [
        MeasureRec("phq9", dt.date(2025, 10, 7), 19, [3, 2, 2, 2, 2, 2, 2, 2, 2], session_number=1),
        MeasureRec("phq9", dt.date(2025, 11, 4), 16, [2, 2, 2, 2, 2, 2, 2, 2, 0], session_number=2),
        MeasureRec("gad7", dt.date(2025, 11, 4), 11, [2, 2, 2, 2, 1, 1, 1], session_number=2),
        MeasureRec("phq9", dt.date(2025, 12, 2), 12, [2, 2, 1, 2, 1, 1, 1, 1, 1], session_number=3),
    ]
    summary = summarize(person, trials, measures, Settings(), as_of=dt.date(2025, 12, 2))
    plan = PlanRec(
        created_on=dt.date(2025, 10, 7),
        problems=[
            ProblemRec(
                statement="Low mood and withdrawal.",
                goals=[
                    GoalRec(
                        text="Back to part-time work.",
                        objectives=[
                            ObjectiveRec("PHQ-9 below 10", "phq9", "<", 10, dt.date(2026, 1, 6), dt.date(2025, 12, 5)),
                            ObjectiveRec("Walk three times a week", review_date=dt.date(2025, 12, 30)),
                        ],
                    )
                ],
            )
        ],
    )
    sessions = []
    for n, day in enumerate((dt.date(2025, 10, 7), dt.date(2025, 11, 4), dt.date(2025, 12, 2)), start=1):
        sections = [
            NoteSectionRec("subjective", "Subjective", f"Session {n}: reports sleeping a little better."),
            NoteSectionRec("objective", "Objective", "Calm, engaged, on time."),
            NoteSectionRec("assessment", "Assessment", "Slow improvement; risk reviewed, no plan or intent."),
            NoteSectionRec(
                "plan", "Plan", note_text if note_text is not None and n == 3 else "Behavioural activation."
            ),
        ]
        sessions.append(
            SessionRec(
                number=n,
                date=day,
                modality="cbt",
                status="completed",
                clinician=CLINICIAN,
                agenda=["Mood check", "Homework review", "Activity scheduling"],
                interventions=["Behavioural activation"],
                homework=[HomeworkRec(title="Activity schedule", instructions="Plan two walks.", id=n)],
                note=_signed(sections, dt.datetime.combine(day, dt.time(17, 0), tzinfo=dt.UTC)),
                id=n,
            )
        )
    return SessionBundle(
        profile=person,
        summary=summary,
        sessions=sessions,
        session=sessions[-1],
        plan=plan,
        clinician=CLINICIAN,
        practice=PRACTICE,
    )


# A fixed key (synthetic, for golden files only), so the printed key fingerprint never changes.
_GOLDEN_KEY = Ed25519PrivateKey.from_private_bytes(bytes(range(32)))


def _sign(note: NoteRec) -> None:
    """Sign like SigningService does, with the fixed golden key."""
    import hashlib

    assert note.signed_at is not None
    public = _GOLDEN_KEY.public_key().public_bytes(Encoding.Raw, PublicFormat.Raw).hex()
    fp = hashlib.sha256(bytes.fromhex(public)).hexdigest()
    form = note_form(note.format, [(x.id, x.title, x.text) for x in note.sections], note.signer_name, note.signed_at)
    note.public_key, note.key_fingerprint = public, fp
    note.signature = _GOLDEN_KEY.sign(signed_message(fp, form)).hex()
