"""Engine creation, connection pragmas and schema migration.

The same code drives the embedded SQLite file and a PostgreSQL server; queries stay
portable, and SQLite-only settings are applied only on SQLite connections.
"""

from __future__ import annotations

import datetime as dt
import logging
import os
import re
import shutil
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

from sqlalchemy import Connection, Engine, create_engine, event, inspect, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError, DBAPIError
from sqlalchemy.orm import Session, sessionmaker
from sqlalchemy.orm.exc import StaleDataError
from sqlalchemy.pool import NullPool

from trdplanner.core.errors import AccessDenied, InputError, ReadOnlyError, StaleError

if TYPE_CHECKING:
    from trdplanner.core.anchor import Anchor
    from trdplanner.core.crypto import DatabaseKey
    from trdplanner.core.group import GroupInfo

log = logging.getLogger(__name__)

MIGRATIONS_DIR = Path(__file__).resolve().parent / "migrations"


class DatabaseError(RuntimeError):
    """A problem opening or upgrading the database, worded for the person at the keyboard."""


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    # REPLACE fires DELETE triggers only with this on; the guards also refuse REPLACE outright.
    cursor.execute("PRAGMA recursive_triggers=ON")
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=FULL")
    cursor.execute("PRAGMA busy_timeout=5000")
    cursor.close()


def _sqlite_pragmas_read_only(dbapi_connection: Any, _record: Any) -> None:
    # No journal_mode (setting WAL writes the file); query_only refuses writes even from raw SQL.
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA query_only=ON")
    cursor.execute("PRAGMA busy_timeout=5000")
    cursor.close()


def create_db_engine(url: str, key: DatabaseKey | None = None, *, password: str | None = None,
                     read_only: bool = False) -> Engine:
    """An engine for ``url``; with ``key``, a SQLite file is opened through SQLCipher.

    ``password`` is a server password given apart from the URL (a login dialog, a password
    file); it is handed to the driver and never written into the URL, a log or a setting.
    Without one, libpq finds it in the URL, ``PGPASSWORD`` or ``~/.pgpass`` as usual.

    ``read_only``: a SQLite file is opened through SQLite's read-only URI (nothing is created
    or changed beside it; crypto.read_only_uri), a server session is a read-only transaction.
    """
    try:
        parsed = make_url(url)
    except ArgumentError as exc:
        raise DatabaseError(f"database: not a valid database address ({url!r})") from exc
    if parsed.get_backend_name() == "sqlite":
        from trdplanner.core import crypto

        file_backed = bool(parsed.database and parsed.database != ":memory:")
        if file_backed and not read_only:
            crypto.precreate_private(Path(str(parsed.database)))  # owner-only; -wal and -shm copy its mode
            crypto.make_private(Path(str(parsed.database)))
        extra: dict[str, Any] = {}
        module: Any = None
        if key is not None:  # SQLCipher: the dialect sends PRAGMA key before the pragmas below
            parsed = parsed.set(drivername="sqlite+pysqlcipher", password=key.pragma_value())
            module = extra["module"] = crypto.sqlcipher()
        if read_only and file_backed:
            import sqlite3

            uri = crypto.read_only_uri(Path(str(parsed.database)))
            dbapi = module or sqlite3  # the dialect's own module, so its errors are recognised
            extra["creator"] = lambda: dbapi.connect(uri, uri=True)
        # A file-backed SQLite needs no pool; each session opens and closes its own handle.
        engine = create_engine(parsed, poolclass=NullPool, **extra)
        event.listen(engine, "connect", _sqlite_pragmas_read_only if read_only else _sqlite_pragmas)
        return engine
    connect_args: dict[str, Any] = {}
    if password is not None:
        connect_args["password"] = password
    if read_only:
        connect_args["options"] = "-c default_transaction_read_only=on"
    try:
        return create_engine(parsed, pool_pre_ping=True, connect_args=connect_args)
    except (ArgumentError, ImportError) as exc:  # unknown dialect, or its driver is not installed
        raise DatabaseError(f"database: cannot use {parsed.drivername!r} databases ({exc})") from exc


# Alembic is imported only when a schema must actually change: opening a database that is
# already current (every start but the first after an update) reads the version row itself,
# which keeps `trdplanner patient list` and the window's first paint from loading it.
_REVISION_LINE = re.compile(r"^(down_revision|revision)\s*(?::[^=]*)?=\s*(?:['\"]([^'\"]+)['\"]|None)", re.M)


def head_revision() -> str:
    """The newest migration, read from the migration files (the one no other migration follows)."""
    revisions: set[str] = set()
    followed: set[str] = set()
    for path in (MIGRATIONS_DIR / "versions").glob("*.py"):
        found = dict((m.group(1), m.group(2)) for m in _REVISION_LINE.finditer(path.read_text(encoding="utf-8")))
        if found.get("revision"):
            revisions.add(found["revision"])
            if found.get("down_revision"):
                followed.add(found["down_revision"])
    heads = revisions - followed
    if len(heads) != 1:  # a packaging or merge mistake, never a user's doing
        raise DatabaseError(f"database: the migrations have {len(heads)} newest revisions ({sorted(heads)}), not one")
    return heads.pop()


