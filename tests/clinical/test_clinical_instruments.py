"""Instrument structure against the clinical reference §2 measures table."""

from __future__ import annotations

import itertools

import pytest

from trdplanner.clinical import SPECS, Instrument, MeasureInputError, spec

# (instrument, item count, item max, total max) straight from the measures table.
SIMPLE_STRUCTURE = [
    (Instrument.PHQ9, 9, 3, 27),
    (Instrument.GAD7, 7, 3, 21),
    (Instrument.QIDS_SR16, 16, 3, 27),
    (Instrument.MADRS, 10, 6, 60),
    (Instrument.BDI2, 21, 3, 63),
]


def test_storage_values_and_display_names() -> None:
    assert {i.value: i.display_name for i in Instrument} == {
        "phq9": "PHQ-9",
        "gad7": "GAD-7",
        "qids_sr16": "QIDS-SR16",
        "hamd17": "HAM-D17",
        "madrs": "MADRS",
        "bdi2": "BDI-II",
    }


@pytest.mark.parametrize(("instrument", "count", "item_max", "total_max"), SIMPLE_STRUCTURE)
def test_measures_table_items_and_ranges(
    instrument: Instrument, count: int, item_max: int, total_max: int
) -> None:
    s = spec(instrument)
    assert s.item_count == count
    assert all(r.minimum == 0 and r.maximum == item_max for r in s.item_ranges)
    assert (s.total_min, s.total_max) == (0, total_max)


def test_hamd17_item_ranges_standard_mix_of_0_4_and_0_2() -> None:
    """HAM-D17: items 1,2,3,7,8,9,10,11,15 are 0-4; 4,5,6,12,13,14,16,17 are 0-2; total 0-52."""
    s = spec(Instrument.HAMD17)
    maxima = {n: r.maximum for n, r in enumerate(s.item_ranges, start=1)}
    assert [n for n, m in maxima.items() if m == 4] == [1, 2, 3, 7, 8, 9, 10, 11, 15]
    assert [n for n, m in maxima.items() if m == 2] == [4, 5, 6, 12, 13, 14, 16, 17]
    assert sum(maxima.values()) == s.total_max == 52


@pytest.mark.parametrize("instrument", [i for i in Instrument if i is not Instrument.QIDS_SR16])
def test_summed_instruments_total_max_is_sum_of_item_maxima(instrument: Instrument) -> None:
    s = spec(instrument)
    assert sum(r.maximum for r in s.item_ranges) == s.total_max


def test_qids_total_max_is_nine_domains_of_three() -> None:
    """QIDS-SR16: 16 items scored as 9 domains, range 0-27."""
    assert spec(Instrument.QIDS_SR16).total_max == 9 * 3


@pytest.mark.parametrize("instrument", list(Instrument))
def test_severity_bands_tile_the_total_range(instrument: Instrument) -> None:
    s = spec(instrument)
    bands = s.severity_bands
    assert bands[0].low == s.total_min
    assert bands[-1].high == s.total_max
    for before, after in itertools.pairwise(bands):
        assert after.low == before.high + 1


def test_madrs_and_bdi2_are_total_only_without_item_text() -> None:
    """Licensing (§0): MADRS and BDI-II item text is copyrighted; never store items."""
    for instrument in (Instrument.MADRS, Instrument.BDI2):
        assert not spec(instrument).items_storable
        assert spec(instrument).item_labels == ()


@pytest.mark.parametrize(
    "instrument", [Instrument.PHQ9, Instrument.GAD7, Instrument.QIDS_SR16, Instrument.HAMD17]
)
def test_itemized_instruments_have_one_own_words_label_per_item(instrument: Instrument) -> None:
    s = spec(instrument)
    assert s.items_storable
    assert len(s.item_labels) == s.item_count
    assert all(label.strip() for label in s.item_labels)


@pytest.mark.parametrize(
    ("instrument", "item"),
    [
        (Instrument.PHQ9, 9),  # item-9 rule
        (Instrument.QIDS_SR16, 12),  # death/suicidal ideation domain
        (Instrument.HAMD17, 3),  # HAM-D suicide item
        (Instrument.MADRS, 10),  # never stored, so always unknown to the app
        (Instrument.BDI2, 9),  # equivalent item per §2; never stored
        (Instrument.GAD7, None),
    ],
)
def test_suicidality_item_numbers(instrument: Instrument, item: int | None) -> None:
    assert spec(instrument).suicidality_item == item


def test_suicidality_item_labels_name_death_or_self_harm() -> None:
    for instrument in (Instrument.PHQ9, Instrument.QIDS_SR16, Instrument.HAMD17):
        s = spec(instrument)
        assert s.suicidality_item is not None
        label = s.item_labels[s.suicidality_item - 1].lower()
        assert "death" in label or "suicid" in label or "dead" in label


def test_spec_accepts_storage_key_and_rejects_unknown() -> None:
    assert spec("phq9") is SPECS[Instrument.PHQ9]
    assert Instrument.GAD7.spec is SPECS[Instrument.GAD7]
    with pytest.raises(MeasureInputError) as err:
        spec("phq10")
    assert err.value.field == "instrument"
