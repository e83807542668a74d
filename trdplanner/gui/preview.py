"""In-app PDF preview (QtPdf) with Print (the system dialog) and Save As.

The PDF bytes always come from the export layer; this module only shows, prints and saves
them. Producing the bytes runs off the UI thread (``load``), so a long report never
freezes the window.
"""

from __future__ import annotations

import logging
import shutil
import subprocess
from collections.abc import Callable
from pathlib import Path
from typing import Protocol

from PySide6.QtCore import (
    QBuffer,
    QByteArray,
    QIODevice,
    QPointF,
    QRectF,
    QSize,
    QSizeF,
    QStandardPaths,
    Qt,
    Signal,
)
from PySide6.QtGui import QAction, QGuiApplication, QKeySequence, QPageLayout, QPageSize, QPainter, QTransform
from PySide6.QtPdf import QPdfDocument
from PySide6.QtPdfWidgets import QPdfView
from PySide6.QtPrintSupport import QPrintDialog, QPrinter
from PySide6.QtWidgets import (
    QApplication,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QLabel,
    QProgressDialog,
    QStackedWidget,
    QToolBar,
    QVBoxLayout,
    QWidget,
)

from trdplanner.core.fileio import write_atomic
from trdplanner.core.services.printlog import Output
from trdplanner.gui.dialogs import show_error
from trdplanner.gui.tasks import run_in_background

log = logging.getLogger(__name__)


class PrintRecorder(Protocol):
    """What the preview records a print or a saved PDF through (core/services/printlog.py PrintLog)."""

    def record(self, document: str, *, output: Output, patient_id: int | None = None, patient_code: str = "",
               protected: bool = False) -> None: ...

# Pages are rasterised at this resolution for printing: sharp on paper, modest in memory.
PRINT_DPI = 300


class PrintCancelled(Exception):
    pass


def print_pdf(document: QPdfDocument, printer: QPrinter, progress: Callable[[int, int], bool] | None = None) -> int:
    """Send every page of ``document`` to ``printer``; returns the pages printed.

    ``progress(done, total)`` is called before each page; returning False cancels.
    """
    total = document.pageCount()
    if total <= 0:
        raise ValueError("the document has no pages to print")
    painter = QPainter()
    if not painter.begin(printer):
        raise OSError("the printer could not be started")
    try:
        for page in range(total):
            if progress is not None and not progress(page, total):
                printer.abort()
                raise PrintCancelled
            if page:
                printer.newPage()
            points = document.pagePointSize(page)
            image = document.render(
                page, QSize(round(points.width() * PRINT_DPI / 72), round(points.height() * PRINT_DPI / 72))
            )
            area = QRectF(painter.viewport())
            if (image.width() > image.height()) != (area.width() > area.height()):
                # A landscape page on portrait paper (or the reverse) is turned, not shrunk.
                image = image.transformed(QTransform().rotate(90))
            scale = min(area.width() / image.width(), area.height() / image.height())
            target = QRectF(QPointF(0, 0), QSize(round(image.width() * scale), round(image.height() * scale)))
            target.moveCenter(area.center())
            painter.drawImage(target, image)
    finally:
        painter.end()
    return total


def match_page(printer: QPrinter, document: QPdfDocument) -> None:
    """Start the print dialog on the document's own paper size and orientation."""
    if document.pageCount() <= 0:
        return
    points = document.pagePointSize(0)
    landscape = points.width() > points.height()
    size = QPageSize(QSizeF(min(points.width(), points.height()), max(points.width(), points.height())),
                     QPageSize.Unit.Point)
    printer.setPageSize(size)
    printer.setPageOrientation(QPageLayout.Orientation.Landscape if landscape else QPageLayout.Orientation.Portrait)


def send_to_cups(data: bytes, printer: QPrinter) -> bool:
    """Hand the PDF to the system's print queue with ``lp``; False where there is none (then we draw it)."""
    lp = shutil.which("lp")
    name = printer.printerName()
    if lp is None or not name or printer.outputFormat() != QPrinter.OutputFormat.NativeFormat:
        return False
    # No orientation option: CUPS turns each PDF page to fit the paper; asking again would turn it twice.
    args = [lp, "-d", name, "-n", str(max(1, printer.copyCount())), "-t", printer.docName() or "TRD Planner"]
    try:
        done = subprocess.run(args, input=data, capture_output=True, timeout=60, check=False)
    except (OSError, subprocess.TimeoutExpired) as exc:
        log.warning("lp could not be run: %s", type(exc).__name__)
        return False
    if done.returncode != 0:
        log.warning("lp refused the job (exit %s)", done.returncode)
        return False
    return True


