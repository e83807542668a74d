"""Progress notes: drafts, signing (which locks the note) and addenda."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from trdplanner.clinical import missing_parts, review_text
from trdplanner.clinical import score as score_measure
from trdplanner.clinical.risk import clean_review
from trdplanner.core.db import Database
from trdplanner.core.errors import AccessDenied, InputError, LockedError, NotFoundError
from trdplanner.core.fingerprint import cosignature_fingerprint, cosignature_form, note_fingerprint, signed_message
from trdplanner.core.models import Clinician, Measure, NoteCosignature, Patient, ProgressNote, TherapySession
from trdplanner.core.models.base import utcnow
from trdplanner.core.records import NoteRec, NoteSectionRec
from trdplanner.core.services.cosign_queue import awaiting_query as awaiting_query
from trdplanner.core.services.measures import measures_in
from trdplanner.core.services.member_privacy import other_members, refuse_names
from trdplanner.core.services.sessions import note_from_row, sessions_in
from trdplanner.core.services.summary import ScoredMeasure
from trdplanner.core.services.templating import RISK_REVIEW_SECTION, measures_of_session, reasons_from
from trdplanner.core.signing import SigningService, check_note
from trdplanner.core.text import fold
from trdplanner.core.validate import one_of, search_text
from trdplanner.core.versioning import check_version, touch
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


class RiskReviewIncomplete(InputError):
    """Signing refused: the note needs a structured risk review and these parts are missing."""

    def __init__(self, missing: list[str], reasons: list[str]) -> None:
        super().__init__("risk review", "incomplete; still missing: " + ", ".join(missing))
        self.missing = missing
        self.reasons = reasons


def risk_review_reasons_in(s: Session, session_id: int) -> list[str]:
    """Why this session's note needs a risk review (empty when it does not), from the stored
    measures: the same rule the draft uses (see ``templating.reasons_from``)."""
    session = s.get(TherapySession, session_id)
    if session is None:
        raise NotFoundError("session", session_id)
    sessions = sessions_in(s, session.patient_id)
    current = next(x for x in sessions if x.id == session_id)
    scored = [
        ScoredMeasure(
            m, score_measure(m.instrument, items=m.items, total=None if m.items is not None else m.total), None
        )
        for m in measures_in(s, session.patient_id)
    ]
    todays = measures_of_session(scored, current, sessions)
    return reasons_from(todays, [m for m in scored if m.alert_open])


def _acknowledge_open_alerts(s: Session, patient_id: int, who: str, at: dt.datetime) -> int:
    """Record who reviewed every open suicidality alert of the patient, and when (audited by the
    ORM tracking as measure.acknowledge_alert). Returns how many were acknowledged."""
    count = 0
    for row in s.scalars(
        select(Measure).where(Measure.patient_id == patient_id, Measure.alert_acknowledged_at.is_(None))
    ):
        result = score_measure(row.instrument, items=row.items, total=None if row.items is not None else row.total)
        if result.needs_risk_review:
            row.alert_acknowledged_by = who
            row.alert_acknowledged_at = at
            count += 1
    return count


def fingerprint_of(note: NoteRec) -> str:
    assert note.signed_at is not None
    return note_fingerprint(
        note.format, [(x.id, x.title, x.text) for x in note.sections], note.signer_name, note.signed_at
    )


def verify(note: NoteRec) -> bool:
    """True when a signed note and its addenda carry valid signatures over their present content."""
    return check_note(note).ok


def section_data(x: NoteSectionRec) -> dict[str, Any]:
    """A section as stored: id, title, text, and (only for the risk review) its cleaned parts."""
    data: dict[str, Any] = {"id": x.id, "title": x.title, "text": x.text}
    if x.fields is not None and x.id == RISK_REVIEW_SECTION:
        data["fields"] = clean_review(x.fields)
    return data


def _note_for_session(s: Session, session_id: int) -> ProgressNote | None:
    return s.scalar(
        select(ProgressNote)
        .where(ProgressNote.session_id == session_id)
        .options(selectinload(ProgressNote.addenda), selectinload(ProgressNote.cosignatures))
    )


def _signer(s: Session, clinician_id: int) -> Clinician:
    """The clinician signing; on a server, only the clinician whose login this is.

    The database refuses it too (practice setup's trd_sign_as_self trigger); checking here
    gives the person at the keyboard a plain message instead of a server error.
    """
    clinician = s.get(Clinician, clinician_id)
    if clinician is None:
        raise NotFoundError("clinician", clinician_id)
    login = s.info.get("login")
    if s.info.get("group") and clinician.login != login:
        raise AccessDenied(f"Nobody can sign as someone else: you are logged in as {login}, "
                           f"not as {clinician.name}.")
    return clinician


def awaiting_cosigner(s: Session, row: ProgressNote) -> Clinician | None:
    """The supervisor whose co-signature a signed note waits for, or None (not due, or given)."""
    if row.status != NoteStatus.SIGNED or row.signer_id is None:
        return None
    signer = s.get(Clinician, row.signer_id)
    if signer is None or signer.supervisor_id is None:
        return None
    if any(c.signer_id == signer.supervisor_id for c in row.cosignatures):
        return None
    return s.get(Clinician, signer.supervisor_id)


def _rec(s: Session, row: ProgressNote) -> NoteRec:
    waiting = awaiting_cosigner(s, row)
    return note_from_row(row, _display(waiting) if waiting else "")


def _display(c: Clinician) -> str:
    return f"{c.name}, {c.credentials}" if c.credentials else c.name


class NoteService:
    def __init__(self, db: Database) -> None:
        self.db = db

    def for_session(self, session_id: int) -> NoteRec | None:
        with self.db.reading() as s:
            row = _note_for_session(s, session_id)
            return _rec(s, row) if row else None

    def save_draft(
        self, session_id: int, fmt: str, sections: list[NoteSectionRec], *, version: int | None = None
    ) -> NoteRec:
        """Save the draft; with ``version`` (the one the editor loaded) a draft changed since is refused."""
        one_of("note.format", fmt, NoteFormat)
        check_note_size(sections)
        with self.db.transaction() as s:
            session = s.get(TherapySession, session_id)
            if session is None:
                raise NotFoundError("session", session_id)
            # A group meeting's note is one member's: whoever writes it, wherever, it names no other member.
            others = other_members(s, session)
            for section in sections:
                refuse_names(f"note.{section.id}", section.text, others)
            row = _note_for_session(s, session_id)
            if row is None:
                row = ProgressNote(session_id=session_id, format=fmt)
                s.add(row)
            elif row.status == NoteStatus.SIGNED:
                raise LockedError("This note is signed and locked; add an addendum instead.")
            else:
                check_version(row, version, "note")
                touch(row)
            row.format = fmt
            row.sections = [section_data(x) for x in sections]
            s.flush()
            return note_from_row(row)

    def review_reasons(self, session_id: int) -> list[str]:
        """Why the note of this session needs a structured risk review (empty: it does not)."""
        with self.db.reading() as s:
            return risk_review_reasons_in(s, session_id)

    def sign(
        self, session_id: int, clinician_id: int, *, password: str, at: dt.datetime | None = None
    ) -> NoteRec:
        """Sign and lock the draft. Refused (:class:`RiskReviewIncomplete`, naming each missing
        part) while the note needs a risk review that is not complete. The review's text is
        rewritten from its recorded parts before the fingerprint is taken, so what is signed
        says exactly what was recorded; if the review asks for it, every open alert of the
        patient is acknowledged by the signer at the signing time, in the same transaction. The
        signature itself is the clinician's key (their signing ``password`` unlocks it)."""
        with self.db.transaction() as s:
            row = _note_for_session(s, session_id)
            if row is None:
                raise InputError("note", "there is no draft to sign for this session")
            if row.status == NoteStatus.SIGNED:
                raise LockedError("This note is already signed.")
            clinician = _signer(s, clinician_id)
            signed_at = (at or utcnow()).replace(microsecond=0)
            signer = _display(clinician)
            reasons = risk_review_reasons_in(s, session_id)
            sections = [dict(x) for x in row.sections]
            review = next((x for x in sections if x.get("id") == RISK_REVIEW_SECTION), None)
            if reasons:
                missing = missing_parts(review.get("fields") if review else None)
                if missing:
                    raise RiskReviewIncomplete(missing, reasons)
            if review is not None and review.get("fields") is not None:
                fields = clean_review(review["fields"])
                text = review_text(fields, reasons)
                if fields.get("acknowledge_alerts"):
                    session = s.get(TherapySession, session_id)
                    assert session is not None
                    done = _acknowledge_open_alerts(s, session.patient_id, signer, signed_at)
                    if done:
                        text += f"\nOpen alerts acknowledged at signing ({done}) by {signer}."
                review["text"] = text
                row.sections = sections
            row.signer_login = s.info.get("login") or ""
            SigningService(self.db).sign_row(s, row, clinician.id, password, signed_at)
            s.flush()
            s.refresh(row)
            return _rec(s, row)

    def cosign(
        self, session_id: int, supervisor_id: int, *, password: str, at: dt.datetime | None = None
    ) -> NoteRec:
        """The supervisor's second signature over the same signed content as the note's own.

        Signed with the supervisor's own key (their signing ``password`` unlocks it) over the
        note's fingerprint, the co-signer and the time. Only the signer's own supervisor, as
        themselves, on a signed note, once; the server's policies refuse anything else too.
        """
        with self.db.transaction() as s:
            row = _note_for_session(s, session_id)
            if row is None or row.status != NoteStatus.SIGNED:
                raise InputError("note", "only a signed note can be co-signed; the clinician signs it first")
            supervisor = _signer(s, supervisor_id)
            waiting = awaiting_cosigner(s, row)
            if any(c.signer_id == supervisor.id for c in row.cosignatures):
                raise LockedError("You have already co-signed this note.")
            if waiting is None or waiting.id != supervisor.id:
                raise AccessDenied(f"{supervisor.name} does not supervise {row.signer_name}; "
                                   "only the signer's supervisor co-signs their notes.")
            key, private = SigningService(self.db).unlock(s, supervisor.id, password)
            signed_at = (at or utcnow()).replace(microsecond=0)
            signer = _display(supervisor)
            form = cosignature_form(row.fingerprint, signer, signed_at)
            row.cosignatures.append(
                NoteCosignature(
                    signer_id=supervisor.id,
                    signer_name=signer,
                    signer_login=s.info.get("login") or "",
                    signed_at=signed_at,
                    fingerprint=cosignature_fingerprint(row.fingerprint, signer, signed_at),
                    key_fingerprint=key.fingerprint,
                    signature=private.sign(signed_message(key.fingerprint, form)).hex(),
                )
            )
            s.flush()
            return _rec(s, row)

    def awaiting_my_cosignature(self, supervisor_id: int) -> list[int]:
        """Session ids of signed notes by the supervisor's supervisees that they have not co-signed."""
        with self.db.reading() as s:
            return awaiting_sessions(s, supervisor_id)

    def add_addendum(
        self,
        session_id: int,
        clinician_id: int,
        text: str,
        *,
        password: str,
        kind: str = AddendumKind.ADDENDUM,
        refers_to_date: dt.date | None = None,
        at: dt.datetime | None = None,
    ) -> NoteRec:
        one_of("addendum.kind", kind, AddendumKind)
        if not text.strip():
            raise InputError("addendum.text", "must not be empty")
        if len(text) > MAX_NOTE_TEXT:
            raise InputError("addendum.text", f"is longer than {MAX_NOTE_TEXT} characters")
        with self.db.reading() as s:
            _signer(s, clinician_id)  # nobody adds an addendum as someone else (the server refuses it too)
        return SigningService(self.db).sign_addendum(
            session_id, clinician_id, password, text, kind=kind, refers_to_date=refers_to_date, at=at
        )

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

def awaiting_sessions(s: Session, supervisor_id: int) -> list[int]:
    return [sid for sid, _pid in s.execute(awaiting_query(supervisor_id))]


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
