"""Command-line start-up against a bare interpreter, measured in one run.

    PYTHONPATH=. python benchmarks/bench_startup.py            # 15 runs of each
    PYTHONPATH=. python benchmarks/bench_startup.py --runs 31

The baseline is the plainest start there is: ``python -c pass`` in a new process. Each
command is timed the same way, as a new process from spawn to exit, and the medians are
compared. Targets (issue 16): ``trdplanner --version`` and ``--help`` within 3x the bare
interpreter. ``patient list`` on the demo practice is printed too, for information: it opens
the database, so it cannot be near a bare interpreter, but it loads no PDF, template, Qt or
migration code (tests/cli/test_cli_startup.py checks which libraries each command loads).
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
TARGET = 3.0


def _median_seconds(command: list[str], runs: int, env: dict[str, str]) -> float:
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        subprocess.run(command, env=env, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=True)
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=15)
    args = parser.parse_args()
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    python = sys.executable
    with tempfile.TemporaryDirectory() as tmp:
        data = str(Path(tmp) / "demo")
        subprocess.run([python, "-m", "trdplanner", "--data-dir", data, "demo", "--no-encryption"], env=env,
                       cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=True)
        # Warm the file cache and the bytecode once, so neither side pays for the first read.
        for warm in ([python, "-c", "pass"], [python, "-m", "trdplanner", "--version"]):
            subprocess.run(warm, env=env, cwd=ROOT, stdout=subprocess.DEVNULL, check=True)
        bare = _median_seconds([python, "-c", "pass"], args.runs, env)
        rows = [
            ("trdplanner --version", [python, "-m", "trdplanner", "--version"], True),
            ("trdplanner --help", [python, "-m", "trdplanner", "--help"], True),
            ("trdplanner patient list", [python, "-m", "trdplanner", "--data-dir", data, "patient", "list"], False),
        ]
        print(f"bare interpreter (python -c pass): {bare * 1000:.0f} ms (median of {args.runs})")
        failed = False
        for label, command, targeted in rows:
            seconds = _median_seconds(command, args.runs, env)
            ratio = seconds / bare
            verdict = ""
            if targeted:
                verdict = "  within target" if ratio <= TARGET else f"  OVER the {TARGET:.0f}x target"
                failed |= ratio > TARGET
            print(f"{label}: {seconds * 1000:.0f} ms = {ratio:.1f}x the bare interpreter{verdict}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
