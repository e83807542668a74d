"""Fixtures for the PDF tests: one demo practice built per run, copied for each test."""

from __future__ import annotations

import datetime as dt
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from trdplanner.catalog import Catalog, load_catalog
from trdplanner.context import AppContext
from trdplanner.core.demo import create_demo
from trdplanner.export import PdfOptions
from trdplanner.paths import templates_dir

# The demo is laid out relative to "today"; pinning it keeps every date in the output stable.
DEMO_TODAY = dt.date(2026, 3, 2)
CREATED_AT = dt.datetime(2026, 3, 2, 9, 30, tzinfo=dt.UTC)


@pytest.fixture(scope="session")
def catalog() -> Catalog:
    return load_catalog(templates_dir())


@pytest.fixture(scope="session")
def demo_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A data dir holding the demo practice, made once per test run."""
    folder = tmp_path_factory.mktemp("demo-practice")
    ctx = AppContext.open(str(folder))
    try:
        create_demo(ctx, today=DEMO_TODAY)
    finally:
        ctx.close()
    return folder


@pytest.fixture(scope="session")
def demo_reader(demo_dir: Path) -> Iterator[AppContext]:
    """The shared demo practice, for tests that only read it (never write through this)."""
    ctx = AppContext.open(str(demo_dir))
    yield ctx
    ctx.close()


@pytest.fixture
def demo_ctx(demo_dir: Path, data_dir: Path) -> Iterator[AppContext]:
    """A private copy of the demo practice in this test's data dir (tests may change it)."""
    for item in demo_dir.iterdir():
        if item.is_file():
            shutil.copy2(item, data_dir / item.name)
    ctx = AppContext.open(str(data_dir))
    yield ctx
    ctx.close()


@pytest.fixture
def options() -> PdfOptions:
    return PdfOptions(created_at=CREATED_AT)
