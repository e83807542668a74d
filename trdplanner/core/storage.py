"""Storage problems (a full disk, a read-only folder, an unreadable file) in plain words.

SQLite reports these as terse driver errors, and the wrong one would mislead: a full disk
must never be reported as a wrong passphrase. :func:`storage_problem` names the problem,
or returns None when the error is not about storage.
"""

from __future__ import annotations

import errno
from pathlib import Path

from trdplanner.core.db import DatabaseError


class StorageError(DatabaseError):
    """The disk or folder, not the data or the passphrase, is the problem. Nothing was changed."""


def storage_problem(exc: BaseException, where: Path | None = None) -> str | None:
    place = f" ({where})" if where is not None else ""
    if isinstance(exc, OSError) and exc.errno == errno.ENOSPC:
        return f"storage: the disk is full{place}; free some space and try again. Nothing was changed."
    if isinstance(exc, OSError) and exc.errno in (errno.EROFS, errno.EACCES, errno.EPERM):
        return (f"storage: the data folder{place} cannot be written (read-only or no permission); you can still "
                "read and print, and back up to another folder. Nothing was changed.")
    message = str(getattr(exc, "orig", None) or exc).lower()
    if "disk is full" in message or "no space" in message:
        return f"storage: the disk is full{place}; free some space and try again. Nothing was changed."
    if "readonly" in message or "read-only" in message:
        return (f"storage: the data folder{place} cannot be written (read-only); you can still read and print, and "
                "back up to another folder. Nothing was changed.")
    if "unable to open database file" in message or "disk i/o error" in message:
        return (f"storage: the database file{place} cannot be opened or read (a missing folder, no permission, or "
                "a failing disk). Nothing was changed.")
    return None
