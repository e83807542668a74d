"""Restore verifies the backup first, says what would be lost, and asks (issue 11, item 6)."""

from __future__ import annotations

import datetime as dt
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from _safety_helpers import PASSPHRASE, Run, make_patient, signed_session

from trdplanner.context import AppContext
from trdplanner.core import backup, crypto
from trdplanner.core.backup import BackupError
from trdplanner.core.demo import DEMO_SIGNING_PASSWORD as PW


def _backup(ctx: AppContext, tmp_path: Path, name: str = "b.sqlite3") -> Path:
    target = tmp_path / name
    backup.backup_database(ctx.db, target)
    return target


def _edit_backup(path: Path, *statements: str) -> None:
    """What an insider does to a backup file: open it with the passphrase and change it."""
    con = crypto.connect(path, crypto.key_for_file(path, PASSPHRASE))
    try:
        for sql in statements:
            con.execute(sql)
    finally:
        con.close()


def test_a_backup_whose_guards_were_dropped_is_refused(ctx: AppContext, tmp_path: Path) -> None:
    signed_session(ctx, make_patient(ctx))
    saved = _backup(ctx, tmp_path)
    _edit_backup(saved, "DROP TRIGGER trd_signed_note_no_update", "DROP TRIGGER trd_audit_no_delete")
    ctx.close()
    with pytest.raises(BackupError, match="protections were removed"):
        backup.restore_backup(ctx.paths.database_file, saved, PASSPHRASE, confirm=lambda lost: True)


def test_a_backup_with_an_edited_note_is_refused(ctx: AppContext, tmp_path: Path) -> None:
    signed_session(ctx, make_patient(ctx))
    saved = _backup(ctx, tmp_path)
    sections = json.dumps([{"id": "subjective", "title": "Subjective", "text": "Edited in the backup."}])
    _edit_backup(saved, "DROP TRIGGER trd_signed_note_no_update",
                 f"UPDATE progress_note SET sections = '{sections}'")
    # ...and even with the trigger put back, the signature no longer matches.
    from trdplanner.core.guards import SQLITE_TRIGGERS

    _edit_backup(saved, SQLITE_TRIGGERS["trd_signed_note_no_update"])
    ctx.close()
    with pytest.raises(BackupError, match="fails verification") as err:
        backup.restore_backup(ctx.paths.database_file, saved, PASSPHRASE, confirm=lambda lost: True)
    assert "signed note" in str(err.value)


def test_a_backup_cut_short_is_refused_by_its_side_anchor(ctx: AppContext, tmp_path: Path) -> None:
    signed_session(ctx, make_patient(ctx))
    saved = _backup(ctx, tmp_path)
    _edit_backup(saved, "DROP TRIGGER trd_audit_no_delete",
                 "DELETE FROM audit_event WHERE id = (SELECT max(id) FROM audit_event)")
    from trdplanner.core.guards import SQLITE_TRIGGERS

    _edit_backup(saved, SQLITE_TRIGGERS["trd_audit_no_delete"])
    ctx.close()
    with pytest.raises(BackupError, match="anchor written beside it"):
        backup.restore_backup(ctx.paths.database_file, saved, PASSPHRASE, confirm=lambda lost: True)


def test_losses_are_counted_with_positive_item_9_apart(ctx: AppContext, tmp_path: Path, run: Run) -> None:
    pid = make_patient(ctx)
    sid, clinician = signed_session(ctx, pid)
    saved = _backup(ctx, tmp_path)
    # After the backup: a patient, three measures (one with item 9 positive), an addendum, a signed note.
    make_patient(ctx, "SAFE-02")
    today = dt.date(2026, 1, 20)
    ctx.measures.add(pid, "phq9", items=[1, 1, 1, 1, 1, 1, 1, 1, 2], taken_on=today)
    ctx.measures.add(pid, "phq9", items=[1, 1, 1, 1, 1, 1, 1, 1, 0], taken_on=today)
    ctx.measures.add(pid, "phq9", items=[0, 0, 0, 0, 0, 0, 0, 0, 0], taken_on=today)
    ctx.notes.add_addendum(sid, clinician, "After the backup.", password=PW)
    signed_session(ctx, pid, "A second signed note.")
    ctx.close()
    result = run("restore", str(saved))
    assert result.code == 2  # no terminal, no --yes
    for line in ("1 patient(s): SAFE-02", "3 measure(s)", "1 of those measures with a POSITIVE ITEM 9",
                 "1 signed note(s)", "1 addend(a/um)", "audit trail entries"):
        assert line in result.err, line
    assert "nothing was changed" in result.err or "--yes" in result.err
    again = AppContext.open()
    try:
        assert len(again.measures.list(pid)) == 3  # nothing was lost
    finally:
        again.close()


def test_restore_is_refused_while_the_app_has_the_data_open(ctx: AppContext, tmp_path: Path, run: Run,
                                                            data_dir: Path) -> None:
    make_patient(ctx)
    saved = _backup(ctx, tmp_path)
    ctx.close()
    holder = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"])
    try:
        (data_dir / backup.APP_LOCK).write_text(str(holder.pid))
        result = run("restore", "--yes", str(saved))
        assert result.code == 2 and "has this data open" in result.err
    finally:
        holder.kill()
        holder.wait()
    assert run("restore", "--yes", str(saved)).code == 0  # the holder is gone: a stale mark does not block
    assert os.environ.get("TRDPLANNER_DATA_DIR") == str(data_dir)


def test_even_one_audit_entry_is_not_lost_quietly(ctx: AppContext, tmp_path: Path) -> None:
    """Taking the backup is itself an audit entry the backup lacks: restoring it asks first."""
    signed_session(ctx, make_patient(ctx))
    saved = _backup(ctx, tmp_path)
    ctx.close()
    with pytest.raises(BackupError, match=r"1 audit trail entries\); nothing was changed"):
        backup.restore_backup(ctx.paths.database_file, saved, PASSPHRASE)
    asked: list[str] = []
    backup.restore_backup(ctx.paths.database_file, saved, PASSPHRASE,
                          confirm=lambda lost: bool(asked.extend(lost.lines())) or True)
    assert asked == ["1 audit trail entries"]
