"""Reading template files from disk and assembling the catalog.

Files are untrusted input: sizes are bounded before parsing, YAML is read with a safe loader that
also refuses duplicate keys (a silently overwritten ``label:`` is a typo we want to catch), and a
file that fails in any way is listed in ``Catalog.broken`` instead of stopping the app.
"""

from __future__ import annotations

import functools
import logging
import os
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TypeVar

from trdplanner.catalog.catalog import BrokenFile, Catalog, cross_template_problems
from trdplanner.catalog.errors import TemplateError
from trdplanner.catalog.model import Template
from trdplanner.catalog.summaries import check_summary_budget
from trdplanner.catalog.validation import parse_template
from trdplanner.catalog.yamlfile import load_yaml_file, parse_yaml

log = logging.getLogger(__name__)

T = TypeVar("T")

# Folders of the built-in template tree that hold something other than session templates.
NOTE_FORMATS_DIR = "notes"


def load_template_text(text: str, source: str = "<text>") -> Template:
    """Parse and validate one template given as YAML text."""
    try:
        data = parse_yaml(text)
    except TemplateError as exc:
        raise exc.in_file(source) from None
    return parse_template(data, source)


def load_template_file(path: Path, display: str | None = None) -> Template:
    """Parse and validate one template file (no cross-template checks)."""
    shown = display or str(path)
    return parse_template(load_yaml_file(path, shown), shown)


def iter_yaml_files(root: Path, skip_top: tuple[str, ...] = ()) -> Iterator[Path]:
    """``*.yaml`` files under ``root``, sorted, without hidden files or folders.

    Symlinks are followed only if they resolve inside ``root`` (a folder symlink is never
    descended, so loops are impossible); anything pointing outside is ignored, with a log entry.
    """
    if not root.is_dir():
        return
    real_root = root.resolve()
    seen: set[Path] = set()
    for dirpath, dirnames, filenames in os.walk(root, followlinks=False):
        here = Path(dirpath)
        at_top = here == root
        dirnames[:] = sorted(d for d in dirnames if not d.startswith(".") and not (at_top and d in skip_top))
        for name in sorted(filenames):
            if name.startswith(".") or not name.endswith(".yaml"):
                continue
            path = here / name
            try:
                real = path.resolve(strict=True)
            except (OSError, RuntimeError):
                log.warning("ignoring unresolvable template file %s", path)
                continue
            if not real.is_relative_to(real_root):
                log.warning("ignoring %s: it links outside %s", path, root)
                continue
            if real in seen or not real.is_file():
                continue
            seen.add(real)
            yield path


def _display(root: Path, path: Path, builtin: bool) -> str:
    # Built-ins are named as in the repo ("templates/cbt/x.yaml"); a clinician's own file by its
    # full path, so they can find it.
    return f"{root.name}/{path.relative_to(root).as_posix()}" if builtin else str(path)


def _guarded(func: Callable[[], T], shown: str) -> T:
    """Run ``func``; unexpected failures are reported like any other broken file."""
    try:
        return func()
    except TemplateError:
        raise
    except (RecursionError, MemoryError):
        raise TemplateError("", "too complex to load").in_file(shown) from None
    except Exception as exc:  # one odd file must never stop the app from starting
        log.exception("unexpected error loading %s", shown)
        raise TemplateError("", f"could not be loaded ({type(exc).__name__}: {exc})").in_file(shown) from None


def _check_builtin_location(template: Template, root: Path, path: Path, shown: str) -> None:
    rel = path.relative_to(root)
    if path.stem != template.id:
        raise TemplateError("id", f"'{template.id}' does not match the file name '{path.name}'", shown)
    if len(rel.parts) == 2 and rel.parts[0] != template.modality.value:
        raise TemplateError(
            "modality",
            f"'{template.modality.value}' does not match the folder '{rel.parts[0]}'",
            shown,
        )


def load_catalog(builtin_dir: Path, user_dir: Path | None = None) -> Catalog:
    """Load every template under ``builtin_dir`` (except ``notes/``) and ``user_dir``.

    Never raises for a bad file: each one is listed in ``catalog.broken``. A user template may not
    reuse a built-in id, and ids must be unique within each tree; the later file (by path) loses.
    """
    loaded: dict[str, Template] = {}
    where: dict[str, tuple[Path, str, bool]] = {}
    broken: list[BrokenFile] = []
    roots = [(builtin_dir, True)] + ([(user_dir, False)] if user_dir is not None else [])
    for root, builtin in roots:
        for path in iter_yaml_files(root, (NOTE_FORMATS_DIR,) if builtin else ()):
            shown = _display(root, path, builtin)
            try:
                template = _guarded(functools.partial(load_template_file, path, shown), shown)
                if builtin:
                    _check_builtin_location(template, root, path, shown)
                else:  # a user's summary must prove it stays inside the render budget (built-ins are tested)
                    try:
                        check_summary_budget(template)
                    except TemplateError as exc:
                        raise exc.in_file(shown) from None
                if template.id in where:
                    _first_path, first_shown, first_builtin = where[template.id]
                    owner = "a built-in template" if first_builtin and not builtin else first_shown
                    raise TemplateError("", f"id '{template.id}' is already used by {owner}", shown)
            except TemplateError as exc:
                broken.append(BrokenFile(path, exc, user=not builtin))
                continue
            loaded[template.id] = template
            where[template.id] = (path, shown, builtin)

    for template_id, error in cross_template_problems(loaded).items():
        path, shown, builtin = where[template_id]
        broken.append(BrokenFile(path, error.in_file(shown), user=not builtin))
        del loaded[template_id]
    user_ids = [tid for tid, (_p, _s, builtin) in where.items() if not builtin]
    return Catalog(loaded.values(), broken, user_ids)
