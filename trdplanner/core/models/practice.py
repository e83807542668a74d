"""The practice and its clinicians: who signs notes and whose name heads the prints."""

from __future__ import annotations

from sqlalchemy import Boolean, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from trdplanner.core.models.base import Base, Versioned


class Practice(Versioned, Base):
    __tablename__ = "practice"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    address: Mapped[str] = mapped_column(String(500), default="")
    phone: Mapped[str] = mapped_column(String(50), default="")

    clinicians: Mapped[list[Clinician]] = relationship(back_populates="practice")


class Clinician(Versioned, Base):
    __tablename__ = "clinician"

    id: Mapped[int] = mapped_column(primary_key=True)
    practice_id: Mapped[int | None] = mapped_column(ForeignKey("practice.id"))
    name: Mapped[str] = mapped_column(String(200))
    credentials: Mapped[str] = mapped_column(String(100), default="")
    licence_number: Mapped[str] = mapped_column(String(100), default="")
    email: Mapped[str] = mapped_column(String(200), default="")
    # Group practice: the PostgreSQL login role this clinician connects as (None in a solo practice).
    login: Mapped[str | None] = mapped_column(String(63), unique=True)
    # clinician / supervisor / admin / auditor (vocab.ClinicianRole); the server's role membership rules.
    role: Mapped[str] = mapped_column(String(20), default="clinician", server_default="clinician")
    supervisor_id: Mapped[int | None] = mapped_column(ForeignKey("clinician.id"))
    # A deactivated clinician cannot log in; their signatures stay valid.
    active: Mapped[bool] = mapped_column(Boolean, default=True, server_default="1")

    practice: Mapped[Practice | None] = relationship(back_populates="clinicians")


class PatientShare(Base):
    """A patient shared with a clinician who is not their own (cover, a second opinion)."""

    __tablename__ = "patient_share"

    patient_id: Mapped[int] = mapped_column(ForeignKey("patient.id", ondelete="CASCADE"), primary_key=True)
    clinician_id: Mapped[int] = mapped_column(ForeignKey("clinician.id", ondelete="CASCADE"), primary_key=True)
