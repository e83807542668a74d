"""The one place Jinja2 is configured: sandboxing, strictness, static checks and rendering.

Template text (``note_summary``, ``text`` bindings, note-format sections) is the only thing ever
compiled. Filled values reach Jinja as data in the render context, so a client writing
``{{ 7*7 }}`` in a worksheet gets exactly those characters back.
"""

from __future__ import annotations

import contextvars
import copy
import functools
import operator
import re
import time
from collections.abc import Callable, Collection, Iterable, Iterator, Mapping
from typing import Any

import jinja2
from jinja2 import nodes
from jinja2.meta import find_undeclared_variables
from jinja2.sandbox import ImmutableSandboxedEnvironment, safe_range

from trdplanner.catalog.errors import RenderError, TemplateError
from trdplanner.catalog.limits import MAX_RENDER_SECONDS, MAX_RENDER_STEPS, MAX_RENDERED_LENGTH

# Largest string/list a template may build with `*`, and the largest exponent for `**`: enough
# for any formatting trick, far too small to exhaust memory or CPU.
_MAX_REPEAT_RESULT = 10_000
_MAX_EXPONENT = 64


# Widths and counts a single string operation may ask for ("%0999999999d", "x".center(10**9)):
# one such call allocates before any budget check could run, so the argument is checked first.
_MAX_WIDTH = 10_000
_PERCENT_SPEC = re.compile(r"%(?:\([^)]*\))?[-#0 +]*(\*|\d+)?(?:\.(\*|\d+))?")
_BRACE_SPEC = re.compile(r"\{[^{}]*:([^{}]*)\}")
_PADDING_METHODS = frozenset({"center", "ljust", "rjust", "zfill", "expandtabs"})


class RenderBudgetExceeded(jinja2.exceptions.SecurityError):
    """The whole render did more work than a note summary ever needs."""


class _Budget:
    """Work left for one render: loop iterations, calls and range items, and a wall-clock deadline.

    Each loop's own length is bounded by Jinja's sandbox (``MAX_RANGE``), but loops nested inside
    each other multiply; this counts across the whole render instead.
    """

    def __init__(self, steps: int, seconds: float) -> None:
        self.left = steps
        self.deadline = time.monotonic() + seconds

    def charge(self, steps: int = 1) -> None:
        self.left -= steps
        if self.left < 0:
            raise RenderBudgetExceeded(f"does too much work (more than {MAX_RENDER_STEPS:,} steps)")
        if time.monotonic() > self.deadline:
            raise RenderBudgetExceeded(f"takes too long (more than {MAX_RENDER_SECONDS:g} seconds)")


_BUDGET: contextvars.ContextVar[_Budget | None] = contextvars.ContextVar("trdplanner_render_budget", default=None)
_BUDGET_ITER = "__trdplanner_budget_iter__"


def _charge(steps: int = 1) -> None:
    budget = _BUDGET.get()
    if budget is not None:
        budget.charge(steps)


def _budget_iter(iterable: Iterable[Any]) -> Iterator[Any]:
    for item in iterable:
        _charge()
        yield item


def _budget_range(*args: int) -> range:
    rng = safe_range(*args)
    _charge(len(rng))
    return rng


def _check_width(value: Any) -> None:
    if isinstance(value, int) and not isinstance(value, bool) and abs(value) > _MAX_WIDTH:
        raise jinja2.exceptions.SecurityError(f"a width or count above {_MAX_WIDTH:,}")


def _check_format_string(text: str) -> None:
    """Refuse ``%`` and ``{}`` formats that would pad to a huge width (or take it from data)."""
    for m in _PERCENT_SPEC.finditer(text):
        for part in m.groups():
            if part == "*":
                raise jinja2.exceptions.SecurityError("a width taken from the data ('*')")
            if part is not None:
                _check_width(int(part))
    for m in _BRACE_SPEC.finditer(text):
        if "{" in m.group(1):
            raise jinja2.exceptions.SecurityError("a nested format width")
        for number in re.findall(r"\d+", m.group(1)):
            _check_width(int(number))


def _checked_replace(text: str, old: str, new: str, count: int = -1) -> str:
    grows = len(new) - len(old)
    if grows > 0:
        hits = text.count(old) if old else len(text) + 1
        if count >= 0:
            hits = min(hits, count)
        if len(text) + hits * grows > _MAX_REPEAT_RESULT * 10:
            raise jinja2.exceptions.SecurityError("replacing would make the text too long")
    return text.replace(old, new, count)


