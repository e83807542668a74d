"""Typed preferences with defaults, stored as JSON in the data dir.

Clinical thresholds that the clinical reference marks as unverified are settings
here, so a practice can align them with its own policy; the UI labels them as such.
"""

from __future__ import annotations

import json
import logging
from dataclasses import asdict, dataclass, fields, replace
from enum import StrEnum
from pathlib import Path
from typing import Any

from trdplanner.clinical import ChangeSettings, TrdSettings
from trdplanner.clinical.courses import CourseSettings
from trdplanner.clinical.errors import ClinicalInputError
from trdplanner.core.fileio import write_text_atomic

log = logging.getLogger(__name__)


class PageSize(StrEnum):
    A4 = "A4"
    LETTER = "Letter"


class PrintIdentity(StrEnum):
    """How a patient is identified on printed pages."""

    CODE = "code"
    NAME = "name"
    INITIALS = "initials"


class SettingsError(ValueError):
    pass


@dataclass(frozen=True)
class Settings:
    page_size: PageSize = PageSize.A4
    print_identity: PrintIdentity = PrintIdentity.CODE
    # NHS Talking Therapies uses 6; Löwe 2004 supports 5.
    phq9_reliable_change: int = 6
    # The TRD consensus allows 4 to 6 weeks at an adequate dose.
    adequacy_weeks: int = 4
    # Count 25-49% improvement (EU-PEARL "partial response") as a failed trial.
    partial_response_counts_as_failure: bool = False
    partial_adherence_is_adequate: bool = False
    # The ATHF convention discounts trials stopped for intolerance; True counts them as failures.
    intolerance_stop_counts_as_failure: bool = False
    # Remission cut-offs (highest total that still counts) the clinical reference marks as unverified.
    gad7_remission_max: int = 4
    madrs_remission_max: int = 10
    bdi2_remission_max: int = 12
    # Interventional courses (clinical/courses.py): minimum sessions for an adequate ECT or TMS
    # course (unverified conventions) and when an integration session follows a ketamine dose.
    ect_min_treatments: int = 8
    tms_min_sessions: int = 20
    integration_after_hours: int = 24
    integration_within_hours: int = 72
    autosave_seconds: int = 5
    lock_after_minutes: int = 10
    backups_to_keep: int = 10
    pdf_name_in_metadata: bool = False

    def validate(self) -> Settings:
        checks: list[tuple[str, bool, str]] = [
            ("autosave_seconds", 1 <= self.autosave_seconds <= 60, "must be 1 to 60 seconds"),
            ("lock_after_minutes", 1 <= self.lock_after_minutes <= 240, "must be 1 to 240 minutes"),
            ("backups_to_keep", 1 <= self.backups_to_keep <= 100, "must be 1 to 100"),
        ]
        for name, ok, problem in checks:
            if not ok:
                raise SettingsError(f"{name}: {problem}, got {getattr(self, name)!r}")
        try:  # the clinical layer owns the ranges of its own thresholds
            self.trd_settings()
            self.change_settings()
            self.course_settings()
        except ClinicalInputError as exc:
            raise SettingsError(str(exc)) from exc
        return self

    def trd_settings(self) -> TrdSettings:
        return TrdSettings(
            min_weeks=self.adequacy_weeks,
            partial_response_counts_as_failure=self.partial_response_counts_as_failure,
            partial_adherence_is_adequate=self.partial_adherence_is_adequate,
            intolerance_stop_counts_as_failure=self.intolerance_stop_counts_as_failure,
        )

    def course_settings(self) -> CourseSettings:
        return CourseSettings(
            ect_min_treatments=self.ect_min_treatments,
            tms_min_sessions=self.tms_min_sessions,
            integration_after_hours=self.integration_after_hours,
            integration_within_hours=self.integration_within_hours,
        )

    def change_settings(self) -> ChangeSettings:
        return ChangeSettings(
            phq9_reliable_change=self.phq9_reliable_change,
            gad7_remission_max=self.gad7_remission_max,
            madrs_remission_max=self.madrs_remission_max,
            bdi2_remission_max=self.bdi2_remission_max,
        )

    def to_dict(self) -> dict[str, Any]:
        return {k: (str(v) if isinstance(v, StrEnum) else v) for k, v in asdict(self).items()}

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Settings:
        known = {f.name: f for f in fields(cls)}
        values: dict[str, Any] = {}
        for key, raw in data.items():
            if key not in known:
                continue  # a newer version's setting; keep the file readable
            default = getattr(cls(), key)
            try:
                if isinstance(default, StrEnum):
                    values[key] = type(default)(raw)
                elif isinstance(default, bool):
                    if not isinstance(raw, bool):
                        raise TypeError
                    values[key] = raw
                else:
                    values[key] = type(default)(raw)
            except (TypeError, ValueError) as exc:
                raise SettingsError(f"{key}: invalid value {raw!r}") from exc
        return replace(cls(), **values).validate()


def load_settings(path: Path) -> Settings:
    """Read settings; a missing file gives the defaults, a damaged one is reported and ignored."""
    if not path.exists():
        return Settings()
    try:
        from trdplanner.core.intake import read_json_file  # the shared door: bounded, strict

        data = read_json_file(path, 1024 * 1024, field="settings")
        if not isinstance(data, dict):
            raise SettingsError("the file does not hold a JSON object")
        return Settings.from_dict(data)
    except (OSError, ValueError) as exc:
        log.warning("Settings file %s could not be used (%s); using defaults", path, exc)
        return Settings()


def save_settings(path: Path, settings: Settings) -> None:
    settings.validate()
    write_text_atomic(path, json.dumps(settings.to_dict(), indent=2, sort_keys=True) + "\n")
