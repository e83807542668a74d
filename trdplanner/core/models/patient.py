"""The patient profile and the lists that hang off it."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import Boolean, Date, ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from trdplanner.core.models.base import Base, Versioned, utcnow


class Patient(Versioned, Base):
    __tablename__ = "patient"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(40), unique=True)
    full_name: Mapped[str] = mapped_column(String(200))
    preferred_name: Mapped[str] = mapped_column(String(200), default="")
    date_of_birth: Mapped[dt.date | None] = mapped_column(Date)
    pronouns: Mapped[str] = mapped_column(String(50), default="")
    phone: Mapped[str] = mapped_column(String(50), default="")
    email: Mapped[str] = mapped_column(String(200), default="")
    address: Mapped[str] = mapped_column(String(500), default="")
    emergency_contact_name: Mapped[str] = mapped_column(String(200), default="")
    emergency_contact_relation: Mapped[str] = mapped_column(String(100), default="")
    emergency_contact_phone: Mapped[str] = mapped_column(String(50), default="")
    status: Mapped[str] = mapped_column(String(20), default="active", index=True)
    primary_diagnosis: Mapped[str] = mapped_column(String(300), default="")
    primary_diagnosis_icd10: Mapped[str] = mapped_column(String(10), default="")
    risk_level: Mapped[str] = mapped_column(String(20), default="unknown")
    risk_summary: Mapped[str] = mapped_column(Text, default="")
    # When the risk summary text last changed: a note quotes it with this date, never as today's.
    risk_summary_updated: Mapped[dt.date | None] = mapped_column(Date)
    clinician_id: Mapped[int | None] = mapped_column(ForeignKey("clinician.id"))
    # Folded copy of code, names and diagnosis, so search ignores case and accents on any database.
    search_text: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[dt.datetime] = mapped_column(default=utcnow, onupdate=utcnow)

    comorbidities: Mapped[list[Comorbidity]] = relationship(
        back_populates="patient", cascade="all, delete-orphan", order_by="Comorbidity.position"
    )
    factors: Mapped[list[ContributingFactor]] = relationship(
        back_populates="patient", cascade="all, delete-orphan", order_by="ContributingFactor.position"
    )
    care_team: Mapped[list[CareTeamMember]] = relationship(
        back_populates="patient", cascade="all, delete-orphan", order_by="CareTeamMember.position"
    )
    medications: Mapped[list[Medication]] = relationship(
        back_populates="patient", cascade="all, delete-orphan", order_by="Medication.position"
    )
    episodes: Mapped[list[Episode]] = relationship(
        back_populates="patient", cascade="all, delete-orphan", order_by="Episode.number"
    )


class Comorbidity(Base):
    __tablename__ = "comorbidity"

    id: Mapped[int] = mapped_column(primary_key=True)
    patient_id: Mapped[int] = mapped_column(ForeignKey("patient.id", ondelete="CASCADE"), index=True)
    position: Mapped[int] = mapped_column(Integer, default=0)
    description: Mapped[str] = mapped_column(String(300))
    icd10: Mapped[str] = mapped_column(String(10), default="")

    patient: Mapped[Patient] = relationship(back_populates="comorbidities")


class ContributingFactor(Base):
    """One factor in the biological, psychological or lifestyle group the seeds describe."""

    __tablename__ = "contributing_factor"

    id: Mapped[int] = mapped_column(primary_key=True)
    patient_id: Mapped[int] = mapped_column(ForeignKey("patient.id", ondelete="CASCADE"), index=True)
    position: Mapped[int] = mapped_column(Integer, default=0)
    group: Mapped[str] = mapped_column(String(20))
    factor: Mapped[str] = mapped_column(String(40))
    details: Mapped[str] = mapped_column(Text, default="")

    patient: Mapped[Patient] = relationship(back_populates="factors")


class CareTeamMember(Base):
    __tablename__ = "care_team_member"

    id: Mapped[int] = mapped_column(primary_key=True)
    patient_id: Mapped[int] = mapped_column(ForeignKey("patient.id", ondelete="CASCADE"), index=True)
    position: Mapped[int] = mapped_column(Integer, default=0)
    role: Mapped[str] = mapped_column(String(30))
    name: Mapped[str] = mapped_column(String(200))
    contact: Mapped[str] = mapped_column(String(300), default="")

    patient: Mapped[Patient] = relationship(back_populates="care_team")


class Medication(Base):
    __tablename__ = "medication"

    id: Mapped[int] = mapped_column(primary_key=True)
    patient_id: Mapped[int] = mapped_column(ForeignKey("patient.id", ondelete="CASCADE"), index=True)
    position: Mapped[int] = mapped_column(Integer, default=0)
    name: Mapped[str] = mapped_column(String(200))
    dose: Mapped[str] = mapped_column(String(100), default="")
    schedule: Mapped[str] = mapped_column(String(100), default="")
    adherence: Mapped[str] = mapped_column(String(20), default="unknown")
    prescriber: Mapped[str] = mapped_column(String(200), default="")
    started_on: Mapped[dt.date | None] = mapped_column(Date)

    patient: Mapped[Patient] = relationship(back_populates="medications")


class Episode(Base):
    """A depressive episode; TRD is judged within the current one."""

    __tablename__ = "episode"

    id: Mapped[int] = mapped_column(primary_key=True)
    patient_id: Mapped[int] = mapped_column(ForeignKey("patient.id", ondelete="CASCADE"), index=True)
    number: Mapped[int] = mapped_column(Integer)
    onset: Mapped[dt.date | None] = mapped_column(Date)
    ended: Mapped[dt.date | None] = mapped_column(Date)
    severity: Mapped[str] = mapped_column(String(20), default="")
    # Two columns, one answer: yes, no, or not recorded (psychosis_recorded false). Unrecorded
    # used to read as "no" and was scored as absent; the property below is what code uses.
    psychotic_features_value: Mapped[bool] = mapped_column("psychotic_features", Boolean, default=False)
    psychosis_recorded: Mapped[bool] = mapped_column(Boolean, default=False)

    patient: Mapped[Patient] = relationship(back_populates="episodes")

    @property
    def psychotic_features(self) -> bool | None:
        """True, False, or None when nobody recorded whether there were psychotic features."""
        return bool(self.psychotic_features_value) if self.psychosis_recorded else None

    @psychotic_features.setter
    def psychotic_features(self, value: bool | None) -> None:
        self.psychosis_recorded = value is not None
        self.psychotic_features_value = bool(value)
