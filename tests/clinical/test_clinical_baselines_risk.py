"""Issue 14: change from the episode's (or treatment's) baseline, and a risk flag that never quietly clears.

STAR*D and NCQA/HEDIS measure response from the treatment's baseline; the clinical reference's
item-9 rule and the project brief say a positive suicidality item is never cleared by a later
score that does not answer it.
"""

from __future__ import annotations

from datetime import date, timedelta

from hypothesis import given, settings
from hypothesis import strategies as st

from trdplanner.clinical import (
    BaselineKind,
    EpisodeWindow,
    ScorePoint,
    SuicidalityObservation,
    TreatmentWindow,
    change,
    choose_baseline,
    response_criterion,
    risk_flag,
    spec,
)


def points(*pairs: tuple[date, int]) -> list[ScorePoint]:
    return [ScorePoint(str(i), d, total) for i, (d, total) in enumerate(pairs)]


EPISODES = [EpisodeWindow(1, date(2023, 1, 1), date(2023, 12, 31)), EpisodeWindow(2, date(2025, 1, 1))]


def test_the_audit_case_22_to_11_is_a_response_within_the_current_episode() -> None:
    history = points((date(2023, 3, 1), 6), (date(2025, 1, 10), 22), (date(2025, 3, 1), 11))
    first_of_episode = choose_baseline("PHQ-9", history, 1, EPISODES)
    assert first_of_episode.kind is BaselineKind.IS_BASELINE  # not "reliable deterioration" against 6
    b = choose_baseline("PHQ-9", history, 2, EPISODES)
    assert b.kind is BaselineKind.EPISODE and b.total == 22
    assert b.label == "the first PHQ-9 of episode 2 (onset 2025-01-01), 22 on 2025-01-10"
    c = change("phq9", b.total or 0, 11, baseline_label=b.label)
    assert c.response is True
    assert c.explanation.startswith("Baseline: the first PHQ-9 of episode 2 (onset 2025-01-01), 22 on 2025-01-10.")


def test_a_score_from_an_earlier_episode_is_never_the_baseline() -> None:
    history = points((date(2023, 3, 1), 6), (date(2025, 2, 1), 20))
    b = choose_baseline("PHQ-9", history, 1, EPISODES)
    assert b.point is None


def test_a_score_between_episodes_is_shown_but_not_compared() -> None:
    history = points((date(2023, 3, 1), 6), (date(2024, 6, 1), 9))
    b = choose_baseline("PHQ-9", history, 1, EPISODES)
    assert b.kind is BaselineKind.OUTSIDE_EPISODES and b.point is None


def test_treatment_baseline_is_the_last_score_before_the_treatment_began() -> None:
    history = points((date(2025, 1, 10), 24), (date(2025, 3, 1), 20), (date(2025, 5, 1), 9))
    treatments = [TreatmentWindow("sertraline", date(2025, 1, 15), date(2025, 2, 28)),
                  TreatmentWindow("venlafaxine", date(2025, 3, 2))]
    b = choose_baseline("PHQ-9", history, 2, EPISODES, treatments)
    assert b.kind is BaselineKind.TREATMENT and b.total == 20
    assert "before venlafaxine began on 2025-03-02" in b.label


def test_without_an_episode_onset_the_first_score_on_file_is_named_as_such() -> None:
    history = points((date(2025, 1, 10), 24), (date(2025, 3, 1), 12))
    b = choose_baseline("PHQ-9", history, 1, [EpisodeWindow(1, None)])
    assert b.kind is BaselineKind.FIRST_ON_FILE
    assert "no episode onset recorded" in b.label


def test_response_labels_name_only_the_sources_that_define_them() -> None:
    assert "HEDIS" in response_criterion("phq9").provenance.source
    assert "STAR*D" in response_criterion("qids_sr16").provenance.source
    for inst in ("madrs", "bdi2", "hamd17", "gad7"):
        source = response_criterion(inst).provenance.source
        assert "STAR*D" not in source and "HEDIS" not in source


def test_hamd17_bands_cite_a_source() -> None:
    assert "Zimmerman et al. 2013" in spec("hamd17").severity_source


# ---------------------------------------------------------------- risk

D = date(2025, 3, 1)


def obs(days: int, item: int | None, instrument: str = "PHQ-9", acknowledged: bool = True) -> SuicidalityObservation:
    return SuicidalityObservation(D + timedelta(days=days), instrument, item, acknowledged)


def test_a_total_only_score_after_an_acknowledged_positive_keeps_the_flag() -> None:
    """The audit's case: the flag turned off and the risk filter dropped the patient."""
    flag = risk_flag([obs(0, 2), obs(14, None)])
    assert flag.raised and flag.open_alerts == 0
    assert "stays flagged until a completed risk review" in flag.explanation


def test_a_later_item_at_zero_clears_the_flag() -> None:
    flag = risk_flag([obs(0, 1), obs(14, 0, "QIDS-SR16")])
    assert not flag.raised
    assert "QIDS-SR16" in flag.explanation


def test_a_completed_review_on_or_after_the_positive_clears_it() -> None:
    assert not risk_flag([obs(0, 1)], [D]).raised
    assert risk_flag([obs(0, 1)], [D - timedelta(days=1)]).raised  # a review before the score reviewed nothing


def test_an_unacknowledged_alert_keeps_the_flag_whatever_followed() -> None:
    flag = risk_flag([obs(0, 3, acknowledged=False), obs(7, 0)], [D + timedelta(days=10)])
    assert flag.raised and flag.open_alerts == 1


def test_a_new_positive_after_a_review_raises_it_again() -> None:
    assert risk_flag([obs(0, 1), obs(20, 1)], [D + timedelta(days=5)]).raised


observation_lists = st.lists(
    st.tuples(st.integers(0, 200), st.one_of(st.none(), st.integers(0, 3)), st.booleans()), max_size=12
).map(lambda xs: [obs(d, item, acknowledged=ack) for d, item, ack in sorted(xs, key=lambda x: x[0])])


@settings(max_examples=300, deadline=None)
@given(observation_lists, st.integers(0, 30), st.lists(st.integers(0, 250), max_size=3))
def test_an_unknown_item_never_clears_a_risk_flag(
    observations: list[SuicidalityObservation], later: int, review_days: list[int]
) -> None:
    reviews = [D + timedelta(days=d) for d in review_days]
    before = risk_flag(observations, reviews)
    last_day = observations[-1].taken_on if observations else D
    after = risk_flag([*observations, SuicidalityObservation(last_day + timedelta(days=later), "BDI-II", None)],
                      reviews)
    if before.raised:
        assert after.raised
