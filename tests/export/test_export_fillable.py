"""Fillable worksheets: what a client types into the form fields reads back unchanged."""

from __future__ import annotations

import pytest

from tests.export._pdf_helpers import body_text, contains, fill, sample_values
from trdplanner.catalog import Catalog, load_catalog, validate_instance
from trdplanner.export import Identity, PdfOptions, ReadbackError, WorksheetDocument, read_form, values_for
from trdplanner.paths import templates_dir

TEMPLATE_IDS = [t.id for t in load_catalog(templates_dir()) if t.input_fields]


@pytest.mark.parametrize("template_id", TEMPLATE_IDS)
def test_fields_read_back_equal_what_was_written(catalog: Catalog, template_id: str, options: PdfOptions) -> None:
    template = catalog.get(template_id)
    written = sample_values(template)
    data = WorksheetDocument(template, fillable=True, options=options).render()
    filled = fill(data, template, written)
    form = read_form(filled)
    assert (form.manifest.template_id, form.manifest.template_version) == (template.id, template.version)
    back = validate_instance(template, values_for(template, form), partial=True)
    assert back == validate_instance(template, written, partial=True)


def test_untouched_fillable_sheet_reads_back_blank(catalog: Catalog, options: PdfOptions) -> None:
    template = catalog.get("cbt-thought-record-7")
    form = read_form(WorksheetDocument(template, fillable=True, options=options).render())
    values = validate_instance(template, values_for(template, form), partial=True)
    assert values == validate_instance(template, {}, partial=True)


def test_prefilled_values_start_in_the_fields(catalog: Catalog, options: PdfOptions) -> None:
    template = catalog.get("cbt-thought-record-7")
    prefilled = {"last_balanced_thought": "I did my best with what I knew.", "date": "2026-02-14"}
    form = read_form(WorksheetDocument(template, prefilled, fillable=True, session_id=7, options=options).render())
    assert form.manifest.session_id == 7
    back = values_for(template, form)
    assert back["last_balanced_thought"] == prefilled["last_balanced_thought"]
    assert back["date"] == "2026-02-14"


def test_text_the_form_font_cannot_show_is_printed_and_kept(catalog: Catalog, options: PdfOptions) -> None:
    template = catalog.get("general-safety-plan")
    name = "Ελένη Παπαδοπούλου"
    data = WorksheetDocument(
        template, {"name": name}, Identity(name=name, patient_code="P-7"), fillable=True, options=options
    ).render()
    assert contains(body_text(data), name)
    form = read_form(data)
    assert form.manifest.kept == {"name": name}
    assert values_for(template, form)["name"] == name


def test_a_pdf_that_is_not_a_fillable_worksheet_is_refused(catalog: Catalog, options: PdfOptions) -> None:
    blank = WorksheetDocument(catalog.get("cbt-thought-record-3"), options=options).render()
    with pytest.raises(ReadbackError, match="not a fillable worksheet"):
        read_form(blank)
    with pytest.raises(ReadbackError, match="not a PDF"):
        read_form(b"hello")
    with pytest.raises(ReadbackError, match="cannot be read"):
        read_form(b"%PDF-1.4\n garbage")
