"""Small builders every FHIR writer shares: validated resources, text codes, periods, notes."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any, TypeVar

from fhir.resources.R4B.resource import Resource

from trdplanner.clinical import Instrument
from trdplanner.core.records import PatientRecord
from trdplanner.export.fhir_codes import LOINC, LOINC_FORMS


class Builder:
    """Collects the bundle's entries, each under a urn:uuid the other resources refer to."""

    def __init__(self, record: PatientRecord) -> None:
        self.record = record
        self.code = record.profile.code
        self.entries: list[dict[str, Any]] = []

    def url(self, kind: str, index: int) -> str:
        # Stable across exports of the same record, so two exports can be compared.
        return uuid.uuid5(uuid.NAMESPACE_URL, f"trdplanner:{self.code}:{kind}:{index}").urn

    def add(self, url: str, resource: Resource) -> str:
        self.entries.append({"fullUrl": url, "resource": resource})
        return url


R = TypeVar("R", bound=Resource)


def make(cls: type[R], **fields: Any) -> R:
    """A validated resource; None fields are left out (FHIR has no nulls)."""
    return cls.model_validate({k: v for k, v in fields.items() if v is not None})


def text_code(text: str) -> dict[str, Any]:
    return {"text": text}


def loinc_code(code: str, display: str) -> dict[str, Any]:
    return {"coding": [{"system": LOINC, "code": code, "display": display}], "text": display}


def period(start: dt.date | None, end: dt.date | None) -> dict[str, str] | None:
    period = {k: v.isoformat() for k, v in (("start", start), ("end", end)) if v is not None}
    return period or None


def notes(*texts: str) -> list[dict[str, str]] | None:
    kept = [{"text": t} for t in texts if t.strip()]
    return kept or None


def target_measure(name: str) -> dict[str, Any]:
    # A plan target names an instrument by its key; an unknown key is kept as text, not guessed.
    try:
        return total_code(Instrument(name))
    except ValueError:
        return text_code(name)


def total_code(instrument: Instrument) -> dict[str, Any]:
    form = LOINC_FORMS.get(instrument)
    name = f"{instrument.display_name} total score"
    return loinc_code(form.total, name) if form else text_code(name)


def clean(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: clean(v) for k, v in value.items() if v is not None}
    return value
