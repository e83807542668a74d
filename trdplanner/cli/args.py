"""Argument parsing helpers shared by the commands."""

from __future__ import annotations

import datetime as dt

from trdplanner.context import AppContext
from trdplanner.core.errors import InputError, NotFoundError
from trdplanner.core.serialize import parse_date


def patient_id(ctx: AppContext, ref: str) -> int:
    """A patient named by database id or by print code."""
    if ref.isdigit():
        pid = int(ref)
        if pid > 2**31 - 1:  # no database id is this large, and the database would refuse to look it up
            raise NotFoundError("patient", ref)
        ctx.patients.get(pid)  # raises NotFoundError with a plain message
        return pid
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
