"""The audit anchor: a chain that was cut short, re-hashed or rolled back is caught, on open and by
``audit verify`` (also against an anchor saved elsewhere), on SQLite and PostgreSQL."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from _safety_helpers import Run, make_patient, signed_session
from sqlalchemy import text

from trdplanner.context import AppContext
from trdplanner.core import backup
from trdplanner.core.anchor import ANCHOR_NAME
from trdplanner.core.audit import GENESIS, event_hash


def _unguard_audit(conn) -> None:  # type: ignore[no-untyped-def]
    if conn.dialect.name == "postgresql":
        conn.execute(text("ALTER TABLE audit_event DISABLE TRIGGER USER"))
    else:
        conn.execute(text("DROP TRIGGER trd_audit_no_delete"))
        conn.execute(text("DROP TRIGGER trd_audit_no_update"))


def _busy(ctx: AppContext) -> None:
    signed_session(ctx, make_patient(ctx))
    ctx.audit.record("patient.open", "patient", 1)


def _reopen(ctx: AppContext, data_dir: Path) -> AppContext:
    url = ctx.db_url
    ctx.close()
    return AppContext.open(str(data_dir), url)


def test_an_intact_database_matches_its_anchor(any_ctx: AppContext, data_dir: Path) -> None:
    _busy(any_ctx)
    again = _reopen(any_ctx, data_dir)
    try:
        assert again.anchor_problems == []
        assert (data_dir / again.anchor_name).is_file()  # a server database has its own anchor file
    finally:
        again.close()


def test_a_truncated_chain_is_caught_on_open(any_ctx: AppContext, data_dir: Path) -> None:
    _busy(any_ctx)
    with any_ctx.db.engine.begin() as conn:
        _unguard_audit(conn)
        last = conn.execute(text("SELECT max(id) FROM audit_event")).scalar_one()
        conn.execute(text("DELETE FROM audit_event WHERE id >= :n"), {"n": last - 1})
    assert any_ctx.audit.verify().ok  # the chain that is left still links
    again = _reopen(any_ctx, data_dir)
    try:
        assert len(again.anchor_problems) == 1 and "truncated" in again.anchor_problems[0]
        assert [e.action for e in again.audit.list(2)] == ["guards.restore", "anchor.mismatch"]
    finally:
        again.close()
    # The problem stays until someone accepts it: opening again does not forget it.
    third = AppContext.open(str(data_dir), again.db_url)
    try:
        assert len(third.anchor_problems) == 1
    finally:
        third.close()


def test_a_rehashed_chain_is_caught_on_open(any_ctx: AppContext, data_dir: Path) -> None:
    _busy(any_ctx)
    with any_ctx.db.engine.begin() as conn:
        _unguard_audit(conn)
        conn.execute(text("UPDATE audit_event SET actor = 'someone else' WHERE id = 2"))
        prev = GENESIS
        for row in conn.execute(text("SELECT * FROM audit_event ORDER BY id")).mappings().all():
            at = row["at"] if not isinstance(row["at"], str) else __import__("datetime").datetime.fromisoformat(
                row["at"])
            import datetime as dt

            h = event_hash(prev, row["id"], at.replace(tzinfo=dt.UTC), row["actor"], row["action"],
                           row["object_type"], row["object_id"], row["detail"])
            conn.execute(text("UPDATE audit_event SET prev_hash = :p, hash = :h WHERE id = :i"),
                         {"p": prev, "h": h, "i": row["id"]})
            prev = h
    assert any_ctx.audit.verify().ok  # a re-hashed chain links: only the anchor can tell
    again = _reopen(any_ctx, data_dir)
    try:
        assert len(again.anchor_problems) == 1 and "rewritten" in again.anchor_problems[0]
    finally:
        again.close()


def test_an_old_backup_copied_over_the_database_is_caught(ctx: AppContext, data_dir: Path, run: Run,
                                                          tmp_path: Path) -> None:
    _busy(ctx)
    old = tmp_path / "old.sqlite3"
    backup.backup_database(ctx.db, old)
    assert backup.anchor_side_file(old).is_file()
    _busy_more = ctx.notes
    signed_session(ctx, make_patient(ctx, "SAFE-02"))
    db_file = backup.sqlite_path(ctx.db)
    ctx.close()
    for side in (Path(f"{db_file}-wal"), Path(f"{db_file}-shm")):
        side.unlink(missing_ok=True)
    shutil.copyfile(old, db_file)  # needs no passphrase: the file is copied, not opened
    result = run("audit", "verify")
    assert result.code == 4 and "rolled back" in result.err
    accepted = run("audit", "accept")
    assert accepted.code == 0 and "accepted" in accepted.out
    assert run("audit", "verify").code == 0


def test_audit_verify_against_an_anchor_saved_elsewhere(ctx: AppContext, data_dir: Path, run: Run,
                                                        tmp_path: Path) -> None:
    _busy(ctx)
    saved = tmp_path / "anchor-kept-elsewhere.json"
    shutil.copyfile(data_dir / ANCHOR_NAME, saved)
    with ctx.db.engine.begin() as conn:
        _unguard_audit(conn)
        last = conn.execute(text("SELECT max(id) FROM audit_event")).scalar_one()
        conn.execute(text("DELETE FROM audit_event WHERE id = :n"), {"n": last})
    ctx.close()
    (data_dir / ANCHOR_NAME).unlink()  # the insider removes the folder's anchor as well
    first = run("audit", "verify")
    assert first.code == 0  # nothing left here to compare with...
    result = run("audit", "verify", "--anchor", str(saved))
    # ...but the copy kept elsewhere remembers (the entry it names was replaced by later ones).
    assert result.code == 4 and "anchor-kept-elsewhere.json" in result.err and "rewritten" in result.err


def test_an_edited_anchor_file_is_noticed(ctx: AppContext, data_dir: Path, run: Run) -> None:
    _busy(ctx)
    ctx.close()
    path = data_dir / ANCHOR_NAME
    path.write_text(path.read_text().replace('"count": ', '"count": 1', 1))
    result = run("audit", "verify")
    assert result.code == 4 and "anchor" in result.err


@pytest.mark.parametrize("route", ["truncate", "rehash"])
def test_cli_verify_names_the_anchor_problem(ctx: AppContext, run: Run, route: str) -> None:
    _busy(ctx)
    with ctx.db.engine.begin() as conn:
        _unguard_audit(conn)
        if route == "truncate":
            conn.execute(text("DELETE FROM audit_event WHERE id = (SELECT max(id) FROM audit_event)"))
        else:
            conn.execute(text("UPDATE audit_event SET hash = :h WHERE id = (SELECT max(id) FROM audit_event)"),
                         {"h": "f" * 64})
    ctx.close()
    result = run("audit", "verify")
    assert result.code == 4 and ("truncated" in result.err if route == "truncate" else "rewritten" in result.err)
