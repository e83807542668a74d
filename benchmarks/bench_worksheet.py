"""How fast the app prints a worksheet, against two baselines, on the same one-page page.

The page is a seven-column thought record (the classic landscape grid: situation, moods,
automatic thoughts, evidence for, evidence against, balanced thought, moods re-rated) with a
title, instructions, a header row and blank rows to write in, and a footer. It is printed

1. by the app (``WorksheetDocument``: the shared renderer with its stylesheet, header, footer,
   page x of y, metadata and fixed creation date),
2. by a minimal hand-written reportlab build of the same page (same fonts, same content),
3. by WeasyPrint from equivalent HTML and CSS (skipped, with a message, if not installed:
   ``pip install -e .[bench]``).

Bars (issue 4): the app within 2x the minimal build, and at least 20x faster than WeasyPrint.
Run from the repo: ``python benchmarks/bench_worksheet.py``. Exit status 1 if a bar is missed.
"""

from __future__ import annotations

import datetime as dt
import io
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from pypdf import PdfReader
from reportlab.lib.pagesizes import A4, landscape
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.platypus import Paragraph, SimpleDocTemplate, Table, TableStyle

from trdplanner.catalog import Template, parse_template
from trdplanner.export import PdfOptions, WorksheetDocument
from trdplanner.export.fonts import BOLD, CONDENSED, CONDENSED_BOLD, REGULAR, fonts
from trdplanner.paths import resources_dir

TITLE = "Thought record (seven columns)"
INSTRUCTIONS = (
    "When your mood drops, fill in one row from left to right. Write facts in the evidence columns, "
    "then a thought that is fair to all of the evidence, and rate your moods again."
)
COLUMNS = [
    ("situation", "long_text", "Situation", "Who, what, when, where?"),
    ("moods", "short_text", "Moods (0-100)", "Name each mood and rate it"),
    ("thoughts", "long_text", "Automatic thoughts", "What went through your mind?"),
    ("for", "long_text", "Evidence for", "Facts that support the hot thought"),
    ("against", "long_text", "Evidence against", "Facts that do not support it"),
    ("balanced", "long_text", "Balanced thought", "A fairer way to see it"),
    ("rerate", "short_text", "Moods now (0-100)", "Rate the moods again"),
]
ROWS = 5
CREATED = dt.datetime(2026, 1, 1, tzinfo=dt.UTC)


def thought_record() -> Template:
    return parse_template(
        {
            "id": "cbt-bench-thought-record",
            "version": 1,
            "modality": "cbt",
            "kind": "homework",
            "title": TITLE,
            "purpose": "Benchmark page.",
            "instructions": INSTRUCTIONS,
            "minutes": 15,
            "fields": [
                {
                    "id": "rows",
                    "type": "table",
                    "label": "Record",
                    "print": {"rows": ROWS},
                    "columns": [{"id": i, "type": t, "label": label, "help": h} for i, t, label, h in COLUMNS],
                }
            ],
        }
    )


def app_build(template: Template) -> bytes:
    return WorksheetDocument(template, options=PdfOptions(created_at=CREATED)).render()


def minimal_build() -> bytes:
    """The same page written directly against reportlab, with nothing shared with the app."""
    buffer = io.BytesIO()
    page = landscape(A4)
    margin = 16 * mm
    doc = SimpleDocTemplate(
        buffer, pagesize=page, leftMargin=margin, rightMargin=margin, topMargin=17 * mm, invariant=1
    )
    width = page[0] - 2 * margin
    title = ParagraphStyle("t", fontName=BOLD, fontSize=17, leading=21)
    small = ParagraphStyle("s", fontName=REGULAR, fontSize=8.5, leading=11.5, textColor="#555555")
    body = ParagraphStyle("b", fontName=REGULAR, fontSize=9.5, leading=13)
    label = ParagraphStyle("l", fontName=BOLD, fontSize=9.5, leading=12.5)
    head = ParagraphStyle("h", fontName=CONDENSED_BOLD, fontSize=8.5, leading=10.5)
    note = ParagraphStyle("n", fontName=CONDENSED, fontSize=7, leading=8.5, textColor="#555555")
    name_date = Table(
        [[Paragraph("Name", label), "", Paragraph("Date", label), ""]],
        colWidths=[16 * mm, width / 2 - 22 * mm, 16 * mm, width / 2 - 22 * mm],
    )
    name_date.setStyle(
        TableStyle([("LINEBELOW", (1, 0), (1, 0), 0.6, "#9e9e9e"), ("LINEBELOW", (3, 0), (3, 0), 0.6, "#9e9e9e")])
    )
    instructions = Table([[Paragraph(INSTRUCTIONS, body)]], colWidths=[width])
    instructions.setStyle(TableStyle([("LINEBEFORE", (0, 0), (0, 0), 2.2, "#8c8c8c")]))
    rows = [[[Paragraph(label_, head), Paragraph(h, note)] for _, _, label_, h in COLUMNS]]
    rows += [[""] * len(COLUMNS) for _ in range(ROWS)]
    weights = [3 if t == "long_text" else 2 for _, t, _, _ in COLUMNS]
    table = Table(
        rows,
        colWidths=[width * w / sum(weights) for w in weights],
        rowHeights=[None] + [17 * mm] * ROWS,
        repeatRows=1,
    )
    table.setStyle(
        TableStyle(
            [
                ("GRID", (0, 0), (-1, -1), 0.5, "#8c8c8c"),
                ("BACKGROUND", (0, 0), (-1, 0), "#ededed"),
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
            ]
        )
    )

    def footer(canvas: Any, _doc: Any) -> None:
        canvas.setStrokeColor("#8c8c8c")
        canvas.line(margin, 12.6 * mm, page[0] - margin, 12.6 * mm)
        canvas.setFont(REGULAR, 7.5)
        canvas.drawString(margin, 9 * mm, "CONFIDENTIAL  ·  Worksheet")
        canvas.drawRightString(page[0] - margin, 9 * mm, f"Page {canvas.getPageNumber()} of 1")

    story = [
        Paragraph(TITLE, title),
        Paragraph("CBT · Homework worksheet · about 15 minutes", small),
        name_date,
        instructions,
        Paragraph("Record", label),
        table,
    ]
    doc.build(story, onFirstPage=footer, onLaterPages=footer)
    return buffer.getvalue()


