"""Per-patient facts the patient list filters on, kept up to date by the services.

Working out TRD status, the risk flag or unsigned notes for 10,000 patients on every
keystroke would be far too slow, so each change to a patient's trials, measures,
sessions or notes refreshes one row here (see ``trdplanner.core.services.flags``).
The row is derived data: deleting it loses nothing, it is rebuilt on next read.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import Boolean, Date, ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from trdplanner.core.models.base import Base


class PatientFlags(Base):
    __tablename__ = "patient_flags"

    patient_id: Mapped[int] = mapped_column(ForeignKey("patient.id", ondelete="CASCADE"), primary_key=True)
    # trd / not_trd / insufficient_data, under the TRD settings named by ``rule``.
    trd_status: Mapped[str] = mapped_column(String(20), default="", index=True)
    failed_trials: Mapped[int] = mapped_column(Integer, default=0)
    # A positive suicidality item on the latest score of any instrument, or an alert not yet acknowledged.
    risk_flag: Mapped[bool] = mapped_column(Boolean, default=False, index=True)
    open_alerts: Mapped[int] = mapped_column(Integer, default=0)
    unsigned_notes: Mapped[int] = mapped_column(Integer, default=0, index=True)
    last_session: Mapped[dt.date | None] = mapped_column(Date)
    rule: Mapped[str] = mapped_column(String(40), default="")
    computed_on: Mapped[dt.date | None] = mapped_column(Date)
