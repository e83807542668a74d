"""Nothing about one group member in another member's record: the names a text may not hold.

Used wherever a group member's note is written: the Groups view's shared and individual parts,
and the ordinary note editor when the session is a group meeting's.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from sqlalchemy import select
from sqlalchemy.orm import Session

from trdplanner.core.errors import InputError
from trdplanner.core.models import GroupMeeting, GroupMember, Patient, TherapySession
from trdplanner.core.text import fold


def member_names(p: Patient) -> list[str]:
    """The ways a member may be named in a text: full name, preferred name, first name, the code.

    A first name alone ("paired with Sam") names them to anyone in the group; a name shorter than
    three letters is left out, so a note is not refused for an initial.
    """
    first = [n.split()[0] for n in (p.full_name, p.preferred_name) if n and n.split()]
    names = [p.full_name, p.preferred_name, *first, p.code]
    return list(dict.fromkeys(n for n in names if n and len(n.strip()) >= 3))


def refuse_names(field: str, text: str, others: Iterable[Patient]) -> None:
    """Refuse a text that names a member it is not about (it would land in someone else's note)."""
    folded = fold(text)
    for p in others:
        for name in member_names(p):
            # Whole words only: a member called Sam does not make "the same" a mention of them.
            if re.search(rf"(?<!\w){re.escape(fold(name))}(?!\w)", folded):
                raise InputError(
                    field,
                    f"names another group member ({p.code}); a member's note holds nothing about anyone else",
                )


def other_members(s: Session, session: TherapySession) -> list[Patient]:
    """The other members of the group whose meeting this session is (none for an individual session)."""
    if session.group_meeting_id is None:
        return []
    meeting = s.get(GroupMeeting, session.group_meeting_id)
    if meeting is None:
        return []
    return [p for p in members_of(s, meeting.group_id) if p.id != session.patient_id]


def members_of(s: Session, group_id: int) -> list[Patient]:
    """Everyone who is or was a member of the group (a past member's name is as private)."""
    return list(
        s.scalars(select(Patient).join(GroupMember, GroupMember.patient_id == Patient.id)
                  .where(GroupMember.group_id == group_id))
    )
