"""Filled instances: checking values against their template and storing them as plain data.

Cleaned values are JSON-able and complete: every input field of the template is present, a
blank one as ``None`` (``[]`` for checklists and tables; blank rows for fixed-row tables), text
with normalized line endings, numbers as int/float, dates and times as ISO strings. Cleaning is
idempotent, so values read back from storage validate to the same dict.
"""

from __future__ import annotations

import datetime as dt
import math
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from trdplanner.catalog.errors import InstanceError, Problem, join_path
from trdplanner.catalog.limits import MAX_TABLE_ROWS, MAX_VALUE_LENGTH
from trdplanner.catalog.model import Column, Field, FieldType, Template
from trdplanner.catalog.reader import describe

# Tab and newline are the only control characters a filled value may hold; the rest break
# printing and storage, and never come from a keyboard.
_BAD_CHARS = re.compile(r"[\x00-\x08\x0b-\x1f\x7f\ud800-\udfff]")
_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
_TIME = re.compile(r"(\d{1,2}):(\d{2})")


class _Bad(Exception):
    """One value is wrong; the caller knows its path."""


def _text(shape: Field | Column, value: object) -> str | None:
    if not isinstance(value, str):
        raise _Bad(f"must be text, got {describe(value)}")
    text = value.replace("\r\n", "\n").replace("\r", "\n")
    if not text.strip():
        return None
    bad = _BAD_CHARS.search(text)
    if bad:
        raise _Bad(f"contains a character that cannot be stored (U+{ord(bad.group()):04X})")
    limit = shape.max_length if shape.max_length is not None else MAX_VALUE_LENGTH
    if len(text) > limit:
        raise _Bad(f"too long ({len(text)} characters; at most {limit})")
    if shape.type is FieldType.SHORT_TEXT and "\n" in text.strip("\n"):
        raise _Bad("must be a single line")
    return text


def _parse_number(value: object) -> int | float:
    if isinstance(value, bool):
        raise _Bad(f"must be a number, got {describe(value)}")
    if isinstance(value, str):
        stripped = value.strip()
        try:
            value = int(stripped) if re.fullmatch(r"[+-]?\d{1,18}", stripped) else float(stripped)
        except ValueError:
            raise _Bad(f"must be a number, got {describe(value)}") from None
    if not isinstance(value, int | float):
        raise _Bad(f"must be a number, got {describe(value)}")
    if isinstance(value, float):
        if not math.isfinite(value):
            raise _Bad("must be a finite number")
        if value.is_integer() and abs(value) < 2**53:
            return int(value)
    return value


def _range_text(lo: int | float | None, hi: int | float | None) -> str:
    if lo is not None and hi is not None:
        return f"{lo:g} to {hi:g}"
    return f"at least {lo:g}" if lo is not None else f"at most {hi:g}"


def _number(shape: Field | Column, value: object) -> int | float:
    number = _parse_number(value)
    if shape.integer and not isinstance(number, int):
        raise _Bad(f"must be a whole number, got {number:g}")
    if (shape.min is not None and number < shape.min) or (shape.max is not None and number > shape.max):
        raise _Bad(f"must be {_range_text(shape.min, shape.max)}, got {number:g}")
    return number


def _rating(shape: Field | Column, value: object) -> int:
    assert shape.min is not None and shape.max is not None
    lo, hi, step = int(shape.min), int(shape.max), shape.step
    scale = f"{lo} to {hi}" + (f" in steps of {step}" if step != 1 else "")
    number = _parse_number(value)
    if not isinstance(number, int) or not lo <= number <= hi or (number - lo) % step:
        shown = f"{number:g}" if isinstance(number, float) else str(number)
        raise _Bad(f"must be {scale}, got {shown}")
    return number


def _date(value: object) -> str:
    if isinstance(value, dt.datetime):
        value = value.date()
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, str) and _DATE.fullmatch(value.strip()):
        try:
            return dt.date.fromisoformat(value.strip()).isoformat()
        except ValueError:
            raise _Bad(f"is not a real date: {value.strip()}") from None
    raise _Bad(f"must be a date as YYYY-MM-DD, got {describe(value)}")


def _time(value: object) -> str:
    if isinstance(value, dt.time):
        return f"{value.hour:02d}:{value.minute:02d}"
    match = _TIME.fullmatch(value.strip()) if isinstance(value, str) else None
    if match and int(match[1]) < 24 and int(match[2]) < 60:
        return f"{int(match[1]):02d}:{match[2]}"
    raise _Bad(f"must be a time as HH:MM (00:00 to 23:59), got {describe(value)}")


def _yes_no(value: object) -> bool:
    if not isinstance(value, bool):
        raise _Bad(f"must be true or false, got {describe(value)}")
    return value


def _expected_options(shape: Field | Column) -> str:
    return ", ".join(o.id for o in shape.options[:20]) + (", ..." if len(shape.options) > 20 else "")


