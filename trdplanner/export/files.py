"""Writing a finished PDF: temp file then rename, so a failed export leaves no broken file."""

from __future__ import annotations

from pathlib import Path

from trdplanner.core.errors import InputError
from trdplanner.core.fileio import write_atomic
from trdplanner.core.intake import read_bounded


def save_pdf(path: Path, data: bytes) -> None:
    """Write ``data`` to ``path`` atomically; any problem is an ``InputError`` on ``output``.

    The previous file at ``path``, if any, is untouched unless the new one is complete.
    """
    path = Path(path)
    if path.is_dir():
        raise InputError("output", f"{path} is a folder; give a file name such as {path / 'document.pdf'}")
    if not path.parent.exists():
        raise InputError("output", f"the folder {path.parent} does not exist")
    try:
        write_atomic(path, data)
    except OSError as exc:
        reason = exc.strerror or str(exc)
        raise InputError("output", f"cannot write {path} ({reason})") from None


def read_pdf(path: Path, limit: int = 50 * 1024 * 1024) -> bytes:
    """Read a PDF the user names; problems are an ``InputError`` on ``file``.

    Bounded: never more than ``limit`` bytes, and never a device or pipe (``/dev/zero`` reports
    a size of 0 and then never ends).
    """
    return read_bounded(Path(path), limit, what="PDF")
