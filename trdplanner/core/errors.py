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
