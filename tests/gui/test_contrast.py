"""Every text colour the app uses, on every background it sits on, meets WCAG AA in both schemes."""

from __future__ import annotations

import re

import pytest
from PySide6.QtGui import QColor
from PySide6.QtWidgets import QApplication

from tests.gui.contrast_check import AA_TEXT, contrast_ratio, text_pairs
from trdplanner.gui import theme


def _palette(dark: bool):
    app = QApplication.instance()
    assert isinstance(app, QApplication)
    return theme._dark_palette() if dark else theme._light_palette(app)


def _colours(dark: bool) -> dict[str, QColor]:
    return {name: QColor(pair[1] if dark else pair[0]) for name, pair in theme._COLOURS.items()}


def test_the_formula_matches_wcag_reference_values() -> None:
    assert contrast_ratio(QColor("#000000"), QColor("#ffffff")) == pytest.approx(21.0)
    assert contrast_ratio(QColor("#777777"), QColor("#ffffff")) == pytest.approx(4.48, abs=0.01)
    assert contrast_ratio(QColor("#ffffff"), QColor("#ffffff")) == pytest.approx(1.0)


@pytest.mark.parametrize("dark", [False, True], ids=["light", "dark"])
def test_every_text_pair_meets_aa(qapp, dark: bool) -> None:
    pairs = text_pairs(_palette(dark), _colours(dark))
    assert len(pairs) > 35
    failing = [f"{p.what}: {p.fg.name()} on {p.bg.name()} = {p.ratio:.2f}" for p in pairs if p.ratio < AA_TEXT]
    assert not failing, "\n".join(failing)


def test_every_status_colour_is_checked(qapp) -> None:
    """A theme colour without a pair in tests/gui/contrast_check.py fails here, so none skips the check."""
    what = " ".join(p.what for p in text_pairs(_palette(False), _colours(False)))
    for name in theme._COLOURS:
        if name in ("card_border",):  # a border line, not text
            continue
        base = name.removesuffix("_bg").replace("_", " ")
        assert base in what or name in ("card", "selected_bg", "selected_text", "focus"), name


def test_no_fixed_text_colour_hides_in_the_gui_code() -> None:
    """Widgets take colours from the theme; a hard-coded colour would escape the contrast check."""
    from pathlib import Path

    gui = Path(theme.__file__).parent
    offenders = []
    for path in gui.rglob("*.py"):
        if path.name in ("theme.py", "charts.py"):  # the palettes themselves; chart bands are fills, not text
            continue
        text = path.read_text(encoding="utf-8")
        for match in re.finditer(r"#[0-9a-fA-F]{6}\b|GlobalColor\.dark", text):
            offenders.append(f"{path.relative_to(gui)}: {match.group(0)}")
    assert not offenders, offenders


def test_the_dark_scheme_draft_and_safety_colours_read() -> None:
    dark = _colours(True)
    window = QColor("#2a2b2e")
    assert contrast_ratio(dark["warning"], window) >= AA_TEXT  # the Draft label
    assert contrast_ratio(dark["danger"], window) >= AA_TEXT  # the safety-plan agenda line
