"""Backups and restore: verified, encrypted like the database, rolling, and failures that change nothing."""

from __future__ import annotations

import datetime as dt
import errno
import hashlib
import os
import stat
from pathlib import Path

import pytest
from _safety_helpers import PASSPHRASE, Run, make_patient, readable_by_plain_sqlite, signed_session

from trdplanner.context import AppContext
from trdplanner.core import backup, crypto, fileio
from trdplanner.core.backup import BackupError
from trdplanner.core.demo import DEMO_SIGNING_PASSWORD as PW
from trdplanner.core.services.audit import AuditService

posix_only = pytest.mark.skipif(os.name != "posix", reason="file modes are POSIX")


@pytest.fixture
def out(tmp_path: Path) -> Path:
    """An empty folder for the files a test writes (the data dir is elsewhere in tmp_path)."""
    folder = tmp_path / "out"
    folder.mkdir()
    return folder


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def everything(ctx: AppContext) -> list[str]:
    """The whole practice, as the patient exports (which include notes, measures, plans, sessions)."""
    return [ctx.transfer.export_json(s.id) for s in ctx.patients.summaries(status=None)]


def test_backup_is_verified_encrypted_and_private(ctx: AppContext, out: Path) -> None:
    signed_session(ctx, make_patient(ctx))
    info = backup.backup_database(ctx.db, out / "copy.sqlite3")
    assert info.encrypted and info.rows > 0 and info.tables >= 20
    assert crypto.file_state(info.path) == crypto.FileState.ENCRYPTED
    assert not readable_by_plain_sqlite(info.path)
    key = crypto.key_for_file(info.path, PASSPHRASE)  # the same passphrase opens it
    assert backup.check_copy(info.path, key)["patient"] == 1
    if os.name == "posix":
        assert stat.S_IMODE(info.path.stat().st_mode) == 0o600
    # No temp file left; the chain's head at backup time is sealed beside it (core/anchor.py).
    assert sorted(p.name for p in out.iterdir()) == ["copy.sqlite3", "copy.sqlite3.anchor.json"]
    assert AuditService(ctx.db).list(1)[0].action == "backup.create"


def test_restore_round_trips(ctx: AppContext, data_dir: Path, tmp_path: Path) -> None:
    pid = make_patient(ctx)
    sid, clinician = signed_session(ctx, pid)
    saved = everything(ctx)
    target = tmp_path / "before-changes.sqlite3"
    backup.backup_database(ctx.db, target)

    # Changes after the backup: a new patient, an addendum, an archived patient.
    make_patient(ctx, "SAFE-02")
    ctx.notes.add_addendum(sid, clinician, "Added after the backup.", password=PW)
    changed = everything(ctx)
    assert changed != saved
    ctx.close()

    with pytest.raises(BackupError, match="holds records the backup lacks"):  # not without asking
        backup.restore_backup(ctx.paths.database_file, target, PASSPHRASE)
    asked: list[list[str]] = []
    info = backup.restore_backup(ctx.paths.database_file, target, PASSPHRASE,
                                 confirm=lambda lost: asked.append(lost.lines()) or True)
    assert asked and asked[0][0] == "1 patient(s): SAFE-02" and "1 addend(a/um)" in asked[0]
    assert info.previous is not None and info.previous.exists() and info.encrypted
    restored = AppContext.open(str(data_dir))
    try:
        events = AuditService(restored.db)
        assert events.list(1)[0].action == "backup.restore"
        assert everything(restored) == saved
        assert events.verify().ok
    finally:
        restored.close()
    # The database it replaced is intact beside it: restoring that one brings the changes back.
    backup.restore_backup(ctx.paths.database_file, info.previous, PASSPHRASE, confirm=lambda lost: True)
    again = AppContext.open(str(data_dir))
    try:
        assert everything(again) == changed
    finally:
        again.close()


def test_cli_backup_and_restore(run: Run, data_dir: Path, tmp_path: Path) -> None:
    assert run("demo").code == 0
    before = run("patient", "list", "--all", "--json").out
    made = run("backup", str(tmp_path / "b.sqlite3"))
    assert made.code == 0 and "integrity checked" in made.out and "encrypted" in made.out
    assert run("patient", "import", str(_export(run, tmp_path))).code == 0  # a change after the backup
    assert run("patient", "list", "--all", "--json").out != before
    refused = run("restore", str(tmp_path / "b.sqlite3"))  # no terminal and no --yes: it asks, so it refuses
    assert refused.code == 2 and "--yes" in refused.err and "1 patient(s)" in refused.err
    assert run("patient", "list", "--all", "--json").out != before
    restored = run("restore", "--yes", str(tmp_path / "b.sqlite3"))
    assert restored.code == 0, restored.err
    assert "kept at" in restored.out
    assert run("patient", "list", "--all", "--json").out == before
    verified = run("audit", "verify")
    assert verified.code == 0 and verified.out.startswith("OK: ")


