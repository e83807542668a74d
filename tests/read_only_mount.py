"""A real read-only data folder for the read-only tests (safety and window), and a way to show nothing changed."""

from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
from pathlib import Path


def mount_read_only(src: Path, mnt: Path) -> bool:
    """A read-only bind mount of ``src`` at ``mnt``, as a write-protected disk: False where not allowed.

    The kernel answers every write there with EROFS, root's included, which permission bits
    cannot do for root (the tests and CI run as root).
    """
    if os.geteuid() != 0 or shutil.which("mount") is None:
        return False
    mnt.mkdir()
    if subprocess.run(["mount", "--bind", str(src), str(mnt)], capture_output=True).returncode:
        return False
    if subprocess.run(["mount", "-o", "remount,bind,ro", str(mnt)], capture_output=True).returncode:
        subprocess.run(["umount", str(mnt)], capture_output=True)
        return False
    return True


def unmount(mnt: Path) -> None:
    subprocess.run(["umount", str(mnt)], capture_output=True)


def fingerprint(folder: Path) -> dict[str, str]:
    """Every file under ``folder`` with its content hash (SQLite's -shm/-wal of a read-only reader aside)."""
    return {
        str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(folder.rglob("*"))
        if p.is_file() and not p.name.endswith(("-shm", "-wal"))
    }
