"""The six outcome measures: structure, ranges, severity bands, licensing limits.

Every number here comes from section 2 of the project's clinical reference
(clinical-reference.md, "Outcome measures"). Item labels are short paraphrases written
for this project; no publisher wording is reproduced, and MADRS and BDI-II get no
item labels at all because their item text is copyrighted.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from trdplanner.clinical.errors import MeasureInputError


class Instrument(StrEnum):
    """An outcome measure the app can record. Values are stable storage keys."""

    PHQ9 = "phq9"
    GAD7 = "gad7"
    QIDS_SR16 = "qids_sr16"
    HAMD17 = "hamd17"
    MADRS = "madrs"
    BDI2 = "bdi2"

    @property
    def display_name(self) -> str:
        """The name clinicians know the measure by, e.g. ``"PHQ-9"``."""
        return _DISPLAY_NAMES[self]

    @property
    def spec(self) -> InstrumentSpec:
        """The instrument's structure and scoring facts."""
        return SPECS[self]


_DISPLAY_NAMES: dict[Instrument, str] = {
    Instrument.PHQ9: "PHQ-9",
    Instrument.GAD7: "GAD-7",
    Instrument.QIDS_SR16: "QIDS-SR16",
    Instrument.HAMD17: "HAM-D17",
    Instrument.MADRS: "MADRS",
    Instrument.BDI2: "BDI-II",
}


@dataclass(frozen=True)
class ItemRange:
    """Allowed scores for one item, inclusive."""

    minimum: int
    maximum: int


@dataclass(frozen=True)
class SeverityBand:
    """A total-score band, inclusive at both ends."""

    low: int
    high: int
    label: str

    def contains(self, total: int) -> bool:
        return self.low <= total <= self.high


@dataclass(frozen=True)
class InstrumentSpec:
    """Structure and scoring facts for one instrument.

    ``suicidality_item`` is the 1-based number of the item that asks about death
    or suicide in the published instrument. For MADRS (item 10) and BDI-II
    (item 9) the app never stores items, so that item is always unknown to it.
    """

    instrument: Instrument
    item_ranges: tuple[ItemRange, ...]
    total_max: int
    items_storable: bool
    severity_bands: tuple[SeverityBand, ...]
    severity_source: str
    suicidality_item: int | None
    item_labels: tuple[str, ...]
    total_min: int = 0

    @property
    def display_name(self) -> str:
        return self.instrument.display_name

    @property
    def item_count(self) -> int:
        return len(self.item_ranges)

    def severity_for(self, total: int) -> tuple[int, SeverityBand]:
        """The band a valid total falls in, with its 0-based index."""
        for index, band in enumerate(self.severity_bands):
            if band.contains(total):
                return index, band
        raise ValueError(f"{self.display_name} total {total} is outside every severity band")


def _ranges(*spans: tuple[int, int, int]) -> tuple[ItemRange, ...]:
    """Expand (count, min, max) runs into per-item ranges."""
    out: list[ItemRange] = []
    for count, lo, hi in spans:
        out.extend(ItemRange(lo, hi) for _ in range(count))
    return tuple(out)


def _hamd17_ranges() -> tuple[ItemRange, ...]:
    # Items 4-6 (insomnia), 12-14 (somatic, genital), 16 (weight loss) and
    # 17 (insight) are 0-2; the rest are 0-4. Cross-checked against the CamCOPS
    # HAM-D task (server/camcops_server/tasks/hamd.py), which gives the same split
    # and a 52-point maximum. Some forms offer "3 = not assessed" on item 16;
    # that value is not a score, so an unassessed item 16 means items are
    # incomplete and the clinician should enter the total instead.
    zero_to_two = {4, 5, 6, 12, 13, 14, 16, 17}
    return tuple(ItemRange(0, 2) if n in zero_to_two else ItemRange(0, 4) for n in range(1, 18))


_PHQ9_LABELS = (
    "Little interest or enjoyment in things",
    "Low, down or hopeless mood",
    "Sleep trouble (too little or too much)",
    "Tiredness or low energy",
    "Appetite change (less or more)",
    "Feeling bad about oneself or like a failure",
    "Hard to concentrate",
    "Slowed down, or restless and fidgety",
    "Thoughts of being better off dead or of self-harm",
)

_GAD7_LABELS = (
    "Nervous, anxious or on edge",
    "Unable to stop or control worrying",
    "Worrying about many different things",
    "Hard to relax",
    "So restless it is hard to keep still",
    "Irritable or easily annoyed",
    "Dread that something bad will happen",
)

_QIDS_LABELS = (
    "Trouble falling asleep",
    "Waking during the night",
    "Waking too early",
    "Sleeping too much",
    "Feeling sad",
    "Appetite decreased",
    "Appetite increased",
    "Weight loss",
    "Weight gain",
    "Concentration and decisions",
    "How one sees oneself",
    "Thoughts of death or suicide",
    "Interest in people and activities",
    "Energy",
    "Feeling slowed down",
    "Feeling restless",
)

