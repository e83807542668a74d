"""The PDF preview: shows pages, prints through the print dialog, saves, explains failures."""
# ruff: noqa: F811  (pytest fixtures imported from sessions_support)

from __future__ import annotations

from pathlib import Path

import pytest
from pytestqt.qtbot import QtBot
from sessions_support import ctx, dialogs, pdf_pages, sample_pdf  # noqa: F401
from test_sessions_workflow import PrintToFile

from trdplanner.gui.preview import PdfPreview


def test_shows_prints_and_saves(qtbot: QtBot, dialogs, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    preview = PdfPreview()
    qtbot.addWidget(preview)
    assert not preview.print_action.isEnabled() and "Nothing to preview" in preview.message.text()
    preview.set_pdf(sample_pdf(3), "sample.pdf")
    assert preview.page_count() == 3 and preview.pages.text().strip() == "3 pages"
    out = tmp_path / "printed.pdf"
    monkeypatch.setattr(preview, "make_print_dialog", PrintToFile(out))
    assert preview.print_document()
    assert len(pdf_pages(out.read_bytes())) == 3
    monkeypatch.setattr(preview, "choose_save_path", lambda: str(tmp_path / "copy.pdf"))
    assert preview.save_as() == tmp_path / "copy.pdf"
    assert (tmp_path / "copy.pdf").read_bytes() == preview.data
    monkeypatch.setattr(preview, "choose_save_path", lambda: "")  # cancelled
    assert preview.save_as() is None
    assert dialogs.shown == []


def test_failures_are_explained(qtbot: QtBot, dialogs, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    preview = PdfPreview()
    qtbot.addWidget(preview)
    preview.set_pdf(b"not a pdf")
    assert "could not be displayed" in preview.message.text() and not preview.save_action.isEnabled()

    def fails() -> bytes:
        raise OSError(13, "Permission denied")

    preview.load(fails, "x.pdf", "the report")
    qtbot.waitUntil(lambda: bool(dialogs.shown), timeout=5000)
    assert dialogs.shown[0][0] == "Preview failed"
    assert preview.message.text() == "The report could not be made."
    preview.load(lambda: sample_pdf(1), "ok.pdf", "the report")
    assert preview.message.text() == "Preparing the report…"  # the window stays usable meanwhile
    qtbot.waitUntil(lambda: preview.page_count() == 1, timeout=5000)
    monkeypatch.setattr(preview, "choose_save_path", lambda: str(tmp_path / "missing-folder" / "x.pdf"))
    assert preview.save_as() is None
    assert dialogs.shown[-1][0] == "Could not save the PDF"


def test_print_and_save_as_from_the_window_are_audited_like_the_command_line(
    qtbot: QtBot, ctx, dialogs, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The note preview records each Print and Save As through the print log: kind, patient, output."""
    from trdplanner.gui.notes.printing import note_preview

    pid = ctx.patients.id_for_code("DEMO-01")
    session = ctx.sessions.list(pid)[0]
    dialog = note_preview(ctx, session.id, None)
    qtbot.addWidget(dialog)
    qtbot.waitUntil(lambda: dialog.preview.page_count() > 0, timeout=20000)
    before = ctx.audit.count()
    monkeypatch.setattr(dialog.preview, "make_print_dialog", PrintToFile(tmp_path / "printed.pdf"))
    assert dialog.preview.print_document()
    monkeypatch.setattr(dialog.preview, "choose_save_path", lambda: str(tmp_path / "saved.pdf"))
    assert dialog.preview.save_as() is not None
    monkeypatch.setattr(dialog.preview, "choose_save_path", lambda: "")  # cancelled: nothing recorded
    assert dialog.preview.save_as() is None
    assert ctx.audit.count() == before + 2
    for event in ctx.audit.list(2):
        assert (event.action, event.object_type, event.object_id) == ("document.print", "patient", str(pid))
        assert event.detail == {"document": "Progress note", "output": "file", "password": False}
    assert ctx.audit.verify().ok
    assert dialogs.shown == []


def test_the_preview_window_fits_the_screen_it_opens_on(qtbot: QtBot) -> None:
    from PySide6.QtGui import QGuiApplication

    from trdplanner.gui.preview import PdfPreviewDialog

    dialog = PdfPreviewDialog("Fits")
    qtbot.addWidget(dialog)
    free = QGuiApplication.primaryScreen().availableGeometry()
    assert dialog.height() <= free.height() and dialog.width() <= free.width()
    assert dialog.height() == min(900, free.height() - 40)  # as tall as a page where there is room
