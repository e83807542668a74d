"""Note PDFs: made by the export layer off the UI thread, shown in the in-app preview."""

from __future__ import annotations

from PySide6.QtWidgets import QWidget

from trdplanner.gui import pdfs
from trdplanner.gui.pdfs import PrintSources
from trdplanner.gui.preview import PdfPreviewDialog


def note_preview(ctx: PrintSources, session_id: int, parent: QWidget | None) -> PdfPreviewDialog:
    """Open a preview of the note of ``session_id`` (Print and Save As are in the preview)."""
    session = ctx.sessions.get(session_id)
    dialog = PdfPreviewDialog(f"Progress note — session {session.number}", parent)
    dialog.preview.print_log = ctx.prints
    dialog.preview.load(
        lambda: pdfs.note_pdf(ctx, session_id),
        f"note-session-{session.number}-{session.date.isoformat()}.pdf",
        "the note",
    )
    dialog.show()
    return dialog
