"""Every shipped template prints, blank and filled, and the PDF holds all of its wording."""

from __future__ import annotations

from typing import Any

import pytest

from tests.export._pdf_helpers import body_text, contains, reader, sample_values, template_texts
from trdplanner.catalog import Catalog, FieldType, PrintLayout, Template, display_value, load_catalog
from trdplanner.context import AppContext
from trdplanner.core.services.templating import SessionBundle, prefilled_values
from trdplanner.export import Identity, PdfOptions, WorksheetDocument, bundle_identity
from trdplanner.paths import templates_dir
from trdplanner.settings import Settings

TEMPLATE_IDS = [t.id for t in load_catalog(templates_dir())]


@pytest.fixture(scope="module")
def demo_bundle(demo_reader: AppContext) -> SessionBundle:
    """DEMO-06's latest session: the prefill source for every template."""
    session_id = demo_reader.sessions.list(demo_reader.patients.id_for_code("DEMO-06") or 0)[-1].id
    assert session_id is not None
    return demo_reader.bundles.for_session(session_id)


def _expected_values(template: Template, values: dict[str, Any]) -> list[str]:
    """The display text of every filled value (what the reader should find on paper)."""
    out: list[str] = []
    for fld in template.input_fields:
        value = values.get(fld.key)
        if fld.type is FieldType.TABLE and fld.fixed_rows and template.print_layout is PrintLayout.DIARY_WEEK:
            # A week card's grid states each scale once (the key) and shows the bare number; its
            # checklists are ticked boxes (test_the_diary_card_is_one_landscape_week_and_a_back).
            for row in value or []:
                for c in fld.columns:
                    v = row.get(c.id)
                    if v in (None, [], "") or c.type is FieldType.CHECKLIST:
                        continue
                    out.append(f"{v:g}" if c.type in (FieldType.RATING, FieldType.NUMBER) else display_value(c, v))
        elif fld.type is FieldType.TABLE:
            for row in value or []:
                out += [display_value(c, row.get(c.id)) for c in fld.columns if row.get(c.id) not in (None, [], "")]
        elif fld.type is FieldType.RATING or fld.type in (FieldType.CHOICE, FieldType.CHECKLIST):
            continue  # shown as a marked box, checked separately below
        elif fld.type is FieldType.YES_NO:
            continue
        elif value not in (None, "", []):
            out.append(display_value(fld, value))
    return out


def _missing(text: str, wanted: list[str]) -> list[str]:
    return [w for w in wanted if w and not contains(text, w)]


@pytest.mark.parametrize("template_id", TEMPLATE_IDS)
def test_blank_worksheet_holds_every_label(catalog: Catalog, template_id: str, options: PdfOptions) -> None:
    template = catalog.get(template_id)
    data = WorksheetDocument(template, options=options).render()
    assert len(reader(data).pages) >= 1
    assert _missing(body_text(data), template_texts(template)) == []


@pytest.mark.parametrize("template_id", TEMPLATE_IDS)
def test_filled_worksheet_holds_every_value(catalog: Catalog, template_id: str, options: PdfOptions) -> None:
    template = catalog.get(template_id)
    values = sample_values(template)
    identity = Identity(name="Ana Sousa", patient_code="P-0042", date="2026-02-14", clinician="Dr. Test, PhD")
    data = WorksheetDocument(template, values, identity, options=options).render()
    text = body_text(data)
    assert _missing(text, template_texts(template, column_options=False)) == []
    assert _missing(text, _expected_values(template, values)) == []
    assert contains(text, "Ana Sousa") or any(
        f.prefill is not None and f.prefill.key == "print_name" for f in template.input_fields
    )


@pytest.mark.parametrize("template_id", TEMPLATE_IDS)
def test_prefilled_for_a_demo_session(
    catalog: Catalog, demo_bundle: SessionBundle, template_id: str, options: PdfOptions
) -> None:
    template = catalog.get(template_id)
    bundle = demo_bundle
    session_id = bundle.session.id
    values = prefilled_values(template, bundle, Settings())
    identity = bundle_identity(bundle, Settings())
    data = WorksheetDocument(template, values, identity, session_id=session_id, options=options).render()
    text = body_text(data)
    assert _missing(text, template_texts(template)) == []
    assert _missing(text, _expected_values(template, values)) == []
    # The privacy setting prints the code by default; the clinician and date are on the sheet.
    assert contains(text, "DEMO-06")
    assert contains(text, bundle.session.date.isoformat())


def test_wide_tables_print_in_landscape(catalog: Catalog, options: PdfOptions) -> None:
    page = reader(WorksheetDocument(catalog.get("cbt-thought-record-5"), options=options).render()).pages[0]
    assert float(page.mediabox.width) > float(page.mediabox.height)
    page = reader(WorksheetDocument(catalog.get("cbt-thought-record-3"), options=options).render()).pages[0]
    assert float(page.mediabox.width) < float(page.mediabox.height)


def test_questionnaire_prints_as_a_grid_with_the_chosen_answers(catalog: Catalog, options: PdfOptions) -> None:
    template = catalog.get("general-phq9-form")
    data = WorksheetDocument(template, sample_values(template), options=options).render()
    text = body_text(data)
    for anchor in template.input_fields[0].anchors:
        assert contains(text, anchor.label)
    assert len(reader(data).pages) == 1
