"""The Groups view's prints, each in the in-app preview (Print and Save As are there, and recorded)."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtWidgets import QWidget

from trdplanner.core.group_records import GroupRec, MeetingRec
from trdplanner.gui import pdfs
from trdplanner.gui.pdfs import PrintSources
from trdplanner.gui.preview import PdfPreviewDialog


def _preview(parent: QWidget, sources: PrintSources, title: str, produce: Callable[[], bytes],
             name: str) -> PdfPreviewDialog:
    dialog = PdfPreviewDialog(title, parent)
    dialog.preview.print_log = sources.prints  # a batch is recorded once for each member it names
    dialog.preview.load(produce, name, "the print")
    dialog.show()
    return dialog


def attendance(parent: QWidget, sources: PrintSources | None, m: MeetingRec | None) -> PdfPreviewDialog | None:
    """The facilitators' attendance sheet for the meeting."""
    if m is None or sources is None:
        return None
    return _preview(parent, sources, f"Attendance — meeting {m.number}",
                    lambda: pdfs.attendance_sheet_pdf(sources, m.id),
                    f"attendance-meeting-{m.number}-{m.date.isoformat()}.pdf")


def homework(parent: QWidget, sources: PrintSources | None, m: MeetingRec | None) -> PdfPreviewDialog | None:
    """Every present member's homework, each part prefilled with that member's identification only."""
    if m is None or sources is None:
        return None
    return _preview(parent, sources, f"Homework — meeting {m.number}",
                    lambda: pdfs.group_homework_pdf(sources, m.id),
                    f"homework-meeting-{m.number}-{m.date.isoformat()}.pdf")


def plan(parent: QWidget, sources: PrintSources | None, g: GroupRec | None) -> PdfPreviewDialog | None:
    """The group's course plan."""
    if g is None or sources is None:
        return None
    return _preview(parent, sources, "Course plan", lambda: pdfs.group_plan_pdf(sources, g.id),
                    "group-course-plan.pdf")
