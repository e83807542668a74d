"""The door every file the app reads comes through: bounded reads and strict JSON.

Patient files, filled-in PDFs, backups, passphrase files and user templates all arrive from
outside and may be damaged or hostile. Everything here refuses with an ``InputError`` that
names the file and says what is wrong in plain words, before anything is parsed or written:

* a file is read with a bounded reader: never more than the limit plus one byte, whatever its
  reported size says (``/dev/zero`` and ``/proc`` files report 0), and only if it is a regular
  file (a FIFO would block forever; a device never ends);
* JSON is refused when an object names the same key twice (the standard reader keeps the last
  one silently) or when it nests deeper than any file we write.

No Qt and no database here, so the catalog, export and service layers can all use it.
"""

from __future__ import annotations

import json
import os
import stat
from pathlib import Path
from typing import Any

from trdplanner.core.errors import InputError

# Far deeper than any file the app writes (a patient file nests about 8 levels, a template
# snapshot about 6), far shallower than what exhausts Python's stack.
MAX_JSON_DEPTH = 64


def _megabytes(limit: int) -> str:
    if limit >= 1024 * 1024:
        return f"{limit // (1024 * 1024)} MB"
    return f"{max(1, limit // 1024)} KB"


def read_bounded(
    path: Path, limit: int, *, field: str = "file", what: str = "file", too_large: str | None = None
) -> bytes:
    """At most ``limit`` bytes of the regular file ``path``; an ``InputError`` on ``field`` otherwise.

    Opened without blocking so a FIFO cannot hang the app, checked to be a regular file on the
    open handle (no race with a swapped path), then read in chunks up to ``limit + 1`` bytes:
    the size the file system reports is never trusted.
    """
    path = Path(path)
    flags = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_BINARY", 0)
    try:
        fd = os.open(path, flags)
    except FileNotFoundError:
        raise InputError(field, f"not found: {path}") from None
    except IsADirectoryError:
        raise InputError(field, f"{path} is a folder, not a {what}") from None
    except OSError as exc:
        raise InputError(field, f"cannot read {path} ({exc.strerror or exc})") from None
    try:
        mode = os.fstat(fd).st_mode
        if stat.S_ISDIR(mode):
            raise InputError(field, f"{path} is a folder, not a {what}")
        if not stat.S_ISREG(mode):
            raise InputError(field, f"{path} is a device or a pipe, not a {what}")
        chunks: list[bytes] = []
        left = limit + 1
        while left > 0:
            chunk = os.read(fd, min(left, 1 << 20))
            if not chunk:
                break
            chunks.append(chunk)
            left -= len(chunk)
    except OSError as exc:
        raise InputError(field, f"cannot read {path} ({exc.strerror or exc})") from None
    finally:
        os.close(fd)
    data = b"".join(chunks)
    if len(data) > limit:
        raise InputError(field, too_large or f"{path} is too large (more than {_megabytes(limit)})")
    return data


def require_regular_file(path: Path, *, field: str = "file", what: str = "file") -> None:
    """Refuse a missing path, a folder, a device or a pipe, in words (for readers that open by name)."""
    path = Path(path)
    try:
        mode = path.stat().st_mode
    except FileNotFoundError:
        raise InputError(field, f"not found: {path}") from None
    except OSError as exc:
        raise InputError(field, f"cannot read {path} ({exc.strerror or exc})") from None
    if stat.S_ISDIR(mode):
        raise InputError(field, f"{path} is a folder, not a {what}")
    if not stat.S_ISREG(mode):
        raise InputError(field, f"{path} is a device or a pipe, not a {what}")


def decode_utf8(data: bytes, *, field: str = "file", name: str = "the file") -> str:
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise InputError(field, f"{name} is not UTF-8 text (bad byte at offset {exc.start})") from None


class _DuplicateKey(ValueError):
    def __init__(self, key: str) -> None:
        super().__init__(key)
        self.key = key


def _unique_object(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key, value in pairs:
        if key in out:
            raise _DuplicateKey(key)
        out[key] = value
    return out


def json_depth_exceeds(value: Any, limit: int) -> bool:
    """Whether ``value`` nests lists/objects more than ``limit`` levels deep (iterative: no recursion)."""
    stack: list[tuple[Any, int]] = [(value, 1)]
    while stack:
        node, depth = stack.pop()
        if isinstance(node, dict):
            children: Any = node.values()
        elif isinstance(node, list):
            children = node
        else:
            continue
        if depth > limit:
            return True
        stack.extend((child, depth + 1) for child in children if isinstance(child, dict | list))
    return False


def parse_json(text: str, *, field: str = "file", max_depth: int = MAX_JSON_DEPTH) -> Any:
    """Strict JSON: one line naming the problem for bad syntax, a repeated key or deep nesting."""
    try:
        data = json.loads(text, object_pairs_hook=_unique_object)
    except _DuplicateKey as exc:
        shown = exc.key if len(exc.key) <= 60 else exc.key[:59] + "…"
        raise InputError(
            field, f"the key {shown!r} appears twice in one object; a file must say each thing once"
        ) from None
    except json.JSONDecodeError as exc:
        raise InputError(field, f"not valid JSON (line {exc.lineno}, column {exc.colno}: {exc.msg})") from None
    except RecursionError:
        raise InputError(field, f"nested more than {max_depth} levels deep; no TRD Planner file is") from None
    if json_depth_exceeds(data, max_depth):
        raise InputError(field, f"nested more than {max_depth} levels deep; no TRD Planner file is")
    return data


def read_json_file(path: Path, limit: int, *, field: str = "file") -> Any:
    """A JSON file through the whole door: bounded read, UTF-8, strict parse."""
    text = decode_utf8(read_bounded(path, limit, field=field, what="JSON file"), field=field, name=str(path))
    return parse_json(text, field=field)


def check_secret_file(path: Path, *, field: str = "file") -> str | None:
    """Refuse a secret file every user of the computer can read; a warning when others still can.

    POSIX permissions tell; where the platform cannot tell (Windows ACLs), nothing is claimed.
    Returns the warning text, or None when the file is private.
    """
    if os.name != "posix":
        return None
    try:
        mode = os.stat(path).st_mode
    except OSError:
        return None  # the reader that follows says what is wrong with the path
    if mode & stat.S_IROTH:
        raise InputError(
            field,
            f"{path} can be read by every user of this computer; make it private first (chmod 600 {path})",
        )
    if mode & (stat.S_IRGRP | stat.S_IWGRP | stat.S_IWOTH):
        return f"{path} can be read or changed by other users in its group; make it private (chmod 600 {path})"
    return None
