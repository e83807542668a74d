"""The audit trail as a service: record an event the database cannot see, list entries, verify the chain.

The chain's mechanics (hashing, the ORM listeners that describe each write, appending) live in
``core/audit.py``; this module is what the window and the command line call.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from trdplanner.core.audit import GENESIS, READ_ACCESS, _row_hash, record_in
from trdplanner.core.db import Database
from trdplanner.core.models import AuditEvent

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class AuditRec:
    id: int
    at: dt.datetime
    actor: str
    action: str
    object_type: str
    object_id: str
    detail: dict[str, Any]
    prev_hash: str
    hash: str


@dataclass(frozen=True)
class AuditCheck:
    """The result of walking the chain: ok, or the first broken link and what is wrong with it."""

    ok: bool
    count: int
    head: str
    broken_at: int | None = None
    problem: str = ""


def _rec(row: AuditEvent) -> AuditRec:
    try:
        detail = json.loads(row.detail)
    except ValueError:
        detail = {"unreadable": True}
    return AuditRec(
        row.id, row.at, row.actor, row.action, row.object_type, row.object_id,
        detail if isinstance(detail, dict) else {"value": detail}, row.prev_hash, row.hash,
    )


class AuditService:
    def __init__(self, db: Database) -> None:
        self.db = db

    def record(
        self,
        action: str,
        object_type: str = "",
        object_id: object = "",
        detail: Mapping[str, Any] | None = None,
        *,
        actor: str | None = None,
    ) -> None:
        """An event the database cannot see for itself (open, print, export, backup, unlock failure).

        A database opened read-only (its data folder cannot be written) records nothing: an access
        event (``READ_ACCESS``) is then let through unrecorded, and whoever asked is told through
        ``db.on_unrecorded``; anything else is refused (ReadOnlyError), as every change is.
        """
        if getattr(self.db, "read_only", False) and action in READ_ACCESS:
            log.info("read-only data folder: %s not recorded", action)
            if self.db.on_unrecorded is not None:
                self.db.on_unrecorded(action)
            return
        with self.db.transaction() as s:
            record_in(s, action, object_type, object_id, detail, actor=actor)

    def try_record(self, action: str, object_type: str = "", object_id: object = "",
                   detail: Mapping[str, Any] | None = None, *, actor: str | None = None) -> bool:
        """``record``, but a failure is logged and reported as False instead of raised.

        For events whose recording must never stop the action itself (opening a patient).
        """
        try:
            self.record(action, object_type, object_id, detail, actor=actor)
            return True
        except Exception as exc:
            log.error("could not write audit event %s: %s", action, type(exc).__name__)
            return False

    def count(self) -> int:
        with self.db.reading() as s:
            return int(s.scalar(select(func.count()).select_from(AuditEvent)) or 0)

    def list(self, limit: int | None = 200, *, action: str = "", newest_first: bool = True) -> list[AuditRec]:
        query = select(AuditEvent).order_by(AuditEvent.id.desc() if newest_first else AuditEvent.id)
        if action:
            query = query.where(AuditEvent.action.startswith(action, autoescape=True))
        if limit:
            query = query.limit(limit)
        with self.db.reading() as s:
            return [_rec(r) for r in s.scalars(query)]

    def _rows(self, s: Session, chunk: int = 2000) -> Iterator[Any]:
        after = -(2**31)
        while True:
            rows = s.execute(
                select(AuditEvent.__table__).where(AuditEvent.id > after).order_by(AuditEvent.id).limit(chunk)
            ).all()
            if not rows:
                return
            yield from rows
            after = rows[-1].id

    def verify(self) -> AuditCheck:
        """Walk the chain from the first event; stop at the first broken link."""
        prev, expected, count = GENESIS, 1, 0
        with self.db.reading() as s:
            for row in self._rows(s):
                if row.id != expected:
                    if row.id > expected:
                        gap = f"entry {expected} is missing" if row.id == expected + 1 else (
                            f"entries {expected} to {row.id - 1} are missing")
                        return AuditCheck(False, count, prev, row.id, f"{gap} (removed before entry {row.id})")
                    return AuditCheck(False, count, prev, row.id, f"entry {row.id} is out of order")
                if row.prev_hash != prev:
                    before = "the start of the chain" if row.id == 1 else f"entry {row.id - 1}"
                    return AuditCheck(
                        False, count, prev, row.id,
                        f"entry {row.id} does not link to {before}: one of them was altered or replaced",
                    )
                if _row_hash(row, prev) != row.hash:
                    return AuditCheck(
                        False, count, prev, row.id,
                        f"entry {row.id} was altered after it was written (its content does not match its hash)",
                    )
                prev, expected, count = row.hash, expected + 1, count + 1
        return AuditCheck(True, count, prev)
