"""The canonical form of a signed note or addendum, its fingerprint, and what a signature signs.

Canonical form: JSON with sorted keys, no insignificant white space, UTF-8, times in UTC to
the second. A note's form holds its format, its sections in order (id, title, text), the
signer's name and the signing time; an addendum's holds its kind, its text, the signer, the
time and the note's own fingerprint (so it cannot be moved to another note).

The fingerprint is SHA-256 of that form. The Ed25519 signature is over
``"trdplanner-signature-v1\\n" + <signing key's fingerprint> + "\\n" + <canonical form>``,
so a signature also names the key that made it and cannot be moved to another key.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections.abc import Sequence
from typing import Any

SIGNATURE_CONTEXT = b"trdplanner-signature-v1\n"


def canonical(payload: dict[str, Any]) -> bytes:
    return json.dumps(payload, sort_keys=True, ensure_ascii=False, separators=(",", ":")).encode()


def _utc(moment: dt.datetime) -> str:
    return moment.astimezone(dt.UTC).isoformat(timespec="seconds")


def note_form(fmt: str, sections: Sequence[tuple[str, str, str]], signer: str, signed_at: dt.datetime) -> bytes:
    return canonical(
        {
            "kind": "progress-note",
            "format": fmt,
            "sections": [{"id": i, "title": t, "text": x} for i, t, x in sections],
            "signer": signer,
            "signed_at": _utc(signed_at),
        }
    )


def addendum_form(note_fingerprint_value: str, kind: str, text: str, signer: str, signed_at: dt.datetime) -> bytes:
    return canonical(
        {
            "kind": f"addendum:{kind}",
            "note": note_fingerprint_value,
            "text": text,
            "signer": signer,
            "signed_at": _utc(signed_at),
        }
    )


def note_fingerprint(fmt: str, sections: Sequence[tuple[str, str, str]], signer: str, signed_at: dt.datetime) -> str:
    return hashlib.sha256(note_form(fmt, sections, signer, signed_at)).hexdigest()


def addendum_fingerprint(note_fingerprint_value: str, kind: str, text: str, signer: str, signed_at: dt.datetime) -> str:
    return hashlib.sha256(addendum_form(note_fingerprint_value, kind, text, signer, signed_at)).hexdigest()


def signed_message(key_fingerprint: str, form: bytes) -> bytes:
    return SIGNATURE_CONTEXT + key_fingerprint.encode() + b"\n" + form


def cosignature_form(note_fingerprint_value: str, signer: str, signed_at: dt.datetime) -> bytes:
    # Over the note's own fingerprint, which covers its content, signer and time: the co-signer
    # vouches for exactly what was signed, and the co-signature cannot be moved to another note.
    payload = {
        "kind": "cosignature",
        "note": note_fingerprint_value,
        "signer": signer,
        "signed_at": _utc(signed_at),
    }
    return canonical(payload)


def cosignature_fingerprint(note_fingerprint_value: str, signer: str, signed_at: dt.datetime) -> str:
    return hashlib.sha256(cosignature_form(note_fingerprint_value, signer, signed_at)).hexdigest()