_HAMD17_LABELS = (
    "Depressed mood",
    "Guilt",
    "Suicidal thoughts or acts",
    "Difficulty getting to sleep",
    "Waking in the night",
    "Waking early",
    "Work and interests",
    "Slowed thought and movement",
    "Agitation",
    "Anxiety felt in the mind",
    "Anxiety felt in the body",
    "Appetite and gut symptoms",
    "General physical symptoms (heaviness, aches, fatigue)",
    "Sexual interest and function",
    "Preoccupation with health",
    "Weight loss",
    "Insight into being unwell",
)


def _bands(*bands: tuple[int, int, str]) -> tuple[SeverityBand, ...]:
    return tuple(SeverityBand(lo, hi, label) for lo, hi, label in bands)


SPECS: dict[Instrument, InstrumentSpec] = {
    Instrument.PHQ9: InstrumentSpec(
        instrument=Instrument.PHQ9,
        item_ranges=_ranges((9, 0, 3)),
        total_max=27,
        items_storable=True,
        severity_bands=_bands(
            (0, 4, "Minimal"),
            (5, 9, "Mild"),
            (10, 14, "Moderate"),
            (15, 19, "Moderately severe"),
            (20, 27, "Severe"),
        ),
        severity_source="Kroenke et al. 2001",
        suicidality_item=9,
        item_labels=_PHQ9_LABELS,
    ),
    Instrument.GAD7: InstrumentSpec(
        instrument=Instrument.GAD7,
        item_ranges=_ranges((7, 0, 3)),
        total_max=21,
        items_storable=True,
        severity_bands=_bands(
            (0, 4, "Minimal"),
            (5, 9, "Mild"),
            (10, 14, "Moderate"),
            (15, 21, "Severe"),
        ),
        severity_source="Spitzer et al. 2006",
        suicidality_item=None,
        item_labels=_GAD7_LABELS,
    ),
    Instrument.QIDS_SR16: InstrumentSpec(
        instrument=Instrument.QIDS_SR16,
        item_ranges=_ranges((16, 0, 3)),
        total_max=27,
        items_storable=True,
        severity_bands=_bands(
            (0, 5, "None"),
            (6, 10, "Mild"),
            (11, 15, "Moderate"),
            (16, 20, "Severe"),
            (21, 27, "Very severe"),
        ),
        severity_source="Rush et al. 2003",
        suicidality_item=12,
        item_labels=_QIDS_LABELS,
    ),
    Instrument.HAMD17: InstrumentSpec(
        instrument=Instrument.HAMD17,
        item_ranges=_hamd17_ranges(),
        total_max=52,
        items_storable=True,
        # The classic bands; Zimmerman 2013 proposes others (8-16/17-23/>=24).
        severity_bands=_bands(
            (0, 7, "Normal"),
            (8, 13, "Mild"),
            (14, 18, "Moderate"),
            (19, 22, "Severe"),
            (23, 52, "Very severe"),
        ),
        severity_source=(
            "classic HAM-D17 bands, as tabulated by Zimmerman et al. 2013, J Affect Disord "
            "150:384 (which also proposes 8-16 mild, 17-23 moderate, 24 or more severe)"
        ),
        suicidality_item=3,
        item_labels=_HAMD17_LABELS,
    ),
    Instrument.MADRS: InstrumentSpec(
        instrument=Instrument.MADRS,
        item_ranges=_ranges((10, 0, 6)),
        total_max=60,
        items_storable=False,
        severity_bands=_bands(
            (0, 6, "Normal"),
            (7, 19, "Mild"),
            (20, 34, "Moderate"),
            (35, 60, "Severe"),
        ),
        severity_source="Snaith et al.",
        suicidality_item=10,
        item_labels=(),
    ),
    Instrument.BDI2: InstrumentSpec(
        instrument=Instrument.BDI2,
        item_ranges=_ranges((21, 0, 3)),
        total_max=63,
        items_storable=False,
        severity_bands=_bands(
            (0, 13, "Minimal"),
            (14, 19, "Mild"),
            (20, 28, "Moderate"),
            (29, 63, "Severe"),
        ),
        severity_source="Beck et al. 1996 manual",
        suicidality_item=9,
        item_labels=(),
    ),
}


def as_instrument(value: Instrument | str) -> Instrument:
    """An :class:`Instrument` from itself or its storage key; MeasureInputError if unknown."""
    try:
        return Instrument(value)
    except ValueError:
        known = ", ".join(i.value for i in Instrument)
        raise MeasureInputError(
            "instrument", f"unknown instrument {value!r}; expected one of {known}"
        ) from None


def spec(instrument: Instrument | str) -> InstrumentSpec:
    """The spec for an instrument, accepting its storage key as well."""
    return SPECS[as_instrument(instrument)]
