"""One place that turns failures into dialogs a therapist can act on."""

from __future__ import annotations

import logging

from PySide6.QtWidgets import QMessageBox, QWidget

from trdplanner.core.errors import AccessDenied, InputError, LockedError, NotFoundError, ReadOnlyError, StaleError

log = logging.getLogger(__name__)


def _sentence(text: str) -> str:
    """The first letter upper-cased and the rest left alone (str.capitalize lower-cases the rest)."""
    return text[:1].upper() + text[1:]


def explain(exc: BaseException) -> tuple[str, str]:
    """(what happened, what to do) in plain words."""
    # Imported here: the window imports this module, and must not pull in the database layer
    # (SQLAlchemy, Alembic) before it is on screen.
    from trdplanner.catalog import InstanceError, TemplateError
    from trdplanner.core.db import DatabaseError

    if isinstance(exc, ReadOnlyError):  # before PermissionError below: this is the folder, not a file
        return (str(exc), "Nothing was changed. To make changes, open the records from a folder you can write to "
                "(not a write-protected disk or a read-only share).")
    if isinstance(exc, InputError):
        return (
            f"Please check {exc.field.replace('_', ' ')}: {exc.problem}.",
            "Correct it and try again. Nothing was saved.",
        )
    if isinstance(exc, InstanceError | TemplateError):
        return (str(exc), "Correct the highlighted entry and try again. Nothing was saved.")
    if isinstance(exc, LockedError):
        return (str(exc), "Signed notes cannot be changed. Add an addendum to record anything new.")
    if isinstance(exc, NotFoundError):
        return (_sentence(str(exc)) + ".", "It may have been removed in another window. Refresh the list.")
    from trdplanner.core.storage import StorageError, storage_problem

    if isinstance(exc, StorageError):
        return (_sentence(str(exc).removeprefix("storage: ")), "Your records are safe; nothing was half-written.")
    if isinstance(exc, DatabaseError):
        return (str(exc), "Check that the database file or server is reachable, then try again.")
    storage = storage_problem(exc)
    if storage is not None:
        return (_sentence(storage.removeprefix("storage: ")), "Your records are safe; nothing was half-written.")
    if isinstance(exc, StaleError):
        return (str(exc), "Nothing was saved. Reload to see the newer version.")
    if isinstance(exc, AccessDenied):
        return (str(exc), "Nothing was changed. Ask the practice's admin if you need this.")
    if isinstance(exc, PermissionError):
        return (
            f"The app was not allowed to write a file ({exc.filename or 'unknown file'}).",
            "Choose a folder you can write to, or check its permissions.",
        )
    if isinstance(exc, OSError):
        return (
            f"A file could not be read or written: {exc.strerror or exc}.",
            "Check the disk has free space and the folder exists. Any earlier file was left untouched.",
        )
    return (
        "Something unexpected went wrong.",
        "Your saved work is safe. Details are in the log file in the data folder.",
    )


def show_error(parent: QWidget | None, title: str, exc: BaseException) -> None:
    what, todo = explain(exc)
    log.warning("%s: %s", title, type(exc).__name__)  # never the message: it may hold patient text
    box = QMessageBox(QMessageBox.Icon.Warning, title, what, QMessageBox.StandardButton.Ok, parent)
    box.setInformativeText(todo)
    box.exec()


def confirm(parent: QWidget | None, title: str, question: str, action: str) -> bool:
    """Ask before anything destructive; the safe choice is the default."""
    box = QMessageBox(QMessageBox.Icon.Question, title, question, QMessageBox.StandardButton.NoButton, parent)
    go = box.addButton(action, QMessageBox.ButtonRole.DestructiveRole)
    cancel = box.addButton(QMessageBox.StandardButton.Cancel)
    box.setDefaultButton(cancel)
    box.exec()
    return box.clickedButton() is go
