"""Errors the service layer raises; each names the field and the problem in plain words."""

from __future__ import annotations


class InputError(ValueError):
    """Bad input at a boundary. Nothing was written."""

    def __init__(self, field: str, problem: str) -> None:
        super().__init__(f"{field}: {problem}")
        self.field = field
        self.problem = problem


class NotFoundError(LookupError):
    def __init__(self, what: str, key: object) -> None:
        super().__init__(f"{what}: no {what} with id {key}")
        self.what = what
        self.key = key


class LockedError(PermissionError):
    """An attempt to change something that is signed and therefore read-only."""


class StaleError(RuntimeError):
    """A save based on a version of a record that someone else has changed since it was loaded.

    Nothing was written. ``changed_by`` and ``changed_at`` say who made the newer version and
    when, so the window can offer to reload it or to keep one's own changes on top of it.
    """

    def __init__(self, what: str, changed_by: str = "", changed_at: object = None, version: int | None = None) -> None:
        who = changed_by or "someone else"
        when = ""
        if changed_at is not None and hasattr(changed_at, "astimezone"):
            when = f" at {changed_at.astimezone().strftime('%Y-%m-%d %H:%M')}"
        super().__init__(
            f"{what}: changed by {who}{when} after you opened it, so your save was not applied. "
            "Reload to see their changes, or keep yours on top of them."
        )
        self.what = what
        self.changed_by = changed_by
        self.changed_at = changed_at
        self.version = version


class AccessDenied(PermissionError):
    """The login may not do this (another clinician's patient, signing as someone else, a purge)."""


READ_ONLY_MESSAGE = ("The data folder is read-only, so nothing can be saved. "
                     "You can still read, print and back up to another folder.")


class ReadOnlyError(PermissionError):
    """A change asked of a database opened read-only (its data folder cannot be written). Nothing was written."""

    def __init__(self, message: str = READ_ONLY_MESSAGE) -> None:
        super().__init__(message)

    def __str__(self) -> str:
        return str(self.args[0]) if self.args else READ_ONLY_MESSAGE
