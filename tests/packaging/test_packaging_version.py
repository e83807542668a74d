"""The version lives in trdplanner/__init__.py only, and everything that shows one agrees."""

from __future__ import annotations

import re
import tomllib
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from _packaging_helpers import PACKAGING, ROOT, project_meta

import trdplanner
from trdplanner.cli import main as cli_main

CHANGELOG = ROOT / "CHANGELOG.md"
HEADING = re.compile(r"^## \[(?P<version>[^\]]+)\] - (?P<date>\d{4}-\d{2}-\d{2}|Unreleased)\s*$", re.MULTILINE)


def metainfo_releases() -> list[ET.Element]:
    meta = project_meta()
    tree = ET.parse(PACKAGING / "linux" / f"{meta.APP_ID}.metainfo.xml")
    return tree.getroot().findall("./releases/release")


def test_pyproject_takes_the_version_from_the_package() -> None:
    pyproject = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    assert "version" not in pyproject["project"], "the version must live in trdplanner/__init__.py only"
    assert pyproject["project"]["dynamic"] == ["version"]
    assert pyproject["tool"]["setuptools"]["dynamic"]["version"] == {"attr": "trdplanner.__version__"}


def test_spec_reads_name_and_version_like_setuptools() -> None:
    meta = project_meta().read(ROOT)
    assert meta.name == "trdplanner"
    assert meta.version == trdplanner.__version__
    assert meta.package == "trdplanner"
    assert meta.license == "GPL-3.0-or-later"


def test_version_reader_follows_the_attr(tmp_path: Path) -> None:
    (tmp_path / "pkg").mkdir()
    (tmp_path / "pkg" / "__init__.py").write_text('"""doc"""\nOTHER = "x"\n__version__: str = "2.3.4rc1"\n')
    (tmp_path / "pyproject.toml").write_text(
        '[project]\nname = "pkg"\ndynamic = ["version"]\n'
        '[tool.setuptools.dynamic]\nversion = { attr = "pkg.__version__" }\n'
    )
    meta = project_meta().read(tmp_path)
    assert (meta.name, meta.version, meta.package) == ("pkg", "2.3.4rc1", "pkg")
    assert project_meta().debian_version(meta.version) == "2.3.4~rc1"
    assert project_meta().debian_version("0.1.0") == "0.1.0"


def test_version_reader_refuses_a_computed_version(tmp_path: Path) -> None:
    (tmp_path / "pkg").mkdir()
    (tmp_path / "pkg" / "__init__.py").write_text("__version__ = '.'.join(['1', '0'])\n")
    (tmp_path / "pyproject.toml").write_text(
        '[project]\nname = "pkg"\ndynamic = ["version"]\n'
        '[tool.setuptools.dynamic]\nversion = { attr = "pkg.__version__" }\n'
    )
    with pytest.raises(ValueError):
        project_meta().read(tmp_path)


def test_cli_prints_the_version(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exit_info:
        cli_main(["--version"])
    assert exit_info.value.code == 0
    assert capsys.readouterr().out.strip() == f"TRD Planner {trdplanner.__version__}"


def test_changelog_newest_entry_is_this_version() -> None:
    headings = list(HEADING.finditer(CHANGELOG.read_text(encoding="utf-8")))
    assert headings, "CHANGELOG.md has no '## [VERSION] - DATE' entries"
    assert headings[0]["version"] == trdplanner.__version__


def test_metainfo_newest_release_matches_changelog() -> None:
    newest = HEADING.search(CHANGELOG.read_text(encoding="utf-8"))
    assert newest is not None
    releases = metainfo_releases()
    assert releases, "the metainfo lists no release"
    release = releases[0]
    assert release.get("version") == trdplanner.__version__
    if newest["date"] == "Unreleased":
        assert release.get("type") == "development", "an unreleased version is a development release in AppStream"
    else:
        assert release.get("date") == newest["date"]
        assert release.get("type", "stable") == "stable"
