"""The layout checker over every template (blank, prefilled with long text, fillable) and every
kind of document; and the client-worksheet rules: type sizes, tick boxes, tooltips, one-page grid.

The checker itself (``layout_check.py``) is tried on pages made to fail first, so a checker
that silently passed everything would be caught.
"""

from __future__ import annotations

import io
from typing import Any

import pymupdf
import pytest
from reportlab.lib.pagesizes import A4
from reportlab.lib.units import mm
from reportlab.pdfgen.canvas import Canvas

from tests.export._pdf_helpers import sample_value, sample_values
from tests.export.layout_check import check
from trdplanner import assemble
from trdplanner.catalog import Catalog, FieldType, Template, load_catalog
from trdplanner.context import AppContext
from trdplanner.export import Identity, PdfOptions, WorksheetDocument
from trdplanner.export.fonts import REGULAR, fonts
from trdplanner.export.styles import CLIENT_SMALLEST, MUTED
from trdplanner.paths import templates_dir

TEMPLATES = list(load_catalog(templates_dir()))
TEMPLATE_IDS = [t.id for t in TEMPLATES]
LONG = (
    "On Tuesday the bus was late again and I got to the meeting after it had started; everyone looked up "
    "and I was sure they thought I could not manage even that. I felt my face go hot and I said nothing "
    "for the rest of the hour, then went home and skipped dinner. Looking back, two people smiled at me."
)


def _header_words(template: Template) -> list[str]:
    return [c.label for f in template.fields if f.type is FieldType.TABLE for c in f.columns]


def _long_value(shape: Any, tag: str) -> Any:
    if shape.type is FieldType.LONG_TEXT:
        return LONG
    if shape.type is FieldType.SHORT_TEXT:
        text = f"{tag}: {LONG}"
        return text[: shape.max_length] if shape.max_length else text[:120]
    return sample_value(shape, tag)


def long_values(template: Template) -> dict[str, Any]:
    """Every field answered, text fields at length (three rows in every open table)."""
    out: dict[str, Any] = {}
    for fld in template.input_fields:
        if fld.type is FieldType.TABLE:
            count = len(fld.fixed_rows) if fld.fixed_rows else min(3, fld.max_rows or 3)
            out[fld.key] = [{c.id: _long_value(c, f"{fld.key}{r}") for c in fld.columns} for r in range(count)]
        else:
            out[fld.key] = _long_value(fld, fld.key)
    return out


def _assert_clean(data: bytes, template: Template | None = None) -> None:
    report = check(data, header_words=_header_words(template) if template else ())
    assert report.problems == []


# ---------------------------------------------------------------------------------- the checker


def _page(draw: Any) -> bytes:
    fonts()
    buffer = io.BytesIO()
    canv = Canvas(buffer, pagesize=A4)
    draw(canv)
    canv.showPage()
    canv.save()
    return buffer.getvalue()


def test_the_checker_finds_overprinted_and_off_page_text() -> None:
    def draw(canv: Canvas) -> None:
        canv.setFont(REGULAR, 10)
        canv.drawString(100, 500, "Half an hour or more")
        canv.drawString(104, 501, "Over an hour, most nights")
        canv.drawString(-30, 400, "Runs off the left edge")

    problems = check(_page(draw)).problems
    assert any("overprints" in p for p in problems)
    assert any("off the page" in p for p in problems)


def test_the_checker_finds_an_empty_page_a_stranded_end_and_a_broken_header() -> None:
    fonts()
    buffer = io.BytesIO()
    canv = Canvas(buffer, pagesize=A4)
    canv.setFont(REGULAR, 10)
    for y in range(760, 100, -14):
        canv.drawString(60, y, "Belief in the resp")
    canv.showPage()
    canv.setFont(REGULAR, 7)
    canv.drawString(60, 20, "Page 2 of 3")  # footer only
    canv.showPage()
    canv.setFont(REGULAR, 10)
    canv.drawString(60, 760, "onse (%)")  # two stranded words at the top of the last page
    canv.showPage()
    canv.save()
    problems = check(buffer.getvalue(), header_words=["Belief in the response (%)"]).problems
    assert any("page 2 holds nothing but the header and footer" in p for p in problems)
    assert any("last page (page 3)" in p for p in problems)
    assert any("'response'" in p for p in problems)


