"""Drafts say only what was recorded: golden notes for each format over a matrix of session states.

Every state is built through the services on a real database, then each of the five standard
formats is drafted (``draft_sections``, the same function the window and ``trdplanner note``
use) and compared with ``golden/notes/<state>-<format>.txt``. Regenerate after an intended
change with ``UPDATE_GOLDEN=1 python -m pytest tests/core/test_note_drafts.py`` and read the diff.
The fact checks below the golden test fail on their own if a draft claims what did not happen.
"""

from __future__ import annotations

import datetime as dt
import os
import re
import shutil
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from trdplanner.catalog import template_to_dict
from trdplanner.context import AppContext
from trdplanner.core.records import ClinicianRec, HomeworkRec, InstanceRec, PatientProfile, SessionRec
from trdplanner.core.services.templating import draft_sections

GOLDEN = Path(__file__).parent / "golden" / "notes"
FORMATS = ("soap", "dap", "birp", "girp", "pirp")
FIRST = dt.date(2026, 9, 1)
SECOND = dt.date(2026, 9, 8)
SUMMARY_DATE = dt.date(2026, 8, 20)

DIARY_VALUES = {
    "week_start": "2026-09-01",
    "urges": [
        {"suicide": 0, "self_harm": 2, "acted_self_harm": False, "substance": 1},
        {"suicide": 1, "self_harm": 3, "acted_self_harm": False},
        {},
        {"self_harm": 1},
        {},
        {},
        {},
    ],
}
THOUGHT_RECORD = {
    "rows": [
        {
            "situation": "Friend cancelled lunch.",
            "thought": "Nobody wants to see me.",
            "emotion": "sad",
            "intensity": 70,
        }
    ]
}


@contextmanager
def _opened(folder: Path, sqlite_template: Path) -> Iterator[AppContext]:
    target = folder / "trdplanner.sqlite3"
    shutil.copyfile(sqlite_template, target)
    context = AppContext.open(str(folder), f"sqlite:///{target}")
    try:
        yield context
    finally:
        context.close()


def _patient(ctx: AppContext) -> int:
    ctx.practice.add_clinician(ClinicianRec("Dr. Example Golden (fictional)", "PsyD"))
    profile = PatientProfile(
        code="G-0001",
        full_name="Golden Sample",
        risk_summary="Passive thoughts in August; no plan; sister nearby.",
        risk_summary_updated=SUMMARY_DATE,
    )
    return ctx.patients.create(profile)


def _instance(ctx: AppContext, session_id: int, template_id: str, values: dict, role: str = "in_session") -> int:
    template = ctx.catalog.get(template_id)
    rec = InstanceRec(template.id, template.version, template_to_dict(template), values, role)
    return ctx.sessions.add_instance(session_id, rec)


def _set_status(ctx: AppContext, session_id: int, status: str) -> None:
    rec: SessionRec = ctx.sessions.get(session_id)
    rec.status = status
    ctx.sessions.update(rec)


def _nothing(ctx: AppContext, pid: int, first: int, second: int) -> None:
    """A held session where nothing was recorded."""


def _assigned(ctx: AppContext, pid: int, first: int, second: int) -> None:
    """Homework from last time not yet reviewed; a diary card handed out today, not filled in."""
    ctx.sessions.add_homework(first, HomeworkRec("Daily activity log", instructions="One line an evening."))
    _instance(ctx, second, "dbt-diary-card", {}, role="homework")
    ctx.sessions.add_homework(second, HomeworkRec("Diary card", template_id="dbt-diary-card", instructions="Daily."))


def _filled(ctx: AppContext, pid: int, first: int, second: int) -> None:
    """A diary card filled in during the session, and a PHQ-9 with item 9 at 0."""
    _instance(ctx, second, "dbt-diary-card", DIARY_VALUES)
    ctx.measures.add(pid, "phq9", items=[2, 2, 1, 1, 1, 1, 1, 0, 0], taken_on=SECOND, session_id=second)


def _reviewed(ctx: AppContext, pid: int, first: int, second: int) -> None:
    """Last session's diary card came back filled and was gone through today."""
    hw = ctx.sessions.add_homework(first, HomeworkRec("Diary card", template_id="dbt-diary-card"))
    _instance(ctx, first, "dbt-diary-card", DIARY_VALUES, role="homework")
    ctx.sessions.review_homework(hw, second, "completed", "Brought it back; talked through Tuesday.")
    ctx.measures.add(pid, "phq9", items=[2, 1, 1, 1, 1, 1, 1, 0, 0], taken_on=SECOND, session_id=second)


def _positive(ctx: AppContext, pid: int, first: int, second: int) -> None:
    """PHQ-9 item 9 answered 'most days' in this session."""
    ctx.measures.add(pid, "phq9", items=[3, 3, 2, 2, 2, 2, 2, 1, 2], taken_on=SECOND, session_id=second)


def _no_measures(ctx: AppContext, pid: int, first: int, second: int) -> None:
    """Work done and homework reviewed, but no measure taken."""
    hw = ctx.sessions.add_homework(first, HomeworkRec("Activity schedule"))
    ctx.sessions.review_homework(hw, second, "partial", "Three of five activities.")
    _instance(ctx, second, "cbt-thought-record-3", THOUGHT_RECORD)