class _BoundedSandbox(ImmutableSandboxedEnvironment):
    """Immutable sandbox that also refuses arithmetic that would blow up (``'x' * 10**9``), and
    counts the work of a whole render against a budget (see :class:`_Budget`).

    Immutable because templates read clinical data and must never alter it (``values.rows.pop()``).
    """

    intercepted_binops = frozenset({"*", "**", "%"})

    def _generate(
        self, source: nodes.Template, name: str | None, filename: str | None, defer_init: bool = False
    ) -> str:
        # Every for-loop's iterable goes through the budget. A copy: the caller's tree is also
        # used for static name checks, which must see the loop as written.
        tree = copy.deepcopy(source)
        for loop in tree.find_all(nodes.For):
            loop.iter = nodes.Call(nodes.Name(_BUDGET_ITER, "load"), [loop.iter], [], None, None)
        return super()._generate(tree, name, filename, defer_init)

    def call(__self, __context: jinja2.runtime.Context, __obj: Any, *args: Any, **kwargs: Any) -> Any:
        _charge()  # every call, macros included: recursion cannot hide from the budget
        if getattr(__obj, "__name__", "") in _PADDING_METHODS and isinstance(getattr(__obj, "__self__", None), str):
            for value in (*args, *kwargs.values()):
                _check_width(value)
        if getattr(__obj, "__name__", "") == "replace" and isinstance(getattr(__obj, "__self__", None), str):
            return _checked_replace(__obj.__self__, *args, **kwargs)
        return super().call(__context, __obj, *args, **kwargs)

    def wrap_str_format(self, value: Any) -> Callable[..., str] | None:
        wrapped = super().wrap_str_format(value)
        if wrapped is None:
            return None
        _check_format_string(str(value.__self__))
        return wrapped

    def call_binop(self, context: jinja2.runtime.Context, operator_name: str, left: Any, right: Any) -> Any:
        if operator_name == "%":
            if isinstance(left, str):
                _check_format_string(left)
            return operator.mod(left, right)
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
    env.globals["range"] = _budget_range
    env.globals[_BUDGET_ITER] = _budget_iter
    _bound_filters(env)
    if filters:
        env.filters.update(filters)
    return env


def _bound_filters(env: jinja2.Environment) -> None:
    """Jinja's own filters that pad or substitute, with the same width checks as the methods."""
    base = dict(env.filters)

    def format_filter(value: Any, *args: Any, **kwargs: Any) -> str:
        _check_format_string(str(value))
        return str(base["format"](value, *args, **kwargs))

    def center(value: Any, width: int = 80) -> str:
        _check_width(width)
        return str(base["center"](value, width))

    def indent(value: Any, width: int | str = 4, *args: Any, **kwargs: Any) -> str:
        _check_width(width if isinstance(width, int) else len(width))
        return str(base["indent"](value, width, *args, **kwargs))

    @jinja2.pass_eval_context
    def replace(eval_ctx: Any, value: Any, old: str, new: str, count: int | None = None) -> Any:
        _checked_replace(str(value), str(old), str(new), -1 if count is None else count)
        return base["replace"](eval_ctx, value, old, new, count)

    def batch_filter(value: Any, linecount: int, fill_with: Any = None) -> Any:
        _check_width(linecount)
        return base["batch"](value, linecount, fill_with)

    env.filters.update(format=format_filter, center=center, indent=indent, replace=replace, batch=batch_filter)


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
    """Render template text; any failure becomes a :class:`RenderError` naming ``where``.

    The whole render runs inside one budget (loop iterations, calls, range items and a deadline),
    and the output is counted as it is produced, so nested loops that are each within Jinja's
    per-range bound, or a macro calling itself twice, end with a clear error instead of a hang.
    """
    token = _BUDGET.set(_Budget(MAX_RENDER_STEPS, MAX_RENDER_SECONDS))
    try:
        pieces: list[str] = []
        size = 0
        for piece in _compiled(env, source).generate(**context):
            size += len(piece)
            if size > MAX_RENDERED_LENGTH:
                raise RenderError(where, f"produced more than {MAX_RENDERED_LENGTH} characters")
            pieces.append(piece)
        text = "".join(pieces)
    except RenderError:
        raise
    except jinja2.UndefinedError as exc:
        raise RenderError(where, f"undefined value: {exc.message}") from None
    except RenderBudgetExceeded as exc:
        raise RenderError(where, f"stopped: the template {exc}") from None
    except jinja2.exceptions.SecurityError as exc:
        raise RenderError(where, f"not allowed in a template: {exc}") from None
    except jinja2.TemplateSyntaxError as exc:
        raise RenderError(where, f"template error on line {exc.lineno}: {exc.message}") from None
    except RecursionError:
        raise RenderError(where, "stopped: the template calls itself too deeply") from None
    except MemoryError:
        raise RenderError(where, "stopped: the template needs more memory than a note can have") from None
    except Exception as exc:  # a template bug (1/0, int('x')) must not take the app down
        raise RenderError(where, f"{type(exc).__name__}: {exc}") from None
    finally:
        _BUDGET.reset(token)
    return text
