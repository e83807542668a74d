"""Running the command line in-process, and a practice with the demo already in it."""

from __future__ import annotations

import contextlib
import io
import shutil
from pathlib import Path

import pytest
from _cli_helpers import Result, Run

from trdplanner.cli import main


@pytest.fixture
def run(capsys: pytest.CaptureFixture[str]) -> Run:
    """Call ``trdplanner ARGS...`` in-process; argparse's own exits are caught and returned."""

    def invoke(*argv: str) -> Result:
        capsys.readouterr()  # drop anything printed before
        try:
            code = main(list(argv))
        except SystemExit as exc:
            code = exc.code if isinstance(exc.code, int) else (0 if exc.code is None else 1)
        captured = capsys.readouterr()
        return Result(code, captured.out, captured.err)

    return invoke


@pytest.fixture(scope="session")
def demo_database(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The database file of a data dir where ``trdplanner demo`` has run, made once per test run."""
    data = tmp_path_factory.mktemp("cli-demo")
    with contextlib.redirect_stdout(io.StringIO()):
        assert main(["--data-dir", str(data), "demo"]) == 0
    path = data / "trdplanner.sqlite3"
    assert path.exists() and not Path(f"{path}-wal").exists()
    return path


@pytest.fixture
def demo_dir(data_dir: Path, demo_database: Path) -> Path:
    """The per-test data dir (also $TRDPLANNER_DATA_DIR) holding a copy of the demo practice."""
    shutil.copyfile(demo_database, data_dir / "trdplanner.sqlite3")
    return data_dir