class PdfPreview(QWidget):
    """A PDF on screen with page, zoom, Print and Save As controls."""

    loaded = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.document = QPdfDocument(self)
        self._buffer: QBuffer | None = None
        self._data = b""
        self.suggested_name = "document.pdf"
        self._pending = 0
        # Set by whoever opens the preview: each Print and Save As is then recorded in the audit trail,
        # as `trdplanner ... -o FILE` records it (the same service). What was printed comes with the bytes.
        self.print_log: PrintRecorder | None = None
        self._info: object | None = None

        self.view = QPdfView(self)
        self.view.setDocument(self.document)
        self.view.setPageMode(QPdfView.PageMode.MultiPage)
        self.view.setZoomMode(QPdfView.ZoomMode.FitToWidth)
        self.view.setPageSpacing(12)
        self.view.setToolTip("The page as it will print")
        self.message = QLabel("Nothing to preview yet.")
        self.message.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.message.setWordWrap(True)
        self.message.setProperty("role", "empty")
        self.stack = QStackedWidget()
        self.stack.addWidget(self.message)
        self.stack.addWidget(self.view)

        self.toolbar = QToolBar()
        self.toolbar.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextOnly)
        self.print_action = self._action(
            "&Print…",
            "Print on paper with the system print dialog (Ctrl+P)",
            self.print_document,
            QKeySequence.StandardKey.Print,
        )
        self.save_action = self._action(
            "Save &As…", "Save this PDF to a file (Ctrl+Shift+S)", self.save_as, QKeySequence.StandardKey.SaveAs
        )
        self.toolbar.addSeparator()
        self.zoom_out_action = self._action("−", "Zoom out (Ctrl+−)", self._zoom_out, QKeySequence.StandardKey.ZoomOut)
        self.fit_action = self._action("Fit width", "Fit the page to the window width", self._fit)
        self.zoom_in_action = self._action("+", "Zoom in (Ctrl++)", self._zoom_in, QKeySequence.StandardKey.ZoomIn)
        self.toolbar.addSeparator()
        self.pages = QLabel()
        self.pages.setToolTip("Pages in this document")
        self.toolbar.addWidget(self.pages)

        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(0)
        layout.addWidget(self.toolbar)
        layout.addWidget(self.stack, 1)
        self._set_enabled(False)

    def _action(
        self, text: str, tip: str, slot: Callable[[], object], key: QKeySequence.StandardKey | None = None
    ) -> QAction:
        action = QAction(text, self)
        action.setToolTip(tip)
        action.setStatusTip(tip)
        if key is not None:
            action.setShortcut(QKeySequence(key))
            action.setShortcutContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
        action.triggered.connect(slot)
        self.toolbar.addAction(action)
        self.addAction(action)
        return action

    def _set_enabled(self, on: bool) -> None:
        for action in (self.print_action, self.save_action, self.zoom_in_action, self.zoom_out_action, self.fit_action):
            action.setEnabled(on)

    # ------------------------------------------------------------------ content

    @property
    def data(self) -> bytes:
        return self._data

    def show_message(self, text: str) -> None:
        self.message.setText(text)
        self.stack.setCurrentWidget(self.message)
        self.pages.setText("")
        self._set_enabled(False)

    def set_pdf(self, data: bytes, suggested_name: str = "document.pdf") -> None:
        """Show ``data`` (PDF bytes)."""
        self.document.close()
        self._info = getattr(data, "info", None)  # gui/pdfs.py Printed: kind and patient code
        self._data = bytes(data)
        self.suggested_name = suggested_name
        self._buffer = QBuffer(self)
        self._buffer.setData(QByteArray(self._data))
        self._buffer.open(QIODevice.OpenModeFlag.ReadOnly)
        self.document.load(self._buffer)
        if self.document.status() != QPdfDocument.Status.Ready or self.document.pageCount() == 0:
            self.show_message("This document could not be displayed. Try Save As and open it in another viewer.")
            self._data = b""
            return
        count = self.document.pageCount()
        self.pages.setText(f"  {count} page{'s' if count != 1 else ''}  ")
        self.stack.setCurrentWidget(self.view)
        self._set_enabled(True)
        self.loaded.emit()

    def load(self, produce: Callable[[], bytes], suggested_name: str, what: str = "the preview") -> None:
        """Make the PDF off the UI thread, then show it; a failure is explained, never hidden."""
        self._pending += 1
        ticket = self._pending
        self.show_message(f"Preparing {what}…")

        def done(data: bytes) -> None:
            if ticket == self._pending:  # a newer request replaced this one
                self.set_pdf(data, suggested_name)

        def failed(exc: BaseException) -> None:
            if ticket == self._pending:
                self.show_message(f"{what[:1].upper()}{what[1:]} could not be made.")
                show_error(self, "Preview failed", exc)

        run_in_background(produce, done, failed, owner=self)

    def page_count(self) -> int:
        return self.document.pageCount() if self._data else 0

    # ------------------------------------------------------------------ actions

    def _zoom_in(self) -> None:
        self._zoom(1.25)

    def _zoom_out(self) -> None:
        self._zoom(1 / 1.25)

    def _zoom(self, factor: float) -> None:
        self.view.setZoomMode(QPdfView.ZoomMode.Custom)
        self.view.setZoomFactor(max(0.25, min(4.0, self.view.zoomFactor() * factor)))

    def _fit(self) -> None:
        self.view.setZoomMode(QPdfView.ZoomMode.FitToWidth)

    def make_print_dialog(self, printer: QPrinter) -> QPrintDialog:
        """The system print dialog (a seam tests replace)."""
        return QPrintDialog(printer, self)

    def print_document(self) -> bool:
        if not self._data:
            return False
        printer = QPrinter(QPrinter.PrinterMode.HighResolution)
        printer.setDocName(self.suggested_name)
        match_page(printer, self.document)
        dialog = self.make_print_dialog(printer)
        dialog.setWindowTitle("Print")
        if dialog.exec() != QDialog.DialogCode.Accepted:
            return False
        # Print to a file: the file is the app's own vector PDF, byte for byte, readable by the owner only.
        if printer.outputFormat() == QPrinter.OutputFormat.PdfFormat and printer.outputFileName():
            try:
                write_atomic(Path(printer.outputFileName()), self._data, private=True)
            except OSError as exc:
                show_error(self, "Could not write the PDF", exc)
                return False
            self._record(Output.FILE)
            return True
        # A real printer on a CUPS system (Linux, macOS) takes the PDF itself: text stays text.
        if send_to_cups(self._data, printer):
            self._record(Output.PRINTER)
            return True
        steps = QProgressDialog("Printing…", "Cancel", 0, self.document.pageCount(), self)
        steps.setWindowTitle("Printing")
        steps.setMinimumDuration(400)

        def progress(done: int, total: int) -> bool:
            steps.setValue(done)
            steps.setLabelText(f"Printing page {done + 1} of {total}…")
            QApplication.processEvents()
            return not steps.wasCanceled()

        try:
            print_pdf(self.document, printer, progress)
        except PrintCancelled:
            return False
        except Exception as exc:
            show_error(self, "Printing failed", exc)
            return False
        finally:
            steps.close()
        self._record(Output.PRINTER)
        return True

    def _record(self, output: Output) -> None:
        """The audit trail's line for this print; a failure to record is said, the print stands."""
        if self.print_log is None:
            return
        kind = str(getattr(self._info, "kind", "") or "document")
        code = str(getattr(self._info, "patient_code", "") or "")
        codes = tuple(getattr(self._info, "patient_codes", ()) or ()) or (code,)  # a batch: once for each
        try:
            for each in codes:
                self.print_log.record(kind, output=output, patient_code=each)
        except Exception as exc:
            log.error("could not record a print: %s", type(exc).__name__)
            show_error(self, "The print was not recorded", exc)

    def choose_save_path(self) -> str:
        """Ask where to save (a seam tests replace)."""
        folder = QStandardPaths.writableLocation(QStandardPaths.StandardLocation.DocumentsLocation)
        path, _ = QFileDialog.getSaveFileName(
            self, "Save PDF", str(Path(folder) / self.suggested_name), "PDF documents (*.pdf)"
        )
        return path

    def save_as(self) -> Path | None:
        if not self._data:
            return None
        chosen = self.choose_save_path()
        if not chosen:
            return None
        path = Path(chosen)
        if path.suffix.lower() != ".pdf":
            path = path.with_name(path.name + ".pdf")
        try:
            write_atomic(path, self._data, private=True)
        except OSError as exc:
            show_error(self, "Could not save the PDF", exc)
            return None
        log.info("saved a PDF (%d bytes)", len(self._data))  # never the path: it may name the patient
        self._record(Output.FILE)
        return path


class PdfPreviewDialog(QDialog):
    """A preview in its own window (progress report, a note, a batch of homework)."""

    def __init__(self, title: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(title)
        # A page's height where there is room; never taller than the screen (a 1280x720 laptop).
        screen = (parent.screen() if parent is not None else None) or QGuiApplication.primaryScreen()
        free = screen.availableGeometry() if screen is not None else None
        self.resize(min(820, free.width() - 40) if free else 820, min(900, free.height() - 40) if free else 900)
        self.preview = PdfPreview(self)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(self.reject)
        buttons.button(QDialogButtonBox.StandardButton.Close).setToolTip("Close the preview (Esc)")
        layout = QVBoxLayout(self)
        layout.addWidget(self.preview, 1)
        layout.addWidget(buttons)
