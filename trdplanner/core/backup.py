"""Backups and restore for the embedded database (encryption and re-keying: rekey.py).

No Qt here: the GUI and the command line call the same functions.

* A backup is SQLite's online backup into a temp file in the target folder, taken inside
  one read transaction (a consistent snapshot even while the app is writing), fsync,
  ``PRAGMA integrity_check`` and a row count of every table against the same snapshot,
  then an atomic rename. With SQLCipher both ends of the copy use the database's own key
  and salt, so a backup is exactly as encrypted as the database and opens with the same
  passphrase (and cannot be read by a plain ``sqlite3``).
* Automatic backups are taken on close and once a day, and only the newest
  ``settings.backups_to_keep`` automatic ones are kept; backups made by hand are never pruned.
* Restore checks the backup (passphrase, integrity, schema) before anything is replaced,
  moves the current database aside, copies the backup in, and opens it; if that fails the
  current database is put back.
* Any failure to write (disk full, a read-only folder) is a one-line error and leaves
  every earlier file as it was.

A PostgreSQL database is backed up with the server's own tools (``pg_dump``).
"""

from __future__ import annotations

import contextlib
import datetime as dt
import logging
import os
import shutil
import threading
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from trdplanner.core import crypto
from trdplanner.core.crypto import DatabaseKey, FileState, WrongPassphrase
from trdplanner.core.db import Database, DatabaseError
from trdplanner.core.errors import READ_ONLY_MESSAGE, InputError, ReadOnlyError
from trdplanner.core.intake import require_regular_file
from trdplanner.core.sqlite_ops import (
    checkpoint,
    connection,
    fsync_dir,
    fsync_file,
    integrity,
    os_reason,
    sidecars,
    table_counts,
    temp_beside,
    unlink_quietly,
    unwritable,
)

if TYPE_CHECKING:
    from trdplanner.core.restore_check import Losses

log = logging.getLogger(__name__)

AUTO_PREFIX = "auto-"
SUFFIX = ".sqlite3"
STAMP = "%Y%m%d-%H%M%S"
DAILY = dt.timedelta(hours=24)
REQUIRED_TABLES = frozenset({"alembic_version", "patient", "progress_note", "audit_event"})


class BackupError(InputError):
    """A backup, restore or re-key could not be done; nothing was changed. One line, names the file."""

    def __init__(self, problem: str, field: str = "backup") -> None:
        super().__init__(field, problem)


@dataclass(frozen=True)
class BackupInfo:
    path: Path
    encrypted: bool
    tables: int
    rows: int
    bytes: int


@dataclass(frozen=True)
class RestoreInfo:
    restored_from: Path
    previous: Path | None  # where the replaced database was moved
    encrypted: bool
    rows: int


# ------------------------------------------------------------------------------ helpers


def sqlite_path(db: Database) -> Path:
    path = crypto.sqlite_file(db.url)
    if path is None:
        raise BackupError(
            "this practice uses a database server; back it up with the server's own tools (pg_dump)"
        )
    return path


def check_copy(path: Path, key: DatabaseKey | None, expected: dict[str, int] | None = None) -> dict[str, int]:
    """Open a copy with ``key``, run integrity_check and count rows; BackupError if anything is off."""
    state = crypto.file_state(path)
    if state == FileState.MISSING:
        raise BackupError(f"{path} is empty or missing")
    if key is None and state == FileState.ENCRYPTED:
        raise BackupError(f"{path} is encrypted; give its passphrase")
    if key is not None and state == FileState.PLAIN:
        key = None  # a plain copy opens without a key
    if not crypto.key_opens(path, key):
        if key is not None:
            raise BackupError(f"{path} does not open with this passphrase (or it is not a TRD Planner database)")
        raise BackupError(f"{path} is not a database")
    with connection(path, key) as con:
        try:
            problem = integrity(con)
            counts = table_counts(con) if problem == "ok" else {}
        except crypto.sqlcipher().DatabaseError as exc:  # "database disk image is malformed"
            problem = str(exc)
        if problem != "ok":
            raise BackupError(f"{path} failed the integrity check ({problem})")
    missing = REQUIRED_TABLES - set(counts)
    if missing and "alembic_version" in missing:
        raise BackupError(f"{path} is not a TRD Planner database (no schema version)")
    if expected is not None and counts != expected:
        differ = sorted(t for t in set(expected) | set(counts) if expected.get(t) != counts.get(t))
        raise BackupError(f"the copy's row counts differ from the database's ({', '.join(differ[:5])})")
    return counts


