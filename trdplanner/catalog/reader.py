"""Path-aware reading of parsed YAML/JSON data.

Validation walks plain data (dicts, lists, scalars) and needs to say exactly where something is
wrong. :class:`MappingReader` wraps one mapping together with its path and turns every type or
range problem into a :class:`TemplateError` for ``path.key``.
"""

from __future__ import annotations

import datetime as dt
import difflib
import math
import re
from collections.abc import Collection, Mapping
from enum import StrEnum
from typing import Any, TypeVar

from trdplanner.catalog.errors import TemplateError, join_path
from trdplanner.catalog.limits import MAX_ITEMS, MAX_LABEL_LENGTH, MAX_NUMBER, MAX_TEXT_LENGTH

E = TypeVar("E", bound=StrEnum)

_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def describe(value: object) -> str:
    """How a wrong value is named in messages: by its kind, with the value when short."""
    if value is None:
        return "nothing (an empty value)"
    if isinstance(value, bool):
        return f"{'true' if value else 'false'} (a yes/no value)"
    if isinstance(value, int | float):
        return f"the number {value}"
    if isinstance(value, str):
        shown = value if len(value) <= 40 else value[:37] + "..."
        return f"the text {shown!r}"
    if isinstance(value, dt.date | dt.time):
        return f"the date/time {value.isoformat()}"
    if isinstance(value, Mapping):
        return "a mapping"
    if isinstance(value, list | tuple):
        return "a list"
    return type(value).__name__


def _quote_hint(value: object) -> str:
    # YAML turns unquoted yes/no/on/off, numbers and dates into non-text values; the fix is quotes.
    if isinstance(value, bool | int | float | dt.date | dt.time):
        return "; put it in quotes"
    return ""


def suggest(key: str, candidates: Collection[str]) -> str:
    match = difflib.get_close_matches(key, sorted(candidates), n=1, cutoff=0.6)
    if match:
        return f" (did you mean '{match[0]}'?)"
    return f" (expected one of {', '.join(sorted(candidates))})" if candidates else ""


def check_text(
    value: object,
    path: str,
    *,
    max_length: int = MAX_TEXT_LENGTH,
    single_line: bool = False,
    allow_blank: bool = False,
) -> str:
    if not isinstance(value, str):
        raise TemplateError(path, f"must be text, got {describe(value)}{_quote_hint(value)}")
    if not allow_blank and not value.strip():
        raise TemplateError(path, "must not be empty")
    if len(value) > max_length:
        raise TemplateError(path, f"too long ({len(value)} characters; at most {max_length})")
    if single_line and "\n" in value.strip():
        raise TemplateError(path, "must be a single line")
    bad = _CONTROL.search(value)
    if bad:
        raise TemplateError(path, f"contains a control character (U+{ord(bad.group()):04X})")
    return value


def check_int(value: object, path: str, *, lo: int | None = None, hi: int | None = None) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise TemplateError(path, f"must be a whole number, got {describe(value)}")
    if lo is not None and value < lo:
        raise TemplateError(path, f"must be at least {lo}, got {value}")
    if hi is not None and value > hi:
        raise TemplateError(path, f"must be at most {hi}, got {value}")
    return value


def check_number(value: object, path: str) -> int | float:
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise TemplateError(path, f"must be a number, got {describe(value)}")
    if isinstance(value, float) and not math.isfinite(value):
        raise TemplateError(path, "must be a finite number")
    if abs(value) > MAX_NUMBER:
        raise TemplateError(path, f"must be between -{MAX_NUMBER:g} and {MAX_NUMBER:g}")
    return value


def check_bool(value: object, path: str) -> bool:
    if not isinstance(value, bool):
        raise TemplateError(path, f"must be true or false, got {describe(value)}")
    return value


def check_enum(value: object, path: str, enum: type[E], what: str) -> E:
    if isinstance(value, str):
        try:
            return enum(value)
        except ValueError:
            pass
    expected = ", ".join(m.value for m in enum)
    shown = f"'{value}'" if isinstance(value, str) else describe(value)
    raise TemplateError(path, f"unknown {what} {shown} (expected one of {expected})")


