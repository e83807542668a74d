"""Response, remission, reliable change and recovery (clinical reference §2)."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from trdplanner.clinical import (
    ChangeSettings,
    Instrument,
    MeasureInputError,
    SettingsError,
    change,
    iapt_recovery,
    reliable_change_criterion,
    remission_criterion,
    setting_notes,
    spec,
    unverified_settings,
)

# ---------------------------------------------------------------- response (>=50% drop)


@pytest.mark.parametrize("instrument", list(Instrument))
def test_response_exactly_at_50_percent_drop(instrument: Instrument) -> None:
    """Response is a drop of at least 50% from baseline: 20 -> 10 is a response."""
    c = change(instrument, 20, 10)
    assert c.response is True
    assert c.percent_change == pytest.approx(-50.0)
    assert c.delta == -10


@pytest.mark.parametrize(
    ("baseline", "current", "response"),
    [
        (20, 11, False),  # 45%
        (15, 7, True),  # 53.3%
        (15, 8, False),  # 46.7%: no rounding up to 50%
        (1, 0, True),  # 100%
        (10, 12, False),  # worse
    ],
)
def test_response_boundaries_on_odd_baselines(baseline: int, current: int, response: bool) -> None:
    assert change(Instrument.PHQ9, baseline, current).response is response


def test_response_not_assessable_from_a_zero_baseline() -> None:
    c = change(Instrument.PHQ9, 0, 0)
    assert c.response is None
    assert c.percent_change is None
    assert "not assessable" in c.explanation


# ---------------------------------------------------------------- remission


@pytest.mark.parametrize(
    ("instrument", "in_remission", "not_in_remission"),
    [
        (Instrument.PHQ9, 4, 5),  # PHQ-9 <5 (NCQA/HEDIS)
        (Instrument.QIDS_SR16, 5, 6),  # QIDS-SR <=5 (STAR*D)
        (Instrument.HAMD17, 7, 8),  # HAM-D17 <=7 (Frank et al. 1991)
        (Instrument.GAD7, 4, 5),  # GAD-7 <5 by convention [unverified]
        (Instrument.MADRS, 10, 11),  # MADRS <=10 convention [unverified]
        (Instrument.BDI2, 12, 13),  # BDI-II <=12 [unverified]
    ],
)
def test_remission_boundaries_with_default_settings(
    instrument: Instrument, in_remission: int, not_in_remission: int
) -> None:
    assert change(instrument, 20, in_remission).remission is True
    assert change(instrument, 20, not_in_remission).remission is False


@pytest.mark.parametrize(
    ("instrument", "verified"),
    [
        (Instrument.PHQ9, True),
        (Instrument.QIDS_SR16, True),
        (Instrument.HAMD17, True),
        (Instrument.GAD7, False),
        (Instrument.MADRS, False),
        (Instrument.BDI2, False),
    ],
)
def test_remission_criterion_reports_whether_it_is_verified(
    instrument: Instrument, verified: bool
) -> None:
    crit = change(instrument, 20, 3).remission_criterion
    assert crit.verified is verified
    assert crit.provenance.label == ("verified" if verified else "unverified")
    assert ("convention, not a confirmed standard" in change(instrument, 20, 3).explanation) is (
        not verified
    )


def test_phq9_remission_is_described_as_below_5() -> None:
    assert remission_criterion(Instrument.PHQ9).description == "PHQ-9 total below 5"


def test_unverified_remission_cutoffs_follow_settings() -> None:
    settings = ChangeSettings(gad7_remission_max=5, madrs_remission_max=9, bdi2_remission_max=13)
    assert change(Instrument.GAD7, 20, 5, settings).remission is True
    assert change(Instrument.MADRS, 20, 10, settings).remission is False
    assert change(Instrument.BDI2, 20, 13, settings).remission is True
    assert remission_criterion(Instrument.MADRS, settings).threshold == 9


def test_unverified_settings_are_listed_for_the_ui() -> None:
    names = [n.name for n in unverified_settings(ChangeSettings())]
    assert names == ["gad7_remission_max", "madrs_remission_max", "bdi2_remission_max"]
    notes = {n.name: n for n in setting_notes(ChangeSettings(phq9_reliable_change=5))}
    assert notes["phq9_reliable_change"].verified
    assert notes["phq9_reliable_change"].value == 5
    assert all(n.source for n in notes.values())


# ---------------------------------------------------------------- reliable change


@pytest.mark.parametrize(
    ("baseline", "current", "improved", "deteriorated"),
    [
        (15, 10, False, False),  # drop of 5: below the default 6
        (15, 9, True, False),  # drop of 6: NHS Talking Therapies reliable improvement
        (9, 14, False, False),  # rise of 5
        (9, 15, False, True),  # rise of 6: symmetric reliable deterioration
    ],
)
def test_phq9_reliable_change_default_6(
    baseline: int, current: int, improved: bool, deteriorated: bool
) -> None:
    c = change(Instrument.PHQ9, baseline, current)
    assert (c.reliable_improvement, c.reliable_deterioration) == (improved, deteriorated)
    assert c.reliable_change_criterion is not None
    assert c.reliable_change_criterion.threshold == 6


def test_phq9_reliable_change_setting_5_counts_a_drop_of_5() -> None:
    """Löwe et al. 2004: 5 points (2 SEM); allowed as a setting."""
    settings = ChangeSettings(phq9_reliable_change=5)
    assert change(Instrument.PHQ9, 15, 10, settings).reliable_improvement is True
    assert change(Instrument.PHQ9, 15, 11, settings).reliable_improvement is False
    assert change(Instrument.PHQ9, 10, 15, settings).reliable_deterioration is True


@pytest.mark.parametrize(
    ("baseline", "current", "improved", "deteriorated"),
    [(12, 9, False, False), (12, 8, True, False), (8, 11, False, False), (8, 12, False, True)],
)
def test_gad7_reliable_change_is_4(
    baseline: int, current: int, improved: bool, deteriorated: bool
) -> None:
    """NHS Talking Therapies: GAD-7 change of 4 or more."""
    c = change(Instrument.GAD7, baseline, current)
    assert (c.reliable_improvement, c.reliable_deterioration) == (improved, deteriorated)


@pytest.mark.parametrize(
    "instrument", [Instrument.QIDS_SR16, Instrument.HAMD17, Instrument.MADRS, Instrument.BDI2]
)
def test_reliable_change_undefined_elsewhere(instrument: Instrument) -> None:
    c = change(instrument, 20, 2)
    assert c.reliable_improvement is None
    assert c.reliable_deterioration is None
    assert c.reliable_change_criterion is None
    assert reliable_change_criterion(instrument) is None
    assert "not defined" in c.explanation


# ---------------------------------------------------------------- input checks


@pytest.mark.parametrize("value", [4, 7, 0, True])
def test_phq9_reliable_change_must_be_5_or_6(value: int) -> None:
    with pytest.raises(SettingsError) as err:
        ChangeSettings(phq9_reliable_change=value)
    assert err.value.field == "phq9_reliable_change"


@pytest.mark.parametrize(
    ("field", "value"),
    [("gad7_remission_max", 22), ("madrs_remission_max", -1), ("bdi2_remission_max", 12.5)],
)
def test_remission_settings_must_be_inside_the_total_range(field: str, value: object) -> None:
    with pytest.raises(SettingsError) as err:
        ChangeSettings(**{field: value})  # type: ignore[arg-type]
    assert err.value.field == field


def test_change_rejects_bad_totals_naming_which_one() -> None:
    with pytest.raises(MeasureInputError) as err:
        change(Instrument.PHQ9, 28, 3)
    assert str(err.value) == "baseline_total: must be 0 to 27, got 28"
    with pytest.raises(MeasureInputError) as err:
        change(Instrument.MADRS, 30, -1)
    assert str(err.value) == "current_total: must be 0 to 60, got -1"
    with pytest.raises(MeasureInputError) as err:
        change("nope", 1, 1)
    assert err.value.field == "instrument"


@given(st.sampled_from(list(Instrument)), st.data())
def test_change_never_crashes_and_is_consistent(
    instrument: Instrument, data: st.DataObject
) -> None:
    top = spec(instrument).total_max
    base = data.draw(st.integers(0, top))
    cur = data.draw(st.integers(0, top))
    c = change(instrument, base, cur)
    assert c.delta == cur - base
    if base:
        assert c.response == (c.percent_change is not None and c.percent_change <= -50)
    if c.reliable_improvement is not None:
        assert not (c.reliable_improvement and c.reliable_deterioration)


# ---------------------------------------------------------------- recovery


@pytest.mark.parametrize(
    ("phq", "gad", "caseness", "recovered"),
    [
        ((12, 8), (9, 7), True, True),  # from caseness to below both cut-offs
        ((12, 8), (9, 8), True, False),  # GAD-7 still at caseness (>=8)
        ((10, 9), (3, 3), True, True),  # PHQ-9 10 is caseness
        ((12, 10), (9, 3), True, False),  # PHQ-9 now 10: still caseness
        ((9, 3), (7, 3), False, None),  # neither at caseness at baseline
        ((3, 3), (8, 2), True, True),  # GAD-7 8 alone is caseness
    ],
)
def test_iapt_recovery(
    phq: tuple[int, int], gad: tuple[int, int], caseness: bool, recovered: bool | None
) -> None:
    """NHS Talking Therapies: caseness PHQ-9 >=10 or GAD-7 >=8, recovery below both."""
    r = iapt_recovery(phq[0], phq[1], gad[0], gad[1])
    assert r.caseness_at_baseline is caseness
    assert r.recovered is recovered
    assert r.provenance.verified


def test_iapt_recovery_validates_totals() -> None:
    with pytest.raises(MeasureInputError) as err:
        iapt_recovery(10, 5, 22, 3)
    assert err.value.field == "gad7_baseline"
