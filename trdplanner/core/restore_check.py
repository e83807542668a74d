"""What restore checks before it replaces anything, and what it tells the person first.

* The backup is checked as a database of its own: its guards are all there (a copy of the
  newest schema whose triggers were dropped was edited), its audit chain links, every signed
  note, addendum and key verifies, and its chain matches the anchor written beside it when
  it was made (``<backup>.anchor.json``). Any failure refuses the restore.
* Then the current database is compared with it: the patients, sessions, measures (those
  with a positive item 9 counted on their own), signed notes, addenda and audit entries the
  current database holds that the backup does not. Those would be lost; the caller asks.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from trdplanner.core import crypto, guards
from trdplanner.core.crypto import DatabaseKey
from trdplanner.core.db import Database, current_revision, ensure_schema, head_revision


@dataclass
class Losses:
    patients: list[str] = field(default_factory=list)  # print codes
    sessions: int = 0
    measures: int = 0
    item9_positive: int = 0
    signed_notes: int = 0
    addenda: int = 0
    audit_entries: int = 0

    def lines(self) -> list[str]:
        out = []
        if self.patients:
            shown = ", ".join(self.patients[:10]) + (" …" if len(self.patients) > 10 else "")
            out.append(f"{len(self.patients)} patient(s): {shown}")
        for count, what in ((self.sessions, "session(s)"), (self.measures, "measure(s)"),
                            (self.item9_positive, "of those measures with a POSITIVE ITEM 9 (suicidal thoughts)"),
                            (self.signed_notes, "signed note(s)"), (self.addenda, "addend(a/um)"),
                            (self.audit_entries, "audit trail entries")):
            if count:
                out.append(f"{count} {what}")
        return out

    @property
    def any(self) -> bool:
        return bool(self.lines())


def verify_copy(path: Path, key: DatabaseKey | None, anchor_state: Any = None) -> list[str]:
    """Everything wrong with the database file at ``path`` (a private copy: it may be migrated)."""
    from trdplanner.core.anchor import compare
    from trdplanner.core.integrity import verify_all

    db = Database(f"sqlite:///{path}", key)
    try:
        problems: list[str] = []
        if current_revision(db.engine) == head_revision():
            with db.engine.connect() as conn:
                gone = guards.missing(conn)
            if gone:
                problems.append(f"its protections were removed or altered ({', '.join(gone[:4])}): it was edited")
        ensure_schema(db.engine)  # an older backup is brought up to date (this is our private copy)
        if anchor_state is not None:
            with db.reading() as s:
                problem = compare(s, anchor_state)
            if problem:
                problems.append(f"it does not match the anchor written beside it when it was made: {problem}")
            elif not anchor_state.sealed:
                problems.append("the anchor file beside it was edited")
        report = verify_all(db)
        if not report.chain.ok:
            problems.append(f"its audit trail is broken at entry {report.chain.broken_at}: {report.chain.problem}")
        problems += report.failures
        return problems
    finally:
        db.close()


def _ids(con: Any, sql: str) -> set[Any]:
    return {r[0] for r in con.execute(sql).fetchall()}


def _item9(items: Any) -> bool:
    try:
        values = json.loads(items) if isinstance(items, str) else items
        return isinstance(values, list) and len(values) >= 9 and int(values[8] or 0) > 0
    except (ValueError, TypeError):
        return False


def losses(current: Path, current_key: DatabaseKey | None, backup: Path, key: DatabaseKey | None) -> Losses:
    """What ``current`` holds that ``backup`` lacks."""
    out = Losses()
    now, then = crypto.connect(current, current_key), crypto.connect(backup, key)
    try:
        codes = _ids(now, "SELECT code FROM patient") - _ids(then, "SELECT code FROM patient")
        out.patients = sorted(str(c) for c in codes)
        out.sessions = len(_ids(now, "SELECT id FROM therapy_session") - _ids(then, "SELECT id FROM therapy_session"))
        gone = _ids(now, "SELECT id FROM measure") - _ids(then, "SELECT id FROM measure")
        out.measures = len(gone)
        for mid in gone:
            row = now.execute("SELECT instrument, items FROM measure WHERE id = ?", (mid,)).fetchone()
            if row and row[0] == "phq9" and _item9(row[1]):
                out.item9_positive += 1
        signed = "SELECT id FROM progress_note WHERE status = 'signed'"
        out.signed_notes = len(_ids(now, signed) - _ids(then, signed))
        out.addenda = len(_ids(now, "SELECT id FROM note_addendum") - _ids(then, "SELECT id FROM note_addendum"))
        count = "SELECT count(*) FROM audit_event"
        out.audit_entries = max(0, int(now.execute(count).fetchone()[0]) - int(then.execute(count).fetchone()[0]))
    finally:
        now.close()
        then.close()
    return out
