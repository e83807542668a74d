"""``worksheet read`` never silently loses answers, records measure forms as measures, and
``note sign`` refuses an incomplete risk review with one line per missing part."""

from __future__ import annotations

import io
import json
from pathlib import Path

from pypdf import PdfReader, PdfWriter
from pypdf.generic import NameObject, TextStringObject

from tests.cli.conftest import Run
from tests.export._pdf_helpers import fill
from trdplanner.context import AppContext

PHQ9 = "general-phq9-form"


def _new_session(data: Path, code: str = "DEMO-03") -> int:
    ctx = AppContext.open(str(data))
    try:
        pid = ctx.patients.id_for_code(code)
        assert pid is not None
        last = ctx.sessions.list(pid)[-1]
        session = ctx.sessions.create(pid, date=last.date, modality="cbt")
        assert session.id is not None
        return session.id
    finally:
        ctx.close()


def _state(data: Path, session: int) -> tuple[list[dict], list[list[int] | None], int]:
    """The session's instance values, the patient's measures' items, and the open alerts."""
    ctx = AppContext.open(str(data))
    try:
        pid = ctx.sessions.patient_of(session)
        values = [dict(i.values) for i in ctx.sessions.get(session).instances]
        items = [m.items for m in ctx.measures.list(pid)]
        row = next(r for r in ctx.patients.summaries() if r.id == pid)
        return values, items, row.open_alerts
    finally:
        ctx.close()


def _printed(run: Run, data: Path, tmp: Path, session: int, template: str = PHQ9) -> Path:
    path = tmp / f"{template}-{session}.pdf"
    result = run(
        "--data-dir", str(data), "worksheet", template, "--session", str(session), "--fillable", "-o", str(path)
    )
    assert result.code == 0, result.err
    return path


def _filled(data: Path, printed: Path, tmp: Path, answers: dict, name: str = "filled.pdf") -> Path:
    ctx = AppContext.open(str(data))
    template = ctx.catalog.get(PHQ9)
    ctx.close()
    out = tmp / name
    out.write_bytes(fill(printed.read_bytes(), template, answers))
    return out


def _answers(item9: int, item3: int = 1) -> dict:
    return {**{f"item{i}": 1 for i in range(1, 10)}, "item3": item3, "item9": item9}


def test_a_phq9_filled_in_a_reader_records_the_measure_and_the_alert(run: Run, demo_dir: Path, tmp_path: Path) -> None:
    session = _new_session(demo_dir)
    _, before, alerts_before = _state(demo_dir, session)
    filled = _filled(demo_dir, _printed(run, demo_dir, tmp_path, session), tmp_path, _answers(item9=2))
    result = run("--data-dir", str(demo_dir), "worksheet", "read", str(filled), "--session", str(session))
    assert result.code == 0, result.err
    assert "Recorded the PHQ-9" in result.out and "ALERT" in result.out
    _, after, alerts = _state(demo_dir, session)
    assert len(after) == len(before) + 1 and after[-1] == [1, 1, 1, 1, 1, 1, 1, 1, 2]
    assert alerts == alerts_before + 1
    again = run("--data-dir", str(demo_dir), "worksheet", "read", str(filled), "--session", str(session))
    assert again.code == 0 and "Already recorded" in again.out
    assert len(_state(demo_dir, session)[1]) == len(after)  # read twice, recorded once
    # The note of that session now needs a risk review before it can be signed.
    refused = run("--data-dir", str(demo_dir), "note", "sign", str(session))
    assert refused.code == 2
    lines = refused.err.splitlines()
    assert "risk review is incomplete" in lines[0]
    assert "  missing: Intent" in lines and "  missing: Follow-up" in lines
    assert any("answered 'most days (more than half)'" in line for line in lines)