# ------------------------------------------------------------------------------ backup


def snapshot(source: Path, key: DatabaseKey | None, target: Path, *, read_only: bool = False) -> BackupInfo:
    """Copy the database at ``source`` to ``target``, verified; ``target`` is replaced atomically.

    ``read_only``: ``source`` sits in a folder that cannot be written; it is read through SQLite's
    read-only URI, so the copy works from a write-protected stick too.
    """
    target = Path(target)
    if target.is_dir():
        raise BackupError(f"{target} is a folder; give a file name such as {target / 'trdplanner-backup.sqlite3'}")
    if not target.parent.is_dir():
        raise BackupError(f"the folder {target.parent} does not exist")
    if target.resolve() == source.resolve():
        raise BackupError("a backup cannot replace the database itself")
    try:
        tmp = temp_beside(target)
    except OSError as exc:
        raise BackupError(f"cannot write in {target.parent} ({os_reason(exc)}); nothing was changed") from None
    try:
        with connection(source, key, read_only=read_only) as con, connection(tmp, key) as out:
            con.execute("BEGIN")  # one read snapshot for the counts and the copy, whatever else is writing
            try:
                expected = table_counts(con)
                con.backup(out)  # SQLite's online backup; with SQLCipher both ends use the same key
            finally:
                con.execute("COMMIT")
        if os.name == "posix":
            tmp.chmod(0o600)
        fsync_file(tmp)
        counts = check_copy(tmp, key, expected)
        os.replace(tmp, target)
        fsync_dir(target.parent)
    except OSError as exc:
        unlink_quietly(tmp)
        raise BackupError(f"cannot write {target} ({os_reason(exc)}); any earlier file there is untouched") from None
    except BaseException as exc:
        unlink_quietly(tmp)
        if isinstance(exc, BackupError | KeyboardInterrupt | SystemExit):
            raise
        reason = str(getattr(exc, "args", [""])[0] if getattr(exc, "args", None) else type(exc).__name__)
        if "disk" in reason.lower() or "full" in reason.lower():
            raise BackupError(f"cannot write {target} (disk full); any earlier file there is untouched") from None
        raise BackupError(f"the backup failed ({type(exc).__name__}: {reason}); nothing was changed") from None
    return BackupInfo(target, key is not None, len(counts), sum(counts.values()), target.stat().st_size)


def _inside(path: Path, folder: Path) -> bool:
    return path.resolve().is_relative_to(folder.resolve())


def backup_database(db: Database, target: Path, *, reason: str = "manual") -> BackupInfo:
    """Back up the open database to ``target`` and record it in the audit trail."""
    from trdplanner.core.anchor import chain_head
    from trdplanner.core.services.audit import AuditService

    if db.read_only and _inside(Path(target), sqlite_path(db).parent):
        raise ReadOnlyError(f"{READ_ONLY_MESSAGE} Choose a backup file outside {sqlite_path(db).parent}.")
    with db.reading() as s:  # read before the copy: the copy can only be at or past this head
        head = chain_head(s)
    info = snapshot(sqlite_path(db), db.key, target, read_only=db.read_only)
    if db.anchor is not None:  # the chain's head at backup time, sealed, beside the backup
        with contextlib.suppress(OSError):
            db.anchor.write(*head, [], path=anchor_side_file(info.path))
    AuditService(db).try_record(
        "backup.create", "database", "", {"file": info.path.name, "reason": reason, "encrypted": info.encrypted}
    )
    log.info("backup written (%s, %d rows)", reason, info.rows)
    return info


APP_LOCK = "app-open.pid"


def hold_app_lock(data_dir: Path) -> Path:
    """Mark the data folder as open in the app (restore refuses while it is); returns the mark."""
    path = data_dir / APP_LOCK
    path.write_text(str(os.getpid()))
    return path


def release_app_lock(path: Path) -> None:
    with contextlib.suppress(OSError, ValueError):
        if int(path.read_text().strip()) == os.getpid():
            path.unlink()


def app_running(data_dir: Path) -> int | None:
    """The id of a live app process that has this data folder open, or None."""
    try:
        pid = int((data_dir / APP_LOCK).read_text().strip())
    except (OSError, ValueError):
        return None
    if pid == os.getpid():
        return None
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return None  # left behind by a crash
    except PermissionError:
        return pid
    return pid


def anchor_side_file(backup: Path) -> Path:
    return backup.with_name(f"{backup.name}.anchor.json")


