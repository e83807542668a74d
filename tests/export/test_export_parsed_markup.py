"""Para parses each (markup, style) once per process: the cached parse must lay out exactly as
reportlab's own, and every paragraph must get fragments of its own."""

from __future__ import annotations

from reportlab.platypus import Paragraph

from trdplanner.export.layout import Para
from trdplanner.export.styles import client_stylesheet

MARKUP = (
    "<b>Evidence against</b> the hot thought<br/>"
    "<font size='9' color='#545454'>Facts that do not fit it, written as plainly as you can</font>"
)


def test_a_cached_parse_lays_out_as_reportlab_parses_it() -> None:
    style = client_stylesheet().cell
    for _ in range(2):  # the second time comes from the cache
        ours, theirs = Para(MARKUP, style), Paragraph(MARKUP, style)
        assert ours.text == theirs.text
        assert [(f.fontName, f.fontSize, f.textColor, f.text) for f in ours.frags] == [
            (f.fontName, f.fontSize, f.textColor, f.text) for f in theirs.frags
        ]
        assert ours.getPlainText() == theirs.getPlainText()
        for width in (60.0, 140.0, 400.0):
            assert ours.wrap(width, 1000) == theirs.wrap(width, 1000)
            ours._wrapped_at = None


def test_each_paragraph_gets_its_own_fragments() -> None:
    style = client_stylesheet().body
    first, second = Para(MARKUP, style), Para(MARKUP, style)
    assert first.frags is not second.frags
    assert all(a is not b for a, b in zip(first.frags, second.frags, strict=True))
    first.frags[0].text = "changed"
    assert Para(MARKUP, style).frags[0].text != "changed"
    # Split at a narrow width, the pieces are new paragraphs and the other one is untouched.
    first.wrap(50, 1000)
    assert len(first.split(50, 45)) == 2
    assert second.getPlainText() == Paragraph(MARKUP, style).getPlainText()


def test_markup_reportlab_must_parse_itself_still_works() -> None:
    style = client_stylesheet().body
    bullet = Para("Point", style, bulletText="•")
    assert bullet.bulletText == "•" and bullet.getPlainText() == "Point"
    para = Para("<para align='center'>Centred</para>", style)
    assert para.getPlainText() == "Centred"
    assert para.wrap(200, 100)[1] > 0
