"""Record versions: no save silently overwrites a change made since the record was loaded.

Every model mixing in ``Versioned`` carries ``version`` (bumped by SQLAlchemy on each UPDATE,
which also adds ``WHERE version = <loaded>`` so two racing transactions cannot both win),
and ``updated_by`` / ``updated_at`` stamped here. A service that takes a record back from a
window calls :func:`check_version` with the version the window loaded; a stale one raises
StaleError naming who changed the record and when. The same rule holds on SQLite and
PostgreSQL; on PostgreSQL a group practice's trigger also stamps ``updated_by`` with the
server's ``session_user``, whatever the client sent.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import event
from sqlalchemy.orm import Session

from trdplanner.core.errors import StaleError
from trdplanner.core.models.base import Versioned, utcnow

ACTOR_KEY = "actor"  # Session.info key: who this session acts for (set by Database)


def check_version(row: Versioned, expected: int | None, what: str) -> None:
    """Refuse a save based on ``expected`` when the row has moved on. None skips the check
    (a command-line import, a caller that never loaded the record)."""
    if expected is not None and row.version != expected:
        raise StaleError(what, row.updated_by, row.updated_at, row.version)


def touch(row: Versioned) -> None:
    """Mark the row changed, so its version moves even when only its child rows were replaced."""
    row.updated_at = utcnow()


@event.listens_for(Session, "before_flush")
def _stamp(session: Session, _context: Any, _instances: Any) -> None:
    actor = str(session.info.get(ACTOR_KEY) or "")[:200]
    for obj in session.new:
        if isinstance(obj, Versioned):
            obj.updated_by = actor
    for obj in session.dirty:
        if isinstance(obj, Versioned) and session.is_modified(obj, include_collections=False):
            obj.updated_by = actor
            obj.updated_at = utcnow()
