"""Suite-wide test set-up: offscreen Qt and a fresh data dir for every test."""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager
from pathlib import Path

import pytest

# Set before anything imports Qt, once for the whole suite.
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")


TEST_PASSPHRASE = "test passphrase: synthetic data only"
# Session-scoped fixtures open databases before the per-test fixture below runs.
os.environ.setdefault("TRDPLANNER_PASSPHRASE", TEST_PASSPHRASE)


@pytest.fixture(autouse=True)
def data_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """Every test gets its own data dir, so nothing leaks into the user's real one."""
    d = tmp_path / "data"
    d.mkdir()
    monkeypatch.setenv("TRDPLANNER_DATA_DIR", str(d))
    monkeypatch.delenv("TRDPLANNER_DB", raising=False)
    # A new data dir's database is encrypted (SQLCipher) with this passphrase, as in real use.
    monkeypatch.setenv("TRDPLANNER_PASSPHRASE", TEST_PASSPHRASE)
    yield d


# --------------------------------------------------------------------------- PostgreSQL

PG_URL_ENV = "TRDPLANNER_TEST_PG_URL"


@contextmanager
def fresh_pg_database(admin_url: str, template: str | None = None) -> Iterator[str]:
    """A uniquely named PostgreSQL database for the block, empty or a copy of ``template``; dropped afterwards."""
    import uuid

    from sqlalchemy import create_engine, text
    from sqlalchemy.engine import make_url
    from sqlalchemy.pool import NullPool

    name = f"trdplanner_test_{uuid.uuid4().hex[:16]}"
    admin = create_engine(admin_url, isolation_level="AUTOCOMMIT", poolclass=NullPool)
    try:
        with admin.connect() as conn:
            conn.execute(text(f'CREATE DATABASE "{name}"' + (f' TEMPLATE "{template}"' if template else "")))
        try:
            yield make_url(admin_url).set(database=name).render_as_string(hide_password=False)
        finally:
            with admin.connect() as conn:
                conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    finally:
        admin.dispose()


@pytest.fixture
def pg_admin_url() -> str:
    """The server named by $TRDPLANNER_TEST_PG_URL; the test is skipped when it is unset."""
    url = os.environ.get(PG_URL_ENV)
    if not url:
        pytest.skip(f"{PG_URL_ENV} is not set (a PostgreSQL URL the tests may create databases on)")
    return url


@pytest.fixture
def pg_url(pg_admin_url: str) -> Iterator[str]:
    """A fresh, empty PostgreSQL database for this test only."""
    with fresh_pg_database(pg_admin_url) as url:
        yield url


@pytest.fixture
def pg_database_factory(pg_admin_url: str) -> Callable[..., AbstractContextManager[str]]:
    """For tests that need several fresh databases (one per Hypothesis example, say).

    Call it with ``template=`` a database name to start from a copy of that database.
    """
    return lambda template=None: fresh_pg_database(pg_admin_url, template)


@pytest.fixture(scope="session")
def pg_migrated_template() -> Iterator[str]:
    """The name of a PostgreSQL database already migrated to head, built once per run.

    Copying it (CREATE DATABASE ... TEMPLATE) is much faster than migrating every test's database.
    """
    url = os.environ.get(PG_URL_ENV)
    if not url:
        pytest.skip(f"{PG_URL_ENV} is not set")
    from sqlalchemy.engine import make_url

    from trdplanner.core.db import Database

    with fresh_pg_database(url) as template_url:
        Database.open(template_url).close()
        name = make_url(template_url).database
        assert name is not None
        yield name
