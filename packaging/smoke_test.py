"""Smoke-test a built TRD Planner binary: the frozen bundle, or the launcher a .deb installed.

    python packaging/smoke_test.py dist/trdplanner/trdplanner
    python packaging/smoke_test.py /usr/bin/trdplanner          # after dpkg -i

Runs, with a throwaway data folder and Qt's offscreen platform:

1. ``--version`` prints the version in trdplanner/__init__.py, and the bundle holds every app
   module and every Qt module the GUI imports (also those only a later screen loads);
2. ``demo`` creates the demo practice (so the bundled Alembic migrations ran), and
   ``patient list --json`` reads it back;
3. ``templates list --json`` finds the bundled catalog with nothing broken;
4. ``worksheet TEMPLATE -o FILE`` writes a PDF that starts with %PDF, names the template's
   title in its text (read back with pypdf) and embeds the bundled DejaVu fonts; a fillable
   worksheet prefilled for a demo patient has form fields, ``report`` (with charts) writes
   a PDF too, and where the app can, a password-protected worksheet is AES-256 encrypted;
5. ``--db postgresql+psycopg://...`` reaches the PostgreSQL driver (the connection is refused,
   but the driver loads); with database encryption (SQLCipher), a demo practice made with
   TRDPLANNER_PASSPHRASE is encrypted on disk, opens with it and is refused without it;
6. the app's window opens offscreen and lists the demo patients (it logs "database open"),
   then closes on SIGTERM; the same on X11 (the xcb plugin) when Xvfb is installed.

Any failure stops with the command, its exit status and its output. Needs pypdf (the build
venv has it, as a dependency of the app).
"""

from __future__ import annotations

import argparse
import ast
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
import project_meta  # noqa: E402

WORKSHEET_TEMPLATE = "cbt-thought-record-7"
GUI_TIMEOUT = 60.0
# What trdplanner/app.py logs once the window is up and the patient list is filled in.
GUI_READY = "database open"


class SmokeFailure(RuntimeError):
    pass


def say(message: str) -> None:
    print(f"[smoke] {message}", flush=True)


def run(binary: str, args: list[str], env: dict[str, str], expect: int = 0, timeout: float = 120) -> str:
    cmd = [binary, *args]
    started = time.monotonic()
    try:
        result = subprocess.run(cmd, capture_output=True, text=True, env=env, timeout=timeout)
    except subprocess.TimeoutExpired as exc:
        raise SmokeFailure(f"{' '.join(cmd)} did not finish in {timeout:.0f}s") from exc
    took = time.monotonic() - started
    if result.returncode != expect:
        raise SmokeFailure(
            f"{' '.join(cmd)} exited {result.returncode} (expected {expect}) after {took:.1f}s\n"
            f"--- stdout ---\n{result.stdout}\n--- stderr ---\n{result.stderr}"
        )
    say(f"ok ({took:.1f}s): {' '.join(['trdplanner', *args])}")
    return result.stdout + result.stderr if expect else result.stdout


def check_version(binary: str, env: dict[str, str]) -> None:
    version = project_meta.read().version
    out = run(binary, ["--version"], env).strip()
    if out != f"{project_meta.DISPLAY_NAME} {version}":
        raise SmokeFailure(f"--version printed {out!r}, expected {project_meta.DISPLAY_NAME!r} {version!r}")


def supports(binary: str, env: dict[str, str], args: list[str], option: str) -> bool:
    """Whether this version of the app has an option (the smoke test spans versions)."""
    result = subprocess.run([binary, *args, "--help"], capture_output=True, text=True, env=env, timeout=60)
    return result.returncode == 0 and option in result.stdout


def check_demo(binary: str, env: dict[str, str], data: Path) -> None:
    # The demo practice is invented, so it stays unencrypted where the app encrypts by default;
    # check_encrypted() covers the encrypted path.
    plain = ["--no-encryption"] if supports(binary, env, ["demo"], "--no-encryption") else []
    run(binary, ["--data-dir", str(data), "demo", *plain], env)
    if not (data / "trdplanner.sqlite3").is_file():
        raise SmokeFailure(f"demo did not create {data / 'trdplanner.sqlite3'}")
    listed = json.loads(run(binary, ["--data-dir", str(data), "patient", "list", "--json"], env))
    patients = listed["patients"] if isinstance(listed, dict) else listed
    codes = {str(p.get("print_code") or p.get("code") or "") for p in patients}
    if len(patients) < 1 or not any(code.startswith("DEMO-") for code in codes):
        raise SmokeFailure(f"patient list after demo shows no demo patient: {listed!r}")


