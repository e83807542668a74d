"""Page furniture, metadata, paper size, determinism and safe writing, for every document kind."""

from __future__ import annotations

import dataclasses
import datetime as dt
import os
from pathlib import Path

import pytest

from tests.export._pdf_helpers import page_texts, reader
from tests.export._records import bundle
from trdplanner.catalog import Catalog
from trdplanner.core.errors import InputError
from trdplanner.export import Identity, PdfDocument, PdfOptions, PrepDocument, WorksheetDocument, save_pdf
from trdplanner.export.note import NoteContent, NoteDocument
from trdplanner.settings import PageSize, PrintIdentity, Settings

CREATED = dt.datetime(2026, 1, 5, 8, 0, tzinfo=dt.UTC)


def _documents(catalog: Catalog, options: PdfOptions, settings: Settings | None = None) -> list[PdfDocument]:
    settings = settings or Settings()
    person = bundle()
    identity = Identity(name=person.profile.full_name, patient_code=person.profile.code)
    return [
        WorksheetDocument(catalog.get("cbt-thought-record-7"), {"situation": "x " * 3000}, identity, options=options),
        NoteDocument(NoteContent(person, person.session.note), settings, options),
        PrepDocument(person, settings, options),
    ]


def test_same_input_gives_the_same_bytes(catalog: Catalog) -> None:
    options = PdfOptions(created_at=CREATED)
    first = [d.render() for d in _documents(catalog, options)]
    again = [d.render() for d in _documents(catalog, options)]
    assert first == again
    later = [d.render() for d in _documents(catalog, PdfOptions(created_at=CREATED + dt.timedelta(days=1)))]
    assert all(a != b for a, b in zip(first, later, strict=True))
    assert [page_texts(a) for a in first] == [page_texts(b) for b in later]


def test_creation_date_is_the_one_given(catalog: Catalog) -> None:
    data = _documents(catalog, PdfOptions(created_at=CREATED))[0].render()
    meta = reader(data).metadata
    assert meta is not None
    assert str(meta.get("/CreationDate", "")).startswith("D:20260105080000")


def test_footer_on_every_page(catalog: Catalog) -> None:
    for doc in _documents(catalog, PdfOptions(created_at=CREATED)):
        pages = page_texts(doc.render())
        code = doc.info().patient_code
        for number, text in enumerate(pages, start=1):
            flat = " ".join(text.split())
            assert "CONFIDENTIAL" in flat
            assert code in flat
            assert f"Page {number} of {len(pages)}" in flat


def test_metadata_has_title_and_author_but_no_name_by_default(catalog: Catalog) -> None:
    person = bundle()
    for doc in _documents(catalog, PdfOptions(created_at=CREATED)):
        meta = reader(doc.render()).metadata
        assert meta is not None and meta.title and meta.author
        values = " ".join(str(v) for v in meta.values())
        assert person.profile.full_name not in values
        assert person.profile.code in str(meta.title)


def test_name_in_metadata_when_the_user_chose_it(catalog: Catalog) -> None:
    person = bundle()
    options = PdfOptions(created_at=CREATED, name_in_metadata=True)
    for doc in _documents(catalog, options, Settings(print_identity=PrintIdentity.NAME)):
        meta = reader(doc.render()).metadata
        assert meta is not None and person.profile.full_name in str(meta.title)


@pytest.mark.parametrize(("size", "points"), [(PageSize.A4, (595, 842)), (PageSize.LETTER, (612, 792))])
def test_paper_size_follows_the_setting(catalog: Catalog, size: PageSize, points: tuple[int, int]) -> None:
    for doc in _documents(catalog, PdfOptions(page_size=size, created_at=CREATED)):
        for page in reader(doc.render()).pages:
            assert (round(float(page.mediabox.width)), round(float(page.mediabox.height))) == points


def test_privacy_setting_decides_the_printed_name() -> None:
    person = bundle()
    content = NoteContent(person, person.session.note)
    by_code = " ".join(page_texts(NoteDocument(content, Settings()).render()))
    by_name = " ".join(page_texts(NoteDocument(content, Settings(print_identity=PrintIdentity.NAME)).render()))
    initials = " ".join(page_texts(NoteDocument(content, Settings(print_identity=PrintIdentity.INITIALS)).render()))
    assert person.profile.full_name not in by_code
    assert person.profile.full_name in by_name
    assert "R.E." in initials and person.profile.full_name not in initials


def test_writing_replaces_the_file_whole(tmp_path: Path) -> None:
    tmp_path = tmp_path / "out"
    tmp_path.mkdir()
    target = tmp_path / "note.pdf"
    save_pdf(target, b"%PDF-old")
    save_pdf(target, b"%PDF-new")
    assert target.read_bytes() == b"%PDF-new"
    assert [p.name for p in tmp_path.iterdir()] == ["note.pdf"]


def test_a_failed_write_leaves_the_previous_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    tmp_path = tmp_path / "out"
    tmp_path.mkdir()
    target = tmp_path / "report.pdf"
    target.write_bytes(b"%PDF-previous")

    def disk_full(src: str, dst: str) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "replace", disk_full)
    with pytest.raises(InputError, match="No space left on device"):
        save_pdf(target, b"%PDF-new")
    assert target.read_bytes() == b"%PDF-previous"
    assert [p.name for p in tmp_path.iterdir()] == ["report.pdf"]


@pytest.mark.skipif(os.name != "posix" or os.geteuid() == 0, reason="needs a user that permissions apply to")
def test_an_unwritable_folder_is_a_clear_error(tmp_path: Path) -> None:
    folder = tmp_path / "locked"
    folder.mkdir()
    target = folder / "sheet.pdf"
    target.write_bytes(b"%PDF-previous")
    folder.chmod(0o500)
    try:
        with pytest.raises(InputError, match="cannot write"):
            save_pdf(target, b"%PDF-new")
        assert target.read_bytes() == b"%PDF-previous"
    finally:
        folder.chmod(0o700)


def test_a_missing_folder_or_a_folder_as_target_is_refused(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="does not exist"):
        save_pdf(tmp_path / "nowhere" / "x.pdf", b"%PDF")
    with pytest.raises(InputError, match="is a folder"):
        save_pdf(tmp_path, b"%PDF")


def test_fonts_are_embedded(catalog: Catalog) -> None:
    data = WorksheetDocument(catalog.get("cbt-thought-record-3"), options=PdfOptions(created_at=CREATED)).render()
    fonts = set()
    for page in reader(data).pages:
        for font in page["/Resources"]["/Font"].values():
            font = font.get_object()
            descriptor = font.get("/FontDescriptor")
            embedded = descriptor is not None and "/FontFile2" in descriptor.get_object()
            fonts.add((str(font["/BaseFont"]), embedded))
    assert fonts and all(embedded for _, embedded in fonts), fonts
    assert any("DejaVuSans" in name for name, _ in fonts)


def test_signed_note_without_a_fingerprint_match_is_not_called_signed_cleanly() -> None:
    person = bundle()
    note = person.session.note
    assert note is not None
    broken = dataclasses.replace(note, fingerprint="0" * 64)
    text = " ".join(page_texts(NoteDocument(NoteContent(person, broken), Settings()).render()))
    assert "SIGNATURE CHECK FAILED" in " ".join(text.split())
