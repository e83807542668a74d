"""The treatment timeline page: one A4 landscape page with trials, courses, therapy and scores."""

from __future__ import annotations

from tests.export._pdf_helpers import body_text, contains, reader
from trdplanner import assemble
from trdplanner.context import AppContext
from trdplanner.export import PdfOptions


def _pid(ctx: AppContext, code: str) -> int:
    pid = ctx.patients.id_for_code(code)
    assert pid is not None
    return pid


def test_timeline_is_one_landscape_page_with_every_row(demo_reader: AppContext, options: PdfOptions) -> None:
    doc = assemble.timeline_document(demo_reader, _pid(demo_reader, "DEMO-05"), options)
    data = doc.render()
    pages = reader(data).pages
    assert len(pages) == 1
    box = pages[0].mediabox
    assert float(box.width) > float(box.height)  # landscape
    text = body_text(data)
    for agent in ("Citalopram", "Duloxetine", "Lithium", "Clomipramine", "Phenelzine"):
        assert contains(text, agent)
    # The ECT course is drawn as a course (12 ticks), not again as a trial bar.
    assert contains(text, "Interventional courses") and contains(text, "12 sessions, non response")
    assert not contains(text, "Bilateral ECT")
    assert contains(text, "Therapy: CBT") and contains(text, "PHQ-9 / QIDS-SR16")
    # One "!" per score with a positive suicidality item (besides the legend's).
    positive = [m for m in doc.data.scores if m.needs_alert]
    assert positive and text.count("!") == len(positive) + 1


def test_timeline_marks_only_positive_items_and_shows_the_esketamine_course(
    demo_reader: AppContext, options: PdfOptions
) -> None:
    doc = assemble.timeline_document(demo_reader, _pid(demo_reader, "DEMO-04"), options)
    positive = [m for m in doc.data.scores if m.needs_alert]
    assert 0 < len(positive) < len(doc.data.scores)
    text = body_text(doc.render())
    assert text.count("!") == len(positive) + 1
    assert contains(text, "Esketamine (nasal)") and contains(text, "9 sessions")
    assert contains(text, "Therapy: DBT") and contains(text, "Fluoxetine 40 mg/day")
