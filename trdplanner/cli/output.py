"""How the CLI prints: one-line errors on stderr, JSON or aligned text on stdout."""

from __future__ import annotations

import json
import sys
from typing import Any

from trdplanner.core.serialize import to_data


def error(message: str) -> None:
    # One line, always: scripts read the first line of stderr.
    print(f"error: {' '.join(message.split())}", file=sys.stderr)


def warning(message: str) -> None:
    """A one-line warning on stderr: the command goes on."""
    print(f"warning: {' '.join(message.split())}", file=sys.stderr)


def weak_passphrase_warning(passphrase: str) -> None:
    """The window's strength meter, in words: a new passphrase that is only weak or fair is said so.

    (One too easy to guess is refused outright by ``check_new_passphrase``, as in the window.)
    """
    from trdplanner.core.crypto import strength_hint

    score, hint = strength_hint(passphrase)
    if 0 < score < 3:
        warning(f"new passphrase: {hint}")


def emit_json(value: Any) -> None:
    json.dump(to_data(value), sys.stdout, indent=2, ensure_ascii=False)
    sys.stdout.write("\n")


def table(rows: list[list[str]], headers: list[str]) -> str:
    widths = [max(len(str(x)) for x in col) for col in zip(headers, *rows, strict=False)]
    lines = ["  ".join(h.ljust(w) for h, w in zip(headers, widths, strict=True)).rstrip()]
    lines.append("  ".join("-" * w for w in widths))
    for row in rows:
        lines.append("  ".join(str(c).ljust(w) for c, w in zip(row, widths, strict=True)).rstrip())
    return "\n".join(lines)
