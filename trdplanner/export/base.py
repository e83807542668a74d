"""The base renderer: page geometry, page templates, running header, footer and metadata.

Every printed document is a :class:`PdfDocument` subclass that only builds its story (a list
of Platypus flowables) and describes itself (:class:`DocInfo`); :meth:`PdfDocument.render`
does the rest and returns the PDF bytes. No Qt and no database here.

Output is byte-for-byte deterministic when :attr:`PdfOptions.created_at` is fixed: reportlab
runs in invariant mode and the creation date is the one given, so golden tests can compare.
"""

from __future__ import annotations

import datetime as dt
import io
import time
from abc import ABC, abstractmethod
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

from reportlab import rl_config
from reportlab.lib.pagesizes import A4, LETTER, landscape
from reportlab.lib.units import mm
from reportlab.lib.utils import TimeStamp
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import BaseDocTemplate, Flowable, Frame, FrameBreak, KeepTogether, PageTemplate, Spacer

from trdplanner import __version__
from trdplanner.export.flowables import Whole
from trdplanner.export.fonts import BOLD, REGULAR, string_width
from trdplanner.export.styles import MUTED, RULE, TINT_DARK, Styles, stylesheet
from trdplanner.export.text import printable
from trdplanner.settings import PageSize, Settings

PORTRAIT = "portrait"
LANDSCAPE = "landscape"
TRIFOLD = "trifold"

# Home printers cannot print to the edge; 6 mm is a common minimum, these leave room to spare.
MARGIN_SIDE = 16 * mm
MARGIN_TOP = 17 * mm
MARGIN_BOTTOM = 18 * mm
_HEADER_Y = 10 * mm  # from the top edge
_FOOTER_Y = 9 * mm  # from the bottom edge
_FOLD_GUTTER = 12 * mm

_PAGE_TOTAL_FORM = "trdPageTotal"

# Streams (page content, font subsets) written compressed but binary, not also ASCII85-encoded
# as reportlab does by default: files about a fifth smaller and one encoding pass less per PDF.
# Every PDF reader supports binary streams; the ASCII form only mattered for 7-bit mail.
rl_config.useA85 = 0
# A last page used less than this (share of the body height) is laid out again with the end
# of the document kept together; the tail moved over is at least _TAIL_SHARE of a page.
STRAND_SHARE = 0.18
_TAIL_SHARE = 0.22


@dataclass(frozen=True)
class PdfOptions:
    """How to print: paper size and, for reproducible output, a fixed creation date."""

    page_size: PageSize = PageSize.A4
    created_at: dt.datetime | None = None
    # Whether the patient's name may appear in the PDF's metadata (title, subject).
    name_in_metadata: bool = False
    # Open password for the file (AES-256, PDF 2.0 security handler revision 6); never printed.
    password: str | None = field(default=None, repr=False)

    @classmethod
    def from_settings(cls, settings: Settings, created_at: dt.datetime | None = None) -> PdfOptions:
        return cls(page_size=settings.page_size, created_at=created_at, name_in_metadata=settings.pdf_name_in_metadata)

    @property
    def paper(self) -> tuple[float, float]:
        return LETTER if self.page_size == PageSize.LETTER else A4


@dataclass(frozen=True)
class DocInfo:
    """What a document says about itself on every page and in the PDF metadata.

    ``title`` goes in the running header and the metadata, so it must not name the patient;
    ``named_title`` is used for the metadata instead when the user allowed names there.
    """

    title: str
    kind: str
    author: str = "TRD Planner"
    patient_code: str = ""
    header_right: str = ""
    named_title: str | None = None
    draft: bool = False
    keywords: tuple[str, ...] = ()
    # A batch printed for several patients (a group's homework): each one's print code, so the
    # print is recorded once for each of them.
    patient_codes: tuple[str, ...] = ()


