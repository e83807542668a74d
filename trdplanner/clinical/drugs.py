"""The drug table as the clinical rules see it: identity, class and minimum effective dose.

The table itself is data (``resources/drugs/antidepressants.yaml``), loaded and validated
outside this package (:mod:`trdplanner.catalog.drugs`) and passed in as a :class:`DrugTable`.
Here live only the plain records and the two questions the rules ask of them: which agent is
this free text (generic or brand name), and what is the canonical spelling of a class.

A trial whose agent the table does not know is still assessed on what was recorded, but the
explanation names it as an "unrecognised agent" so a misspelling or an unlisted drug is seen.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from enum import StrEnum


class DrugRole(StrEnum):
    """What the drug is in the trial ledger."""

    ANTIDEPRESSANT = "antidepressant"
    AUGMENTATION = "augmentation"


@dataclass(frozen=True)
class DoseSource:
    """A minimum effective daily dose and where it comes from.

    ``verified`` is False where a second source did not confirm the value (shown as
    [unverified]); the dose is then a default the clinician may override, and every
    explanation that uses it names the source.
    """

    source: str
    verified: bool
    note: str = ""
    references: tuple[str, ...] = ()

    @property
    def label(self) -> str:
        return "verified" if self.verified else "unverified"


@dataclass(frozen=True)
class Drug:
    """One agent: generic name, brand names, canonical class, route and minimum dose.

    ``min_dose`` is ``None`` where no source gives a usable threshold (the clinician enters
    one with a reason); ``dose_unit`` is the unit of a daily dose (``mg/day``).
    """

    name: str
    drug_class: str
    role: DrugRole
    route: str
    min_dose: float | None
    dose_unit: str
    dose_source: DoseSource
    brands: tuple[str, ...] = ()

    @property
    def min_dose_text(self) -> str:
        if self.min_dose is None:
            return "no minimum effective dose in the table"
        tag = "" if self.dose_source.verified else " [unverified]"
        return f"{self.min_dose:g} {self.dose_unit} ({self.dose_source.source}){tag}"


# Formulation words and doses people type after a name: "Venlafaxine XL 150 mg" is venlafaxine.
_SUFFIX = re.compile(
    r"(\s+(xl|xr|sr|cr|er|la|ods|odt|retard|modified release|extended release|hcl|hydrochloride|"
    r"nasal spray|spray|tablets?|capsules?|oral solution|patch|"
    r"\d+(\.\d+)?\s*(mg|mcg|µg|microgram|micrograms)?(/day|/d| daily)?))+$"
)


def fold(text: str) -> str:
    """Lookup key: case-folded, single-spaced, without trailing formulation words or doses."""
    cleaned = " ".join(text.replace("®", "").replace("™", "").split()).casefold()
    return _SUFFIX.sub("", cleaned).strip()


@dataclass(frozen=True)
class DrugTable:
    """Every agent the ledger knows, with the canonical class list and its aliases.

    Build it with :meth:`from_drugs`; lookups are by generic or brand name, ignoring case,
    spacing and a trailing formulation or dose ("Sertraline 100mg" is sertraline).
    """

    drugs: tuple[Drug, ...]
    classes: tuple[str, ...]
    source_file: str = ""
    _by_name: Mapping[str, Drug] = field(default_factory=dict, repr=False, compare=False)
    _class_by_alias: Mapping[str, str] = field(default_factory=dict, repr=False, compare=False)

    @classmethod
    def from_drugs(
        cls,
        drugs: Iterable[Drug],
        classes: Iterable[str],
        class_aliases: Mapping[str, str] | None = None,
        source_file: str = "",
    ) -> DrugTable:
        drugs = tuple(drugs)
        classes = tuple(classes)
        by_name: dict[str, Drug] = {}
        for d in drugs:
            for name in (d.name, *d.brands):
                key = fold(name)
                other = by_name.get(key)
                if other is not None and other is not d:
                    raise ValueError(f"{name!r} names both {other.name} and {d.name}")
                by_name[key] = d
        aliases = {c.casefold(): c for c in classes}
        for alias, target in (class_aliases or {}).items():
            if target not in classes:
                raise ValueError(f"class alias {alias!r} points to unknown class {target!r}")
            aliases[" ".join(alias.split()).casefold()] = target
        return cls(drugs, classes, source_file, by_name, aliases)

    def lookup(self, agent: str | None) -> Drug | None:
        """The table's drug for a generic or brand name, or ``None`` when it is not listed."""
        if not agent:
            return None
        return self._by_name.get(fold(agent))

    def canonical_class(self, value: str | None) -> str | None:
        """Canonical class for a recorded class (``"SSRIs"`` → ``"SSRI"``), or ``None`` if unknown."""
        if not value:
            return None
        key = " ".join(value.split()).casefold()
        if key in self._class_by_alias:
            return self._class_by_alias[key]
        if key.endswith("s") and key[:-1] in self._class_by_alias:
            return self._class_by_alias[key[:-1]]
        return None

    def names(self, role: DrugRole | None = None) -> tuple[str, ...]:
        """Generic names (for autocompletion), optionally only one role."""
        return tuple(d.name for d in self.drugs if role is None or d.role is role)

    def completions(self) -> tuple[str, ...]:
        """Generic and brand names, each once, for an autocompleting text field."""
        seen: list[str] = []
        for d in self.drugs:
            for n in (d.name, *d.brands):
                if n not in seen:
                    seen.append(n)
        return tuple(seen)