def current_revision(engine: Engine) -> str | None:
    with engine.connect() as connection:
        if not inspect(connection).has_table("alembic_version"):
            return None
        row = connection.execute(text("SELECT version_num FROM alembic_version")).first()
        return None if row is None else str(row[0])


def _alembic_config(connection: Connection) -> Any:
    """Alembic's configuration for our migrations on ``connection`` (Alembic is imported here, only)."""
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    config.attributes["connection"] = connection
    return config


def upgrade(engine: Engine, revision: str = "head") -> None:
    from alembic import command

    with engine.begin() as connection:
        command.upgrade(_alembic_config(connection), revision)


def ensure_schema(engine: Engine, *, read_only: bool = False) -> Path | None:
    """Bring the database to the newest schema.

    An existing SQLite file is copied aside before it is upgraded, so a failed
    migration can never cost the practice its records. Returns the copy's path.
    ``read_only``: a database at the newest schema opens as it is; one that would need an
    upgrade (or is empty) is refused in plain words, since nothing can be written.
    """
    try:
        current = current_revision(engine)
        has_tables = bool(inspect(engine).get_table_names())
    except DBAPIError as exc:  # unreachable server, bad credentials, a file that is not SQLite
        raise DatabaseError(f"database: cannot be opened ({exc.orig})") from exc
    head = head_revision()
    if current == head:
        return None
    if read_only:
        if current is None:
            raise ReadOnlyError("The data folder is read-only and holds no TRD Planner records yet, so there is "
                                "nothing to read. Open it where it can be written, or choose another data folder.")
        raise ReadOnlyError(
            f"The data folder is read-only and its database was made by an older version of TRD Planner "
            f"(schema {current}; this version needs {head}). Upgrading writes to it, so it cannot be opened here. "
            "Copy the folder somewhere you can write and open the copy, or open it with the version that made it."
        )
    if current is None and has_tables:
        raise DatabaseError("database: the file holds tables TRD Planner did not create; choose another file")
    backup: Path | None = None
    db_file = engine.url.database
    if current is not None and engine.url.get_backend_name() == "sqlite" and db_file:
        stamp = dt.datetime.now().strftime("%Y%m%d-%H%M%S")
        backup = Path(f"{db_file}.before-{head}-{stamp}")
        shutil.copy2(db_file, backup)
        if os.name == "posix":
            backup.chmod(0o600)
        log.info("Copied the database aside before upgrading schema %s -> %s", current, head)
    upgrade(engine)
    return backup


def _check_text_lengths(session: Session, _context: Any, _instances: Any) -> None:
    """Hold every database to the declared VARCHAR lengths before anything is written.

    PostgreSQL enforces them and SQLite silently does not; checking here gives both the
    same behaviour and a plain error naming the field instead of a driver error.
    """
    for obj in (*session.new, *session.dirty):
        table = getattr(obj, "__table__", None)
        if table is None:
            continue
        for column in table.columns:
            limit = getattr(column.type, "length", None)
            value = getattr(obj, column.key, None)
            if limit is not None and isinstance(value, str) and len(value) > limit:
                raise InputError(f"{table.name}.{column.key}", f"is longer than {limit} characters")


def _refuse_flush(session: Session, _context: Any, _instances: Any) -> None:
    if session.new or session.dirty or session.deleted:
        raise ReadOnlyError()


def _refuse_statement(state: Any) -> None:
    if state.is_insert or state.is_update or state.is_delete:
        raise ReadOnlyError()


def _is_read_only_refusal(exc: DBAPIError) -> bool:
    # SQLite: "attempt to write a readonly database"; PostgreSQL: 25006 read_only_sql_transaction.
    message = str(exc.orig).lower()
    return "readonly" in message or "read-only" in message or getattr(exc.orig, "sqlstate", None) == "25006"


def _is_refusal(exc: DBAPIError) -> bool:
    # SQLSTATE 42501 insufficient_privilege: a missing grant, a row-level security policy,
    # or one of practice setup's triggers (signing as someone else, reassigning a patient).
    return getattr(exc.orig, "sqlstate", None) == "42501"


