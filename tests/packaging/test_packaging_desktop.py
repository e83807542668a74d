"""Linux desktop integration: the .desktop file, the AppStream metainfo and the icons."""

from __future__ import annotations

import configparser
import shutil
import struct
import subprocess
import tomllib
import xml.etree.ElementTree as ET

import pytest
from _packaging_helpers import PACKAGING, ROOT, project_meta

LINUX = PACKAGING / "linux"
ICONS = PACKAGING / "icons"
HICOLOR_SIZES = (16, 22, 24, 32, 48, 64, 128, 256, 512)


def app_id() -> str:
    return str(project_meta().APP_ID)


def script_name() -> str:
    pyproject = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    (name,) = pyproject["project"]["scripts"]
    return str(name)


def desktop_entry() -> configparser.SectionProxy:
    parser = configparser.ConfigParser(interpolation=None, strict=True)
    parser.optionxform = str  # type: ignore[assignment,method-assign]  # keys are case-sensitive
    parser.read(LINUX / f"{app_id()}.desktop", encoding="utf-8")
    return parser["Desktop Entry"]


def png_size(data: bytes) -> tuple[int, int]:
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    width, height = struct.unpack(">II", data[16:24])
    return width, height


def test_desktop_entry_launches_the_installed_command() -> None:
    entry = desktop_entry()
    assert entry["Type"] == "Application"
    assert entry["Name"] == project_meta().DISPLAY_NAME
    assert entry["Exec"].split()[0] == script_name() == project_meta().read(ROOT).name
    assert entry["TryExec"] == script_name()
    assert entry["Icon"] == app_id()
    assert entry["Terminal"] == "false"
    assert entry["Categories"].endswith(";")
    # Exec takes no file argument: the app does not open files from the desktop (see README).
    assert "%" not in entry["Exec"]
    assert "MimeType" not in entry


def test_desktop_file_validates() -> None:
    tool = shutil.which("desktop-file-validate")
    if tool is None:
        pytest.skip("desktop-file-validate is not installed (packaging/build installs and runs it)")
    result = subprocess.run([tool, str(LINUX / f"{app_id()}.desktop")], capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "error" not in (result.stdout + result.stderr).lower()


def test_metainfo_describes_this_app() -> None:
    root = ET.parse(LINUX / f"{app_id()}.metainfo.xml").getroot()
    assert root.tag == "component" and root.get("type") == "desktop-application"
    assert root.findtext("id") == app_id()
    assert root.findtext("name") == project_meta().DISPLAY_NAME
    assert root.findtext("project_license") == project_meta().read(ROOT).license
    launchable = root.find("launchable")
    assert launchable is not None and launchable.text == f"{app_id()}.desktop"
    assert root.findtext("provides/binary") == script_name()
    assert root.find("content_rating") is not None


def test_metainfo_validates() -> None:
    tool = shutil.which("appstreamcli")
    if tool is None:
        pytest.skip("appstreamcli is not installed (packaging/build installs and runs it)")
    result = subprocess.run(
        [tool, "validate", "--no-net", str(LINUX / f"{app_id()}.metainfo.xml")], capture_output=True, text=True
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_icons_exist_in_every_size() -> None:
    svg = ET.parse(ICONS / "trdplanner.svg").getroot()
    assert svg.tag.endswith("svg") and svg.get("viewBox") == "0 0 256 256"
    for size in HICOLOR_SIZES:
        png = ICONS / "hicolor" / f"{size}x{size}" / "apps" / "trdplanner.png"
        assert png_size(png.read_bytes()) == (size, size), png


def test_windows_and_macos_icons_hold_png_images() -> None:
    ico = (ICONS / "trdplanner.ico").read_bytes()
    reserved, kind, count = struct.unpack("<HHH", ico[:6])
    assert (reserved, kind) == (0, 1) and count >= 5
    sizes = set()
    for i in range(count):
        width, _h, _c, _r, _planes, _bpp, length, offset = struct.unpack("<BBBBHHII", ico[6 + 16 * i : 22 + 16 * i])
        sizes.add(width or 256)
        assert png_size(ico[offset : offset + length]) == (width or 256, width or 256)
    assert {16, 32, 48, 256} <= sizes

    icns = (ICONS / "trdplanner.icns").read_bytes()
    assert icns[:4] == b"icns" and struct.unpack(">I", icns[4:8])[0] == len(icns)
    found, pos = {}, 8
    while pos < len(icns):
        kind_bytes, length = icns[pos : pos + 4], struct.unpack(">I", icns[pos + 4 : pos + 8])[0]
        found[kind_bytes] = png_size(icns[pos + 8 : pos + length])
        pos += length
    assert found[b"ic10"] == (1024, 1024) and found[b"icp4"] == (16, 16)