def auto_backups(folder: Path) -> list[Path]:
    """The automatic backups in ``folder``, oldest first."""
    if not folder.is_dir():
        return []
    return sorted(p for p in folder.glob(f"{AUTO_PREFIX}*{SUFFIX}") if p.is_file())


def _stamp_of(path: Path) -> dt.datetime | None:
    raw = path.name.removeprefix(AUTO_PREFIX).removesuffix(SUFFIX)[: len("20260101-000000")]
    try:
        return dt.datetime.strptime(raw, STAMP)
    except ValueError:
        return None


def daily_backup_due(folder: Path, now: dt.datetime | None = None) -> bool:
    now = now or dt.datetime.now()
    stamps = [s for s in (_stamp_of(p) for p in auto_backups(folder)) if s is not None]
    return not stamps or now - max(stamps) >= DAILY


def rolling_backup(db: Database, folder: Path, keep: int, *, reason: str, now: dt.datetime | None = None) -> BackupInfo:
    """An automatic backup into ``folder``; then only the newest ``keep`` automatic ones stay."""
    if keep < 1:
        raise BackupError("backups_to_keep must be at least 1")
    if db.read_only and _inside(folder, sqlite_path(db).parent):
        raise ReadOnlyError(f"{READ_ONLY_MESSAGE} Choose a backup file outside {sqlite_path(db).parent}.")
    with _rolling:  # the daily backup runs in the background; one at a time picks a name and prunes
        folder.mkdir(parents=True, exist_ok=True)
        stamp = (now or dt.datetime.now()).strftime(STAMP)
        target = folder / f"{AUTO_PREFIX}{stamp}{SUFFIX}"
        n = 1
        while target.exists():
            n += 1
            target = folder / f"{AUTO_PREFIX}{stamp}-{n}{SUFFIX}"
        info = backup_database(db, target, reason=reason)
        for old in auto_backups(folder)[:-keep]:
            unlink_quietly(old)
            unlink_quietly(anchor_side_file(old))
        return info


_rolling = threading.Lock()


def backup_if_due(db: Database, folder: Path, keep: int) -> BackupInfo | None:
    """The daily automatic backup, if the newest automatic one is a day old or there is none."""
    if crypto.sqlite_file(db.url) is None or db.read_only or not daily_backup_due(folder):
        return None
    return rolling_backup(db, folder, keep, reason="daily")


# ------------------------------------------------------------------------------ restore


def backup_key(path: Path, passphrase: str | None) -> DatabaseKey | None:
    """The key a backup file opens with (None if it is plain); BackupError if it cannot be opened."""
    state = crypto.file_state(path)
    if state == FileState.MISSING:
        raise BackupError(f"{path} is empty or does not exist", "restore")
    if state == FileState.PLAIN:
        return None
    if not passphrase:
        raise BackupError(
            f"{path} is encrypted: give the passphrase it was made with (TRDPLANNER_PASSPHRASE or --passphrase-file)",
            "restore",
        )
    try:
        return crypto.key_for_file(path, passphrase)
    except WrongPassphrase:
        raise BackupError(f"{path} does not open with this passphrase; nothing was changed", "restore") from None


