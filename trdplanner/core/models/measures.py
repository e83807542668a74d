"""Outcome measures, stored item by item where the instrument's licence allows it."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import Date, ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from trdplanner.core.models.base import Base, Versioned, utcnow


class Measure(Versioned, Base):
    __tablename__ = "measure"

    id: Mapped[int] = mapped_column(primary_key=True)
    patient_id: Mapped[int] = mapped_column(ForeignKey("patient.id", ondelete="CASCADE"), index=True)
    session_id: Mapped[int | None] = mapped_column(ForeignKey("therapy_session.id", ondelete="SET NULL"))
    # The filled measure form (PHQ-9, GAD-7, QIDS-SR16) this score was recorded from, so saving
    # or reading the same form again records it once. Removing the form keeps the score.
    instance_id: Mapped[int | None] = mapped_column(
        ForeignKey("template_instance.id", ondelete="SET NULL"), index=True
    )
    instrument: Mapped[str] = mapped_column(String(20))
    taken_on: Mapped[dt.date] = mapped_column(Date, index=True)
    # None for the instruments entered as a total only (MADRS, BDI-II).
    items: Mapped[list[Any] | None] = mapped_column()
    total: Mapped[int] = mapped_column(Integer)
    notes: Mapped[str] = mapped_column(Text, default="")
    # A positive suicidality item must be acknowledged by a clinician; who and when are kept.
    alert_acknowledged_by: Mapped[str] = mapped_column(String(300), default="")
    alert_acknowledged_at: Mapped[dt.datetime | None] = mapped_column()
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
