"""Signing keys (one Ed25519 pair per clinician at a time) and their signed history.

A key's private half is stored only encrypted with its clinician's signing password
(core/signing.py); a key learned from an imported file has no private half and no
clinician here: its notes show as signed elsewhere.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from trdplanner.core.models.base import Base


class SigningKey(Base):
    __tablename__ = "signing_key"

    id: Mapped[int] = mapped_column(primary_key=True)
    clinician_id: Mapped[int | None] = mapped_column(ForeignKey("clinician.id"), index=True)
    holder_name: Mapped[str] = mapped_column(String(300))
    # SHA-256 of the raw 32-byte public key, hex: what prints and screens show.
    fingerprint: Mapped[str] = mapped_column(String(64), unique=True)
    public_key: Mapped[str] = mapped_column(String(64))  # raw public key, hex
    private_key: Mapped[str] = mapped_column(Text, default="")  # encrypted envelope (JSON); "" if imported
    origin: Mapped[str] = mapped_column(String(10), default="local")  # local | imported
    created_at: Mapped[dt.datetime] = mapped_column()
    revoked_at: Mapped[dt.datetime | None] = mapped_column()


class KeyEvent(Base):
    """Creation, rotation or revocation of a key, signed (see SigningService for by which key)."""

    __tablename__ = "key_event"

    id: Mapped[int] = mapped_column(primary_key=True)
    key_fingerprint: Mapped[str] = mapped_column(String(64), index=True)
    action: Mapped[str] = mapped_column(String(20))  # create | rotate | revoke
    at: Mapped[dt.datetime] = mapped_column()
    payload: Mapped[str] = mapped_column(Text)  # canonical JSON that was signed
    signed_by: Mapped[str] = mapped_column(String(64))  # fingerprint of the signing key
    signature: Mapped[str] = mapped_column(String(128))  # Ed25519, hex
