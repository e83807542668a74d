"""Answer anchors: one meaning per allowed score of every item, in our own words."""

from __future__ import annotations

import pytest

from trdplanner.clinical import Instrument, spec
from trdplanner.clinical.anchors import answer_anchors


@pytest.mark.parametrize("instrument", [Instrument.PHQ9, Instrument.GAD7, Instrument.QIDS_SR16, Instrument.HAMD17])
def test_every_score_of_every_item_has_a_meaning(instrument: Instrument) -> None:
    s = spec(instrument)
    anchors = answer_anchors(instrument)
    assert len(anchors) == s.item_count
    for rng, words in zip(s.item_ranges, anchors, strict=True):
        assert len(words) == rng.maximum - rng.minimum + 1
        assert all(w.strip() for w in words)


@pytest.mark.parametrize("instrument", [Instrument.MADRS, Instrument.BDI2])
def test_copyrighted_instruments_have_no_anchors(instrument: Instrument) -> None:
    assert answer_anchors(instrument) == ()


def test_hamd17_suicide_item_runs_from_absent_to_attempt() -> None:
    item3 = answer_anchors(Instrument.HAMD17)[2]
    assert item3[0] == "Absent" and "attempt" in item3[4].lower()


def test_phq9_anchors_are_not_the_questionnaire_wording() -> None:
    words = " ".join(answer_anchors(Instrument.PHQ9)[0]).lower()
    for published in ("not at all", "several days", "nearly every day"):
        assert published not in words
