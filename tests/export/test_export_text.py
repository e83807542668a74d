"""User text of any kind prints as typed: markup stays literal, scripts print, nothing crashes."""

from __future__ import annotations

import dataclasses
import random

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.export._pdf_helpers import (
    body_text,
    bold_text,
    contains,
    has_all_characters,
    page_texts,
    printed,
    right_to_left,
    squash,
)
from tests.export._records import bundle
from trdplanner.catalog import Catalog, load_catalog
from trdplanner.export import Identity, PdfOptions, WorksheetDocument
from trdplanner.export.fonts import PLACEHOLDER
from trdplanner.export.note import NoteContent, NoteDocument
from trdplanner.paths import templates_dir
from trdplanner.settings import PrintIdentity, Settings

OPTIONS = PdfOptions()
CATALOG = load_catalog(templates_dir())
MARKUP = ["<b>", "</b>", "&", "&amp;", "<font color='red'>", "</font>", "<br/>", "<para>", "]]>", "<", ">", '"']
RTL = ["דוד כהן", "שלום", "محمد علي", "مرحبا بك", "(1, 2)"]
MARKS = ["e\u0301", "n\u0303", "a\u0308\u0304", "\u05e9\u05bc"]
SCRIPTS = ["Zoë", "Ελένη", "Мария", "Łódź", "Ærø", "İstanbul", "naïve café"]

# Text a keyboard can produce: anything but control characters and lone surrogates.
_chars = st.characters(blacklist_categories=("Cc", "Cs"))
_pieces = st.one_of(st.text(_chars, max_size=40), st.sampled_from(MARKUP + MARKS + SCRIPTS))
ANY_TEXT = st.lists(st.one_of(_pieces, st.sampled_from(RTL)), min_size=1, max_size=12).map(" ".join)
LTR_TEXT = st.lists(
    st.one_of(st.text(st.characters(blacklist_categories=("Cc", "Cs"), max_codepoint=0x58F), max_size=40), _pieces),
    min_size=1,
    max_size=12,
).map(" ".join)

HYPOTHESIS = settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def _ltr(text: str) -> bool:
    return not right_to_left(text)


def _worksheet(text: str, *, other_cells: bool = True) -> bytes:
    template = CATALOG.get("cbt-thought-record-3")
    row = {"situation": text}
    if other_cells:
        row.update({"thought": "fixed thought", "emotion": text[:200].replace("\n", " ")})
    return WorksheetDocument(template, {"rows": [row]}, options=OPTIONS).render()


@HYPOTHESIS
@given(LTR_TEXT.filter(lambda t: t.strip() and _ltr(t)))
def test_left_to_right_text_comes_out_in_order(text: str) -> None:
    template = CATALOG.get("cbt-thought-record-7")
    data = WorksheetDocument(template, {"situation": text}, options=OPTIONS).render()
    assert contains(body_text(data), text)


@HYPOTHESIS
@given(ANY_TEXT.filter(lambda t: bool(t.strip())))
def test_any_text_prints_every_character(text: str) -> None:
    assert has_all_characters(body_text(_worksheet(text)), text)


@HYPOTHESIS
@given(ANY_TEXT.filter(lambda t: bool(t.strip())).map(lambda t: t.replace("\n", " ")[:150]))
def test_any_name_prints_on_a_note(name: str) -> None:
    person = bundle(full_name=name)
    data = NoteDocument(NoteContent(person, person.session.note), Settings(print_identity=PrintIdentity.NAME)).render()
    assert has_all_characters("".join(page_texts(data)), name)


@HYPOTHESIS
@given(ANY_TEXT.filter(lambda t: bool(t.strip())))
def test_any_note_text_prints(text: str) -> None:
    person = bundle(note_text=text)
    data = NoteDocument(NoteContent(person, person.session.note), Settings(), OPTIONS).render()
    assert has_all_characters(body_text(data), text)


def test_markup_in_user_text_prints_literally(catalog: Catalog) -> None:
    tricky = "<b>Not bold</b> & <font size=40>big</font> &amp; <br/> A&B"
    data = WorksheetDocument(
        catalog.get("cbt-thought-record-7"), {"situation": tricky}, Identity(name=tricky), options=OPTIONS
    ).render()
    text = body_text(data)
    assert contains(text, tricky)
    assert "Notbold" not in bold_text(data)


def test_characters_no_font_covers_print_as_a_placeholder(catalog: Catalog) -> None:
    data = WorksheetDocument(
        catalog.get("cbt-thought-record-7"), {"situation": "Name: 王小明 😀 end"}, options=OPTIONS
    ).render()
    text = body_text(data)
    assert contains(text, f"Name: {PLACEHOLDER * 3} {PLACEHOLDER} end")


def test_right_to_left_names_read_back_in_order(catalog: Catalog) -> None:
    for name in ("דוד כהן", "محمد علي"):
        data = WorksheetDocument(
            catalog.get("cbt-thought-record-3"), None, Identity(name=name), options=OPTIONS
        ).render()
        assert contains(body_text(data), name) or has_all_characters(body_text(data), name)


def _mixed_text(size: int, seed: int = 4) -> str:
    rng = random.Random(seed)
    words = [*SCRIPTS, "word", "another", "sentence.", "Ωμέγα", "<b>&", "e\u0301"]
    out: list[str] = []
    length = 0
    while length < size:
        word = rng.choice(words) + ("\n" if rng.random() < 0.02 else " ")
        out.append(word)
        length += len(word)
    return "".join(out)[:size]


def test_a_hundred_thousand_characters_flow_across_pages(catalog: Catalog) -> None:
    text = _mixed_text(100_000)
    template = catalog.get("cbt-thought-record-7")
    data = WorksheetDocument(template, {"situation": text}, options=OPTIONS).render()
    assert len(page_texts(data)) > 20
    assert contains(body_text(data), text)


def test_a_table_cell_taller_than_a_page_splits(catalog: Catalog) -> None:
    text = _mixed_text(40_000, seed=9)
    data = _worksheet(text, other_cells=False)
    assert len(page_texts(data)) > 8
    # The header row repeats on every page; take it out before reading the cell back.
    body = squash(body_text(data))
    for column in catalog.get("cbt-thought-record-3").fields[0].columns:
        for part in (column.label, column.help or "", "0–100"):
            body = body.replace(squash(part), "")
    assert printed(text) in body


def test_a_word_longer_than_a_line_wraps(catalog: Catalog) -> None:
    word = "x" * 5000
    data = WorksheetDocument(catalog.get("cbt-thought-record-7"), {"situation": word}, options=OPTIONS).render()
    assert contains(body_text(data), word)


def test_note_with_a_hundred_thousand_characters() -> None:
    person = bundle(note_text=_mixed_text(100_000, seed=2))
    note = person.session.note
    assert note is not None
    data = NoteDocument(NoteContent(person, dataclasses.replace(note)), Settings(), OPTIONS).render()
    assert contains(body_text(data), note.sections[-1].text)
