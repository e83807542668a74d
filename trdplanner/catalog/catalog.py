"""The loaded set of templates, and the checks that need more than one template."""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path

from trdplanner.catalog.errors import TemplateError, join_path
from trdplanner.catalog.model import BindingSource, FieldType, Kind, Modality, Template
from trdplanner.catalog.validation import prefill_text_references

# Field types whose values can be carried from one template's field into another's.
_CARRY_GROUPS: tuple[frozenset[FieldType], ...] = (
    frozenset({FieldType.SHORT_TEXT, FieldType.LONG_TEXT}),
    frozenset({FieldType.NUMBER, FieldType.RATING}),
)

_MODALITY_ORDER = {m: i for i, m in enumerate(Modality)}
_KIND_ORDER = {k: i for i, k in enumerate(Kind)}


def can_carry(source: FieldType, target: FieldType) -> bool:
    """Whether a ``previous`` binding may copy a ``source`` value into a ``target`` field."""
    return source is target or any(source in g and target in g for g in _CARRY_GROUPS)


@dataclass(frozen=True)
class BrokenFile:
    """A template file that could not be used, and why (``error`` is the full message)."""

    path: Path
    error: TemplateError
    user: bool = False

    @property
    def message(self) -> str:
        return str(self.error)


def _sort_key(template: Template) -> tuple[int, int, str, str]:
    return (
        _MODALITY_ORDER[template.modality],
        _KIND_ORDER[template.kind],
        template.title.casefold(),
        template.id,
    )


class Catalog:
    """Every usable template, built-in and the clinician's own, plus the files that failed."""

    def __init__(
        self,
        templates: Iterable[Template],
        broken: Iterable[BrokenFile] = (),
        user_ids: Iterable[str] = (),
    ) -> None:
        self._by_id: dict[str, Template] = {}
        for template in templates:
            if template.id in self._by_id:
                raise ValueError(f"duplicate template id '{template.id}'")
            self._by_id[template.id] = template
        self._sorted = tuple(sorted(self._by_id.values(), key=_sort_key))
        self._user_ids = frozenset(user_ids) & self._by_id.keys()
        self.broken: tuple[BrokenFile, ...] = tuple(broken)

    @property
    def templates(self) -> tuple[Template, ...]:
        """All usable templates, by modality, kind, then title."""
        return self._sorted

    def get(self, template_id: str) -> Template:
        try:
            return self._by_id[template_id]
        except KeyError:
            raise KeyError(f"unknown template '{template_id}'") from None

    def find(self, template_id: str) -> Template | None:
        return self._by_id.get(template_id)

    def __contains__(self, template_id: object) -> bool:
        return template_id in self._by_id

    def __iter__(self) -> Iterator[Template]:
        return iter(self._sorted)

    def __len__(self) -> int:
        return len(self._sorted)

    def is_user_template(self, template_id: str) -> bool:
        return template_id in self._user_ids

    def filter(
        self,
        modality: Modality | str | None = None,
        kind: Kind | str | None = None,
        tag: str | None = None,
    ) -> tuple[Template, ...]:
        """Templates matching every criterion given (``None`` matches anything)."""
        mod = Modality(modality) if modality is not None else None
        knd = Kind(kind) if kind is not None else None
        return tuple(
            t
            for t in self._sorted
            if (mod is None or t.modality is mod) and (knd is None or t.kind is knd) and (tag is None or tag in t.tags)
        )

    def structure_for(self, modality: Modality | str) -> Template | None:
        """The session-structure template for a modality (a built-in one if there are several)."""
        candidates = self.filter(modality=modality, kind=Kind.STRUCTURE)
        builtin = [t for t in candidates if t.id not in self._user_ids]
        ranked = builtin or list(candidates)
        return ranked[0] if ranked else None


def cross_template_problems(templates: Mapping[str, Template]) -> dict[str, TemplateError]:
    """Problems in references between templates, by template id.

    Run until nothing changes: a template that refers to one dropped as broken is broken too.
    """
    problems: dict[str, TemplateError] = {}
    while True:
        usable = {k: t for k, t in templates.items() if k not in problems}
        found = {tid: err for tid, t in usable.items() if (err := _reference_problem(t, usable)) is not None}
        if not found:
            return problems
        problems.update(found)


def _reference_problem(template: Template, usable: Mapping[str, Template]) -> TemplateError | None:
    for index, field in enumerate(template.fields):
        binding = field.prefill
        if binding is None:
            continue
        path = join_path(join_path("fields", index), "prefill")
        if binding.source is BindingSource.PREVIOUS:
            assert binding.template is not None and binding.field is not None
            other = usable.get(binding.template)
            if other is None:
                return TemplateError(join_path(path, "template"), f"unknown template '{binding.template}'")
            source_field = other.field(binding.field)
            if source_field is None or not source_field.is_input:
                return TemplateError(join_path(path, "field"), f"'{binding.field}' is not a field of {other.id}")
            if not can_carry(source_field.type, field.type):
                return TemplateError(
                    join_path(path, "field"),
                    f"{other.id}'s '{binding.field}' is a {source_field.type.value} field; "
                    f"it cannot fill a {field.type.value} field",
                )
            if field.type is FieldType.TABLE:
                shared = {c.id for c in field.columns} & {c.id for c in source_field.columns}
                if not shared:
                    return TemplateError(
                        join_path(path, "field"),
                        f"{other.id}'s '{binding.field}' shares no column id with this table",
                    )
        elif binding.source is BindingSource.TEXT:
            assert binding.text is not None
            for ref_id, ref_field in prefill_text_references(binding.text):
                other = usable.get(ref_id)
                if other is None:
                    return TemplateError(join_path(path, "text"), f"unknown template '{ref_id}'")
                if ref_field is not None and ((f := other.field(ref_field)) is None or not f.is_input):
                    return TemplateError(join_path(path, "text"), f"'{ref_field}' is not a field of {ref_id}")
    return None
