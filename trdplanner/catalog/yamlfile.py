"""Reading one YAML data file safely: bounded size, a safe loader that refuses duplicate keys, a tree-size limit.

Kept apart from the template loader so the drug table and other data files load without the
template machinery (Jinja2), which keeps the command line's start fast.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

from trdplanner.catalog.errors import TemplateError
from trdplanner.catalog.limits import MAX_FILE_BYTES, MAX_YAML_DEPTH, MAX_YAML_NODES


class _StrictSafeLoader(yaml.SafeLoader):
    """``yaml.SafeLoader`` that rejects a key given twice in one mapping."""

    def construct_mapping(self, node: yaml.MappingNode, deep: bool = False) -> dict[Any, Any]:
        seen: set[Any] = set()
        for key_node, _value in node.value:
            if key_node.tag == "tag:yaml.org,2002:merge":
                continue
            key = self.construct_object(key_node, deep=True)
            try:
                duplicate = key in seen
            except TypeError:  # unhashable key; the base class reports it properly
                continue
            if duplicate:
                raise yaml.constructor.ConstructorError(None, None, f"duplicate key '{key}'", key_node.start_mark)
            seen.add(key)
        return super().construct_mapping(node, deep=deep)


def parse_yaml(text: str) -> Any:
    """Parse one YAML document safely; problems become :class:`TemplateError` with the line."""
    try:
        data = yaml.load(text, Loader=_StrictSafeLoader)  # a SafeLoader subclass
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        where = f"line {mark.line + 1}, column {mark.column + 1}: " if mark else ""
        problem = exc.problem or exc.context or "invalid YAML"
        raise TemplateError("", f"YAML error at {where}{problem}") from None
    except yaml.YAMLError as exc:  # one line: the reader's own message spans several
        raise TemplateError("", f"YAML error: {' '.join(str(exc).split())}") from None
    except RecursionError:
        raise TemplateError("", "YAML nested too deeply") from None
    _check_tree_size(data)
    return data


def _check_tree_size(data: Any) -> None:
    # Iterative, counting every visit: aliases can make a small file a huge tree.
    stack: list[tuple[Any, int]] = [(data, 0)]
    visits = 0
    while stack:
        node, depth = stack.pop()
        visits += 1
        if visits > MAX_YAML_NODES:
            raise TemplateError("", "too large once YAML aliases are expanded")
        if depth > MAX_YAML_DEPTH:
            raise TemplateError("", f"nested more than {MAX_YAML_DEPTH} levels deep")
        if isinstance(node, dict):
            stack.extend((v, depth + 1) for kv in node.items() for v in kv)
        elif isinstance(node, list):
            stack.extend((v, depth + 1) for v in node)


def read_text(path: Path) -> str:
    """A definition file's text, refusing files over the size limit, devices, pipes and non-UTF-8 content."""
    from trdplanner.core.errors import InputError
    from trdplanner.core.intake import read_bounded

    try:
        too_large = f"file too large (more than {MAX_FILE_BYTES // 1024} KB)"
        raw = read_bounded(path, MAX_FILE_BYTES, what="template file", too_large=too_large)
    except InputError as exc:
        raise TemplateError("", exc.problem) from None
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise TemplateError("", f"not UTF-8 text (bad byte at offset {exc.start})") from None


def load_yaml_file(path: Path, display: str | None = None) -> Any:
    shown = display or str(path)
    try:
        return parse_yaml(read_text(path))
    except TemplateError as exc:
        raise exc.in_file(shown) from None
