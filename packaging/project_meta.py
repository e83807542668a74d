"""The project's name, version and desktop identity, read from the repo without importing it.

Used by the PyInstaller spec, ``packaging/build`` and the packaging tests, so the version lives
in one place: ``pyproject.toml`` names the attribute that holds it
(``[tool.setuptools.dynamic] version = {attr = "trdplanner.__version__"}``) and this module
reads that attribute's literal value from the source file. Standard library only, because the
build script runs it before anything is installed.
"""

from __future__ import annotations

import ast
import re
import tomllib
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

# The desktop identity. APP_ID is the reverse-DNS id AppStream, the .desktop file, the icon
# and D-Bus all share; it must never change once released, or menus and software centres
# treat the new version as a different app.
APP_ID = "org.trdplanner.TRDPlanner"
DISPLAY_NAME = "TRD Planner"
SUMMARY = "Session planning, measures and notes for treatment-resistant depression"
MAINTAINER = "TRD Planner contributors <noreply@trdplanner.invalid>"
INSTALL_PREFIX = "/opt/trdplanner"
# Exported patient records (``trdplanner patient export``): see packaging/linux/ and the README
# for why no MIME type is registered for them yet.
PATIENT_FILE_SUFFIX = ".trdpatient.json"


@dataclass(frozen=True)
class ProjectMeta:
    name: str  # the distribution name, e.g. "trdplanner"
    version: str  # e.g. "0.1.0"
    description: str
    license: str
    package: str  # the import package that carries the version, e.g. "trdplanner"


def _attr_value(root: Path, dotted: str) -> str:
    """The string literal assigned to ``module.attr`` in the module's source file."""
    module, _, attr = dotted.rpartition(".")
    if not module:
        raise ValueError(f"pyproject: version attr {dotted!r} is not module.attribute")
    base = root.joinpath(*module.split("."))
    source = base / "__init__.py" if base.is_dir() else base.with_suffix(".py")
    tree = ast.parse(source.read_text(encoding="utf-8"), str(source))
    for node in tree.body:
        targets: list[ast.expr] = []
        if isinstance(node, ast.Assign):
            targets = node.targets
        elif isinstance(node, ast.AnnAssign) and node.value is not None:
            targets = [node.target]
        for target in targets:
            if isinstance(target, ast.Name) and target.id == attr:
                value = ast.literal_eval(node.value)  # type: ignore[arg-type]
                if not isinstance(value, str):
                    raise ValueError(f"{source}: {attr} is not a string")
                return value
    raise ValueError(f"{source}: no {attr} = '...' found")


def read(root: Path = ROOT) -> ProjectMeta:
    """Name and version as pyproject.toml declares them."""
    with (root / "pyproject.toml").open("rb") as handle:
        pyproject = tomllib.load(handle)
    project = pyproject["project"]
    if "version" in project:
        version = str(project["version"])
        package = project["name"].replace("-", "_")
    else:
        if "version" not in project.get("dynamic", []):
            raise ValueError("pyproject: [project] has neither version nor dynamic version")
        attr = pyproject["tool"]["setuptools"]["dynamic"]["version"]["attr"]
        version = _attr_value(root, attr)
        package = attr.split(".")[0]
    if not re.fullmatch(r"\d+(\.\d+)*([ab]|rc)?\d*", version):
        raise ValueError(f"version {version!r} is not a plain release version (N.N.N)")
    license_ = project.get("license", "")
    if isinstance(license_, dict):
        license_ = license_.get("text", "")
    return ProjectMeta(
        name=project["name"],
        version=version,
        description=project.get("description", ""),
        license=str(license_),
        package=package,
    )


def debian_version(version: str) -> str:
    """PEP 440 pre-releases sort before the release in Debian only with a tilde: 1.0rc1 -> 1.0~rc1."""
    return re.sub(r"(\d)(a|b|rc)(\d+)$", r"\1~\2\3", version)


if __name__ == "__main__":
    meta = read()
    print(meta.name, meta.version)
