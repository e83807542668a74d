"""Signing in tests the way a clinician does: with their own key and the demo signing password.

Shared by the group-practice, co-signature and window tests so the rule for "how a test signs"
lives once; a key is created on first use, as the window offers to do.
"""

from __future__ import annotations

from typing import Any

from trdplanner.core.demo import DEMO_SIGNING_PASSWORD


def _ensure_key(ctx: Any, clinician_id: int) -> None:
    if ctx.signing.active_key(clinician_id) is None:
        ctx.signing.create_key(clinician_id, DEMO_SIGNING_PASSWORD)


def sign_note(ctx: Any, session_id: int, clinician_id: int, **kw: Any) -> Any:
    """Sign a session's note with the clinician's own key."""
    _ensure_key(ctx, clinician_id)
    return ctx.notes.sign(session_id, clinician_id, password=DEMO_SIGNING_PASSWORD, **kw)


def cosign_note(ctx: Any, session_id: int, clinician_id: int, **kw: Any) -> Any:
    """Co-sign a session's note with the supervisor's own key."""
    _ensure_key(ctx, clinician_id)
    return ctx.notes.cosign(session_id, clinician_id, password=DEMO_SIGNING_PASSWORD, **kw)
