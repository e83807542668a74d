"""Printing to a real CUPS queue: the app hands its own PDF to ``lp`` and the job comes out whole.

A private CUPS scheduler is started for the test (its own folder and socket, nothing of the
system's queues touched) with one queue on the cups-pdf backend, which prints to a PDF file. The
print runs in a fresh process so Qt's print support sees the private scheduler from its start.
Skipped cleanly where CUPS, cups-pdf or the rights to run a scheduler are missing.
"""

from __future__ import annotations

import os
import pwd
import shutil
import subprocess
import sys
import tempfile
import textwrap
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from pypdf import PdfReader

CUPS_PDF_BACKEND = Path("/usr/lib/cups/backend/cups-pdf")
CUPS_PDF_PPD = Path("/usr/share/ppd/cups-pdf/CUPS-PDF_opt.ppd")
CUPS_PDF_CONF = Path("/etc/cups/cups-pdf.conf")
QUEUE = "trdplanner-test"
ROOT = Path(__file__).resolve().parents[2]

pytestmark = pytest.mark.skipif(
    not all(shutil.which(t) for t in ("lp", "lpstat", "lpadmin", "cupsd"))
    or not CUPS_PDF_BACKEND.exists() or not CUPS_PDF_PPD.exists()
    or not hasattr(os, "geteuid") or os.geteuid() != 0,  # the scheduler runs the cups-pdf backend as root
    reason="needs CUPS (cupsd, lp, lpadmin), the cups-pdf backend and root to run a private scheduler",
)


def _cups_pdf_out() -> Path:
    """Where cups-pdf writes a job submitted by this user (its Out setting; ${HOME}/PDF by default)."""
    home = pwd.getpwuid(os.getuid()).pw_dir
    user = pwd.getpwuid(os.getuid()).pw_name
    out = "${HOME}/PDF"
    if CUPS_PDF_CONF.exists():
        for line in CUPS_PDF_CONF.read_text(encoding="utf-8", errors="replace").splitlines():
            if line.strip().startswith("Out "):
                out = line.split(None, 1)[1].strip()
    return Path(out.replace("${HOME}", home).replace("${USER}", user))


