"""Input errors the GUI can show next to the field that caused them."""

from __future__ import annotations


class ClinicalInputError(ValueError):
    """A value given to a clinical rule is missing, malformed or out of range.

    ``field`` names the input (``"items[3]"``, ``"total"``, ``"min_weeks"``) so a
    form can highlight it; ``message`` is plain language for the clinician.
    """

    def __init__(self, field: str, message: str) -> None:
        super().__init__(f"{field}: {message}")
        self.field = field
        self.message = message


class MeasureInputError(ClinicalInputError):
    """Item scores or a total that cannot be scored for the chosen instrument."""


class TrialInputError(ClinicalInputError):
    """A treatment-trial record that contradicts itself (e.g. stop before start)."""


class SettingsError(ClinicalInputError):
    """A setting outside the range the published definitions allow."""