def weasy_html() -> str:
    folder = resources_dir() / "fonts"
    head = "".join(f"<th>{label}<br><small>{h}</small></th>" for _, _, label, h in COLUMNS)
    blank = "<tr>" + "<td></td>" * len(COLUMNS) + "</tr>"
    return f"""<!doctype html><html><head><meta charset="utf-8"><style>
@font-face {{ font-family: TRD; src: url('{(folder / "DejaVuSans.ttf").as_uri()}'); }}
@font-face {{ font-family: TRD; font-weight: bold; src: url('{(folder / "DejaVuSans-Bold.ttf").as_uri()}'); }}
@font-face {{ font-family: TRDC; src: url('{(folder / "DejaVuSansCondensed.ttf").as_uri()}'); }}
@page {{ size: A4 landscape; margin: 17mm 16mm 18mm 16mm;
        @bottom-left {{ content: "CONFIDENTIAL · Worksheet"; font: 7.5pt TRD; }}
        @bottom-right {{ content: "Page " counter(page) " of " counter(pages); font: 7.5pt TRD; }} }}
body {{ font: 9.5pt/13pt TRD; }} h1 {{ font-size: 17pt; margin: 0 0 2mm; }}
table {{ width: 100%; border-collapse: collapse; font: 8.5pt TRDC; }}
th, td {{ border: 0.5pt solid #8c8c8c; vertical-align: top; text-align: left; padding: 1.5mm; }}
td {{ height: 14mm; }} th {{ background: #eee; }} small {{ font-size: 7pt; color: #555; font-weight: normal; }}
.sub {{ font-size: 8.5pt; color: #555; }}
.line {{ display: inline-block; width: 40%; border-bottom: 0.6pt solid #9e9e9e; }}
.instructions {{ border-left: 2.2pt solid #8c8c8c; padding-left: 3.5mm; }} b {{ font-weight: bold; }}
</style></head><body><h1>{TITLE}</h1><div class="sub">CBT · Homework worksheet · about 15 minutes</div>
<p><b>Name</b> <span class="line">&nbsp;</span> <b>Date</b> <span class="line">&nbsp;</span></p>
<p class="instructions">{INSTRUCTIONS}</p><p><b>Record</b></p>
<table><tr>{head}</tr>{blank * ROWS}</table></body></html>"""


def timed(builds: list[Callable[[], bytes]], runs: int) -> list[tuple[float, bytes]]:
    """Median seconds per build, timed in alternation so load on the machine hits all alike."""
    outputs = [build() for build in builds]  # warm-up: font subsets, caches, imports
    samples: list[list[float]] = [[] for _ in builds]
    for _ in range(runs):
        for i, build in enumerate(builds):
            start = time.perf_counter()
            outputs[i] = build()
            samples[i].append(time.perf_counter() - start)
    return [(statistics.median(times), data) for times, data in zip(samples, outputs, strict=True)]


def pages(data: bytes) -> int:
    return len(PdfReader(io.BytesIO(data)).pages)


def main() -> int:
    fonts()
    template = thought_record()
    (app_time, app_pdf), (minimal_time, minimal_pdf) = timed([lambda: app_build(template), minimal_build], 60)
    print(f"page: one landscape {TITLE.lower()} with {ROWS} blank rows (median of the timed runs)")
    print(f"  app export (WorksheetDocument) : {app_time * 1000:7.1f} ms   {pages(app_pdf)} page(s)")
    print(f"  minimal reportlab build        : {minimal_time * 1000:7.1f} ms   {pages(minimal_pdf)} page(s)")
    ratio = app_time / minimal_time
    ok = ratio <= 2.0
    print(f"  app / minimal                  : {ratio:7.2f}x   (bar: at most 2x) {'OK' if ok else 'MISSED'}")
    try:
        from weasyprint import HTML
    except (ImportError, OSError) as exc:
        print(f"  WeasyPrint comparison skipped: weasyprint cannot be imported ({exc.__class__.__name__}: {exc}).")
        print("  Install it with: pip install -e .[bench]")
        return 0 if ok else 1
    html = weasy_html()
    [(weasy_time, weasy_pdf)] = timed([lambda: HTML(string=html).write_pdf()], 10)
    speedup = weasy_time / app_time
    print(f"  WeasyPrint from HTML           : {weasy_time * 1000:7.1f} ms   {pages(weasy_pdf)} page(s)")
    fast = speedup >= 20
    print(f"  WeasyPrint / app               : {speedup:7.1f}x   (bar: at least 20x) {'OK' if fast else 'MISSED'}")
    return 0 if ok and fast else 1


if __name__ == "__main__":
    sys.exit(main())