def _timestamp(created_at: dt.datetime | None) -> TimeStamp:
    stamp = TimeStamp(invariant=True)
    moment = created_at or dt.datetime.now().astimezone()
    offset = moment.utcoffset() or dt.timedelta(0)
    minutes = int(offset.total_seconds() // 60)
    stamp.t = moment.timestamp() if moment.tzinfo else time.mktime(moment.timetuple())
    stamp.YMDhms = (moment.year, moment.month, moment.day, moment.hour, moment.minute, moment.second)
    stamp.dhh, stamp.dmm = divmod(minutes, 60) if minutes >= 0 else (-((-minutes) // 60), (-minutes) % 60)
    return stamp


class _Canvas(Canvas):
    """A canvas with a fixed creation date that writes "page x of y" in one pass.

    The footer draws the total as a form XObject that is only defined in :meth:`save`, once
    the number of pages is known; the alternative, laying the document out twice, doubles
    the cost of every export.
    """

    def __init__(self, *args: Any, created_at: dt.datetime | None = None, **kwargs: Any) -> None:
        kwargs["invariant"] = 1
        super().__init__(*args, **kwargs)
        self._doc._timeStamp = _timestamp(created_at)
        self.setProducer(f"TRD Planner {__version__}")
        self.setCreator(f"TRD Planner {__version__}")

    def save(self) -> None:
        pages = self.getPageNumber() - 1 if not self._code else self.getPageNumber()
        self.beginForm(_PAGE_TOTAL_FORM, lowerx=0, lowery=-4, upperx=60, uppery=12)
        self.setFont(REGULAR, 7.5)
        self.setFillColor(MUTED)
        self.drawString(0, 0, str(max(pages, 1)))
        self.endForm()
        super().save()


class DraftMark(Flowable):
    """Turns the DRAFT watermark on or off from the next page on (for batches of notes)."""

    def __init__(self, on: bool) -> None:
        super().__init__()
        self.on = on

    def wrap(self, available_width: float, available_height: float) -> tuple[float, float]:
        return 0, 0

    def draw(self) -> None:
        self.canv._trd_draft = self.on


class KeepWithNext(KeepTogether):
    """How a label stays with what follows it (Platypus builds one per keep-with-next run).

    Unlike a plain KeepTogether, which moves the whole run to the next page whenever it does
    not fit, this only moves it when little room is left on the page. With more room, the run
    starts here and its table or text continues overleaf, so a long table never leaves a page
    blank behind it, while a heading or label is never stranded at the bottom of a page.
    """

    ROOM = 70 * mm

    def split(self, available_width: float, available_height: float) -> list[Flowable]:
        if getattr(self, "_wrapInfo", None) != (available_width, available_height):
            self.wrap(available_width, available_height)
        content = list(self._content)
        frame = getattr(self, "_frame", None)
        at_top = bool(getattr(frame, "_atTop", False))
        # A run ending in a block that must not split (a week table) moves whole when it fits a page.
        rigid = any(isinstance(f, Whole) for f in content)
        fits_a_page = frame is not None and frame._height >= self._H
        if available_height < self._H and not at_top and (available_height < self.ROOM or (rigid and fits_a_page)):
            return [FrameBreak(), *content]
        return content


class _Template(BaseDocTemplate):
    def __init__(self, buffer: io.BytesIO, owner: PdfDocument, **kwargs: Any) -> None:
        super().__init__(buffer, **kwargs)
        self.owner = owner


def frames_for(paper: tuple[float, float], name: str) -> list[Frame]:
    width, height = paper
    body_w = width - 2 * MARGIN_SIDE
    body_h = height - MARGIN_TOP - MARGIN_BOTTOM
    if name == TRIFOLD:
        col = (body_w - 2 * _FOLD_GUTTER) / 3
        return [
            Frame(
                MARGIN_SIDE + i * (col + _FOLD_GUTTER),
                MARGIN_BOTTOM,
                col,
                body_h,
                leftPadding=0,
                rightPadding=0,
                topPadding=0,
                bottomPadding=0,
                id=f"panel{i}",
            )
            for i in range(3)
        ]
    return [
        Frame(
            MARGIN_SIDE,
            MARGIN_BOTTOM,
            body_w,
            body_h,
            leftPadding=0,
            rightPadding=0,
            topPadding=0,
            bottomPadding=0,
            id="body",
        )
    ]


class PdfDocument(ABC):
    """One printable document. Subclasses build the story; this class does the paper."""

    #: The page template the first page uses (PORTRAIT, LANDSCAPE or TRIFOLD).
    first_template: str = PORTRAIT

    def __init__(self, options: PdfOptions | None = None) -> None:
        self.options = options or PdfOptions()
        self.styles: Styles = stylesheet()

    @abstractmethod
    def info(self) -> DocInfo:
        """Title, kind, author and the footer's patient code."""

    @abstractmethod
    def story(self) -> list[Flowable]:
        """The flowables, in order. Called once per render."""

    # ------------------------------------------------------------------ geometry

    def body_width(self, template: str | None = None) -> float:
        paper = self._paper(template or self.first_template)
        frame = frames_for(paper, template or self.first_template)[0]
        return float(frame._width)

    def _paper(self, name: str) -> tuple[float, float]:
        paper = self.options.paper
        return landscape(paper) if name in (LANDSCAPE, TRIFOLD) else paper

    # ------------------------------------------------------------------ render

    def render(self) -> bytes:
        """The PDF. A last page left almost empty is laid out again with the end kept together."""
        data, stranded = self._build(keep_tail=False)
        if stranded:
            data, _ = self._build(keep_tail=True)
        return protect(data, self.options.password) if self.options.password else data

    def _build(self, *, keep_tail: bool) -> tuple[bytes, bool]:
        """Lay the story out once; also say whether the last page was left under 15% used."""
        info = self.info()
        story = self.story()
        # A spacer that closes the story would open a page of its own when the last one is full.
        while story and isinstance(story[-1], Spacer):
            story.pop()
        buffer = io.BytesIO()
        meta_title = info.named_title if (self.options.name_in_metadata and info.named_title) else info.title
        doc = _Template(
            buffer,
            self,
            pagesize=self._paper(self.first_template),
            leftMargin=MARGIN_SIDE,
            rightMargin=MARGIN_SIDE,
            topMargin=MARGIN_TOP,
            bottomMargin=MARGIN_BOTTOM,
            title=printable(meta_title),
            author=printable(info.author),
            subject=info.kind,
            keywords=list(info.keywords),
            creator=f"TRD Planner {__version__}",
            invariant=1,
            displayDocTitle=True,
            lang="en",
            # Start every page in our own font, so no unembedded standard font is referenced.
            initialFontName=REGULAR,
            initialFontSize=9.5,
            keepTogetherClass=KeepWithNext,
        )
        order = [self.first_template] + [t for t in (PORTRAIT, LANDSCAPE, TRIFOLD) if t != self.first_template]
        doc.addPageTemplates(
            [
                PageTemplate(
                    id=name,
                    frames=frames_for(self._paper(name), name),
                    pagesize=self._paper(name),
                    onPage=lambda canv, d, info=info, name=name: self._decorate(canv, d, info, name),
                    autoNextPageTemplate=name,
                )
                for name in order
            ]
        )
        if keep_tail:
            story = _keep_tail(story, frames_for(self._paper(self.first_template), self.first_template)[0])
        created_at = self.options.created_at

        def make_canvas(*args: Any, **kwargs: Any) -> _Canvas:
            return _Canvas(*args, created_at=created_at, **kwargs)

        doc.build(story, canvasmaker=make_canvas)
        frame = doc.frame
        used = (frame._y2 - frame._y) / frame._height if frame._height else 1.0
        stranded = doc.page > 1 and used < STRAND_SHARE and self.first_template != TRIFOLD
        return buffer.getvalue(), stranded

    # ------------------------------------------------------------------ page furniture

    def _decorate(self, canv: Canvas, doc: BaseDocTemplate, info: DocInfo, template: str) -> None:
        width, height = canv._pagesize
        page = canv.getPageNumber()
        canv.saveState()
        if template == TRIFOLD:
            self._fold_marks(canv, width, height)
        if getattr(canv, "_trd_draft", info.draft):
            self._draft_mark(canv, width, height)
        canv.setStrokeColor(RULE)
        canv.setLineWidth(0.5)
        left, right = MARGIN_SIDE, width - MARGIN_SIDE
        if page > 1:
            canv.setFont(REGULAR, 7.5)
            canv.setFillColor(MUTED)
            y = height - _HEADER_Y
            canv.drawString(left, y, _fit(printable(info.title), REGULAR, 7.5, (right - left) * 0.6))
            canv.drawRightString(right, y, _fit(printable(info.header_right), REGULAR, 7.5, (right - left) * 0.38))
            canv.line(left, y - 2.2 * mm, right, y - 2.2 * mm)
        y = _FOOTER_Y
        canv.line(left, y + 3.6 * mm, right, y + 3.6 * mm)
        canv.setFillColor(MUTED)
        canv.setFont(BOLD, 7.5)
        canv.drawString(left, y, "CONFIDENTIAL")
        offset = string_width("CONFIDENTIAL", BOLD, 7.5)
        canv.setFont(REGULAR, 7.5)
        code = printable(info.patient_code)
        tail = f"  ·  {code}" if code else ""
        tail += f"  ·  {printable(info.kind)}"
        canv.drawString(left + offset, y, _fit(tail, REGULAR, 7.5, (right - left) * 0.7))
        label = f"Page {page} of "
        # The total is unknown until the end; assume it has as many digits as this page number.
        start = right - string_width(label + str(page), REGULAR, 7.5)
        canv.drawString(start, y, label)
        canv.translate(start + string_width(label, REGULAR, 7.5), y)
        canv.doForm(_PAGE_TOTAL_FORM)
        canv.restoreState()

    def _fold_marks(self, canv: Canvas, width: float, height: float) -> None:
        """Short dashed marks at the top and bottom edges where the sheet folds."""
        col = (width - 2 * MARGIN_SIDE - 2 * _FOLD_GUTTER) / 3
        canv.saveState()
        canv.setStrokeColor(RULE)
        canv.setLineWidth(0.4)
        canv.setDash(2, 2)
        for i in (1, 2):
            x = MARGIN_SIDE + i * col + (i - 0.5) * _FOLD_GUTTER
            canv.line(x, height - 7 * mm, x, height - 2 * mm)
            canv.line(x, 14 * mm, x, 18 * mm)
        canv.restoreState()

    def _draft_mark(self, canv: Canvas, width: float, height: float) -> None:
        canv.saveState()
        canv.setFillColor(TINT_DARK)
        canv.setFont(BOLD, 96)
        canv.translate(width / 2, height / 2)
        canv.rotate(40)
        canv.drawCentredString(0, -34, "DRAFT")
        canv.restoreState()


# Poppler (Evince, Okular, pdftotext) reads only the first 32 bytes of an AES-256 password
# while MuPDF, pypdf and qpdf read up to 127, so a longer one opens in some viewers and not
# others. Refused instead (qpdf issue 195 describes the same trap).
PDF_PASSWORD_MAX_BYTES = 32


def password_problem(password: str) -> str | None:
    """Why ``password`` cannot protect a PDF, in plain words; None when it can."""
    if not password:
        return "the password is empty"
    if len(password.encode("utf-8")) > PDF_PASSWORD_MAX_BYTES:
        return (
            f"the password is longer than {PDF_PASSWORD_MAX_BYTES} letters (fewer with accents or non-Latin "
            "letters); some PDF viewers could not open the file with it, so choose a shorter one"
        )
    return None


def protect(data: bytes, password: str) -> bytes:
    """``data`` encrypted with AES-256 (security handler revision 6) under an open password.

    Done by pikepdf (qpdf) after rendering: reportlab's own AES-256 writes the withdrawn
    revision 5 dictionary, which poppler, MuPDF, Ghostscript and pypdf refuse to open. The
    owner password is random and thrown away, so nobody can lift the restrictions; printing,
    copying text (for screen readers) and filling in form fields stay allowed.
    """
    import secrets

    import pikepdf

    problem = password_problem(password)
    if problem is not None:
        raise ValueError(problem)
    allow = pikepdf.Permissions(
        accessibility=True,
        extract=True,
        modify_annotation=True,
        modify_assembly=False,
        modify_form=True,
        modify_other=False,
        print_lowres=True,
        print_highres=True,
    )
    out = io.BytesIO()
    with pikepdf.open(io.BytesIO(data)) as pdf:
        encryption = pikepdf.Encryption(owner=secrets.token_urlsafe(24), user=password, R=6, aes=True, allow=allow)
        pdf.save(out, encryption=encryption)
    return out.getvalue()


@contextmanager
def _scratch_canvas(flowable: Flowable) -> Iterator[Flowable]:
    """Lend ``flowable`` a scratch canvas for measuring and splitting outside a build: a
    KeepTogether (a header grid, a kept block) measures its content on one."""
    lent = not hasattr(flowable, "canv")
    if lent:
        flowable.canv = Canvas(io.BytesIO())
    try:
        yield flowable
    finally:
        if lent:
            del flowable.canv


def _keep_tail(story: list[Flowable], frame: Frame) -> list[Flowable]:
    """``story`` with its last flowables, at least ``_TAIL_SHARE`` of a page, in one KeepTogether.

    Used only when the first layout left a few lines, a signature block or a small table
    alone on the last page: the block then moves over together with what came before it. A
    long table or text before the block is split so that only its last part moves along.
    """
    width, height = frame._width, frame._height
    want = _TAIL_SHARE * height
    total = 0.0
    start = len(story)
    while start > 0 and total < want:
        start -= 1
        flowable = story[start]
        with _scratch_canvas(flowable):
            _, h = flowable.wrap(width, height)
        h += flowable.getSpaceBefore() + flowable.getSpaceAfter()
        if total + h > height * 0.6:
            if isinstance(flowable, Whole):  # taller than a page: it will split anyway
                flowable = flowable.content
            with _scratch_canvas(flowable):
                flowable.wrap(width, height)
                pieces = flowable.split(width, max(h - (want - total), 1.0))
            if len(pieces) != 2:
                return story
            return [*story[:start], pieces[0], KeepTogether([pieces[1], *story[start + 1 :]])]
        total += h
    if start == 0:
        return story
    return [*story[:start], KeepTogether(story[start:])]


def _fit(text: str, font: str, size: float, width: float) -> str:
    """``text`` shortened with an ellipsis to fit ``width`` (header and footer are one line)."""
    text = text[:300]  # nothing longer fits on one line; keeps the loop below short
    if string_width(text, font, size) <= width:
        return text
    while text and string_width(text + "…", font, size) > width:
        text = text[:-1]
    return text + "…"
