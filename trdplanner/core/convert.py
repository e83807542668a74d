"""Copying between ORM rows and plain records by field name.

Records and models share their scalar field names on purpose; nested lists and
cross-references are handled by the service that owns them.
"""

from __future__ import annotations

import dataclasses
import typing
from enum import StrEnum
from functools import cache
from typing import Any, TypeVar

T = TypeVar("T")


@cache
def enum_fields(cls: type) -> dict[str, type[StrEnum]]:
    """The record's fields typed as a vocabulary (a StrEnum), by name."""
    hints = typing.get_type_hints(cls)
    return {f.name: hints[f.name] for f in dataclasses.fields(cls)
            if isinstance(hints[f.name], type) and issubclass(hints[f.name], StrEnum)}


def record_from_row(cls: type[T], row: object, **overrides: Any) -> T:
    """Build record ``cls`` from the same-named attributes of ``row``; ``overrides`` win."""
    assert dataclasses.is_dataclass(cls)
    kwargs = dict(overrides)
    for f in dataclasses.fields(cls):
        if f.name not in kwargs:
            kwargs[f.name] = getattr(row, f.name)
    # Columns hold the vocabulary's text; the record holds its enum (every write checked the value).
    for name, kind in enum_fields(cls).items():
        kwargs[name] = kind(kwargs[name])
    return cls(**kwargs)


def scalar_fields(record: object, *, skip: tuple[str, ...] = ("id",)) -> dict[str, Any]:
    """The record's fields that are plain values (no nested lists or records)."""
    assert dataclasses.is_dataclass(record)
    out: dict[str, Any] = {}
    for f in dataclasses.fields(record):
        value = getattr(record, f.name)
        if f.name in skip or isinstance(value, list) or dataclasses.is_dataclass(value):
            continue
        out[f.name] = value
    return out


# ``version`` is the database's (bumped on each UPDATE); a record's copy is only compared, never written.
_NEVER_COPIED = ("id", "version")


def row_from_record(model: type[T], record: object, *, skip: tuple[str, ...] = _NEVER_COPIED, **extra: Any) -> T:
    return model(**scalar_fields(record, skip=skip), **extra)


def update_row(row: object, record: object, *, skip: tuple[str, ...] = _NEVER_COPIED) -> None:
    for name, value in scalar_fields(record, skip=skip).items():
        setattr(row, name, value)
