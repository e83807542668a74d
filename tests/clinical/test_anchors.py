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


def test_qids_anchors_are_item_specific() -> None:
    qids = answer_anchors(Instrument.QIDS_SR16)
    assert len(set(qids)) >= 14  # only the paired items (6/7 start alike) share a first level
    assert "hour" in qids[0][3].lower() and "12 hours" in qids[3][3]
    assert "5 lb" in qids[7][3] and "5 lb" in qids[8][3]
    top = qids[11][3].lower()  # item 12: the suicidality item's top level names a plan and an attempt
    assert "plan" in top and "attempt" in top


def test_qids_anchors_carry_the_numbers_of_the_apps_own_qids_worksheet() -> None:
    """The entry form and the client's worksheet describe the same levels (both in our words)."""
    import re
    from pathlib import Path

    import yaml

    sheet = yaml.safe_load(
        (Path(__file__).parents[2] / "templates/general/general-qids-sr16-form.yaml").read_text(encoding="utf-8"))
    items = [f for f in sheet["fields"] if str(f.get("id", "")).startswith("item")]
    qids = answer_anchors(Instrument.QIDS_SR16)
    assert len(items) == len(qids) == 16
    for field, levels in zip(items, qids, strict=True):
        for level, words in enumerate(levels):
            theirs = re.findall(r"\d+(?:\.\d+)?", str(field["anchors"][level]))
            assert re.findall(r"\d+(?:\.\d+)?", words) == theirs, (field["id"], level)


def test_qids_anchors_do_not_reproduce_the_published_wording() -> None:
    words = " ".join(" ".join(levels) for levels in answer_anchors(Instrument.QIDS_SR16)).lower()
    for published in ("i never take longer than 30 minutes", "i do not feel sad", "there is no change in my usual"):
        assert published not in words


def test_hamd17_anchors_follow_the_reference_ranges_and_hamilton_points() -> None:
    hamd = answer_anchors(Instrument.HAMD17)
    zero_to_two = {4, 5, 6, 12, 13, 14, 16, 17}  # clinical reference: a mix of 0-4 and 0-2 items, 52 in all
    assert [len(levels) - 1 for levels in hamd] == [2 if n in zero_to_two else 4 for n in range(1, 18)]
    assert sum(len(levels) - 1 for levels in hamd) == 52
    weight = " ".join(hamd[15]).lower()
    assert "weighed" in weight and "1 lb" in weight and "2 lb" in weight  # both of Hamilton's methods
    assert hamd[8][1] == "Fidgety" and hamd[7][4] == "Complete stupor"