class Database:
    """Owns the engine and hands out one session per action."""

    def __init__(self, url: str, key: DatabaseKey | None = None, *, password: str | None = None,
                 read_only: bool = False) -> None:
        # audit and versioning: imported for their hooks (the audit trail, record versions).
        from trdplanner.core import audit, crypto, versioning  # noqa: F401

        if key is None:  # an encrypted file opened by URL alone: the passphrase comes from the environment
            key = crypto.key_from_environment(url)
        self.url = url  # never holds the key: the engine's URL does, and hides it when printed
        self.key = key
        self.read_only = read_only
        self.engine = create_db_engine(url, key, password=password, read_only=read_only)
        # "database" lets the audit hooks find this object's anchor (core/anchor.py) after a commit.
        self._sessions = sessionmaker(self.engine, expire_on_commit=False, info={"database": self})
        self.anchor: Anchor | None = None
        event.listen(self._sessions, "before_flush", _check_text_lengths)
        if read_only:  # refused in the app before the driver refuses it, so the words are ours
            event.listen(self._sessions, "before_flush", _refuse_flush)
            event.listen(self._sessions, "do_orm_execute", _refuse_statement)
        # Told when an access event (a print, a patient opened) could not be recorded (read-only).
        self.on_unrecorded: Callable[[str], None] | None = None
        self.upgrade_backup: Path | None = None
        self.repaired_guards: list[str] = []
        # SQLite: the clinician who unlocked the app (set by the composition root). A server
        # database ignores it: there the actor is always the login the server authenticated.
        self.acting_clinician: str | None = None
        self._login: str | None = None
        self._group: GroupInfo | Literal[False] | None = None

    @property
    def is_server(self) -> bool:
        return self.engine.dialect.name == "postgresql"

    @property
    def login(self) -> str | None:
        """The PostgreSQL login role this database is used as (``session_user``); None on SQLite."""
        if not self.is_server:
            return None
        if self._login is None:
            with self.engine.connect() as conn:
                self._login = str(conn.execute(text("SELECT session_user")).scalar_one())
        return self._login

    @property
    def group(self) -> GroupInfo | None:
        """The group practice's roles when ``practice setup`` has been run on this server database."""
        if not self.is_server:
            return None
        if self._group is None:
            from trdplanner.core.group import group_info

            with self.engine.connect() as conn:
                self._group = group_info(conn) or False
        return self._group or None

    def forget_group(self) -> None:
        self._group = None

    def actor(self) -> str:
        """Who the audit trail and record stamps name: in a group practice the server's login; else
        the clinician who unlocked the app, else (a server shared by one login) that login."""
        from trdplanner.core.audit import os_user

        if self.group is not None:
            return str(self.login)
        return self.acting_clinician or self.login or os_user()

    @property
    def encrypted(self) -> bool:
        return self.key is not None

    @classmethod
    def open(
        cls, url: str, key: DatabaseKey | None = None, *, repair: bool = True, password: str | None = None,
        read_only: bool = False,
    ) -> Database:
        """Open and migrate; ``repair`` puts back missing guards now (AppContext does it after
        checking the audit anchor, so the repair's own audit entry does not hide a cut-short chain).
        ``read_only``: never migrates or repairs (see ensure_schema and missing_guards)."""
        db = cls(url, key, password=password, read_only=read_only)
        try:
            db.upgrade_backup = ensure_schema(db.engine, read_only=read_only)
        except BaseException:
            db.close()
            raise
        if repair and not read_only:
            db.repaired_guards = db.repair_guards()
        return db

    def missing_guards(self) -> list[str]:
        """The guard triggers that are missing or altered, without touching them (read-only mode)."""
        from trdplanner.core import guards

        try:
            with self.reading() as s:
                return guards.missing(s.connection())
        except DBAPIError as exc:
            log.error("could not check database guards: %s", type(exc.orig).__name__)
            return []

    def repair_guards(self) -> list[str]:
        """Put back any missing or altered guard trigger, and record that it happened."""
        from trdplanner.core import audit, guards

        try:
            with self.transaction() as s:
                restored = guards.repair(s.connection())
                if restored:
                    audit.record_in(s, "guards.restore", "database", "", {"restored": restored})
                return restored
        except DBAPIError as exc:  # a role that may not create triggers: say so, keep working
            log.error("could not restore database guards: %s", type(exc.orig).__name__)
            return []

    def _session(self) -> Session:
        from trdplanner.core.versioning import ACTOR_KEY

        session = self._sessions()
        session.info[ACTOR_KEY] = self.actor()
        session.info["login"] = self.login
        session.info["group"] = self.group is not None
        return session

    def _refused(self, exc: DBAPIError) -> AccessDenied:
        """The server's refusal (a grant, a row-level security policy, a trigger), in plain words."""
        first_line = str(exc.orig).splitlines()[0] if exc.orig is not None else ""
        if "row-level security" in first_line:
            first_line = ("the practice's access rules do not allow it (a patient outside your caseload, "
                          "or something only an admin may do)")
        return AccessDenied(f"The database refused this for {self.login}: {first_line}.")

    @contextmanager
    def transaction(self) -> Iterator[Session]:
        """One unit of work: committed if the block succeeds, rolled back entirely if not."""
        try:
            with self._session() as session, session.begin():
                yield session
        except StaleDataError as exc:  # another transaction updated the same row first
            raise StaleError("record") from exc
        except DBAPIError as exc:
            if _is_refusal(exc):
                raise self._refused(exc) from exc
            if self.read_only and _is_read_only_refusal(exc):  # raw SQL that got past the session hooks
                raise ReadOnlyError() from exc
            raise

    @contextmanager
    def reading(self) -> Iterator[Session]:
        try:
            with self._session() as session:
                yield session
        except DBAPIError as exc:
            if _is_refusal(exc):
                raise self._refused(exc) from exc
            raise

    def close(self) -> None:
        self.engine.dispose()
