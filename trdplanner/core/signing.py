"""Per-clinician Ed25519 signing keys, and signing and checking notes and addenda with them.

A clinician's private key is stored only encrypted: AES-256-GCM under a key derived from
their own signing password with scrypt (memory-hard; cryptography's implementation), which
is separate from the database passphrase. Someone who can open the database can read the
encrypted key but cannot sign as the clinician without the password.

Key history is signed: a new key signs its own "create" event (proof that whoever wrote it
held the private key); a rotation is signed by the OLD key and names the new one; a
revocation is signed by the key being revoked. Every key event is also in the audit trail.

What is signed is documented in core/fingerprint.py. Checking (``check_note``) needs only the
note record: the public key travels with it, so a print, a screen and an import all check the
same way; whether the key is one of ours is a separate, stated fact (``signed_elsewhere``).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.scrypt import Scrypt
from cryptography.hazmat.primitives.serialization import Encoding, NoEncryption, PrivateFormat, PublicFormat
from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from trdplanner.core import audit
from trdplanner.core.db import Database
from trdplanner.core.errors import InputError, LockedError, NotFoundError
from trdplanner.core.fingerprint import (
    addendum_form,
    canonical,
    note_form,
    signed_message,
)
from trdplanner.core.models import Clinician, KeyEvent, NoteAddendum, ProgressNote, SigningKey
from trdplanner.core.models.base import utcnow
from trdplanner.core.records import NoteRec

# Checking needs no database: it lives apart so prints and screens can check without importing this module.
from trdplanner.core.signature_check import LEGACY as LEGACY
from trdplanner.core.signature_check import SignatureCheck as SignatureCheck
from trdplanner.core.signature_check import check_addendum as check_addendum
from trdplanner.core.signature_check import check_cosignature as check_cosignature
from trdplanner.core.signature_check import check_note as check_note
from trdplanner.core.signature_check import check_signature as check_signature
from trdplanner.core.signature_check import key_fingerprint as key_fingerprint
from trdplanner.core.signature_check import short as short
from trdplanner.core.vocab import AddendumKind, NoteStatus

MIN_PASSWORD = 8
MAX_PASSWORD = 1024
# scrypt cost: 2**15 x 8 x 128 bytes = 32 MiB and about a tenth of a second per signing.
SCRYPT_N, SCRYPT_R, SCRYPT_P = 2**15, 8, 1


class WrongSigningPassword(InputError):
    def __init__(self) -> None:
        super().__init__("signing password", "is not right for this clinician's signing key; nothing was signed")


# ------------------------------------------------------------------------------ key material


def _public_hex(private: Ed25519PrivateKey) -> str:
    return private.public_key().public_bytes(Encoding.Raw, PublicFormat.Raw).hex()


def _kdf(password: str, salt: bytes, n: int, r: int, p: int) -> bytes:
    return Scrypt(salt=salt, length=32, n=n, r=r, p=p).derive(password.encode())


def seal(private: Ed25519PrivateKey, password: str, fingerprint: str) -> str:
    """The private key encrypted under the password, as a JSON envelope bound to its fingerprint."""
    salt, nonce = os.urandom(16), os.urandom(12)
    raw = private.private_bytes(Encoding.Raw, PrivateFormat.Raw, NoEncryption())
    ct = AESGCM(_kdf(password, salt, SCRYPT_N, SCRYPT_R, SCRYPT_P)).encrypt(nonce, raw, fingerprint.encode())
    return json.dumps({"v": 1, "kdf": "scrypt", "n": SCRYPT_N, "r": SCRYPT_R, "p": SCRYPT_P,
                       "salt": salt.hex(), "nonce": nonce.hex(), "ct": ct.hex()}, sort_keys=True)


def unseal(envelope: str, password: str, fingerprint: str) -> Ed25519PrivateKey:
    try:
        env = json.loads(envelope)
        n, r, p = int(env["n"]), int(env["r"]), int(env["p"])
        if env.get("kdf") != "scrypt" or not (2**10 <= n <= 2**20 and 1 <= r <= 32 and 1 <= p <= 16):
            raise ValueError("unsupported key parameters")
        key = _kdf(password, bytes.fromhex(env["salt"]), n, r, p)
        raw = AESGCM(key).decrypt(bytes.fromhex(env["nonce"]), bytes.fromhex(env["ct"]), fingerprint.encode())
    except InvalidTag as exc:
        raise WrongSigningPassword() from exc
    except (ValueError, KeyError, TypeError) as exc:
        raise InputError("signing key", "the stored key is damaged; ask for a new key (rotate)") from exc
    private = Ed25519PrivateKey.from_private_bytes(raw)
    if key_fingerprint(_public_hex(private)) != fingerprint:
        raise InputError("signing key", "the stored key does not match its fingerprint")
    return private


# ------------------------------------------------------------------------------ the service


@dataclass(frozen=True)
class KeyInfo:
    id: int
    clinician_id: int | None
    holder_name: str
    fingerprint: str
    public_key: str
    origin: str
    created_at: dt.datetime
    revoked_at: dt.datetime | None

    @property
    def active(self) -> bool:
        return self.revoked_at is None and self.origin == "local"


def _info(row: SigningKey) -> KeyInfo:
    return KeyInfo(row.id, row.clinician_id, row.holder_name, row.fingerprint, row.public_key, row.origin,
                   row.created_at, row.revoked_at)


def display_name(c: Clinician) -> str:
    return f"{c.name}, {c.credentials}" if c.credentials else c.name


def check_new_password(password: str) -> None:
    if len(password) < MIN_PASSWORD:
        raise InputError("signing password", f"must be at least {MIN_PASSWORD} characters")
    if len(password) > MAX_PASSWORD:
        raise InputError("signing password", f"must be at most {MAX_PASSWORD} characters")


def _active_key(s: Session, clinician_id: int) -> SigningKey | None:
    return s.scalars(
        select(SigningKey)
        .where(SigningKey.clinician_id == clinician_id, SigningKey.origin == "local", SigningKey.revoked_at.is_(None))
        .order_by(SigningKey.id.desc())
    ).first()


def _clinician(s: Session, clinician_id: int) -> Clinician:
    row = s.get(Clinician, clinician_id)
    if row is None:
        raise NotFoundError("clinician", clinician_id)
    return row


def _event(s: Session, action: str, subject: SigningKey, signer: Ed25519PrivateKey, signer_fp: str,
           at: dt.datetime, extra: dict[str, Any] | None = None) -> None:
    payload = canonical({"action": action, "key": subject.fingerprint, "public_key": subject.public_key,
                         "holder": subject.holder_name, "clinician": subject.clinician_id,
                         "at": at.astimezone(dt.UTC).isoformat(timespec="seconds"), **(extra or {})})
    signature = signer.sign(signed_message(signer_fp, payload)).hex()
    s.add(KeyEvent(key_fingerprint=subject.fingerprint, action=action, at=at, payload=payload.decode(),
                   signed_by=signer_fp, signature=signature))
    audit.record_in(s, f"key.{action}", "clinician", subject.clinician_id or "",
                    {"key": subject.fingerprint, "signed_by": signer_fp})


def _new_key(s: Session, clinician: Clinician, password: str, at: dt.datetime) -> tuple[SigningKey, Ed25519PrivateKey]:
    private = Ed25519PrivateKey.generate()
    public = _public_hex(private)
    fp = key_fingerprint(public)
    row = SigningKey(clinician_id=clinician.id, holder_name=display_name(clinician), fingerprint=fp,
                     public_key=public, private_key=seal(private, password, fp), origin="local", created_at=at)
    s.add(row)
    s.flush()
    _event(s, "create", row, private, fp, at)
    return row, private


class SigningService:
    """Keys and signatures. Every action needs the signer's own signing password."""

    def __init__(self, db: Database) -> None:
        self.db = db

    # -- keys

    def list_keys(self, clinician_id: int | None = None) -> list[KeyInfo]:
        query = select(SigningKey).order_by(SigningKey.id)
        if clinician_id is not None:
            query = query.where(SigningKey.clinician_id == clinician_id)
        with self.db.reading() as s:
            return [_info(r) for r in s.scalars(query)]

    def active_key(self, clinician_id: int) -> KeyInfo | None:
        with self.db.reading() as s:
            row = _active_key(s, clinician_id)
            return _info(row) if row else None

    def create_key(self, clinician_id: int, password: str) -> KeyInfo:
        check_new_password(password)
        with self.db.transaction() as s:
            clinician = _clinician(s, clinician_id)
            if _active_key(s, clinician_id) is not None:
                raise InputError("signing key", "this clinician already has a key; rotate it to replace it")
            row, _ = _new_key(s, clinician, password, utcnow().replace(microsecond=0))
            return _info(row)

    def rotate(self, clinician_id: int, password: str, new_password: str) -> KeyInfo:
        """A new key for the clinician; the old one signs the hand-over and signs nothing after it."""
        check_new_password(new_password)
        with self.db.transaction() as s:
            clinician = _clinician(s, clinician_id)
            old = _active_key(s, clinician_id)
            if old is None:
                raise InputError("signing key", "this clinician has no key to rotate; create one")
            old_private = unseal(old.private_key, password, old.fingerprint)
            at = utcnow().replace(microsecond=0)
            old.revoked_at = at
            row, _ = _new_key(s, clinician, new_password, at)
            _event(s, "rotate", old, old_private, old.fingerprint, at, {"successor": row.fingerprint})
            return _info(row)

    def revoke(self, clinician_id: int, password: str) -> KeyInfo:
        """The clinician's key signs nothing from now on; what it signed before stays valid."""
        with self.db.transaction() as s:
            _clinician(s, clinician_id)
            row = _active_key(s, clinician_id)
            if row is None:
                raise InputError("signing key", "this clinician has no active key")
            private = unseal(row.private_key, password, row.fingerprint)
            row.revoked_at = utcnow().replace(microsecond=0)
            _event(s, "revoke", row, private, row.fingerprint, row.revoked_at)
            return _info(row)

    def unlock(self, s: Session, clinician_id: int, password: str) -> tuple[SigningKey, Ed25519PrivateKey]:
        row = _active_key(s, clinician_id)
        if row is None:
            raise InputError("signing key", "this clinician has no signing key yet; create one first")
        return row, unseal(row.private_key, password, row.fingerprint)

    # -- signing

    def sign_note(self, session_id: int, clinician_id: int, password: str, *, at: dt.datetime | None = None) -> NoteRec:
        from trdplanner.core.services.sessions import note_from_row

        with self.db.transaction() as s:
            row = _note_for_session(s, session_id)
            if row is None:
                raise InputError("note", "there is no draft to sign for this session")
            if row.status == NoteStatus.SIGNED:
                raise LockedError("This note is already signed.")
            self.sign_row(s, row, clinician_id, password, (at or utcnow()).replace(microsecond=0))
            s.flush()
            s.refresh(row)
            return note_from_row(row)

    def sign_row(self, s: Session, row: ProgressNote, clinician_id: int, password: str, signed_at: dt.datetime) -> None:
        """Sign a draft row inside the caller's transaction (the note service checks the risk
        review and rewrites its text first, so the signature covers exactly what was recorded)."""
        clinician = _clinician(s, clinician_id)
        key, private = self.unlock(s, clinician_id, password)
        signer = display_name(clinician)
        sections = [(x["id"], x["title"], x["text"]) for x in row.sections]
        form = note_form(row.format, sections, signer, signed_at)
        row.status = NoteStatus.SIGNED
        row.signer_id = clinician.id
        row.signer_name = signer
        row.signed_at = signed_at
        row.fingerprint = hashlib.sha256(form).hexdigest()
        row.key_fingerprint = key.fingerprint
        row.signature = private.sign(signed_message(key.fingerprint, form)).hex()

    def sign_addendum(
        self,
        session_id: int,
        clinician_id: int,
        password: str,
        text: str,
        *,
        kind: str = AddendumKind.ADDENDUM,
        refers_to_date: dt.date | None = None,
        at: dt.datetime | None = None,
    ) -> NoteRec:
        from trdplanner.core.services.sessions import note_from_row

        with self.db.transaction() as s:
            row = _note_for_session(s, session_id)
            if row is None or row.status != NoteStatus.SIGNED:
                raise InputError("note", "addenda are added to signed notes; edit the draft instead")
            clinician = _clinician(s, clinician_id)
            key, private = self.unlock(s, clinician_id, password)
            signed_at = (at or utcnow()).replace(microsecond=0)
            signer = display_name(clinician)
            form = addendum_form(row.fingerprint, kind, text, signer, signed_at)
            row.addenda.append(
                NoteAddendum(
                    kind=kind,
                    text=text,
                    refers_to_date=refers_to_date,
                    signer_id=clinician.id,
                    signer_name=signer,
                    signed_at=signed_at,
                    fingerprint=hashlib.sha256(form).hexdigest(),
                    key_fingerprint=key.fingerprint,
                    signature=private.sign(signed_message(key.fingerprint, form)).hex(),
                    signer_login=s.info.get("login") or "",
                )
            )
            s.flush()
            s.expire(row)
            return note_from_row(_note_for_session(s, session_id) or row)

    def record_signer(self, clinician_id: int, password: str) -> Callable[[NoteRec], NoteRec]:
        """A function that signs note records not in the database yet (the demo builds its notes
        this way); the key is unlocked once, here."""
        with self.db.reading() as s:
            key, private = self.unlock(s, clinician_id, password)
            fp, public = key.fingerprint, key.public_key

        def sign(note: NoteRec) -> NoteRec:
            assert note.signed_at is not None
            form = note_form(note.format, [(x.id, x.title, x.text) for x in note.sections], note.signer_name,
                             note.signed_at)
            note.fingerprint = hashlib.sha256(form).hexdigest()
            note.key_fingerprint, note.public_key = fp, public
            note.signature = private.sign(signed_message(fp, form)).hex()
            return note

        return sign


def _note_for_session(s: Session, session_id: int) -> ProgressNote | None:
    return s.scalar(
        select(ProgressNote).where(ProgressNote.session_id == session_id).options(selectinload(ProgressNote.addenda))
    )


def remember_foreign_key(s: Session, holder: str, public_hex: str, fingerprint: str) -> None:
    """Keep the public key of an imported signature, so its notes keep checking as signed elsewhere."""
    if s.scalar(select(SigningKey.id).where(SigningKey.fingerprint == fingerprint)) is not None:
        return
    s.add(SigningKey(clinician_id=None, holder_name=holder[:300], fingerprint=fingerprint, public_key=public_hex,
                     private_key="", origin="imported", created_at=utcnow().replace(microsecond=0)))
    s.flush()
