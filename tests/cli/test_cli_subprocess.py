"""The real thing: ``python -m trdplanner`` in a child process, as a shell script would run it."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from trdplanner import __version__

REPO = Path(__file__).resolve().parents[2]


def trdplanner(*argv: str, data_dir: Path, cwd: Path) -> subprocess.CompletedProcess[str]:
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join([str(REPO), *filter(None, [env.get("PYTHONPATH")])])
    env["TRDPLANNER_DATA_DIR"] = str(data_dir)
    env.pop("TRDPLANNER_DB", None)
    env["PYTHONIOENCODING"] = "utf-8"
    return subprocess.run(
        [sys.executable, "-m", "trdplanner", *argv],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        encoding="utf-8",
        timeout=120,
        check=False,
    )


def test_module_entry_point_end_to_end(demo_dir: Path, tmp_path: Path) -> None:
    """Each child process costs about a second, so one test walks the main path and two failures."""
    cwd = tmp_path / "elsewhere"
    cwd.mkdir()

    version = trdplanner("--version", data_dir=demo_dir, cwd=cwd)
    assert version.returncode == 0
    assert version.stdout.strip() == f"TRD Planner {__version__}"

    listed = trdplanner("patient", "list", "--json", data_dir=demo_dir, cwd=cwd)
    assert listed.returncode == 0, listed.stderr
    rows = {r["code"]: r for r in json.loads(listed.stdout)}
    assert len(rows) >= 6
    assert rows["DEMO-04"]["full_name"] == "Tomás Álvarez"  # UTF-8 through the pipe

    added = trdplanner("measure", "add", "DEMO-04", "phq9", "--items", "0,0,0,0,0,0,0,0,1", data_dir=demo_dir, cwd=cwd)
    assert added.returncode == 0, added.stderr
    assert "ALERT" in added.stdout

    # Failures: a non-zero status, one line on stderr, no traceback, nothing on stdout.
    for argv in (
        ("measure", "add", "DEMO-04", "phq9", "--items", "1,1,1"),
        ("--db", "not a url", "patient", "list"),
    ):
        failed = trdplanner(*argv, data_dir=demo_dir, cwd=cwd)
        assert failed.returncode != 0, argv
        assert failed.stderr.count("\n") == 1 and "Traceback" not in failed.stderr, (argv, failed.stderr)
        assert failed.stdout == "", argv