# ---------------------------------------------------------------------------------- templates


@pytest.mark.parametrize("template_id", TEMPLATE_IDS)
def test_every_template_lays_out_cleanly(catalog: Catalog, template_id: str, options: PdfOptions) -> None:
    """Blank, prefilled with long answers, and fillable: no layout problem, every field explained."""
    template = catalog.get(template_id)
    _assert_clean(WorksheetDocument(template, options=options).render(), template)
    identity = Identity(name="Ruth Ekström", patient_code="T-0107", date="2026-03-02", clinician="Dr A. Example")
    _assert_clean(WorksheetDocument(template, long_values(template), identity, options=options).render(), template)
    fillable = WorksheetDocument(template, fillable=True, options=options).render()
    _assert_clean(fillable, template)
    doc = pymupdf.open(stream=fillable, filetype="pdf")
    for page in doc:
        for widget in page.widgets() or []:
            if widget.field_name == "trdplanner":
                continue
            tip = widget.field_label or ""
            # A tooltip in words (what a screen reader says), never the field's internal name.
            assert tip and tip != widget.field_name and not tip.startswith("f:"), widget.field_name
            assert any(ch.isalpha() for ch in tip), widget.field_name


# ---------------------------------------------------------------------------------- documents


def _patient(ctx: AppContext, code: str) -> int:
    pid = ctx.patients.id_for_code(code)
    assert pid is not None
    return pid


def _sessions(ctx: AppContext, code: str) -> list[int]:
    return [s.id for s in ctx.sessions.list(_patient(ctx, code)) if s.id is not None]


@pytest.mark.parametrize("code", ["DEMO-02", "DEMO-04", "DEMO-05", "DEMO-06"])
def test_every_document_kind_lays_out_cleanly(demo_reader: AppContext, code: str, options: PdfOptions) -> None:
    pid, sessions = _patient(demo_reader, code), _sessions(demo_reader, code)
    documents = [
        assemble.report_document(demo_reader, pid, options=options),
        assemble.notes_document(demo_reader, pid, options=options),
        assemble.prep_document(demo_reader, sessions[-1], options=options),
        assemble.note_document(demo_reader, sessions[0], options=options),
        assemble.note_document(demo_reader, sessions[-1], options=options),
        assemble.safety_plan_document(demo_reader, pid, options=options),
        assemble.safety_plan_document(demo_reader, pid, fold=True, options=options),
        assemble.homework_document(demo_reader, sessions[-1], options=options),
    ]
    for doc in documents:
        report = check(doc.render())
        assert report.problems == [], type(doc).__name__


# ---------------------------------------------------------------------------------- client sheets


def _body_spans(data: bytes) -> list[tuple[float, str, int]]:
    """(size, text, colour) of every span between the running header and the footer."""
    from trdplanner.export.base import MARGIN_BOTTOM, MARGIN_TOP

    out = []
    for page in pymupdf.open(stream=data, filetype="pdf"):
        for block in page.get_text("dict")["blocks"]:
            for line in block.get("lines", []):
                for span in line["spans"]:
                    y = span["bbox"][1]
                    if span["text"].strip() and MARGIN_TOP - 4 < y < page.rect.height - MARGIN_BOTTOM:
                        out.append((span["size"], span["text"], span["color"]))
    return out


