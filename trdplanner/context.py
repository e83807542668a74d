"""The composition root: opens the data dir, settings, database and services once.

The GUI and the CLI both build one of these and hand each part only the services
it needs; nothing below this module reaches back up to it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property
from typing import TYPE_CHECKING

from trdplanner.core import anchor, crypto
from trdplanner.core.crypto import DatabaseKey
from trdplanner.core.db import Database
from trdplanner.core.errors import ReadOnlyError
from trdplanner.core.storage import StorageError
from trdplanner.core.writable import cannot_write
from trdplanner.paths import AppPaths, templates_dir
from trdplanner.settings import Settings, load_settings, save_settings

if TYPE_CHECKING:  # services are imported when first asked for: a command loads only what it uses
    from trdplanner.catalog import Catalog, NoteFormats
    from trdplanner.core.services.audit import AuditService
    from trdplanner.core.services.bundles import BundleService
    from trdplanner.core.services.calendar import CalendarService
    from trdplanner.core.services.courses import CourseService
    from trdplanner.core.services.documents import DocumentService
    from trdplanner.core.services.groups import GroupService
    from trdplanner.core.services.measures import MeasureService
    from trdplanner.core.services.notes import NoteService
    from trdplanner.core.services.patients import PatientService
    from trdplanner.core.services.plans import PlanService
    from trdplanner.core.services.practice import PracticeService
    from trdplanner.core.services.printlog import PrintLog
    from trdplanner.core.services.sessions import SessionService
    from trdplanner.core.services.summary import SummaryService
    from trdplanner.core.services.transfer import TransferService
    from trdplanner.core.services.trials import TrialService
    from trdplanner.core.signing import SigningService

# Cached on the context but independent of the settings: kept when the settings change.
_KEPT_ON_NEW_SETTINGS = frozenset({"db", "catalog", "note_formats"})


def _is_cached(name: str) -> bool:
    return isinstance(getattr(AppContext, name, None), cached_property)


@dataclass
class AppContext:
    paths: AppPaths
    db_url: str
    settings: Settings = field(default_factory=Settings)
    # The derived SQLCipher key (None for a plain SQLite file or a server database).
    key: DatabaseKey | None = field(default=None, repr=False)
    # What opening found wrong against the audit anchor (rolled back, truncated, rewritten).
    anchor_problems: list[str] = field(default_factory=list)
    # A server password given apart from the URL (login dialog, --db-password-file); never stored.
    db_password: str | None = field(default=None, repr=False)
    # Read-only mode: the data folder cannot be written (or --read-only was asked for). The record
    # can be read, printed and backed up to another folder; every change is refused in plain words.
    read_only: bool = False
    read_only_reason: str = ""
    # Read-only mode: guards found missing (they are put back once the folder can be written).
    missing_guards: list[str] = field(default_factory=list)

    @classmethod
    def open(
        cls,
        data_dir: str | None = None,
        db_url: str | None = None,
        passphrase: str | None = None,
        *,
        encrypt_new: bool = True,
        db_password: str | None = None,
        read_only: bool | None = None,
    ) -> AppContext:
        """Open the data dir and its database.

        The passphrase defaults to $TRDPLANNER_PASSPHRASE. A new SQLite database is encrypted
        with it; without one that is refused (PassphraseRequired) unless ``encrypt_new`` is False.

        ``read_only``: None (the default) opens read-only exactly when the data folder or its
        database file cannot be written (core/writable.py); True asks for it (``--read-only``).
        Read-only, nothing in the data folder is created or changed: no migration, no anchor
        write, no guard repair, no audit entry, no log file.
        """
        paths = AppPaths.resolve(data_dir)
        url = paths.database_url(db_url)
        db_file = crypto.sqlite_file(url)
        reason = "read-only mode was asked for (--read-only)" if read_only else ""
        if read_only is None:
            reason = cannot_write(paths.data_dir, [db_file] if db_file is not None else []) or ""
        if not reason:
            paths.ensure()
        elif not paths.data_dir.is_dir():
            raise StorageError(f"storage: the data folder {paths.data_dir} does not exist ({reason}). "
                               "Nothing was changed.")
        elif db_file is not None and crypto.file_state(db_file) == crypto.FileState.MISSING:
            raise ReadOnlyError(f"The data folder is read-only ({reason}) and holds no database yet, so there is "
                                "nothing to read. Choose the folder that holds your records, or one you can write.")
        key = crypto.unlock(url, passphrase if passphrase is not None else crypto.passphrase_from_env(),
                            encrypt_new=encrypt_new, read_only=bool(reason))
        ctx = cls(paths=paths, db_url=url, settings=load_settings(paths.settings_file), key=key,
                  db_password=db_password, read_only=bool(reason), read_only_reason=reason)
        ctx.db  # noqa: B018 - open and migrate now, so errors surface at start-up
        ctx.anchor_problems = anchor.attach(ctx.db, paths.data_dir, ctx.anchor_name)
        if ctx.read_only:
            ctx.missing_guards = ctx.db.missing_guards()
        else:
            ctx.db.repaired_guards = ctx.db.repair_guards()
        return ctx

    @property
    def anchor_name(self) -> str:
        """This database's anchor file in the data folder (core/anchor.py)."""
        return anchor.anchor_name(self.db_url, f"sqlite:///{self.paths.database_file}")

    @cached_property
    def db(self) -> Database:
        from trdplanner.core.services import flags
        from trdplanner.core.services.practice import PracticeService

        flags.configure(self.settings.trd_settings())
        db = Database.open(self.db_url, self.key, repair=False, password=self.db_password, read_only=self.read_only)
        if not db.is_server:
            # Solo practice: the clinician who unlocked the app is the actor, never $USER.
            current = PracticeService(db).current_clinician()
            db.acting_clinician = current.display if current else None
        return db

    def save_settings(self, settings: Settings) -> None:
        if self.read_only:
            raise ReadOnlyError()
        from trdplanner.core.services import flags

        save_settings(self.paths.settings_file, settings)
        self.settings = settings
        flags.configure(settings.trd_settings())
        # Every cached service is rebuilt with the new settings, a service added later included;
        # only what does not depend on them (the open database, the template files) is kept.
        for name in [n for n in self.__dict__ if n not in _KEPT_ON_NEW_SETTINGS and _is_cached(n)]:
            self.__dict__.pop(name, None)

    @cached_property
    def catalog(self) -> Catalog:
        """Built-in templates beside the clinician's own; a broken file is listed, never fatal."""
        from trdplanner.catalog import load_catalog

        return load_catalog(templates_dir(), self.paths.user_templates_dir)

    @cached_property
    def note_formats(self) -> NoteFormats:
        from trdplanner.catalog import load_note_formats

        return load_note_formats(templates_dir() / "notes")

    @cached_property
    def practice(self) -> PracticeService:
        from trdplanner.core.services.practice import PracticeService

        return PracticeService(self.db)

    @cached_property
    def patients(self) -> PatientService:
        from trdplanner.core.services.patients import PatientService

        service = PatientService(self.db, self.settings)
        me = self.practice.current_clinician()
        if me is not None and me.id is not None and self.practice.supervises_anyone(me.id):
            service.cosigner_id = me.id
        return service

    @cached_property
    def trials(self) -> TrialService:
        from trdplanner.core.services.trials import TrialService

        return TrialService(self.db)

    @cached_property
    def courses(self) -> CourseService:
        from trdplanner.core.services.courses import CourseService

        return CourseService(self.db, self.settings.course_settings())

    @cached_property
    def groups(self) -> GroupService:
        from trdplanner.core.services.groups import GroupService

        return GroupService(self.db, self.notes, lambda: self.catalog)

    @cached_property
    def measures(self) -> MeasureService:
        from trdplanner.core.services.measures import MeasureService

        return MeasureService(self.db)

    @cached_property
    def plans(self) -> PlanService:
        from trdplanner.core.services.plans import PlanService

        return PlanService(self.db)

    @cached_property
    def sessions(self) -> SessionService:
        from trdplanner.core.services.sessions import SessionService

        return SessionService(self.db)

    @cached_property
    def notes(self) -> NoteService:
        from trdplanner.core.services.notes import NoteService

        return NoteService(self.db)

    @cached_property
    def signing(self) -> SigningService:
        from trdplanner.core.signing import SigningService

        return SigningService(self.db)

    @cached_property
    def transfer(self) -> TransferService:
        from trdplanner.core.services.transfer import TransferService

        return TransferService(self.db)

    @cached_property
    def calendar(self) -> CalendarService:
        from trdplanner.core.services.calendar import CalendarService

        return CalendarService(self.db)

    @cached_property
    def audit(self) -> AuditService:
        from trdplanner.core.services.audit import AuditService

        return AuditService(self.db)

    @cached_property
    def prints(self) -> PrintLog:
        """Records every print and saved PDF, from the window and the command line alike."""
        from trdplanner.core.services.printlog import PrintLog

        return PrintLog(self.db)

    @cached_property
    def documents(self) -> DocumentService:
        from trdplanner.core.services.documents import DocumentService

        return DocumentService(self.db, self.settings)

    @cached_property
    def summary(self) -> SummaryService:
        from trdplanner.core.services.summary import SummaryService

        return SummaryService(self.db, self.settings)

    @cached_property
    def bundles(self) -> BundleService:
        from trdplanner.core.services.bundles import BundleService

        return BundleService(self.db, self.settings)

    def close(self) -> None:
        if "db" in self.__dict__:
            self.db.close()
