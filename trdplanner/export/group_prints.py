"""A therapy group on paper: the facilitators' attendance sheet, the group's course plan, and a
meeting's homework for every member who came in one batch.

The attendance sheet and the course plan are the facilitators' papers (the sheet lists the
members). The homework batch is handed out: each member's part carries that member's
identification only, in its identity block and in the running header and footer of its pages.
"""

from __future__ import annotations

from typing import Any

from reportlab.lib.units import mm
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import ActionFlowable, BaseDocTemplate, Flowable, NextPageTemplate, PageBreak, Paragraph, Spacer

from trdplanner.core.group_records import GroupRec, MeetingRec
from trdplanner.core.vocab import AttendanceStatus
from trdplanner.export.base import DocInfo, PdfDocument, PdfOptions
from trdplanner.export.batches import HomeworkDocument
from trdplanner.export.layout import data_table, without_trailing_space
from trdplanner.export.styles import GAP
from trdplanner.export.text import markup


def _meeting_line(meeting: MeetingRec) -> str:
    theme = f": {meeting.theme}" if meeting.theme else ""
    return f"Meeting {meeting.number}, {meeting.date.isoformat()}{theme}"


class AttendanceSheetDocument(PdfDocument):
    """One meeting's members with a box per attendance status (ticked where already recorded)."""

    def __init__(self, group: GroupRec, meeting: MeetingRec, options: PdfOptions | None = None) -> None:
        super().__init__(options)
        self.group = group
        self.meeting = meeting

    def info(self) -> DocInfo:
        return DocInfo(title=f"Attendance: {self.group.name}", kind="Group attendance sheet",
                       header_right=_meeting_line(self.meeting))

    def story(self) -> list[Flowable]:
        s, width = self.styles, self.body_width()
        recorded = {a.patient_id: a.status for a in self.meeting.attendance}
        members = [m for m in self.group.members if m.active_on(self.meeting.date) or m.patient_id in recorded]
        statuses = list(AttendanceStatus)
        header = ["Code", "Member", *[x.label for x in statuses], "Initials"]
        rows: list[list[Any]] = []
        for m in members:
            marked = recorded.get(m.patient_id, "")
            rows.append([markup(m.code), markup(m.name), *["X" if x == marked else "" for x in statuses], ""])
        status_w = 22 * mm
        code_w, initials_w = 24 * mm, 18 * mm
        name_w = width - code_w - initials_w - status_w * len(statuses)
        facilitators = ", ".join(f.name for f in self.group.facilitators)
        story: list[Flowable] = [
            Paragraph(markup(f"Attendance: {self.group.name}"), s.title),
            Paragraph(markup(_meeting_line(self.meeting)), s.subtitle),
            Paragraph(markup(f"Facilitators: {facilitators}"), s.body),
            Spacer(1, GAP),
        ]
        if rows:
            story.append(data_table(s, header, rows, [code_w, name_w, *[status_w] * len(statuses), initials_w]))
        else:
            story.append(Paragraph("No members on this date.", s.body))
        story += [
            Spacer(1, GAP),
            Paragraph("Mark one box per member. Attended and late put the meeting in the member's own record, "
                      "with their homework and their own note.", s.small),
        ]
        return story


class GroupPlanDocument(PdfDocument):
    """The group's course plan: each meeting's date, theme, agenda and homework."""

    def __init__(self, group: GroupRec, options: PdfOptions | None = None) -> None:
        super().__init__(options)
        self.group = group

    def info(self) -> DocInfo:
        return DocInfo(title=f"Course plan: {self.group.name}", kind="Group course plan")

    def story(self) -> list[Flowable]:
        s, width = self.styles, self.body_width()
        g = self.group
        facilitators = ", ".join(f.name for f in g.facilitators)
        story: list[Flowable] = [
            Paragraph(markup(f"Course plan: {g.name}"), s.title),
            Paragraph(markup(f"{g.modality.upper()} group, {g.duration_minutes} minutes a meeting; "
                             f"facilitators: {facilitators}"), s.subtitle),
            Spacer(1, GAP),
        ]
        if not g.meetings:
            return [*story, Paragraph("No meetings planned yet.", s.body)]
        rows: list[list[Any]] = []
        for m in g.meetings:
            agenda = "<br/>".join(markup(x) for x in m.agenda) or "(open agenda)"
            homework = "<br/>".join(
                markup(h.title + ("" if h.patient_ids is None else " (some members)")) for h in m.homework
            ) or "none"
            rows.append([str(m.number), m.date.isoformat(), markup(m.theme or "(no theme)"), agenda, homework])
        widths = [10 * mm, 22 * mm, 40 * mm]
        rest = width - sum(widths)
        story.append(data_table(s, ["No.", "Date", "Theme", "Agenda", "Homework"], rows,
                                [*widths, rest * 0.6, rest * 0.4]))
        return story


class _PageIdentity(ActionFlowable):
    """Sets the running header and footer of the pages from the next one on (one member's part).

    An action, not a drawn flowable: it takes no room in the frame, so a part whose last page is
    full to the foot (the diary card's back) does not push it, alone, onto an empty page.
    """

    def __init__(self, info: DocInfo) -> None:
        super().__init__()
        self.page_info = info

    def apply(self, doc: BaseDocTemplate) -> None:
        doc.canv._trd_page_info = self.page_info


class GroupHomeworkDocument(PdfDocument):
    """A meeting's homework for every attending member, one member's part after the other.

    Each part is that member's own homework batch (worksheets prefilled for them), and its pages'
    header and footer name that member's print code only. The file's own title names the group.
    """

    def __init__(self, group_name: str, meeting: MeetingRec, parts: list[HomeworkDocument],
                 options: PdfOptions | None = None) -> None:
        super().__init__(options)
        if not parts:
            raise ValueError("a group homework batch needs at least one member's homework")
        self.group_name = group_name
        self.meeting = meeting
        self.parts = parts
        self.first_template = parts[0].first_template

    def info(self) -> DocInfo:
        return DocInfo(title=f"Homework: {self.group_name}", kind="Homework",
                       header_right=_meeting_line(self.meeting),
                       patient_codes=tuple(part.info().patient_code for part in self.parts))

    def _decorate(self, canv: Canvas, doc: BaseDocTemplate, info: DocInfo, template: str) -> None:
        info = getattr(canv, "_trd_page_info", None) or self.parts[0].info()
        super()._decorate(canv, doc, info, template)

    def story(self) -> list[Flowable]:
        story: list[Flowable] = []
        for n, part in enumerate(self.parts):
            if n:
                story = without_trailing_space(story)
                story += [_PageIdentity(part.info()), NextPageTemplate(part.first_template), PageBreak()]
            story += part.story()
        return story
