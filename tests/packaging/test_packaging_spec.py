"""The PyInstaller spec bundles what the frozen app reads at run time, and only the Qt it uses.

The spec runs here against stand-ins for PyInstaller's build steps, so these tests are fast
and need no PyInstaller; packaging/build does the real build and smoke-tests it.
"""

from __future__ import annotations

import ast
import re
import stat
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from _packaging_helpers import PACKAGING, ROOT, run_spec

import trdplanner
from trdplanner import paths
from trdplanner.core import db


@pytest.fixture(scope="module")
def spec() -> dict[str, Any]:
    return run_spec()


def analysis(spec: dict[str, Any]) -> Any:
    (made,) = [m for m in spec["_made"] if m.kind == "Analysis"]
    return made


def bundled(spec: dict[str, Any]) -> set[str]:
    """Every data file as its path inside the bundle."""
    return {str(Path(dest, Path(src).name)) for src, dest in analysis(spec).kwargs["datas"]}


def repo_files(folder: Path) -> list[Path]:
    return [
        p
        for p in folder.rglob("*")
        if p.is_file() and "__pycache__" not in p.parts and p.suffix not in (".pyc", ".pyo")
    ]


def test_entry_point_is_the_cli_main(spec: dict[str, Any]) -> None:
    (script,) = analysis(spec).args[0]
    source = Path(script).read_text(encoding="utf-8")
    assert "from trdplanner.__main__ import main" in source
    assert analysis(spec).kwargs["pathex"] == [str(ROOT)]


def test_bundle_is_named_after_the_project(spec: dict[str, Any]) -> None:
    (collect,) = [m for m in spec["_made"] if m.kind == "COLLECT"]
    assert collect.kwargs["name"] == "trdplanner"
    exes = [m for m in spec["_made"] if m.kind == "EXE"]
    assert exes[0].kwargs["name"] == "trdplanner" and exes[0].kwargs["console"] is True
    assert spec["META"].version == trdplanner.__version__


def test_resources_and_templates_land_where_paths_looks_when_frozen(
    spec: dict[str, Any], monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setattr(sys, "_MEIPASS", str(tmp_path), raising=False)
    inside = bundled(spec)
    for source, frozen in ((ROOT / "resources", paths.resources_dir()), (ROOT / "templates", paths.templates_dir())):
        rel = frozen.relative_to(tmp_path)
        files = repo_files(source)
        assert files, source
        for path in files:
            assert str(rel / path.relative_to(source)) in inside, f"{path} is not bundled at {rel}"


def test_fonts_for_pdf_export_are_bundled(spec: dict[str, Any]) -> None:
    inside = bundled(spec)
    fonts = sorted((ROOT / "resources" / "fonts").glob("*.ttf"))
    assert fonts
    for font in fonts:
        assert f"resources/fonts/{font.name}" in inside


def test_every_migration_file_is_bundled_beside_the_db_module(spec: dict[str, Any]) -> None:
    package_root = Path(trdplanner.__file__).resolve().parent.parent
    rel = db.MIGRATIONS_DIR.relative_to(package_root)  # where db.py looks, relative to _MEIPASS
    inside = bundled(spec)
    files = repo_files(db.MIGRATIONS_DIR)
    assert any(p.name == "env.py" for p in files) and any(p.name == "script.py.mako" for p in files)
    assert any(p.parent.name == "versions" and p.name.startswith("0001") for p in files)
    for path in files:
        assert str(rel / path.relative_to(db.MIGRATIONS_DIR)) in inside, f"{path} is not bundled"


def test_modules_the_migrations_import_are_hidden_imports(spec: dict[str, Any]) -> None:
    hidden = set(analysis(spec).kwargs["hiddenimports"])
    for path in db.MIGRATIONS_DIR.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ImportFrom) and node.level == 0 and node.module != "__future__":
                assert node.module in hidden, f"{path.name} imports {node.module}"
            elif isinstance(node, ast.Import):
                assert {a.name for a in node.names} <= hidden, path.name


def qt_modules_the_app_imports() -> set[str]:
    found = set()
    for path in (ROOT / "trdplanner").rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ImportFrom) and node.module and node.module.startswith("PySide6."):
                found.add(node.module.split(".")[1])
            elif isinstance(node, ast.Import):
                found.update(a.name.split(".")[1] for a in node.names if a.name.startswith("PySide6."))
    return found


def test_no_qt_module_the_app_imports_is_excluded(spec: dict[str, Any]) -> None:
    used = qt_modules_the_app_imports()
    assert {"QtCore", "QtGui", "QtWidgets"} <= used
    excluded = {name.split(".", 1)[1] for name in analysis(spec).kwargs["excludes"] if name.startswith("PySide6.")}
    assert not used & excluded, f"the spec excludes Qt modules the app imports: {sorted(used & excluded)}"


