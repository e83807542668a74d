"""Storage problems are said as what they are: a full disk is never a wrong passphrase (item 7)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from _safety_helpers import PASSPHRASE, make_patient
from sqlalchemy import event
from sqlalchemy.exc import OperationalError

from trdplanner.context import AppContext
from trdplanner.core import crypto
from trdplanner.core.records import PatientProfile
from trdplanner.core.storage import StorageError, storage_problem


def _fill_up(engine: Any) -> None:
    """A real SQLITE_FULL: the database may not grow by a single page on the app's connections."""
    @event.listens_for(engine, "connect")
    def _cap(dbapi_connection: Any, _record: Any) -> None:
        pages = dbapi_connection.execute("PRAGMA page_count").fetchone()[0]
        dbapi_connection.execute(f"PRAGMA max_page_count = {pages}")


def test_a_full_disk_while_saving_is_said_as_a_full_disk(ctx: AppContext) -> None:
    make_patient(ctx)
    _fill_up(ctx.db.engine)
    with pytest.raises(OperationalError) as err:
        for n in range(200):  # enough rows to need a new page
            ctx.patients.create(PatientProfile(code=f"FULL-{n}", full_name="Synthetic Full-Disk " * 10))
    problem = storage_problem(err.value)
    assert problem is not None and "disk is full" in problem and "passphrase" not in problem

    from trdplanner.gui.dialogs import explain

    what, todo = explain(err.value)
    assert "disk is full" in what.lower() and "safe" in todo


def test_a_full_disk_at_unlock_is_not_a_wrong_passphrase(
    ctx: AppContext, data_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    make_patient(ctx)
    ctx.close()
    real = crypto.connect

    def full(path: Path, key: Any, **kw: Any) -> Any:
        con = real(path, key, **kw)

        class Full:
            def execute(self, *_a: Any) -> Any:
                raise crypto.sqlcipher().OperationalError("database or disk is full")

            def close(self) -> None:
                con.close()

        return Full()

    monkeypatch.setattr(crypto, "connect", full)
    with pytest.raises(StorageError, match="disk is full") as err:
        AppContext.open(str(data_dir), passphrase=PASSPHRASE)
    assert "wrong passphrase" not in str(err.value)


def test_a_wrong_passphrase_is_still_a_wrong_passphrase(ctx: AppContext, data_dir: Path) -> None:
    ctx.close()
    with pytest.raises(crypto.WrongPassphrase):
        AppContext.open(str(data_dir), passphrase="not the passphrase at all")


def test_the_command_line_says_disk_full_not_unexpected(ctx: AppContext, run: Any,
                                                         monkeypatch: pytest.MonkeyPatch) -> None:
    make_patient(ctx)
    ctx.close()
    from trdplanner.core.db import Database

    original = Database.__init__

    def capped(self: Database, *a: Any, **k: Any) -> None:
        original(self, *a, **k)
        _fill_up(self.engine)

    monkeypatch.setattr(Database, "__init__", capped)
    result = run("demo")
    assert result.code == 3 and "disk is full" in result.err and "unexpected" not in result.err
