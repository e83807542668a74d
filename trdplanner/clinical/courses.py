"""Interventional treatment courses (esketamine, IV ketamine, rTMS/iTBS, ECT) and their adequacy.

A course is a trial in the ledger: the rules here say which trial kind it is and whether the
course was adequate, and the ledger's own rules (trd.py, staging.py) do the rest, so a failed
adequate bilateral ECT course reaches Thase-Rush stage V and the Maudsley ECT point unchanged.

The clinical reference (§3) says an ATHF rating of 3 or more is adequate but gives no number of
ECT treatments or TMS sessions; those minimums are therefore settings marked unverified. The
ketamine treatments have no published adequacy rule in the reference, so their adequacy stays
the clinician's call.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from enum import StrEnum

from trdplanner.clinical.errors import SettingsError
from trdplanner.clinical.provenance import Provenance, sourced
from trdplanner.clinical.trial_facts import TrialKind


class CourseKind(StrEnum):
    ESKETAMINE = "esketamine"
    IV_KETAMINE = "iv_ketamine"
    TMS = "tms"
    ECT = "ect"

    @property
    def label(self) -> str:
        return _COURSE_LABELS[self]

    @property
    def trial_kind(self) -> TrialKind:
        return _TRIAL_KINDS[self]

    @property
    def is_dosing(self) -> bool:
        """A ketamine dosing session, after which therapy plans an integration session."""
        return self in (CourseKind.ESKETAMINE, CourseKind.IV_KETAMINE)


_COURSE_LABELS = {
    CourseKind.ESKETAMINE: "Esketamine (nasal)",
    CourseKind.IV_KETAMINE: "IV ketamine",
    CourseKind.TMS: "rTMS / iTBS",
    CourseKind.ECT: "ECT",
}
_TRIAL_KINDS = {
    CourseKind.ESKETAMINE: TrialKind.ESKETAMINE,
    CourseKind.IV_KETAMINE: TrialKind.IV_KETAMINE,
    CourseKind.TMS: TrialKind.RTMS_ITBS,
    CourseKind.ECT: TrialKind.ECT,
}


class ElectrodePlacement(StrEnum):
    BILATERAL = "bilateral"
    RIGHT_UNILATERAL = "right_unilateral"
    BIFRONTAL = "bifrontal"

    @property
    def label(self) -> str:
        return self.value.replace("_", " ").capitalize()


#: Our own 0-4 observation scales (not a published instrument): the words shown for each point.
SEDATION_SCALE: tuple[str, ...] = (
    "0 awake and alert",
    "1 drowsy, answers at once",
    "2 sleepy, answers when spoken to",
    "3 hard to rouse, answers to touch",
    "4 not rousable",
)
DISSOCIATION_SCALE: tuple[str, ...] = (
    "0 none",
    "1 slight, feels a little unreal",
    "2 clear, but talks easily",
    "3 strong, hard to follow a conversation",
    "4 overwhelming, cannot take part",
)
SCALE_MAX = 4


@dataclass(frozen=True)
class CourseSettings:
    """Minimum sessions for an adequate ECT or TMS course, and the integration window."""

    ect_min_treatments: int = sourced(
        8,
        Provenance(
            verified=False,
            source="Not in the clinical reference: §3 gives ATHF rating 3 or more = adequate, but its "
            "ECT table was not retrieved",
            note="8 treatments is a working convention; confirm against the ATHF ECT criteria.",
        ),
    )
    tms_min_sessions: int = sourced(
        20,
        Provenance(
            verified=False,
            source="Not in the clinical reference: no TMS adequacy table was retrieved (§3)",
            note="20 sessions is a working convention; confirm against your TMS service's protocol.",
        ),
    )
    integration_after_hours: int = sourced(
        24,
        Provenance(verified=False, source="Issue 17 design: integration within a day or two of dosing"),
    )
    integration_within_hours: int = sourced(
        72,
        Provenance(verified=False, source="Issue 17 design: integration within a day or two of dosing"),
    )

    def __post_init__(self) -> None:
        for name, lo, hi in (("ect_min_treatments", 1, 30), ("tms_min_sessions", 1, 60),
                             ("integration_after_hours", 0, 168), ("integration_within_hours", 1, 336)):
            value = getattr(self, name)
            if isinstance(value, bool) or not isinstance(value, int) or not lo <= value <= hi:
                raise SettingsError(name, f"must be a whole number from {lo} to {hi}, got {value!r}")
        if self.integration_within_hours <= self.integration_after_hours:
            raise SettingsError("integration_within_hours", "must be later than integration_after_hours")


def course_adequate(
    kind: CourseKind, sessions_given: int, ended: bool, settings: CourseSettings, judged: bool | None = None
) -> bool | None:
    """Whether the course was adequate: True, False, or None when it cannot be said yet.

    ECT and TMS: adequate once the minimum number of sessions was given; an ended course with
    fewer was not adequate; a running one with fewer is not known yet (it may still get there).
    Ketamine: no rule in the reference, so the clinician's judgement (``judged``) stands.
    """
    if kind is CourseKind.ECT or kind is CourseKind.TMS:
        minimum = settings.ect_min_treatments if kind is CourseKind.ECT else settings.tms_min_sessions
        if sessions_given >= minimum:
            return True
        return False if ended else None
    return judged


def adequacy_reason(kind: CourseKind, sessions_given: int, adequate: bool | None, settings: CourseSettings) -> str:
    """One line saying why the course is or is not adequate."""
    if kind is CourseKind.ECT or kind is CourseKind.TMS:
        minimum = settings.ect_min_treatments if kind is CourseKind.ECT else settings.tms_min_sessions
        what = "treatments" if kind is CourseKind.ECT else "sessions"
        verdict = {True: "adequate", False: "not adequate", None: "not yet adequate"}[adequate]
        return f"{sessions_given} of at least {minimum} {what} (setting, unverified): {verdict}"
    return {True: "judged adequate by the clinician", False: "judged not adequate by the clinician",
            None: "adequacy not judged yet"}[adequate]


def ect_bilateral(placements: list[ElectrodePlacement]) -> bool | None:
    """Whether the course included bilateral ECT (what stage V asks for); None when no treatment is recorded."""
    if not placements:
        return None
    return any(p is ElectrodePlacement.BILATERAL for p in placements)


def integration_window(dosed_on: date, settings: CourseSettings) -> tuple[date, date]:
    """The first and last day an integration session should fall on after a dose given on ``dosed_on``.

    Course sessions are recorded by day, so the hours become whole days counted from the dosing day:
    24 to 72 hours is the next day to three days later.
    """
    start = datetime.combine(dosed_on, time())
    return ((start + timedelta(hours=settings.integration_after_hours)).date(),
            (start + timedelta(hours=settings.integration_within_hours)).date())
