"""A read-only data folder still lets the therapist read, print and back up elsewhere (issue 11, item 7).

The real thing is a write-protected stick or a read-only share: here a read-only bind mount of
the data folder (the kernel answers every write with EROFS, root included), or, for a user who
is not root, the folder and file with their write bits taken away. Where neither can be made
(root without mount rights) those variants skip; ``--read-only`` (the same mode asked for) runs
everywhere. Every variant checks that the data folder is left exactly as it was.
"""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from _safety_helpers import PASSPHRASE, PW, Run, make_patient, signed_session
from pypdf import PdfReader
from sqlalchemy import text

from tests.read_only_mount import fingerprint, mount_read_only, unmount
from trdplanner.context import AppContext
from trdplanner.core import backup, crypto
from trdplanner.core.anchor import Anchor, chain_head
from trdplanner.core.errors import READ_ONLY_MESSAGE, ReadOnlyError
from trdplanner.core.records import NoteSectionRec, PatientProfile
from trdplanner.core.storage import StorageError
from trdplanner.core.writable import cannot_write

ONE_LINE = f"error: {READ_ONLY_MESSAGE}\n"


@pytest.fixture
def practice(ctx: AppContext) -> tuple[int, int]:
    """A patient with a signed note in an encrypted practice; the practice is then closed."""
    pid = make_patient(ctx)
    session_id, _clinician = signed_session(ctx, pid)
    draft = ctx.sessions.create(pid, date=dt.date(2026, 1, 12), modality="cbt")  # session 2: a draft to sign
    ctx.notes.save_draft(draft.id, "soap", [NoteSectionRec("subjective", "Subjective", "Slept better.")])
    ctx.close()
    return pid, session_id


@pytest.fixture(params=["mount", "chmod", "flag"])
def read_only(request: pytest.FixtureRequest, data_dir: Path, tmp_path: Path,
              practice: tuple[int, int]) -> Iterator[tuple[Path, list[str]]]:
    """(the data folder as the app sees it, the global options to give): read-only three ways."""
    how = request.param
    if how == "mount":
        mnt = tmp_path / "stick"
        if not mount_read_only(data_dir, mnt):
            pytest.skip("a read-only mount needs root with mount rights")
        try:
            yield mnt, ["--data-dir", str(mnt)]
        finally:
            unmount(mnt)
    elif how == "chmod":
        if os.geteuid() == 0:
            pytest.skip("root writes through permission bits; the mount variant covers root")
        db_file = data_dir / "trdplanner.sqlite3"
        db_file.chmod(0o400)
        data_dir.chmod(0o500)
        try:
            yield data_dir, ["--data-dir", str(data_dir)]
        finally:
            data_dir.chmod(0o700)
            db_file.chmod(0o600)
    else:
        yield data_dir, ["--data-dir", str(data_dir), "--read-only"]


def test_the_writability_check_sees_a_read_only_mount(data_dir: Path, tmp_path: Path,
                                                       practice: tuple[int, int]) -> None:
    assert cannot_write(data_dir, [data_dir / "trdplanner.sqlite3"]) is None
    mnt = tmp_path / "stick"
    if not mount_read_only(data_dir, mnt):
        pytest.skip("a read-only mount needs root with mount rights")
    try:
        reason = cannot_write(mnt, [mnt / "trdplanner.sqlite3"])
        assert reason is not None and "read-only disk" in reason
        assert not list(mnt.glob(".trdplanner-write-check-*"))
    finally:
        unmount(mnt)


