"""How fast the app prints a worksheet, against a page built the plain way, in the same run.

The page is the shipped one-page seven-column thought record (``cbt-thought-record-grid``),
blank: title, subtitle, name and date lines, instructions, a seven-column grid whose rows
stretch to fill a landscape page, and the footer with "page x of y". It is printed

1. by the app (``WorksheetDocument``: the shared renderer with its stylesheet, header, footer,
   page x of y, metadata and fixed creation date),
2. by a minimal reportlab build written the plain way: a title and one Table with the same
   seven column labels and as many blank rows of the same height, set in the same two faces
   (DejaVu Sans and DejaVu Sans Bold), with no help text and no footer. Its body cells are
   empty, so nothing is drawn in the regular face and only the bold one is embedded (the
   page also names Helvetica, reportlab's starting font, without embedding it): the app's
   page, which sets text in both faces, subsets two fonts, this page one,
3. by WeasyPrint from equivalent HTML and CSS (skipped, with a message, if not installed:
   ``pip install -e .[bench]``).

Bars: the app within 2x the minimal build (issue 15), at least 20x faster than WeasyPrint.
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

from trdplanner.catalog import Template, load_catalog
from trdplanner.export import PdfOptions, WorksheetDocument
from trdplanner.export.fonts import BOLD, REGULAR, fonts
from trdplanner.paths import resources_dir, templates_dir

# What the app's page prints: the template's four blank rows, stretched to about this height.
ROWS = 4
ROW_HEIGHT = 33 * mm
TITLE = "Thought record (seven columns, one page)"
INSTRUCTIONS = "When your mood drops, fill in one row from left to right."
COLUMNS = [("", "", label, "") for label in (
    "Situation", "Moods", "Automatic thoughts", "Evidence for the hot thought",
    "Evidence against the hot thought", "Balanced thought", "Moods now")]

TEMPLATE_ID = "cbt-thought-record-grid"
CREATED = dt.datetime(2026, 1, 1, tzinfo=dt.UTC)


def thought_record() -> Template:
    return load_catalog(templates_dir()).get(TEMPLATE_ID)


def app_build(template: Template) -> bytes:
    return WorksheetDocument(template, options=PdfOptions(created_at=CREATED)).render()


def minimal_build(template: Template) -> bytes:
    """A title and one Table, written directly against reportlab with the same two faces."""
    table_field = next(f for f in template.fields if f.columns)
    buffer = io.BytesIO()
    page = landscape(A4)
    margin = 16 * mm
    doc = SimpleDocTemplate(
        buffer, pagesize=page, leftMargin=margin, rightMargin=margin, topMargin=17 * mm, invariant=1
    )
    width = page[0] - 2 * margin
    title = ParagraphStyle("t", fontName=BOLD, fontSize=18, leading=22)
    head = ParagraphStyle("h", fontName=BOLD, fontSize=10, leading=12.5)
    rows: list[list[Any]] = [[Paragraph(c.label, head) for c in table_field.columns]]
    rows += [[""] * len(table_field.columns) for _ in range(ROWS)]
    table = Table(
        rows,
        colWidths=[width / len(table_field.columns)] * len(table_field.columns),
        rowHeights=[None] + [ROW_HEIGHT] * ROWS,
        repeatRows=1,
    )
    table.setStyle(
        TableStyle(
            [
                ("FONTNAME", (0, 0), (-1, -1), REGULAR),
                ("GRID", (0, 0), (-1, -1), 0.5, "#8c8c8c"),
                ("BACKGROUND", (0, 0), (-1, 0), "#ededed"),
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
            ]
        )
    )
    doc.build([Paragraph(template.title, title), table])
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
    """Median CPU seconds per build, timed in alternation so load on the machine hits all alike.

    CPU time of this process, not wall-clock time: on a shared machine the other processes'
    load otherwise swings single runs by 2x and more. Everything here runs in one thread.
    """
    outputs = [build() for build in builds]  # warm-up: font subsets, caches, imports
    samples: list[list[float]] = [[] for _ in builds]
    for _ in range(runs):
        for i, build in enumerate(builds):
            start = time.process_time()
            outputs[i] = build()
            samples[i].append(time.process_time() - start)
    return [(statistics.median(times), data) for times, data in zip(samples, outputs, strict=True)]


def pages(data: bytes) -> int:
    return len(PdfReader(io.BytesIO(data)).pages)


def main() -> int:
    fonts()
    template = thought_record()
    (app_time, app_pdf), (minimal_time, minimal_pdf) = timed(
        [lambda: app_build(template), lambda: minimal_build(template)], 30
    )
    print(f"page: the blank one-page '{template.title}' ({ROWS} rows; median of the timed runs)")
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
