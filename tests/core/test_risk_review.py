"""A risk review before signing: required by a positive suicidality item or an open alert,
refused with each missing part named, signed text written from the recorded parts, and the
alert acknowledged (who, when, audited) when the clinician asks for it."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from trdplanner.clinical import missing_parts
from trdplanner.context import AppContext
from trdplanner.core.demo import DEMO_SIGNING_PASSWORD as PW
from trdplanner.core.records import ClinicianRec, NoteSectionRec, PatientProfile
from trdplanner.core.services.notes import RiskReviewIncomplete
from trdplanner.core.services.templating import RISK_REVIEW_SECTION, draft_sections

DAY = dt.date(2026, 10, 6)
COMPLETE: dict[str, Any] = {
    "thoughts": "Passive wish not to wake up, most days; no active thoughts.",
    "intent": "Denies any intent.",
    "plan": "No plan.",
    "means": "No firearms at home; medication kept by partner.",
    "protective": "Children, partner, faith.",
    "formulation": "moderate",
    "safety_plan": "reviewed",
    "contacts": "Crisis line number given; partner aware.",
    "follow_up": "Phone check-in in two days; session next week.",
}


@pytest.fixture
def ctx(data_dir: Path, ready_db_url: str) -> Iterator[AppContext]:
    """On SQLite, and on PostgreSQL when one is configured."""
    context = AppContext.open(str(data_dir), ready_db_url)
    context.practice.add_clinician(ClinicianRec("Dr. Risk Example (fictional)", "PhD"))
    yield context
    context.close()


def _session(ctx: AppContext, day: dt.date = DAY) -> tuple[int, int]:
    pid = ctx.patients.id_for_code("R-0001") or ctx.patients.create(
        PatientProfile(code="R-0001", full_name="Risk Test")
    )
    sid = ctx.sessions.create(pid, date=day, modality="cbt").id
    assert sid is not None
    return pid, sid


def _draft(ctx: AppContext, sid: int, review: dict[str, Any] | None = None) -> None:
    bundle = ctx.bundles.for_session(sid)
    sections = [
        NoteSectionRec(i, t, x, dict(review) if i == RISK_REVIEW_SECTION and review is not None else None)
        for i, t, x in draft_sections(ctx.note_formats.get("soap"), bundle, ctx.settings)
    ]
    ctx.notes.save_draft(sid, "soap", sections)


def _clinician(ctx: AppContext) -> int:
    """The practice's clinician, with a signing key (signing needs one)."""
    c = ctx.practice.default_clinician()
    assert c is not None and c.id is not None
    if ctx.signing.active_key(c.id) is None:
        ctx.signing.create_key(c.id, PW)
    return c.id


@pytest.mark.parametrize(
    ("instrument", "items", "named"),
    [
        ("phq9", [1, 1, 1, 1, 1, 1, 1, 1, 1], "PHQ-9 item 9 (thoughts of death or self-harm) answered 'some days'"),
        ("qids_sr16", [1] * 11 + [2] + [1] * 4, "QIDS-SR16 item 12 (thoughts of death or suicide) scored 2 of 3"),
        ("hamd17", [1, 1, 3] + [1] * 14, "HAM-D17 item 3 (suicidal thoughts or acts) scored 3 of 4"),
    ],
)
def test_signing_is_refused_naming_every_missing_part(
    ctx: AppContext, instrument: str, items: list[int], named: str
) -> None:
    pid, sid = _session(ctx)
    ctx.measures.add(pid, instrument, items=items, taken_on=DAY, session_id=sid)
    _draft(ctx, sid)
    with pytest.raises(RiskReviewIncomplete) as caught:
        ctx.notes.sign(sid, _clinician(ctx), password=PW)
    assert caught.value.missing == missing_parts(None)
    assert "Current thoughts of death or suicide" in caught.value.missing
    assert "Safety plan (reviewed or written)" in caught.value.missing
    assert any(named in r for r in caught.value.reasons), caught.value.reasons
    note = ctx.notes.for_session(sid)
    assert note is not None and note.status == "draft"


def test_a_partly_answered_review_names_only_what_is_missing(ctx: AppContext) -> None:
    pid, sid = _session(ctx)
    ctx.measures.add(pid, "phq9", items=[0] * 8 + [2], taken_on=DAY, session_id=sid)
    partial = {**COMPLETE, "means": "  ", "safety_plan": "not_done", "formulation": "severe"}
    _draft(ctx, sid, partial)
    with pytest.raises(RiskReviewIncomplete) as caught:
        ctx.notes.sign(sid, _clinician(ctx), password=PW)
    assert caught.value.missing == ["Access to means", "Risk formulation", "Safety plan (reviewed or written)"]