def test_the_unfilled_copy_is_refused_and_changes_nothing(run: Run, demo_dir: Path, tmp_path: Path) -> None:
    session = _new_session(demo_dir)
    printed = _printed(run, demo_dir, tmp_path, session)
    filled = _filled(demo_dir, printed, tmp_path, _answers(item9=0))
    assert run("--data-dir", str(demo_dir), "worksheet", "read", str(filled), "--session", str(session)).code == 0
    before = _state(demo_dir, session)
    result = run("--data-dir", str(demo_dir), "worksheet", "read", str(printed), "--session", str(session))
    assert result.code == 2
    assert "has no answered field" in result.err and "Nothing was changed" in result.err
    assert _state(demo_dir, session) == before


def test_fields_renamed_by_another_program_are_refused(run: Run, demo_dir: Path, tmp_path: Path) -> None:
    session = _new_session(demo_dir)
    filled = _filled(demo_dir, _printed(run, demo_dir, tmp_path, session), tmp_path, _answers(item9=1))
    writer = PdfWriter(clone_from=PdfReader(io.BytesIO(filled.read_bytes())))
    for page in writer.pages:
        for annot in page.get("/Annots") or []:
            obj = annot.get_object()
            target = obj.get("/Parent").get_object() if "/Parent" in obj else obj
            name = str(target.get("/T", ""))
            if name.startswith("f:"):
                target[NameObject("/T")] = TextStringObject("renamed_" + name[2:])
    renamed = tmp_path / "renamed.pdf"
    with renamed.open("wb") as handle:
        writer.write(handle)
    before = _state(demo_dir, session)
    result = run("--data-dir", str(demo_dir), "worksheet", "read", str(renamed), "--session", str(session))
    assert result.code == 2 and "has no answered field" in result.err
    assert _state(demo_dir, session) == before


def test_answers_that_would_change_are_listed_and_kept_unless_replace(run: Run, demo_dir: Path, tmp_path: Path) -> None:
    session = _new_session(demo_dir)
    printed = _printed(run, demo_dir, tmp_path, session)
    first = _filled(demo_dir, printed, tmp_path, _answers(item9=1), "first.pdf")
    assert run("--data-dir", str(demo_dir), "worksheet", "read", str(first), "--session", str(session)).code == 0
    second = _filled(demo_dir, printed, tmp_path, _answers(item9=2, item3=3), "second.pdf")
    before = _state(demo_dir, session)
    result = run("--data-dir", str(demo_dir), "worksheet", "read", str(second), "--session", str(session))
    assert result.code == 2
    assert "would clear or change 2 stored answer(s)" in result.err
    assert "'1/3 (some days)' would become '3/3 (almost every day)'" in result.err
    assert "--replace" in result.err
    assert _state(demo_dir, session) == before
    replaced = run(
        "--data-dir", str(demo_dir), "worksheet", "read", str(second), "--session", str(session), "--replace"
    )
    assert replaced.code == 0, replaced.err
    values, items, _ = _state(demo_dir, session)
    assert values[-1]["item3"] == 3 and items[-1] == [1, 1, 3, 1, 1, 1, 1, 1, 2]


def test_a_manifest_claiming_huge_tables_is_refused_before_anything_is_built(
    run: Run, demo_dir: Path, tmp_path: Path
) -> None:
    session = _new_session(demo_dir)
    printed = _printed(run, demo_dir, tmp_path, session, "cbt-thought-record-3")
    writer = PdfWriter(clone_from=PdfReader(io.BytesIO(printed.read_bytes())))
    fields = PdfReader(io.BytesIO(printed.read_bytes())).get_fields() or {}
    manifest = json.loads(str(fields["trdplanner"]["/V"]))
    manifest["tables"]["rows"] = 100_000_000
    huge = json.dumps(manifest, sort_keys=True, separators=(",", ":"))
    for page in writer.pages:
        writer.update_page_form_field_values(page, {"trdplanner": huge}, auto_regenerate=False)
    bad = tmp_path / "huge.pdf"
    with bad.open("wb") as handle:
        writer.write(handle)
    before = _state(demo_dir, session)
    result = run("--data-dir", str(demo_dir), "worksheet", "read", str(bad), "--session", str(session))
    assert result.code == 2 and "100000000 rows" in result.err, result.err
    assert _state(demo_dir, session) == before
