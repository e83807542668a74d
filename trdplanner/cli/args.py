"""Argument parsing helpers shared by the commands."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import TYPE_CHECKING

from trdplanner.core.errors import InputError, NotFoundError
from trdplanner.core.serialize import parse_date

if TYPE_CHECKING:  # the composition root loads the database layer; only the handlers need it
    from trdplanner.context import AppContext


def patient_id(ctx: AppContext, ref: str) -> int:
    """A patient named by database id or by print code (a code made only of digits works too)."""
    # An id that is in range and exists wins; a digits-only print code is the fallback.
    if ref.isdigit() and int(ref) <= 2**31 - 1:
        try:
            ctx.patients.get(int(ref))
            return int(ref)
        except NotFoundError:
            pass
    found = ctx.patients.id_for_code(ref)
    if found is None:
        raise NotFoundError("patient", ref)
    return found


def date_arg(value: str | None, field: str = "date") -> dt.date | None:
    return None if value is None else parse_date(value, field)


def int_list(value: str, field: str) -> list[int]:
    parts = [p.strip() for p in value.split(",")]
    out = []
    for i, p in enumerate(parts):
        try:
            out.append(int(p))
        except ValueError as exc:
            raise InputError(f"{field}[{i}]", f"not a whole number: {p!r}") from exc
    return out


def read_text_file(path: Path, max_bytes: int, field: str = "file") -> str:
    """A UTF-8 file's text, refusing a missing, unreadable or oversized file in plain words."""
    try:
        if path.stat().st_size > max_bytes:
            raise InputError(field, f"is larger than {max_bytes // 1024} KB")
        return path.read_text(encoding="utf-8")
    except FileNotFoundError as exc:
        raise InputError(field, f"not found: {path}") from exc
    except UnicodeDecodeError as exc:
        raise InputError(field, "is not UTF-8 text") from exc
    except OSError as exc:
        raise InputError(field, f"cannot be read ({exc.strerror})") from exc
