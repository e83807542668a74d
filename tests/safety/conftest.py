"""Data-safety fixtures: an encrypted practice, the CLI run in-process, both storage backends."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from _safety_helpers import Result, Run

from trdplanner.cli import main
from trdplanner.context import AppContext


@pytest.fixture
def run(capsys: pytest.CaptureFixture[str]) -> Run:
    """``trdplanner ARGS...`` in-process; argparse's own exits are caught and returned."""

    def invoke(*argv: str) -> Result:
        capsys.readouterr()
        try:
            code = main(list(argv))
        except SystemExit as exc:
            code = exc.code if isinstance(exc.code, int) else (0 if exc.code is None else 1)
        captured = capsys.readouterr()
        return Result(code, captured.out, captured.err)

    return invoke


@pytest.fixture
def ctx(data_dir: Path) -> Iterator[AppContext]:
    """A new practice in the per-test data dir: encrypted with the suite's passphrase."""
    context = AppContext.open(str(data_dir))
    assert context.key is not None
    yield context
    context.close()


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def any_ctx(request: pytest.FixtureRequest, data_dir: Path) -> Iterator[AppContext]:
    """An encrypted SQLite practice, or one on a fresh PostgreSQL database."""
    url = None if request.param == "sqlite" else str(request.getfixturevalue("pg_url"))
    context = AppContext.open(str(data_dir), url)
    yield context
    context.close()
