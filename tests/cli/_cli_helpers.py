"""Shared by the CLI tests: what a run returns, and probes of the data it left behind."""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import func, select

from trdplanner.core.db import Database
from trdplanner.core.models import Base


@dataclass
class Result:
    code: int
    out: str
    err: str


Run = Callable[..., Result]


def row_counts(data_dir: Path, url: str | None = None) -> dict[str, int]:
    """Rows per table: compared before and after a command that must write nothing."""
    db = Database.open(url or f"sqlite:///{data_dir / 'trdplanner.sqlite3'}")
    try:
        with db.reading() as s:
            return {
                t.name: s.scalar(select(func.count()).select_from(t)) or 0
                for t in Base.metadata.sorted_tables
                if t.name != "audit_event"  # reads (an export, say) are audited too
            }
    finally:
        db.close()


def json_out(run: Run, *argv: str) -> Any:
    result = run(*argv)
    assert result.code == 0, result.err
    assert result.err == "", result.err
    return json.loads(result.out)


def assert_one_line_error(result: Result, *mentions: str) -> None:
    """Non-zero exit, exactly one line on stderr, no traceback, naming what was wrong."""
    assert result.code != 0
    assert result.err.endswith("\n") and result.err.count("\n") == 1, result.err
    assert "Traceback" not in result.err
    for word in mentions:
        assert word in result.err, (word, result.err)
