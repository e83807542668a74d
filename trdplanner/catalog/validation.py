"""Turn parsed template data into a :class:`Template`, enforcing every rule of the format doc.

The first problem found raises :class:`TemplateError` with the exact field path. Checks that need
other templates (``prefill`` from a previous template) happen in :mod:`trdplanner.catalog.catalog`;
everything that can be decided from one definition is decided here, so a snapshot stored with an
instance is validated exactly like a file.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from dataclasses import fields as dataclass_fields
from typing import Any

from trdplanner.catalog import sandbox
from trdplanner.catalog.errors import TemplateError, join_path
from trdplanner.catalog.limits import (
    MAX_ID_LENGTH,
    MAX_ITEMS,
    MAX_LABEL_LENGTH,
    MAX_MINUTES,
    MAX_PRINT_HEIGHT_MM,
    MAX_PRINT_LINES,
    MAX_TABLE_ROWS,
    MAX_VALUE_LENGTH,
)
from trdplanner.catalog.model import (
    BINDING_KEYS,
    COLUMN_TYPES,
    INPUT_TYPES,
    STATIC_TYPES,
    AgendaStep,
    Anchor,
    Binding,
    BindingSource,
    Column,
    Definition,
    Field,
    FieldType,
    FilledBy,
    FormInstrument,
    Kind,
    Modality,
    Option,
    PrintHint,
    PrintLayout,
    Template,
)
from trdplanner.catalog.reader import (
    MappingReader,
    check_int,
    check_pattern,
    check_text,
    describe,
)

TEMPLATE_ID = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)*")
FIELD_ID = re.compile(r"[a-z][a-z0-9_]*")
OPTION_ID = re.compile(r"[a-z0-9][a-z0-9_-]*")
TEMPLATE_ID_RULE = "lowercase letters, digits and hyphens"
FIELD_ID_RULE = "snake_case: lowercase letters, digits and underscores, starting with a letter"
OPTION_ID_RULE = "lowercase letters, digits, underscores and hyphens"

# The most points a rating scale may offer; a form shows each one.
MAX_RATING_POINTS = 1001

TOP_KEYS = (
    "id",
    "version",
    "modality",
    "kind",
    "title",
    "purpose",
    "instructions",
    "minutes",
    "tags",
    "note_summary",
    "fields",
    "agenda",
    "instrument",
    "references",
    "print_layout",
)

INPUT_COMMON_KEYS = ("type", "id", "label", "help", "required", "filled_by", "print", "prefill")
COLUMN_COMMON_KEYS = ("type", "id", "label", "help", "required", "abbr")
# A column header in a week grid is this many characters at most (the key spells it out).
MAX_ABBR_LENGTH = 8
# Column types a diary-week grid prints in its narrow cells; checklists print as their own grid.
_WEEK_GRID_TYPES = frozenset(
    {FieldType.RATING, FieldType.NUMBER, FieldType.YES_NO, FieldType.SHORT_TEXT, FieldType.TIME}
)
TYPE_KEYS: dict[FieldType, tuple[str, ...]] = {
    FieldType.HEADING: ("type", "id", "label"),
    FieldType.PARAGRAPH: ("type", "id", "label", "text"),
    FieldType.DEFINITIONS: ("type", "id", "label", "items"),
    FieldType.SHORT_TEXT: ("max_length",),
    FieldType.LONG_TEXT: (),
    FieldType.NUMBER: ("min", "max", "integer"),
    FieldType.RATING: ("min", "max", "step", "anchors"),
    FieldType.DATE: (),
    FieldType.TIME: (),
    FieldType.YES_NO: (),
    FieldType.CHOICE: ("options",),
    FieldType.CHECKLIST: ("options",),
    FieldType.TABLE: ("columns", "fixed_rows", "min_rows", "max_rows"),
}
_ALL_FIELD_KEYS = frozenset(INPUT_COMMON_KEYS).union(*TYPE_KEYS.values())

# What each simple binding delivers, and which field types can take it.
_BINDING_TARGETS: dict[tuple[BindingSource, str], tuple[str, frozenset[FieldType]]] = {
    (BindingSource.SESSION, "date"): (
        "a session date",
        frozenset({FieldType.DATE, FieldType.SHORT_TEXT, FieldType.LONG_TEXT}),
    ),
    (BindingSource.SESSION, "number"): (
        "a session number",
        frozenset({FieldType.NUMBER, FieldType.SHORT_TEXT, FieldType.LONG_TEXT}),
    ),
}
_TEXT_TARGETS = frozenset({FieldType.SHORT_TEXT, FieldType.LONG_TEXT})

# Names a `text` binding may use, with the keys each offers (previous: any template id).
PREFILL_NAMES: dict[str, tuple[str, ...] | None] = {
    **{source.value: keys for source, keys in BINDING_KEYS.items()},
    "previous": None,
}
_TEMPLATE_ATTRIBUTES = (*(f.name for f in dataclass_fields(Template)), "input_fields", "ref")

_ENV = sandbox.make_environment()


def parse_template(data: object, source: str = "") -> Template:
    """Validate parsed YAML/JSON data and build the :class:`Template` it describes.

    Raises :class:`TemplateError` (attributed to ``source``) for the first problem found.
    """
    try:
        return _TemplateParser(data, source).parse()
    except TemplateError as exc:
        raise exc.in_file(source) from None


class _TemplateParser:
    def __init__(self, data: object, source: str) -> None:
        self.source = source
        if not isinstance(data, Mapping):
            raise TemplateError("", f"the file must hold a mapping of keys to values, got {describe(data)}")
        self.top = MappingReader(data, "")
        self.ids: dict[str, str] = {}  # field id -> path of the field that has it

    def parse(self) -> Template:
        top = self.top
        top.check_keys(TOP_KEYS)
        template_id = check_pattern(top.need("id"), "id", TEMPLATE_ID, TEMPLATE_ID_RULE, MAX_ID_LENGTH)
        version = top.integer("version", lo=1)
        modality = top.enum("modality", Modality, "modality")
        if not template_id.startswith(f"{modality.value}-"):
            raise TemplateError("id", f"must start with the modality ('{modality.value}-')")
        kind = top.enum("kind", Kind, "kind")
        title = top.label("title")
        purpose = top.text("purpose")
        instructions = top.text("instructions")
        minutes = top.integer("minutes", lo=1, hi=MAX_MINUTES)
        tags = self._tags()
        note_summary = top.optional_text("note_summary")

        if kind is Kind.STRUCTURE:
            field_items = top.items("fields")
        else:
            field_items = top.items("fields", non_empty_reason=self._fields_reason(top, kind))
        default_filled_by = FilledBy.CLIENT if kind is Kind.HOMEWORK else FilledBy.SESSION
        fields = tuple(self._field(path, item, default_filled_by) for path, item in field_items)

        agenda = self._agenda(kind)
        instrument = self._instrument(kind)
        references = tuple(check_text(item, path, single_line=True) for path, item in top.items("references"))
        print_layout = PrintLayout.SHEET
        if top.has("print_layout"):
            print_layout = top.enum("print_layout", PrintLayout, "print_layout")
        if print_layout is PrintLayout.DIARY_WEEK:
            _check_diary_week(fields)
        template = Template(
            id=template_id,
            version=version,
            modality=modality,
            kind=kind,
            title=title,
            purpose=purpose,
            instructions=instructions,
            minutes=minutes,
            tags=tags,
            note_summary=note_summary,
            fields=fields,
            agenda=agenda,
            instrument=instrument,
            references=references,
            print_layout=print_layout,
            source=self.source,
        )
        if note_summary is not None:
            _check_note_summary(template, note_summary)
        return template

    @staticmethod
    def _fields_reason(top: MappingReader, kind: Kind) -> str:
        if top.has("fields"):
            return "needs at least one field (only a structure template may have none)"
        return "required"

    def _tags(self) -> tuple[str, ...]:
        tags: list[str] = []
        for path, item in self.top.items("tags"):
            tag = check_text(item, path, max_length=60, single_line=True)
            if tag != tag.lower():
                raise TemplateError(path, "must be lowercase")
            if tag in tags:
                raise TemplateError(path, f"duplicate tag '{tag}'")
            tags.append(tag)
        return tuple(tags)

    def _agenda(self, kind: Kind) -> tuple[AgendaStep, ...]:
        if kind is not Kind.STRUCTURE:
            if self.top.has("agenda"):
                raise TemplateError("agenda", "only allowed when kind is 'structure'")
            return ()
        steps = []
        for path, item in self.top.items("agenda", non_empty_reason="required when kind is 'structure'"):
            step = MappingReader(item, path)
            step.check_keys(("title", "minutes", "description"))
            steps.append(
                AgendaStep(
                    title=step.label("title"),
                    minutes=step.integer("minutes", lo=1, hi=MAX_MINUTES),
                    description=step.optional_text("description"),
                )
            )
        return tuple(steps)

    def _instrument(self, kind: Kind) -> FormInstrument | None:
        if kind is not Kind.MEASURE:
            if self.top.has("instrument"):
                raise TemplateError("instrument", "only allowed when kind is 'measure'")
            return None
        if not self.top.has("instrument"):
            raise TemplateError("instrument", "required when kind is 'measure'")
        return self.top.enum("instrument", FormInstrument, "instrument")

    def _claim_id(self, value: object, path: str) -> str:
        field_id = check_pattern(value, path, FIELD_ID, FIELD_ID_RULE, 64)
        if field_id in self.ids:
            raise TemplateError(path, f"duplicate id '{field_id}' (also {self.ids[field_id]})")
        self.ids[field_id] = path.removesuffix(".id")
        return field_id

    def _field(self, path: str, data: object, default_filled_by: FilledBy) -> Field:
        raw = MappingReader(data, path)
        ftype = raw.enum("type", FieldType, "type")
        allowed = TYPE_KEYS[ftype] if ftype.is_static else INPUT_COMMON_KEYS + TYPE_KEYS[ftype]
        raw.check_keys(allowed, _misplaced(allowed, ftype))

        field_id = None
        if ftype in INPUT_TYPES or raw.has("id"):
            field_id = self._claim_id(raw.need("id"), raw.at("id"))
        if ftype is FieldType.HEADING or ftype in INPUT_TYPES:
            label = raw.label("label")
        else:
            label = raw.label("label") if raw.has("label") else ""

        if ftype in STATIC_TYPES:
            return Field(
                type=ftype,
                id=field_id,
                label=label,
                text=raw.text("text") if ftype is FieldType.PARAGRAPH else None,
                items=_definitions(raw) if ftype is FieldType.DEFINITIONS else (),
            )

        shape = _value_shape(raw, ftype)
        columns: tuple[Column, ...] = ()
        fixed_rows: tuple[str, ...] = ()
        min_rows = max_rows = None
        if ftype is FieldType.TABLE:
            columns = self._columns(raw)
            fixed_rows, min_rows, max_rows = _row_limits(raw)
        filled_by = default_filled_by
        if raw.has("filled_by"):
            filled_by = raw.enum("filled_by", FilledBy, "filled_by")
        return Field(
            type=ftype,
            id=field_id,
            label=label,
            help=raw.optional_text("help"),
            required=raw.boolean("required", False),
            filled_by=filled_by,
            print=_print_hint(raw, ftype) if raw.has("print") else None,
            prefill=_binding(raw, ftype) if raw.has("prefill") else None,
            columns=columns,
            fixed_rows=fixed_rows,
            min_rows=min_rows,
            max_rows=max_rows,
            **shape,
        )

    def _columns(self, raw: MappingReader) -> tuple[Column, ...]:
        seen: dict[str, str] = {}
        columns = []
        for path, item in raw.items("columns", non_empty_reason="a table needs at least one column"):
            col = MappingReader(item, path)
            ctype = col.enum("type", FieldType, "type")
            if ctype is FieldType.TABLE:
                raise TemplateError(col.at("type"), "tables cannot be nested (a column cannot be a table)")
            if ctype not in COLUMN_TYPES:
                raise TemplateError(col.at("type"), f"a column must be an input type, not '{ctype.value}'")
            allowed = COLUMN_COMMON_KEYS + TYPE_KEYS[ctype]
            col.check_keys(allowed, _misplaced(allowed, ctype, column=True))
            column_id = check_pattern(col.need("id"), col.at("id"), FIELD_ID, FIELD_ID_RULE, 64)
            if column_id in seen:
                raise TemplateError(col.at("id"), f"duplicate id '{column_id}' (also {seen[column_id]})")
            seen[column_id] = path
            columns.append(
                Column(
                    type=ctype,
                    id=column_id,
                    label=col.label("label"),
                    help=col.optional_text("help"),
                    required=col.boolean("required", False),
                    abbr=col.text("abbr", max_length=MAX_ABBR_LENGTH, single_line=True) if col.has("abbr") else None,
                    **_value_shape(col, ctype),
                )
            )
        return tuple(columns)


def _check_diary_week(fields: tuple[Field, ...]) -> None:
    """A week card needs its days as the rows of every table, and a short header for each column."""
    weeks = [(i, f) for i, f in enumerate(fields) if f.type is FieldType.TABLE and f.fixed_rows]
    if not weeks:
        raise TemplateError("print_layout", "'diary-week' needs at least one table with fixed_rows (the days)")
    days = weeks[0][1].fixed_rows
    for i, fld in weeks:
        if fld.fixed_rows != days:
            raise TemplateError(
                f"fields[{i}].fixed_rows", f"must be the same days as the first week table ({', '.join(days)})"
            )
        for j, column in enumerate(fld.columns):
            if column.type is FieldType.CHECKLIST:
                continue  # printed as its own grid: an option per row, a tick box per day
            path = f"fields[{i}].columns[{j}]"
            if column.type not in _WEEK_GRID_TYPES:
                raise TemplateError(
                    f"{path}.type",
                    f"a '{column.type.value}' column does not fit a cell of the 'diary-week' grid",
                )
            if column.abbr is None:
                raise TemplateError(
                    f"{path}.abbr", f"required with print_layout 'diary-week' (at most {MAX_ABBR_LENGTH} characters)"
                )


def _misplaced(allowed: tuple[str, ...], ftype: FieldType, column: bool = False) -> dict[str, str]:
    """Explain keys that are real format keys but wrong here (clearer than 'unknown key')."""
    where = "on a table column" if column else f"for type '{ftype.value}'"
    return {key: f"not allowed {where}" for key in _ALL_FIELD_KEYS if key not in allowed}


def _definitions(raw: MappingReader) -> tuple[Definition, ...]:
    items = []
    for path, item in raw.items("items", non_empty_reason="definitions need at least one item"):
        entry = MappingReader(item, path)
        entry.check_keys(("term", "text"))
        items.append(Definition(term=entry.label("term"), text=entry.text("text")))
    return tuple(items)


def _value_shape(raw: MappingReader, ftype: FieldType) -> dict[str, Any]:
    """The per-type extras of an input field or column, as keyword arguments for the model."""
    if ftype is FieldType.SHORT_TEXT:
        return {"max_length": raw.optional_integer("max_length", lo=1, hi=MAX_VALUE_LENGTH)}
    if ftype is FieldType.NUMBER:
        lo, hi = raw.optional_number("min"), raw.optional_number("max")
        if lo is not None and hi is not None and hi <= lo:
            raise TemplateError(raw.at("max"), f"must be greater than min ({lo})")
        return {"min": lo, "max": hi, "integer": raw.boolean("integer", True)}
    if ftype is FieldType.RATING:
        return _rating_shape(raw)
    if ftype in (FieldType.CHOICE, FieldType.CHECKLIST):
        return {"options": _options(raw)}
    return {}


def _rating_shape(raw: MappingReader) -> dict[str, Any]:
    lo = raw.integer("min")
    hi = raw.integer("max")
    if hi <= lo:
        raise TemplateError(raw.at("max"), f"must be greater than min ({lo})")
    step = raw.integer("step", lo=1) if raw.has("step") else 1
    if (hi - lo) % step:
        raise TemplateError(raw.at("step"), f"{step} does not divide the range {lo} to {hi} evenly")
    if (hi - lo) // step + 1 > MAX_RATING_POINTS:
        raise TemplateError(raw.at("step"), f"too many points on the scale (at most {MAX_RATING_POINTS})")
    anchors: list[Anchor] = []
    if raw.has("anchors"):
        data = raw.get("anchors")
        if not isinstance(data, Mapping):
            raise TemplateError(raw.at("anchors"), f"must be a mapping of value to label, got {describe(data)}")
        if len(data) > MAX_ITEMS:
            raise TemplateError(raw.at("anchors"), f"too many entries (at most {MAX_ITEMS})")
        for key, label in data.items():
            path = join_path(raw.at("anchors"), str(key))
            value = _anchor_value(key, path)
            if not lo <= value <= hi:
                raise TemplateError(path, f"outside min..max ({lo} to {hi})")
            if (value - lo) % step:
                raise TemplateError(path, f"not on the scale's steps ({lo}, {lo + step}, ... {hi})")
            anchors.append(Anchor(value=value, label=check_text(label, path, max_length=MAX_LABEL_LENGTH)))
    anchors.sort(key=lambda a: a.value)
    return {"min": lo, "max": hi, "step": step, "anchors": tuple(anchors)}


def _anchor_value(key: object, path: str) -> int:
    # YAML gives int keys; JSON snapshots can only hold text keys, so "25" is accepted too.
    if isinstance(key, str) and re.fullmatch(r"-?\d{1,15}", key.strip()):
        return int(key)
    return check_int(key, path)


def _options(raw: MappingReader) -> tuple[Option, ...]:
    seen: dict[str, str] = {}
    options = []
    for path, item in raw.items("options", non_empty_reason="needs at least one option"):
        opt = MappingReader(item, path)
        opt.check_keys(("id", "label", "help"))
        option_id = check_pattern(opt.need("id"), opt.at("id"), OPTION_ID, OPTION_ID_RULE, 64)
        if option_id in seen:
            raise TemplateError(opt.at("id"), f"duplicate id '{option_id}' (also {seen[option_id]})")
        seen[option_id] = path
        options.append(Option(id=option_id, label=opt.label("label"), help=opt.optional_text("help")))
    return tuple(options)


def _row_limits(raw: MappingReader) -> tuple[tuple[str, ...], int | None, int | None]:
    fixed = tuple(
        check_text(item, path, max_length=MAX_LABEL_LENGTH, single_line=True) for path, item in raw.items("fixed_rows")
    )
    if fixed:
        for key in ("min_rows", "max_rows"):
            if raw.has(key):
                raise TemplateError(raw.at(key), "not allowed with fixed_rows (the row count is fixed)")
        return fixed, None, None
    min_rows = raw.optional_integer("min_rows", lo=0, hi=MAX_TABLE_ROWS)
    max_rows = raw.optional_integer("max_rows", lo=1, hi=MAX_TABLE_ROWS)
    if min_rows is not None and max_rows is not None and max_rows < min_rows:
        raise TemplateError(raw.at("max_rows"), f"must be at least min_rows ({min_rows})")
    return (), min_rows, max_rows


def _print_hint(raw: MappingReader, ftype: FieldType) -> PrintHint:
    hint = MappingReader(raw.get("print"), raw.at("print"))
    hint.check_keys(("lines", "rows", "height_mm"))
    given = [key for key in ("lines", "rows", "height_mm") if hint.has(key)]
    if len(given) != 1:
        raise TemplateError(hint.path, "give exactly one of lines, rows or height_mm")
    key = given[0]
    if key == "lines" and not ftype.is_text:
        raise TemplateError(hint.at(key), "only for text fields (use height_mm for a free box)")
    if key == "rows" and ftype is not FieldType.TABLE:
        raise TemplateError(hint.at(key), "only for tables (use height_mm for a free box)")
    hi = MAX_PRINT_HEIGHT_MM if key == "height_mm" else MAX_PRINT_LINES
    return PrintHint(**{key: hint.integer(key, lo=1, hi=hi)})


def _binding(raw: MappingReader, ftype: FieldType) -> Binding:
    data = MappingReader(raw.get("prefill"), raw.at("prefill"))
    source = data.enum("source", BindingSource, "source")
    if source is BindingSource.PREVIOUS:
        data.check_keys(("source", "template", "field"))
        return Binding(
            source=source,
            template=check_pattern(
                data.need("template"),
                data.at("template"),
                TEMPLATE_ID,
                TEMPLATE_ID_RULE,
                MAX_ID_LENGTH,
            ),
            field=check_pattern(data.need("field"), data.at("field"), FIELD_ID, FIELD_ID_RULE, 64),
        )
    if source is BindingSource.TEXT:
        data.check_keys(("source", "text"))
        text = data.text("text")
        if ftype not in _TEXT_TARGETS:
            raise TemplateError(data.path, f"a text binding can only fill a text field, not {ftype.value}")
        _check_prefill_text(text, data.at("text"))
        return Binding(source=source, text=text)
    data.check_keys(("source", "key"))
    keys = BINDING_KEYS[source]
    key = check_text(data.need("key"), data.at("key"), max_length=64, single_line=True)
    if key not in keys:
        raise TemplateError(
            data.at("key"),
            f"unknown {source.value} key '{key}' (expected one of {', '.join(keys)})",
        )
    what, targets = _BINDING_TARGETS.get((source, key), (f"{source.value}.{key} (text)", _TEXT_TARGETS))
    if ftype not in targets:
        allowed = " or ".join(sorted(t.value for t in targets))
        raise TemplateError(data.path, f"{what} can only fill a {allowed} field, not {ftype.value}")
    return Binding(source=source, key=key)


def _check_prefill_text(text: str, path: str) -> None:
    tree = sandbox.syntax_tree(_ENV, text, path)
    sandbox.check_names(_ENV, tree, path, PREFILL_NAMES)
    for template_id, _field_id in sandbox.constant_subscripts(tree, "previous"):
        if not TEMPLATE_ID.fullmatch(template_id):
            raise TemplateError(path, f"previous['{template_id}']: not a template id")


def prefill_text_references(text: str) -> Iterator[tuple[str, str | None]]:
    """``(template id, field id or None)`` for each ``previous['id'].field`` in a text binding."""
    tree = _ENV.parse(text)
    yield from sandbox.constant_subscripts(tree, "previous")


def _check_note_summary(template: Template, source: str) -> None:
    tree = sandbox.syntax_tree(_ENV, source, "note_summary")
    field_ids = tuple(f.key for f in template.input_fields)
    sandbox.check_names(
        _ENV,
        tree,
        "note_summary",
        {"values": field_ids, "template": _TEMPLATE_ATTRIBUTES, "labels": None, "state": None, "answered": None},
    )
    if "labels" in sandbox.undeclared_names(tree):
        option_labels(template, strict=True)


def option_labels(template: Template, strict: bool = False) -> dict[str, str]:
    """The flat ``labels`` map note summaries see: option id -> label, over all fields.

    An option id used by two fields with different labels would make ``labels[id]`` ambiguous;
    with ``strict`` that is an error (raised at validation when ``note_summary`` uses ``labels``).
    """
    labels: dict[str, str] = {}
    where: dict[str, str] = {}
    for index, fld in enumerate(template.fields):
        shapes: list[tuple[str, Any]] = [(join_path("fields", index), fld)]
        shapes += [
            (join_path(join_path(join_path("fields", index), "columns"), c), col) for c, col in enumerate(fld.columns)
        ]
        for path, shape in shapes:
            for option in shape.options:
                if option.id in labels and labels[option.id] != option.label and strict:
                    raise TemplateError(
                        "note_summary",
                        f"uses 'labels' but option '{option.id}' has different labels in {where[option.id]} and {path}",
                    )
                labels.setdefault(option.id, option.label)
                where.setdefault(option.id, path)
    return labels
