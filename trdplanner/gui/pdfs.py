"""What the session and note screens print, as PDF bytes from the export layer.

Each function gathers plain records through the services and hands them to
``trdplanner.export``; none of them draws anything itself. They run on worker threads
(see ``PdfPreview.load``), so they only read.
"""

from __future__ import annotations

import datetime as dt
from typing import Protocol

from trdplanner import assemble
from trdplanner.assemble import DocumentSources
from trdplanner.catalog import Template
from trdplanner.core.services.notes import NoteService
from trdplanner.core.services.printlog import PrintLog
from trdplanner.export import PdfDocument, PdfOptions
from trdplanner.export.base import DocInfo


class PrintSources(DocumentSources, Protocol):
    """What a screen that prints needs: the document sources, the notes, and the print log."""

    @property
    def notes(self) -> NoteService: ...
    @property
    def prints(self) -> PrintLog: ...


class Printed(bytes):
    """PDF bytes that also say what they are (kind, patient code), so the preview can record a print.

    Still plain bytes to everything else (the preview's viewer, tests that read the PDF).
    """

    info: DocInfo

    def __new__(cls, data: bytes, info: DocInfo) -> Printed:
        made = super().__new__(cls, data)
        made.info = info
        return made


def _render(document: PdfDocument) -> Printed:
    return Printed(document.render(), document.info())


def _options(ctx: PrintSources) -> PdfOptions:
    return PdfOptions.from_settings(ctx.settings)


def blank_worksheet_pdf(ctx: PrintSources, template: Template) -> Printed:
    """The template as it prints blank (the catalog preview)."""
    return _render(assemble.worksheet_document(ctx, template, options=_options(ctx)))


def instance_pdf(ctx: PrintSources, session_id: int, instance_id: int) -> Printed:
    """A filled worksheet, with the definition it was filled with."""
    return _render(assemble.instance_document(ctx, session_id, instance_id, _options(ctx)))


def homework_pdf(ctx: PrintSources, session_id: int, homework_ids: list[int]) -> Printed:
    """The chosen homework of a session, each worksheet prefilled for the client."""
    return _render(assemble.homework_document(ctx, session_id, homework_ids, _options(ctx)))


def note_pdf(ctx: PrintSources, session_id: int) -> Printed:
    note = ctx.notes.for_session(session_id)
    return _render(assemble.note_document(ctx, session_id, note.format if note else "soap", _options(ctx)))


def progress_report_pdf(
    ctx: PrintSources,
    patient_id: int,
    start: dt.date | None = None,
    end: dt.date | None = None,
    *,
    full_notes: bool = False,
) -> Printed:
    return _render(assemble.report_document(ctx, patient_id, start, end, _options(ctx), full_notes=full_notes))


def prescriber_letter_pdf(ctx: PrintSources, patient_id: int, start: dt.date | None, end: dt.date | None) -> Printed:
    return _render(assemble.prescriber_letter(ctx, patient_id, start, end, _options(ctx)))


def prep_pdf(ctx: PrintSources, session_id: int) -> Printed:
    """The one-page pre-session sheet."""
    return _render(assemble.prep_document(ctx, session_id, _options(ctx)))


def safety_plan_pdf(ctx: PrintSources, patient_id: int, fold: bool) -> Printed:
    """The newest safety plan (or a blank one prefilled), on full pages or as the fold-up card."""
    return _render(assemble.safety_plan_document(ctx, patient_id, fold=fold, options=_options(ctx)))


def timeline_pdf(ctx: PrintSources, patient_id: int) -> Printed:
    """The treatment timeline: one A4 landscape page."""
    return _render(assemble.timeline_document(ctx, patient_id, _options(ctx)))


def attendance_sheet_pdf(ctx: PrintSources, meeting_id: int) -> Printed:
    """The facilitators' attendance sheet for one group meeting."""
    return _render(assemble.attendance_sheet_document(ctx, meeting_id, _options(ctx)))


def group_plan_pdf(ctx: PrintSources, group_id: int) -> Printed:
    """The group's course plan: every meeting's date, theme, agenda and homework."""
    return _render(assemble.group_plan_document(ctx, group_id, _options(ctx)))


def group_homework_pdf(ctx: PrintSources, meeting_id: int) -> Printed:
    """Every attending member's homework from one meeting, each part naming that member only."""
    return _render(assemble.group_homework_document(ctx, meeting_id, _options(ctx)))