def _run(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(list(args), env=env, capture_output=True, text=True, timeout=60, check=False)


@pytest.fixture
def private_cups() -> Iterator[dict[str, str]]:
    # Not under pytest's tmp_path: that is private to the user running the tests, and CUPS runs its
    # filters as the unprivileged lp user, who must reach the spool folder.
    base = Path(tempfile.mkdtemp(prefix="trdplanner-cups-"))
    base.chmod(0o755)
    for d in ("root", "spool", "cache", "state", "log", "tmp"):
        (base / d).mkdir(parents=True)
    (base / "tmp").chmod(0o1777)
    sock = base / "cups.sock"
    (base / "root" / "cupsd.conf").write_text(textwrap.dedent(f"""\
        Listen {sock}
        LogLevel info
        WebInterface No
        Browsing No
        <Location />
          Order allow,deny
          Allow all
        </Location>
        """), encoding="utf-8")
    (base / "root" / "cups-files.conf").write_text(textwrap.dedent(f"""\
        ServerRoot {base / "root"}
        RequestRoot {base / "spool"}
        CacheDir {base / "cache"}
        StateDir {base / "state"}
        TempDir {base / "tmp"}
        AccessLog {base / "log" / "access_log"}
        ErrorLog {base / "log" / "error_log"}
        PageLog {base / "log" / "page_log"}
        """), encoding="utf-8")
    daemon = subprocess.Popen(
        ["cupsd", "-f", "-c", str(base / "root" / "cupsd.conf"), "-s", str(base / "root" / "cups-files.conf")],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )
    env = {**os.environ, "CUPS_SERVER": str(sock), "TRD_TEST_CUPS_LOG": str(base / "log" / "error_log")}
    try:
        for _ in range(200):  # up to 20 s for the scheduler to listen
            if sock.exists() and _run("lpstat", "-r", env=env).returncode == 0:
                break
            if daemon.poll() is not None:
                pytest.skip("the private CUPS scheduler would not start here")
            time.sleep(0.1)
        added = _run("lpadmin", "-p", QUEUE, "-E", "-v", "cups-pdf:/", "-P", str(CUPS_PDF_PPD), env=env)
        assert added.returncode == 0, added.stderr
        yield env
    finally:
        daemon.terminate()
        try:
            daemon.wait(timeout=20)
        except subprocess.TimeoutExpired:
            daemon.kill()
            daemon.wait()
        shutil.rmtree(base, ignore_errors=True)


# Runs in a fresh process: the real preview's Print, with the print dialog answered "this queue".
PRINT_SCRIPT = textwrap.dedent("""\
    import io, sys
    from PySide6.QtWidgets import QApplication, QDialog
    from PySide6.QtPrintSupport import QPrinter, QPrinterInfo
    from reportlab.lib.pagesizes import A4
    from reportlab.pdfgen import canvas
    from trdplanner.gui import preview as pv

    queue, title, marker = sys.argv[1:4]
    app = QApplication([])
    if queue not in [p.printerName() for p in QPrinterInfo.availablePrinters()]:
        sys.exit("Qt does not see the test queue")
    buf = io.BytesIO()
    c = canvas.Canvas(buf, pagesize=A4)
    c.setFont("Helvetica", 14)
    c.drawString(72, 770, marker)
    c.showPage()
    c.drawString(72, 770, "Second page")
    c.save()
    data = buf.getvalue()
    handed: list[bool] = []
    real = pv.send_to_cups
    pv.send_to_cups = lambda d, p: handed.append(real(d, p)) or handed[-1]

    class Chooser:
        def __call__(self, printer):
            printer.setPrinterName(queue)
            printer.setDocName(title)
            return self
        def setWindowTitle(self, _t):
            pass
        def exec(self):
            return QDialog.DialogCode.Accepted.value

    view = pv.PdfPreview()
    view.set_pdf(data, title)
    view.make_print_dialog = Chooser()
    ok = view.print_document()
    print("printed", ok, "handed", handed)
    sys.exit(0 if ok and handed == [True] else 1)
""")


def _log(env: dict[str, str]) -> str:
    path = Path(env["TRD_TEST_CUPS_LOG"])
    return "\n".join(path.read_text(errors="replace").splitlines()[-15:]) if path.exists() else ""


def test_print_goes_through_lp_and_the_job_completes(private_cups: dict[str, str]) -> None:
    title = f"trdplanner-cups-test-{uuid.uuid4().hex[:10]}"
    marker = f"Vector text through CUPS {title}"
    out_dir = _cups_pdf_out()
    env = {**private_cups, "QT_QPA_PLATFORM": "offscreen", "PYTHONPATH": str(ROOT)}
    done = subprocess.run([sys.executable, "-c", PRINT_SCRIPT, QUEUE, title, marker], env=env,
                          capture_output=True, text=True, timeout=180, check=False)
    assert done.returncode == 0, done.stdout + done.stderr  # lp took the app's own PDF (no drawing fallback)

    # The job leaves the queue as completed (not stopped, aborted or cancelled), and the printer stays up.
    for _ in range(600):  # up to 60 s on a busy machine
        if not _run("lpstat", "-W", "not-completed", "-o", QUEUE, env=private_cups).stdout.strip():
            break
        time.sleep(0.1)
    completed = _run("lpstat", "-W", "completed", "-o", QUEUE, env=private_cups).stdout
    assert f"{QUEUE}-" in completed, "the job did not finish:\n" + _log(private_cups)
    # lpstat lists aborted and cancelled jobs as finished too: the scheduler's log says which it was.
    log = Path(private_cups["TRD_TEST_CUPS_LOG"]).read_text(errors="replace")
    assert "Job completed." in log and "Job stopped" not in log and "aborted" not in log.lower(), _log(private_cups)
    state = _run("lpstat", "-p", QUEUE, env=private_cups).stdout
    assert "disabled" not in state, state + _log(private_cups)

    # What came out of the printer is the document, text and all.
    printed: list[Path] = []
    for _ in range(100):
        printed = sorted(out_dir.glob(f"{title}*.pdf")) if out_dir.exists() else []
        if printed:
            break
        time.sleep(0.1)
    assert printed, f"cups-pdf wrote nothing to {out_dir}"
    try:
        reader = PdfReader(printed[0])
        assert len(reader.pages) == 2
        text = " ".join(p.extract_text() or "" for p in reader.pages)
        assert marker in text and "Second page" in text
    finally:
        for p in printed:
            p.unlink(missing_ok=True)  # only this test's own job file
