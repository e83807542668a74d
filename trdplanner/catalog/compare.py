"""What replacing an instance's stored answers with new ones would clear or change.

Reading a filled worksheet back replaces the stored answers; before it does, the command line
and the window list every stored answer the file would clear or change and ask (rule 3:
nothing is lost without the user being shown what and asked). Answers the file only adds are
not differences: nothing is lost by them.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from trdplanner.catalog.instances import is_blank, validate_instance
from trdplanner.catalog.model import FieldType, Template
from trdplanner.catalog.summaries import display_value


@dataclass(frozen=True)
class Difference:
    """One stored answer the new values would clear or change."""

    path: str  # field id, or "table:row:column" (row counted from 1)
    label: str  # what a person calls it: "Urges, row 2: Self-harm"
    stored: str  # the stored answer as displayed
    new: str  # the new answer as displayed ("" when cleared)

    @property
    def cleared(self) -> bool:
        return self.new == ""

    def describe(self) -> str:
        if self.cleared:
            return f"{self.label}: '{self.stored}' would be cleared"
        return f"{self.label}: '{self.stored}' would become '{self.new}'"


def differences(template: Template, stored: Mapping[str, Any], new: Mapping[str, Any]) -> list[Difference]:
    """Every stored answer that ``new`` clears or changes, in template order (both are cleaned first)."""
    old = validate_instance(template, stored, partial=True)
    now = validate_instance(template, new, partial=True)
    out: list[Difference] = []
    for fld in template.input_fields:
        before, after = old[fld.key], now[fld.key]
        if fld.type is not FieldType.TABLE:
            if not is_blank(before) and before != after:
                out.append(Difference(fld.key, fld.label, display_value(fld, before), display_value(fld, after)))
            continue
        for r, row in enumerate(before):
            other = after[r] if r < len(after) else {}
            row_name = fld.fixed_rows[r] if r < len(fld.fixed_rows) else f"row {r + 1}"
            for column in fld.columns:
                was, now_value = row.get(column.id), other.get(column.id)
                if not is_blank(was) and was != now_value:
                    out.append(
                        Difference(
                            f"{fld.key}:{r + 1}:{column.id}",
                            f"{fld.label}, {row_name}: {column.label}",
                            display_value(column, was),
                            "" if is_blank(now_value) else display_value(column, now_value),
                        )
                    )
    return out
