"""The audit trail, and the permit that lets an explicit purge remove signed records.

``audit_event`` is append-only: the database refuses UPDATE and DELETE on it (triggers,
migration 0004) and each row carries the SHA-256 of the previous row's hash and its own
content, so an edit made behind the app's back breaks the chain at that row.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from trdplanner.core.models.base import Base


class AuditEvent(Base):
    __tablename__ = "audit_event"

    # Assigned by the app (previous id + 1), not by the database: the id is part of the hash.
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    at: Mapped[dt.datetime] = mapped_column()
    actor: Mapped[str] = mapped_column(String(200))
    action: Mapped[str] = mapped_column(String(60), index=True)
    object_type: Mapped[str] = mapped_column(String(40), default="")
    object_id: Mapped[str] = mapped_column(String(64), default="")
    # Canonical JSON of ids, counts and kinds; never names, note text or scores.
    detail: Mapped[str] = mapped_column(Text, default="{}")
    prev_hash: Mapped[str] = mapped_column(String(64))
    hash: Mapped[str] = mapped_column(String(64))


class PurgePermit(Base):
    """Present only inside the transaction of an explicit, confirmed purge.

    The triggers that protect signed notes and addenda let a DELETE through while a row
    exists here; the purge inserts one, deletes the patient, and removes it before commit.
    """

    __tablename__ = "purge_permit"

    patient_id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
