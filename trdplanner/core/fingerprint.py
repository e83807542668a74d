"""Content fingerprints for signed notes and addenda.

SHA-256 over a canonical JSON form (sorted keys, no insignificant white space, UTC
times), so the same content, signer and time always give the same fingerprint on
any machine and any database.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections.abc import Sequence
from typing import Any


def _canonical(payload: dict[str, Any]) -> bytes:
    return json.dumps(payload, sort_keys=True, ensure_ascii=False, separators=(",", ":")).encode()


def _utc(moment: dt.datetime) -> str:
    return moment.astimezone(dt.UTC).isoformat(timespec="seconds")


def note_fingerprint(fmt: str, sections: Sequence[tuple[str, str, str]], signer: str, signed_at: dt.datetime) -> str:
    payload = {
        "kind": "progress-note",
        "format": fmt,
        "sections": [{"id": i, "title": t, "text": x} for i, t, x in sections],
        "signer": signer,
        "signed_at": _utc(signed_at),
    }
    return hashlib.sha256(_canonical(payload)).hexdigest()


def addendum_fingerprint(note_fingerprint_value: str, kind: str, text: str, signer: str, signed_at: dt.datetime) -> str:
    # Chained to the note's own fingerprint, so an addendum cannot be moved to another note.
    payload = {
        "kind": f"addendum:{kind}",
        "note": note_fingerprint_value,
        "text": text,
        "signer": signer,
        "signed_at": _utc(signed_at),
    }
    return hashlib.sha256(_canonical(payload)).hexdigest()


def cosignature_fingerprint(note_fingerprint_value: str, signer: str, signed_at: dt.datetime) -> str:
    # Over the note's own fingerprint, which covers its content, signer and time: the co-signer
    # vouches for exactly what was signed, and the co-signature cannot be moved to another note.
    payload = {
        "kind": "cosignature",
        "note": note_fingerprint_value,
        "signer": signer,
        "signed_at": _utc(signed_at),
    }
    return hashlib.sha256(_canonical(payload)).hexdigest()
