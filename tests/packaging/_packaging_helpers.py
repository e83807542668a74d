"""Shared by the packaging tests: load packaging/project_meta.py and the PyInstaller spec
without PyInstaller (the spec runs against stand-ins that record what it asks for)."""

from __future__ import annotations

import importlib.util
import runpy
import sys
from pathlib import Path
from types import ModuleType
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
PACKAGING = ROOT / "packaging"
SPEC = PACKAGING / "trdplanner.spec"


def project_meta() -> ModuleType:
    name = "trdplanner_project_meta"
    if name in sys.modules:
        return sys.modules[name]
    spec = importlib.util.spec_from_file_location(name, PACKAGING / "project_meta.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)
    return module


class _Recorder:
    """Stands in for Analysis, PYZ, EXE, COLLECT and BUNDLE: keeps its arguments."""

    calls: list[tuple[str, tuple[Any, ...], dict[str, Any]]]

    def __init__(self, kind: str, *args: Any, **kwargs: Any) -> None:
        self.kind, self.args, self.kwargs = kind, args, kwargs
        # What the spec reads back from an Analysis before the build steps.
        self.binaries: list[Any] = []
        # PyInstaller turns (source, dest folder) pairs into (dest path, source, kind) entries.
        self.datas: list[Any] = [
            (str(Path(dest, Path(src).name)), src, "DATA") for src, dest in kwargs.get("datas", [])
        ]
        self.pure: list[Any] = []
        self.scripts: list[Any] = []


def run_spec() -> dict[str, Any]:
    """Execute the spec as PyInstaller would, with recording stand-ins; return its namespace."""
    made: list[_Recorder] = []

    def factory(kind: str) -> Any:
        def make(*args: Any, **kwargs: Any) -> _Recorder:
            made.append(_Recorder(kind, *args, **kwargs))
            return made[-1]

        return make

    namespace = runpy.run_path(
        str(SPEC),
        init_globals={
            "SPECPATH": str(PACKAGING),
            **{kind: factory(kind) for kind in ("Analysis", "PYZ", "EXE", "COLLECT", "BUNDLE")},
        },
    )
    namespace["_made"] = made
    return namespace
