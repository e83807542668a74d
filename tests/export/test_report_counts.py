"""Reports count what happened: only held sessions are counted and listed, a score belongs to the
session it was entered in, and the letter to the prescriber carries no psychotherapy note content."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.export._pdf_helpers import body_text, contains
from trdplanner import assemble
from trdplanner.context import AppContext
from trdplanner.core.records import ClinicianRec, MedicationRec, NoteSectionRec, PatientProfile, SessionRec
from trdplanner.export import PdfOptions

D1, D2, D3 = dt.date(2026, 9, 1), dt.date(2026, 9, 8), dt.date(2026, 9, 15)
PRIVATE = "Client spoke about her brother's funeral"


@pytest.fixture
def ctx(data_dir: Path) -> Iterator[AppContext]:
    context = AppContext.open(str(data_dir))
    context.practice.add_clinician(ClinicianRec("Dr. Report Example (fictional)", "MD"))
    yield context
    context.close()


def _status(ctx: AppContext, sid: int, status: str) -> None:
    rec: SessionRec = ctx.sessions.get(sid)
    rec.status = status
    ctx.sessions.update(rec)


def _patient(ctx: AppContext) -> int:
    profile = PatientProfile(
        code="RPT-1",
        full_name="Report Sample",
        medications=[MedicationRec("Sertraline", "150 mg", "mornings", "good", "Dr. Prescriber")],
        risk_summary="Passive thoughts in August.",
    )
    pid = ctx.patients.create(profile)
    held = ctx.sessions.create(pid, date=D1, modality="cbt").id
    planned = ctx.sessions.create(pid, date=D2, modality="cbt").id  # never held
    missed = ctx.sessions.create(pid, date=D3, modality="cbt").id
    assert held and planned and missed
    _status(ctx, held, "completed")
    _status(ctx, missed, "no_show")
    ctx.measures.add(pid, "phq9", items=[2] * 8 + [0], taken_on=D1, session_id=held)
    ctx.measures.add(pid, "phq9", items=[1] * 8 + [1], taken_on=D2)  # same day as the planned session
    ctx.notes.save_draft(
        held,
        "soap",
        [
            NoteSectionRec("subjective", "Subjective", PRIVATE),
            NoteSectionRec("assessment", "Assessment", "Mood lifting slowly."),
            NoteSectionRec("plan", "Plan", "Continue activity scheduling."),
        ],
    )
    return pid


def test_only_held_sessions_are_counted_and_scores_belong_to_their_session(ctx: AppContext) -> None:
    pid = _patient(ctx)
    text = body_text(assemble.report_document(ctx, pid, options=PdfOptions()).render())
    assert contains(text, "SESSIONS HELD IN PERIOD 1")
    assert contains(text, "Not held in this period, and not counted: 1 no-show.")
    assert contains(text, "PHQ-9 16")  # the held session's own score
    assert not contains(text, D2.isoformat() + " CBT")  # the planned session is not listed as held
    assert contains(text, "Mood lifting slowly.") and contains(text, "Continue activity scheduling.")
    assert not contains(text, PRIVATE)  # assessment and plan only, by default
    full = body_text(assemble.report_document(ctx, pid, options=PdfOptions(), full_notes=True).render())
    assert contains(full, PRIVATE)


def test_the_prescriber_letter_has_status_trend_treatment_risk_and_no_note_content(ctx: AppContext) -> None:
    pid = _patient(ctx)
    text = body_text(assemble.prescriber_letter(ctx, pid, options=PdfOptions()).render())
    for wanted in ("Letter to the prescriber", "TRD status", "Thase-Rush stage", "Maudsley Staging Method",
                   "Measure trend", "Current treatment", "Sertraline", "Risk",
                   "PHQ-9 item 9 (thoughts of death or self-harm) answered 'some days' (1 of 3)",
                   "Psychotherapy: 1 session(s) held in this period (CBT)."):  # fmt: skip
        assert contains(text, wanted), wanted
    for private in (PRIVATE, "Mood lifting slowly.", "Continue activity scheduling."):
        assert not contains(text, private)


def test_a_no_show_or_late_cancellation_is_never_the_last_session(ctx: AppContext) -> None:
    pid = _patient(ctx)
    row = next(r for r in ctx.patients.summaries() if r.id == pid)
    assert row.last_session == D2  # the no-show on D3 is not the last session
    late = ctx.sessions.create(pid, date=D3 + dt.timedelta(days=1), modality="cbt").id
    assert late is not None
    _status(ctx, late, "late_cancellation")
    row = next(r for r in ctx.patients.summaries() if r.id == pid)
    assert row.last_session == D2
    bundle = ctx.bundles.for_session(late)
    from trdplanner.core.services.templating import draft_sections

    text = "\n".join(t for _, _, t in draft_sections(ctx.note_formats.get("soap"), bundle, ctx.settings))
    assert "Session status: late cancellation (not marked as held)." in text