def check_pattern(value: object, path: str, pattern: re.Pattern[str], rule: str, max_len: int) -> str:
    text = check_text(value, path, max_length=max_len, single_line=True)
    if not pattern.fullmatch(text):
        raise TemplateError(path, f"must be {rule}")
    return text


def check_list(value: object, path: str, *, non_empty_reason: str | None = None) -> list[Any]:
    if not isinstance(value, list | tuple):
        raise TemplateError(path, f"must be a list, got {describe(value)}")
    if len(value) > MAX_ITEMS:
        raise TemplateError(path, f"too many entries ({len(value)}; at most {MAX_ITEMS})")
    if non_empty_reason and not value:
        raise TemplateError(path, non_empty_reason)
    return list(value)


class MappingReader:
    """One mapping of a definition, with the path used in its error messages."""

    def __init__(self, data: object, path: str) -> None:
        if not isinstance(data, Mapping):
            raise TemplateError(path, f"must be a mapping of keys to values, got {describe(data)}")
        for key in data:
            if not isinstance(key, str):
                raise TemplateError(join_path(path, str(key)), "keys must be text")
        self.data: Mapping[str, Any] = data
        self.path = path

    def at(self, key: str | int) -> str:
        return join_path(self.path, key)

    def check_keys(self, allowed: Collection[str], misplaced: Mapping[str, str] | None = None) -> None:
        """Refuse keys outside ``allowed``; ``misplaced`` explains keys valid elsewhere."""
        for key in self.data:
            if key in allowed:
                continue
            if misplaced and key in misplaced:
                raise TemplateError(self.at(key), misplaced[key])
            raise TemplateError(self.at(key), "unknown key" + suggest(key, allowed))

    def has(self, key: str) -> bool:
        # An explicit `key:` with nothing after it reads as absent, which is what authors mean.
        return self.data.get(key) is not None

    def get(self, key: str) -> Any:
        return self.data.get(key)

    def need(self, key: str, reason: str = "required") -> Any:
        if not self.has(key):
            raise TemplateError(self.at(key), reason)
        return self.data[key]

    def text(
        self,
        key: str,
        *,
        max_length: int = MAX_TEXT_LENGTH,
        single_line: bool = False,
    ) -> str:
        return check_text(self.need(key), self.at(key), max_length=max_length, single_line=single_line)

    def label(self, key: str) -> str:
        return self.text(key, max_length=MAX_LABEL_LENGTH, single_line=True)

    def optional_text(self, key: str, *, max_length: int = MAX_TEXT_LENGTH) -> str | None:
        return self.text(key, max_length=max_length) if self.has(key) else None

    def integer(self, key: str, *, lo: int | None = None, hi: int | None = None) -> int:
        return check_int(self.need(key), self.at(key), lo=lo, hi=hi)

    def optional_integer(self, key: str, *, lo: int | None = None, hi: int | None = None) -> int | None:
        return self.integer(key, lo=lo, hi=hi) if self.has(key) else None

    def optional_number(self, key: str) -> int | float | None:
        return check_number(self.data[key], self.at(key)) if self.has(key) else None

    def boolean(self, key: str, default: bool) -> bool:
        return check_bool(self.data[key], self.at(key)) if self.has(key) else default

    def enum(self, key: str, enum: type[E], what: str) -> E:
        return check_enum(self.need(key), self.at(key), enum, what)

    def items(self, key: str, *, non_empty_reason: str | None = None) -> list[tuple[str, Any]]:
        """``(path, item)`` for each entry of the list at ``key`` (absent: empty)."""
        if not self.has(key):
            if non_empty_reason:
                raise TemplateError(self.at(key), non_empty_reason)
            return []
        entries = check_list(self.data[key], self.at(key), non_empty_reason=non_empty_reason)
        return [(join_path(self.at(key), i), item) for i, item in enumerate(entries)]
