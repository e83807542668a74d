"""Builders for trial records used across the clinical tests."""

from __future__ import annotations

from typing import Any

from trdplanner.clinical import Adherence, Outcome, TrialFacts, TrialKind

_counter = 0


def _next_id() -> str:
    global _counter
    _counter += 1
    return f"t{_counter}"


def ad_trial(**overrides: Any) -> TrialFacts:
    """An adequate (8 weeks, dose at 3x minimum, good adherence) failed antidepressant trial.

    Each call is a different agent unless ``agent`` is given: failures count per distinct agent.
    """
    trial_id = _next_id()
    fields: dict[str, Any] = {
        "id": trial_id,
        "kind": TrialKind.ANTIDEPRESSANT_MONOTHERAPY,
        "agent": f"drug-{trial_id}",
        "drug_class": "SSRI",
        "dose": 150,
        "min_effective_dose": 50,
        "weeks_at_adequate_dose": 8,
        "adherence": Adherence.GOOD,
        "outcome": Outcome.NON_RESPONSE,
    }
    fields.update(overrides)
    return TrialFacts(**fields)


def failed_class(drug_class: str | None, **overrides: Any) -> TrialFacts:
    return ad_trial(drug_class=drug_class, **overrides)


def ect_course(
    bilateral: bool | None, outcome: Outcome = Outcome.NON_RESPONSE, **kw: Any
) -> TrialFacts:
    return TrialFacts(
        id=_next_id(),
        kind=TrialKind.ECT,
        agent="ECT",
        ect_bilateral=bilateral,
        clinician_judged_adequate=True,
        outcome=outcome,
        **kw,
    )


def augmentation(**overrides: Any) -> TrialFacts:
    fields: dict[str, Any] = {
        "kind": TrialKind.AUGMENTATION,
        "agent": "lithium",
        "drug_class": "lithium",
        "dose": 800,
        "min_effective_dose": 400,
    }
    fields.update(overrides)
    return ad_trial(**fields)
