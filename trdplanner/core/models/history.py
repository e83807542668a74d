"""The treatment-trial ledger: one dated record per trial."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import Boolean, Date, Float, ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from trdplanner.core.models.base import Base, Versioned


class Trial(Versioned, Base):
    __tablename__ = "trial"

    id: Mapped[int] = mapped_column(primary_key=True)
    patient_id: Mapped[int] = mapped_column(ForeignKey("patient.id", ondelete="CASCADE"), index=True)
    episode_id: Mapped[int | None] = mapped_column(ForeignKey("episode.id", ondelete="SET NULL"))
    kind: Mapped[str] = mapped_column(String(40))
    agent: Mapped[str] = mapped_column(String(200), default="")
    drug_class: Mapped[str] = mapped_column(String(60), default="")
    dose: Mapped[float | None] = mapped_column(Float)
    dose_unit: Mapped[str] = mapped_column(String(20), default="mg/day")
    min_effective_dose: Mapped[float | None] = mapped_column(Float)
    # Why the minimum differs from the drug table's, when the clinician overrode it.
    min_dose_reason: Mapped[str] = mapped_column(Text, default="")
    start: Mapped[dt.date | None] = mapped_column(Date)
    stop: Mapped[dt.date | None] = mapped_column(Date)
    weeks_at_adequate_dose: Mapped[float | None] = mapped_column(Float)
    adherence: Mapped[str] = mapped_column(String(20), default="unknown")
    baseline_score: Mapped[int | None] = mapped_column(Integer)
    end_score: Mapped[int | None] = mapped_column(Integer)
    score_instrument: Mapped[str] = mapped_column(String(20), default="")
    outcome: Mapped[str] = mapped_column(String(30), default="")
    stop_reason: Mapped[str] = mapped_column(String(30), default="")
    side_effects: Mapped[str] = mapped_column(Text, default="")
    prescriber: Mapped[str] = mapped_column(String(200), default="")
    ect_bilateral: Mapped[bool | None] = mapped_column(Boolean)
    treatments_count: Mapped[int | None] = mapped_column(Integer)
    clinician_judged_adequate: Mapped[bool | None] = mapped_column(Boolean)
    notes: Mapped[str] = mapped_column(Text, default="")
