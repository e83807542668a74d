"""Records to JSON-ready data and back, driven by the records' type hints.

Reading is strict: every problem is reported with its path
(``sessions[3].note.signed_at: not a date-time``) and unknown keys are refused, so a
damaged or hand-edited file is rejected before anything is written.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import types
import typing
from enum import StrEnum
from functools import cache
from typing import Any, TypeVar, Union

from trdplanner.core.errors import InputError

T = TypeVar("T")
JSON = Any

# Bounds that keep a hostile file from exhausting memory or the database.
MAX_TEXT = 1_000_000
MAX_LIST = 100_000
MIN_INT, MAX_INT = -(2**31), 2**31 - 1
# Fields that only mean something inside one database, left out with the ids.
LOCAL_FIELDS = frozenset({"version", "supervisor_id", "awaiting_cosigner", "trial_id"})


def to_data(record: Any, *, with_ids: bool = True) -> JSON:
    """A record (or list/dict of them) as JSON-ready builtins."""
    if dataclasses.is_dataclass(record) and not isinstance(record, type):
        out: dict[str, Any] = {}
        for f in dataclasses.fields(record):
            # Database ids are local to one database; string ids (note sections) are content.
            if f.name == "id" and not with_ids and not isinstance(getattr(record, f.name), str):
                continue
            if f.name in LOCAL_FIELDS and not with_ids:
                continue
            out[f.name] = to_data(getattr(record, f.name), with_ids=with_ids)
        return out
    if isinstance(record, list | tuple):
        return [to_data(v, with_ids=with_ids) for v in record]
    if isinstance(record, dict):
        return {str(k): to_data(v, with_ids=with_ids) for k, v in record.items()}
    if isinstance(record, dt.datetime):
        return record.isoformat()
    if isinstance(record, dt.date):
        return record.isoformat()
    if isinstance(record, StrEnum):  # a vocabulary value: its text, as a builtin str
        return str(record)
    return record


@cache
def _hints(cls: type) -> dict[str, Any]:
    return typing.get_type_hints(cls)


def from_data(cls: type[T], data: JSON, path: str = "") -> T:
    """Build a record of type ``cls`` from JSON data, or raise InputError naming the path."""
    return typing.cast(T, _convert(cls, data, path))


def _describe(path: str) -> str:
    return path or "(top level)"


def _convert(tp: Any, value: Any, path: str) -> Any:
    origin = typing.get_origin(tp)
    if origin in (Union, types.UnionType):
        args = [a for a in typing.get_args(tp) if a is not type(None)]
        if value is None:
            if len(args) == len(typing.get_args(tp)):
                raise InputError(_describe(path), "is required")
            return None
        return _convert(args[0], value, path)
    if value is None and tp is not Any:
        raise InputError(_describe(path), "is required")
    if tp is Any:
        return _check_any(value, path)
    if dataclasses.is_dataclass(tp):
        return _convert_record(typing.cast(type, tp), value, path)
    if origin is list:
        if not isinstance(value, list):
            raise InputError(_describe(path), "must be a list")
        if len(value) > MAX_LIST:
            raise InputError(_describe(path), f"has more than {MAX_LIST} entries")
        (item_type,) = typing.get_args(tp)
        return [_convert(item_type, v, f"{path}[{i}]") for i, v in enumerate(value)]
    if origin is dict:
        if not isinstance(value, dict):
            raise InputError(_describe(path), "must be an object")
        return {str(k): _check_any(v, f"{path}.{k}") for k, v in value.items()}
    return _convert_scalar(tp, value, path)


def _convert_record(cls: type, value: Any, path: str) -> Any:
    if not isinstance(value, dict):
        raise InputError(_describe(path), "must be an object")
    hints = _hints(cls)
    known = {f.name: f for f in dataclasses.fields(cls)}
    for key in value:
        if key not in known:
            where = f"{path}.{key}" if path else str(key)
            raise InputError(where, "unknown field")
    kwargs: dict[str, Any] = {}
    for name, f in known.items():
        where = f"{path}.{name}" if path else name
        if name in value:
            kwargs[name] = _convert(hints[name], value[name], where)
        elif f.default is dataclasses.MISSING and f.default_factory is dataclasses.MISSING:
            raise InputError(where, "is required")
    return cls(**kwargs)


def _convert_scalar(tp: Any, value: Any, path: str) -> Any:
    where = _describe(path)
    if tp is bool:
        if not isinstance(value, bool):
            raise InputError(where, "must be true or false")
        return value
    if tp is int:
        if isinstance(value, bool) or not isinstance(value, int):
            raise InputError(where, "must be a whole number")
        if not MIN_INT <= value <= MAX_INT:  # what an INTEGER column holds on every database
            raise InputError(where, f"must be between {MIN_INT} and {MAX_INT}, got {value}")
        return value
    if tp is float:
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise InputError(where, "must be a number")
        if value != value or value in (float("inf"), float("-inf")):
            raise InputError(where, "must be a finite number")
        return float(value)
    if tp is str:
        if not isinstance(value, str):
            raise InputError(where, "must be text")
        return _checked_text(value, where)
    if isinstance(tp, type) and issubclass(tp, StrEnum):
        allowed = [str(v) for v in tp]
        if not isinstance(value, str) or value not in allowed:
            raise InputError(where, f"must be one of {', '.join(allowed)}; got {value!r}")
        return tp(value)
    if tp is dt.datetime:
        if not isinstance(value, str):
            raise InputError(where, "must be a date-time like 2026-01-31T14:05:00+00:00")
        try:
            parsed = dt.datetime.fromisoformat(value)
        except ValueError as exc:
            raise InputError(where, f"not a valid date-time: {value!r}") from exc
        if parsed.tzinfo is None:
            raise InputError(where, "date-time must include a UTC offset")
        return parsed
    if tp is dt.date:
        return parse_date(value, where)
    raise TypeError(f"unsupported type {tp!r} at {where}")


def parse_date(value: Any, field: str) -> dt.date:
    if not isinstance(value, str):
        raise InputError(field, "must be a date like 2026-01-31")
    try:
        if len(value) != 10:
            raise ValueError
        return dt.date.fromisoformat(value)
    except ValueError as exc:
        raise InputError(field, f"not a valid date (expected YYYY-MM-DD): {value!r}") from exc


def _check_any(value: Any, path: str, depth: int = 0) -> Any:
    """Free-form JSON (template values, snapshots): only JSON types, bounded in depth and size."""
    if depth > 20:
        raise InputError(_describe(path), "is nested too deeply")
    if value is None or isinstance(value, bool | int):
        return value
    if isinstance(value, float):
        if value != value or value in (float("inf"), float("-inf")):
            raise InputError(_describe(path), "must be a finite number")
        return value
    if isinstance(value, str):
        return _checked_text(value, _describe(path))
    if isinstance(value, list):
        if len(value) > MAX_LIST:
            raise InputError(_describe(path), f"has more than {MAX_LIST} entries")
        return [_check_any(v, f"{path}[{i}]", depth + 1) for i, v in enumerate(value)]
    if isinstance(value, dict):
        return {
            _checked_text(str(k), f"{path}.{k!r}"): _check_any(v, f"{path}.{k}", depth + 1) for k, v in value.items()
        }
    raise InputError(_describe(path), "holds a value JSON cannot represent")


def _checked_text(value: str, where: str) -> str:
    """Text every database can store: bounded, no NUL character, no unpaired surrogate."""
    if len(value) > MAX_TEXT:
        raise InputError(where, f"is longer than {MAX_TEXT} characters")
    if "\x00" in value:  # PostgreSQL cannot store it in text
        raise InputError(where, "must not contain a NUL character")
    try:
        value.encode("utf-8")
    except UnicodeEncodeError as exc:  # a lone surrogate from a \ud800-style JSON escape
        raise InputError(where, "holds a character that is not valid Unicode text") from exc
    return value
