"""A group member's own progress note: the shared part carried in, their own part beside it.

The note is an ordinary progress note on the member's own session. Its first section is the
shared part (what the group did, written once on the meeting); then participation, risk and
response, written for that member alone. A part that names another member is refused before
anything is written, so nothing about one member reaches another member's record.
"""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from trdplanner.core.errors import LockedError
from trdplanner.core.group_records import (
    MemberNotePart,
)
from trdplanner.core.models import (
    GroupMeeting,
    ProgressNote,
    TherapyGroup,
)
from trdplanner.core.records import NoteSectionRec
from trdplanner.core.services.notes import check_note_size, section_data
from trdplanner.core.vocab import AttendanceStatus, NoteFormat, NoteStatus

# The sections of a member's group note: the shared part first, then the member's own.
SHARED_SECTION = "group_session"
INDIVIDUAL_SECTIONS = (
    ("participation", "Participation"),
    ("risk", "Risk"),
    ("response", "Response and plan"),
)
# The note format a group note is stored with (its sections are the group note's own).
GROUP_NOTE_FORMAT = NoteFormat.DAP


def shared_text(group: TherapyGroup, meeting: GroupMeeting) -> str:
    """The shared part as it appears in every attending member's note."""
    lines = [f"{group.name}: meeting {meeting.number}, {meeting.date.isoformat()}"
             + (f" ({meeting.theme})" if meeting.theme else "") + "."]
    if meeting.agenda:
        lines.append("Agenda: " + "; ".join(str(x) for x in meeting.agenda) + ".")
    if meeting.shared_note.strip():
        lines.append(meeting.shared_note.strip())
    return "\n".join(lines)


def individual_sections(status: str, part: MemberNotePart) -> list[NoteSectionRec]:
    label = AttendanceStatus(status).label
    texts = {
        "participation": f"Attendance: {label}.\n{part.participation.strip()}".rstrip(),
        "risk": part.risk.strip(),
        "response": part.response.strip(),
    }
    return [NoteSectionRec(sid, title, texts[sid]) for sid, title in INDIVIDUAL_SECTIONS]


def part_of(note: ProgressNote | None) -> MemberNotePart:
    if note is None:
        return MemberNotePart()
    texts = {str(x.get("id")): str(x.get("text", "")) for x in note.sections}
    participation = texts.get("participation", "")
    if participation.startswith("Attendance: "):
        participation = participation.partition("\n")[2]
    return MemberNotePart(participation, texts.get("risk", ""), texts.get("response", ""))


def write_draft(s: Session, session_id: int, shared: str, status: str, part: MemberNotePart) -> ProgressNote:
    sections = [NoteSectionRec(SHARED_SECTION, "Group session (shared part)", shared),
                *individual_sections(status, part)]
    check_note_size(sections)
    note = s.scalar(select(ProgressNote).where(ProgressNote.session_id == session_id))
    if note is None:
        note = ProgressNote(session_id=session_id, format=str(GROUP_NOTE_FORMAT))
        s.add(note)
    elif note.status == NoteStatus.SIGNED:
        raise LockedError("This member's note is signed and locked; add an addendum instead.")
    # Sections the member's clinician added in the note editor (a risk review, say) are kept.
    ours = {SHARED_SECTION, *(sid for sid, _ in INDIVIDUAL_SECTIONS)}
    kept = [dict(x) for x in note.sections if x.get("id") not in ours] if note.sections else []
    note.sections = [section_data(x) for x in sections] + kept
    s.flush()
    return note
