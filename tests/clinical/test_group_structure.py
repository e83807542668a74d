"""The group course structures: the MBCT weeks, the DBT skills cycle, the open frame for others."""

from __future__ import annotations

import pytest

from trdplanner.clinical.group_structure import GENERAL_AGENDA, MBCT, meeting_plan


def test_mbct_runs_eight_weeks_and_teaches_the_breathing_space_from_week_three() -> None:
    assert len(MBCT.weeks) == 8
    assert not any("breathing space" in item for item in meeting_plan("mbct", 2).agenda)
    assert "Three-minute breathing space" in meeting_plan("mbct", 3).agenda
    assert meeting_plan("mbct", 8).theme == "Maintaining and extending new learning"
    assert meeting_plan("mbct", 9).theme == meeting_plan("mbct", 8).theme  # an extra meeting keeps the last week


def test_dbt_skills_modules_run_in_a_cycle_with_diary_cards_every_week() -> None:
    first, eleventh = meeting_plan("dbt", 1), meeting_plan("dbt", 11)
    assert first.theme == eleventh.theme == "Mindfulness: wise mind"
    assert all("dbt-diary-card" in meeting_plan("dbt", n).homework for n in range(1, 11))
    assert meeting_plan("dbt", 9).theme.startswith("Interpersonal effectiveness")


def test_another_modality_gets_the_open_frame_and_numbers_start_at_one() -> None:
    assert meeting_plan("cbt", 4).agenda == GENERAL_AGENDA
    with pytest.raises(ValueError):
        meeting_plan("mbct", 0)
