"""The process the crash test kills: writes sessions, note drafts, signatures and measures forever.

Usage: python crash_child.py DB_URL PATIENT_ID CLINICIAN_ID SEED (passphrase in $TRDPLANNER_PASSPHRASE).
After each commit RETURNS it prints one line naming what was committed, flushed at once, so
the parent knows exactly which records must survive a SIGKILL at any moment after that.
"""

from __future__ import annotations

import datetime as dt
import os
import random
import sys

from _safety_helpers import COMPLETE_REVIEW  # run as a script from this folder: the suite's shared answers

from trdplanner.core import crypto
from trdplanner.core.db import Database
from trdplanner.core.demo import DEMO_SIGNING_PASSWORD
from trdplanner.core.records import NoteSectionRec
from trdplanner.core.services.measures import MeasureService
from trdplanner.core.services.notes import NoteService
from trdplanner.core.services.sessions import SessionService
from trdplanner.core.signing import SigningService


def say(line: str) -> None:
    sys.stdout.write(line + "\n")
    sys.stdout.flush()


def main() -> None:
    url, patient, clinician, seed = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4])
    key = crypto.unlock(url, os.environ["TRDPLANNER_PASSPHRASE"])
    assert key is not None, "the crash test must run on an encrypted database"
    db = Database.open(url, key)
    sessions, notes, measures = SessionService(db), NoteService(db), MeasureService(db)
    rng = random.Random(seed)
    signing = SigningService(db)
    if signing.active_key(clinician) is None:
        signing.create_key(clinician, DEMO_SIGNING_PASSWORD)
    say("ready")
    n = 0
    while True:
        n += 1
        session = sessions.create(patient, date=dt.date(2026, 1, 1) + dt.timedelta(days=n % 365), modality="cbt")
        assert session.id is not None
        say(f"session {session.id}")
        for k in range(rng.randint(1, 3)):  # autosave: the same draft saved again and again
            text = f"seed {seed} draft {k} " + "words " * rng.randint(1, 400)
            notes.save_draft(session.id, "soap", [NoteSectionRec("subjective", "Subjective", text)])
            say(f"draft {session.id} {seed} {k}")
        if rng.random() < 0.5:
            if notes.review_reasons(session.id):  # an earlier positive item 9: the review comes first
                review = NoteSectionRec("risk_review", "Risk review", "", dict(COMPLETE_REVIEW))
                notes.save_draft(session.id, "soap", [NoteSectionRec("subjective", "Subjective", text), review])
            note = notes.sign(session.id, clinician, password=DEMO_SIGNING_PASSWORD)
            say(f"signed {session.id} {note.fingerprint}")
        items = [rng.randint(0, 3) for _ in range(9)]
        measure = measures.add(patient, "phq9", items=items, taken_on=session.date, session_id=session.id)
        say(f"measure {measure.id}")


if __name__ == "__main__":
    main()
