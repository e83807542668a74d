"""Storage fixtures: every service test runs on SQLite, and on PostgreSQL when one is configured."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from trdplanner.context import AppContext
from trdplanner.core.db import Database

BACKENDS = ["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)]


@pytest.fixture(params=BACKENDS)
def db_url(request: pytest.FixtureRequest, data_dir: Path) -> str:
    """A URL for an EMPTY database (no tables): a SQLite file in the data dir, or a fresh PG database."""
    if request.param == "sqlite":
        return f"sqlite:///{data_dir / 'trdplanner.sqlite3'}"
    return str(request.getfixturevalue("pg_url"))


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A SQLite file migrated to head once per run; tests start from copies of it."""
    path = tmp_path_factory.mktemp("sqlite-template") / "trdplanner.sqlite3"
    Database.open(f"sqlite:///{path}").close()
    assert not Path(f"{path}-wal").exists()  # fully checkpointed, so the file alone is the database
    return path


@pytest.fixture(params=BACKENDS)
def ready_db_url(request: pytest.FixtureRequest, data_dir: Path, sqlite_template: Path) -> Iterator[str]:
    """A URL for a database already at the newest schema and holding no records."""
    if request.param == "sqlite":
        target = data_dir / "trdplanner.sqlite3"
        shutil.copyfile(sqlite_template, target)
        yield f"sqlite:///{target}"
        return
    template = request.getfixturevalue("pg_migrated_template")
    with request.getfixturevalue("pg_database_factory")(template=template) as url:
        yield url


@pytest.fixture
def ctx(data_dir: Path, ready_db_url: str) -> Iterator[AppContext]:
    """The app's composition root opened on the per-test data dir and the chosen database."""
    context = AppContext.open(str(data_dir), ready_db_url)
    yield context
    context.close()


@pytest.fixture
def second_db_url(
    ready_db_url: str, tmp_path: Path, sqlite_template: Path, request: pytest.FixtureRequest
) -> Iterator[str]:
    """Another database on the same backend as ``ready_db_url``, at head and empty."""
    if ready_db_url.startswith("sqlite"):
        target = tmp_path / "second.sqlite3"
        shutil.copyfile(sqlite_template, target)
        yield f"sqlite:///{target}"
        return
    template = request.getfixturevalue("pg_migrated_template")
    with request.getfixturevalue("pg_database_factory")(template=template) as url:
        yield url


@pytest.fixture(scope="session")
def demo_sqlite(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A SQLite file holding the demo practice, made once per run (the demo is slow to make)."""
    from trdplanner.core.demo import create_demo

    data = tmp_path_factory.mktemp("demo-data")
    context = AppContext.open(str(data))
    try:
        create_demo(context)
    finally:
        context.close()
    path = context.paths.database_file
    assert not Path(f"{path}-wal").exists()
    return path


@pytest.fixture(scope="session")
def demo_exports(demo_sqlite: Path) -> dict[str, str]:
    """Every demo patient's JSON export, keyed by print code."""
    db = Database.open(f"sqlite:///{demo_sqlite}")
    try:
        from trdplanner.core.services.patients import PatientService
        from trdplanner.core.services.transfer import TransferService

        transfer = TransferService(db)
        return {s.code: transfer.export_json(s.id) for s in PatientService(db).summaries(status=None)}
    finally:
        db.close()
