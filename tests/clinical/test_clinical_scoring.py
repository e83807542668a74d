"""Scoring, severity bands, the item-9 rule and validation (clinical reference §2)."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from trdplanner.clinical import (
    FLAG_TEXT,
    Instrument,
    MeasureInputError,
    ScoreFlag,
    qids_domains,
    score,
    spec,
    validate,
)

# Every band edge from the measures table: (instrument, total, expected label).
BAND_EDGES = [
    # PHQ-9: 0-4 minimal; 5-9 mild; 10-14 moderate; 15-19 moderately severe; 20-27 severe
    (Instrument.PHQ9, 0, "Minimal"),
    (Instrument.PHQ9, 4, "Minimal"),
    (Instrument.PHQ9, 5, "Mild"),
    (Instrument.PHQ9, 9, "Mild"),
    (Instrument.PHQ9, 10, "Moderate"),
    (Instrument.PHQ9, 14, "Moderate"),
    (Instrument.PHQ9, 15, "Moderately severe"),
    (Instrument.PHQ9, 19, "Moderately severe"),
    (Instrument.PHQ9, 20, "Severe"),
    (Instrument.PHQ9, 27, "Severe"),
    # GAD-7: 0-4 minimal; 5-9 mild; 10-14 moderate; 15-21 severe
    (Instrument.GAD7, 0, "Minimal"),
    (Instrument.GAD7, 4, "Minimal"),
    (Instrument.GAD7, 5, "Mild"),
    (Instrument.GAD7, 9, "Mild"),
    (Instrument.GAD7, 10, "Moderate"),
    (Instrument.GAD7, 14, "Moderate"),
    (Instrument.GAD7, 15, "Severe"),
    (Instrument.GAD7, 21, "Severe"),
    # QIDS-SR16: 0-5 none; 6-10 mild; 11-15 moderate; 16-20 severe; 21-27 very severe
    (Instrument.QIDS_SR16, 0, "None"),
    (Instrument.QIDS_SR16, 5, "None"),
    (Instrument.QIDS_SR16, 6, "Mild"),
    (Instrument.QIDS_SR16, 10, "Mild"),
    (Instrument.QIDS_SR16, 11, "Moderate"),
    (Instrument.QIDS_SR16, 15, "Moderate"),
    (Instrument.QIDS_SR16, 16, "Severe"),
    (Instrument.QIDS_SR16, 20, "Severe"),
    (Instrument.QIDS_SR16, 21, "Very severe"),
    (Instrument.QIDS_SR16, 27, "Very severe"),
    # MADRS (Snaith): 0-6 normal; 7-19 mild; 20-34 moderate; 35-60 severe
    (Instrument.MADRS, 0, "Normal"),
    (Instrument.MADRS, 6, "Normal"),
    (Instrument.MADRS, 7, "Mild"),
    (Instrument.MADRS, 19, "Mild"),
    (Instrument.MADRS, 20, "Moderate"),
    (Instrument.MADRS, 34, "Moderate"),
    (Instrument.MADRS, 35, "Severe"),
    (Instrument.MADRS, 60, "Severe"),
    # HAM-D17 classic: 0-7 normal; 8-13 mild; 14-18 moderate; 19-22 severe; >=23 very severe
    (Instrument.HAMD17, 0, "Normal"),
    (Instrument.HAMD17, 7, "Normal"),
    (Instrument.HAMD17, 8, "Mild"),
    (Instrument.HAMD17, 13, "Mild"),
    (Instrument.HAMD17, 14, "Moderate"),
    (Instrument.HAMD17, 18, "Moderate"),
    (Instrument.HAMD17, 19, "Severe"),
    (Instrument.HAMD17, 22, "Severe"),
    (Instrument.HAMD17, 23, "Very severe"),
    (Instrument.HAMD17, 52, "Very severe"),
    # BDI-II: 0-13 minimal; 14-19 mild; 20-28 moderate; 29-63 severe
    (Instrument.BDI2, 0, "Minimal"),
    (Instrument.BDI2, 13, "Minimal"),
    (Instrument.BDI2, 14, "Mild"),
    (Instrument.BDI2, 19, "Mild"),
    (Instrument.BDI2, 20, "Moderate"),
    (Instrument.BDI2, 28, "Moderate"),
    (Instrument.BDI2, 29, "Severe"),
    (Instrument.BDI2, 63, "Severe"),
]


@pytest.mark.parametrize(("instrument", "total", "label"), BAND_EDGES)
def test_severity_band_edges_from_measures_table(
    instrument: Instrument, total: int, label: str
) -> None:
    result = score(instrument, total=total)
    assert result.severity == label
    assert spec(instrument).severity_bands[result.band_index].label == label
    assert result.max_total == spec(instrument).total_max


def _items_summing_to(instrument: Instrument, total: int) -> list[int]:
    """Fill items greedily from the first; for summed instruments only."""
    items = []
    left = total
    for r in spec(instrument).item_ranges:
        v = min(r.maximum, left)
        items.append(v)
        left -= v
    assert left == 0
    return items


@pytest.mark.parametrize(
    ("instrument", "total", "label"),
    [e for e in BAND_EDGES if e[0] in (Instrument.PHQ9, Instrument.GAD7, Instrument.HAMD17)],
)
def test_band_edges_are_the_same_when_scored_from_items(
    instrument: Instrument, total: int, label: str
) -> None:
    result = score(instrument, items=_items_summing_to(instrument, total))
    assert (result.total, result.severity) == (total, label)


# ---------------------------------------------------------------- item-9 rule


def test_phq9_item9_of_1_with_total_3_is_flagged_whatever_the_total() -> None:
    """Item-9 rule: any score above 0 on item 9 triggers an alert whatever the total."""
    result = score(Instrument.PHQ9, items=[1, 1, 0, 0, 0, 0, 0, 0, 1])
    assert result.total == 3
    assert result.severity == "Minimal"
    assert result.has(ScoreFlag.PHQ9_ITEM9_POSITIVE)
    assert result.has(ScoreFlag.SUICIDALITY_ITEM_POSITIVE)
    assert result.needs_risk_review
    assert result.suicidality_item_score == 1
    assert result.flag_messages == (FLAG_TEXT[ScoreFlag.PHQ9_ITEM9_POSITIVE],)


def test_phq9_item9_only_item_endorsed_is_flagged() -> None:
    """Item-9 rule: a total of 1 made up solely of item 9 still raises the alert."""
    result = score(Instrument.PHQ9, items=[0] * 8 + [1])
    assert result.total == 1
    assert result.has(ScoreFlag.PHQ9_ITEM9_POSITIVE)


def test_phq9_item9_zero_raises_no_suicidality_flag_even_when_severe() -> None:
    result = score(Instrument.PHQ9, items=[3, 3, 3, 3, 3, 3, 3, 3, 0])
    assert result.severity == "Severe"
    assert result.flags == frozenset()
    assert result.suicidality_item_score == 0
    assert not result.needs_risk_review


def test_qids_item12_positive_is_a_suicidality_flag() -> None:
    """QIDS item 12 is the equivalent suicidality item (§2 item-9 rule)."""
    items = [0] * 16
    items[11] = 1
    result = score(Instrument.QIDS_SR16, items=items)
    assert result.has(ScoreFlag.SUICIDALITY_ITEM_POSITIVE)
    assert not result.has(ScoreFlag.PHQ9_ITEM9_POSITIVE)
    assert result.suicidality_item_score == 1
    assert result.flag_messages == (FLAG_TEXT[ScoreFlag.SUICIDALITY_ITEM_POSITIVE],)


def test_hamd_item3_positive_is_a_suicidality_flag() -> None:
    items = [0] * 17
    items[2] = 2
    result = score(Instrument.HAMD17, items=items)
    assert result.has(ScoreFlag.SUICIDALITY_ITEM_POSITIVE)
    assert result.total == 2


def test_gad7_has_no_suicidality_item_so_no_suicidality_flags() -> None:
    result = score(Instrument.GAD7, items=[3] * 7)
    assert result.flags == frozenset()
    assert result.suicidality_item_score is None


@pytest.mark.parametrize("instrument", [Instrument.PHQ9, Instrument.QIDS_SR16, Instrument.HAMD17])
def test_total_only_entry_does_not_claim_safety(instrument: Instrument) -> None:
    """Items unknown: say so; never imply the suicidality item was 0."""
    result = score(instrument, total=3)
    assert result.items is None
    assert result.has(ScoreFlag.ITEMS_NOT_RECORDED)
    assert result.has(ScoreFlag.SUICIDALITY_ITEM_UNKNOWN)
    assert not result.has(ScoreFlag.SUICIDALITY_ITEM_POSITIVE)
    assert result.suicidality_item_score is None


@pytest.mark.parametrize("instrument", [Instrument.MADRS, Instrument.BDI2])
def test_total_only_instruments_always_report_suicidality_item_unknown(
    instrument: Instrument,
) -> None:
    result = score(instrument, total=0)
    assert result.flags == {ScoreFlag.ITEMS_NOT_RECORDED, ScoreFlag.SUICIDALITY_ITEM_UNKNOWN}


def test_gad7_total_only_is_items_not_recorded_only() -> None:
    assert score(Instrument.GAD7, total=12).flags == {ScoreFlag.ITEMS_NOT_RECORDED}


# ---------------------------------------------------------------- QIDS-SR16 algorithm


def test_qids_max_of_group_worked_example() -> None:
    """Rush 2003: sleep=max(1-4), appetite/weight=max(6-9), psychomotor=max(15-16)."""
    items = [
        1, 3, 0, 2,  # sleep items 1-4 -> 3
        2,  # sad mood -> 2
        0, 2, 1, 0,  # appetite/weight 6-9 -> 2
        1,  # concentration
        0,  # self-view
        1,  # death/suicidal ideation
        2,  # interest
        3,  # energy
        1, 2,  # psychomotor 15-16 -> 2
    ]  # fmt: skip
    result = score(Instrument.QIDS_SR16, items=items)
    d = result.domains
    assert d is not None
    assert d.as_tuple() == (3, 2, 2, 1, 0, 1, 2, 3, 2)
    assert result.total == 16 != sum(items)
    assert result.severity == "Severe"
    assert result.has(ScoreFlag.SUICIDALITY_ITEM_POSITIVE)


def test_qids_all_items_at_maximum_totals_27_not_48() -> None:
    result = score(Instrument.QIDS_SR16, items=[3] * 16)
    assert result.total == 27
    assert result.severity == "Very severe"


def test_qids_opposite_symptoms_are_not_double_counted() -> None:
    """Insomnia and hypersomnia both at 3 give a sleep domain of 3, not 6."""
    items = [3, 0, 0, 3] + [0] * 12
    d = qids_domains(items)
    assert d.sleep == 3
    assert score(Instrument.QIDS_SR16, items=items).total == 3


def test_qids_each_group_takes_its_own_maximum() -> None:
    items = [0, 0, 2, 0, 0, 0, 0, 0, 3, 0, 0, 0, 0, 0, 0, 1]
    d = qids_domains(items)
    assert (d.sleep, d.appetite_weight, d.psychomotor) == (2, 3, 1)
    assert d.total == 6


def test_qids_items_and_total_must_agree_on_domain_total() -> None:
    items = [3, 3, 3, 3] + [0] * 12
    assert score(Instrument.QIDS_SR16, items=items, total=3).total == 3
    with pytest.raises(MeasureInputError) as err:
        score(Instrument.QIDS_SR16, items=items, total=12)
    assert str(err.value) == "total: does not match the item scores: items give 3, got 12"


def test_domains_only_for_qids() -> None:
    assert score(Instrument.PHQ9, items=[0] * 9).domains is None
    assert score(Instrument.QIDS_SR16, total=10).domains is None


def test_hamd_item_at_its_own_maximum_is_accepted() -> None:
    """Item 3 (suicide) goes to 4; item 4 (early insomnia) only to 2."""
    items = [0] * 17
    items[2] = 4
    items[3] = 2
    assert score(Instrument.HAMD17, items=items).total == 6


def test_score_accepts_storage_key_and_tuple_items() -> None:
    assert score("phq9", items=(1,) * 9).total == 9


# ---------------------------------------------------------------- validation errors


def _error(**kwargs: Any) -> MeasureInputError:
    with pytest.raises(MeasureInputError) as err:
        validate(**kwargs)
    # score() must reject exactly the same inputs with the same message.
    with pytest.raises(MeasureInputError) as err2:
        score(**kwargs)
    assert str(err2.value) == str(err.value)
    return err.value


@pytest.mark.parametrize(
    ("kwargs", "field", "text"),
    [
        (
            {"instrument": Instrument.PHQ9, "items": [0] * 8},
            "items",
            "items: PHQ-9 has 9 items, got 8",
        ),
        (
            {"instrument": Instrument.GAD7, "items": [0] * 8},
            "items",
            "items: GAD-7 has 7 items, got 8",
        ),
        (
            {"instrument": Instrument.PHQ9, "items": [0, 0, 0, 4, 0, 0, 0, 0, 0]},
            "items[3]",
            "items[3]: must be 0 to 3, got 4 (item 4)",
        ),
        (
            {"instrument": Instrument.PHQ9, "items": [-1] + [0] * 8},
            "items[0]",
            "items[0]: must be 0 to 3, got -1 (item 1)",
        ),
        (
            {"instrument": Instrument.HAMD17, "items": [0, 0, 0, 3] + [0] * 13},
            "items[3]",
            "items[3]: must be 0 to 2, got 3 (item 4)",
        ),
        (
            {"instrument": Instrument.HAMD17, "items": [5] + [0] * 16},
            "items[0]",
            "items[0]: must be 0 to 4, got 5 (item 1)",
        ),
        (
            {"instrument": Instrument.PHQ9, "items": [0, 1.5] + [0] * 7},
            "items[1]",
            "items[1]: must be a whole number, got 1.5",
        ),
        (
            {"instrument": Instrument.PHQ9, "items": [True] + [0] * 8},
            "items[0]",
            "items[0]: must be a whole number, got True",
        ),
        (
            {"instrument": Instrument.PHQ9, "items": ["3"] + [0] * 8},
            "items[0]",
            "items[0]: must be a whole number, got '3'",
        ),
        (
            {"instrument": Instrument.PHQ9, "items": [None] + [0] * 8},
            "items[0]",
            "items[0]: item 1 is missing",
        ),
        (
            {"instrument": Instrument.PHQ9, "items": "000000000"},
            "items",
            "items: must be a list of item scores",
        ),
        (
            {"instrument": Instrument.PHQ9, "items": 9},
            "items",
            "items: must be a list of item scores",
        ),
        (
            {"instrument": Instrument.MADRS, "items": [0] * 10},
            "items",
            "items: MADRS is entered as a total only; item scores are not stored",
        ),
        (
            {"instrument": Instrument.BDI2, "items": [0] * 21, "total": 0},
            "items",
            "items: BDI-II is entered as a total only; item scores are not stored",
        ),
        (
            {"instrument": Instrument.MADRS},
            "total",
            "total: MADRS is entered as a total only; none given",
        ),
        (
            {"instrument": Instrument.PHQ9},
            "items",
            "items: PHQ-9 needs the item scores or a total; neither was given",
        ),
        (
            {"instrument": Instrument.MADRS, "total": 61},
            "total",
            "total: must be 0 to 60, got 61",
        ),
        (
            {"instrument": Instrument.PHQ9, "total": -1},
            "total",
            "total: must be 0 to 27, got -1",
        ),
        (
            {"instrument": Instrument.QIDS_SR16, "total": 28},
            "total",
            "total: must be 0 to 27, got 28",
        ),
        (
            {"instrument": Instrument.HAMD17, "total": 53},
            "total",
            "total: must be 0 to 52, got 53",
        ),
        (
            {"instrument": Instrument.BDI2, "total": 12.5},
            "total",
            "total: must be a whole number, got 12.5",
        ),
        (
            {"instrument": Instrument.PHQ9, "items": [1] * 9, "total": 10},
            "total",
            "total: does not match the item scores: items give 9, got 10",
        ),
        (
            {"instrument": "phq10", "total": 1},
            "instrument",
            "instrument: unknown instrument 'phq10'; expected one of "
            "phq9, gad7, qids_sr16, hamd17, madrs, bdi2",
        ),
    ],
)
def test_every_validation_error_path(kwargs: dict[str, Any], field: str, text: str) -> None:
    error = _error(**kwargs)
    assert error.field == field
    assert str(error) == text
    assert f"{error.field}: {error.message}" == text
    assert isinstance(error, ValueError)


def test_qids_domains_rejects_wrong_length() -> None:
    with pytest.raises(MeasureInputError, match="QIDS-SR16 has 16 items, got 9"):
        qids_domains([0] * 9)


def test_qids_domains_rejects_out_of_range_items() -> None:
    with pytest.raises(MeasureInputError, match=r"items\[0\]: must be 0 to 3, got 4"):
        qids_domains([4] + [0] * 15)


def test_validate_accepts_valid_entries() -> None:
    validate(Instrument.PHQ9, items=[0] * 9)
    validate(Instrument.MADRS, total=60)
    validate(Instrument.PHQ9, items=[1] * 9, total=9)


# ---------------------------------------------------------------- properties

ITEMIZED = [Instrument.PHQ9, Instrument.GAD7, Instrument.QIDS_SR16, Instrument.HAMD17]


@st.composite
def valid_items(draw: st.DrawFn) -> tuple[Instrument, list[int]]:
    instrument = draw(st.sampled_from(ITEMIZED))
    items = [draw(st.integers(r.minimum, r.maximum)) for r in spec(instrument).item_ranges]
    return instrument, items


@given(valid_items())
def test_valid_items_always_score_within_range(case: tuple[Instrument, list[int]]) -> None:
    instrument, items = case
    s = spec(instrument)
    result = score(instrument, items=items)
    assert s.total_min <= result.total <= s.total_max
    band = s.severity_bands[result.band_index]
    assert band.low <= result.total <= band.high
    assert result.severity == band.label
    assert ScoreFlag.ITEMS_NOT_RECORDED not in result.flags
    if s.suicidality_item is not None:
        positive = items[s.suicidality_item - 1] > 0
        assert (ScoreFlag.SUICIDALITY_ITEM_POSITIVE in result.flags) == positive
        is_phq9_alert = positive and instrument is Instrument.PHQ9
        assert (ScoreFlag.PHQ9_ITEM9_POSITIVE in result.flags) == is_phq9_alert
    # Entering the computed total alongside the items is always consistent.
    assert score(instrument, items=items, total=result.total).total == result.total


@st.composite
def out_of_range_items(draw: st.DrawFn) -> tuple[Instrument, list[int]]:
    instrument = draw(st.sampled_from(ITEMIZED))
    ranges = spec(instrument).item_ranges
    items = [draw(st.integers(r.minimum, r.maximum)) for r in ranges]
    bad = draw(st.integers(0, len(ranges) - 1))
    r = ranges[bad]
    items[bad] = draw(
        st.one_of(st.integers(max_value=r.minimum - 1), st.integers(min_value=r.maximum + 1))
    )
    return instrument, items


@given(out_of_range_items())
def test_any_out_of_range_item_raises(case: tuple[Instrument, list[int]]) -> None:
    instrument, items = case
    with pytest.raises(MeasureInputError) as err:
        score(instrument, items=items)
    assert err.value.field.startswith("items[")


@st.composite
def wrong_length_items(draw: st.DrawFn) -> tuple[Instrument, list[int]]:
    instrument = draw(st.sampled_from(ITEMIZED))
    n = draw(st.integers(0, 30).filter(lambda k: k != spec(instrument).item_count))
    return instrument, draw(st.lists(st.integers(0, 2), min_size=n, max_size=n))


@given(wrong_length_items())
def test_any_wrong_item_count_raises(case: tuple[Instrument, list[int]]) -> None:
    instrument, items = case
    with pytest.raises(MeasureInputError) as err:
        score(instrument, items=items)
    assert err.value.field == "items"


@given(st.sampled_from(list(Instrument)), st.data())
def test_totals_in_range_score_and_out_of_range_raise(
    instrument: Instrument, data: st.DataObject
) -> None:
    s = spec(instrument)
    ok = data.draw(st.integers(s.total_min, s.total_max))
    assert score(instrument, total=ok).total == ok
    bad = data.draw(
        st.one_of(st.integers(max_value=s.total_min - 1), st.integers(min_value=s.total_max + 1))
    )
    with pytest.raises(MeasureInputError):
        score(instrument, total=bad)
