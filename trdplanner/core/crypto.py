"""Encryption at rest for the embedded database: passphrases, keys and file states.

The SQLite file is encrypted with SQLCipher 4 (AES-256, HMAC-SHA512 per page). SQLCipher
normally derives the page key from the passphrase on *every* connection (PBKDF2-HMAC-SHA512,
256,000 rounds, about a third of a second); the app opens a connection per unit of work, so
the key is derived here once, exactly as SQLCipher would derive it, and handed to SQLCipher
as a raw key. The file stays a standard SQLCipher 4 database: the ``sqlcipher`` shell opens
it with ``PRAGMA key = 'the passphrase'``.

The passphrase itself never goes into a URL that is shown, a log line or a process's
argument list: scripts give it in ``TRDPLANNER_PASSPHRASE`` or in a file
(``--passphrase-file``). A new practice's database is encrypted unless the caller opts out
explicitly (the demo practice may); a plain database from an older version keeps working
and can be encrypted in place (``trdplanner encrypt``).
"""

from __future__ import annotations

import contextlib
import enum
import hashlib
import os
import secrets
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError

from trdplanner.core.db import DatabaseError
from trdplanner.core.errors import InputError
from trdplanner.paths import PASSPHRASE_ENV as PASSPHRASE_ENV

Warn = Callable[[str], None]
MIN_PASSPHRASE_LENGTH = 8
MAX_PASSPHRASE_BYTES = 1024

# SQLCipher 4's defaults: PBKDF2-HMAC-SHA512, 256,000 iterations, a 32-byte key, and the
# random 16-byte salt SQLCipher keeps in the first 16 bytes of the file.
KDF_ITERATIONS = 256_000
KEY_BYTES = 32
SALT_BYTES = 16
SQLITE_HEADER = b"SQLite format 3\x00"

NEW_DATABASE_HINT = (
    "a new database is encrypted with a passphrase: set TRDPLANNER_PASSPHRASE or give "
    "--passphrase-file FILE (the demo practice alone may use 'trdplanner demo --no-encryption')"
)
LOCKED_DATABASE_HINT = "it is encrypted: give its passphrase in TRDPLANNER_PASSPHRASE or with --passphrase-file FILE"


class PassphraseError(DatabaseError):
    """The passphrase is missing, wrong or too weak. Nothing was changed."""


class PassphraseRequired(PassphraseError):
    def __init__(self, new: bool) -> None:
        super().__init__(f"database: {NEW_DATABASE_HINT if new else LOCKED_DATABASE_HINT}")
        self.new = new


class WrongPassphrase(PassphraseError):
    def __init__(self) -> None:
        super().__init__(
            "database: wrong passphrase (or the file is not a TRD Planner database); nothing was changed"
        )


class FileState(enum.StrEnum):
    MISSING = "missing"  # no file, or an empty one: a new database
    PLAIN = "plain"  # an unencrypted SQLite file (from before encryption, or the demo)
    ENCRYPTED = "encrypted"  # anything else: SQLCipher leaves no recognisable header


@dataclass(frozen=True)
class DatabaseKey:
    """A derived SQLCipher key and the salt it was derived with. Never printed."""

    key: bytes = field(repr=False)
    salt: bytes = field(repr=False)

    def __post_init__(self) -> None:
        if len(self.key) != KEY_BYTES or len(self.salt) != SALT_BYTES:
            raise ValueError("a database key is 32 bytes with a 16-byte salt")

    def pragma_value(self) -> str:
        """SQLCipher's raw-key form: ``x'<key><salt>'`` (no derivation on connect)."""
        return f"x'{self.key.hex()}{self.salt.hex()}'"

    def pragma(self, name: str = "key", schema: str | None = None) -> str:
        target = f"{schema}.{name}" if schema else name
        return f'PRAGMA {target} = "{self.pragma_value()}"'


def _passphrase_bytes(passphrase: str) -> bytes:
    return passphrase.encode("utf-8")


def derive_key(passphrase: str, salt: bytes) -> DatabaseKey:
    """The key SQLCipher 4 would derive from ``passphrase`` for a file with this salt."""
    raw = hashlib.pbkdf2_hmac("sha512", _passphrase_bytes(passphrase), salt, KDF_ITERATIONS, KEY_BYTES)
    return DatabaseKey(raw, salt)


def new_key(passphrase: str) -> DatabaseKey:
    """A key for a new database, with a fresh random salt."""
    check_new_passphrase(passphrase)
    return derive_key(passphrase, secrets.token_bytes(SALT_BYTES))


def file_salt(path: Path) -> bytes:
    with open(path, "rb") as handle:
        salt = handle.read(SALT_BYTES)
    if len(salt) != SALT_BYTES:
        raise WrongPassphrase()
    return salt


def key_for_file(path: Path, passphrase: str, *, read_only: bool = False) -> DatabaseKey:
    """Derive the key for an existing encrypted file and prove it opens the file."""
    key = derive_key(passphrase, file_salt(path))
    if not key_opens(path, key, read_only=read_only):
        raise WrongPassphrase()
    return key


# ------------------------------------------------------------------------------ files