def test_read_print_and_back_up_elsewhere(read_only: tuple[Path, list[str]], run: Run, tmp_path: Path,
                                          practice: tuple[int, int], data_dir: Path) -> None:
    folder, opts = read_only
    pid, session_id = practice
    before = fingerprint(data_dir)
    out = tmp_path / "elsewhere"
    out.mkdir()

    listed = run(*opts, "patient", "list")
    assert listed.code == 0, listed.err
    assert "SAFE-01" in listed.out

    shown = run(*opts, "patient", "show", str(pid))
    assert shown.code == 0, shown.err
    assert "Rowan Synthetic-Example" in shown.out
    assert "not recorded in the audit trail" in shown.err  # said, not hidden

    printed = run(*opts, "note", str(session_id), "-o", str(out / "note.pdf"))
    assert printed.code == 0, printed.err
    page_text = "".join(page.extract_text() for page in PdfReader(out / "note.pdf").pages)
    assert "Mood lower this week" in page_text
    assert "this print is not recorded in the audit trail" in printed.err

    copied = run(*opts, "backup", str(out / "copy.sqlite3"))
    assert copied.code == 0, copied.err
    key = backup.backup_key(out / "copy.sqlite3", PASSPHRASE)
    counts = backup.check_copy(out / "copy.sqlite3", key)
    assert counts["progress_note"] == 2 and counts["patient"] == 1
    side = Anchor(folder).read(backup.anchor_side_file(out / "copy.sqlite3"))
    assert side is not None and side.sealed and side.count > 0  # the backup still carries a sealed anchor

    verified = run(*opts, "audit", "verify")
    assert verified.code == 0, verified.err

    assert fingerprint(data_dir) == before  # nothing in the data folder was created or changed


@pytest.mark.parametrize("command", [
    ["measure", "add", "1", "phq9", "--total", "12"],
    ["note", "sign", "2", "--password-file", "{out}/pw.txt"],
    ["audit", "accept"],
    ["restore", "--yes", "{out}/none.sqlite3"],
    ["encrypt"],
    ["backup", "{data}/backups/inside.sqlite3"],
])
def test_every_write_is_refused_with_one_plain_line(read_only: tuple[Path, list[str]], run: Run, tmp_path: Path,
                                                    data_dir: Path, command: list[str]) -> None:
    folder, opts = read_only
    before = fingerprint(data_dir)
    password = tmp_path / "pw.txt"
    password.write_text(PW + "\n")
    password.chmod(0o600)
    argv = [a.format(out=tmp_path, data=folder) for a in command]
    result = run(*opts, *argv)
    assert result.code == 2, result.err
    lines = result.err.splitlines()
    assert len(lines) == 1 and lines[0].startswith(ONE_LINE.strip().rstrip(".")), result.err
    assert "Traceback" not in result.err
    assert fingerprint(data_dir) == before


def test_services_refuse_every_write_in_plain_words(data_dir: Path, practice: tuple[int, int]) -> None:
    pid, _session_id = practice
    anchor_before = (data_dir / "audit-anchor.json").read_bytes()
    ctx = AppContext.open(str(data_dir), read_only=True)
    try:
        assert ctx.read_only and ctx.db.read_only
        assert ctx.patients.get(pid).code == "SAFE-01"  # reading works
        with pytest.raises(ReadOnlyError, match="nothing can be saved"):
            ctx.patients.create(PatientProfile(code="RO-1", full_name="Never Saved"))
        # Raw SQL past the session's checks: SQLite itself refuses, and it is said in our words.
        with pytest.raises(ReadOnlyError), ctx.db.transaction() as s:
            s.connection().execute(text("INSERT INTO practice (name) VALUES ('x')"))
        with pytest.raises(ReadOnlyError), ctx.db.transaction() as s:
            s.execute(text("UPDATE patient SET full_name = 'Changed' WHERE id = :i"), {"i": pid})
        with pytest.raises(ReadOnlyError):
            ctx.audit.record("anchor.accept", "database", "")
        with pytest.raises(ReadOnlyError):
            ctx.save_settings(ctx.settings)
        told: list[str] = []
        ctx.db.on_unrecorded = told.append
        count = ctx.audit.count()
        ctx.audit.record("document.print", "patient", pid, {"document": "progress note"})
        assert told == ["document.print"] and ctx.audit.count() == count  # printed, said, nothing written
        with ctx.db.reading() as s:
            assert s.execute(text("SELECT full_name FROM patient WHERE id = :i"), {"i": pid}).scalar_one() \
                == "Rowan Synthetic-Example"
    finally:
        ctx.close()
    assert (data_dir / "audit-anchor.json").read_bytes() == anchor_before


