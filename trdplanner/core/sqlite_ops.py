"""Low-level work on an embedded database file shared by backup, restore and re-keying.

Each helper does one careful thing to a file on disk (fsync a folder, make a private temp
file beside the target so the final rename is atomic, count a copy's rows, fold the WAL in),
so backup.py and rekey.py state their procedures, not the system calls.
"""

from __future__ import annotations

import contextlib
import os
import secrets
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from trdplanner.core import crypto
from trdplanner.core.crypto import DatabaseKey


def os_reason(exc: OSError) -> str:
    return exc.strerror or str(exc)


def unwritable(folder: Path, exc: OSError) -> str:
    return f"cannot write in {folder} ({os_reason(exc)}); nothing was changed"


def fsync_dir(folder: Path) -> None:
    if os.name != "posix":
        return
    fd = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def fsync_file(path: Path) -> None:
    with open(path, "rb+") as handle:
        os.fsync(handle.fileno())


def temp_beside(target: Path) -> Path:
    """An empty, owner-only temp file in the target's folder (so the final rename is atomic)."""
    tmp = target.parent / f".{target.name}.{secrets.token_hex(6)}.tmp"
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    os.close(fd)
    return tmp


def unlink_quietly(path: Path) -> None:
    with contextlib.suppress(OSError):
        path.unlink()


@contextlib.contextmanager
def connection(path: Path, key: DatabaseKey | None, *, read_only: bool = False) -> Iterator[Any]:
    con = crypto.connect(path, key, read_only=read_only)
    try:
        yield con
    finally:
        con.close()


def table_counts(con: Any) -> dict[str, int]:
    names = [
        r[0]
        for r in con.execute(
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name"
        )
    ]
    return {name: int(con.execute(f'SELECT count(*) FROM "{name}"').fetchone()[0]) for name in names}


def integrity(con: Any) -> str:
    rows = [r[0] for r in con.execute("PRAGMA integrity_check").fetchall()]
    return "ok" if rows == ["ok"] else "; ".join(str(r) for r in rows[:3])


def sidecars(db_file: Path) -> list[Path]:
    return [Path(f"{db_file}{suffix}") for suffix in ("-wal", "-shm", "-journal")]


def checkpoint(db_file: Path, key: DatabaseKey | None) -> None:
    """Fold the WAL into the main file so the file alone is the whole database."""
    with connection(db_file, key) as con:
        con.execute("PRAGMA wal_checkpoint(TRUNCATE)")


def wipe(path: Path) -> None:
    """Overwrite a file with zeros, then delete it.

    Best effort only: on SSDs, copy-on-write and journaling file systems and in snapshots the
    old blocks may survive an overwrite; full-disk encryption is what really covers them.
    """
    try:
        size = path.stat().st_size
        with open(path, "r+b") as handle:
            block = b"\0" * (1 << 20)
            left = size
            while left > 0:
                n = min(left, len(block))
                handle.write(block[:n])
                left -= n
            handle.flush()
            os.fsync(handle.fileno())
    except OSError:
        pass
    unlink_quietly(path)