def _choice(shape: Field | Column, value: object) -> str | None:
    if isinstance(value, str) and not value.strip():
        return None
    if not isinstance(value, str) or shape.option(value) is None:
        raise _Bad(f"{describe(value)} is not an option (expected one of {_expected_options(shape)})")
    return value


def _checklist(shape: Field | Column, value: object) -> list[str]:
    if not isinstance(value, list | tuple):
        raise _Bad(f"must be a list of option ids, got {describe(value)}")
    chosen: set[str] = set()
    for item in value:
        if not isinstance(item, str) or shape.option(item) is None:
            raise _Bad(f"{describe(item)} is not an option (expected one of {_expected_options(shape)})")
        if item in chosen:
            raise _Bad(f"lists '{item}' twice")
        chosen.add(item)
    # The template's option order, so equal selections compare and print the same.
    return [o.id for o in shape.options if o.id in chosen]


def clean_scalar(shape: Field | Column, value: object) -> Any:
    """Clean one non-table value; raises ``ValueError`` with the problem (no path)."""
    try:
        return _clean_scalar(shape, value)
    except _Bad as exc:
        raise ValueError(str(exc)) from None


def _clean_scalar(shape: Field | Column, value: object) -> Any:
    if value is None:
        return [] if shape.type is FieldType.CHECKLIST else None
    kind = shape.type
    if kind.is_text:
        return _text(shape, value)
    if kind is FieldType.NUMBER:
        return _number(shape, value)
    if kind is FieldType.RATING:
        return _rating(shape, value)
    if kind is FieldType.DATE:
        return _date(value)
    if kind is FieldType.TIME:
        return _time(value)
    if kind is FieldType.YES_NO:
        return _yes_no(value)
    if kind is FieldType.CHOICE:
        return _choice(shape, value)
    if kind is FieldType.CHECKLIST:
        return _checklist(shape, value)
    raise AssertionError(f"not a scalar type: {kind}")


def is_blank(value: object) -> bool:
    """Whether a cleaned value counts as not filled in."""
    if value is None or value == [] or value == "":
        return True
    if isinstance(value, Mapping):
        return all(is_blank(v) for v in value.values())
    if isinstance(value, list) and all(isinstance(v, Mapping) for v in value):
        return all(is_blank(v) for v in value)
    return False


def blank_row(table: Field) -> dict[str, Any]:
    return {c.id: [] if c.type is FieldType.CHECKLIST else None for c in table.columns}


def blank_value(field: Field) -> Any:
    if field.type is FieldType.TABLE:
        return [blank_row(field) for _ in field.fixed_rows]
    return [] if field.type is FieldType.CHECKLIST else None


def blank_values(template: Template) -> dict[str, Any]:
    """Cleaned values of an untouched instance (what a blank printed worksheet shows)."""
    return {f.key: blank_value(f) for f in template.input_fields}


class _Checker:
    def __init__(self, template: Template, partial: bool) -> None:
        self.template = template
        self.partial = partial
        self.problems: list[Problem] = []

    def fail(self, path: str, message: str) -> None:
        self.problems.append(Problem(path, message))

    def values(self, values: object) -> dict[str, Any]:
        if not isinstance(values, Mapping):
            self.fail("", f"values must be a mapping of field id to value, got {describe(values)}")
            return {}
        fields = {f.id: f for f in self.template.fields if f.id is not None}
        for key in values:
            field = fields.get(key) if isinstance(key, str) else None
            if field is None:
                self.fail(str(key), f"not a field of {self.template.ref}")
            elif not field.is_input:
                self.fail(str(key), f"is a {field.type.value}, which holds no value")
        cleaned: dict[str, Any] = {}
        for field in self.template.input_fields:
            cleaned[field.key] = self.field(field, values.get(field.key))
        return cleaned

    def field(self, field: Field, value: object) -> Any:
        path = field.key
        if field.type is FieldType.TABLE:
            result: Any = self.table(field, value, path)
        else:
            try:
                result = _clean_scalar(field, value)
            except _Bad as exc:
                self.fail(path, str(exc))
                return blank_value(field)
        if field.required and not self.partial and is_blank(result):
            self.fail(path, "required")
        return result

    def table(self, field: Field, value: object, path: str) -> list[dict[str, Any]]:
        if value is None:
            return blank_value(field)
        if not isinstance(value, list | tuple):
            self.fail(path, f"must be a list of rows, got {describe(value)}")
            return blank_value(field)
        limit = len(field.fixed_rows) if field.fixed_rows else (field.max_rows or MAX_TABLE_ROWS)
        if len(value) > limit:
            what = "fixed rows" if field.fixed_rows else "rows at most"
            self.fail(path, f"has {len(value)} rows; the table has {limit} {what}")
            return blank_value(field)
        rows = [self.row(field, row, join_path(path, i)) for i, row in enumerate(value)]
        if field.fixed_rows:
            rows += [blank_row(field) for _ in range(len(field.fixed_rows) - len(rows))]
            return rows
        # Blank rows (a form's empty trailing row) carry nothing; dropping them keeps counts honest.
        rows = [r for r in rows if not is_blank(r)]
        if field.min_rows is not None and not self.partial and 0 < len(rows) < field.min_rows:
            self.fail(path, f"needs at least {field.min_rows} rows, got {len(rows)}")
        return rows

    def row(self, field: Field, row: object, path: str) -> dict[str, Any]:
        if not isinstance(row, Mapping):
            self.fail(path, f"must be a mapping of column id to value, got {describe(row)}")
            return blank_row(field)
        for key in row:
            if not isinstance(key, str) or field.column(key) is None:
                self.fail(join_path(path, str(key)), f"not a column of {field.key}")
        cleaned: dict[str, Any] = {}
        for column in field.columns:
            try:
                cleaned[column.id] = _clean_scalar(column, row.get(column.id))
            except _Bad as exc:
                self.fail(join_path(path, column.id), str(exc))
                cleaned[column.id] = None
        if not self.partial and not is_blank(cleaned):
            for column in field.columns:
                if column.required and is_blank(cleaned[column.id]):
                    self.fail(join_path(path, column.id), "required")
        return cleaned


