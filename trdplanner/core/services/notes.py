"""Progress notes: drafts, signing (which locks the note) and addenda."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from trdplanner.core.db import Database
from trdplanner.core.errors import InputError, LockedError, NotFoundError
from trdplanner.core.fingerprint import addendum_fingerprint, note_fingerprint
from trdplanner.core.models import Clinician, NoteAddendum, Patient, ProgressNote, TherapySession
from trdplanner.core.models.base import utcnow
from trdplanner.core.records import NoteRec, NoteSectionRec
from trdplanner.core.services.sessions import note_from_row
from trdplanner.core.text import fold
from trdplanner.core.validate import one_of, search_text
from trdplanner.core.vocab import AddendumKind, NoteFormat, NoteStatus

# The same ceiling the patient file import holds every text to; far above any real note.
MAX_NOTE_TEXT = 1_000_000
MAX_NOTE_SECTIONS = 100


def check_note_size(sections: list[NoteSectionRec]) -> None:
    """Refuse a note too big to be real (a pasted file, a runaway script) before anything is written."""
    if len(sections) > MAX_NOTE_SECTIONS:
        raise InputError("note.sections", f"has more than {MAX_NOTE_SECTIONS} sections")
    total = 0
    for i, x in enumerate(sections):
        for name in ("id", "title"):
            if len(getattr(x, name)) > 300:
                raise InputError(f"note.sections[{i}].{name}", "is longer than 300 characters")
        total += len(x.text)
        if len(x.text) > MAX_NOTE_TEXT or total > MAX_NOTE_TEXT:
            raise InputError(f"note.sections[{i}].text", f"makes the note longer than {MAX_NOTE_TEXT} characters")


def fingerprint_of(note: NoteRec) -> str:
    assert note.signed_at is not None
    return note_fingerprint(
        note.format, [(x.id, x.title, x.text) for x in note.sections], note.signer_name, note.signed_at
    )


def verify(note: NoteRec) -> bool:
    """True when a signed note's content still matches its fingerprint."""
    if note.status != NoteStatus.SIGNED:
        return True
    return (
        note.signed_at is not None
        and fingerprint_of(note) == note.fingerprint
        and all(
            addendum_fingerprint(note.fingerprint, a.kind, a.text, a.signer_name, a.signed_at) == a.fingerprint
            for a in note.addenda
        )
    )


def _note_for_session(s: Session, session_id: int) -> ProgressNote | None:
    return s.scalar(
        select(ProgressNote).where(ProgressNote.session_id == session_id).options(selectinload(ProgressNote.addenda))
    )


def _signer(s: Session, clinician_id: int) -> Clinician:
    clinician = s.get(Clinician, clinician_id)
    if clinician is None:
        raise NotFoundError("clinician", clinician_id)
    return clinician


def _display(c: Clinician) -> str:
    return f"{c.name}, {c.credentials}" if c.credentials else c.name


