"""The print dialog prints the app's own vector PDF in its own orientation; files are the owner's only."""

from __future__ import annotations

import io
import os
import stat
from pathlib import Path

from pypdf import PdfReader
from PySide6.QtCore import QSize
from PySide6.QtGui import QColor, QImage, QPageLayout
from PySide6.QtPrintSupport import QPrinter
from pytestqt.qtbot import QtBot
from reportlab.lib.pagesizes import A4, landscape
from reportlab.pdfgen import canvas
from test_sessions_workflow import PrintToFile

from trdplanner.gui.preview import PdfPreview, match_page, print_pdf


def _landscape_pdf() -> bytes:
    buf = io.BytesIO()
    c = canvas.Canvas(buf, pagesize=landscape(A4))
    c.setFont("Helvetica", 14)
    c.drawString(72, 500, "Diary card for DEMO-04, week of 2026-11-30")
    c.setLineWidth(6)
    w, h = landscape(A4)
    c.rect(20, 20, w - 40, h - 40)  # a frame to the page's edges shows where the page landed on paper
    c.showPage()
    c.save()
    return buf.getvalue()


def test_print_to_file_writes_the_vector_pdf_owner_only(qtbot: QtBot, tmp_path: Path, monkeypatch) -> None:
    preview = PdfPreview()
    qtbot.addWidget(preview)
    data = _landscape_pdf()
    preview.set_pdf(data, "diary-card.pdf")
    out = tmp_path / "printed.pdf"
    seen: list[QPageLayout.Orientation] = []

    class Dialog(PrintToFile):
        def __call__(self, printer: QPrinter) -> PrintToFile:
            seen.append(printer.pageLayout().orientation())  # what the dialog opens with
            return super().__call__(printer)

    monkeypatch.setattr(preview, "make_print_dialog", Dialog(out))
    assert preview.print_document()
    assert seen == [QPageLayout.Orientation.Landscape]
    assert out.read_bytes() == data  # no images, no re-rendering: the same file
    page = PdfReader(out).pages[0]
    assert float(page.mediabox.width) > float(page.mediabox.height)
    assert "Diary card for DEMO-04" in page.extract_text()
    if os.name == "posix":
        assert stat.S_IMODE(out.stat().st_mode) == 0o600


def test_match_page_follows_the_document(qtbot: QtBot) -> None:
    preview = PdfPreview()
    qtbot.addWidget(preview)
    preview.set_pdf(_landscape_pdf())
    printer = QPrinter()
    match_page(printer, preview.document)
    assert printer.pageLayout().orientation() == QPageLayout.Orientation.Landscape
    size = printer.pageLayout().fullRectPoints().size()
    assert size.width() > size.height()


def test_drawn_printing_turns_a_landscape_page_instead_of_shrinking_it(qtbot: QtBot, tmp_path: Path) -> None:
    """Where no print queue takes PDFs, pages are drawn; a landscape page on portrait paper fills it turned."""
    preview = PdfPreview()
    qtbot.addWidget(preview)
    preview.set_pdf(_landscape_pdf())
    printer = QPrinter(QPrinter.PrinterMode.HighResolution)
    printer.setOutputFormat(QPrinter.OutputFormat.PdfFormat)
    printer.setOutputFileName(str(tmp_path / "drawn.pdf"))
    printer.setResolution(72)
    printer.setPageOrientation(QPageLayout.Orientation.Portrait)
    assert print_pdf(preview.document, printer) == 1
    drawn = PdfReader(tmp_path / "drawn.pdf")
    assert len(drawn.pages) == 1
    # Render what was drawn and check the ink reaches the top and bottom thirds of the portrait page:
    # a shrunk landscape page would leave them empty.
    from PySide6.QtPdf import QPdfDocument

    doc = QPdfDocument()
    doc.load(str(tmp_path / "drawn.pdf"))
    image: QImage = doc.render(0, QSize(200, 283))

    def ink(x: int, y: int) -> bool:
        c = QColor.fromRgba(image.pixel(x, y))
        return c.alpha() > 128 and c.lightness() < 128

    rows_with_ink = [y for y in range(image.height()) if any(ink(x, y) for x in range(image.width()))]
    assert rows_with_ink and rows_with_ink[0] < image.height() * 0.15 and rows_with_ink[-1] > image.height() * 0.85
