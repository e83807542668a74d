"""Background work: run a function off the UI thread, get the result back on it.

Every slow action (exports, batch prints, reports) goes through ``run_in_background``
so the window never freezes, and every failure reaches one place that explains it.
"""

from __future__ import annotations

import logging
import traceback
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QObject, QRunnable, QThreadPool, Signal
from shiboken6 import isValid

log = logging.getLogger(__name__)


class _Signals(QObject):
    done = Signal(object)
    failed = Signal(object)


class _Job(QRunnable):
    def __init__(self, fn: Callable[[], Any], signals: _Signals) -> None:
        super().__init__()
        self._fn = fn
        self._signals = signals

    def run(self) -> None:
        try:
            result = self._fn()
        except Exception as exc:  # handed to the UI thread, never swallowed
            log.error("background task failed: %s", traceback.format_exception_only(type(exc), exc)[-1].strip())
            self._report(self._signals.failed, exc)
        else:
            self._report(self._signals.done, result)

    def _report(self, signal: Any, value: Any) -> None:
        # The window (and with it the app's objects) may have gone while the work ran, e.g. a list
        # reload still running at quit. Nobody is left to tell; emitting would raise "Signal source
        # has been deleted" on this worker thread.
        if not isValid(self._signals):
            log.info("background task finished after its window closed; result dropped")
            return
        try:
            signal.emit(value)
        except RuntimeError:
            log.info("background task finished after its window closed; result dropped")


# Jobs in flight keep their signal objects alive until they report back.
_live: set[_Signals] = set()


def run_in_background(
    fn: Callable[[], Any],
    on_done: Callable[[Any], None],
    on_error: Callable[[BaseException], None],
    pool: QThreadPool | None = None,
    owner: QObject | None = None,
) -> None:
    """Run ``fn`` on a worker thread; ``on_done``/``on_error`` run on the UI thread.

    With ``owner`` (the widget the result is for), the callbacks are skipped once it is deleted.
    """
    signals = _Signals()
    _live.add(signals)

    def finish(callback: Callable[[Any], None], value: Any) -> None:
        _live.discard(signals)
        if owner is not None and not isValid(owner):
            return  # the widget this was for has gone; a callback would touch a deleted object
        callback(value)

    signals.done.connect(lambda result: finish(on_done, result))
    signals.failed.connect(lambda exc: finish(on_error, exc))
    (pool or QThreadPool.globalInstance()).start(_Job(fn, signals))