def _cancelled(ctx: AppContext, pid: int, first: int, second: int) -> None:
    """The session was cancelled; a PHQ-9 entered that day without a session stays unattached."""
    ctx.sessions.add_homework(first, HomeworkRec("Daily activity log"))
    _set_status(ctx, second, "cancelled")
    ctx.measures.add(pid, "phq9", items=[1, 1, 1, 1, 1, 1, 1, 1, 0], taken_on=SECOND)


STATES: dict[str, Callable[[AppContext, int, int, int], None]] = {
    "nothing": _nothing,
    "assigned": _assigned,
    "filled": _filled,
    "reviewed": _reviewed,
    "positive-item9": _positive,
    "no-measures": _no_measures,
    "cancelled": _cancelled,
}


@pytest.fixture(scope="module")
def drafts(tmp_path_factory: pytest.TempPathFactory, sqlite_template: Path) -> dict[str, dict[str, str]]:
    """Every state's drafts in every format, built once (each state on its own database)."""
    out = {}
    for state in STATES:
        with _opened(tmp_path_factory.mktemp(f"notes-{state}"), sqlite_template) as ctx:
            out[state] = _drafts(ctx, state)
    return out


def _drafts(ctx: AppContext, state: str) -> dict[str, str]:
    pid = _patient(ctx)
    first = ctx.sessions.create(pid, date=FIRST, modality="dbt").id
    second = ctx.sessions.create(pid, date=SECOND, modality="dbt").id
    assert first is not None and second is not None
    _set_status(ctx, first, "completed")
    _set_status(ctx, second, "completed")
    STATES[state](ctx, pid, first, second)
    bundle = ctx.bundles.for_session(second)
    out = {}
    for fmt in FORMATS:
        sections = draft_sections(ctx.note_formats.get(fmt), bundle, ctx.settings)
        out[fmt] = "\n".join(f"== {title} ==\n{text}\n" for _, title, text in sections)
    return out


@pytest.mark.parametrize("state", list(STATES))
def test_drafts_match_the_golden_copies(drafts: dict[str, dict[str, str]], state: str) -> None:
    for fmt, text in drafts[state].items():
        path = GOLDEN / f"{state}-{fmt}.txt"
        if os.environ.get("UPDATE_GOLDEN"):
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(text, encoding="utf-8")
        assert path.exists(), f"no golden copy yet; run with UPDATE_GOLDEN=1 to create {path}"
        assert text == path.read_text(encoding="utf-8"), f"{state}/{fmt} differs from {path.name}"


IDENTIFIER = re.compile(r"\b[a-z0-9]+_[a-z0-9_]+\b")


@pytest.mark.parametrize("state", list(STATES))
def test_no_draft_shows_identifiers_or_undated_profile_text(drafts: dict[str, dict[str, str]], state: str) -> None:
    for fmt, text in drafts[state].items():
        assert not IDENTIFIER.findall(text), (fmt, IDENTIFIER.findall(text))
        assert "Clinician's risk assessment" not in text
        assert f"Risk summary on file, last updated {SUMMARY_DATE.isoformat()}" in text, fmt


def test_an_unfilled_form_is_assigned_and_homework_due_is_named(drafts: dict[str, dict[str, str]]) -> None:
    for fmt, text in drafts["assigned"].items():
        assert "Diary card reviewed" not in text and "Diary card filled in" not in text
        assert "urges rated" not in text
        assert "DBT diary card: assigned as homework, not filled in yet" in text, fmt
        assert "No homework was due" not in text
        assert "Daily activity log (assigned in session 1): due, not reviewed in this session" in text, fmt


def test_filled_and_reviewed_forms_say_which(drafts: dict[str, dict[str, str]]) -> None:
    filled = drafts["filled"]["soap"]
    assert "Diary card filled in (week of 2026-09-01), urges rated on 3 of 7 days." in filled
    assert "reviewed" not in filled.split("== Objective ==")[1].split("== Assessment ==")[0]


def test_a_reviewed_homework_quotes_its_worksheet(drafts: dict[str, dict[str, str]]) -> None:
    text = drafts["reviewed"]["dap"]
    assert "Diary card (assigned in session 1): completed. Brought it back" in text
    assert "Worksheet: Diary card reviewed (week of 2026-09-01)" in text


def test_a_positive_item_9_is_named_in_words_with_a_review_section(drafts: dict[str, dict[str, str]]) -> None:
    for fmt, text in drafts["positive-item9"].items():
        assert "PHQ-9 item 9 (thoughts of death or self-harm) answered 'most days (more than half)' (2 of 3)" in text
        assert "RISK:" in text and "A structured risk review is required" in text
        assert "== Risk review ==" in text, fmt
        assert "Current thoughts of death or suicide: (not yet recorded)" in text


def test_a_cancelled_session_claims_nothing_and_takes_no_measure_by_date(drafts: dict[str, dict[str, str]]) -> None:
    for fmt, text in drafts["cancelled"].items():
        assert "Session status: cancelled (not marked as held)." in text, fmt
        assert "PHQ-9 7/27" not in text
        assert "No measures completed this session." in text or fmt in ("girp", "pirp", "birp")
