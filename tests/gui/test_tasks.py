"""Background work that finishes after its window has gone reports to no one and raises nothing."""

from __future__ import annotations

import threading

from PySide6.QtCore import QThreadPool
from PySide6.QtWidgets import QWidget
from pytestqt.qtbot import QtBot
from shiboken6 import delete

from trdplanner.gui import tasks


def test_a_job_whose_signals_were_deleted_finishes_quietly() -> None:
    signals = tasks._Signals()
    job = tasks._Job(lambda: 42, signals)
    delete(signals)  # what app shutdown does to the QObject while the worker still runs
    job.run()  # raised "RuntimeError: Signal source has been deleted" before


def test_a_failed_job_whose_signals_were_deleted_finishes_quietly() -> None:
    signals = tasks._Signals()

    def boom() -> None:
        raise ValueError("disk gone")

    job = tasks._Job(boom, signals)
    delete(signals)
    job.run()


def test_callbacks_skip_a_deleted_owner(qtbot: QtBot) -> None:
    owner = QWidget()
    release = threading.Event()
    called: list[object] = []
    pool = QThreadPool()
    tasks.run_in_background(lambda: release.wait(5) and 7, lambda r: called.append(owner.windowTitle()),
                            called.append, pool=pool, owner=owner)
    delete(owner)  # the window closed while the job ran
    release.set()
    pool.waitForDone(5000)
    qtbot.wait(100)  # let the queued result arrive on the UI thread
    assert called == []
    assert not tasks._live  # nothing kept alive


def test_callbacks_run_while_the_owner_lives(qtbot: QtBot) -> None:
    owner = QWidget()
    qtbot.addWidget(owner)
    got: list[object] = []
    pool = QThreadPool()
    tasks.run_in_background(lambda: 7, got.append, got.append, pool=pool, owner=owner)
    pool.waitForDone(5000)
    qtbot.waitUntil(lambda: got == [7])
