"""Plain records the service layer hands out and takes in. No ORM, no Qt.

Cross-references use numbers a person would recognise (episode 2, session 7) rather
than database ids, so a record exported from one database imports into another.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from trdplanner.core.vocab import (
    AddendumKind,
    CareRole,
    ClinicianRole,
    FactorGroup,
    GoalStatus,
    HomeworkStatus,
    InstanceRole,
    NoteFormat,
    NoteStatus,
    ObjectiveStatus,
    PatientStatus,
    PlanStatus,
    RiskLevel,
    SessionFormat,
    SessionStatus,
)


@dataclass
class ClinicianRec:
    name: str
    credentials: str = ""
    licence_number: str = ""
    email: str = ""
    id: int | None = None
    # Group practice: the PostgreSQL login, the practice role and the supervisor's login.
    login: str | None = None
    role: ClinicianRole = ClinicianRole.CLINICIAN
    supervisor_id: int | None = None
    active: bool = True
    version: int | None = field(default=None, compare=False)  # which copy was loaded, not content

    @property
    def display(self) -> str:
        return f"{self.name}, {self.credentials}" if self.credentials else self.name


@dataclass
class PracticeRec:
    name: str
    address: str = ""
    phone: str = ""
    id: int | None = None
    version: int | None = field(default=None, compare=False)  # which copy was loaded, not content


@dataclass
class ComorbidityRec:
    description: str
    icd10: str = ""


@dataclass
class FactorRec:
    group: FactorGroup
    factor: str
    details: str = ""


@dataclass
class CareTeamRec:
    role: CareRole
    name: str
    contact: str = ""


@dataclass
class MedicationRec:
    name: str
    dose: str = ""
    schedule: str = ""
    adherence: str = "unknown"
    prescriber: str = ""
    started_on: dt.date | None = None


@dataclass
class EpisodeRec:
    number: int
    onset: dt.date | None = None
    ended: dt.date | None = None
    severity: str = ""
    # None: not recorded (asked for, and shown as unknown; never scored as absent).
    psychotic_features: bool | None = None


@dataclass
class PatientProfile:
    code: str
    full_name: str
    preferred_name: str = ""
    date_of_birth: dt.date | None = None
    pronouns: str = ""
    phone: str = ""
    email: str = ""
    address: str = ""
    emergency_contact_name: str = ""
    emergency_contact_relation: str = ""
    emergency_contact_phone: str = ""
    status: PatientStatus = PatientStatus.ACTIVE
    primary_diagnosis: str = ""
    primary_diagnosis_icd10: str = ""
    risk_level: RiskLevel = RiskLevel.UNKNOWN
    risk_summary: str = ""
    # The day the risk summary text last changed (set by the patient service).
    risk_summary_updated: dt.date | None = None
    comorbidities: list[ComorbidityRec] = field(default_factory=list)
    factors: list[FactorRec] = field(default_factory=list)
    care_team: list[CareTeamRec] = field(default_factory=list)
    medications: list[MedicationRec] = field(default_factory=list)
    episodes: list[EpisodeRec] = field(default_factory=list)
    id: int | None = None
    # The version loaded; a save based on an older one is refused (StaleError). None: unchecked.
    version: int | None = field(default=None, compare=False)  # which copy was loaded, not content

    @property
    def display_name(self) -> str:
        return self.preferred_name or self.full_name

    @property
    def current_episode(self) -> EpisodeRec | None:
        """The latest episode that has not ended."""
        open_episodes = [e for e in self.episodes if e.ended is None]
        return max(open_episodes, key=lambda e: e.number) if open_episodes else None


@dataclass
class PatientSummary:
    """One row of the patient list."""

    id: int
    code: str
    full_name: str
    preferred_name: str
    primary_diagnosis: str
    status: PatientStatus
    risk_level: RiskLevel
    last_session: dt.date | None
    unsigned_notes: int
    # From the derived patient_flags row: trd / not_trd / insufficient_data.
    trd_status: str = ""
    failed_trials: int = 0
    # A positive suicidality item on a latest score, or an item-9 alert nobody has acknowledged yet.
    risk_flag: bool = False
    open_alerts: int = 0
    # Code, names and diagnosis folded for case- and accent-insensitive search (core.text.fold).
    search_text: str = ""
    # Signed notes waiting for the working clinician's co-signature (they supervise the signer).
    awaiting_my_cosignature: int = 0

    @property
    def archived(self) -> bool:
        from trdplanner.core.vocab import PatientStatus  # vocab loads the catalog's model; records stay bare

        return self.status == PatientStatus.ARCHIVED


@dataclass
class TrialRec:
    kind: str
    agent: str = ""
    drug_class: str = ""
    episode_number: int | None = None
    dose: float | None = None
    dose_unit: str = "mg/day"
    min_effective_dose: float | None = None
    min_dose_reason: str = ""
    start: dt.date | None = None
    stop: dt.date | None = None
    weeks_at_adequate_dose: float | None = None
    adherence: str = "unknown"
    score_instrument: str = ""
    baseline_score: int | None = None
    end_score: int | None = None
    outcome: str = ""
    stop_reason: str = ""
    side_effects: str = ""
    prescriber: str = ""
    ect_bilateral: bool | None = None
    treatments_count: int | None = None
    clinician_judged_adequate: bool | None = None
    notes: str = ""
    id: int | None = None
    version: int | None = field(default=None, compare=False)  # which copy was loaded, not content


@dataclass
class MeasureRec:
    instrument: str
    taken_on: dt.date
    total: int
    items: list[int] | None = None
    notes: str = ""
    session_number: int | None = None
    alert_acknowledged_by: str = ""
    alert_acknowledged_at: dt.datetime | None = None
    id: int | None = None


@dataclass
class ObjectiveRec:
    text: str
    target_instrument: str = ""
    target_comparator: str = ""
    target_value: float | None = None
    target_date: dt.date | None = None
    review_date: dt.date | None = None
    status: ObjectiveStatus = ObjectiveStatus.NOT_MET
    id: int | None = None


@dataclass
class GoalRec:
    text: str
    status: GoalStatus = GoalStatus.ACTIVE
    objectives: list[ObjectiveRec] = field(default_factory=list)
    id: int | None = None


@dataclass
class InterventionRec:
    text: str
    modality: str = ""
    frequency: str = ""
    responsible: str = ""
    id: int | None = None


@dataclass
class ProblemRec:
    statement: str
    evidence: str = ""
    goals: list[GoalRec] = field(default_factory=list)
    interventions: list[InterventionRec] = field(default_factory=list)
    id: int | None = None


@dataclass
class PlanRec:
    created_on: dt.date
    revised_on: dt.date | None = None
    review_date: dt.date | None = None
    status: PlanStatus = PlanStatus.ACTIVE
    client_participation: str = ""
    problems: list[ProblemRec] = field(default_factory=list)
    id: int | None = None
    version: int | None = field(default=None, compare=False)  # which copy was loaded, not content


@dataclass
class InstanceRec:
    template_id: str
    template_version: int
    template_snapshot: dict[str, Any]
    values: dict[str, Any] = field(default_factory=dict)
    role: InstanceRole = InstanceRole.IN_SESSION
    id: int | None = None


@dataclass
class HomeworkRec:
    title: str
    template_id: str = ""
    instructions: str = ""
    status: HomeworkStatus = HomeworkStatus.ASSIGNED
    reviewed_in_session_number: int | None = None
    review_notes: str = ""
    id: int | None = None


@dataclass
class AddendumRec:
    text: str
    signer_name: str
    signed_at: dt.datetime
    fingerprint: str
    kind: AddendumKind = AddendumKind.ADDENDUM
    refers_to_date: dt.date | None = None
    # Ed25519 signature (hex) by the key with this fingerprint; the public key travels with it
    # so another practice can check it (and shows it as signed elsewhere).
    signature: str = ""
    key_fingerprint: str = ""
    public_key: str = ""
    signed_elsewhere: bool = False
    id: int | None = None


@dataclass
class NoteSectionRec:
    id: str
    title: str
    text: str = ""
    # Structured answers behind the text (the risk review's parts); the text is what is signed.
    fields: dict[str, Any] | None = None


@dataclass
class CosignatureRec:
    """A supervisor's second signature over the note's own signed content."""

    signer_name: str
    signed_at: dt.datetime
    fingerprint: str
    signer_login: str = ""
    id: int | None = None
    # Ed25519 by the co-signer's key (core/signing.check_cosignature); the public key travels too.
    key_fingerprint: str = ""
    signature: str = ""
    public_key: str = ""


@dataclass
class NoteRec:
    format: NoteFormat
    sections: list[NoteSectionRec] = field(default_factory=list)
    status: NoteStatus = NoteStatus.DRAFT
    signer_name: str = ""
    signed_at: dt.datetime | None = None
    fingerprint: str = ""
    addenda: list[AddendumRec] = field(default_factory=list)
    signature: str = ""
    key_fingerprint: str = ""
    public_key: str = ""
    signed_elsewhere: bool = False
    id: int | None = None
    cosignatures: list[CosignatureRec] = field(default_factory=list)
    # Whose co-signature the signed note waits for ('' when none is due or it has been given).
    awaiting_cosigner: str = field(default="", compare=False)
    signer_login: str = field(default="", compare=False)
    version: int | None = field(default=None, compare=False)  # which copy was loaded, not content


@dataclass
class AttendeeRec:
    """Someone present who is not a patient (a relative at a family session), as the clinician records them."""

    relation: str
    name: str
    id: int | None = None


@dataclass
class SessionRec:
    number: int
    date: dt.date
    duration_minutes: int = 50
    format: SessionFormat = SessionFormat.INDIVIDUAL
    modality: str = ""
    status: SessionStatus = SessionStatus.PLANNED
    clinician: ClinicianRec | None = None
    agenda: list[str] = field(default_factory=list)
    interventions: list[str] = field(default_factory=list)
    safety_plan_reviewed: bool = False
    instances: list[InstanceRec] = field(default_factory=list)
    homework: list[HomeworkRec] = field(default_factory=list)
    note: NoteRec | None = None
    id: int | None = None
    version: int | None = field(default=None, compare=False)  # which copy was loaded, not content
    # A group meeting this session is the patient's own copy of: the group's name and how they
    # attended (attended, late); nothing of any other member travels with it.
    group_name: str = ""
    group_attendance: str = ""
    others_present: list[AttendeeRec] = field(default_factory=list)


@dataclass
class CourseSessionRec:
    """One esketamine, IV ketamine, TMS or ECT session; fields that do not apply to the kind stay empty."""

    number: int
    given_on: dt.date
    dose: float | None = None  # mg for esketamine, mg/kg for IV ketamine
    infusion_minutes: int | None = None
    bp_before: str = ""  # "128/82"
    bp_after: str = ""
    observed_minutes: int | None = None
    sedation: int | None = None  # our own 0-4 scale (clinical/courses.py)
    dissociation: int | None = None  # our own 0-4 scale
    adverse_events: str = ""
    travel_home: str = ""
    motor_threshold_percent: int | None = None
    pulses: int | None = None
    placement: str = ""  # ECT: bilateral, right_unilateral, bifrontal
    seizure_seconds: int | None = None
    cognitive_effects: str = ""
    notes: str = ""
    id: int | None = None


@dataclass
class CourseRec:
    """An interventional course. It owns one trial in the ledger, which the course service keeps in step.

    ``trial_index`` is that trial's position in the patient file's ``trials`` list, so a file
    keeps the link without database ids; ``trial_id`` is the id inside one database.
    """

    kind: str
    start: dt.date
    stop: dt.date | None = None
    outcome: str = ""
    stop_reason: str = ""
    provider: str = ""
    protocol: str = ""
    target: str = ""
    planned_sessions: int | None = None
    judged_adequate: bool | None = None
    notes: str = ""
    sessions: list[CourseSessionRec] = field(default_factory=list)
    trial_index: int | None = None
    trial_id: int | None = None
    id: int | None = None


@dataclass
class PatientRecord:
    """Everything about one patient: the unit of export and import."""

    profile: PatientProfile
    clinician: ClinicianRec | None = None
    trials: list[TrialRec] = field(default_factory=list)
    measures: list[MeasureRec] = field(default_factory=list)
    plans: list[PlanRec] = field(default_factory=list)
    sessions: list[SessionRec] = field(default_factory=list)
    courses: list[CourseRec] = field(default_factory=list)


@dataclass
class PlannedVisit:
    """A planned session as a calendar sees it: the print code and the date, nothing clinical."""

    code: str
    session_number: int
    date: dt.date
    duration_minutes: int = 50
