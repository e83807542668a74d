"""The audit chain's anchor: its head, written outside the database after every change.

The chain alone cannot show that entries were cut off its end, or that the whole chain was
re-hashed, or that an older copy of the database was put back: each of those is a chain that
links. So after every commit that adds to the chain, its length and last hash are written to
``audit-anchor.json`` in the data folder (and beside every backup), with an HMAC-SHA256 under
a key kept in ``audit-anchor.key`` there, never in the database. Opening a database that is
behind the anchor, or whose entry at the anchor's position differs, is a problem stated in
plain words, recorded in the chain, and kept in the anchor until someone deals with it, so
``audit verify`` keeps failing; ``audit verify --anchor FILE`` checks against a copy kept
elsewhere (an e-mailed or printed anchor is beyond the reach of whoever edits this folder).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import json
import logging
import os
import secrets
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy import select

from trdplanner.core.db import Database
from trdplanner.core.errors import ReadOnlyError
from trdplanner.core.models import AuditEvent

log = logging.getLogger(__name__)

ANCHOR_NAME = "audit-anchor.json"
KEY_NAME = "audit-anchor.key"


@dataclass
class AnchorState:
    count: int
    head: str
    at: str = ""
    problems: list[str] = field(default_factory=list)
    sealed: bool = True  # False when its HMAC does not match (edited, or from another data folder)


def _write_atomic(path: Path, data: bytes) -> None:
    tmp = path.with_name(f".{path.name}.{secrets.token_hex(4)}.tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise


def anchor_name(url: str, default_url: str) -> str:
    """The data folder's own database has audit-anchor.json; another one (``--db``) its own file."""
    if url == default_url:
        return ANCHOR_NAME
    from sqlalchemy.engine import make_url

    plain = make_url(url).render_as_string(hide_password=True)
    return f"audit-anchor-{hashlib.sha256(plain.encode()).hexdigest()[:12]}.json"


class Anchor:
    def __init__(self, folder: Path, name: str = ANCHOR_NAME, *, read_only: bool = False) -> None:
        self.folder = folder
        self.path = folder / name
        self.key_path = folder / KEY_NAME
        # A read-only data folder: the anchor is read and compared, never written there (a
        # backup's side file, in another folder, is still sealed with the folder's key).
        self.read_only = read_only

    def _key(self) -> bytes:
        try:
            return bytes.fromhex(self.key_path.read_text().strip())
        except FileNotFoundError:
            if self.read_only:
                raise
            key = secrets.token_bytes(32)
            _write_atomic(self.key_path, key.hex().encode())
            return key

    def _mac(self, count: int, head: str, problems: list[str]) -> str:
        body = json.dumps([count, head, problems], separators=(",", ":")).encode()
        return hmac.new(self._key(), body, hashlib.sha256).hexdigest()

    def read(self, path: Path | None = None) -> AnchorState | None:
        target = path or self.path
        try:
            raw = json.loads(target.read_text())
            state = AnchorState(int(raw["count"]), str(raw["head"]), str(raw.get("at", "")),
                                [str(p) for p in raw.get("problems", [])])
        except FileNotFoundError:
            return None
        except (ValueError, KeyError, TypeError):
            return AnchorState(-1, "", problems=[f"the anchor file {target.name} is damaged"], sealed=False)
        try:
            mac = self._mac(state.count, state.head, state.problems)
        except FileNotFoundError:  # read-only and its key is gone: the seal cannot be shown to match
            mac = ""
        state.sealed = bool(mac) and hmac.compare_digest(str(raw.get("mac", "")), mac)
        return state

    def write(self, count: int, head: str, problems: list[str] | None = None, path: Path | None = None) -> None:
        if self.read_only and (path is None or path.parent.resolve() == self.folder.resolve()):
            raise ReadOnlyError()
        if problems is None:
            current = self.read()
            problems = current.problems if current else []
        at = dt.datetime.now(dt.UTC).isoformat(timespec="seconds")
        doc = {"count": count, "head": head, "at": at, "problems": problems, "mac": self._mac(count, head, problems)}
        _write_atomic(path or self.path, json.dumps(doc, indent=1).encode())


def chain_head(s: object) -> tuple[int, str]:
    from sqlalchemy.orm import Session

    assert isinstance(s, Session)
    row = s.execute(select(AuditEvent.id, AuditEvent.hash).order_by(AuditEvent.id.desc()).limit(1)).first()
    return (0, "0" * 64) if row is None else (int(row.id), str(row.hash))


def compare(s: object, state: AnchorState) -> str:
    """'' when the database's chain reaches the anchor unchanged; otherwise what happened, in plain words."""
    from sqlalchemy.orm import Session

    assert isinstance(s, Session)
    if state.count < 0:
        return state.problems[0]
    count, _head = chain_head(s)
    if count < state.count:
        if count == 0:
            return (f"the audit trail is empty, but it had {state.count} entries when last seen: the database was "
                    "replaced or its trail truncated")
        return (f"the audit trail has {count} entries but had {state.count} when last seen (on {state.at}): "
                "entries were cut off its end (truncated), or an older copy of the database was put back "
                "(rolled back)")
    if state.count == 0:
        return ""
    there = s.scalar(select(AuditEvent.hash).where(AuditEvent.id == state.count))
    if there != state.head:
        return (f"audit entry {state.count} is not the one recorded when last seen (on {state.at}): the trail was "
                "rewritten (or cut short and written to since), or this is a different database")
    return ""


def attach(db: Database, folder: Path, name: str = ANCHOR_NAME) -> list[str]:
    """Compare the database with the folder's anchor, record any problem, and keep the anchor from now on.

    Returns the problems the anchor holds (new and earlier ones); empty when all is well. A
    database opened read-only is compared and nothing is written or recorded: the problems are
    returned all the same, so the window and the command line still say them.
    """
    from trdplanner.core.services.audit import AuditService

    anchor = Anchor(folder, name, read_only=db.read_only)
    state = anchor.read()
    with db.reading() as s:
        problem = compare(s, state) if state is not None else ""
        count, head = chain_head(s)
    if state is not None and not problem and not state.sealed:
        problem = "the anchor file was edited by hand (its seal does not match)"
    problems = list(state.problems) if state is not None else []
    if db.read_only:
        db.anchor = anchor  # for sealing a backup's side file; it never writes the folder's own anchor
        return problems + ([problem] if problem else [])
    try:
        if problem:
            problems.append(problem)
            log.info("audit anchor: %s", problem)
        anchor.write(count, head, problems)
        db.anchor = anchor
    except OSError as exc:  # a read-only data folder: say so in the log, carry on reading
        log.error("cannot write the audit anchor in %s: %s", folder, exc.strerror or type(exc).__name__)
        return problems
    if problem:
        kind = "rolled back" if "rolled back" in problem else "rewritten" if "rewritten" in problem else "edited"
        AuditService(db).try_record("anchor.mismatch", "database", "", {"kind": kind})
    return problems


def accept(db: Database, folder: Path, name: str = ANCHOR_NAME) -> list[str]:
    """Someone looked at the problems and accepts the database as it is now: recorded, then cleared."""
    from trdplanner.core.services.audit import AuditService

    anchor = Anchor(folder, name)
    state = anchor.read()
    problems = state.problems if state else []
    AuditService(db).record("anchor.accept", "database", "", {"problems": len(problems)})
    with db.reading() as s:
        anchor.write(*chain_head(s), [])
    return problems