def sqlite_file(url: str) -> Path | None:
    """The file behind a SQLite URL, or None for a server database or an in-memory one."""
    try:
        parsed = make_url(url)
    except ArgumentError:
        return None
    if parsed.get_backend_name() != "sqlite" or not parsed.database or parsed.database == ":memory:":
        return None
    return Path(parsed.database)


def file_state(path: Path) -> FileState:
    try:
        with open(path, "rb") as handle:
            head = handle.read(len(SQLITE_HEADER))
    except FileNotFoundError:
        return FileState.MISSING
    if not head:
        return FileState.MISSING
    return FileState.PLAIN if head == SQLITE_HEADER else FileState.ENCRYPTED


def sqlcipher() -> Any:
    """The ``sqlcipher3`` module, with SQLCipher's own error log (it writes to stderr) silenced."""
    import sqlcipher3  # type: ignore[import-untyped]

    global _quieted
    if not _quieted:
        con = sqlcipher3.connect(":memory:")
        try:
            con.execute("PRAGMA cipher_log_level = NONE")
        finally:
            con.close()
        _quieted = True
    return sqlcipher3


_quieted = False


def read_only_uri(path: Path) -> str:
    """The SQLite URI that opens ``path`` for reading only, on a read-only disk or folder too.

    SQLite's ``mode=ro`` still needs the folder for a WAL database's -shm file, so a folder
    that cannot be written gets ``immutable=1`` (no locks, no side files: nothing there can
    change under us). That would skip changes still waiting in a -wal file, so a non-empty
    -wal file there is refused in plain words rather than showing an older record.
    """
    from trdplanner.core.storage import StorageError
    from trdplanner.core.writable import cannot_write

    path = Path(path).resolve()
    uri = f"{path.as_uri()}?mode=ro"
    wal, shm = path.with_name(f"{path.name}-wal"), path.with_name(f"{path.name}-shm")
    if shm.exists() or cannot_write(path.parent, probe=False) is None:
        return uri
    if wal.exists() and wal.stat().st_size > 0:
        raise StorageError(
            f"storage: the data folder ({path.parent}) is read-only and its database has saved changes still in "
            f"{wal.name} that cannot be read from there. Copy the whole folder somewhere you can write and open "
            "the copy (--data-dir). Nothing was changed."
        )
    return f"{uri}&immutable=1"


def connect(path: Path, key: DatabaseKey | None, *, read_only: bool = False) -> Any:
    """A raw DB-API connection to ``path`` (SQLCipher when keyed), for maintenance work.

    ``read_only`` opens it so that nothing can be written (and nothing beside it is created).
    """
    if read_only:
        con = sqlcipher().connect(read_only_uri(path), isolation_level=None, uri=True)
    else:
        con = sqlcipher().connect(str(path), isolation_level=None)
    if key is not None:
        con.execute(key.pragma())
    return con


def key_opens(path: Path, key: DatabaseKey | None, *, read_only: bool = False) -> bool:
    """True when ``key`` opens the file; False only when it is the wrong key (or not our kind of file).

    A full disk, a read-only folder or an unreadable file raises StorageError instead: those
    must never be reported as a wrong passphrase.
    """
    from trdplanner.core.storage import StorageError, storage_problem

    try:
        con = connect(path, key, read_only=read_only)
    except StorageError:
        raise
    except Exception as exc:
        problem = storage_problem(exc, path.parent)
        if problem:
            raise StorageError(problem) from None
        return False
    try:
        con.execute("SELECT count(*) FROM sqlite_master").fetchone()
        return True
    except Exception as exc:  # "file is not a database": wrong key, or not SQLCipher at all
        if "not a database" in str(exc).lower() or "encrypted" in str(exc).lower():
            return False
        problem = storage_problem(exc, path.parent)
        if problem:
            raise StorageError(problem) from None
        return False
    finally:
        con.close()


def unlock(url: str, passphrase: str | None, *, encrypt_new: bool = True,
           read_only: bool = False) -> DatabaseKey | None:
    """The key to open the database at ``url`` with, or None when it is (to be) plain.

    * a server database (PostgreSQL): None; encryption at rest is the server's job.
    * a new SQLite file: a fresh key from ``passphrase`` (PassphraseRequired without one),
      or None when ``encrypt_new`` is False (the demo practice's explicit opt-out).
    * a plain SQLite file: None, whatever the passphrase (see ``encrypt_in_place``).
    * an encrypted file: the key, after proving it opens the file (else WrongPassphrase).
    """
    path = sqlite_file(url)
    if path is None:
        return None
    state = file_state(path)
    if state == FileState.PLAIN:
        return None
    if state == FileState.MISSING:
        if not encrypt_new:
            return None
        if not passphrase:
            raise PassphraseRequired(new=True)
        try:
            return new_key(passphrase)
        except InputError as exc:
            raise PassphraseError(f"database: passphrase {exc.problem}") from None
    if not passphrase:
        raise PassphraseRequired(new=False)
    return key_for_file(path, passphrase, read_only=read_only)


