"""Golden tests: the extracted text of a few documents, page by page, against stored copies.

The inputs are fixed (hand-built records, a fixed creation date), so any difference is a
change in what we print. After an intended change, regenerate with
``UPDATE_GOLDEN=1 python -m pytest tests/export/test_export_golden.py`` and review the diff.
"""

from __future__ import annotations

import datetime as dt
import os
from pathlib import Path

import pytest

from tests.export._pdf_helpers import page_texts
from tests.export._records import bundle
from trdplanner.catalog import Catalog
from trdplanner.export import PdfDocument, PdfOptions, PrepDocument, WorksheetDocument
from trdplanner.export.note import NoteContent, NoteDocument
from trdplanner.settings import Settings

GOLDEN = Path(__file__).parent / "golden"
OPTIONS = PdfOptions(created_at=dt.datetime(2025, 12, 2, 12, 0, tzinfo=dt.UTC))


def _documents(catalog: Catalog) -> dict[str, PdfDocument]:
    person = bundle()
    return {
        "worksheet-cbt-thought-record-3-blank": WorksheetDocument(catalog.get("cbt-thought-record-3"), options=OPTIONS),
        "note-signed": NoteDocument(NoteContent(person, person.session.note), Settings(), OPTIONS),
        "pre-session-sheet": PrepDocument(person, Settings(), OPTIONS),
    }


def _text(data: bytes) -> str:
    pages = ["\n".join(line.rstrip() for line in page.splitlines()) for page in page_texts(data)]
    return "\n\f\n".join(pages) + "\n"


@pytest.mark.parametrize("name", ["worksheet-cbt-thought-record-3-blank", "note-signed", "pre-session-sheet"])
def test_extracted_text_matches_the_golden_copy(catalog: Catalog, name: str) -> None:
    text = _text(_documents(catalog)[name].render())
    path = GOLDEN / f"{name}.txt"
    if os.environ.get("UPDATE_GOLDEN"):
        path.parent.mkdir(exist_ok=True)
        path.write_text(text, encoding="utf-8")
    assert path.exists(), f"no golden copy yet; run with UPDATE_GOLDEN=1 to create {path}"
    assert text == path.read_text(encoding="utf-8")
