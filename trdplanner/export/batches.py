"""Several documents in one PDF: a session's homework, or a patient's notes over a period.

Each part starts on a new page (in landscape when its worksheet needs it); page numbers
run across the whole file.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from reportlab.platypus import Flowable, NextPageTemplate, PageBreak, Paragraph, Spacer

from trdplanner.catalog import Column, Field, FieldType, Template
from trdplanner.core.views import PatientSessions, SessionBundle
from trdplanner.export.base import LANDSCAPE, PORTRAIT, DocInfo, DraftMark, PdfDocument, PdfOptions
from trdplanner.export.flowables import WritingLines
from trdplanner.export.identity import bundle_identity, patient_doc_info, session_about
from trdplanner.export.layout import Layout, kept, text_paragraphs, without_trailing_space
from trdplanner.export.note import NoteContent, note_body, note_title
from trdplanner.export.styles import GAP, client_stylesheet
from trdplanner.export.tableprint import print_table
from trdplanner.export.text import markup, one_line
from trdplanner.export.worksheet import Identity, identity_block, instructions_box, needs_landscape, worksheet_story
from trdplanner.settings import Settings

_LOOSE_LINES = 4
# A week's log for tasks that come without a worksheet ("practise this skill daily").
_PRACTICE_LOG = Field(
    type=FieldType.TABLE,
    id="practice_log",
    label="Practice log",
    help="Tick each day you practised, and note anything you noticed: what helped, what got in the way.",
    columns=(
        Column(type=FieldType.YES_NO, id="done", label="Practised?"),
        Column(type=FieldType.LONG_TEXT, id="noticed", label="What I noticed"),
    ),
    fixed_rows=("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"),
)


@dataclass(frozen=True)
class HomeworkItem:
    """One piece of homework: a worksheet (``template`` set) or a task in words only."""

    title: str
    instructions: str = ""
    template: Template | None = None
    values: Mapping[str, Any] | None = None


class HomeworkDocument(PdfDocument):
    def __init__(
        self,
        bundle: SessionBundle,
        items: list[HomeworkItem],
        settings: Settings,
        options: PdfOptions | None = None,
    ) -> None:
        super().__init__(options)
        if not items:
            raise ValueError("a homework batch needs at least one item")
        self.styles = client_stylesheet()
        self.bundle = bundle
        self.items = items
        self.settings = settings
        self.first_template = self._orientation(items[0])

    @staticmethod
    def _orientation(item: HomeworkItem) -> str:
        return LANDSCAPE if item.template is not None and needs_landscape(item.template) else PORTRAIT

    def _task(self, item: HomeworkItem, identity: Identity, width: float) -> list[Flowable]:
        """A task with no worksheet of its own: what to do, a week's practice log, questions."""
        s = self.styles
        instructions = item.instructions or "Your therapist will go over this task with you."
        return [
            Paragraph(one_line(item.title), s.title),
            Paragraph(markup(f"Homework from {identity.session}, {identity.date}"), s.subtitle),
            *identity_block(s, identity, width),
            Paragraph("What to do", s.subheading),
            instructions_box(s, instructions, width),
            Spacer(1, GAP),
            *print_table(Layout(s, width), _PRACTICE_LOG, []),
            *kept(Paragraph("Questions or anything to bring to the next session", s.label)),
            WritingLines(_LOOSE_LINES),
        ]

    def info(self) -> DocInfo:
        b = self.bundle
        return patient_doc_info("Homework", session_about(b.session), b.profile, b.clinician, self.settings)

    def story(self) -> list[Flowable]:
        s = self.styles
        identity = bundle_identity(self.bundle, self.settings)
        story: list[Flowable] = []
        for n, item in enumerate(self.items):
            orientation = self._orientation(item)
            if n:
                story = [*without_trailing_space(story), NextPageTemplate(orientation), PageBreak()]
            width = self.body_width(orientation)
            if item.template is None:
                story += self._task(item, identity, width)
                continue
            layout = Layout(s, width)
            story += worksheet_story(item.template, item.values, layout, identity)
            if item.instructions:
                story += [Paragraph("From your therapist", s.subheading), *text_paragraphs(item.instructions, s.body)]
        return story


class NotesDocument(PdfDocument):
    """Every note of a patient's sessions in a period, each from a new page."""

    def __init__(self, data: PatientSessions, settings: Settings, options: PdfOptions | None = None) -> None:
        super().__init__(options)
        self.data = data
        self.settings = settings
        self.contents = [NoteContent(b, b.session.note) for b in data.bundles if b.session.note is not None]
        if not self.contents:
            raise ValueError("a notes batch needs at least one note")

    def _period(self) -> str:
        first = self.contents[0].bundle.session.date.isoformat()
        last = self.contents[-1].bundle.session.date.isoformat()
        return f"{first} to {last}"

    def info(self) -> DocInfo:
        return patient_doc_info(
            "Progress notes",
            self._period(),
            self.data.profile,
            self.data.clinician,
            self.settings,
            draft=not self.contents[0].signed,
        )

    def story(self) -> list[Flowable]:
        s, width = self.styles, self.body_width()
        story: list[Flowable] = []
        for n, content in enumerate(self.contents):
            if n:
                story += [DraftMark(not content.signed), PageBreak()]
            b = content.bundle
            story += [
                Paragraph(f"Progress note: session {b.session.number}", s.title),
                Paragraph(markup(f"{b.session.date.isoformat()} · {note_title(content)}"), s.subtitle),
                *note_body(s, content, self.settings, width),
            ]
        return story
