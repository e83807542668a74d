"""Worksheets from any catalog template: blank for homework, prefilled, or fillable.

:func:`worksheet_story` lays out one template (title block, instructions, agenda, fields)
and is shared by the homework batch and the safety plan; :class:`WorksheetDocument` turns
it into a PDF.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from reportlab.lib.units import mm
from reportlab.platypus import CondPageBreak, Flowable, Spacer

from trdplanner.catalog import Field, FieldType, Kind, PrintLayout, Template, validate_instance
from trdplanner.export.base import LANDSCAPE, PORTRAIT, DocInfo, PdfDocument, PdfOptions
from trdplanner.export.diaryprint import diary_week_flowables
from trdplanner.export.fieldprint import print_field, print_rating_group, same_scale
from trdplanner.export.flowables import TickBox, Whole
from trdplanner.export.formfields import Manifest, ManifestField
from trdplanner.export.layout import Layout, Para, boxed_scale, grid, text_paragraphs
from trdplanner.export.styles import GAP, RULE, TINT, WRITING_LINE, Styles, client_stylesheet
from trdplanner.export.tableprint import StretchTable
from trdplanner.export.text import markup, one_line, paragraphs_of

# A table this wide (columns, counting a row-label column) prints on a landscape page.
LANDSCAPE_COLUMNS = 7


@dataclass(frozen=True)
class Identity:
    """Who a prefilled sheet is for, already shaped by the privacy setting."""

    name: str = ""
    patient_code: str = ""
    date: str = ""
    clinician: str = ""
    session: str = ""


def needs_landscape(template: Template) -> bool:
    if template.print_layout is PrintLayout.DIARY_WEEK:
        return True
    return any(
        f.type is FieldType.TABLE and len(f.columns) + (1 if f.fixed_rows else 0) >= LANDSCAPE_COLUMNS
        for f in template.fields
    )


def _asks_itself(template: Template) -> tuple[bool, bool]:
    """Whether the template has its own name field and its own date field."""
    name = any(
        f.prefill is not None and f.prefill.key in ("print_name", "display_name", "preferred_name", "print_code")
        for f in template.input_fields
    )
    date = any(
        f.type is FieldType.DATE and (f.id == "date" or (f.prefill is not None and f.prefill.key == "date"))
        for f in template.input_fields
    )
    return name, date


def _subtitle(template: Template) -> str:
    parts = [template.modality.label, template.kind.label]
    if template.kind is not Kind.HANDOUT:
        parts.append(f"about {template.minutes} minutes")
    return " · ".join(parts)


def identity_block(
    s: Styles,
    identity: Identity | None,
    width: float,
    *,
    has_name: bool = False,
    has_date: bool = False,
) -> list[Flowable]:
    """Who and when: filled in (a tinted row) or as lines to write on.

    ``has_name``/``has_date``: the sheet asks for these itself, so they are not repeated.
    """
    if identity is None:
        blanks = [label for label, skip in (("Name", has_name), ("Date", has_date)) if not skip]
        if not blanks:
            return []
        cell_w = width / len(blanks)
        row: list[Any] = []
        for label in blanks:
            # The label as a plain string in the label's face (nothing to parse or wrap); the
            # space to write in as an empty list, which reportlab does not draw ("" it does).
            row += [label, []]
        widths: list[float] = []
        for _ in blanks:
            widths += [16 * mm, cell_w - 22 * mm]
        commands: list[tuple[Any, ...]] = [
            ("LINEBELOW", (i, 0), (i, 0), 0.6, WRITING_LINE) for i in range(1, 2 * len(blanks), 2)
        ]
        commands += [
            ("FONTNAME", (i, 0), (i, 0), s.label.fontName) for i in range(0, 2 * len(blanks), 2)
        ] + [("FONTSIZE", (0, 0), (-1, -1), s.label.fontSize), ("LEADING", (0, 0), (-1, -1), s.label.leading)]
        return [grid([row], widths, [*commands, ("VALIGN", (0, 0), (-1, -1), "BOTTOM")]), Spacer(1, GAP)]
    pairs = [
        ("Name", identity.name if not has_name else ""),
        ("Code", identity.patient_code if identity.patient_code != identity.name else ""),
        ("Date", identity.date),
        ("Session", identity.session),
        ("Clinician", identity.clinician),
    ]
    shown = [(k, v) for k, v in pairs if v]
    if not shown:
        return []
    cells = [[Para(k.upper(), s.help), Para(markup(v), s.value)] for k, v in shown]
    widths = [width / len(shown)] * len(shown)
    table = grid(
        [cells],
        widths,
        [
            ("BACKGROUND", (0, 0), (-1, -1), TINT),
            ("LEFTPADDING", (0, 0), (-1, -1), 2.5 * mm),
            ("TOPPADDING", (0, 0), (-1, -1), 1.8 * mm),
            ("BOTTOMPADDING", (0, 0), (-1, -1), 2 * mm),
        ],
    )
    return [table, Spacer(1, GAP)]


def _identity_block(s: Styles, template: Template, identity: Identity | None, width: float) -> list[Flowable]:
    if identity is None and template.kind is Kind.HANDOUT:
        return []
    has_name, has_date = _asks_itself(template)
    return identity_block(s, identity, width, has_name=has_name, has_date=has_date)


def instructions_box(s: Styles, text: str, width: float) -> Flowable:
    """Instructions set off by a grey rule down their left side."""
    paras = [Para(markup(p), s.body) for p in paragraphs_of(text)] or [Spacer(1, 1)]
    return grid(
        [[paras]],
        [width],
        [
            ("LINEBEFORE", (0, 0), (0, 0), 2.2, RULE),
            ("LEFTPADDING", (0, 0), (0, 0), 3.5 * mm),
            ("TOPPADDING", (0, 0), (0, 0), 0.5 * mm),
        ],
    )


def _agenda(s: Styles, template: Template, width: float) -> list[Flowable]:
    rows: list[list[Any]] = [[Para("", s.cell), Para("Step", s.cell_bold), Para("Minutes", s.cell_bold)]]
    for step in template.agenda:
        text: list[Flowable] = [Para(markup(step.title), s.cell_bold)]
        if step.description:
            text.append(Para(markup(step.description), s.cell))
        rows.append([TickBox(), text, Para(str(step.minutes), s.cell)])
    total = sum(step.minutes for step in template.agenda)
    rows.append(["", Para("Total", s.cell_bold), Para(str(total), s.cell_bold)])
    table = grid(
        rows,
        [8 * mm, width - 26 * mm, 18 * mm],
        [
            ("LINEBELOW", (0, 0), (-1, -1), 0.4, RULE),
            ("BACKGROUND", (0, 0), (-1, 0), TINT),
            ("TOPPADDING", (0, 0), (-1, -1), 1.5 * mm),
            ("BOTTOMPADDING", (0, 0), (-1, -1), 1.5 * mm),
            ("LEFTPADDING", (0, 0), (-1, -1), 1.5 * mm),
        ],
        repeat=1,
    )
    return [Para("Session agenda", s.heading), table, Spacer(1, GAP)]


def _definitions(s: Styles, fld: Field, width: float) -> list[Flowable]:
    term_w = min(48 * mm, width * 0.3)
    rows = [[Para(markup(item.term), s.label), text_paragraphs(item.text, s.body)] for item in fld.items]
    if not rows:
        return []
    return [
        grid(
            rows,
            [term_w, width - term_w],
            [
                ("LINEBELOW", (0, 0), (-1, -2), 0.3, WRITING_LINE),
                ("TOPPADDING", (0, 0), (-1, -1), 1.2 * mm),
                ("RIGHTPADDING", (0, 0), (0, -1), 3 * mm),
            ],
        ),
        Spacer(1, GAP),
    ]


def _rating_run(fields: tuple[Field, ...], start: int) -> int:
    """How many fields from ``start`` are boxed ratings on the same scale."""
    first = fields[start]
    end = start + 1
    while end < len(fields) and fields[end].type is FieldType.RATING and same_scale(first, fields[end]):
        end += 1
    return end - start


def field_flowables(layout: Layout, template: Template, values: Mapping[str, Any]) -> list[Flowable]:
    """Headings, text and input fields in template order."""
    if template.print_layout is PrintLayout.DIARY_WEEK:
        return diary_week_flowables(layout, template, values)
    s = layout.styles
    out: list[Flowable] = []
    fields = template.fields
    inputs = [f for f in fields if f.is_input]
    last_input = inputs[-1] if inputs else None
    stretch: StretchTable | None = None
    stretch_at = 0
    i = 0
    while i < len(fields):
        fld = fields[i]
        if fld.type is FieldType.HEADING:
            out += [CondPageBreak(25 * mm), Para(markup(fld.label), s.heading)]
        elif fld.type is FieldType.PARAGRAPH:
            # Text right before an answer space introduces it: keep the two on one page.
            ahead = fields[i + 1] if i + 1 < len(fields) else None
            style = s.body_keep if ahead is not None and ahead.is_input else s.body
            out += [Para(markup(p), style) for p in paragraphs_of(fld.text or "")]
        elif fld.type is FieldType.DEFINITIONS:
            out += _definitions(s, fld, layout.width)
        elif fld.type is FieldType.RATING and boxed_scale(fld) and (run := _rating_run(fields, i)) > 1:
            group = list(fields[i : i + run])
            out += print_rating_group(layout, group, dict(values))
            i += run
            continue
        else:
            printed = print_field(layout, fld, values.get(fld.key), last=fld is last_input)
            found = [f for f in printed if isinstance(f, StretchTable)]
            if found:
                stretch, stretch_at = found[0], len(out) + printed.index(found[0])
            out += printed
        i += 1
    if stretch is not None:
        # What follows the table on the sheet (closing text) must still fit below it.
        stretch.reserve = sum(
            f.wrap(layout.width, 10_000)[1] + f.getSpaceBefore() + f.getSpaceAfter() for f in out[stretch_at + 1 :]
        )
    return out


def worksheet_story(
    template: Template,
    values: Mapping[str, Any] | None,
    layout: Layout,
    identity: Identity | None = None,
    *,
    subtitle: str | None = None,
) -> list[Flowable]:
    """One template as flowables. ``values`` are cleaned here, so raw stored values are fine."""
    s = layout.styles
    cleaned = validate_instance(template, values or {}, partial=True)
    story: list[Flowable] = []
    if layout.manifest is not None:
        story.append(ManifestField(layout.manifest))
    story += [
        Para(one_line(template.title), s.title),
        Para(markup(subtitle if subtitle is not None else _subtitle(template)), s.subtitle),
    ]
    story += _identity_block(s, template, identity, layout.width)
    if template.kind is Kind.STRUCTURE and template.purpose:
        story += [Para(markup(template.purpose), s.body)]
    if template.instructions and not layout.terse:
        # Whole, not KeepTogether: the same "move over unless taller than a page" for one
        # block, without KeepTogether's trial layout on a copy of the frame.
        story += [Whole(instructions_box(s, template.instructions, layout.width)), Spacer(1, GAP)]
    if template.agenda:
        story += _agenda(s, template, layout.width)
    if template.kind is Kind.STRUCTURE and template.input_fields:
        story.append(Para("Notes for this session", s.heading))
    story += field_flowables(layout, template, cleaned)
    return story


class WorksheetDocument(PdfDocument):
    """One worksheet. Blank without ``values``/``identity``; prefilled with them."""

    def __init__(
        self,
        template: Template,
        values: Mapping[str, Any] | None = None,
        identity: Identity | None = None,
        *,
        fillable: bool = False,
        session_id: int | None = None,
        compact: bool = False,
        options: PdfOptions | None = None,
    ) -> None:
        super().__init__(options)
        self.styles = client_stylesheet()
        self.template = template
        self.values = values
        self.identity = identity
        self.fillable = fillable
        self.session_id = session_id
        self.compact = compact
        self.first_template = LANDSCAPE if needs_landscape(template) else PORTRAIT

    def info(self) -> DocInfo:
        ident = self.identity
        code = ident.patient_code if ident else ""
        named = f"{self.template.title} - {ident.name}" if ident and ident.name else None
        return DocInfo(
            title=self.template.title + (f" - {code}" if code else ""),
            kind=self.template.kind.label,
            author=ident.clinician if ident and ident.clinician else "TRD Planner",
            patient_code=code,
            header_right=ident.name if ident else "",
            named_title=named,
            keywords=(self.template.ref,),
        )

    def story(self) -> list[Flowable]:
        manifest = None
        if self.fillable:
            code = self.identity.patient_code if self.identity else ""
            manifest = Manifest(self.template.id, self.template.version, self.session_id, code)
        layout = Layout(self.styles, self.body_width(), compact=self.compact, manifest=manifest)
        return worksheet_story(self.template, self.values, layout, self.identity)