def _export(run: Run, tmp_path: Path) -> Path:
    out = tmp_path / "p.json"
    assert run("patient", "export", "DEMO-01", "-o", str(out)).code == 0
    text = out.read_text(encoding="utf-8").replace('"DEMO-01"', '"DEMO-99"')
    out.write_text(text, encoding="utf-8")
    return out


@pytest.mark.parametrize("problem", ["wrong passphrase", "damaged", "not ours", "empty", "missing"])
def test_a_bad_backup_is_refused_before_anything_is_replaced(
    ctx: AppContext, tmp_path: Path, problem: str
) -> None:
    make_patient(ctx)
    good = tmp_path / "good.sqlite3"
    backup.backup_database(ctx.db, good)
    ctx.close()
    db_file = ctx.paths.database_file
    before = digest(db_file)
    bad = tmp_path / "bad.sqlite3"
    passphrase = PASSPHRASE
    if problem == "wrong passphrase":
        bad = good
        passphrase = "some other passphrase"
    elif problem == "damaged":
        data = bytearray(good.read_bytes())
        for i in range(5000, 5100):
            data[i] ^= 0xFF
        bad.write_bytes(bytes(data))
    elif problem == "not ours":
        import sqlite3

        con = sqlite3.connect(bad)
        con.execute("CREATE TABLE invoices (id INTEGER PRIMARY KEY)")
        con.commit()
        con.close()
    elif problem == "empty":
        bad.write_bytes(b"")
    with pytest.raises(BackupError) as err:
        backup.restore_backup(db_file, bad, passphrase)
    assert "\n" not in str(err.value)
    assert digest(db_file) == before
    left = sorted(p.name for p in db_file.parent.iterdir() if p.is_file() and not p.name.startswith("audit-anchor"))
    assert left == ["trdplanner.sqlite3"]


