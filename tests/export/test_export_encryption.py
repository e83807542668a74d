"""Password-protected PDFs open in other people's readers with the password, and in none without.

The readers are poppler (``pdftotext``, what most Linux viewers and many converters use),
MuPDF (``pymupdf``) and pypdf; reportlab's own AES-256 wrote a revision 5 dictionary that
all three refused, so each is asked separately.
"""

from __future__ import annotations

import io
import shutil
import subprocess
from pathlib import Path

import pytest
from pypdf import PdfReader

from tests.export._pdf_helpers import fill
from trdplanner.catalog import Catalog
from trdplanner.export import PdfOptions, ReadbackError, WorksheetDocument, read_form, values_for
from trdplanner.export.base import PDF_PASSWORD_MAX_BYTES, protect

PASSWORD = "Blue heron, 7 o'clock, ünï"  # 29 bytes: poppler reads at most 32
TITLE = "Three-column thought record"


@pytest.fixture(scope="module")
def protected(catalog: Catalog) -> bytes:
    template = catalog.get("cbt-thought-record-3")
    return WorksheetDocument(template, fillable=True, options=PdfOptions(password=PASSWORD)).render()


def _poppler(path: Path, password: str | None) -> subprocess.CompletedProcess[str]:
    exe = shutil.which("pdftotext")
    if exe is None:
        pytest.fail("poppler's pdftotext is needed for this test (apt-get install poppler-utils)")
    args = [exe, *(["-upw", password] if password is not None else []), str(path), "-"]
    return subprocess.run(args, capture_output=True, text=True, timeout=60, check=False)


def test_the_handler_is_aes_256_revision_6(protected: bytes) -> None:
    handler = PdfReader(io.BytesIO(protected)).trailer["/Encrypt"].get_object()
    assert (handler["/V"], handler["/R"]) == (5, 6)
    assert str(handler["/CF"]["/StdCF"]["/CFM"]) == "/AESV3"
    # Revision 6 keeps /OE and /UE at 32 bytes and /Perms at 16 (revision 5 leftovers were 48/32).
    assert len(handler["/OE"].original_bytes) == 32 and len(handler["/Perms"].original_bytes) == 16
    assert TITLE.encode() not in protected


def test_poppler_opens_it_with_the_password_only(protected: bytes, tmp_path: Path) -> None:
    path = tmp_path / "protected.pdf"
    path.write_bytes(protected)
    opened = _poppler(path, PASSWORD)
    assert opened.returncode == 0, opened.stderr
    assert TITLE in opened.stdout
    for wrong in (None, "wrong password"):
        refused = _poppler(path, wrong)
        assert refused.returncode != 0 and TITLE not in refused.stdout


def test_mupdf_opens_it_with_the_password_only(protected: bytes) -> None:
    fitz = pytest.importorskip("pymupdf")
    doc = fitz.open(stream=protected, filetype="pdf")
    assert doc.needs_pass
    assert not doc.authenticate("wrong password")
    assert doc.authenticate(PASSWORD)
    assert TITLE in doc[0].get_text()


def test_pypdf_opens_it_with_the_password_only(protected: bytes) -> None:
    reader = PdfReader(io.BytesIO(protected))
    assert reader.is_encrypted
    assert not reader.decrypt("wrong password")
    reader = PdfReader(io.BytesIO(protected), password=PASSWORD)
    assert TITLE in (reader.pages[0].extract_text() or "")


def test_the_form_can_still_be_filled_but_not_changed(protected: bytes) -> None:
    reader = PdfReader(io.BytesIO(protected), password=PASSWORD)
    perms = reader.user_access_permissions
    assert perms is not None
    from pypdf.constants import UserAccessPermissions as P

    assert perms & P.FILL_FORM_FIELDS and perms & P.PRINT and perms & P.EXTRACT_TEXT_AND_GRAPHICS
    assert not perms & P.MODIFY and not perms & P.ASSEMBLE_DOC


def test_a_protected_filled_form_reads_back_with_its_password(catalog: Catalog) -> None:
    template = catalog.get("cbt-thought-record-3")
    plain = WorksheetDocument(template, fillable=True, options=PdfOptions()).render()
    answers = {"thought_rows": [{"situation": "Bus was late", "thoughts": "Nothing works out", "feelings": "Sad"}]}
    key = next(f.key for f in template.input_fields if f.type.value == "table")
    answers = {key: answers["thought_rows"]}
    filled = protect(fill(plain, template, answers), PASSWORD)
    with pytest.raises(ReadbackError, match="password-protected"):
        read_form(filled)
    with pytest.raises(ReadbackError, match="does not open with that password"):
        read_form(filled, "wrong password")
    form = read_form(filled, PASSWORD)
    assert form.manifest.template_id == template.id
    assert values_for(template, form)[key][0]["situation"] == "Bus was late"


def test_a_password_some_viewers_would_cut_short_is_refused(catalog: Catalog) -> None:
    template = catalog.get("cbt-thought-record-3")
    longest = "é" * (PDF_PASSWORD_MAX_BYTES // 2)
    WorksheetDocument(template, options=PdfOptions(password=longest)).render()
    with pytest.raises(ValueError, match="shorter one"):
        WorksheetDocument(template, options=PdfOptions(password=longest + "a")).render()
