"""The one stylesheet every printed document shares: sizes, spacing and greys.

Everything is black on white with greys for structure, so pages photocopy and print on a
black-and-white home printer without losing meaning; nothing relies on colour alone.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache

from reportlab.lib.colors import Color, black
from reportlab.lib.enums import TA_CENTER, TA_RIGHT
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm

from trdplanner.export.fonts import BOLD, CONDENSED, CONDENSED_BOLD, REGULAR, fonts

INK = black
MUTED = Color(0.33, 0.33, 0.33)
RULE = Color(0.55, 0.55, 0.55)
WRITING_LINE = Color(0.62, 0.62, 0.62)
TINT = Color(0.93, 0.93, 0.93)
TINT_DARK = Color(0.84, 0.84, 0.84)

# Ruled writing space: wide enough for handwriting with a ballpoint.
LINE_PITCH = 8 * mm
GAP = 3 * mm


@dataclass(frozen=True)
class Styles:
    title: ParagraphStyle
    subtitle: ParagraphStyle
    heading: ParagraphStyle
    subheading: ParagraphStyle
    label: ParagraphStyle
    help: ParagraphStyle
    body: ParagraphStyle
    body_keep: ParagraphStyle
    value: ParagraphStyle
    small: ParagraphStyle
    small_right: ParagraphStyle
    cell: ParagraphStyle
    cell_bold: ParagraphStyle
    cell_center: ParagraphStyle
    cell_help: ParagraphStyle
    alert: ParagraphStyle
    stamp: ParagraphStyle

    def scaled(self, factor: float) -> Styles:
        """The same sheet with every size multiplied (the fold-up safety plan is smaller)."""
        return Styles(
            **{
                name: ParagraphStyle(
                    f"{style.name}-x{factor:g}",
                    parent=style,
                    fontSize=style.fontSize * factor,
                    leading=style.leading * factor,
                    spaceBefore=style.spaceBefore * factor,
                    spaceAfter=style.spaceAfter * factor,
                )
                for name, style in self.__dict__.items()
            }
        )


def _style(name: str, **kw: object) -> ParagraphStyle:
    base: dict[str, object] = {"fontName": REGULAR, "fontSize": 9.5, "leading": 13, "textColor": INK}
    base.update(kw)
    return ParagraphStyle(name, **base)


@cache
def stylesheet() -> Styles:
    fonts()  # the styles name our faces; they must be registered first
    return Styles(
        title=_style("title", fontName=BOLD, fontSize=17, leading=21, spaceAfter=1.5 * mm),
        subtitle=_style("subtitle", fontSize=8.5, leading=11.5, textColor=MUTED, spaceAfter=3 * mm),
        heading=_style(
            "heading",
            fontName=BOLD,
            fontSize=12,
            leading=15,
            spaceBefore=4.5 * mm,
            spaceAfter=1.5 * mm,
            keepWithNext=1,
        ),
        subheading=_style("subheading", fontName=BOLD, fontSize=10, leading=13, spaceBefore=2.5 * mm, keepWithNext=1),
        label=_style("label", fontName=BOLD, fontSize=9.5, leading=12.5),
        help=_style("help", fontSize=8, leading=10.5, textColor=MUTED),
        body=_style("body", spaceAfter=1.8 * mm),
        # Text that introduces what follows (a heading's first paragraph) stays with it.
        body_keep=_style("body_keep", spaceAfter=1.8 * mm, keepWithNext=1),
        value=_style("value", fontSize=10, leading=13.5),
        small=_style("small", fontSize=8, leading=10.5),
        small_right=_style("small_right", fontSize=8, leading=10.5, alignment=TA_RIGHT),
        cell=_style("cell", fontName=CONDENSED, fontSize=8.5, leading=10.5),
        cell_bold=_style("cell_bold", fontName=CONDENSED_BOLD, fontSize=8.5, leading=10.5),
        cell_center=_style("cell_center", fontName=CONDENSED, fontSize=8, leading=10, alignment=TA_CENTER),
        cell_help=_style("cell_help", fontName=CONDENSED, fontSize=7, leading=8.5, textColor=MUTED),
        alert=_style("alert", fontName=BOLD, fontSize=10, leading=13.5),
        stamp=_style("stamp", fontName=BOLD, fontSize=11, leading=14, alignment=TA_CENTER),
    )


# Client worksheets are read by people who may be tired, older or low in mood: body text at
# 10.5 pt and nothing below 9 pt, as professional worksheet libraries set them. MUTED on white
# has a contrast ratio of about 7.6:1 (WCAG AAA asks 7:1), so help text stays readable.
CLIENT_BODY = 10.5
CLIENT_SMALLEST = 9.0


@cache
def client_stylesheet() -> Styles:
    fonts()
    return Styles(
        title=_style("c-title", fontName=BOLD, fontSize=18, leading=22, spaceAfter=1.5 * mm),
        subtitle=_style("c-subtitle", fontSize=9.5, leading=12.5, textColor=MUTED, spaceAfter=3 * mm),
        heading=_style(
            "c-heading", fontName=BOLD, fontSize=13, leading=16.5, spaceBefore=4.5 * mm, spaceAfter=1.5 * mm,
            keepWithNext=1,
        ),
        subheading=_style("c-subheading", fontName=BOLD, fontSize=11, leading=14, spaceBefore=2.5 * mm, keepWithNext=1),
        label=_style("c-label", fontName=BOLD, fontSize=CLIENT_BODY, leading=13.5),
        help=_style("c-help", fontSize=CLIENT_SMALLEST, leading=11.5, textColor=MUTED),
        body=_style("c-body", fontSize=CLIENT_BODY, leading=14.5, spaceAfter=1.8 * mm),
        body_keep=_style("c-body_keep", fontSize=CLIENT_BODY, leading=14.5, spaceAfter=1.8 * mm, keepWithNext=1),
        value=_style("c-value", fontSize=11, leading=14.5),
        small=_style("c-small", fontSize=9.5, leading=12.5),
        small_right=_style("c-small_right", fontSize=9.5, leading=12.5, alignment=TA_RIGHT),
        # Two faces only (regular and bold): condensed letters at these sizes read worse, and
        # every extra face is another font to subset and embed in each sheet.
        cell=_style("c-cell", fontSize=10, leading=12.5),
        cell_bold=_style("c-cell_bold", fontName=BOLD, fontSize=10, leading=12.5),
        cell_center=_style("c-cell_center", fontSize=9.5, leading=11.5, alignment=TA_CENTER),
        cell_help=_style("c-cell_help", fontSize=CLIENT_SMALLEST, leading=11, textColor=MUTED),
        alert=_style("c-alert", fontName=BOLD, fontSize=11, leading=14.5),
        stamp=_style("c-stamp", fontName=BOLD, fontSize=12, leading=15, alignment=TA_CENTER),
    )