def restore_backup(
    db_file: Path,
    source: Path,
    passphrase: str | None,
    *,
    url: str | None = None,
    confirm: Callable[[Losses], bool] | None = None,
    anchor_folder: Path | None = None,
    anchor_file: str = "audit-anchor.json",
) -> RestoreInfo:
    """Replace the database at ``db_file`` with the backup ``source``, keeping the current one aside.

    Nothing is replaced unless the backup opens with ``passphrase``, passes integrity_check and
    holds TRD Planner's schema. The replaced database is moved to ``<name>.before-restore-<time>``.
    After the copy the database is opened (and migrated if the backup is older); if that fails,
    the previous database is put back.

    Before anything is replaced the backup is verified as a database of its own (guards, audit
    chain, signatures, the anchor beside it; core/restore_check.py) and refused if it fails.
    When the current database holds anything the backup lacks, ``confirm`` is shown the losses
    and must say yes; without ``confirm`` that restore is refused. The audit anchor in
    ``anchor_folder`` (default: the database's folder) is reset to the restored database:
    restoring is a deliberate, recorded rollback.
    """
    from trdplanner.core.restore_check import losses, verify_copy

    anchor_folder = anchor_folder or db_file.parent  # the data folder holds both, unless told otherwise
    source = Path(source)
    try:  # the shared door: a device or pipe is refused in words, never opened
        require_regular_file(source, field="restore", what="backup")
    except InputError as exc:
        raise BackupError(exc.problem, "restore") from None
    if source.resolve() == db_file.resolve():
        raise BackupError("that file is the database itself", "restore")
    key = backup_key(source, passphrase)
    counts = check_copy(source, key)
    url = url or f"sqlite:///{db_file}"

    db_file.parent.mkdir(parents=True, exist_ok=True)
    stamp = dt.datetime.now().strftime(STAMP)
    aside: Path | None = None
    current_key: DatabaseKey | None = None
    if crypto.file_state(db_file) != FileState.MISSING:
        aside = db_file.with_name(f"{db_file.name}.before-restore-{stamp}")
        if crypto.file_state(db_file) == FileState.ENCRYPTED and passphrase:
            with contextlib.suppress(WrongPassphrase, OSError):
                current_key = crypto.key_for_file(db_file, passphrase)
        with contextlib.suppress(Exception):  # a damaged or unopenable database is moved as it is
            if current_key is not None or crypto.file_state(db_file) == FileState.PLAIN:
                checkpoint(db_file, current_key)
    try:
        tmp = temp_beside(db_file)
    except OSError as exc:
        raise BackupError(unwritable(db_file.parent, exc), "restore") from None
    try:
        shutil.copyfile(source, tmp)
        if os.name == "posix":
            tmp.chmod(0o600)
        fsync_file(tmp)
        check_copy(tmp, key, counts)
        side = anchor_side_file(source)
        side_state = None
        if side.is_file() and anchor_folder is not None:
            from trdplanner.core.anchor import Anchor

            side_state = Anchor(anchor_folder).read(side)
        problems = verify_copy(tmp, key, side_state)
        checkpoint(tmp, key)  # the checked (and perhaps migrated) copy is whole in its one file
        for extra in sidecars(tmp):
            unlink_quietly(extra)
        if problems:
            raise BackupError(f"{source.name} fails verification, so it was not restored: {'; '.join(problems[:5])}"
                              + (f" (and {len(problems) - 5} more)" if len(problems) > 5 else ""), "restore")
        if aside is not None and (current_key is not None or crypto.file_state(db_file) == FileState.PLAIN):
            lost = losses(db_file, current_key, source, key)
            if lost.any and (confirm is None or not confirm(lost)):
                raise BackupError(
                    "the current database holds records the backup lacks (" + "; ".join(lost.lines())
                    + "); nothing was changed", "restore")
    except OSError as exc:
        unlink_quietly(tmp)
        raise BackupError(f"cannot copy the backup ({os_reason(exc)}); nothing was changed", "restore") from None
    except BaseException:
        for leftover in (tmp, *sidecars(tmp)):
            unlink_quietly(leftover)
        raise
    moved: list[tuple[Path, Path]] = []
    try:
        if aside is not None:
            os.replace(db_file, aside)
            moved.append((aside, db_file))
            for side in sidecars(db_file):
                if side.exists():
                    target = Path(f"{aside}{side.name.removeprefix(db_file.name)}")
                    os.replace(side, target)
                    moved.append((target, side))
        os.replace(tmp, db_file)
        fsync_dir(db_file.parent)
        db = Database.open(url, key)  # migrates a backup from an older version
        try:
            from trdplanner.core.services.audit import AuditService

            AuditService(db).record(
                "backup.restore",
                "database",
                "",
                {"file": source.name, "previous": aside.name if aside else None, "encrypted": key is not None},
            )
            if anchor_folder is not None:
                from trdplanner.core.anchor import Anchor, chain_head

                with db.reading() as s:
                    Anchor(anchor_folder, anchor_file).write(*chain_head(s), [])
        finally:
            db.close()
    except BaseException as exc:
        unlink_quietly(tmp)
        if moved:  # put the previous database back exactly as it was
            unlink_quietly(db_file)
            for side in sidecars(db_file):
                unlink_quietly(side)
            for now_at, was_at in reversed(moved):
                with contextlib.suppress(OSError):
                    os.replace(now_at, was_at)
        if isinstance(exc, OSError):
            raise BackupError(f"the restore failed ({os_reason(exc)}); the previous database is back",
                              "restore") from None
        if isinstance(exc, DatabaseError):
            raise BackupError(f"the restored copy could not be opened ({exc}); the previous database is back",
                              "restore") from None
        raise
    log.info("database restored from a backup (%d rows)", sum(counts.values()))
    return RestoreInfo(source, aside, key is not None, sum(counts.values()))