def check_templates(binary: str, env: dict[str, str], data: Path) -> str:
    listing = json.loads(run(binary, ["--data-dir", str(data), "templates", "list", "--json"], env))
    if listing.get("broken"):
        raise SmokeFailure(f"bundled templates failed to load: {listing['broken']!r}")
    titles = {t["id"]: t["title"] for t in listing["templates"]}
    if WORKSHEET_TEMPLATE not in titles:
        raise SmokeFailure(f"template {WORKSHEET_TEMPLATE} missing from the bundled catalog ({len(titles)} found)")
    return str(titles[WORKSHEET_TEMPLATE])


def check_worksheet(binary: str, env: dict[str, str], data: Path, out_dir: Path, title: str) -> None:
    from pypdf import PdfReader

    pdf = out_dir / "worksheet.pdf"
    run(binary, ["--data-dir", str(data), "worksheet", WORKSHEET_TEMPLATE, "-o", str(pdf)], env)
    if not pdf.is_file() or pdf.stat().st_size == 0:
        raise SmokeFailure(f"worksheet export wrote no file at {pdf}")
    if not pdf.read_bytes().startswith(b"%PDF"):
        raise SmokeFailure(f"{pdf} is not a PDF (starts {pdf.read_bytes()[:8]!r})")
    reader = PdfReader(str(pdf))
    text = " ".join((page.extract_text() or "") for page in reader.pages)
    if " ".join(title.split()) not in " ".join(text.split()):
        raise SmokeFailure(f"the worksheet PDF does not show its title {title!r}; text starts {text[:200]!r}")
    fonts = set()
    for page in reader.pages:
        resources = page.get("/Resources") or {}
        for font in (resources.get("/Font") or {}).values():
            fonts.add(str(font.get_object().get("/BaseFont", "")))
    if not any("DejaVu" in font for font in fonts):
        raise SmokeFailure(f"the worksheet PDF does not embed the bundled DejaVu fonts (fonts: {sorted(fonts)})")
    say(f"worksheet PDF: {len(reader.pages)} page(s), {pdf.stat().st_size} bytes, title and DejaVu fonts present")


def check_other_pdfs(binary: str, env: dict[str, str], data: Path, out_dir: Path) -> None:
    """A fillable worksheet prefilled for a demo patient, and a progress report with its charts."""
    from pypdf import PdfReader

    fillable = out_dir / "fillable.pdf"
    run(binary, ["--data-dir", str(data), "worksheet", WORKSHEET_TEMPLATE, "--patient", "DEMO-01", "--fillable",
                 "-o", str(fillable)], env)  # fmt: skip
    if not PdfReader(str(fillable)).get_fields():
        raise SmokeFailure(f"the fillable worksheet {fillable} has no form fields")
    report = out_dir / "report.pdf"
    run(binary, ["--data-dir", str(data), "report", "DEMO-05", "-o", str(report)], env)
    if not report.read_bytes().startswith(b"%PDF") or not PdfReader(str(report)).pages:
        raise SmokeFailure(f"the progress report {report} is not a PDF with pages")


def check_pdf_password(binary: str, env: dict[str, str], data: Path, out_dir: Path) -> None:
    """A worksheet protected with a password is an AES-256 (revision 6) PDF that pypdf opens with it."""
    from pypdf import PdfReader

    secret = out_dir / "pdf-password.txt"
    secret.write_text("smoke test password, invented\n")
    secret.chmod(0o600)
    pdf = out_dir / "protected.pdf"
    run(binary, ["--data-dir", str(data), "worksheet", WORKSHEET_TEMPLATE, "--password-file", str(secret),
                 "-o", str(pdf)], env)  # fmt: skip
    reader = PdfReader(str(pdf))
    if not reader.is_encrypted:
        raise SmokeFailure(f"{pdf} was written without encryption although a password was given")
    handler = reader.trailer["/Encrypt"].get_object()
    if (handler.get("/V"), handler.get("/R")) != (5, 6):
        raise SmokeFailure(f"{pdf} is encrypted with /V {handler.get('/V')} /R {handler.get('/R')}, not AES-256 R6")
    if not reader.decrypt("smoke test password, invented") or not reader.pages:
        raise SmokeFailure(f"{pdf} does not open with its password")


