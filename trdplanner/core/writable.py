"""Can this run of the app write in the data folder? Asked once, before anything is opened.

A therapist meets a read-only data folder on a write-protected USB stick, a read-only
network share, a folder copied from a colleague without write rights, or a disk mounted
read-only after an error. The app then opens in read-only mode (context.py): the record
can be read, printed and backed up to another folder, and nothing is written here.

This module imports nothing heavy: the window asks it before the database layer is loaded.
"""

from __future__ import annotations

import contextlib
import errno
import os
import tempfile
from collections.abc import Iterable
from pathlib import Path

# Only these say "you may not write here"; a full disk is a different problem, said as such.
_REFUSED = (errno.EROFS, errno.EACCES, errno.EPERM)


def _access(path: Path, mode: int) -> bool:
    # Effective ids: what this process may do (a set-uid launcher), not what its login may.
    if os.access in os.supports_effective_ids:
        return os.access(path, mode, effective_ids=True)
    return os.access(path, mode)


def _read_only_disk(folder: Path) -> bool:
    try:
        return bool(os.statvfs(folder).f_flag & os.ST_RDONLY)
    except (OSError, AttributeError):  # no statvfs (Windows): the write attempt below decides
        return False


def cannot_write(folder: Path, files: Iterable[Path] = (), *, probe: bool = True) -> str | None:
    """Why nothing can be saved in ``folder`` (read-only, no permission), or None when it can.

    ``files`` are files in it that must be writable too (the database file). A folder that
    does not exist yet is writable if it can be created. The last word is a real attempt
    to create (and at once remove) a file: permission bits do not show a read-only mount
    on every system, and an administrator's rights override them. ``probe=False`` leaves
    that attempt out (for a folder already being read read-only, which must not be touched).
    """
    folder = Path(folder)
    if not folder.exists():
        parent = next((p for p in folder.parents if p.exists()), None)
        if parent is not None and not _access(parent, os.W_OK | os.X_OK):
            return f"the data folder {folder} does not exist and cannot be created in {parent}"
        return None
    if _read_only_disk(folder):
        return f"the data folder {folder} is on a read-only disk"
    if not _access(folder, os.W_OK | os.X_OK):
        return f"you do not have permission to write in the data folder {folder}"
    for file in files:
        if file.exists() and not _access(file, os.W_OK):
            return f"the database file {file} is read-only"
    if not probe:
        return None
    try:
        fd, probe_file = tempfile.mkstemp(prefix=".trdplanner-write-check-", dir=folder)
    except OSError as exc:
        if exc.errno == errno.EROFS:
            return f"the data folder {folder} is on a read-only disk"
        if exc.errno in _REFUSED:
            return f"you do not have permission to write in the data folder {folder}"
        return None  # a full disk or an odd error: said when something is actually saved
    os.close(fd)
    with contextlib.suppress(OSError):
        os.unlink(probe_file)
    return None
