"""Which thresholds rest on a confirmed published source and which do not.

The clinical reference marks some cut-offs [unverified]. Those are settings, and
each setting carries its provenance in the dataclass field metadata so the UI can
list them and say plainly which ones are conventions rather than confirmed rules.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from typing import Any

PROVENANCE_KEY = "provenance"


@dataclass(frozen=True)
class Provenance:
    """Where a threshold comes from and whether a second source confirmed it."""

    verified: bool
    source: str
    note: str = ""

    @property
    def label(self) -> str:
        """Short tag for the UI: ``"verified"`` or ``"unverified"``."""
        return "verified" if self.verified else "unverified"


@dataclass(frozen=True)
class SettingNote:
    """One setting's current value together with its provenance."""

    name: str
    value: object
    verified: bool
    source: str
    note: str


def sourced(default: Any, provenance: Provenance) -> Any:
    """A dataclass field whose default carries its provenance in metadata."""
    return dataclasses.field(default=default, metadata={PROVENANCE_KEY: provenance})


def provenance_of(settings_cls: Any, name: str) -> Provenance:
    """The provenance recorded on one field of a settings dataclass."""
    for f in dataclasses.fields(settings_cls):
        if f.name == name:
            prov = f.metadata.get(PROVENANCE_KEY)
            if isinstance(prov, Provenance):
                return prov
    raise KeyError(f"{name} has no recorded provenance")


def setting_notes(settings: Any) -> tuple[SettingNote, ...]:
    """Every sourced setting of a settings dataclass instance, in field order."""
    notes: list[SettingNote] = []
    for f in dataclasses.fields(settings):
        prov = f.metadata.get(PROVENANCE_KEY)
        if isinstance(prov, Provenance):
            notes.append(
                SettingNote(
                    name=f.name,
                    value=getattr(settings, f.name),
                    verified=prov.verified,
                    source=prov.source,
                    note=prov.note,
                )
            )
    return tuple(notes)


def unverified_settings(settings: Any) -> tuple[SettingNote, ...]:
    """The settings whose default the clinical reference could not confirm."""
    return tuple(n for n in setting_notes(settings) if not n.verified)
