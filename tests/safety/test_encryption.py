"""Encryption at rest: SQLCipher by default, passphrases never in argv or logs, wrong ones change nothing."""

from __future__ import annotations

import hashlib
import os
import stat
from pathlib import Path

import pytest
import sqlcipher3
from _safety_helpers import PASSPHRASE, Run, make_patient, readable_by_plain_sqlite, signed_session

from trdplanner.context import AppContext
from trdplanner.core import backup, crypto, rekey
from trdplanner.core.crypto import FileState, PassphraseRequired, WrongPassphrase
from trdplanner.core.services.audit import AuditService

posix_only = pytest.mark.skipif(os.name != "posix", reason="file modes are POSIX")


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_new_practice_database_cannot_be_read_by_plain_sqlite(ctx: AppContext) -> None:
    make_patient(ctx)
    path = ctx.paths.database_file
    ctx.close()
    assert path.read_bytes()[:16] != crypto.SQLITE_HEADER
    assert crypto.file_state(path) == FileState.ENCRYPTED
    assert not readable_by_plain_sqlite(path)
    # Nor is any of the text in the file: the pages are encrypted, not just the header.
    assert b"Rowan" not in path.read_bytes() and b"patient" not in path.read_bytes()


def test_database_is_standard_sqlcipher_4_opened_by_the_passphrase_alone(ctx: AppContext) -> None:
    """The key is derived as SQLCipher derives it: the sqlcipher shell opens the file with the passphrase."""
    make_patient(ctx)
    ctx.close()
    con = sqlcipher3.connect(str(ctx.paths.database_file))
    try:
        con.execute("PRAGMA key = '" + PASSPHRASE.replace("'", "''") + "'")
        assert con.execute("SELECT full_name FROM patient").fetchall() == [("Rowan Synthetic-Example",)]
        assert con.execute("PRAGMA cipher_version").fetchone()[0].startswith("4.")
    finally:
        con.close()


@posix_only
def test_database_and_its_wal_are_owner_only(ctx: AppContext) -> None:
    make_patient(ctx)
    path = ctx.paths.database_file
    with ctx.db.engine.connect() as conn:  # hold a connection so -wal and -shm exist
        conn.exec_driver_sql("SELECT count(*) FROM patient").scalar()
        for f in (path, Path(f"{path}-wal"), Path(f"{path}-shm")):
            assert f.exists()
            assert stat.S_IMODE(f.stat().st_mode) == 0o600, f


