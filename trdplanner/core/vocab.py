"""Controlled vocabularies for profile, plan, session and note fields, with display labels."""

from __future__ import annotations

from enum import StrEnum

from trdplanner.catalog.model import Modality as Modality
from trdplanner.clinical import Adherence as Adherence

# Adherence is re-exported: medication adherence uses the same scale as trials.


class Labeled(StrEnum):
    @property
    def label(self) -> str:
        return self.value.replace("_", " ").capitalize()


class PatientStatus(Labeled):
    ACTIVE = "active"
    ARCHIVED = "archived"


class ClinicianRole(Labeled):
    """A group practice's roles; each is a PostgreSQL group role the clinician's login belongs to."""

    CLINICIAN = "clinician"  # their own caseload and patients shared with them
    SUPERVISOR = "supervisor"  # also reads and co-signs for the clinicians they supervise
    ADMIN = "admin"  # manages clinicians, assigns patients, purges
    AUDITOR = "auditor"  # reads the audit trail, nothing else


class RiskLevel(Labeled):
    UNKNOWN = "unknown"
    LOW = "low"
    MODERATE = "moderate"
    HIGH = "high"


class Severity(Labeled):
    """Baseline episode severity, in the Maudsley Staging Method's levels."""

    SUBSYNDROMAL = "subsyndromal"
    MILD = "mild"
    MODERATE = "moderate"
    SEVERE = "severe"


class FactorGroup(Labeled):
    BIOLOGICAL = "biological"
    PSYCHOLOGICAL = "psychological"
    LIFESTYLE = "lifestyle"


# The contributing factors the seed pages name, by group.
FACTORS: dict[FactorGroup, dict[str, str]] = {
    FactorGroup.BIOLOGICAL: {
        "family_history": "Family history of depression",
        "medical_condition": "Medical condition (e.g. thyroid disease, chronic pain)",
        "genetic_metabolism": "Known medication-metabolism variant",
    },
    FactorGroup.PSYCHOLOGICAL: {
        "trauma_history": "Trauma history",
        "anxiety": "Co-occurring anxiety",
        "bipolar_spectrum": "Bipolar-spectrum features",
        "personality_disorder": "Personality disorder",
        "negative_thinking": "Persistent negative thinking",
    },
    FactorGroup.LIFESTYLE: {
        "substance_use": "Substance use",
        "physical_health": "Poor physical health",
        "social_support": "Limited social support",
        "sleep": "Sleep problems",
        "exercise": "Little physical activity",
        "chronic_stress": "Chronic stress",
    },
}


class CareRole(Labeled):
    PRESCRIBER = "prescriber"
    PRIMARY_CARE = "primary_care"
    THERAPIST = "therapist"
    OTHER = "other"


class SessionFormat(Labeled):
    INDIVIDUAL = "individual"
    GROUP = "group"
    FAMILY = "family"


class SessionStatus(Labeled):
    PLANNED = "planned"
    COMPLETED = "completed"
    CANCELLED = "cancelled"
    LATE_CANCELLATION = "late_cancellation"
    NO_SHOW = "no_show"

    @property
    def label(self) -> str:
        return {
            SessionStatus.PLANNED: "Planned",
            SessionStatus.COMPLETED: "Held",
            SessionStatus.CANCELLED: "Cancelled",
            SessionStatus.LATE_CANCELLATION: "Late cancellation",
            SessionStatus.NO_SHOW: "No-show",
        }[self]

    @property
    def held(self) -> bool:
        """Only a session marked as held counts as one: in reports, lists and notes alike."""
        return self is SessionStatus.COMPLETED

    @property
    def called_off(self) -> bool:
        return self in NOT_HELD

    @property
    def counts_for_date(self) -> bool:
        """Whether a measure entered without a session may belong to this session by its date."""
        return not self.called_off


# The outcomes of a session that did not take place; none of them is ever counted as held.
NOT_HELD = frozenset({SessionStatus.CANCELLED, SessionStatus.LATE_CANCELLATION, SessionStatus.NO_SHOW})


# One list of modalities for templates and sessions alike; the catalog owns it.
MODALITY_LABELS = {m: m.label for m in Modality}


class InstanceRole(Labeled):
    IN_SESSION = "in_session"
    HOMEWORK = "homework"


class HomeworkStatus(Labeled):
    ASSIGNED = "assigned"
    COMPLETED = "completed"
    PARTIAL = "partial"
    NOT_DONE = "not_done"


class NoteFormat(Labeled):
    SOAP = "soap"
    DAP = "dap"
    BIRP = "birp"
    GIRP = "girp"
    PIRP = "pirp"

    @property
    def label(self) -> str:
        return self.value.upper()


class NoteStatus(Labeled):
    DRAFT = "draft"
    SIGNED = "signed"


class AddendumKind(Labeled):
    ADDENDUM = "addendum"
    CORRECTION = "correction"
    LATE_ENTRY = "late_entry"


class PlanStatus(Labeled):
    ACTIVE = "active"
    REVISED = "revised"
    CLOSED = "closed"


class GoalStatus(Labeled):
    ACTIVE = "active"
    MET = "met"
    DISCONTINUED = "discontinued"


class ObjectiveStatus(Labeled):
    NOT_MET = "not_met"
    PARTIALLY_MET = "partially_met"
    MET = "met"
    REVISED = "revised"
    DISCONTINUED = "discontinued"


# Objectives still being worked on: the ones a review date makes due.
OPEN_OBJECTIVE = frozenset({ObjectiveStatus.NOT_MET, ObjectiveStatus.PARTIALLY_MET})


COMPARATORS = ("<", "<=", ">", ">=")


class AttendanceStatus(Labeled):
    """A group member's attendance at one meeting; attended and late put the meeting in their record."""

    ATTENDED = "attended"
    LATE = "late"
    ABSENT = "absent"
    CANCELLED = "cancelled"

    @property
    def label(self) -> str:
        return {
            AttendanceStatus.ATTENDED: "Attended",
            AttendanceStatus.LATE: "Attended, late",
            AttendanceStatus.ABSENT: "Absent",
            AttendanceStatus.CANCELLED: "Cancelled ahead",
        }[self]

    @property
    def present(self) -> bool:
        return self in (AttendanceStatus.ATTENDED, AttendanceStatus.LATE)
