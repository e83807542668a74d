"""Where the app reads and writes, its settings file, and what an installed wheel carries."""

from __future__ import annotations

import json
import os
import shutil
import stat
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from trdplanner import paths
from trdplanner.paths import AppPaths, resources_dir, templates_dir
from trdplanner.settings import PageSize, Settings, SettingsError, load_settings, save_settings

REPO = Path(__file__).resolve().parents[1]


# --------------------------------------------------------------------------- data dir and database


def test_data_dir_comes_from_the_environment_by_default(data_dir: Path) -> None:
    assert AppPaths.resolve().data_dir == data_dir.resolve()


def test_explicit_data_dir_wins_over_the_environment(data_dir: Path, tmp_path: Path) -> None:
    other = tmp_path / "other"
    assert AppPaths.resolve(other).data_dir == other.resolve()
    assert AppPaths.resolve(str(other)).data_dir == other.resolve()


def test_platform_default_when_nothing_is_set(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.delenv(paths.DATA_DIR_ENV)
    monkeypatch.setattr(paths.platformdirs, "user_data_dir", lambda *a, **k: str(tmp_path / "platform"))
    assert AppPaths.resolve().data_dir == (tmp_path / "platform").resolve()


def test_home_is_expanded(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("HOME", str(tmp_path))
    assert AppPaths.resolve("~/trd").data_dir == (tmp_path / "trd").resolve()


def test_ensure_creates_private_folders(tmp_path: Path) -> None:
    p = AppPaths.resolve(tmp_path / "new" / "practice").ensure()
    for folder in (p.data_dir, p.logs_dir, p.backups_dir, p.user_templates_dir):
        assert folder.is_dir()
        assert folder.parent == p.data_dir or folder == p.data_dir
        if os.name == "posix":
            assert stat.S_IMODE(folder.stat().st_mode) == 0o700  # clinical records: owner only
    assert p.database_file.parent == p.data_dir and p.settings_file.parent == p.data_dir


def test_database_url_argument_then_environment_then_embedded_file(
    data_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    p = AppPaths.resolve()
    assert p.database_url() == f"sqlite:///{data_dir.resolve() / 'trdplanner.sqlite3'}"
    monkeypatch.setenv(paths.DB_URL_ENV, "postgresql+psycopg://u@h/env")
    assert p.database_url() == "postgresql+psycopg://u@h/env"
    assert p.database_url("postgresql+psycopg://u@h/arg") == "postgresql+psycopg://u@h/arg"


def test_source_checkout_finds_the_shipped_folders() -> None:
    assert (templates_dir() / "notes" / "soap.yaml").is_file()
    assert list((templates_dir() / "cbt").glob("*.yaml"))
    assert resources_dir().is_dir()


# --------------------------------------------------------------------------- settings


def test_settings_default_when_no_file(data_dir: Path) -> None:
    assert load_settings(data_dir / "settings.json") == Settings()


def test_settings_round_trip_through_the_file(data_dir: Path) -> None:
    path = data_dir / "settings.json"
    chosen = Settings(page_size=PageSize.LETTER, phq9_reliable_change=5, adequacy_weeks=6, backups_to_keep=3)
    save_settings(path, chosen)
    assert load_settings(path) == chosen
    assert json.loads(path.read_text(encoding="utf-8"))["page_size"] == "Letter"
    if os.name == "posix":
        assert stat.S_IMODE(path.stat().st_mode) == 0o600


def test_out_of_range_settings_are_refused_and_not_saved(data_dir: Path) -> None:
    path = data_dir / "settings.json"
    save_settings(path, Settings(backups_to_keep=7))
    for bad in (Settings(autosave_seconds=0), Settings(adequacy_weeks=3), Settings(backups_to_keep=500)):
        with pytest.raises(SettingsError):
            save_settings(path, bad)
    assert load_settings(path).backups_to_keep == 7


@pytest.mark.parametrize(
    "content",
    ["{not json", "[1, 2]", '{"adequacy_weeks": 99}', '{"page_size": "A0"}', '{"pdf_name_in_metadata": "yes"}'],
)
def test_a_damaged_settings_file_falls_back_to_defaults(data_dir: Path, content: str) -> None:
    path = data_dir / "settings.json"
    path.write_text(content, encoding="utf-8")
    assert load_settings(path) == Settings()


def test_settings_from_a_newer_version_keep_what_is_understood(data_dir: Path) -> None:
    path = data_dir / "settings.json"
    path.write_text(json.dumps({"page_size": "Letter", "a_future_setting": True}), encoding="utf-8")
    assert load_settings(path).page_size is PageSize.LETTER


# --------------------------------------------------------------------------- the installed wheel

_JUNK = shutil.ignore_patterns(
    ".git", "build", "dist", "*.egg-info", "__pycache__", ".hypothesis", ".mypy_cache", ".pytest_cache",
    ".ruff_cache", ".venv", "out", "*.sqlite3",
)  # fmt: skip


def _run(cmd: list[str], **kw: object) -> subprocess.CompletedProcess[str]:
    done = subprocess.run(cmd, capture_output=True, text=True, timeout=600, check=False, **kw)  # type: ignore[call-overload]
    assert done.returncode == 0, f"{' '.join(cmd)}\n{done.stdout}\n{done.stderr}"
    return done  # type: ignore[no-any-return]


def _files_under(folder: Path) -> set[str]:
    return {p.relative_to(folder).as_posix() for p in folder.rglob("*") if p.is_file() and "__pycache__" not in p.parts}


def test_every_data_folder_is_a_declared_package() -> None:
    # setuptools prints ~40 lines of warnings per data folder it finds but was not told about,
    # which buried the quick start's own messages; the wheel test below checks the real build.
    import tomllib

    config = tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))["tool"]["setuptools"]
    declared = set(config["packages"])
    for folder, package in (("resources", "trdplanner._resources"), ("templates", "trdplanner._templates")):
        assert config["package-dir"][package] == folder
        for sub in (REPO / folder).rglob("*"):
            if sub.is_dir() and "__pycache__" not in sub.parts:
                name = ".".join([package, *sub.relative_to(REPO / folder).parts])
                assert name in declared, f"{sub.relative_to(REPO)} is not in [tool.setuptools] packages as {name}"


@pytest.mark.slow
def test_installed_wheel_carries_templates_resources_and_migrations(tmp_path: Path) -> None:
    # Build from a clean copy so the checkout gets no build/ folder and no stale build output is reused.
    source = tmp_path / "source"
    shutil.copytree(REPO, source, ignore=_JUNK)
    wheels = tmp_path / "wheels"
    # Verbose, so setuptools' own warnings (hidden by --quiet, shown by a plain `pip install .`) can be checked.
    built = _run([sys.executable, "-m", "pip", "wheel", "--no-deps", "-v", "-w", str(wheels), str(source)])
    log = built.stdout + built.stderr
    assert "is absent from the `packages` configuration" not in log, "a data folder is missing from packages"
    assert not [line for line in log.splitlines() if "Warning:" in line and "setuptools" in line], log
    (wheel,) = wheels.glob("trdplanner-*.whl")
    site = tmp_path / "site"
    _run([sys.executable, "-m", "pip", "install", "--no-deps", "--quiet", "--target", str(site), str(wheel)])

    probe = textwrap.dedent(
        """
        import json, sys, tempfile
        from pathlib import Path
        import trdplanner
        from trdplanner.paths import resources_dir, templates_dir
        from trdplanner.core.db import Database, current_revision, head_revision
        with tempfile.TemporaryDirectory() as tmp:
            db = Database.open(f"sqlite:///{Path(tmp) / 'x.sqlite3'}")  # migrations ship and run
            revision = current_revision(db.engine)
            db.close()
        print(json.dumps({
            "package": trdplanner.__file__,
            "resources": str(resources_dir()),
            "templates": str(templates_dir()),
            "migrated": revision == head_revision(),
        }))
        """
    )
    env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
    env["PYTHONPATH"] = str(site)
    outside = tmp_path / "cwd"
    outside.mkdir()
    found = json.loads(_run([sys.executable, "-c", probe], cwd=outside, env=env).stdout)

    package = site / "trdplanner"
    assert Path(found["package"]).resolve() == (package / "__init__.py").resolve()
    assert Path(found["templates"]).resolve() == (package / "_templates").resolve()
    assert Path(found["resources"]).resolve() == (package / "_resources").resolve()
    assert found["migrated"]

    # Every shipped file is there, byte for byte: templates (notes formats, modality folders)
    # and resources (fonts, icons).
    for name in ("templates", "resources"):
        expected = _files_under(source / name)
        assert expected, f"the checkout has no {name}"
        installed_dir = package / f"_{name}"
        assert _files_under(installed_dir) >= expected, (
            f"missing from the wheel: {sorted(expected - _files_under(installed_dir))}"
        )
        for rel in expected:
            assert (installed_dir / rel).read_bytes() == (source / name / rel).read_bytes(), rel
    assert (package / "_templates" / "notes" / "soap.yaml").is_file()
    assert list((package / "_templates" / "cbt").glob("*.yaml"))

    # Every Python package of the checkout is installed (guards an explicit package list).
    for init in (source / "trdplanner").rglob("__init__.py"):
        assert (site / init.relative_to(source)).is_file(), init.relative_to(source)
    assert (package / "py.typed").is_file()
