"""Privacy at the edges: password-protected PDFs, no patient data in crash messages, logs or metadata."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from _safety_helpers import Run
from pypdf import PdfReader

from trdplanner.core.services.patients import PatientService

SECRET = "Rowan Synthetic-Example said something private"


def _qt_pages(path: Path, password: str | None) -> int:
    from PySide6.QtPdf import QPdfDocument
    from PySide6.QtWidgets import QApplication

    _app = QApplication.instance() or QApplication([])
    doc = QPdfDocument()
    if password is not None:
        doc.setPassword(password)
    doc.load(str(path))
    return int(doc.pageCount())


def test_pdf_password_from_a_file(run: Run, tmp_path: Path) -> None:
    assert run("demo").code == 0
    secret = tmp_path / "pdf-password.txt"
    secret.write_text("a password for the report\n", encoding="utf-8")
    secret.chmod(0o600)  # a secret file others can read is refused
    out = tmp_path / "report.pdf"
    result = run("report", "DEMO-02", "-o", str(out), "--password-file", str(secret))
    assert result.code == 0 and "password-protected" in result.out
    data = out.read_bytes()
    assert PdfReader(io.BytesIO(data)).is_encrypted
    assert b"DEMO-02" not in data and b"Progress report" not in data  # text and metadata are encrypted
    assert _qt_pages(out, None) == 0
    assert _qt_pages(out, "a wrong password") == 0
    assert _qt_pages(out, "a password for the report") >= 2

    plain = tmp_path / "plain.pdf"
    assert run("report", "DEMO-02", "-o", str(plain)).code == 0
    assert not PdfReader(str(plain)).is_encrypted

    missing = run("note", "1", "-o", str(tmp_path / "n.pdf"), "--password-file", str(tmp_path / "nope.txt"))
    assert missing.code == 2 and "password-file" in missing.err and not (tmp_path / "n.pdf").exists()


def test_unexpected_errors_print_one_line_without_patient_data(
    run: Run, data_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert run("demo").code == 0

    def broken(*_a: object, **_k: object) -> None:
        raise RuntimeError(SECRET)

    monkeypatch.setattr(PatientService, "summaries", broken)
    result = run("patient", "list")
    assert result.code == 70
    assert result.err.count("\n") == 1 and "RuntimeError" in result.err and "Rowan" not in result.err
    logs = "".join(p.read_text(encoding="utf-8") for p in (data_dir / "logs").glob("*.log*"))
    assert "RuntimeError" in logs and "Rowan" not in logs


def test_gui_crash_dialog_and_log_hold_no_message(qtbot: object, data_dir: Path, monkeypatch: pytest.MonkeyPatch,
                                                  caplog: pytest.LogCaptureFixture) -> None:
    import sys

    from trdplanner import app
    from trdplanner.gui import dialogs

    shown: list[tuple[str, str]] = []
    monkeypatch.setattr(dialogs, "show_error", lambda parent, title, exc: shown.append(dialogs.explain(exc)))
    monkeypatch.setattr(sys, "excepthook", sys.excepthook)  # put back after the test
    app.install_excepthook(lambda: None)
    try:
        raise RuntimeError(SECRET)
    except RuntimeError:
        sys.excepthook(*sys.exc_info())
    assert shown and all("Rowan" not in part for part in shown[0])
    assert "Rowan" not in caplog.text and "RuntimeError" in caplog.text
