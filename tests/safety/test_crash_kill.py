"""Crash safety: a writer killed with SIGKILL at random moments never loses a committed record.

A child process (``crash_child.py``) writes sessions, autosaved note drafts, signatures and
PHQ-9 scores into an ENCRYPTED practice in a tight loop, printing each record's id only after
its commit has returned. The parent kills it with SIGKILL after a random delay, then checks
that the database passes ``PRAGMA integrity_check`` (and SQLCipher's page HMAC check), that
every reported record is there as reported, that the latest reported draft of every note
survived, and that the audit chain is unbroken. Then it starts the next child on the same
database.

TRDPLANNER_KILL_COUNT sets the number of kills: 40 by default (CI), 200 for the full run::

    TRDPLANNER_KILL_COUNT=200 python -m pytest tests/safety/test_crash_kill.py
"""

from __future__ import annotations

import json
import os
import random
import signal
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from _safety_helpers import PASSPHRASE, make_patient
from sqlalchemy import text

from trdplanner.context import AppContext
from trdplanner.core import crypto
from trdplanner.core.db import Database
from trdplanner.core.records import ClinicianRec
from trdplanner.core.services.audit import AuditService
from trdplanner.core.services.notes import NoteService, verify

pytestmark = pytest.mark.skipif(not hasattr(signal, "SIGKILL"), reason="SIGKILL is POSIX")

KILLS = int(os.environ.get("TRDPLANNER_KILL_COUNT", "40"))
CHILD = Path(__file__).with_name("crash_child.py")
ROOT = Path(__file__).resolve().parents[2]


@dataclass
class Committed:
    """What the children reported as committed, across every kill."""

    sessions: set[int] = field(default_factory=set)
    measures: set[int] = field(default_factory=set)
    drafts: dict[int, tuple[int, int]] = field(default_factory=dict)  # session -> (seed, latest draft number)
    signed: dict[int, str] = field(default_factory=dict)  # session -> fingerprint

    def read(self, lines: list[str]) -> None:
        for line in lines:
            kind, *rest = line.split()
            if kind == "session":
                self.sessions.add(int(rest[0]))
            elif kind == "measure":
                self.measures.add(int(rest[0]))
            elif kind == "draft":
                self.drafts[int(rest[0])] = (int(rest[1]), int(rest[2]))
            elif kind == "signed":
                self.signed[int(rest[0])] = rest[1]

    @property
    def total(self) -> int:
        return len(self.sessions) + len(self.measures) + len(self.drafts) + len(self.signed)


def _kill_once(url: str, patient: int, clinician: int, seed: int, rng: random.Random) -> tuple[list[str], float]:
    env = dict(os.environ, PYTHONPATH=str(ROOT), TRDPLANNER_PASSPHRASE=PASSPHRASE)
    child = subprocess.Popen(
        [sys.executable, str(CHILD), url, str(patient), str(clinician), str(seed)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env=env,
        text=True,
    )
    try:
        assert child.stdout is not None
        first = child.stdout.readline()
        if first.strip() != "ready":
            child.kill()
            raise AssertionError(f"the child did not start: {first!r} {child.communicate()[1][-2000:]}")
        delay = rng.uniform(0.02, 0.6)
        time.sleep(delay)
        child.send_signal(signal.SIGKILL)
        out, err = child.communicate(timeout=60)
    finally:
        if child.poll() is None:
            child.kill()
            child.wait()
    assert child.returncode == -signal.SIGKILL, f"the child ended on its own: {err[-2000:]}"
    complete = out.split("\n")[:-1]  # the last piece may be a line cut off by the kill
    return [line for line in complete if line.strip()], delay


def _check(db_file: Path, url: str, key: crypto.DatabaseKey, committed: Committed, new_signed: set[int]) -> None:
    con = crypto.connect(db_file, key)
    try:
        assert con.execute("PRAGMA integrity_check").fetchall() == [("ok",)]
        assert con.execute("PRAGMA cipher_integrity_check").fetchall() == []  # every page's HMAC is right
    finally:
        con.close()
    db = Database.open(url, key)
    try:
        with db.engine.connect() as conn:
            sessions = set(conn.execute(text("SELECT id FROM therapy_session")).scalars())
            measures = set(conn.execute(text("SELECT id FROM measure")).scalars())
            notes = {
                row.session_id: row
                for row in conn.execute(text("SELECT session_id, status, sections, fingerprint FROM progress_note"))
            }
        assert committed.sessions <= sessions, f"lost sessions {sorted(committed.sessions - sessions)[:10]}"
        assert committed.measures <= measures, f"lost measures {sorted(committed.measures - measures)[:10]}"
        for session_id, (seed, number) in committed.drafts.items():
            row = notes.get(session_id)
            assert row is not None, f"lost the draft of session {session_id}"
            head = json.loads(row.sections)[0]["text"].split(" words", 1)[0].split()
            assert (int(head[1]), int(head[3])) >= (seed, number), f"an older draft of session {session_id}"
        for session_id, fingerprint in committed.signed.items():
            row = notes.get(session_id)
            assert row is not None and row.status == "signed" and row.fingerprint == fingerprint
        service = NoteService(db)
        for session_id in new_signed:  # the content still matches the signature (all of them at the end)
            note = service.for_session(session_id)
            assert note is not None and verify(note)
        assert AuditService(db).verify().ok
    finally:
        db.close()


def test_sigkill_at_random_moments_loses_no_committed_record(data_dir: Path) -> None:
    ctx = AppContext.open(str(data_dir))
    assert ctx.key is not None  # encrypted
    patient = make_patient(ctx)
    clinician = ctx.practice.add_clinician(ClinicianRec("Dr. Crash Test", "PhD")).id
    assert clinician is not None
    url, db_file = ctx.db_url, ctx.paths.database_file
    ctx.close()

    rng = random.Random(int(os.environ.get("TRDPLANNER_KILL_SEED", "20261122")))
    committed = Committed()
    mid_run = 0
    key = crypto.key_for_file(db_file, PASSPHRASE)
    for i in range(KILLS):
        lines, _delay = _kill_once(url, patient, clinician, i, rng)
        mid_run += bool(lines)
        before = set(committed.signed)
        committed.read(lines)
        _check(db_file, url, key, committed, set(committed.signed) - before)
    _check(db_file, url, crypto.key_for_file(db_file, PASSPHRASE), committed, set(committed.signed))
    assert crypto.file_state(db_file) == crypto.FileState.ENCRYPTED
    # Most kills landed while records were being written, not before the first one.
    assert mid_run >= KILLS * 0.6 and committed.total >= KILLS
    print(f"\n{KILLS} kills survived; {committed.total} committed records checked after every kill, none lost")