def instance_problems(template: Template, values: Mapping[str, Any], *, partial: bool = False) -> list[Problem]:
    """Every problem with ``values``; empty if they are valid."""
    checker = _Checker(template, partial)
    checker.values(values)
    return checker.problems


def validate_instance(template: Template, values: Mapping[str, Any], *, partial: bool = False) -> dict[str, Any]:
    """Check ``values`` against ``template`` and return them cleaned (see module docstring).

    ``partial=True`` skips completeness rules (required fields, min_rows) for saving drafts;
    values must still be well formed. Raises :class:`InstanceError` listing every problem.
    """
    checker = _Checker(template, partial)
    cleaned = checker.values(values)
    if checker.problems:
        raise InstanceError(checker.problems)
    return cleaned


@dataclass(frozen=True)
class FilledInstance:
    """Values filled against one exact template definition (id and version).

    Store the definition snapshot (``template_to_dict``) next to it, so the instance stays
    readable when the catalog moves on to a newer version.
    """

    template_id: str
    template_version: int
    values: Mapping[str, Any]

    @classmethod
    def create(cls, template: Template, values: Mapping[str, Any], *, partial: bool = False) -> FilledInstance:
        return cls(template.id, template.version, validate_instance(template, values, partial=partial))

    def check(self, template: Template, *, partial: bool = False) -> FilledInstance:
        """Re-validate against the definition it was filled with; returns a cleaned copy."""
        if (template.id, template.version) != (self.template_id, self.template_version):
            raise InstanceError(
                [
                    Problem(
                        "",
                        f"filled against {self.template_id} v{self.template_version}, not {template.ref}",
                    )
                ]
            )
        return FilledInstance.create(template, self.values, partial=partial)

    def to_dict(self) -> dict[str, Any]:
        return {
            "template_id": self.template_id,
            "template_version": self.template_version,
            "values": dict(self.values),
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> FilledInstance:
        """Read the shape back (values are checked against the template by :meth:`check`)."""
        problems = []
        if not isinstance(data, Mapping):
            raise InstanceError([Problem("", f"must be a mapping, got {describe(data)}")])
        extra = sorted(str(k) for k in data if k not in ("template_id", "template_version", "values"))
        problems += [Problem(k, "unknown key") for k in extra]
        template_id = data.get("template_id")
        version = data.get("template_version")
        values = data.get("values")
        if not isinstance(template_id, str) or not template_id:
            problems.append(Problem("template_id", f"must be a template id, got {describe(template_id)}"))
        if isinstance(version, bool) or not isinstance(version, int) or version < 1:
            problems.append(Problem("template_version", f"must be a whole number >= 1, got {describe(version)}"))
        if not isinstance(values, Mapping):
            problems.append(Problem("values", f"must be a mapping, got {describe(values)}"))
        if problems:
            raise InstanceError(problems)
        assert isinstance(template_id, str) and isinstance(version, int)
        assert isinstance(values, Mapping)
        return cls(template_id, version, dict(values))


def instance_values(instance: object) -> Mapping[str, Any] | None:
    """The values of a FilledInstance, of its ``to_dict()`` form, or of a plain values mapping."""
    if isinstance(instance, FilledInstance):
        return instance.values
    if isinstance(instance, Mapping):
        inner = instance.get("values")
        if "template_id" in instance and isinstance(inner, Mapping):
            return inner
        return instance
    values = getattr(instance, "values", None)
    return values if isinstance(values, Mapping) else None


def latest_values(instances: Sequence[object]) -> Mapping[str, Any] | None:
    """The values of the newest instance in a newest-first list."""
    return instance_values(instances[0]) if instances else None
