"""Printable PDFs, built with reportlab Platypus. No Qt and no database access here.

:class:`~trdplanner.export.base.PdfDocument` owns the paper (geometry, fonts, styles, page
templates, header, footer, metadata); each document type builds its story from plain records
the services hand out, and ``render()`` returns the bytes. :func:`save_pdf` writes them
atomically.
"""

from trdplanner.export.base import DocInfo, PdfDocument, PdfOptions
from trdplanner.export.batches import HomeworkDocument, HomeworkItem, NotesDocument
from trdplanner.export.files import read_pdf, save_pdf
from trdplanner.export.fonts import FontError
from trdplanner.export.identity import bundle_identity, prefill_identity
from trdplanner.export.note import NoteContent, NoteDocument
from trdplanner.export.prep import PrepDocument
from trdplanner.export.readback import FilledForm, ReadbackError, read_form, values_for
from trdplanner.export.report import ReportDocument
from trdplanner.export.safety_plan import SafetyPlanDocument
from trdplanner.export.worksheet import Identity, WorksheetDocument

__all__ = [
    "DocInfo",
    "FilledForm",
    "FontError",
    "HomeworkDocument",
    "HomeworkItem",
    "Identity",
    "NoteContent",
    "NoteDocument",
    "NotesDocument",
    "PdfDocument",
    "PdfOptions",
    "PrepDocument",
    "ReadbackError",
    "ReportDocument",
    "SafetyPlanDocument",
    "WorksheetDocument",
    "bundle_identity",
    "prefill_identity",
    "read_form",
    "read_pdf",
    "save_pdf",
    "values_for",
]
