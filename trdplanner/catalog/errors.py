"""Errors raised by the catalog engine.

Every message names where the problem is (file, then a path such as ``fields[3].columns[1].max``)
before saying what it is, so a template author can go straight to the offending line and the GUI
can show the message unchanged.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass


def join_path(path: str, key: str | int) -> str:
    """Extend a field path: ``join_path("fields[3]", "max")`` -> ``fields[3].max``."""
    if isinstance(key, int):
        return f"{path}[{key}]"
    return f"{path}.{key}" if path else key


class TemplateError(ValueError):
    """A template or note-format definition is invalid.

    ``str(err)`` is ``"<file>: <field path>: <problem>"``; parts that do not apply (a YAML syntax
    error has no field path, a snapshot has no file) are left out rather than printed empty.
    """

    def __init__(self, path: str, problem: str, file: str = "") -> None:
        self.file = file
        self.path = path
        self.problem = problem
        super().__init__(self._text())

    def _text(self) -> str:
        return ": ".join(part for part in (self.file, self.path, self.problem) if part)

    def __str__(self) -> str:
        return self._text()

    def in_file(self, file: str) -> TemplateError:
        """The same error, attributed to ``file`` (validation runs before the caller knows it)."""
        return TemplateError(self.path, self.problem, file)

    def __reduce__(self) -> tuple[type[TemplateError], tuple[str, str, str]]:
        return (TemplateError, (self.path, self.problem, self.file))


@dataclass(frozen=True)
class Problem:
    """One thing wrong with a filled instance: where (``rows[2].intensity``) and what."""

    path: str
    message: str

    def __str__(self) -> str:
        return f"{self.path}: {self.message}" if self.path else self.message


class InstanceError(ValueError):
    """Filled values do not fit their template.

    Carries every problem found, so a form can mark all offending fields at once; ``str(err)`` is
    one ``"<path>: <problem>"`` line per problem, and ``path``/``problem`` describe the first.
    """

    def __init__(self, problems: Iterable[Problem]) -> None:
        self.problems: Sequence[Problem] = tuple(problems)
        if not self.problems:
            raise ValueError("InstanceError needs at least one problem")
        self.path = self.problems[0].path
        self.problem = self.problems[0].message
        super().__init__(str(self))

    def __str__(self) -> str:
        return "\n".join(str(p) for p in self.problems)

    def __reduce__(self) -> tuple[type[InstanceError], tuple[Sequence[Problem]]]:
        return (InstanceError, (self.problems,))


class RenderError(ValueError):
    """A template's Jinja text failed while producing text (prefill, note summary or note).

    ``where`` names the template and field or the note format and section, e.g.
    ``cbt-thought-record-7 v1: hot_thought.prefill.text``.
    """

    def __init__(self, where: str, problem: str) -> None:
        self.where = where
        self.problem = problem
        super().__init__(f"{where}: {problem}")

    def __reduce__(self) -> tuple[type[RenderError], tuple[str, str]]:
        return (RenderError, (self.where, self.problem))