@pytest.mark.parametrize(
    "template_id", ["cbt-thought-record-3", "cbt-thought-record-grid", "general-qids-sr16-form", "dbt-diary-card"]
)
def test_client_worksheets_use_readable_type(catalog: Catalog, template_id: str, options: PdfOptions) -> None:
    """Text in black at 10 pt or more; help in the contrast-checked grey at 9 pt or more."""
    spans = _body_spans(WorksheetDocument(catalog.get(template_id), options=options).render())
    assert spans
    for size, text, colour in spans:
        r, g, b = ((colour >> 16) & 255) / 255, ((colour >> 8) & 255) / 255, (colour & 255) / 255
        assert max(r, g, b) <= MUTED.red + 0.01, text  # no text lighter than the checked grey
        smallest = 10 if colour == 0 else CLIENT_SMALLEST
        assert size >= smallest - 0.01, (size, text)
    chars = sum(len(t) for _, t, _ in spans)
    body = sum(len(t) for size, t, colour in spans if colour == 0 and size >= 10 - 0.01)
    assert body / chars > 0.4, template_id  # most words are body text, not small print


def test_muted_grey_passes_contrast() -> None:
    def linear(c: float) -> float:
        return c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4

    lum = 0.2126 * linear(MUTED.red) + 0.7152 * linear(MUTED.green) + 0.0722 * linear(MUTED.blue)
    assert (1.05) / (lum + 0.05) >= 7.0  # WCAG AAA for normal text


def test_tick_boxes_are_at_least_4_mm(catalog: Catalog, options: PdfOptions) -> None:
    for template_id in ("general-qids-sr16-form", "general-phq9-form", "cbt-session-structure", "dbt-diary-card"):
        data = WorksheetDocument(catalog.get(template_id), options=options).render()
        boxes = []
        for page in pymupdf.open(stream=data, filetype="pdf"):
            for drawing in page.get_drawings():
                r = drawing["rect"]
                if 1 * mm < r.width < 8 * mm and abs(r.width - r.height) < 0.3:
                    boxes.append(r.width)
        assert boxes, template_id
        assert min(boxes) >= 4 * mm - 0.2, template_id


def test_the_seven_column_grid_is_one_landscape_page(catalog: Catalog, options: PdfOptions) -> None:
    template = catalog.get("cbt-thought-record-grid")
    assert len([c for f in template.fields if f.type is FieldType.TABLE for c in f.columns]) == 7
    for fillable in (False, True):
        data = WorksheetDocument(template, fillable=fillable, options=options).render()
        doc = pymupdf.open(stream=data, filetype="pdf")
        assert len(doc) == 1
        page = doc[0]
        assert page.rect.width > page.rect.height
        # The writing space fills the page: the grid reaches the bottom of the body.
        lowest = max(d["rect"].y1 for d in page.get_drawings())
        assert lowest > page.rect.height - 30 * mm


def test_blank_rows_fill_the_page(catalog: Catalog, options: PdfOptions) -> None:
    data = WorksheetDocument(catalog.get("cbt-thought-record-3"), options=options).render()
    page = pymupdf.open(stream=data, filetype="pdf")[0]
    lowest = max(d["rect"].y1 for d in page.get_drawings() if d["rect"].y1 < page.rect.height - 15 * mm)
    assert lowest > page.rect.height - 30 * mm


# A prefilled card's header can take two lines (a long clinician name): the week and its key
# still fit the front (this printed the key's last line alone on a page before the rows shrank).
LONG_HEADER = Identity(name="Alexandra Konstantinopoulou-Whitfield", patient_code="DEMO-02", date="2026-12-04",
                       clinician="Dr. Avery Lindqvist, PhD, Licensed Psychologist")


