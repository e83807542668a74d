"""``worksheet read --password-file``: a password-protected filled worksheet reads back with its password."""

from __future__ import annotations

import io
from pathlib import Path

from _cli_helpers import Run
from pypdf import PdfReader, PdfWriter

from tests.export._pdf_helpers import fill
from trdplanner.context import AppContext
from trdplanner.export.base import protect

PASSWORD = "Blue heron, 7 o'clock, ünï"


def test_worksheet_read_takes_a_password_file(run: Run, demo_dir: Path, tmp_path: Path) -> None:
    ctx = AppContext.open(str(demo_dir))
    try:
        pid = ctx.patients.id_for_code("DEMO-03")
        assert pid is not None
        session = [s.id for s in ctx.sessions.list(pid) if s.id is not None][-1]
        template = ctx.catalog.get("cbt-thought-record-7")
    finally:
        ctx.close()
    secret = tmp_path / "pdf-password.txt"
    secret.write_text(PASSWORD + "\n", encoding="utf-8")
    secret.chmod(0o600)  # a password file others can read is refused (see "Input at the door")
    printed = tmp_path / "sheet.pdf"
    made = run("--data-dir", str(demo_dir), "worksheet", template.id, "--session", str(session), "--fillable",
               "--password-file", str(secret), "-o", str(printed))  # fmt: skip
    assert made.code == 0, made.err
    assert PdfReader(str(printed)).is_encrypted
    plain = PdfReader(str(printed), password=PASSWORD)
    out = io.BytesIO()
    PdfWriter(clone_from=plain).write(out)
    filled = tmp_path / "filled.pdf"
    filled.write_bytes(protect(fill(out.getvalue(), template, {"situation": "Train was cancelled."}), PASSWORD))

    refused = run("--data-dir", str(demo_dir), "worksheet", "read", str(filled), "--session", str(session))
    assert refused.code == 2 and "password" in refused.err
    read = run("--data-dir", str(demo_dir), "worksheet", "read", str(filled), "--session", str(session),
               "--password-file", str(secret))  # fmt: skip
    assert read.code == 0, read.err
    ctx = AppContext.open(str(demo_dir))
    try:
        stored = [i for i in ctx.sessions.get(session).instances if i.template_id == template.id]
    finally:
        ctx.close()
    assert stored and stored[-1].values["situation"] == "Train was cancelled."
