"""Which signed notes wait for a supervisor's co-signature: one query, shared by the patient list and notes.

Kept apart from the note service so the patient list (and `trdplanner patient list`) can ask without
loading note rendering, signing and the template machinery.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import aliased

from trdplanner.core.models import Clinician, NoteCosignature, ProgressNote, TherapySession
from trdplanner.core.vocab import NoteStatus


def awaiting_query(supervisor_id: int) -> Any:
    """SELECT of (session id, patient id) for signed notes waiting for this supervisor's co-signature."""
    signer = aliased(Clinician)
    done = select(NoteCosignature.id).where(
        NoteCosignature.note_id == ProgressNote.id, NoteCosignature.signer_id == supervisor_id
    )
    return (
        select(ProgressNote.session_id, TherapySession.patient_id)
        .join(signer, signer.id == ProgressNote.signer_id)
        .join(TherapySession, TherapySession.id == ProgressNote.session_id)
        .where(ProgressNote.status == NoteStatus.SIGNED, signer.supervisor_id == supervisor_id, ~done.exists())
    )