def test_restore_that_fails_to_open_puts_the_previous_database_back(
    ctx: AppContext, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    make_patient(ctx)
    good = tmp_path / "good.sqlite3"
    backup.backup_database(ctx.db, good)
    make_patient(ctx, "SAFE-02")
    ctx.close()
    db_file = ctx.paths.database_file
    before = digest(db_file)

    from trdplanner.core.db import Database, DatabaseError

    def failing_open(*_a: object, **_k: object) -> Database:
        raise DatabaseError("database: cannot be opened (simulated)")

    monkeypatch.setattr(backup.Database, "open", failing_open)
    with pytest.raises(BackupError, match="previous database is back"):
        backup.restore_backup(db_file, good, PASSPHRASE, confirm=lambda lost: True)
    assert digest(db_file) == before
    left = sorted(p.name for p in db_file.parent.iterdir() if p.is_file() and not p.name.startswith("audit-anchor"))
    assert left == ["trdplanner.sqlite3"]


# ------------------------------------------------------------------------------ disk full, unwritable folder


def _enospc(*_a: object, **_k: object) -> None:
    raise OSError(errno.ENOSPC, "No space left on device")


def test_disk_full_during_backup_leaves_the_previous_backup(
    ctx: AppContext, out: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    make_patient(ctx)
    target = out / "nightly.sqlite3"
    backup.backup_database(ctx.db, target)
    before = digest(target)
    make_patient(ctx, "SAFE-02")
    monkeypatch.setattr(backup, "fsync_file", _enospc)
    with pytest.raises(BackupError) as err:
        backup.backup_database(ctx.db, target)
    assert "No space left on device" in str(err.value) and "untouched" in str(err.value)
    assert digest(target) == before
    assert [p.name for p in out.iterdir() if not p.name.endswith(".anchor.json")] == ["nightly.sqlite3"]


def test_unwritable_backup_folder_is_a_clear_error(
    ctx: AppContext, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    make_patient(ctx)
    folder = tmp_path / "read-only"
    folder.mkdir()
    real_open = os.open

    def no_write(path: object, flags: int, *args: object, **kwargs: object) -> int:
        if str(path).startswith(str(folder)) and flags & (os.O_WRONLY | os.O_RDWR | os.O_CREAT):
            raise PermissionError(errno.EACCES, "Permission denied", str(path))
        return real_open(path, flags, *args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(os, "open", no_write)
    with pytest.raises(BackupError) as err:
        backup.backup_database(ctx.db, folder / "b.sqlite3")
    assert "Permission denied" in str(err.value)
    assert list(folder.iterdir()) == []


@pytest.mark.skipif(os.name != "posix" or os.geteuid() == 0, reason="root ignores folder permissions")
def test_really_read_only_folder(ctx: AppContext, tmp_path: Path) -> None:
    folder = tmp_path / "ro"
    folder.mkdir()
    folder.chmod(0o500)
    try:
        with pytest.raises(BackupError, match="cannot write"):
            backup.backup_database(ctx.db, folder / "b.sqlite3")
    finally:
        folder.chmod(0o700)


def test_disk_full_during_export_keeps_the_previous_file(
    run: Run, out: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert run("demo").code == 0
    json_out, pdf_out = out / "p.json", out / "report.pdf"
    assert run("patient", "export", "DEMO-01", "-o", str(json_out)).code == 0
    assert run("report", "DEMO-01", "-o", str(pdf_out)).code == 0
    before = {p: digest(p) for p in (json_out, pdf_out)}
    monkeypatch.setattr(fileio.os, "fsync", _enospc)
    for argv in (("patient", "export", "DEMO-02", "-o", str(json_out)), ("report", "DEMO-02", "-o", str(pdf_out))):
        result = run(*argv)
        assert result.code == 2 and "No space left on device" in result.err and result.err.count("\n") == 1
    assert {p: digest(p) for p in (json_out, pdf_out)} == before
    assert sorted(p.name for p in out.iterdir()) == ["p.json", "report.pdf"]


# ------------------------------------------------------------------------------ rolling and daily


def test_rolling_backups_keep_the_newest_automatic_ones(ctx: AppContext) -> None:
    make_patient(ctx)
    folder = ctx.paths.backups_dir
    manual = folder / "before-the-move.sqlite3"
    backup.backup_database(ctx.db, manual)
    start = dt.datetime(2026, 3, 1, 9, 0, 0)
    for day in range(5):
        backup.rolling_backup(ctx.db, folder, 3, reason="close", now=start + dt.timedelta(days=day))
    names = sorted(p.name for p in folder.iterdir() if not p.name.endswith(".anchor.json"))
    assert names == [
        "auto-20260303-090000.sqlite3",
        "auto-20260304-090000.sqlite3",
        "auto-20260305-090000.sqlite3",
        "before-the-move.sqlite3",  # made by hand: never pruned
    ]
    assert backup.daily_backup_due(folder, start + dt.timedelta(days=5, hours=1))
    assert not backup.daily_backup_due(folder, start + dt.timedelta(days=4, hours=23))


def test_daily_backup_at_start_up(ctx: AppContext) -> None:
    make_patient(ctx)
    first = backup.backup_if_due(ctx.db, ctx.paths.backups_dir, ctx.settings.backups_to_keep)
    assert first is not None and first.path.parent == ctx.paths.backups_dir
    assert backup.backup_if_due(ctx.db, ctx.paths.backups_dir, ctx.settings.backups_to_keep) is None


def test_server_databases_are_backed_up_by_the_server(tmp_path: Path) -> None:
    from trdplanner.core.db import Database

    db = Database.__new__(Database)
    db.url = "postgresql+psycopg://someone@db.example.org/trd"
    with pytest.raises(BackupError, match="pg_dump"):
        backup.sqlite_path(db)


@posix_only
def test_logs_exports_and_backups_are_owner_only(run: Run, data_dir: Path, tmp_path: Path) -> None:
    assert run("demo").code == 0
    assert run("patient", "export", "DEMO-01", "-o", str(tmp_path / "p.json")).code == 0
    assert run("report", "DEMO-01", "-o", str(tmp_path / "r.pdf")).code == 0
    assert run("backup", str(tmp_path / "b.sqlite3")).code == 0
    files = [tmp_path / "p.json", tmp_path / "r.pdf", tmp_path / "b.sqlite3", data_dir / "trdplanner.sqlite3"]
    files += list((data_dir / "logs").iterdir())
    assert files[-1].name.startswith("trdplanner.log")
    for f in files:
        assert stat.S_IMODE(f.stat().st_mode) == 0o600, f