def check_encrypted(binary: str, env: dict[str, str], data: Path) -> None:
    """A practice encrypted with SQLCipher opens with its passphrase and refuses without it."""
    secret = dict(env, TRDPLANNER_PASSPHRASE="smoke test passphrase, invented")
    run(binary, ["--data-dir", str(data), "demo"], secret)
    database = data / "trdplanner.sqlite3"
    if database.read_bytes()[:16] == b"SQLite format 3\x00":
        raise SmokeFailure(f"{database} was written unencrypted although a passphrase was given")
    listed = json.loads(run(binary, ["--data-dir", str(data), "patient", "list", "--json"], secret))
    if not listed:
        raise SmokeFailure("the encrypted demo practice lists no patients")
    refused = run(binary, ["--data-dir", str(data), "patient", "list"], env, expect=3)
    if "passphrase" not in refused.lower():
        raise SmokeFailure(f"opening the encrypted practice without a passphrase said: {refused!r}")


def check_postgres_driver(binary: str, env: dict[str, str], data: Path) -> None:
    # Port 1 on loopback refuses at once: the point is that psycopg loads, not that a server answers.
    url = "postgresql+psycopg://smoke@127.0.0.1:1/smoke"
    out = run(binary, ["--data-dir", str(data), "--db", url, "patient", "list"], env, expect=3)
    if "cannot use" in out or "No module named" in out:
        raise SmokeFailure(f"the PostgreSQL driver is missing from the bundle:\n{out}")


def app_modules() -> tuple[set[str], set[str]]:
    """The checkout's trdplanner modules (migrations excepted: Alembic loads those as files) and
    the PySide6 modules they import."""
    root = HERE.parent
    modules, qt = set(), set()
    for path in (root / "trdplanner").rglob("*.py"):
        rel = path.relative_to(root).with_suffix("")
        parts = rel.parts[:-1] if rel.name == "__init__" else rel.parts
        if "migrations" not in parts:
            modules.add(".".join(parts))
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ImportFrom) and node.module and node.module.startswith("PySide6."):
                qt.add(node.module.split(".")[1])
    return modules, qt


def check_frozen_contents(binary: str) -> None:
    """Every app module is in the bundle, and every Qt module the GUI imports, even those only
    imported when a screen opens (charts, PDF preview, printing), which the window check does not
    reach. Reads the archive with PyInstaller's reader, so it needs the build venv."""
    from PyInstaller.archive.readers import NotAnArchiveError, pkg_archive_contents

    exe = Path(binary).resolve()
    try:
        frozen = set(pkg_archive_contents(str(exe)))
    except NotAnArchiveError as exc:
        raise SmokeFailure(f"{exe} is not a PyInstaller executable") from exc
    modules, qt = app_modules()
    missing = sorted(modules - frozen)
    if missing:
        raise SmokeFailure(f"app modules missing from the bundle: {', '.join(missing)}")
    internal = exe.parent / "_internal" / "PySide6"
    absent = sorted(name for name in qt if not any(internal.glob(f"{name}.*")))
    if absent:
        raise SmokeFailure(f"Qt modules the GUI imports are missing from the bundle: {', '.join(absent)}")
    say(f"ok: all {len(modules)} app modules and the Qt modules they import ({', '.join(sorted(qt))}) are bundled")


def check_gui(binary: str, env: dict[str, str], data: Path, label: str) -> float:
    """Open the window, wait until the app logs that it listed the patients, then close it.

    Returns the seconds from start to that log line. Fails if the app exits, logs an error or
    prints a traceback first, or never gets there within GUI_TIMEOUT seconds.
    """
    log = data / "logs" / "trdplanner.log"
    before = log.read_text(errors="replace") if log.exists() else ""
    started = time.monotonic()
    proc = subprocess.Popen(
        [binary, "--data-dir", str(data)], env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    )
    took = None
    problem = ""
    while time.monotonic() - started < GUI_TIMEOUT:
        if proc.poll() is not None:
            problem = f"the app exited {proc.returncode} instead of showing its window"
            break
        new = log.read_text(errors="replace")[len(before):] if log.exists() else ""
        if " ERROR " in new or " CRITICAL " in new:
            problem = "the app logged an error while opening its window"
            break
        if GUI_READY in new:
            took = time.monotonic() - started
            time.sleep(0.5)  # let the first paint happen before asking it to close
            break
        time.sleep(0.05)
    else:
        problem = f"the app did not log {GUI_READY!r} within {GUI_TIMEOUT:.0f}s"
    if proc.poll() is None:
        proc.terminate()
    try:
        out, err = proc.communicate(timeout=15)
    except subprocess.TimeoutExpired:
        proc.kill()
        out, err = proc.communicate()
        problem = problem or "the app did not close within 15s of SIGTERM"
    if not problem and "Traceback" in err:
        problem = "the app printed a traceback"
    if problem:
        new = log.read_text(errors="replace")[len(before):] if log.exists() else ""
        raise SmokeFailure(f"{label}: {problem}\n--- stdout ---\n{out}\n--- stderr ---\n{err}\n--- log ---\n{new}")
    assert took is not None
    say(f"ok ({took:.1f}s): {label}: the window opened and listed the patients")
    return took


