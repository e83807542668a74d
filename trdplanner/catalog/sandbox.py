"""The one place Jinja2 is configured: sandboxing, strictness, static checks and rendering.

Template text (``note_summary``, ``text`` bindings, note-format sections) is the only thing ever
compiled. Filled values reach Jinja as data in the render context, so a client writing
``{{ 7*7 }}`` in a worksheet gets exactly those characters back.
"""

from __future__ import annotations

import functools
import operator
from collections.abc import Callable, Collection, Iterator, Mapping
from typing import Any

import jinja2
from jinja2 import nodes
from jinja2.meta import find_undeclared_variables
from jinja2.sandbox import ImmutableSandboxedEnvironment

from trdplanner.catalog.errors import RenderError, TemplateError
from trdplanner.catalog.limits import MAX_RENDERED_LENGTH

# Largest string/list a template may build with `*`, and the largest exponent for `**`: enough
# for any formatting trick, far too small to exhaust memory or CPU.
_MAX_REPEAT_RESULT = 10_000
_MAX_EXPONENT = 64


class _BoundedSandbox(ImmutableSandboxedEnvironment):
    """Immutable sandbox that also refuses arithmetic that would blow up (``'x' * 10**9``).

    Immutable because templates read clinical data and must never alter it (``values.rows.pop()``).
    """

    intercepted_binops = frozenset({"*", "**"})

    def call_binop(self, context: jinja2.runtime.Context, operator_name: str, left: Any, right: Any) -> Any:
        if operator_name == "**":
            if isinstance(right, int | float) and abs(right) > _MAX_EXPONENT:
                raise jinja2.exceptions.SecurityError("exponent too large")
            return operator.pow(left, right)
        for seq, count in ((left, right), (right, left)):
            too_long = (
                isinstance(seq, str | list | tuple) and isinstance(count, int) and len(seq) * count > _MAX_REPEAT_RESULT
            )
            if too_long:
                raise jinja2.exceptions.SecurityError("repeated text too long")
        return operator.mul(left, right)


def _finalize(value: Any) -> Any:
    # An empty field prints as nothing, not as "None".
    return "" if value is None else value


def make_environment(filters: Mapping[str, Callable[..., Any]] | None = None) -> jinja2.Environment:
    """A fresh sandboxed environment with the project's settings (see the format doc)."""
    env = _BoundedSandbox(
        undefined=jinja2.StrictUndefined,
        autoescape=False,
        trim_blocks=True,
        lstrip_blocks=True,
        finalize=_finalize,
        auto_reload=False,
    )
    if filters:
        env.filters.update(filters)
    return env


def syntax_tree(env: jinja2.Environment, source: str, path: str) -> nodes.Template:
    """Parse ``source`` (and check filters/tests exist); errors cite the line within the text."""
    try:
        tree = env.parse(source)
        # Compiling catches unknown filters and tests, which parsing alone lets through.
        env.compile(tree)
    except jinja2.TemplateSyntaxError as exc:
        raise TemplateError(path, f"template error on line {exc.lineno}: {exc.message}") from None
    return tree


def check_names(
    env: jinja2.Environment,
    tree: nodes.Template,
    path: str,
    known: Mapping[str, Collection[str] | None],
    item_keys: Mapping[str, Collection[str]] | None = None,
) -> None:
    """Check that a template only uses the context names it will be given.

    ``known`` maps each top-level name to the attributes it offers (None: anything goes).
    ``item_keys`` maps list names to the keys of their items, so ``{% for m in measures %}`` can
    check ``m.totl``. A dynamic lookup (``x[name]``) cannot be checked here; StrictUndefined
    still catches it at render time.
    """
    allowed = set(known) | set(env.globals)
    for name in sorted(find_undeclared_variables(tree)):
        if name not in allowed:
            raise TemplateError(path, f"unknown name '{name}' (expected one of {', '.join(sorted(known))})")
    for owner, attr in _attribute_uses(tree):
        keys = known.get(owner)
        if keys is not None and attr not in keys:
            raise TemplateError(path, f"'{owner}' has no '{attr}'{_expected(keys)}")
    for loop in tree.find_all(nodes.For):
        if not (isinstance(loop.iter, nodes.Name) and isinstance(loop.target, nodes.Name)):
            continue
        keys = (item_keys or {}).get(loop.iter.name)
        if keys is None:
            continue
        for body_node in loop.body:
            for owner, attr in _attribute_uses(body_node):
                if owner == loop.target.name and attr not in keys:
                    raise TemplateError(path, f"items of '{loop.iter.name}' have no '{attr}'{_expected(keys)}")


def undeclared_names(tree: nodes.Template) -> set[str]:
    """Names a template reads from its context."""
    return find_undeclared_variables(tree)


def _expected(keys: Collection[str]) -> str:
    return f" (expected one of {', '.join(sorted(keys))})" if keys else ""


def _attribute_uses(tree: nodes.Node) -> Iterator[tuple[str, str]]:
    """``(name, attribute)`` for every ``name.attribute`` and ``name['attribute']``."""
    for getattr_node in tree.find_all(nodes.Getattr):
        if isinstance(getattr_node.node, nodes.Name):
            yield getattr_node.node.name, getattr_node.attr
    for getitem_node in tree.find_all(nodes.Getitem):
        name = _constant_subscript(getitem_node)
        if name is not None:
            yield name


def _constant_subscript(node: nodes.Node) -> tuple[str, str] | None:
    """``('previous', 'tid')`` for ``previous['tid']``; None for anything else."""
    if (
        isinstance(node, nodes.Getitem)
        and isinstance(node.node, nodes.Name)
        and isinstance(node.arg, nodes.Const)
        and isinstance(node.arg.value, str)
    ):
        return node.node.name, node.arg.value
    return None


def constant_subscripts(tree: nodes.Template, name: str) -> Iterator[tuple[str, str | None]]:
    """For ``previous['tid'].field`` uses: yields ``('tid', 'field')`` (``None`` if no field)."""
    for getitem_node in tree.find_all(nodes.Getitem):
        found = _constant_subscript(getitem_node)
        if found is not None and found[0] == name:
            yield found[1], None
    for getattr_node in tree.find_all(nodes.Getattr):
        found = _constant_subscript(getattr_node.node)
        if found is not None and found[0] == name:
            yield found[1], getattr_node.attr


@functools.lru_cache(maxsize=512)
def _compiled(env: jinja2.Environment, source: str) -> jinja2.Template:
    return env.from_string(source)


def render(env: jinja2.Environment, source: str, context: Mapping[str, Any], where: str) -> str:
    """Render template text; any failure becomes a :class:`RenderError` naming ``where``."""
    try:
        text = _compiled(env, source).render(**context)
    except jinja2.UndefinedError as exc:
        raise RenderError(where, f"undefined value: {exc.message}") from None
    except jinja2.exceptions.SecurityError as exc:
        raise RenderError(where, f"not allowed in a template: {exc}") from None
    except jinja2.TemplateSyntaxError as exc:
        raise RenderError(where, f"template error on line {exc.lineno}: {exc.message}") from None
    except Exception as exc:  # a template bug (1/0, int('x')) must not take the app down
        raise RenderError(where, f"{type(exc).__name__}: {exc}") from None
    if len(text) > MAX_RENDERED_LENGTH:
        raise RenderError(where, f"produced more than {MAX_RENDERED_LENGTH} characters")
    return text
