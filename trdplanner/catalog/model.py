"""The template model: immutable, already validated, free of YAML and Jinja concerns.

Instances of these classes only come out of :mod:`trdplanner.catalog.validation`, so code that
receives a :class:`Template` can rely on every rule in ``docs/template-format.md`` holding.
"""

from __future__ import annotations

from dataclasses import dataclass
from dataclasses import field as dc_field
from enum import StrEnum


class Modality(StrEnum):
    CBT = "cbt"
    CBASP = "cbasp"
    DBT = "dbt"
    ACT = "act"
    IPT = "ipt"
    MBCT = "mbct"
    TRAUMA = "trauma"
    GENERAL = "general"

    @property
    def label(self) -> str:
        return _MODALITY_LABELS[self]


_MODALITY_LABELS: dict[Modality, str] = {
    Modality.CBT: "CBT",
    Modality.CBASP: "CBASP",
    Modality.DBT: "DBT",
    Modality.ACT: "ACT",
    Modality.IPT: "IPT",
    Modality.MBCT: "MBCT",
    Modality.TRAUMA: "Trauma-focused",
    Modality.GENERAL: "Across modalities",
}


class Kind(StrEnum):
    EXERCISE = "exercise"
    HOMEWORK = "homework"
    HANDOUT = "handout"
    STRUCTURE = "structure"
    MEASURE = "measure"

    @property
    def label(self) -> str:
        return _KIND_LABELS[self]


_KIND_LABELS: dict[Kind, str] = {
    Kind.EXERCISE: "In-session exercise",
    Kind.HOMEWORK: "Homework worksheet",
    Kind.HANDOUT: "Psychoeducation handout",
    Kind.STRUCTURE: "Session structure",
    Kind.MEASURE: "Measure form",
}


class FieldType(StrEnum):
    HEADING = "heading"
    PARAGRAPH = "paragraph"
    DEFINITIONS = "definitions"
    SHORT_TEXT = "short_text"
    LONG_TEXT = "long_text"
    NUMBER = "number"
    RATING = "rating"
    DATE = "date"
    TIME = "time"
    YES_NO = "yes_no"
    CHOICE = "choice"
    CHECKLIST = "checklist"
    TABLE = "table"

    @property
    def is_static(self) -> bool:
        """Static fields show text and hold no value."""
        return self in STATIC_TYPES

    @property
    def is_text(self) -> bool:
        return self in (FieldType.SHORT_TEXT, FieldType.LONG_TEXT)


STATIC_TYPES: frozenset[FieldType] = frozenset({FieldType.HEADING, FieldType.PARAGRAPH, FieldType.DEFINITIONS})
INPUT_TYPES: frozenset[FieldType] = frozenset(FieldType) - STATIC_TYPES
COLUMN_TYPES: frozenset[FieldType] = INPUT_TYPES - {FieldType.TABLE}


class FilledBy(StrEnum):
    SESSION = "session"
    CLIENT = "client"


class PrintLayout(StrEnum):
    """How a worksheet prints (``print_layout`` in the YAML); the form on screen is the same."""

    # Fields one after another, tables as they are defined.
    SHEET = "sheet"
    # A week card: every fixed-row table's columns side by side in one grid with the days as
    # rows (short ``abbr`` headers and a key), long checklists as a skills grid per day.
    DIARY_WEEK = "diary-week"


class FormInstrument(StrEnum):
    """The instruments a form template may record a measure for: a subset of clinical's ``Instrument``,
    with the same values (tests/catalog/test_form_instruments.py holds them to it). Named apart from it,
    so the app has one ``Instrument``."""

    PHQ9 = "phq9"
    GAD7 = "gad7"
    QIDS_SR16 = "qids_sr16"


class BindingSource(StrEnum):
    PATIENT = "patient"
    CLINICIAN = "clinician"
    PRACTICE = "practice"
    SESSION = "session"
    PREVIOUS = "previous"
    TEXT = "text"


# The keys each context source offers to `prefill` bindings; also used to check `text` bindings.
BINDING_KEYS: dict[BindingSource, tuple[str, ...]] = {
    BindingSource.PATIENT: (
        "print_name",
        "display_name",
        "preferred_name",
        "print_code",
        "pronouns",
    ),
    BindingSource.CLINICIAN: ("name", "credentials", "display"),
    BindingSource.PRACTICE: ("name", "phone"),
    BindingSource.SESSION: ("date", "number", "modality"),
}


@dataclass(frozen=True, kw_only=True)
class Option:
    id: str
    label: str
    help: str | None = None


@dataclass(frozen=True, kw_only=True)
class Anchor:
    """A labelled point on a rating scale, e.g. ``0 -> "not at all"``."""

    value: int
    label: str


