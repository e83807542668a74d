"""Fillable (AcroForm) fields for worksheets a client completes on a tablet or computer.

Field names encode where a value belongs: ``f:<field>`` for a single value,
``f:<field>:<option>`` for a checklist tick, ``f:<table>:<row>:<column>`` for a table cell
(``:`` because PDF field names may not contain dots). A hidden, read-only field named
``trdplanner`` carries a small JSON manifest: which template and version the sheet was
printed from, for which session, how many rows each table offers, and any prefilled value
that could not be put in a field.

That last case exists because form fields can only use the PDF's standard fonts, which
cover Latin-1; a prefilled Greek or Hebrew answer is printed as text with our own font
instead, and the manifest keeps it so reading the form back does not lose it.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

from reportlab.lib.colors import Color
from reportlab.lib.units import mm
from reportlab.platypus import Flowable

from trdplanner.catalog.limits import MAX_ITEMS, MAX_TABLE_ROWS
from trdplanner.core.errors import InputError
from trdplanner.core.intake import parse_json
from trdplanner.export.styles import INK, RULE

# Far above any real manifest (the kept values of a full worksheet), checked before parsing.
MAX_MANIFEST_CHARS = 2_000_000

MANIFEST_FIELD = "trdplanner"
MANIFEST_KIND = "trdplanner-worksheet"
MANIFEST_FORMAT = 1

_FIELD_FILL = Color(0.96, 0.96, 0.96)
# The "nothing chosen yet" entry of a drop-down. A space, not "": reportlab cannot build a
# drop-down whose current value is empty, and a space reads back as blank.
BLANK_CHOICE = " "
_FORM_FONT = "Helvetica"
# How text and drop-down fields look, so every kind of fillable field matches.
_TEXT_LOOK: dict[str, Any] = {
    "borderWidth": 0.6,
    "borderColor": RULE,
    "fillColor": _FIELD_FILL,
    "textColor": INK,
    "fontName": _FORM_FONT,
    "fontSize": 9,
}


def field_name(*parts: object) -> str:
    return ":".join(["f", *(str(p) for p in parts)])


def fits_form_font(text: str) -> bool:
    """Whether a form field (standard fonts, Latin-1) can show ``text`` as it is."""
    try:
        text.encode("latin-1")
    except UnicodeEncodeError:
        return False
    return not any(0x80 <= ord(c) <= 0x9F for c in text)


@dataclass
class Manifest:
    template_id: str
    template_version: int
    session_id: int | None = None
    patient_code: str = ""
    tables: dict[str, int] = field(default_factory=dict)
    kept: dict[str, Any] = field(default_factory=dict)

    def to_json(self) -> str:
        # ASCII only: the manifest itself lives in a standard-font form field.
        return json.dumps(
            {
                "kind": MANIFEST_KIND,
                "format": MANIFEST_FORMAT,
                "template_id": self.template_id,
                "template_version": self.template_version,
                "session_id": self.session_id,
                "patient_code": self.patient_code,
                "tables": self.tables,
                "kept": self.kept,
            },
            ensure_ascii=True,
            sort_keys=True,
            separators=(",", ":"),
        )

    @classmethod
    def from_json(cls, text: str) -> Manifest:
        """Parse a manifest; ``ValueError`` with the reason if it is not ours or is damaged."""
        if len(text) > MAX_MANIFEST_CHARS:
            raise ValueError(f"its TRD Planner data is {len(text):,} characters long, far more than a worksheet needs")
        try:
            data = parse_json(text, field="manifest")  # repeated keys and deep nesting refused in words
        except InputError as exc:
            raise ValueError(f"its TRD Planner data is damaged ({exc.problem})") from None
        if not isinstance(data, dict) or data.get("kind") != MANIFEST_KIND:
            raise ValueError("it was not made by TRD Planner")
        if data.get("format") != MANIFEST_FORMAT:
            raise ValueError(f"it was made by a newer TRD Planner (format {data.get('format')!r})")
        template_id, version = data.get("template_id"), data.get("template_version")
        session_id, tables, kept = data.get("session_id"), data.get("tables"), data.get("kept")
        if not isinstance(template_id, str) or not isinstance(version, int) or isinstance(version, bool):
            raise ValueError("its TRD Planner data does not name a template")
        if session_id is not None and (not isinstance(session_id, int) or isinstance(session_id, bool)):
            raise ValueError("its TRD Planner data names an invalid session")
        if not isinstance(tables, dict) or not all(isinstance(v, int) for v in tables.values()):
            raise ValueError("its TRD Planner data is damaged (table rows)")
        # Sizes are checked here, before anything is built from them: a manifest claiming
        # 100,000,000 rows is refused at once instead of after gigabytes of empty rows.
        if len(tables) > MAX_ITEMS:
            raise ValueError(f"its TRD Planner data names {len(tables)} tables; a worksheet has at most {MAX_ITEMS}")
        for key, rows in tables.items():
            if not 0 <= rows <= MAX_TABLE_ROWS:
                raise ValueError(
                    f"its TRD Planner data claims {rows} rows for table '{str(key)[:80]}'; "
                    f"a worksheet table has 0 to {MAX_TABLE_ROWS}"
                )
        if not isinstance(kept, dict):
            raise ValueError("its TRD Planner data is damaged (kept values)")
        if len(kept) > MAX_ITEMS * MAX_ITEMS:
            raise ValueError(f"its TRD Planner data keeps {len(kept)} values, far more than any worksheet has")
        return cls(template_id, version, session_id, str(data.get("patient_code") or ""), tables, kept)


class _FormFlowable(Flowable):
    def __init__(self, name: str, width: float | None, height: float) -> None:
        super().__init__()
        self.name = name
        self.fixed_width = width
        self.field_height = height

    def wrap(self, available_width: float, available_height: float) -> tuple[float, float]:
        self.width = self.fixed_width if self.fixed_width is not None else available_width
        return self.width, self.field_height


class TextField(_FormFlowable):
    """A text box; ``value`` must pass :func:`fits_form_font`."""

    def __init__(
        self,
        name: str,
        value: str = "",
        *,
        height: float = 7 * mm,
        width: float | None = None,
        multiline: bool = False,
        tooltip: str = "",
    ) -> None:
        super().__init__(name, width, height)
        self.value = value
        self.multiline = multiline
        self.tooltip = tooltip

    def draw(self) -> None:
        self.canv.acroForm.textfield(
            name=self.name,
            value=self.value,
            x=0,
            y=0,
            relative=True,
            width=self.width,
            height=self.field_height,
            fieldFlags="multiline" if self.multiline else "",
            maxlen=0,
            tooltip=self.tooltip or None,
            **_TEXT_LOOK,
        )


class CheckField(_FormFlowable):
    def __init__(self, name: str, checked: bool = False, size: float = 4.2 * mm, tooltip: str = "") -> None:
        super().__init__(name, size, size)
        self.checked = checked
        self.tooltip = tooltip

    def draw(self) -> None:
        self.canv.acroForm.checkbox(
            name=self.name,
            checked=self.checked,
            buttonStyle="cross",
            x=0,
            y=0,
            relative=True,
            size=self.field_height,
            borderWidth=0.7,
            borderColor=INK,
            fillColor=_FIELD_FILL,
            textColor=INK,
            tooltip=self.tooltip or None,
        )


class RadioField(_FormFlowable):
    """One button of a radio group; every button of the group shares ``name``."""

    def __init__(
        self, name: str, value: str, selected: bool = False, size: float = 4.2 * mm, tooltip: str = ""
    ) -> None:
        super().__init__(name, size, size)
        self.value = value
        self.selected = selected
        self.tooltip = tooltip

    def draw(self) -> None:
        self.canv.acroForm.radio(
            name=self.name,
            value=self.value,
            selected=self.selected,
            buttonStyle="circle",
            shape="circle",
            x=0,
            y=0,
            relative=True,
            size=self.field_height,
            borderWidth=0.7,
            borderColor=INK,
            fillColor=_FIELD_FILL,
            textColor=INK,
            tooltip=self.tooltip or None,
        )


class ChoiceField(_FormFlowable):
    """A drop-down list (used for ratings: the client can only pick a value on the scale)."""

    def __init__(
        self, name: str, options: list[str], value: str = "", *, width: float, tooltip: str = "",
        height: float = 7 * mm,
    ) -> None:
        super().__init__(name, width, height)
        self.options = options
        self.value = value
        self.tooltip = tooltip

    def draw(self) -> None:
        self.canv.acroForm.choice(
            name=self.name,
            value=self.value or BLANK_CHOICE,
            options=self.options,
            x=0,
            y=0,
            relative=True,
            width=self.width,
            height=self.field_height,
            tooltip=self.tooltip or None,
            **_TEXT_LOOK,
        )


class ManifestField(Flowable):
    """The hidden, read-only field holding the manifest; takes no space on the page."""

    def __init__(self, manifest: Manifest) -> None:
        super().__init__()
        self.manifest = manifest

    def wrap(self, available_width: float, available_height: float) -> tuple[float, float]:
        return 0, 0

    def draw(self) -> None:
        self.canv.acroForm.textfield(
            name=MANIFEST_FIELD,
            value=self.manifest.to_json(),
            x=0,
            y=0,
            relative=True,
            width=1,
            height=1,
            annotationFlags="hidden",
            fieldFlags="readOnly",
            maxlen=0,
            borderWidth=0,
            fillColor=None,
            borderColor=None,
        )
