"""Logging to a rotating file in the data dir.

Log calls across the app pass ids and counts, never names, notes or scores, so the
log file can be attached to a bug report without exposing a patient.
"""

from __future__ import annotations

import contextlib
import logging
import logging.handlers
import os
from pathlib import Path

_FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"


class _PrivateRotatingFileHandler(logging.handlers.RotatingFileHandler):
    """Every log file it creates (the current one and each rotation) is owner-only on POSIX."""

    def _open(self):  # type: ignore[no-untyped-def]
        if os.name == "posix" and not os.path.exists(self.baseFilename):
            os.close(os.open(self.baseFilename, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600))
        return super()._open()


def configure_logging(logs_dir: Path, *, verbose: bool = False) -> Path:
    log_file = logs_dir / "trdplanner.log"
    try:
        logs_dir.mkdir(parents=True, exist_ok=True)
        handler: logging.Handler = _PrivateRotatingFileHandler(
            log_file, maxBytes=2_000_000, backupCount=3, encoding="utf-8"
        )
    except OSError:  # a read-only or full data folder: the app still reads, prints and backs up elsewhere
        handler = logging.NullHandler()
    handler.setFormatter(logging.Formatter(_FORMAT))
    root = logging.getLogger()
    for old in [h for h in root.handlers if getattr(h, "_trdplanner", False)]:
        root.removeHandler(old)
        old.close()
    handler._trdplanner = True  # type: ignore[attr-defined]
    root.addHandler(handler)
    root.setLevel(logging.DEBUG if verbose else logging.INFO)
    if os.name == "posix" and log_file.exists():
        with contextlib.suppress(OSError):
            log_file.chmod(0o600)
    return log_file
