"""Reading a filled-in fillable worksheet back: its manifest and the answers in its fields.

The values returned are raw (numbers as typed, dates as text); the caller validates them
against the template like any other instance, so a "2025-13-40" typed into a date box is
refused with the field's path instead of being stored.
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from typing import Any

from pypdf import PdfReader
from pypdf.errors import LimitReachedError, PdfReadError

from trdplanner.catalog import Column, Field, FieldType, Template
from trdplanner.catalog.limits import MAX_TABLE_ROWS
from trdplanner.export.formfields import MANIFEST_FIELD, Manifest, field_name

# Values a checkbox or radio button reports when it is not selected.
_OFF = ("", "/Off", "Off")


class ReadbackError(ValueError):
    """The file is not a readable TRD Planner fillable worksheet; the message says why."""


@dataclass(frozen=True)
class FilledForm:
    manifest: Manifest
    fields: dict[str, Any]  # field name -> raw /V value


def pdf_is_protected(data: bytes) -> bool:
    """Whether the PDF needs an open password (False for anything pypdf cannot open at all)."""
    try:
        return bool(PdfReader(io.BytesIO(data)).is_encrypted)
    except Exception:  # a damaged file: read_form says what is wrong with it
        return False


def read_form(data: bytes, password: str | None = None) -> FilledForm:
    """Open a PDF (with its open password, if it has one) and find our manifest and every field's value."""
    if not data.startswith(b"%PDF"):
        raise ReadbackError("is not a PDF file")
    # pypdf resolves objects lazily, so a bomb can go off at any step: guard the whole reading.
    try:
        return _read_form(data, password)
    except LimitReachedError:  # a compressed stream that would expand past pypdf's limit (a Flate bomb)
        raise ReadbackError(
            "holds a compressed part that expands to an impossible size; it is damaged or was made to attack "
            "the reader"
        ) from None
    except RecursionError:  # objects nested inside each other beyond any real form
        raise ReadbackError(
            "is nested too deeply to be a form; it is damaged or was made to attack the reader"
        ) from None


def _read_form(data: bytes, password: str | None) -> FilledForm:
    try:
        reader = PdfReader(io.BytesIO(data))
        if reader.is_encrypted:
            if not password:
                raise ReadbackError("is password-protected; give its password (--password-file FILE)")
            if not reader.decrypt(password):
                raise ReadbackError("does not open with that password")
        raw_fields = reader.get_fields() or {}
    except ReadbackError:
        raise
    except (PdfReadError, ValueError, KeyError, TypeError, OSError) as exc:
        raise ReadbackError(f"cannot be read as a PDF ({exc})") from None
    manifest_field = raw_fields.get(MANIFEST_FIELD)
    if manifest_field is None:
        raise ReadbackError("is not a fillable worksheet printed by TRD Planner (use --fillable when printing it)")
    try:
        manifest = Manifest.from_json(str(manifest_field.get("/V") or ""))
    except ValueError as exc:
        raise ReadbackError(f"cannot be used: {exc}") from None
    values = {name: f.get("/V") for name, f in raw_fields.items() if name != MANIFEST_FIELD}
    return FilledForm(manifest, values)


def _text(raw: Any) -> str | None:
    if raw is None:
        return None
    text = str(raw)
    return text if text.strip() else None


def _button(raw: Any) -> str | None:
    """The export value of a radio group or checkbox, or None when nothing is chosen."""
    if raw is None:
        return None
    value = str(raw)
    if value in _OFF:
        return None
    return value[1:] if value.startswith("/") else value


def _scalar(fld: Field | Column, fields: dict[str, Any], *path: object) -> Any:
    name = field_name(*path)
    raw = fields.get(name)
    kind = fld.type
    if kind is FieldType.YES_NO:
        chosen = _button(raw)
        return None if chosen is None else {"yes": True, "no": False}.get(chosen, chosen)
    if kind is FieldType.CHOICE:
        return _button(raw)
    if kind is FieldType.CHECKLIST:
        return [o.id for o in fld.options if _button(fields.get(field_name(*path, o.id))) is not None]
    if kind is FieldType.RATING:
        # A drop-down reports the text chosen, a questionnaire grid the button's name ("/2").
        if isinstance(raw, list):
            raw = raw[0] if raw else None
        return _text(_button(raw))
    return _text(raw)


def values_for(template: Template, form: FilledForm) -> dict[str, Any]:
    """The raw answers for ``template`` (which must be the one the manifest names)."""
    values: dict[str, Any] = {}
    kept = form.manifest.kept
    for fld in template.input_fields:
        if fld.type is not FieldType.TABLE:
            value = _scalar(fld, form.fields, fld.key)
            values[fld.key] = kept.get(fld.key) if value in (None, []) and fld.key in kept else value
            continue
        rows = []
        count = form.manifest.tables.get(fld.key, len(fld.fixed_rows))
        limit = len(fld.fixed_rows) or fld.max_rows or MAX_TABLE_ROWS
        if count > limit:
            raise ReadbackError(f"claims {count} rows for '{fld.label}', which holds at most {limit}")
        for r in range(count):
            row: dict[str, Any] = {}
            for column in fld.columns:
                # A column reads like a field of its own type at its cell's path.
                value = _scalar(column, form.fields, fld.key, r, column.id)
                key = f"{fld.key}:{r}:{column.id}"
                row[column.id] = kept.get(key) if value in (None, []) and key in kept else value
            rows.append(row)
        values[fld.key] = rows
    return values
