"""``trdplanner worksheet|note|notes|report|prep|safety-plan|homework``: files, text, refusals."""

from __future__ import annotations

import datetime as dt
import io
import os
from pathlib import Path

import pytest
from pypdf import PdfReader

from tests.cli.conftest import Run
from tests.export._pdf_helpers import fill
from trdplanner.catalog import validate_instance
from trdplanner.context import AppContext


def _ctx(data: Path) -> AppContext:
    return AppContext.open(str(data))


def _sessions(data: Path, code: str) -> list[int]:
    ctx = _ctx(data)
    try:
        pid = ctx.patients.id_for_code(code)
        assert pid is not None
        return [s.id for s in ctx.sessions.list(pid) if s.id is not None]
    finally:
        ctx.close()


def _new_session(data: Path, code: str) -> int:
    """A session with no note and no homework yet."""
    ctx = _ctx(data)
    try:
        pid = ctx.patients.id_for_code(code)
        assert pid is not None
        session = ctx.sessions.create(pid, date=dt.date.today() + dt.timedelta(days=7), modality="cbt")
        assert session.id is not None
        return session.id
    finally:
        ctx.close()


def _pages(path: Path) -> int:
    data = path.read_bytes()
    assert data.startswith(b"%PDF")
    return len(PdfReader(io.BytesIO(data)).pages)


def test_every_command_writes_its_pdf(run: Run, demo_dir: Path, tmp_path: Path) -> None:
    session = _sessions(demo_dir, "DEMO-05")[-1]
    out = tmp_path / "out"
    out.mkdir()
    commands = {
        "blank.pdf": ["worksheet", "cbt-thought-record-7"],
        "patient.pdf": ["worksheet", "general-phq9-form", "--patient", "DEMO-05"],
        "session.pdf": ["worksheet", "cbt-thought-record-7", "--session", str(session)],
        "fillable.pdf": ["worksheet", "cbt-thought-record-7", "--session", str(session), "--fillable"],
        "note.pdf": ["note", str(session)],
        "notes.pdf": ["notes", "DEMO-05"],
        "report.pdf": ["report", "DEMO-05"],
        "report-period.pdf": ["report", "DEMO-05", "--from", "2020-01-01", "--to", dt.date.today().isoformat()],
        "prep.pdf": ["prep", str(session)],
        "safety.pdf": ["safety-plan", "DEMO-06"],
        "safety-fold.pdf": ["safety-plan", "DEMO-06", "--fold"],
        "homework.pdf": ["homework", str(session)],
    }
    for name, argv in commands.items():
        result = run("--data-dir", str(demo_dir), *argv, "-o", str(out / name))
        assert result.code == 0, (argv, result.err)
        assert result.out.startswith("Wrote ")
        assert _pages(out / name) >= 1
    assert _pages(out / "prep.pdf") == 1
    assert _pages(out / "safety-fold.pdf") == 1
    assert sorted(p.name for p in out.iterdir()) == sorted(commands)  # no temp files left behind


def test_note_without_output_prints_the_note_text(run: Run, demo_dir: Path) -> None:
    session = _sessions(demo_dir, "DEMO-02")[0]
    result = run("--data-dir", str(demo_dir), "note", str(session))
    assert result.code == 0
    for title in ("Subjective", "Objective", "Assessment", "Plan"):
        assert f"== {title} ==" in result.out
    assert "signature verified: signed by Dr. Avery Lindqvist" in result.out


def test_note_for_a_session_without_one_renders_the_format(run: Run, demo_dir: Path) -> None:
    session = _new_session(demo_dir, "DEMO-01")
    ctx = _ctx(demo_dir)
    try:
        formats = {f.id: [s.title for s in f.sections] for f in ctx.note_formats.formats}
    finally:
        ctx.close()
    soap = run("--data-dir", str(demo_dir), "note", str(session))
    assert soap.code == 0 and "DRAFT" in soap.out
    assert all(f"== {title} ==" in soap.out for title in formats["soap"])
    for fmt, titles in formats.items():
        result = run("--data-dir", str(demo_dir), "note", str(session), "--format", fmt)
        assert result.code == 0, result.err
        assert all(f"== {title} ==" in result.out for title in titles)


