"""Encrypting a plain database in place, and changing an encrypted database's passphrase.

Both work through a verified copy or a verified re-key: integrity_check and the same row
count in every table before the result is trusted, and an audit entry afterwards.
"""

from __future__ import annotations

import contextlib
import os
import secrets
from dataclasses import dataclass
from pathlib import Path

from trdplanner.core import crypto
from trdplanner.core.backup import SUFFIX, BackupError, check_copy
from trdplanner.core.crypto import FileState
from trdplanner.core.db import Database
from trdplanner.core.errors import InputError
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
    wipe,
)


@dataclass(frozen=True)
class EncryptInfo:
    rows: int
    plain_copies: list[Path]  # other unencrypted copies of the records still in the data dir


def plain_copies(db_file: Path, backups_dir: Path | None) -> list[Path]:
    """Unencrypted copies of the database lying about: upgrade copies and plain backups."""
    found = [p for p in db_file.parent.glob(f"{db_file.name}.before-*") if p.is_file()]
    if backups_dir is not None and backups_dir.is_dir():
        found += [p for p in backups_dir.iterdir() if p.is_file() and p.suffix == SUFFIX]
    return sorted(p for p in found if crypto.file_state(p) == FileState.PLAIN)


def encrypt_in_place(db_file: Path, passphrase: str, *, backups_dir: Path | None = None,
                     wipe_plain_copies: bool = False) -> EncryptInfo:
    """Encrypt a plain database file with a new passphrase, through a verified copy.

    ``sqlcipher_export`` writes an encrypted copy beside the file; the copy must pass
    integrity_check and hold the same rows in every table before it atomically replaces the
    plain file. Only then is the plain file overwritten and removed (see ``wipe``).
    """
    state = crypto.file_state(db_file)
    if state == FileState.MISSING:
        raise BackupError(f"there is no database at {db_file}", "encrypt")
    if state == FileState.ENCRYPTED:
        raise BackupError("the database is already encrypted (use 'trdplanner passphrase change')", "encrypt")
    try:
        crypto.check_new_passphrase(passphrase)
    except InputError as exc:
        raise BackupError(f"passphrase {exc.problem}", "encrypt") from None
    key = crypto.new_key(passphrase)
    checkpoint(db_file, None)
    for side in sidecars(db_file):
        if side.exists() and side.stat().st_size > 0 and side.name.endswith("-wal"):
            raise BackupError("the database is in use (close TRD Planner first); nothing was changed", "encrypt")
    try:
        tmp = temp_beside(db_file)
    except OSError as exc:
        raise BackupError(unwritable(db_file.parent, exc), "encrypt") from None
    unlink_quietly(tmp)  # ATTACH creates it; the folder is owner-only and the copy encrypted
    try:
        with connection(db_file, None) as con:
            if integrity(con) != "ok":
                raise BackupError("the plain database fails its integrity check; restore a backup first", "encrypt")
            con.execute("BEGIN")
            try:
                expected = table_counts(con)
                con.execute(f"ATTACH DATABASE ? AS encrypted KEY \"{key.pragma_value()}\"", (str(tmp),))
                con.execute("SELECT sqlcipher_export('encrypted')")
                version = con.execute("PRAGMA main.user_version").fetchone()[0]
                con.execute(f"PRAGMA encrypted.user_version = {int(version)}")
            finally:
                con.execute("COMMIT")
                with contextlib.suppress(Exception):
                    con.execute("DETACH DATABASE encrypted")
        crypto.make_private(tmp)
        fsync_file(tmp)
        if crypto.file_state(tmp) != FileState.ENCRYPTED:
            raise BackupError("the encrypted copy is readable without the passphrase; nothing was changed", "encrypt")
        check_copy(tmp, key, expected)
        # The live path always names a whole database: a second name keeps the plain file
        # reachable for wiping after the verified copy takes its place.
        old = db_file.with_name(f".{db_file.name}.plain-{secrets.token_hex(4)}")
        os.link(db_file, old)
        os.replace(tmp, db_file)
        fsync_dir(db_file.parent)
    except OSError as exc:
        unlink_quietly(tmp)
        raise BackupError(
            f"cannot write the encrypted copy ({os_reason(exc)}); nothing was changed", "encrypt"
        ) from None
    except BaseException:
        unlink_quietly(tmp)
        raise
    for side in sidecars(db_file):
        unlink_quietly(side)
    wipe(old)
    copies = plain_copies(db_file, backups_dir)
    if wipe_plain_copies:
        for copy in copies:
            wipe(copy)
        copies = []
    db = Database.open(f"sqlite:///{db_file}", key)
    try:
        from trdplanner.core.services.audit import AuditService

        AuditService(db).record("database.encrypt", "database", "", {"rows": sum(expected.values())})
    finally:
        db.close()
    return EncryptInfo(sum(expected.values()), copies)


def change_passphrase(db_file: Path, old: str, new: str) -> None:
    """Re-key an encrypted database (``PRAGMA rekey``); WrongPassphrase if ``old`` is wrong.

    The salt stays, so the file remains a standard SQLCipher 4 database for the new passphrase.
    Backups made before keep the passphrase they were made with.
    """
    if crypto.file_state(db_file) != FileState.ENCRYPTED:
        raise BackupError("the database is not encrypted (use 'trdplanner encrypt')", "passphrase")
    try:
        crypto.check_new_passphrase(new)
    except InputError as exc:
        raise BackupError(f"the new passphrase {exc.problem}", "passphrase") from None
    if new == old:
        raise BackupError("the new passphrase is the same as the old one", "passphrase")
    old_key = crypto.key_for_file(db_file, old)
    new_key = crypto.derive_key(new, old_key.salt)
    with connection(db_file, old_key) as con:
        if integrity(con) != "ok":
            raise BackupError("the database fails its integrity check; restore a backup first", "passphrase")
        expected = table_counts(con)
        con.execute(new_key.pragma("rekey"))
    check_copy(db_file, new_key, expected)
    db = Database.open(f"sqlite:///{db_file}", new_key)
    try:
        from trdplanner.core.services.audit import AuditService

        AuditService(db).record("passphrase.change", "database", "")
    finally:
        db.close()
