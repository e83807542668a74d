"""The layering contracts in pyproject.toml ([tool.importlinter]) hold: run with the test suite."""

from __future__ import annotations

import subprocess
import sys
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def test_import_contracts_are_kept() -> None:
    code = "import sys; from importlinter.cli import lint_imports; sys.exit(lint_imports(no_cache=True, no_logo=True))"
    run = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True,
                         env={"PYTHONPATH": str(ROOT), "PATH": ""}, timeout=300)
    assert run.returncode == 0, run.stdout + run.stderr


def test_clinical_contract_names_every_other_top_level_module() -> None:
    """A new top-level module is forbidden to clinical/ too, not silently allowed."""
    config = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["importlinter"]["contracts"]
    clinical = next(c for c in config if c["id"] == "clinical-imports-nothing-of-ours")
    package = ROOT / "trdplanner"
    ours = {f"trdplanner.{p.stem}" for p in package.glob("*.py") if not p.stem.startswith("__")}
    ours |= {f"trdplanner.{p.name}" for p in package.iterdir() if (p / "__init__.py").is_file()}
    ours.discard("trdplanner.clinical")
    assert ours == set(clinical["forbidden_modules"])