@dataclass(frozen=True, kw_only=True)
class Definition:
    term: str
    text: str


@dataclass(frozen=True, kw_only=True)
class PrintHint:
    """Blank space the printed worksheet leaves; exactly one attribute is set."""

    lines: int | None = None
    rows: int | None = None
    height_mm: int | None = None


@dataclass(frozen=True, kw_only=True)
class Binding:
    """Where a field's starting value comes from (``prefill`` in the YAML).

    ``key`` is set for patient/clinician/practice/session, ``template`` and ``field`` for
    previous, ``text`` for text.
    """

    source: BindingSource
    key: str | None = None
    template: str | None = None
    field: str | None = None
    text: str | None = None


@dataclass(frozen=True, kw_only=True)
class _ValueShape:
    """The per-type extras that decide what value an input accepts (shared by fields and columns).

    Only the attributes of the field's own type are meaningful; the rest keep their defaults.
    """

    type: FieldType
    max_length: int | None = None  # short_text
    min: int | float | None = None  # number, rating
    max: int | float | None = None  # number, rating
    integer: bool = True  # number
    step: int = 1  # rating
    anchors: tuple[Anchor, ...] = ()  # rating
    options: tuple[Option, ...] = ()  # choice, checklist

    def option(self, option_id: str) -> Option | None:
        return next((o for o in self.options if o.id == option_id), None)

    def anchor_label(self, value: int | float) -> str | None:
        return next((a.label for a in self.anchors if a.value == value), None)


@dataclass(frozen=True, kw_only=True)
class Column(_ValueShape):
    """One column of a table: an input field that is neither a table nor static."""

    id: str
    label: str
    help: str | None = None
    required: bool = False
    # A short header for a narrow printed grid (``diary-week``); the key spells out ``label``.
    abbr: str | None = None


@dataclass(frozen=True, kw_only=True)
class Field(_ValueShape):
    """One entry of a template's ``fields`` list.

    Static fields (heading, paragraph, definitions) have ``id`` None unless the author gave one;
    input fields always have an ``id`` and a ``label``.
    """

    id: str | None = None
    label: str = ""
    help: str | None = None
    required: bool = False
    filled_by: FilledBy = FilledBy.SESSION
    print: PrintHint | None = None
    prefill: Binding | None = None
    text: str | None = None  # paragraph
    items: tuple[Definition, ...] = ()  # definitions
    columns: tuple[Column, ...] = ()  # table
    fixed_rows: tuple[str, ...] = ()  # table
    min_rows: int | None = None  # table
    max_rows: int | None = None  # table

    @property
    def is_input(self) -> bool:
        return not self.type.is_static

    @property
    def key(self) -> str:
        """The id of an input field (static fields may have none)."""
        if self.id is None:
            raise ValueError(f"a {self.type} field has no id")
        return self.id

    def column(self, column_id: str) -> Column | None:
        return next((c for c in self.columns if c.id == column_id), None)


@dataclass(frozen=True, kw_only=True)
class AgendaStep:
    title: str
    minutes: int
    description: str | None = None


@dataclass(frozen=True, kw_only=True)
class Template:
    id: str
    version: int
    modality: Modality
    kind: Kind
    title: str
    purpose: str
    instructions: str
    minutes: int
    tags: tuple[str, ...] = ()
    note_summary: str | None = None
    fields: tuple[Field, ...] = ()
    agenda: tuple[AgendaStep, ...] = ()
    instrument: FormInstrument | None = None
    references: tuple[str, ...] = ()
    print_layout: PrintLayout = PrintLayout.SHEET
    # Where the definition came from (a file path or "<snapshot>"); not part of its identity.
    source: str = dc_field(default="", compare=False)

    @property
    def input_fields(self) -> tuple[Field, ...]:
        return tuple(f for f in self.fields if f.is_input)

    def field(self, field_id: str) -> Field | None:
        return next((f for f in self.fields if f.id == field_id), None)

    @property
    def ref(self) -> str:
        """``id vN``: how messages and instances name this exact definition."""
        return f"{self.id} v{self.version}"


@dataclass(frozen=True, kw_only=True)
class NoteSection:
    id: str
    title: str
    prompt: str
    template: str
    # The section that carries the risk assessment; render_note guarantees a positive item 9 is
    # stated there even if the section's template text forgets it.
    risk: bool = False


@dataclass(frozen=True, kw_only=True)
class NoteFormat:
    id: str
    title: str
    description: str
    sections: tuple[NoteSection, ...]
    source: str = dc_field(default="", compare=False)

    def section(self, section_id: str) -> NoteSection | None:
        return next((s for s in self.sections if s.id == section_id), None)
