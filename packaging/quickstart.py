#!/usr/bin/env python3
"""Set everything up from a fresh clone, then start the app or run the tests.

    python3 packaging/quickstart.py app     # set up, create the demo practice, open the app
    python3 packaging/quickstart.py test    # set up, then ruff, mypy and the whole test suite

Needs only Python 3.11+ and git. It makes a virtual environment in .venv, installs the
project into it, and checks the system libraries Qt needs. On Debian or Ubuntu, run as
root, it installs missing libraries with apt-get; otherwise it stops and names them.
Only the standard library is used here, because nothing else is installed yet.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import venv
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
VENV = ROOT / ".venv"
DEMO_DATA = ROOT / ".demo-data"

# Shared libraries Qt loads, and the Debian package that provides each.
QT_CORE_LIBS = {
    "libEGL.so.1": "libegl1",
    "libGL.so.1": "libgl1",
    "libfontconfig.so.1": "libfontconfig1",
    "libxkbcommon.so.0": "libxkbcommon0",
    "libglib-2.0.so.0": "libglib2.0-0",
    "libdbus-1.so.3": "libdbus-1-3",
}
# The xcb platform plugin needs these as well to open a real window on X11.
QT_XCB_LIBS = {
    "libxcb-cursor.so.0": "libxcb-cursor0",
    "libxkbcommon-x11.so.0": "libxkbcommon-x11-0",
    "libxcb-icccm.so.4": "libxcb-icccm4",
    "libxcb-image.so.0": "libxcb-image0",
    "libxcb-keysyms.so.1": "libxcb-keysyms1",
    "libxcb-randr.so.0": "libxcb-randr0",
    "libxcb-render-util.so.0": "libxcb-render-util0",
    "libxcb-shape.so.0": "libxcb-shape0",
    "libxcb-xinerama.so.0": "libxcb-xinerama0",
    "libxcb-xkb.so.1": "libxcb-xkb1",
    "libX11-xcb.so.1": "libx11-xcb1",
}


def say(message: str) -> None:
    print(f"[quickstart] {message}", flush=True)


def fail(message: str) -> None:
    print(f"[quickstart] {message}", file=sys.stderr, flush=True)
    sys.exit(1)


def run(cmd: list[str], **kwargs: object) -> None:
    result = subprocess.run(cmd, **kwargs)  # type: ignore[call-overload]
    if result.returncode != 0:
        fail(f"this step failed (exit {result.returncode}): {' '.join(cmd)}")


def venv_python() -> Path:
    return VENV / ("Scripts/python.exe" if os.name == "nt" else "bin/python")


def missing_libraries(wanted: dict[str, str]) -> list[str]:
    if not sys.platform.startswith("linux") or not shutil.which("ldconfig"):
        return []
    known = subprocess.run(["ldconfig", "-p"], capture_output=True, text=True).stdout
    return sorted({pkg for lib, pkg in wanted.items() if lib not in known})


# Programs the tests run, and the Debian package of each: the encrypted-PDF tests open files
# with poppler, as most Linux viewers do.
TEST_TOOLS = {"pdftotext": "poppler-utils"}
# Installed only where apt-get can run as root (CI): the printing test starts a private CUPS
# scheduler with a cups-pdf queue and prints through lp; elsewhere it skips.
OPTIONAL_TEST_TOOLS = {
    "lp": "cups-client",
    "cupsd": "cups",
    "/usr/lib/cups/backend/cups-pdf": "printer-driver-cups-pdf",
}


def ensure_system_libraries(wanted: dict[str, str], tools: dict[str, str] | None = None) -> None:
    packages = missing_libraries(wanted)
    packages += sorted({pkg for tool, pkg in (tools or {}).items() if not shutil.which(tool)} - set(packages))
    if not packages:
        return
    can_apt = shutil.which("apt-get") and hasattr(os, "geteuid") and os.geteuid() == 0
    if not can_apt:
        fail(
            "Some system packages are not installed. On Debian or Ubuntu run:\n"
            f"    sudo apt-get install -y {' '.join(packages)}\n"
            "then run this command again."
        )
    say(f"installing system packages: {' '.join(packages)}")
    env = dict(os.environ, DEBIAN_FRONTEND="noninteractive")
    run(["apt-get", "update", "-qq"], env=env)
    run(["apt-get", "install", "-y", "-qq", "--no-install-recommends", *packages], env=env)


def quiet_editable_env() -> dict[str, str]:
    """The environment for the editable install, without setuptools' "Editable installation" note.

    resources/ and templates/ are mapped into the package (pyproject.toml), so setuptools installs
    in editable mode through an import finder and, on every install, prints a ten-line notice it
    files as information only ("be careful with folders named like your package"). Only that
    notice is silenced, by its text; every other warning and error still shows.
    """
    ignore = "ignore:Editable installation"
    current = os.environ.get("PYTHONWARNINGS", "")
    return dict(os.environ, PYTHONWARNINGS=f"{current},{ignore}" if current else ignore)


def ensure_venv(extras: str) -> Path:
    if sys.version_info < (3, 11):  # noqa: UP036 - this script may be run by an older python3
        fail(f"TRD Planner needs Python 3.11 or newer; this is {sys.version.split()[0]}.")
    python = venv_python()
    if not python.exists():
        say(f"creating a virtual environment in {VENV}")
        try:
            venv.EnvBuilder(with_pip=True, clear=True).create(VENV)
        except (OSError, subprocess.CalledProcessError) as exc:
            fail(
                f"could not create a virtual environment ({exc}). On Debian or Ubuntu "
                "install it with: sudo apt-get install -y python3-venv"
            )
    marker = VENV / f".installed{extras or ''}"
    stamp = (ROOT / "pyproject.toml").stat().st_mtime_ns
    if not marker.exists() or marker.read_text() != str(stamp):
        say("installing TRD Planner and its dependencies (the first time takes a few minutes)")
        run([str(python), "-m", "pip", "install", "--quiet", "--upgrade", "pip"])
        run([str(python), "-m", "pip", "install", "--quiet", "-e", f"{ROOT}{extras}"], env=quiet_editable_env())
        marker.write_text(str(stamp))
    return python


def start_app(args: list[str]) -> int:
    ensure_system_libraries(QT_CORE_LIBS)
    python = ensure_venv("")
    cli = [str(python), "-m", "trdplanner", "--data-dir", str(DEMO_DATA)]
    run([*cli, "demo", "--no-encryption"])  # invented patients only: no passphrase to remember
    has_display = os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY")
    platform = os.environ.get("QT_QPA_PLATFORM", "")
    if sys.platform.startswith("linux") and not has_display and not platform:
        fail(
            "The demo practice is ready, but there is no screen to open the window on "
            "(neither DISPLAY nor WAYLAND_DISPLAY is set). Run this from a desktop session, "
            f"or explore it from the command line: {python} -m trdplanner --data-dir "
            f"{DEMO_DATA} patient list"
        )
    if sys.platform.startswith("linux") and platform in ("", "xcb") and not os.environ.get("WAYLAND_DISPLAY"):
        ensure_system_libraries(QT_XCB_LIBS)
    say(f"starting TRD Planner on the demo practice in {DEMO_DATA}")
    return subprocess.call([*cli, *args])


def install_optional(tools: dict[str, str]) -> None:
    packages = sorted({pkg for tool, pkg in tools.items() if not shutil.which(tool)})
    if not packages or not (shutil.which("apt-get") and hasattr(os, "geteuid") and os.geteuid() == 0):
        return
    say(f"installing system packages for optional tests: {' '.join(packages)}")
    env = dict(os.environ, DEBIAN_FRONTEND="noninteractive")
    install = ["apt-get", "install", "-y", "-qq", "--no-install-recommends", *packages]
    if subprocess.call(install, env=env) != 0:  # stale package lists on a fresh machine: update once
        subprocess.call(["apt-get", "update", "-qq"], env=env)
        if subprocess.call(install, env=env) != 0:
            say("could not install them; the tests that need them skip")


def run_tests(args: list[str]) -> int:
    ensure_system_libraries(QT_CORE_LIBS, TEST_TOOLS)
    install_optional(OPTIONAL_TEST_TOOLS)
    python = ensure_venv("[test]")
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen")
    say("ruff")
    run([str(python), "-m", "ruff", "check", "--quiet"], cwd=ROOT)
    say("mypy")
    run([str(python), "-m", "mypy"], cwd=ROOT)
    say("pytest")
    return subprocess.call([str(python), "-m", "pytest", *args], cwd=ROOT, env=env)


def main() -> int:
    if len(sys.argv) < 2 or sys.argv[1] not in ("app", "test"):
        print(__doc__)
        return 2
    command, rest = sys.argv[1], sys.argv[2:]
    return start_app(rest) if command == "app" else run_tests(rest)


if __name__ == "__main__":
    sys.exit(main())