def test_worksheet_read_stores_the_answers_in_the_session(run: Run, demo_dir: Path, tmp_path: Path) -> None:
    session = _sessions(demo_dir, "DEMO-03")[-1]
    printed = tmp_path / "sheet.pdf"
    assert run("--data-dir", str(demo_dir), "worksheet", "cbt-thought-record-7", "--session", str(session),
               "--fillable", "-o", str(printed)).code == 0  # fmt: skip
    ctx = _ctx(demo_dir)
    template = ctx.catalog.get("cbt-thought-record-7")
    ctx.close()
    answers = {
        "date": "2026-02-14",
        "situation": "Meeting ran late; my manager frowned.",
        "moods": [{"mood": "anxious", "intensity": 80}, {"mood": "sad", "intensity": 40}],
        "automatic_thoughts": "They think I'm useless.",
        "hot_thought": "I'm useless.",
        "hot_thought_belief": 85,
        "distortions": ["mind_reading", "labeling"],
        "evidence_for": "The report was late.",
        "evidence_against": "Two projects went well this month.",
        "balanced_thought": "One late report does not make me useless.",
        "balanced_belief": 60,
        "mood_rerating": [{"mood": "anxious", "intensity": 45}],
    }
    filled = tmp_path / "filled.pdf"
    filled.write_bytes(fill(printed.read_bytes(), template, answers))
    result = run("--data-dir", str(demo_dir), "worksheet", "read", str(filled), "--session", str(session))
    assert result.code == 0, result.err
    assert "Added 'Seven-column thought record'" in result.out
    ctx = _ctx(demo_dir)
    try:
        stored = [i for i in ctx.sessions.get(session).instances if i.template_id == template.id]
    finally:
        ctx.close()
    assert len(stored) == 1
    expected = validate_instance(template, answers, partial=True)
    expected["last_balanced_thought"] = stored[0].values["last_balanced_thought"]  # prefilled, if any
    assert stored[0].values == expected
    # Reading it again updates the same instance rather than adding a second one.
    again = run("--data-dir", str(demo_dir), "worksheet", "read", str(filled), "--session", str(session))
    assert again.code == 0 and again.out.startswith("Updated")


def test_worksheet_read_refuses_bad_answers_and_writes_nothing(run: Run, demo_dir: Path, tmp_path: Path) -> None:
    session = _sessions(demo_dir, "DEMO-03")[-1]
    printed = tmp_path / "sheet.pdf"
    assert run("--data-dir", str(demo_dir), "worksheet", "cbt-thought-record-7", "--session", str(session),
               "--fillable", "-o", str(printed)).code == 0  # fmt: skip
    ctx = _ctx(demo_dir)
    template = ctx.catalog.get("cbt-thought-record-7")
    before = len(ctx.sessions.get(session).instances)
    ctx.close()
    for answers, path in (
        ({"date": "2026-13-40"}, "date"),
        ({"moods": [{"mood": "sad", "intensity": 33}]}, "moods[0].intensity"),
        ({"hot_thought_belief": 101}, "hot_thought_belief"),
    ):
        filled = tmp_path / "bad.pdf"
        filled.write_bytes(fill(printed.read_bytes(), template, answers))
        result = run("--data-dir", str(demo_dir), "worksheet", "read", str(filled), "--session", str(session))
        assert result.code == 2
        assert result.err.count("\n") == 1 and result.err.startswith(f"error: {path}:"), result.err
    ctx = _ctx(demo_dir)
    try:
        assert len(ctx.sessions.get(session).instances) == before
    finally:
        ctx.close()


def test_worksheet_read_refuses_a_sheet_for_another_session(run: Run, demo_dir: Path, tmp_path: Path) -> None:
    first, second = _sessions(demo_dir, "DEMO-03")[-2:]
    printed = tmp_path / "sheet.pdf"
    assert run("--data-dir", str(demo_dir), "worksheet", "cbt-thought-record-3", "--session", str(first),
               "--fillable", "-o", str(printed)).code == 0  # fmt: skip
    result = run("--data-dir", str(demo_dir), "worksheet", "read", str(printed), "--session", str(second))
    assert result.code == 2 and f"printed for session {first}" in result.err
    other = _sessions(demo_dir, "DEMO-04")[-1]
    blank = tmp_path / "blank-fillable.pdf"
    assert run("--data-dir", str(demo_dir), "worksheet", "cbt-thought-record-3", "--patient", "DEMO-03",
               "--fillable", "-o", str(blank)).code == 0  # fmt: skip
    result = run("--data-dir", str(demo_dir), "worksheet", "read", str(blank), "--session", str(other))
    assert result.code == 2 and "printed for patient DEMO-03" in result.err


