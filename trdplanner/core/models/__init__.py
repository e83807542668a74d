"""ORM models. Only the service layer imports these; widgets never do."""

from trdplanner.core.models.audit import AuditEvent, PurgePermit
from trdplanner.core.models.base import Base
from trdplanner.core.models.courses import CourseSession, TreatmentCourse
from trdplanner.core.models.flags import PatientFlags
from trdplanner.core.models.groups import (
    GroupAttendance,
    GroupFacilitator,
    GroupMeeting,
    GroupMember,
    SessionAttendee,
    TherapyGroup,
)
from trdplanner.core.models.history import Trial
from trdplanner.core.models.measures import Measure
from trdplanner.core.models.notes import NoteAddendum, NoteCosignature, ProgressNote
from trdplanner.core.models.patient import (
    CareTeamMember,
    Comorbidity,
    ContributingFactor,
    Episode,
    Medication,
    Patient,
)
from trdplanner.core.models.plans import (
    PlanGoal,
    PlanIntervention,
    PlanObjective,
    PlanProblem,
    TreatmentPlan,
)
from trdplanner.core.models.practice import Clinician, PatientShare, Practice
from trdplanner.core.models.sessions import Homework, TemplateInstance, TherapySession
from trdplanner.core.models.signing import KeyEvent, SigningKey

__all__ = [
    "AuditEvent",
    "Base",
    "CareTeamMember",
    "Clinician",
    "Comorbidity",
    "ContributingFactor",
    "CourseSession",
    "Episode",
    "GroupAttendance",
    "GroupFacilitator",
    "GroupMeeting",
    "GroupMember",
    "Homework",
    "KeyEvent",
    "Measure",
    "Medication",
    "NoteAddendum",
    "NoteCosignature",
    "Patient",
    "PatientFlags",
    "PatientShare",
    "PlanGoal",
    "PlanIntervention",
    "PlanObjective",
    "PlanProblem",
    "Practice",
    "ProgressNote",
    "PurgePermit",
    "SessionAttendee",
    "SigningKey",
    "TemplateInstance",
    "TherapyGroup",
    "TherapySession",
    "TreatmentCourse",
    "TreatmentPlan",
    "Trial",
]
