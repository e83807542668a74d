"""Next-step prompts apply the clinical rules from clinical/, with their published boundaries.

Response ≥50%, partial response 25-49% (EU-PEARL), non-response <25% (clinical reference §3);
PHQ-9 remission is a total below 5 (NCQA/HEDIS). No Qt and no database here.
"""

from __future__ import annotations

import datetime as dt

import pytest

from trdplanner.clinical import TrdStatusKind
from trdplanner.core.guidance import suggest
from trdplanner.core.records import MeasureRec, TrialRec

TODAY = dt.date(2026, 6, 1)
START = TODAY - dt.timedelta(weeks=10)


def _steps(base: int, latest: int, kind: str = "antidepressant_monotherapy") -> list[str]:
    trial = TrialRec(kind=kind, agent="Sertraline", start=START)
    measures = [MeasureRec("phq9", START - dt.timedelta(days=1), base), MeasureRec("phq9", TODAY, latest)]
    return [s.text for s in suggest(trials=[trial], measures=measures, risk=[], trd=TrdStatusKind.NOT_TRD,
                                    missing=[], stage="", plan=None, today=TODAY)]


@pytest.mark.parametrize(("base", "latest", "expected"), [
    (20, 16, "No response"),  # 20% better
    (20, 15, "Partial response"),  # exactly 25%: partial, not none
    (20, 11, "Partial response"),  # 45%
    (20, 10, None),  # exactly 50%: response, nothing to prompt
])
def test_response_boundaries_are_the_clinical_definition(base: int, latest: int, expected: str | None) -> None:
    found = [t for t in _steps(base, latest) if "response" in t]
    if expected is None:
        assert found == []
    else:
        assert len(found) == 1 and found[0].startswith(f"{expected} after 10 weeks on Sertraline")


def test_every_dosed_kind_is_followed_and_a_psychotherapy_course_is_not() -> None:
    for kind in ("antidepressant_monotherapy", "switch", "combination", "augmentation"):
        assert any(t.startswith("No response") for t in _steps(20, 19, kind)), kind
    assert not any("response" in t for t in _steps(20, 19, "psychotherapy"))


@pytest.mark.parametrize(("latest", "remission"), [(4, True), (5, False)])
def test_phq9_remission_is_below_five(latest: int, remission: bool) -> None:
    assert any("remission range" in t for t in _steps(6, latest)) is remission
