"""The window on a read-only data folder: a banner, no typing, and a dialog (never a traceback) on save.

As in tests/safety/test_read_only_folder.py the folder is a read-only bind mount where the
test may mount (the kernel refuses every write, root included), else ``--read-only``.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtWidgets import QLineEdit, QMessageBox
from pytestqt.qtbot import QtBot

from tests.gui.conftest import open_plain, when_dialog
from tests.read_only_mount import fingerprint, mount_read_only, unmount
from trdplanner.app import start
from trdplanner.core import backup
from trdplanner.core.errors import READ_ONLY_MESSAGE
from trdplanner.core.records import PatientProfile


@pytest.fixture(params=["mount", "flag"])
def read_only_start(request: pytest.FixtureRequest, data_dir: Path, tmp_path: Path) -> Iterator[list[str]]:
    ctx = open_plain(data_dir)
    ctx.patients.create(PatientProfile(code="RO-01", full_name="Robin Readonly-Example"))
    ctx.close()
    if request.param == "flag":
        yield ["--data-dir", str(data_dir), "--read-only"]
        return
    mnt = tmp_path / "stick"
    if not mount_read_only(data_dir, mnt):
        pytest.skip("a read-only mount needs root with mount rights")
    try:
        yield ["--data-dir", str(mnt)]
    finally:
        unmount(mnt)


def test_the_window_reads_a_read_only_folder_and_says_so(qtbot: QtBot, data_dir: Path, tmp_path: Path,
                                                          read_only_start: list[str],
                                                          monkeypatch: pytest.MonkeyPatch) -> None:
    before = fingerprint(data_dir)
    _app, window = start(read_only_start)
    qtbot.addWidget(window)
    qtbot.waitUntil(lambda: window.ctx is not None and window.patients.model.rowCount() > 0, timeout=20000)
    ctx = window.ctx
    assert ctx is not None and ctx.read_only
    assert window.read_only_banner.isVisible()
    banner = window.read_only_banner.text()
    assert "Read-only" in banner and "back up to another folder" in banner and "not recorded" in banner
    for action in (window.act_new, window.act_save, window.act_prefs, window.act_practice):
        assert not action.isEnabled()

    pid = window.patients.model.summary_at(0).id
    window.open_patient(pid)
    profile = window.workspace.profile
    window.workspace.show_widget(profile)
    qtbot.waitUntil(lambda: profile._profile is not None, timeout=10000)
    fields = [f for f in profile.findChildren(QLineEdit) if f.isVisibleTo(profile)]
    assert fields and all(f.isReadOnly() for f in fields)  # the record shows; typing is not taken

    notes = window.workspace.notes
    window.workspace.show_widget(notes)
    qtbot.waitUntil(lambda: notes.search.isVisible(), timeout=10000)
    assert not notes.search.isReadOnly()  # finding things in the record still works

    window.workspace.show_widget(profile)
    # A save that gets through anyway (here called directly) is refused in a dialog, not a traceback.
    seen: dict[str, str] = {}

    def read(box: QMessageBox) -> None:
        seen["text"], seen["more"] = box.text(), box.informativeText()
        box.accept()

    when_dialog(QMessageBox, read)
    assert profile.save_current() is False
    assert seen["text"] == READ_ONLY_MESSAGE
    assert "Nothing was changed" in seen["more"]
    # File ▸ Data safety ▸ Back up to another folder…: a verified copy in the file chosen.
    target = tmp_path / "elsewhere" / "copy.sqlite3"
    target.parent.mkdir()
    monkeypatch.setattr("trdplanner.gui.read_only.ask_backup_file", lambda *_a: target)
    lock_menu = window.app_lock  # type: ignore[attr-defined]
    assert lock_menu.act_backup is not None
    lock_menu.act_backup.trigger()
    assert backup.check_copy(target, ctx.key)["patient"] == 1
    assert "Backup written and checked" in window.statusBar().currentMessage()

    window.close()
    ctx.close()
    assert fingerprint(data_dir) == before