@pytest.mark.parametrize("identity", [None, LONG_HEADER], ids=["no-header", "long-header"])
def test_the_diary_card_is_one_landscape_week_and_a_back(
    catalog: Catalog, options: PdfOptions, identity: Identity | None
) -> None:
    """Blank, filled in and fillable: the week grid (all days, every short header and its key) on
    the front, the skills by day on the back, two landscape pages."""
    template = catalog.get("dbt-diary-card")
    weeks = [f for f in template.fields if f.fixed_rows]
    grid = [c for f in weeks for c in f.columns if c.type is not FieldType.CHECKLIST]
    skills = next(c for f in weeks for c in f.columns if c.type is FieldType.CHECKLIST)
    for values, fillable in ((None, False), (sample_values(template), False), (None, True)):
        data = WorksheetDocument(template, values, identity=identity, fillable=fillable, options=options).render()
        doc = pymupdf.open(stream=data, filetype="pdf")
        assert len(doc) == 2, (fillable, values is not None)
        assert all(page.rect.width > page.rect.height for page in doc)
        front, back = (set(w[4] for w in page.get_text("words")) for page in doc)
        assert set(weeks[0].fixed_rows) <= front  # every day
        for column in grid:
            assert column.abbr in front or column.abbr.split()[0] in front, column.abbr
        key = " ".join(doc[0].get_text().split())
        assert all(c.label.rstrip("?") in key for c in grid)  # each header spelt out
        assert "Mon" not in back or "Sun" in back
        back_text = " ".join(doc[1].get_text().split())
        assert all(o.label in back_text for o in skills.options)  # the whole skills list, one page
        # The front's writing space reaches the foot of the body (no half-empty card).
        lowest = max(d["rect"].y1 for d in doc[0].get_drawings() if d["rect"].y1 < doc[0].rect.height - 20 * mm)
        assert lowest > doc[0].rect.height - 50 * mm
    # The skills a client ticked print as ticked boxes on the back, one per skill and day.
    values = sample_values(template)
    ticked = sum(len(row.get(skills.id) or []) for f in weeks for row in values.get(f.key) or [])
    back_page = pymupdf.open(stream=WorksheetDocument(template, values, options=options).render(), filetype="pdf")[1]
    crosses = {
        (round(d["rect"].x0), round(d["rect"].y0))
        for d in back_page.get_drawings()
        if 1.5 * mm < d["rect"].width < 3.5 * mm and abs(d["rect"].width - d["rect"].height) < 0.3
    }
    assert ticked > 0 and len(crosses) == ticked
    data = WorksheetDocument(template, fillable=True, options=options).render()
    ticks = [
        w.rect.width
        for page in pymupdf.open(stream=data, filetype="pdf")
        for w in page.widgets() or []
        if w.field_type in (pymupdf.PDF_WIDGET_TYPE_CHECKBOX, pymupdf.PDF_WIDGET_TYPE_RADIOBUTTON)
    ]
    assert len(ticks) == 7 * (len(skills.options) + 2 * sum(c.type is FieldType.YES_NO for c in grid))
    assert min(ticks) >= 4 * mm - 0.2


def test_other_templates_keep_the_sheet_layout(catalog: Catalog) -> None:
    from trdplanner.catalog import PrintLayout

    laid = {t.id for t in catalog if t.print_layout is not PrintLayout.SHEET}
    assert laid == {"dbt-diary-card"}


def test_qids_answers_are_a_list_and_radio_buttons_when_fillable(catalog: Catalog, options: PdfOptions) -> None:
    template = catalog.get("general-qids-sr16-form")
    data = WorksheetDocument(template, fillable=True, options=options).render()
    doc = pymupdf.open(stream=data, filetype="pdf")
    radios: dict[str, int] = {}
    for page in doc:
        for widget in page.widgets() or []:
            if widget.field_type == pymupdf.PDF_WIDGET_TYPE_RADIOBUTTON:
                radios[widget.field_name] = radios.get(widget.field_name, 0) + 1
    items = [f for f in template.input_fields if f.type is FieldType.RATING]
    assert len(items) == 16
    assert all(radios.get(f"f:{f.key}") == 4 for f in items)
    text = " ".join(page.get_text() for page in doc)
    for f in items:
        for anchor in f.anchors:
            assert " ".join(anchor.label.split()[:3]) in " ".join(text.split())
