"""Progress notes: drafts, signed notes and their addenda."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import Date, ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from trdplanner.core.models.base import Base, Versioned, utcnow
from trdplanner.core.models.signing import SigningKey


class ProgressNote(Versioned, Base):
    __tablename__ = "progress_note"

    id: Mapped[int] = mapped_column(primary_key=True)
    session_id: Mapped[int] = mapped_column(ForeignKey("therapy_session.id", ondelete="CASCADE"), unique=True)
    format: Mapped[str] = mapped_column(String(10))
    # Ordered [{"id", "title", "text"}] so the note keeps the format's section order.
    sections: Mapped[list[Any]] = mapped_column(default=list)
    status: Mapped[str] = mapped_column(String(10), default="draft", index=True)
    signer_id: Mapped[int | None] = mapped_column(ForeignKey("clinician.id"))
    signer_name: Mapped[str] = mapped_column(String(300), default="")
    signed_at: Mapped[dt.datetime | None] = mapped_column()
    fingerprint: Mapped[str] = mapped_column(String(64), default="")
    # Ed25519 over the canonical content (core/fingerprint.py), by the key named here.
    signature: Mapped[str] = mapped_column(String(128), default="")
    key_fingerprint: Mapped[str] = mapped_column(String(64), default="")
    # The login the server saw sign (PostgreSQL session_user); '' in a solo practice.
    signer_login: Mapped[str] = mapped_column(String(63), default="", server_default="")
    updated_at: Mapped[dt.datetime] = mapped_column(default=utcnow, onupdate=utcnow)

    addenda: Mapped[list[NoteAddendum]] = relationship(cascade="all, delete-orphan", order_by="NoteAddendum.signed_at")
    cosignatures: Mapped[list[NoteCosignature]] = relationship(
        cascade="all, delete-orphan", order_by="NoteCosignature.signed_at"
    )
    # The key that signed it, if this practice knows it (read-only: matched by fingerprint).
    key: Mapped[SigningKey | None] = relationship(
        primaryjoin="foreign(ProgressNote.key_fingerprint) == SigningKey.fingerprint", viewonly=True, lazy="selectin"
    )


class NoteAddendum(Base):
    """Appended after signing; never overwrites the note it refers to."""

    __tablename__ = "note_addendum"

    id: Mapped[int] = mapped_column(primary_key=True)
    note_id: Mapped[int] = mapped_column(ForeignKey("progress_note.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(String(20), default="addendum")
    text: Mapped[str] = mapped_column(Text)
    refers_to_date: Mapped[dt.date | None] = mapped_column(Date)
    signer_id: Mapped[int | None] = mapped_column(ForeignKey("clinician.id"))
    signer_name: Mapped[str] = mapped_column(String(300))
    signed_at: Mapped[dt.datetime] = mapped_column()
    fingerprint: Mapped[str] = mapped_column(String(64))
    signature: Mapped[str] = mapped_column(String(128), default="")
    key_fingerprint: Mapped[str] = mapped_column(String(64), default="")
    signer_login: Mapped[str] = mapped_column(String(63), default="", server_default="")

    key: Mapped[SigningKey | None] = relationship(
        primaryjoin="foreign(NoteAddendum.key_fingerprint) == SigningKey.fingerprint", viewonly=True, lazy="selectin"
    )


class NoteCosignature(Base):
    """A supervisor's second signature over the same content as the note's own (append-only)."""

    __tablename__ = "note_cosignature"

    id: Mapped[int] = mapped_column(primary_key=True)
    note_id: Mapped[int] = mapped_column(ForeignKey("progress_note.id", ondelete="CASCADE"), index=True)
    signer_id: Mapped[int | None] = mapped_column(ForeignKey("clinician.id"))
    signer_name: Mapped[str] = mapped_column(String(300))
    signer_login: Mapped[str] = mapped_column(String(63), default="", server_default="")
    signed_at: Mapped[dt.datetime] = mapped_column()
    # Over the note's own fingerprint (its content, signer and time), the co-signer and the time.
    fingerprint: Mapped[str] = mapped_column(String(64))
    # Ed25519 by the co-signer's own key over the same form (core/fingerprint.cosignature_form).
    signature: Mapped[str] = mapped_column(String(128), default="", server_default="")
    key_fingerprint: Mapped[str] = mapped_column(String(64), default="", server_default="")

    key: Mapped[SigningKey | None] = relationship(
        primaryjoin="foreign(NoteCosignature.key_fingerprint) == SigningKey.fingerprint", viewonly=True, lazy="selectin"
    )
