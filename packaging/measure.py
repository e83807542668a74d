"""Measure the built app against the source install: size on disk and start-up time.

    packaging/build                                   # first: dist/ and build/venv
    build/venv/bin/python packaging/measure.py        # prints a Markdown table for the README

The source install is build/venv (``pip install .``, the way a developer runs it). Start-up
is timed for ``--version`` and for opening the window until the patient list is filled in
(the app logs "database open"; offscreen Qt). "Cold" runs follow a drop of the page cache
(needs root; skipped otherwise), "warm" is the median of the following runs.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(HERE))
import smoke_test  # noqa: E402


def du(path: Path) -> int:
    if path.is_file():
        return path.stat().st_size
    return sum(p.lstat().st_size for p in path.rglob("*") if p.is_file() or p.is_symlink())


def installed_size(project: str = "trdplanner") -> int:
    """Bytes a `pip install .` of the app puts in site-packages: it and its dependencies,
    not pip, setuptools or the build tools that share this venv."""
    from importlib import metadata

    from packaging.requirements import Requirement

    seen: set[str] = set()
    todo = [project]
    total = 0
    while todo:
        name = todo.pop().lower().replace("_", "-")
        if name in seen:
            continue
        seen.add(name)
        try:
            dist = metadata.distribution(name)
        except metadata.PackageNotFoundError:
            continue
        total += sum(f.size or 0 for f in dist.files or [])
        for spec in dist.requires or []:
            req = Requirement(spec)
            if req.marker is None or req.marker.evaluate({"extra": ""}):
                todo.append(req.name)
    return total


def mib(size: int) -> str:
    return f"{size / 1024 / 1024:.0f} MiB"


def drop_caches() -> bool:
    try:
        subprocess.run(["sync"], check=True)
        Path("/proc/sys/vm/drop_caches").write_text("3\n")
        return True
    except OSError:
        return False


def timed(fn: Callable[[], object]) -> float:
    started = time.monotonic()
    fn()
    return time.monotonic() - started


def measure(label: str, fn: Callable[[], float], warm_runs: int) -> tuple[float | None, float]:
    cold = fn() if drop_caches() else None
    warm = statistics.median(fn() for _ in range(warm_runs))
    print(f"  {label}: cold {cold if cold is None else round(cold, 2)} s, warm {warm:.2f} s", file=sys.stderr)
    return cold, warm


def main() -> int:
    parser = argparse.ArgumentParser(description="size and start-up time: bundle vs source install")
    parser.add_argument("--runs", type=int, default=5, help="warm runs to take the median of")
    args = parser.parse_args()

    bundle_exe = ROOT / "dist" / "trdplanner" / "trdplanner"
    source_exe = ROOT / "build" / "venv" / "bin" / "trdplanner"
    for exe in (bundle_exe, source_exe):
        if not exe.exists():
            sys.exit(f"{exe} is missing: run packaging/build first")
    debs = sorted((ROOT / "dist").glob("*.deb"))

    work = Path(tempfile.mkdtemp(prefix="trdplanner-measure-"))
    env = {k: v for k, v in os.environ.items() if not k.startswith("TRDPLANNER_")}
    env.update(QT_QPA_PLATFORM="offscreen", HOME=str(work), LC_ALL="C.UTF-8")
    rows = []
    for label, exe in (("bundle (dist/trdplanner)", bundle_exe), ("source install (pip install .)", source_exe)):
        data = work / label.split()[0]
        plain = ["--no-encryption"] if smoke_test.supports(str(exe), env, ["demo"], "--no-encryption") else []
        subprocess.run([str(exe), "--data-dir", str(data), "demo", *plain], env=env, check=True, capture_output=True)
        print(label, file=sys.stderr)

        def version(exe: Path = exe) -> float:
            return timed(lambda: subprocess.run([str(exe), "--version"], env=env, check=True, capture_output=True))

        def window(exe: Path = exe, data: Path = data) -> float:
            with contextlib.redirect_stdout(sys.stderr):  # keep stdout for the table
                return smoke_test.check_gui(str(exe), env, data, "window")

        rows.append((label, measure("--version", version, args.runs), measure("window", window, args.runs)))
    shutil.rmtree(work, ignore_errors=True)

    def fmt(pair: tuple[float | None, float]) -> str:
        cold, warm = pair
        return f"{cold:.1f} s / {warm:.1f} s" if cold is not None else f"n/a / {warm:.1f} s"

    print("| | on disk | `--version` (cold / warm) | window with patient list (cold / warm) |")
    print("|---|---|---|---|")
    print(f"| {rows[0][0]} | {mib(du(bundle_exe.parent))} | {fmt(rows[0][1])} | {fmt(rows[0][2])} |")
    source_size = f"{mib(installed_size())} (its site-packages, plus Python)"
    print(f"| {rows[1][0]} | {source_size} | {fmt(rows[1][1])} | {fmt(rows[1][2])} |")
    for deb in debs:
        print(f"\n{deb.name}: {mib(deb.stat().st_size)} download")
    return 0


if __name__ == "__main__":
    sys.exit(main())