def test_an_open_alert_from_an_earlier_score_requires_the_review(ctx: AppContext) -> None:
    pid, first = _session(ctx, DAY - dt.timedelta(days=7))
    ctx.measures.add(pid, "phq9", items=[0] * 8 + [1], taken_on=DAY - dt.timedelta(days=7), session_id=first)
    _, later = _session(ctx)
    _draft(ctx, later)
    note = ctx.notes.for_session(later)
    assert note is not None and any(x.id == RISK_REVIEW_SECTION for x in note.sections)
    with pytest.raises(RiskReviewIncomplete) as caught:
        ctx.notes.sign(later, _clinician(ctx), password=PW)
    assert caught.value.reasons[0].startswith("open alert: PHQ-9 item 9")


def test_a_draft_without_the_review_section_is_refused(ctx: AppContext) -> None:
    """An insider who drops the section (or writes 'reviewed' into free text) cannot sign around it."""
    pid, sid = _session(ctx)
    ctx.measures.add(pid, "phq9", items=[0] * 8 + [3], taken_on=DAY, session_id=sid)
    claims = "Risk review: complete. Thoughts: none. Intent: none. Plan: none. Means: none. Formulation: low."
    ctx.notes.save_draft(sid, "soap", [NoteSectionRec("assessment", "Assessment", claims)])
    with pytest.raises(RiskReviewIncomplete):
        ctx.notes.sign(sid, _clinician(ctx), password=PW)
    # The same free text in the review section, without recorded parts, is refused too.
    ctx.notes.save_draft(sid, "soap", [NoteSectionRec(RISK_REVIEW_SECTION, "Risk review", claims)])
    with pytest.raises(RiskReviewIncomplete):
        ctx.notes.sign(sid, _clinician(ctx), password=PW)


def test_a_complete_review_signs_with_its_parts_in_the_text_and_acknowledges(ctx: AppContext) -> None:
    pid, sid = _session(ctx)
    measure = ctx.measures.add(pid, "phq9", items=[1] * 8 + [2], taken_on=DAY, session_id=sid)
    _draft(ctx, sid, {**COMPLETE, "acknowledge_alerts": True})
    at = dt.datetime(2026, 10, 6, 15, 30, tzinfo=dt.UTC)
    note = ctx.notes.sign(sid, _clinician(ctx), at=at, password=PW)
    assert note.status == "signed"
    review = next(x for x in note.sections if x.id == RISK_REVIEW_SECTION)
    for value in ("Children, partner, faith.", "Risk formulation: Moderate", "Safety plan reviewed with the client"):
        assert value in review.text
    assert "acknowledged at signing (1) by Dr. Risk Example (fictional), PhD" in review.text
    stored = next(m for m in ctx.measures.list(pid) if m.id == measure.id)
    assert stored.alert_acknowledged_by == "Dr. Risk Example (fictional), PhD"
    assert stored.alert_acknowledged_at is not None
    assert stored.alert_acknowledged_at.replace(tzinfo=dt.UTC) == at
    assert [e.action for e in ctx.audit.list(50, action="measure.acknowledge_alert")]
    summary = ctx.patients.summaries()[0]
    assert summary.open_alerts == 0 and summary.risk_flag  # acknowledged, never cleared


def test_without_acknowledging_the_alert_stays_open(ctx: AppContext) -> None:
    pid, sid = _session(ctx)
    ctx.measures.add(pid, "phq9", items=[1] * 8 + [1], taken_on=DAY, session_id=sid)
    _draft(ctx, sid, COMPLETE)
    ctx.notes.sign(sid, _clinician(ctx), password=PW)
    assert ctx.patients.summaries()[0].open_alerts == 1


def test_no_positive_item_and_no_open_alert_needs_no_review(ctx: AppContext) -> None:
    pid, sid = _session(ctx)
    ctx.measures.add(pid, "phq9", items=[1] * 8 + [0], taken_on=DAY, session_id=sid)
    _draft(ctx, sid)
    note = ctx.notes.for_session(sid)
    assert note is not None and not any(x.id == RISK_REVIEW_SECTION for x in note.sections)
    assert ctx.notes.sign(sid, _clinician(ctx), password=PW).status == "signed"
