"""Storage fixtures: every service test runs on SQLite, and on PostgreSQL when one is configured."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from trdplanner.context import AppContext


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def db_url(request: pytest.FixtureRequest, data_dir: Path) -> str:
    """A database URL for an empty database: a SQLite file in the data dir, or a fresh PG database."""
    if request.param == "sqlite":
        return f"sqlite:///{data_dir / 'trdplanner.sqlite3'}"
    return str(request.getfixturevalue("pg_url"))


@pytest.fixture
def ctx(data_dir: Path, db_url: str) -> Iterator[AppContext]:
    """The app's composition root opened on the per-test data dir and the chosen database."""
    context = AppContext.open(str(data_dir), db_url)
    yield context
    context.close()