class NoteService:
    def __init__(self, db: Database) -> None:
        self.db = db

    def for_session(self, session_id: int) -> NoteRec | None:
        with self.db.reading() as s:
            row = _note_for_session(s, session_id)
            return note_from_row(row) if row else None

    def save_draft(self, session_id: int, fmt: str, sections: list[NoteSectionRec]) -> NoteRec:
        one_of("note.format", fmt, NoteFormat)
        check_note_size(sections)
        with self.db.transaction() as s:
            if s.get(TherapySession, session_id) is None:
                raise NotFoundError("session", session_id)
            row = _note_for_session(s, session_id)
            if row is None:
                row = ProgressNote(session_id=session_id, format=fmt)
                s.add(row)
            elif row.status == NoteStatus.SIGNED:
                raise LockedError("This note is signed and locked; add an addendum instead.")
            row.format = fmt
            row.sections = [{"id": x.id, "title": x.title, "text": x.text} for x in sections]
            s.flush()
            return note_from_row(row)

    def sign(self, session_id: int, clinician_id: int, *, at: dt.datetime | None = None) -> NoteRec:
        with self.db.transaction() as s:
            row = _note_for_session(s, session_id)
            if row is None:
                raise InputError("note", "there is no draft to sign for this session")
            if row.status == NoteStatus.SIGNED:
                raise LockedError("This note is already signed.")
            clinician = _signer(s, clinician_id)
            signed_at = (at or utcnow()).replace(microsecond=0)
            row.status = NoteStatus.SIGNED
            row.signer_id = clinician.id
            row.signer_name = _display(clinician)
            row.signed_at = signed_at
            rec = note_from_row(row)
            row.fingerprint = fingerprint_of(rec)
            s.flush()
            return note_from_row(row)

    def add_addendum(
        self,
        session_id: int,
        clinician_id: int,
        text: str,
        *,
        kind: str = AddendumKind.ADDENDUM,
        refers_to_date: dt.date | None = None,
        at: dt.datetime | None = None,
    ) -> NoteRec:
        one_of("addendum.kind", kind, AddendumKind)
        if not text.strip():
            raise InputError("addendum.text", "must not be empty")
        if len(text) > MAX_NOTE_TEXT:
            raise InputError("addendum.text", f"is longer than {MAX_NOTE_TEXT} characters")
        with self.db.transaction() as s:
            row = _note_for_session(s, session_id)
            if row is None or row.status != NoteStatus.SIGNED:
                raise InputError("note", "addenda are added to signed notes; edit the draft instead")
            clinician = _signer(s, clinician_id)
            signed_at = (at or utcnow()).replace(microsecond=0)
            signer = _display(clinician)
            row.addenda.append(
                NoteAddendum(
                    kind=kind,
                    text=text,
                    refers_to_date=refers_to_date,
                    signer_id=clinician.id,
                    signer_name=signer,
                    signed_at=signed_at,
                    fingerprint=addendum_fingerprint(row.fingerprint, kind, text, signer, signed_at),
                )
            )
            s.flush()
            return note_from_row(row)


    def search(
        self,
        patient_id: int,
        text: str = "",
        *,
        modality: str = "",
        fmt: str = "",
        date_from: dt.date | None = None,
        date_to: dt.date | None = None,
        unsigned_only: bool = False,
    ) -> list[NoteHit]:
        """The patient's notes, newest first, matching every word of ``text`` (any case or accent)
        in a section or an addendum, and every filter given."""
        search_text(text)
        with self.db.reading() as s:
            if s.get(Patient, patient_id) is None:
                raise NotFoundError("patient", patient_id)
            return search_notes(
                s,
                patient_id,
                text,
                modality=modality,
                fmt=fmt,
                date_from=date_from,
                date_to=date_to,
                unsigned_only=unsigned_only,
            )

@dataclass(frozen=True)
class NoteHit:
    """One row of the notes list: a note with the session it belongs to, as plain data."""

    session_id: int
    session_number: int
    session_date: dt.date
    modality: str
    format: str
    status: str
    signer_name: str
    signed_at: dt.datetime | None
    addenda: int
    snippet: str  # the first matching line, or the note's opening words


def _snippet(texts: list[str], needle: str) -> str:
    """The line holding the first match (or the first non-blank line), trimmed for a list."""
    lines = [line.strip() for text in texts for line in text.splitlines() if line.strip()]
    if needle:
        lines = [line for line in lines if needle in fold(line)] or lines
    first = lines[0] if lines else ""
    return first if len(first) <= 160 else first[:157].rstrip() + "..."


def search_notes(
    s: Session,
    patient_id: int,
    text: str = "",
    *,
    modality: str = "",
    fmt: str = "",
    date_from: dt.date | None = None,
    date_to: dt.date | None = None,
    unsigned_only: bool = False,
) -> list[NoteHit]:
    query = (
        select(ProgressNote, TherapySession)
        .join(TherapySession, ProgressNote.session_id == TherapySession.id)
        .where(TherapySession.patient_id == patient_id)
        .options(selectinload(ProgressNote.addenda))
        .order_by(TherapySession.date.desc(), TherapySession.number.desc())
    )
    if modality:
        query = query.where(TherapySession.modality == modality)
    if fmt:
        query = query.where(ProgressNote.format == fmt)
    if date_from is not None:
        query = query.where(TherapySession.date >= date_from)
    if date_to is not None:
        query = query.where(TherapySession.date <= date_to)
    if unsigned_only:
        query = query.where(ProgressNote.status != NoteStatus.SIGNED)
    # Sections are stored as JSON, which SQLite and PostgreSQL query differently; the
    # structured filters run in SQL and the words are matched here, folded the same way.
    words = fold(text).split()
    hits = []
    for note, session in s.execute(query):
        texts = [str(x.get("text", "")) for x in note.sections] + [a.text for a in note.addenda]
        haystack = fold("\n".join([*texts, *(str(x.get("title", "")) for x in note.sections)]))
        if not all(w in haystack for w in words):
            continue
        hits.append(
            NoteHit(
                session_id=session.id,
                session_number=session.number,
                session_date=session.date,
                modality=session.modality,
                format=note.format,
                status=note.status,
                signer_name=note.signer_name,
                signed_at=note.signed_at,
                addenda=len(note.addenda),
                snippet=_snippet(texts, words[0] if words else ""),
            )
        )
    return hits