def test_reproducible_with_source_date_epoch(
    run: Run, demo_dir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1767225600")
    session = _sessions(demo_dir, "DEMO-02")[2]
    for name in ("a.pdf", "b.pdf"):
        assert run("--data-dir", str(demo_dir), "note", str(session), "-o", str(tmp_path / name)).code == 0
    assert (tmp_path / "a.pdf").read_bytes() == (tmp_path / "b.pdf").read_bytes()
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "soon")
    result = run("--data-dir", str(demo_dir), "note", str(session), "-o", str(tmp_path / "c.pdf"))
    assert result.code == 2 and result.err.startswith("error: SOURCE_DATE_EPOCH:")
    assert not (tmp_path / "c.pdf").exists()


def test_a_failed_write_keeps_the_previous_file(
    run: Run, demo_dir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    target = tmp_path / "report.pdf"
    target.write_bytes(b"%PDF-previous")

    def no_space(src: str, dst: str) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "replace", no_space)
    result = run("--data-dir", str(demo_dir), "report", "DEMO-01", "-o", str(target))
    assert result.code == 2 and result.err.count("\n") == 1 and "No space left on device" in result.err
    assert target.read_bytes() == b"%PDF-previous"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["data", "report.pdf"]


def _bad_arguments(data: Path, tmp_path: Path) -> list[list[str]]:
    sessions = _sessions(data, "DEMO-02")
    bare = _new_session(data, "DEMO-01")
    folder = tmp_path / "a-folder"
    folder.mkdir()
    text_file = tmp_path / "not-a-pdf.pdf"
    text_file.write_text("hello")
    blank = tmp_path / "blank.pdf"
    blank.write_bytes(b"")
    return [
        ["worksheet", "no-such-template"],
        ["worksheet", "cbt-thought-record-3", "--session", "999999"],
        ["worksheet", "cbt-thought-record-3", "--session", "abc"],
        ["worksheet", "cbt-thought-record-3", "--patient", "NOPE-99"],
        ["worksheet", "cbt-thought-record-3", "--patient", "DEMO-01", "--session", str(sessions[0])],
        ["worksheet", "cbt-thought-record-3", "stray.pdf"],
        ["note", "999999"],
        ["note", "seven"],
        ["note", str(bare), "--format", "soapy"],
        ["notes", "DEMO-01", "--from", "2026-05-01", "--to", "2026-01-01"],
        ["notes", "DEMO-01", "--from", "2026-13-01"],
        ["notes", "DEMO-01", "--from", "1990-01-01", "--to", "1990-02-01"],
        ["report", "NOPE-99"],
        ["report", "DEMO-01", "--to", "yesterday"],
        ["prep", "999999"],
        ["safety-plan", "NOPE-99"],
        ["homework", str(bare)],
        ["worksheet", "read", "--session", str(sessions[0])],
        ["worksheet", "read", str(blank)],
        ["worksheet", "read", str(tmp_path / "missing.pdf"), "--session", str(sessions[0])],
        ["worksheet", "read", str(text_file), "--session", str(sessions[0])],
        ["worksheet", "read", str(folder), "--session", str(sessions[0])],
        ["worksheet", "read", str(blank), "--session", "999999"],
    ]


def test_bad_arguments_get_one_line_and_no_file(run: Run, demo_dir: Path, tmp_path: Path) -> None:
    target = tmp_path / "out.pdf"
    for argv in _bad_arguments(demo_dir, tmp_path):
        output = [] if argv[:2] == ["worksheet", "read"] else ["-o", str(target)]
        result = run("--data-dir", str(demo_dir), *argv, *output)
        assert result.code == 2, (argv, result)
        assert result.err.count("\n") == 1 and "error:" in result.err, (argv, result.err)
        assert result.out == "", argv
        assert not target.exists(), argv


def test_output_paths_that_cannot_be_used(run: Run, demo_dir: Path, tmp_path: Path) -> None:
    session = str(_sessions(demo_dir, "DEMO-02")[0])
    for output, problem in (
        (tmp_path / "missing-folder" / "x.pdf", "does not exist"),
        (tmp_path, "is a folder"),
    ):
        result = run("--data-dir", str(demo_dir), "prep", session, "-o", str(output))
        assert result.code == 2 and problem in result.err and result.err.count("\n") == 1
    result = run("--data-dir", str(demo_dir), "prep", session)
    assert result.code == 2 and result.err.count("\n") == 1  # -o is required
    assert not (tmp_path / "missing-folder").exists()
