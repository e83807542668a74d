"""Shared by the data-safety tests: the suite's passphrase, CLI results, builders and probes."""

from __future__ import annotations

import datetime as dt
import sqlite3
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from trdplanner.context import AppContext
from trdplanner.core.demo import DEMO_SIGNING_PASSWORD as PW
from trdplanner.core.records import ClinicianRec, NoteSectionRec, PatientProfile, PracticeRec

PASSPHRASE = "test passphrase: synthetic data only"  # the suite's, see tests/conftest.py


@dataclass
class Result:
    code: int
    out: str
    err: str


Run = Callable[..., Result]


def readable_by_plain_sqlite(path: Path) -> bool:
    con = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        con.execute("SELECT count(*) FROM sqlite_master").fetchone()
        return True
    except sqlite3.DatabaseError:
        return False
    finally:
        con.close()


def make_patient(ctx: AppContext, code: str = "SAFE-01") -> int:
    return ctx.patients.create(PatientProfile(code=code, full_name="Rowan Synthetic-Example"))


# Every part of a risk review answered (synthetic), for signing after a positive item 9.
COMPLETE_REVIEW = {
    "thoughts": "Passive thoughts (synthetic).",
    "intent": "None.",
    "plan": "None.",
    "means": "None at home.",
    "protective": "Family.",
    "formulation": "low",
    "safety_plan": "reviewed",
    "contacts": "Crisis line given.",
    "follow_up": "Next week.",
}


def signed_session(ctx: AppContext, pid: int, text: str = "Mood lower this week; slept 5 hours.") -> tuple[int, int]:
    """A session with a signed SOAP note; returns (session id, clinician id)."""
    if ctx.practice.practice() is None:
        ctx.practice.save_practice(PracticeRec(name="Synthetic practice"))
    clinicians = ctx.practice.clinicians()
    clinician = clinicians[0] if clinicians else ctx.practice.add_clinician(ClinicianRec("Dr. Test", "PhD"))
    assert clinician.id is not None
    session = ctx.sessions.create(pid, date=dt.date(2026, 1, 5), modality="cbt")
    sections = [NoteSectionRec("subjective", "Subjective", text)]
    if ctx.notes.review_reasons(session.id):  # an open item-9 alert: signing needs a complete risk review
        sections.append(NoteSectionRec("risk_review", "Risk review", "", dict(COMPLETE_REVIEW)))
    ctx.notes.save_draft(session.id, "soap", sections)
    if ctx.signing.active_key(clinician.id) is None:
        ctx.signing.create_key(clinician.id, PW)
    ctx.notes.sign(session.id, clinician.id, password=PW)
    return session.id, clinician.id