def start_xvfb(work: Path) -> tuple[subprocess.Popen[bytes], str] | None:
    """An X server for the xcb check, when Xvfb is installed (packaging/build installs it as root)."""
    xvfb = shutil.which("Xvfb")
    if not xvfb:
        return None
    for number in range(91, 120):
        if Path(f"/tmp/.X11-unix/X{number}").exists() or Path(f"/tmp/.X{number}-lock").exists():
            continue
        proc = subprocess.Popen(
            [xvfb, f":{number}", "-screen", "0", "1280x800x24", "-nolisten", "tcp"],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )  # fmt: skip
        for _ in range(100):
            if Path(f"/tmp/.X11-unix/X{number}").exists():
                return proc, f":{number}"
            if proc.poll() is not None:
                break
            time.sleep(0.05)
        proc.kill()
    return None


def check_gui_xcb(binary: str, env: dict[str, str], data: Path, work: Path) -> None:
    xvfb = start_xvfb(work)
    if xvfb is None:
        raise SmokeFailure("Xvfb is installed but would not start a display")
    proc, display = xvfb
    try:
        xenv = dict(env, DISPLAY=display, QT_QPA_PLATFORM="xcb")
        xenv.pop("WAYLAND_DISPLAY", None)
        check_gui(binary, xenv, data, f"X11 (xcb, Xvfb {display})")
    finally:
        proc.terminate()
        proc.wait(timeout=10)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("binary", help="the built trdplanner executable, or the installed launcher")
    parser.add_argument("--keep", action="store_true", help="keep the temporary data folder and PDF")
    args = parser.parse_args(argv)

    binary = shutil.which(args.binary) or args.binary
    if not os.access(binary, os.X_OK):
        print(f"[smoke] FAILED: {args.binary} is not an executable file", file=sys.stderr)
        return 1
    work = Path(tempfile.mkdtemp(prefix="trdplanner-smoke-"))
    data = work / "data"
    # Only what the app needs: no TRDPLANNER_* from the caller's shell, offscreen Qt, a
    # throwaway HOME so nothing lands in the caller's real data folder.
    env = {k: v for k, v in os.environ.items() if not k.startswith("TRDPLANNER_")}
    env.update(QT_QPA_PLATFORM="offscreen", HOME=str(work), XDG_DATA_HOME=str(work / "xdg"), LC_ALL="C.UTF-8")
    say(f"testing {binary} in {work}")
    found: dict[str, str] = {}
    checks: list[tuple[str, Callable[[], object]]] = [
        ("version", lambda: check_version(binary, env)),
        ("bundle contents", lambda: check_frozen_contents(binary)),
        ("demo", lambda: check_demo(binary, env, data)),
        ("templates", lambda: found.setdefault("title", check_templates(binary, env, data))),
        ("worksheet", lambda: check_worksheet(binary, env, data, work, found["title"])),
        ("other PDFs", lambda: check_other_pdfs(binary, env, data, work)),
        ("password-protected PDF", lambda: check_pdf_password(binary, env, data, work)),
        ("PostgreSQL driver", lambda: check_postgres_driver(binary, env, work / "pg-data")),
        ("encrypted practice", lambda: check_encrypted(binary, env, work / "encrypted")),
        ("window offscreen", lambda: check_gui(binary, env, data, "offscreen")),
    ]
    if not supports(binary, env, ["worksheet"], "--password-file"):
        checks = [check for check in checks if check[0] != "password-protected PDF"]
        say("this version cannot password-protect PDFs: no password check")
    if not supports(binary, env, [], "--passphrase-file"):
        checks = [check for check in checks if check[0] != "encrypted practice"]
        say("this version has no database encryption: no encrypted-practice check")
    if shutil.which("Xvfb"):
        checks.append(("window on X11", lambda: check_gui_xcb(binary, env, data, work)))
    else:
        say("no Xvfb, so no X11 (xcb) window check (packaging/build installs Xvfb when run as root)")
    passed = 0
    for name, check in checks:
        try:
            check()
        except SmokeFailure as exc:
            print(f"[smoke] FAILED ({name}): {exc}", file=sys.stderr, flush=True)
            print(f"[smoke] the data folder is kept for a look: {work}", file=sys.stderr)
            print(f"smoke: {passed} passed, 1 failed", flush=True)
            return 1
        passed += 1
    if args.keep:
        say(f"kept {work}")
    else:
        shutil.rmtree(work, ignore_errors=True)
    say("all checks passed")
    print(f"smoke: {passed} passed, 0 failed", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
