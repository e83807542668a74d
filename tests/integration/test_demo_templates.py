"""Templates and notes on the demo practice: what a therapist sees before session 8."""

from __future__ import annotations

from pathlib import Path

import pytest

from trdplanner.catalog import render_note
from trdplanner.cli import main as cli_main
from trdplanner.context import AppContext
from trdplanner.core.demo import create_demo
from trdplanner.core.services.templating import note_context, prefilled_values


@pytest.fixture
def ctx(data_dir: Path) -> AppContext:
    context = AppContext.open(str(data_dir))
    create_demo(context)
    yield context
    context.close()


def _sessions(ctx: AppContext, code: str) -> list:
    pid = ctx.patients.id_for_code(code)
    assert pid is not None
    return ctx.sessions.list(pid)


def test_thought_record_prefills_last_sessions_balanced_thought(ctx: AppContext) -> None:
    sessions = _sessions(ctx, "DEMO-05")
    last_filled = next(i for i in sessions[-2].instances if i.template_id == "cbt-thought-record-7")
    bundle = ctx.bundles.for_session(sessions[-1].id)
    values = prefilled_values(ctx.catalog.get("cbt-thought-record-7"), bundle, ctx.settings)
    assert values["last_balanced_thought"] == last_filled.values["balanced_thought"]


def test_diary_card_target_and_safety_plan_identity_carry_forward(ctx: AppContext) -> None:
    bundle = ctx.bundles.for_session(_sessions(ctx, "DEMO-04")[-1].id)
    card = prefilled_values(ctx.catalog.get("dbt-diary-card"), bundle, ctx.settings)
    assert card["target_name"] == "Skipping meals"
    plan = prefilled_values(ctx.catalog.get("general-safety-plan"), bundle, ctx.settings)
    assert plan["name"] == "DEMO-04"  # the print code, per the default privacy setting
    assert plan["clinic_phone"] == "555-0100"


def test_every_note_format_renders_a_demo_session_with_its_worksheet_and_risk(ctx: AppContext) -> None:
    session = _sessions(ctx, "DEMO-05")[-2]  # session 7: PHQ-9 item 9 positive that day
    context = note_context(ctx.bundles.for_session(session.id), ctx.settings)
    for fmt in ("soap", "dap", "birp", "girp", "pirp"):
        text = "\n".join(body for _, _, body in render_note(ctx.note_formats.get(fmt), context))
        assert "RISK: PHQ-9 item 9 (thoughts of death or self-harm) answered" in text, fmt
        assert "Seven-column thought record" in text, fmt
        assert "Phenelzine" in text, fmt  # the medication check lists current medication


def test_note_command_prints_the_draft_text(
    ctx: AppContext, data_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    pid = ctx.patients.id_for_code("DEMO-06")
    assert pid is not None
    session = ctx.sessions.create(pid, date=_sessions(ctx, "DEMO-06")[-1].date, modality="dbt")  # no note yet
    ctx.close()
    assert cli_main(["--data-dir", str(data_dir), "note", str(session.id), "--format", "birp"]) == 0
    out = capsys.readouterr().out
    for heading in ("Behaviour", "Intervention", "Response", "Plan"):
        assert heading in out
    assert f"Session {session.number}" in out
    assert "DBT" in out