def test_a_database_needing_an_upgrade_is_refused_not_upgraded(data_dir: Path, practice: tuple[int, int]) -> None:
    db_file = data_dir / "trdplanner.sqlite3"
    key = crypto.key_for_file(db_file, PASSPHRASE)
    con = crypto.connect(db_file, key)
    try:
        con.execute("UPDATE alembic_version SET version_num = '0007'")
    finally:
        con.close()
    before = fingerprint(data_dir)
    with pytest.raises(ReadOnlyError, match="older version") as err:
        AppContext.open(str(data_dir), read_only=True)
    assert "read-only" in str(err.value)
    assert fingerprint(data_dir) == before


def test_an_anchor_problem_is_still_said_when_read_only(data_dir: Path, practice: tuple[int, int]) -> None:
    ctx = AppContext.open(str(data_dir))
    with ctx.db.reading() as s:
        count, head = chain_head(s)
    ctx.close()
    Anchor(data_dir).write(count + 3, head, [])  # the anchor saw more entries than the database now has
    before = fingerprint(data_dir)
    ctx = AppContext.open(str(data_dir), read_only=True)
    try:
        assert any("cut off" in p for p in ctx.anchor_problems)
    finally:
        ctx.close()
    assert fingerprint(data_dir) == before  # said, not recorded: nothing could be


def test_a_read_only_folder_without_a_database_says_so(tmp_path: Path) -> None:
    empty = tmp_path / "empty"
    empty.mkdir()
    with pytest.raises(ReadOnlyError, match="holds no database"):
        AppContext.open(str(empty), read_only=True)
    assert list(empty.iterdir()) == []


@pytest.mark.postgres
def test_a_server_database_opened_read_only_refuses_changes_in_the_server_too(data_dir: Path, pg_url: str) -> None:
    ctx = AppContext.open(str(data_dir), pg_url)
    pid = make_patient(ctx)
    ctx.close()
    ctx = AppContext.open(str(data_dir), pg_url, read_only=True)
    try:
        assert ctx.patients.get(pid).code == "SAFE-01"
        with pytest.raises(ReadOnlyError):
            ctx.patients.create(PatientProfile(code="RO-1", full_name="Never Saved"))
        # Raw SQL past the app's checks: the server's read-only transaction refuses it (SQLSTATE 25006).
        with pytest.raises(ReadOnlyError), ctx.db.transaction() as s:
            s.connection().execute(text("UPDATE patient SET full_name = 'Changed' WHERE id = :i"), {"i": pid})
    finally:
        ctx.close()


def test_changes_left_in_a_wal_file_on_a_read_only_disk_are_not_hidden(data_dir: Path, tmp_path: Path, run: Run,
                                                                        practice: tuple[int, int]) -> None:
    """A crash left saved changes in the -wal file; the stick is then write-protected. Reading it
    as immutable would show the record without them, so the app says so instead."""
    db_file = data_dir / "trdplanner.sqlite3"
    con = crypto.connect(db_file, crypto.key_for_file(db_file, PASSPHRASE))
    con.execute("PRAGMA journal_mode=WAL")
    con.execute("PRAGMA wal_autocheckpoint=0")
    con.execute("PRAGMA user_version = 7")  # a committed change that lives only in the -wal file for now
    as_left = {p.name: p.read_bytes() for p in data_dir.iterdir() if p.name.startswith(db_file.name)}
    con.close()
    for name, data in as_left.items():  # the files as a crash leaves them
        (data_dir / name).write_bytes(data)
    (data_dir / f"{db_file.name}-shm").unlink(missing_ok=True)
    assert (data_dir / f"{db_file.name}-wal").stat().st_size > 0
    mnt = tmp_path / "stick"
    if not mount_read_only(data_dir, mnt):
        pytest.skip("a read-only mount needs root with mount rights")
    try:
        with pytest.raises(StorageError, match="-wal"):
            AppContext.open(str(mnt))
        result = run("--data-dir", str(mnt), "patient", "list")
        assert result.code == 3 and "Copy the whole folder" in result.err and "Traceback" not in result.err
    finally:
        unmount(mnt)
