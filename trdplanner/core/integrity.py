"""``audit verify``: everything that proves the record was not changed behind the app's back.

* the audit chain links from its first entry to its last (core/audit.py);
* every signed note and addendum carries a valid Ed25519 signature over what it says now, by a
  key this database holds for the person it names, made while that key was in force;
* every key's history (create, rotate, revoke) is signed as documented in core/signing.py,
  and every key of this practice was announced in the audit chain;
* every signed note the audit chain knows of still exists, unless a recorded purge removed it.

Each failure is one line in plain words naming the record; an empty list means all is well.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from trdplanner.core.audit import LEGACY_ACTION
from trdplanner.core.db import Database
from trdplanner.core.models import AuditEvent, KeyEvent, ProgressNote, SigningKey
from trdplanner.core.services.audit import AuditCheck, AuditService
from trdplanner.core.services.sessions import note_from_row
from trdplanner.core.signing import LEGACY, check_addendum, check_note, check_signature
from trdplanner.core.vocab import NoteStatus


@dataclass
class IntegrityReport:
    chain: AuditCheck
    notes_checked: int = 0
    addenda_checked: int = 0
    keys_checked: int = 0
    failures: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return self.chain.ok and not self.failures


def _detail(row: AuditEvent) -> dict[str, object]:
    try:
        value = json.loads(row.detail)
    except ValueError:
        return {}
    return value if isinstance(value, dict) else {}


def _ids(value: object) -> set[int]:
    return {int(v) for v in value if isinstance(v, int)} if isinstance(value, list) else set()


def _pairs(value: object) -> set[tuple[int, str]]:
    if not isinstance(value, list):
        return set()
    return {(int(p[0]), str(p[1])) for p in value if isinstance(p, list) and len(p) == 2}


def verify_all(db: Database) -> IntegrityReport:
    report = IntegrityReport(AuditService(db).verify())
    fail = report.failures.append
    with db.reading() as s:
        keys = {k.fingerprint: k for k in s.scalars(select(SigningKey))}
        # -- key history
        events = list(s.scalars(select(KeyEvent).order_by(KeyEvent.id)))
        created = {e.key_fingerprint for e in events if e.action == "create"}
        announced: set[str] = set()
        known_signed: set[int] = set()
        purged: set[int] = set()
        legacy_notes: set[tuple[int, str]] = set()
        legacy_addenda: set[tuple[int, str]] = set()
        for entry in s.scalars(select(AuditEvent).order_by(AuditEvent.id)):
            detail = _detail(entry)
            if entry.action == "key.create":
                announced.add(str(detail.get("key", "")))
            elif entry.action in ("note.sign", "note.create") and detail.get("status") == "signed":
                known_signed.add(int(entry.object_id))
            elif entry.action == "patient.import":
                known_signed |= _ids(detail.get("signed_notes"))
            elif entry.action == LEGACY_ACTION:
                legacy_notes |= _pairs(detail.get("notes"))
                legacy_addenda |= _pairs(detail.get("addenda"))
                known_signed |= {i for i, _ in legacy_notes}
            elif entry.action == "patient.purge":
                purged |= _ids(detail.get("signed_notes"))
        for e in events:
            signer = keys.get(e.signed_by)
            subject = keys.get(e.key_fingerprint)
            if signer is None or subject is None:
                fail(f"key event {e.id} ({e.action}) names a key this database does not hold")
                continue
            problem = check_signature(signer.public_key, signer.fingerprint, e.signature, e.payload.encode())
            if problem:
                fail(f"key event {e.id} ({e.action} of key {e.key_fingerprint[:16]}): {problem}")
            elif e.action == "create" and e.signed_by != e.key_fingerprint:
                fail(f"key event {e.id}: key {e.key_fingerprint[:16]} was not created by its own holder")
            elif e.action in ("rotate", "revoke") and e.signed_by != e.key_fingerprint:
                fail(f"key event {e.id}: {e.action} of key {e.key_fingerprint[:16]} was signed by another key")
            else:
                payload = json.loads(e.payload)
                if payload.get("key") != subject.fingerprint or payload.get("public_key") != subject.public_key:
                    fail(f"key event {e.id} does not describe the key it is filed under")
        for k in keys.values():
            if k.origin != "local":
                continue
            report.keys_checked += 1
            if k.fingerprint not in created:
                fail(f"signing key {k.fingerprint[:16]} of {k.holder_name} has no signed creation record")
            if k.fingerprint not in announced:
                fail(f"signing key {k.fingerprint[:16]} of {k.holder_name} was never recorded in the audit trail")
        # -- notes and addenda
        present: set[int] = set()
        for row in s.scalars(
            select(ProgressNote).where(ProgressNote.status == NoteStatus.SIGNED)
            .options(selectinload(ProgressNote.addenda)).order_by(ProgressNote.id)
        ):
            present.add(row.id)
            note = note_from_row(row)
            report.notes_checked += 1
            checked = check_note(note)
            if not checked.ok:
                fail(f"signed note {row.id} (session {row.session_id}): {checked.text}")
                continue
            if row.key_fingerprint == LEGACY and (row.id, row.fingerprint) not in legacy_notes:
                fail(f"signed note {row.id} claims to predate signatures, but it is not among the notes signed "
                     "then: it was forged or altered")
            for add in row.addenda:
                if add.key_fingerprint == LEGACY and (add.id, add.fingerprint) not in legacy_addenda:
                    fail(f"addendum {add.id} of note {row.id} claims to predate signatures, but it is not among "
                         "those signed then: it was forged or altered")
            for who, fp, at in [(row.signer_name, row.key_fingerprint, row.signed_at)] + [
                (a.signer_name, a.key_fingerprint, a.signed_at) for a in row.addenda
            ]:
                key = keys.get(fp)
                if key is None:
                    continue  # check_note already refused a key it could not see
                if key.holder_name != who:
                    fail(f"signed note {row.id}: signed with the key of {key.holder_name}, but names {who}")
                elif key.revoked_at is not None and at is not None and at > key.revoked_at:
                    fail(f"signed note {row.id}: signed by {who} after that key was revoked or replaced")
            for a in note.addenda:
                report.addenda_checked += 1
                if not check_addendum(note.fingerprint, a).ok:
                    fail(f"addendum {a.id} of note {row.id}: {check_addendum(note.fingerprint, a).text}")
        missing = sorted(known_signed - purged - present)
        for note_id in missing:
            fail(f"signed note {note_id} is recorded in the audit trail but is gone from the database "
                 "(deleted, or turned back into a draft, outside the app)")
    return report