def key_from_environment(url: str) -> DatabaseKey | None:
    """For an already encrypted SQLite file, its key from $TRDPLANNER_PASSPHRASE; else None.

    Lets ``Database(url)`` open an encrypted file the way scripts do; it never encrypts a
    new file (that is decided by ``unlock``, which ``AppContext.open`` calls).
    """
    path = sqlite_file(url)
    if path is None or file_state(path) != FileState.ENCRYPTED:
        return None
    return unlock(url, passphrase_from_env())


def make_private(path: Path) -> None:
    """Owner-only permissions on POSIX; SQLite gives -wal and -shm the main file's mode."""
    if os.name == "posix":
        with contextlib.suppress(FileNotFoundError):
            path.chmod(0o600)


def precreate_private(path: Path) -> None:
    """Create an empty, owner-only database file so SQLite never makes it world-readable."""
    path.parent.mkdir(parents=True, exist_ok=True)
    if os.name != "posix" or path.exists():
        return
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    os.close(fd)


# ------------------------------------------------------------------------------ passphrases


def check_new_passphrase(passphrase: str) -> None:
    """A new passphrase must be long enough and fit in a passphrase file; raises InputError."""
    if len(passphrase) < MIN_PASSPHRASE_LENGTH:
        raise InputError("passphrase", f"must be at least {MIN_PASSPHRASE_LENGTH} characters")
    if len(_passphrase_bytes(passphrase)) > MAX_PASSPHRASE_BYTES:
        raise InputError("passphrase", f"must be at most {MAX_PASSPHRASE_BYTES} bytes")
    if passphrase != passphrase.strip():
        raise InputError("passphrase", "must not start or end with a space")
    if "\n" in passphrase or "\r" in passphrase or "\x00" in passphrase:
        raise InputError("passphrase", "must be one line of text")
    score, _hint = strength_hint(passphrase)
    if score == 0:  # the same rule the window's meter shows: a common word or a repeated character
        raise InputError("passphrase", "is too easy to guess; try a few unrelated words")


_COMMON = frozenset(
    {
        "password",
        "password1",
        "passw0rd",
        "12345678",
        "123456789",
        "1234567890",
        "qwertyuiop",
        "iloveyou",
        "letmein1",
        "trustno1",
        "therapist",
        "trdplanner",
        "depression",
        "sunshine",
        "football",
    }
)


def strength_hint(passphrase: str) -> tuple[int, str]:
    """A rough score (0 weakest to 4) and a short hint for the passphrase dialog.

    Not a real entropy estimate: it favours length, which is what protects a passphrase
    against an attacker who has copied the file and can try guesses offline.
    """
    p = unicodedata.normalize("NFC", passphrase)
    if len(p) < MIN_PASSPHRASE_LENGTH:
        return 0, f"Too short: use at least {MIN_PASSPHRASE_LENGTH} characters (a few unrelated words is best)."
    if p.casefold() in _COMMON or len(set(p)) <= 3:
        return 0, "Too easy to guess. Try a few unrelated words."
    classes = sum(
        (
            any(c.islower() for c in p),
            any(c.isupper() for c in p),
            any(c.isdigit() for c in p),
            any(not c.isalnum() for c in p),
        )
    )
    words = len(p.split())
    score = 1
    if len(p) >= 12:
        score += 1
    if len(p) >= 16 or words >= 4:
        score += 1
    if classes >= 3 or words >= 3:
        score += 1
    score = min(score, 4)
    hints = {
        1: "Weak: longer is stronger (four unrelated words, say).",
        2: "Fair. A longer passphrase would be stronger.",
        3: "Good.",
        4: "Strong.",
    }
    return score, hints[score]


def passphrase_from_env() -> str | None:
    value = os.environ.get(PASSPHRASE_ENV)
    return value if value else None


def _warn_on_stderr(message: str) -> None:
    import sys

    print(f"warning: {' '.join(message.split())}", file=sys.stderr)


def read_passphrase_file(path: Path, where: str = "passphrase-file", warn: Warn | None = None) -> str:
    """The first line of ``path`` (without its line ending) as the passphrase; InputError if unusable.

    A file every user can read is refused (POSIX); one the group can read gets a warning through
    ``warn`` (stderr by default). Read with the bounded reader: a FIFO or ``/dev/zero`` is refused.
    """
    from trdplanner.core.intake import check_secret_file, read_bounded

    raw = read_bounded(
        path, MAX_PASSPHRASE_BYTES + 2, field=where, what="passphrase file",
        too_large=f"{path} is longer than {MAX_PASSPHRASE_BYTES} bytes",
    )
    warning = check_secret_file(path, field=where)
    if warning:
        (warn or _warn_on_stderr)(f"{where}: {warning}")
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        raise InputError(where, f"{path} is not UTF-8 text") from None
    line = text.split("\n", 1)[0].removesuffix("\r")
    if not line:
        raise InputError(where, f"{path} is empty; put the passphrase on its first line")
    return line


def passphrase_from(file: Path | None, warn: Warn | None = None) -> str | None:
    """The passphrase a command was given: ``--passphrase-file`` first, else the environment."""
    if file is not None:
        return read_passphrase_file(file, warn=warn)
    return passphrase_from_env()
