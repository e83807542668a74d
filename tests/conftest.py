"""Suite-wide test set-up: offscreen Qt and a fresh data dir for every test."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

# Set before anything imports Qt, once for the whole suite.
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")


@pytest.fixture(autouse=True)
def data_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """Every test gets its own data dir, so nothing leaks into the user's real one."""
    d = tmp_path / "data"
    d.mkdir()
    monkeypatch.setenv("TRDPLANNER_DATA_DIR", str(d))
    monkeypatch.delenv("TRDPLANNER_DB", raising=False)
    yield d
