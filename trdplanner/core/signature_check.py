"""Checking a note's signatures: needs only the note record, never the database.

The public key travels with each signed record, so a print, a screen and an import all
check the same way (core/signing.py holds the keys and signs; core/fingerprint.py says
what is signed). Kept apart from signing.py so the PDF export can check a note without
importing SQLAlchemy.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

from trdplanner.core.fingerprint import (
    addendum_fingerprint,
    addendum_form,
    cosignature_fingerprint,
    cosignature_form,
    note_fingerprint,
    note_form,
    signed_message,
)
from trdplanner.core.records import AddendumRec, CosignatureRec, NoteRec
from trdplanner.core.vocab import NoteStatus

# key_fingerprint of notes signed before signatures existed (migration 0006 lists them in the audit trail).
LEGACY = "legacy"


def key_fingerprint(public_hex: str) -> str:
    return hashlib.sha256(bytes.fromhex(public_hex)).hexdigest()


def short(fingerprint: str) -> str:
    """The first 16 hex digits in groups of four: what a person compares by eye."""
    return " ".join(fingerprint[i : i + 4] for i in range(0, 16, 4)) if fingerprint else "none"


def check_signature(public_hex: str, fingerprint: str, signature_hex: str, form: bytes) -> str:
    """'' when ``signature_hex`` is a valid signature of ``form`` by that key; otherwise why not."""
    if not signature_hex or not fingerprint:
        return "it carries no signature"
    if not public_hex:
        return f"it was signed with key {short(fingerprint)}, which this practice does not know"
    try:
        if key_fingerprint(public_hex) != fingerprint:
            return "its public key does not match the key fingerprint it names"
        Ed25519PublicKey.from_public_bytes(bytes.fromhex(public_hex)).verify(
            bytes.fromhex(signature_hex), signed_message(fingerprint, form)
        )
    except InvalidSignature:
        return "the signature does not match the content, signer and time: it was altered or forged"
    except ValueError:
        return "the signature or key is not well formed"
    return ""


# ------------------------------------------------------------------------------ checking notes


@dataclass(frozen=True)
class SignatureCheck:
    ok: bool
    text: str  # one line in plain words, for screens, prints and the command line


def _signer_words(name: str, fingerprint: str, elsewhere: bool) -> str:
    if elsewhere:
        return f"signed elsewhere by {name}, key {short(fingerprint)}"
    return f"signed by {name}, key {short(fingerprint)}"


def check_addendum(note_fp: str, a: AddendumRec) -> SignatureCheck:
    if addendum_fingerprint(note_fp, a.kind, a.text, a.signer_name, a.signed_at) != a.fingerprint:
        return SignatureCheck(False, f"{a.kind} by {a.signer_name}: its content does not match its fingerprint")
    if a.key_fingerprint == LEGACY and not a.signature:
        return SignatureCheck(True, f"signed by {a.signer_name} before signatures were introduced")
    problem = check_signature(a.public_key, a.key_fingerprint, a.signature,
                              addendum_form(note_fp, a.kind, a.text, a.signer_name, a.signed_at))
    if problem:
        return SignatureCheck(False, f"{a.kind} by {a.signer_name}: {problem}")
    return SignatureCheck(True, _signer_words(a.signer_name, a.key_fingerprint, a.signed_elsewhere))


def check_cosignature(note_fp: str, c: CosignatureRec) -> SignatureCheck:
    """A supervisor's co-signature: its fingerprint and its key signature over the same form."""
    if cosignature_fingerprint(note_fp, c.signer_name, c.signed_at) != c.fingerprint:
        return SignatureCheck(False, f"co-signature by {c.signer_name}: it does not match the note it co-signs")
    problem = check_signature(c.public_key, c.key_fingerprint, c.signature,
                              cosignature_form(note_fp, c.signer_name, c.signed_at))
    if problem:
        return SignatureCheck(False, f"co-signature by {c.signer_name}: {problem}")
    return SignatureCheck(True, f"co-signed by {c.signer_name}, key {short(c.key_fingerprint)}")


def check_note(note: NoteRec) -> SignatureCheck:
    """Whether a signed note and its addenda carry valid signatures over what they say now."""
    if note.status != NoteStatus.SIGNED:
        return SignatureCheck(True, "not signed")
    if note.signed_at is None or not note.signer_name:
        return SignatureCheck(False, "marked signed but names no signer or time")
    sections = [(x.id, x.title, x.text) for x in note.sections]
    if note_fingerprint(note.format, sections, note.signer_name, note.signed_at) != note.fingerprint:
        return SignatureCheck(False, "the text was changed after signing (it does not match its fingerprint)")
    if note.key_fingerprint == LEGACY and not note.signature:
        # `audit verify` checks this note is one of those signed before signatures existed.
        return SignatureCheck(True, f"signed by {note.signer_name} before signatures were introduced "
                                    "(fingerprint only; the text is unchanged)")
    problem = check_signature(note.public_key, note.key_fingerprint, note.signature,
                              note_form(note.format, sections, note.signer_name, note.signed_at))
    if problem:
        return SignatureCheck(False, problem)
    for a in note.addenda:
        checked = check_addendum(note.fingerprint, a)
        if not checked.ok:
            return checked
    for c in note.cosignatures:
        checked = check_cosignature(note.fingerprint, c)
        if not checked.ok:
            return checked
    return SignatureCheck(True, _signer_words(note.signer_name, note.key_fingerprint, note.signed_elsewhere))
