"""The desktop GUI (PySide6 widgets built in code)."""

from __future__ import annotations

import sys


def _pin_singletons() -> None:
    """Make None, True and False immortal on CPython 3.11, as 3.12 does for every interpreter.

    PySide6 6.12's bindings drop references to None/True/False that they do not own in several
    calls (``setFocusProxy``, ``setAccessibleName``, ``QStyle.unpolish``, ``QSignalBlocker``,
    ``QButtonGroup.buttonToggled``, lambdas taking a bool signal argument, ...). On 3.12+ those
    objects are immortal and nothing happens; on 3.11 the count eventually reaches zero and the
    interpreter aborts ("deallocating None"), typically at exit or after a long session. Raising
    the count far out of reach costs nothing and changes no behaviour.
    """
    if sys.implementation.name != "cpython" or sys.version_info >= (3, 12):
        return
    import ctypes

    for obj in (None, True, False):
        ctypes.c_ssize_t.from_address(id(obj)).value += 1 << 40


_pin_singletons()
