"""What the session and note screens print, as PDF bytes from the export layer.

Each function gathers plain records through the services and hands them to
``trdplanner.export``; none of them draws anything itself. They run on worker threads
(see ``PdfPreview.load``), so they only read.
"""

from __future__ import annotations

from trdplanner.context import AppContext


class ExportUnavailable(RuntimeError):
    pass


def note_pdf(ctx: AppContext, session_id: int) -> bytes:
    raise ExportUnavailable("the PDF export of notes is not in this build yet")


def blank_worksheet_pdf(template: object, settings: object) -> bytes:
    raise ExportUnavailable("the PDF export of worksheets is not in this build yet")


def instance_pdf(ctx: AppContext, session_id: int, instance_id: int) -> bytes:
    raise ExportUnavailable("the PDF export of worksheets is not in this build yet")


def homework_pdf(ctx: AppContext, session_id: int, homework_ids: list[int]) -> bytes:
    raise ExportUnavailable("the PDF export of homework is not in this build yet")


def progress_report_pdf(ctx: AppContext, patient_id: int) -> bytes:
    raise ExportUnavailable("the PDF export of the progress report is not in this build yet")
