"""The practice and its clinicians: who signs notes and whose name heads the prints."""

from __future__ import annotations

from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from trdplanner.core.models.base import Base


class Practice(Base):
    __tablename__ = "practice"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    address: Mapped[str] = mapped_column(String(500), default="")
    phone: Mapped[str] = mapped_column(String(50), default="")

    clinicians: Mapped[list[Clinician]] = relationship(back_populates="practice")


class Clinician(Base):
    __tablename__ = "clinician"

    id: Mapped[int] = mapped_column(primary_key=True)
    practice_id: Mapped[int | None] = mapped_column(ForeignKey("practice.id"))
    name: Mapped[str] = mapped_column(String(200))
    credentials: Mapped[str] = mapped_column(String(100), default="")
    licence_number: Mapped[str] = mapped_column(String(100), default="")
    email: Mapped[str] = mapped_column(String(200), default="")

    practice: Mapped[Practice | None] = relationship(back_populates="clinicians")
