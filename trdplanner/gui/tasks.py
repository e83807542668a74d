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
            self._signals.failed.emit(exc)
        else:
            self._signals.done.emit(result)


# Jobs in flight keep their signal objects alive until they report back.
_live: set[_Signals] = set()


def run_in_background(
    fn: Callable[[], Any],
    on_done: Callable[[Any], None],
    on_error: Callable[[BaseException], None],
    pool: QThreadPool | None = None,
) -> None:
    """Run ``fn`` on a worker thread; ``on_done``/``on_error`` run on the UI thread."""
    signals = _Signals()
    _live.add(signals)

    def finish(callback: Callable[[Any], None], value: Any) -> None:
        _live.discard(signals)
        callback(value)

    signals.done.connect(lambda result: finish(on_done, result))
    signals.failed.connect(lambda exc: finish(on_error, exc))
    (pool or QThreadPool.globalInstance()).start(_Job(fn, signals))
