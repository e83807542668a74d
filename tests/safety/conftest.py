"""Data-safety fixtures: an encrypted practice, the CLI run in-process, both storage backends."""

from __future__ import annotations

import datetime as dt
import sqlite3
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from trdplanner.cli import main
from trdplanner.context import AppContext
from trdplanner.core.records import ClinicianRec, NoteSectionRec, PatientProfile, PracticeRec

PASSPHRASE = "test passphrase: synthetic data only"  # the suite's, see tests/conftest.py


@dataclass
class Result:
    code: int
    out: str
    err: str


Run = Callable[..., Result]


@pytest.fixture
def run(capsys: pytest.CaptureFixture[str]) -> Run:
    """``trdplanner ARGS...`` in-process; argparse's own exits are caught and returned."""

    def invoke(*argv: str) -> Result:
        capsys.readouterr()
        try:
            code = main(list(argv))
        except SystemExit as exc:
            code = exc.code if isinstance(exc.code, int) else (0 if exc.code is None else 1)
        captured = capsys.readouterr()
        return Result(code, captured.out, captured.err)

    return invoke


@pytest.fixture
def ctx(data_dir: Path) -> Iterator[AppContext]:
    """A new practice in the per-test data dir: encrypted with the suite's passphrase."""
    context = AppContext.open(str(data_dir))
    assert context.key is not None
    yield context
    context.close()


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def any_ctx(request: pytest.FixtureRequest, data_dir: Path) -> Iterator[AppContext]:
    """An encrypted SQLite practice, or one on a fresh PostgreSQL database."""
    url = None if request.param == "sqlite" else str(request.getfixturevalue("pg_url"))
    context = AppContext.open(str(data_dir), url)
    yield context
    context.close()


def readable_by_plain_sqlite(path: Path) -> bool:
    con = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        con.execute("SELECT count(*) FROM sqlite_master").fetchone()
        return True
    except sqlite3.DatabaseError:
        return False
    finally:
        con.close()


def make_patient(ctx: AppContext, code: str = "SAFE-01") -> int:
    return ctx.patients.create(PatientProfile(code=code, full_name="Rowan Synthetic-Example"))


def signed_session(ctx: AppContext, pid: int, text: str = "Mood lower this week; slept 5 hours.") -> tuple[int, int]:
    """A session with a signed SOAP note; returns (session id, clinician id)."""
    if ctx.practice.practice() is None:
        ctx.practice.save_practice(PracticeRec(name="Synthetic practice"))
    clinicians = ctx.practice.clinicians()
    clinician = clinicians[0] if clinicians else ctx.practice.add_clinician(ClinicianRec("Dr. Test", "PhD"))
    assert clinician.id is not None
    session = ctx.sessions.create(pid, date=dt.date(2026, 1, 5), modality="cbt")
    ctx.notes.save_draft(session.id, "soap", [NoteSectionRec("subjective", "Subjective", text)])
    ctx.notes.sign(session.id, clinician.id)
    return session.id, clinician.id