def test_cli_on_a_new_practice_without_a_passphrase_says_how_to_give_one(
    run: Run, data_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv(crypto.PASSPHRASE_ENV)
    result = run("patient", "list")
    assert result.code == 3
    assert result.err.count("\n") == 1
    assert "TRDPLANNER_PASSPHRASE" in result.err and "--passphrase-file" in result.err
    assert not (data_dir / "trdplanner.sqlite3").exists()


def test_demo_may_opt_out_explicitly(run: Run, data_dir: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(crypto.PASSPHRASE_ENV)
    assert run("demo", "--no-encryption").code == 0
    path = data_dir / "trdplanner.sqlite3"
    assert crypto.file_state(path) == FileState.PLAIN and readable_by_plain_sqlite(path)
    listed = run("patient", "list")  # a plain database needs no passphrase afterwards
    assert listed.code == 0 and "DEMO-01" in listed.out


def test_passphrase_file_is_read_and_a_bad_one_refused(run: Run, data_dir: Path, tmp_path: Path,
                                                        monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(crypto.PASSPHRASE_ENV)
    secret = tmp_path / "pass.txt"
    secret.write_text("a file-borne passphrase\n", encoding="utf-8")
    secret.chmod(0o600)  # a secret file others can read is refused (tested below)
    assert run("--passphrase-file", str(secret), "patient", "list").code == 0
    assert crypto.file_state(data_dir / "trdplanner.sqlite3") == FileState.ENCRYPTED
    monkeypatch.setenv(crypto.PASSPHRASE_ENV, "a file-borne passphrase")
    assert run("patient", "list").code == 0  # the same passphrase from the environment

    empty = tmp_path / "empty.txt"
    empty.write_text("\n", encoding="utf-8")
    empty.chmod(0o600)
    result = run("--passphrase-file", str(empty), "patient", "list")
    assert result.code == 2 and "passphrase-file" in result.err and result.err.count("\n") == 1


def test_wrong_passphrase_is_clear_and_changes_nothing(
    run: Run, data_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert run("patient", "list").code == 0
    path = data_dir / "trdplanner.sqlite3"
    before, mtime = digest(path), path.stat().st_mtime_ns
    monkeypatch.setenv(crypto.PASSPHRASE_ENV, "not the right passphrase")
    result = run("patient", "list")
    assert result.code == 3
    assert result.err == "error: database: wrong passphrase (or the file is not a TRD Planner database); " \
                         "nothing was changed\n"  # one line: SQLCipher's own log is silenced
    assert digest(path) == before and path.stat().st_mtime_ns == mtime
    assert not Path(f"{path}-wal").exists()
    with pytest.raises(WrongPassphrase):
        AppContext.open(str(data_dir), passphrase="still not the right one")


def test_encrypted_database_without_a_passphrase_is_refused(data_dir: Path, ctx: AppContext,
                                                            monkeypatch: pytest.MonkeyPatch) -> None:
    ctx.close()
    monkeypatch.delenv(crypto.PASSPHRASE_ENV)
    with pytest.raises(PassphraseRequired) as err:
        AppContext.open(str(data_dir))
    assert "encrypted" in str(err.value)


def test_passphrase_and_key_never_reach_logs_urls_or_output(run: Run, data_dir: Path) -> None:
    assert run("demo").code == 0
    shown = run("patient", "show", "DEMO-02")
    assert shown.code == 0
    ctx = AppContext.open(str(data_dir))
    try:
        assert ctx.key is not None
        secrets = [PASSPHRASE, ctx.key.key.hex(), ctx.key.pragma_value()]
        visible = [str(ctx.db.engine.url), repr(ctx.db.engine.url), ctx.db.url, ctx.db_url, repr(ctx), repr(ctx.key)]
    finally:
        ctx.close()
    logs = "".join(p.read_text(encoding="utf-8") for p in (data_dir / "logs").glob("*.log*"))
    for secret in secrets:
        assert secret not in shown.out + shown.err + logs
        assert all(secret not in v for v in visible)


def test_weak_new_passphrase_is_refused(data_dir: Path) -> None:
    with pytest.raises(crypto.PassphraseError) as err:
        AppContext.open(str(data_dir), passphrase="short")
    assert "at least 8" in str(err.value)
    assert not (data_dir / "trdplanner.sqlite3").exists()


def test_strength_hint_prefers_length() -> None:
    assert crypto.strength_hint("abc")[0] == 0
    assert crypto.strength_hint("password")[0] == 0
    assert crypto.strength_hint("tulip7ab")[0] < crypto.strength_hint("correct horse battery staple")[0]
    assert crypto.strength_hint("correct horse battery staple")[0] == 4


# ------------------------------------------------------------------------------ plain databases from before


def plain_practice(run: Run, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(crypto.PASSPHRASE_ENV)
    assert run("demo", "--no-encryption").code == 0
    monkeypatch.setenv(crypto.PASSPHRASE_ENV, PASSPHRASE)


def counts(ctx: AppContext) -> dict[str, int]:
    from sqlalchemy import func, select

    from trdplanner.core.models import Base

    with ctx.db.reading() as s:
        return {
            t.name: int(s.scalar(select(func.count()).select_from(t)) or 0)
            for t in Base.metadata.sorted_tables
            if t.name != "audit_event"
        }


def test_plain_database_keeps_working_and_is_encrypted_in_place(
    run: Run, data_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    plain_practice(run, monkeypatch)
    path = data_dir / "trdplanner.sqlite3"
    legacy = AppContext.open(str(data_dir))  # a passphrase in the environment does not matter to a plain file
    assert legacy.key is None
    before = counts(legacy)
    legacy.close()

    result = run("encrypt")
    assert result.code == 0, result.err
    assert "Encrypted the database" in result.out
    assert crypto.file_state(path) == FileState.ENCRYPTED and not readable_by_plain_sqlite(path)
    assert [p.name for p in data_dir.iterdir() if ".plain-" in p.name or p.name.endswith(".tmp")] == []

    ctx = AppContext.open(str(data_dir))
    try:
        assert ctx.key is not None
        assert counts(ctx) == before
        assert [e.action for e in AuditService(ctx.db).list(1)] == ["database.encrypt"]
    finally:
        ctx.close()
    again = run("encrypt")
    assert again.code == 2 and "already encrypted" in again.err


def test_encryption_that_fails_verification_leaves_the_plain_database(
    run: Run, data_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    plain_practice(run, monkeypatch)
    path = data_dir / "trdplanner.sqlite3"
    before = digest(path)

    def broken(*_a: object, **_k: object) -> dict[str, int]:
        raise backup.BackupError("the copy's row counts differ from the database's (patient)")

    monkeypatch.setattr(rekey, "check_copy", broken)
    result = run("encrypt")
    assert result.code == 2 and "row counts differ" in result.err
    assert digest(path) == before and crypto.file_state(path) == FileState.PLAIN
    assert sorted(p.name for p in data_dir.iterdir() if p.is_file() and not p.name.startswith("audit-anchor")) == [
        "trdplanner.sqlite3"
    ]


def test_encrypt_reports_or_wipes_plain_copies(run: Run, data_dir: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    plain_practice(run, monkeypatch)
    copy = data_dir / "trdplanner.sqlite3.before-0004-20260101-000000"
    copy.write_bytes((data_dir / "trdplanner.sqlite3").read_bytes())
    result = run("encrypt")
    assert result.code == 0 and f"unencrypted copy remains: {copy}" in result.out
    assert copy.exists()

    (data_dir / "second").mkdir()
    monkeypatch.setenv("TRDPLANNER_DATA_DIR", str(data_dir / "second"))
    plain_practice(run, monkeypatch)
    copy2 = data_dir / "second" / "trdplanner.sqlite3.before-0004-20260101-000000"
    copy2.write_bytes((data_dir / "second" / "trdplanner.sqlite3").read_bytes())
    assert run("encrypt", "--wipe-plain-copies").code == 0
    assert not copy2.exists()


def test_passphrase_change_rekeys(run: Run, data_dir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    ctx = AppContext.open(str(data_dir))
    signed_session(ctx, make_patient(ctx))
    ctx.close()
    path = data_dir / "trdplanner.sqlite3"
    new_file = tmp_path / "new.txt"
    new_file.write_text("a brand new passphrase for the practice\n", encoding="utf-8")
    new_file.chmod(0o600)

    monkeypatch.setenv(crypto.PASSPHRASE_ENV, "not the current passphrase")
    before = digest(path)
    wrong = run("passphrase", "change", "--new-passphrase-file", str(new_file))
    assert wrong.code == 3 and "wrong passphrase" in wrong.err and digest(path) == before

    monkeypatch.setenv(crypto.PASSPHRASE_ENV, PASSPHRASE)
    ok = run("passphrase", "change", "--new-passphrase-file", str(new_file))
    assert ok.code == 0, ok.err
    with pytest.raises(WrongPassphrase):
        AppContext.open(str(data_dir), passphrase=PASSPHRASE)
    ctx = AppContext.open(str(data_dir), passphrase="a brand new passphrase for the practice")
    try:
        assert ctx.patients.summaries(status=None)[0].code == "SAFE-01"
        (note_session,) = ctx.sessions.list(ctx.patients.summaries(status=None)[0].id)
        assert note_session.note is not None and note_session.note.status == "signed"
        assert AuditService(ctx.db).list(1)[0].action == "passphrase.change"
        assert AuditService(ctx.db).verify().ok
    finally:
        ctx.close()
    assert not readable_by_plain_sqlite(path)


def test_new_passphrase_from_environment_must_be_strong_enough(run: Run, monkeypatch: pytest.MonkeyPatch) -> None:
    assert run("patient", "list").code == 0
    monkeypatch.setenv("TRDPLANNER_NEW_PASSPHRASE", "short")
    result = run("passphrase", "change")
    assert result.code == 2 and "at least 8" in result.err