def test_qt_modules_the_gui_needs_are_kept(spec: dict[str, Any]) -> None:
    hidden = set(analysis(spec).kwargs["hiddenimports"])
    for name in ("QtCharts", "QtPdf", "QtPdfWidgets", "QtPrintSupport", "QtSvg"):
        assert f"PySide6.{name}" in hidden


@pytest.mark.parametrize(
    ("dest", "kept"),
    [
        ("PySide6/Qt/plugins/platforms/libqxcb.so", True),
        ("PySide6/Qt/plugins/platforms/libqwayland.so", True),
        ("PySide6/Qt/plugins/platforms/libqoffscreen.so", True),
        ("PySide6/Qt/plugins/platforms/qwindows.dll", True),
        ("PySide6/Qt/plugins/platforms/libqcocoa.dylib", True),
        ("PySide6/Qt/plugins/platforms/libqeglfs.so", False),
        ("PySide6/Qt/plugins/platforms/libqvnc.so", False),
        ("PySide6/Qt/plugins/imageformats/libqsvg.so", True),
        ("PySide6/Qt/plugins/imageformats/libqjpeg.so", True),
        ("PySide6/Qt/plugins/imageformats/libqtiff.so", False),
        ("PySide6/Qt/plugins/iconengines/libqsvgicon.so", True),
        ("PySide6/Qt/plugins/printsupport/libcupsprintersupport.so", True),
        ("PySide6/Qt/plugins/platformthemes/libqgtk3.so", False),
        ("PySide6/Qt/plugins/platforminputcontexts/libqtvirtualkeyboardplugin.so", False),
        ("PySide6/Qt/plugins/platforminputcontexts/libibusplatforminputcontextplugin.so", True),
        ("PySide6/Qt/plugins/sqldrivers/libqsqlite.so", False),
        ("PySide6/Qt/plugins/multimedia/libffmpegmediaplugin.so", False),
        ("PySide6/Qt/translations/qtbase_de.qm", False),
        ("PySide6/Qt/lib/libQt6Pdf.so.6", True),
        ("trdplanner/core/migrations/env.py", True),
    ],
)
def test_qt_plugin_filter(spec: dict[str, Any], dest: str, kept: bool) -> None:
    assert spec["keep_qt_file"](dest) is kept


@pytest.mark.parametrize(
    ("name", "left_to_os"),
    [
        ("libxcb.so.1", True),
        ("libxcb-cursor.so.0", True),
        ("libxkbcommon-x11.so.0", True),
        ("libfontconfig.so.1", True),
        ("libglib-2.0.so.0", True),
        ("libstdc++.so.6", True),
        ("libcups.so.2", True),
        ("libwayland-client.so.0", True),
        # Copies that wheels vendor under a hashed name are private to the wheel: keep them.
        ("libxcb-9065bb12.so.1.1.0", False),
        ("libXau-154567c4.so.6.0.0", False),
        # What Python's own modules and Qt need from the bundle.
        ("libsqlite3.so.0", False),
        ("libssl.so.3", False),
        ("libpython3.11.so.1.0", False),
        ("libQt6Core.so.6", False),
        ("libicudata.so.73", False),
    ],
)
def test_system_library_policy(spec: dict[str, Any], name: str, left_to_os: bool) -> None:
    assert bool(spec["LEAVE_TO_OS"].match(name)) is left_to_os


def test_symlinks_to_pruned_libraries_are_dropped(spec: dict[str, Any]) -> None:
    binaries = [("PySide6/Qt/lib/libQt6Core.so.6", "/x/libQt6Core.so.6", "BINARY")]
    datas = [
        ("libQt6Core.so.6", "PySide6/Qt/lib/libQt6Core.so.6", "SYMLINK"),
        ("libQt6Quick.so.6", "PySide6/Qt/lib/libQt6Quick.so.6", "SYMLINK"),
        ("templates/a.yaml", "/x/a.yaml", "DATA"),
    ]
    kept = spec["prune_symlinks"](datas, binaries)
    assert [d[0] for d in kept] == ["libQt6Core.so.6", "templates/a.yaml"]


def test_build_script_is_executable_and_documents_itself() -> None:
    build = PACKAGING / "build"
    assert build.stat().st_mode & stat.S_IXUSR
    assert build.read_text(encoding="utf-8").startswith("#!/usr/bin/env python3\n")
    result = subprocess.run([sys.executable, str(build), "--help"], capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    assert "--no-deb" in result.stdout


def test_smoke_test_exercises_the_worksheet_export() -> None:
    source = (PACKAGING / "smoke_test.py").read_text(encoding="utf-8")
    assert re.search(r'"worksheet", WORKSHEET_TEMPLATE, "-o"', source)
    assert '"--version"' in source and '"demo"' in source
