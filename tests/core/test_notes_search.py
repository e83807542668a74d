"""Full-text note search: words in any case or accent, with structured filters, on SQLite."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from trdplanner.context import AppContext
from trdplanner.core.demo import DEMO_SIGNING_PASSWORD as PW
from trdplanner.core.demo import create_demo
from trdplanner.core.errors import NotFoundError
from trdplanner.core.records import NoteSectionRec


@pytest.fixture
def ctx(data_dir: Path) -> AppContext:
    c = AppContext.open(str(data_dir))
    create_demo(c, today=dt.date(2026, 3, 2))
    return c


def test_words_match_in_any_case_and_accent(ctx: AppContext) -> None:
    pid = ctx.patients.id_for_code("DEMO-04")
    assert pid is not None
    hits = ctx.notes.search(pid, "TOMAS sleep")
    assert len(hits) == 8
    assert [h.session_number for h in hits] == sorted((h.session_number for h in hits), reverse=True)
    assert "Tomás reports" in hits[0].snippet
    assert ctx.notes.search(pid, "sleep nowhere-to-be-found") == []


def test_filters_combine(ctx: AppContext) -> None:
    pid = ctx.patients.id_for_code("DEMO-04")
    assert pid is not None
    unsigned = ctx.notes.search(pid, unsigned_only=True)
    assert [h.status for h in unsigned] == ["draft"]
    everything = ctx.notes.search(pid)
    modality = everything[0].modality
    assert len(ctx.notes.search(pid, modality=modality)) == 8
    assert ctx.notes.search(pid, modality="act" if modality != "act" else "cbt") == []
    assert ctx.notes.search(pid, fmt="dap") == []
    dates = sorted(h.session_date for h in everything)
    window = ctx.notes.search(pid, date_from=dates[2], date_to=dates[4])
    assert sorted(h.session_date for h in window) == dates[2:5]


def test_addenda_are_searched_and_snippet_shows_the_match(ctx: AppContext) -> None:
    pid = ctx.patients.id_for_code("DEMO-01")
    assert pid is not None
    sessions = ctx.sessions.list(pid)
    signed = next(s for s in sessions if s.note and s.note.status == "signed")
    assert signed.id is not None
    clinician = ctx.practice.default_clinician()
    assert clinician is not None and clinician.id is not None
    ctx.notes.add_addendum(signed.id, clinician.id, "Late entry: called the crisis línea together.", password=PW)
    hits = ctx.notes.search(pid, "LINEA")
    assert [h.session_id for h in hits] == [signed.id]
    assert hits[0].addenda == 1 and "crisis línea" in hits[0].snippet
    draft = next(s for s in sessions if s.note and s.note.status == "draft")
    assert draft.id is not None
    ctx.notes.save_draft(draft.id, "dap", [NoteSectionRec("data", "Data", "Zoë brought the diary card.")])
    assert [h.format for h in ctx.notes.search(pid, "zoe diary")] == ["dap"]


def test_unknown_patient_is_reported(ctx: AppContext) -> None:
    with pytest.raises(NotFoundError):
        ctx.notes.search(99999, "x")
