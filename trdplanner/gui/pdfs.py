"""What the session and note screens print, as PDF bytes from the export layer.

Each function gathers plain records through the services and hands them to
``trdplanner.export``; none of them draws anything itself. They run on worker threads
(see ``PdfPreview.load``), so they only read.
"""

from __future__ import annotations

import datetime as dt

from trdplanner import assemble
from trdplanner.catalog import Template
from trdplanner.context import AppContext
from trdplanner.export import PdfOptions


def _options(ctx: AppContext) -> PdfOptions:
    return PdfOptions.from_settings(ctx.settings)


def blank_worksheet_pdf(ctx: AppContext, template: Template) -> bytes:
    """The template as it prints blank (the catalog preview)."""
    return assemble.worksheet_document(ctx, template, options=_options(ctx)).render()


def instance_pdf(ctx: AppContext, session_id: int, instance_id: int) -> bytes:
    """A filled worksheet, with the definition it was filled with."""
    return assemble.instance_document(ctx, session_id, instance_id, _options(ctx)).render()


def homework_pdf(ctx: AppContext, session_id: int, homework_ids: list[int]) -> bytes:
    """The chosen homework of a session, each worksheet prefilled for the client."""
    return assemble.homework_document(ctx, session_id, homework_ids, _options(ctx)).render()


def note_pdf(ctx: AppContext, session_id: int) -> bytes:
    note = ctx.notes.for_session(session_id)
    return assemble.note_document(ctx, session_id, note.format if note else "soap", _options(ctx)).render()


def progress_report_pdf(
    ctx: AppContext,
    patient_id: int,
    start: dt.date | None = None,
    end: dt.date | None = None,
    *,
    full_notes: bool = False,
) -> bytes:
    return assemble.report_document(ctx, patient_id, start, end, _options(ctx), full_notes=full_notes).render()


def prescriber_letter_pdf(ctx: AppContext, patient_id: int, start: dt.date | None, end: dt.date | None) -> bytes:
    return assemble.prescriber_letter(ctx, patient_id, start, end, _options(ctx)).render()
def prep_pdf(ctx: AppContext, session_id: int) -> bytes:
    """The one-page pre-session sheet."""
    return assemble.prep_document(ctx, session_id, _options(ctx)).render()


def safety_plan_pdf(ctx: AppContext, patient_id: int, fold: bool) -> bytes:
    """The newest safety plan (or a blank one prefilled), on full pages or as the fold-up card."""
    return assemble.safety_plan_document(ctx, patient_id, fold=fold, options=_options(ctx)).render()


def timeline_pdf(ctx: AppContext, patient_id: int) -> bytes:
    """The treatment timeline: one A4 landscape page."""
    return assemble.timeline_document(ctx, patient_id, _options(ctx)).render()
