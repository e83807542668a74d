"""How a group course runs, meeting by meeting: the MBCT weeks and the DBT skills modules.

Data, not code paths: a group's modality picks a structure, and a meeting's number picks its
week (MBCT) or its place in the module cycle (DBT skills). The agenda a meeting is planned with
comes from here, so the same rule serves the window, the command line and the prints.
Sources: clinical-reference.md sections 1.2 (DBT modules) and 1.7 (MBCT weeks).
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class GroupWeek:
    """One meeting of a structured course: its theme and the agenda it is run with."""

    number: int
    theme: str
    agenda: tuple[str, ...]
    templates: tuple[str, ...] = ()
    homework: tuple[str, ...] = ()


@dataclass(frozen=True)
class GroupStructure:
    modality: str
    title: str
    minutes: int
    weeks: tuple[GroupWeek, ...]
    # A course that starts again after its last meeting (DBT skills modules run in a cycle).
    cycles: bool = False

    def week(self, meeting_number: int) -> GroupWeek:
        """The plan for meeting ``meeting_number`` (1-based); a cyclic course starts over."""
        if meeting_number < 1:
            raise ValueError("meeting numbers start at 1")
        index = meeting_number - 1
        if self.cycles:
            index %= len(self.weeks)
        else:
            index = min(index, len(self.weeks) - 1)
        return self.weeks[index]


_MBCT_FRAME = (
    "Arrival and opening practice",
    "Inquiry",
    "Home practice review",
    "Theme of the session",
    "Three-minute breathing space",
    "Home practice and closing",
)

_MBCT_THEMES = (
    "Awareness and automatic pilot",
    "Living in our heads",
    "Gathering the scattered mind",
    "Recognising aversion",
    "Allowing and letting be",
    "Thoughts are not facts",
    "How can I best take care of myself?",
    "Maintaining and extending new learning",
)

MBCT = GroupStructure(
    modality="mbct",
    title="MBCT course (eight weekly group sessions)",
    minutes=120,
    weeks=tuple(
        GroupWeek(
            number=n,
            theme=theme,
            # The breathing space is taught from about session 3 (clinical reference 1.7).
            agenda=tuple(
                f"{item}: {theme}" if item == "Theme of the session" else item
                for item in _MBCT_FRAME
                if n >= 3 or item != "Three-minute breathing space"
            ),
            templates=("mbct-session-structure",) + (("mbct-breathing-space",) if n >= 3 else ()),
            homework=("mbct-home-practice-log",),
        )
        for n, theme in enumerate(_MBCT_THEMES, start=1)
    ),
)

_DBT_FRAME_OPEN = ("Opening mindfulness exercise", "Homework review (diary cards and practice sheets)")
_DBT_FRAME_CLOSE = ("Break", "Homework assignment", "Wind-down")

# (theme, new skills taught, practice template, skills handout template)
_DBT_WEEKS = (
    ("Mindfulness: wise mind", "Wise mind; reasonable mind and emotion mind",
     "dbt-mindfulness-practice", "dbt-mindfulness-skills"),
    ("Mindfulness: what and how skills", "Observe, describe, participate; non-judgmentally, one-mindfully, "
     "effectively", "dbt-mindfulness-practice", "dbt-mindfulness-skills"),
    ("Distress tolerance: crisis survival", "STOP; pros and cons; TIP", "dbt-distress-tolerance-practice",
     "dbt-distress-tolerance-skills"),
    ("Distress tolerance: ACCEPTS, self-soothe, IMPROVE", "Wise Mind ACCEPTS; self-soothe; IMPROVE the moment",
     "dbt-distress-tolerance-practice", "dbt-distress-tolerance-skills"),
    ("Distress tolerance: reality acceptance", "Radical acceptance; turning the mind; willingness",
     "dbt-distress-tolerance-practice", "dbt-distress-tolerance-skills"),
    ("Emotion regulation: understanding emotions", "Naming emotions; check the facts",
     "dbt-emotion-regulation-practice", "dbt-emotion-regulation-skills"),
    ("Emotion regulation: changing emotions", "Opposite action; problem solving",
     "dbt-emotion-regulation-practice", "dbt-emotion-regulation-skills"),
    ("Emotion regulation: reducing vulnerability", "ABC PLEASE", "dbt-emotion-regulation-practice",
     "dbt-emotion-regulation-skills"),
    ("Interpersonal effectiveness: objective effectiveness", "DEAR MAN",
     "dbt-interpersonal-effectiveness-practice", "dbt-interpersonal-effectiveness-skills"),
    ("Interpersonal effectiveness: relationship and self-respect", "GIVE; FAST",
     "dbt-interpersonal-effectiveness-practice", "dbt-interpersonal-effectiveness-skills"),
)

DBT_SKILLS = GroupStructure(
    modality="dbt",
    title="DBT skills group (four modules in a cycle)",
    minutes=150,
    cycles=True,
    weeks=tuple(
        GroupWeek(
            number=n,
            theme=theme,
            agenda=(*_DBT_FRAME_OPEN, f"New skills: {skills}", *_DBT_FRAME_CLOSE),
            templates=(handout,),
            homework=(practice, "dbt-diary-card"),
        )
        for n, (theme, skills, practice, handout) in enumerate(_DBT_WEEKS, start=1)
    ),
)

STRUCTURES: dict[str, GroupStructure] = {s.modality: s for s in (MBCT, DBT_SKILLS)}

# A group of another modality (a depression support group, say) gets this open frame.
GENERAL_AGENDA = ("Check-in", "Review of the week", "Topic of the meeting", "Plans for the week", "Check-out")


def structure_for(modality: str) -> GroupStructure | None:
    return STRUCTURES.get(modality)


def meeting_plan(modality: str, meeting_number: int) -> GroupWeek:
    """The agenda, templates and homework a meeting of this modality starts from."""
    structure = structure_for(modality)
    if structure is None:
        return GroupWeek(number=meeting_number, theme="", agenda=GENERAL_AGENDA)
    return structure.week(meeting_number)
