"""Validating and scoring one administration of a measure.

Safety rule (clinical reference §2, "Item-9 rule"): any score above 0 on the
PHQ-9 item 9 needs a clinician alert whatever the total. The same holds for the
equivalent suicidality items, QIDS-SR16 item 12 and HAM-D17 item 3. These flags
are computed from the item alone and nothing in this module can clear them.
When the item is not known (total-only entry, or an instrument whose items the
app never stores) the score says so instead of implying the item was 0.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum
from numbers import Integral

from trdplanner.clinical.errors import MeasureInputError
from trdplanner.clinical.instruments import Instrument, InstrumentSpec, spec


class ScoreFlag(StrEnum):
    """Something about a score the clinician must see next to it."""

    PHQ9_ITEM9_POSITIVE = "phq9_item9_positive"
    SUICIDALITY_ITEM_POSITIVE = "suicidality_item_positive"
    ITEMS_NOT_RECORDED = "items_not_recorded"
    SUICIDALITY_ITEM_UNKNOWN = "suicidality_item_unknown"


FLAG_TEXT: dict[ScoreFlag, str] = {
    ScoreFlag.PHQ9_ITEM9_POSITIVE: (
        "PHQ-9 item 9 (thoughts of death or self-harm) scored above 0. Whatever the "
        "total, this needs a clinician alert, a structured suicide risk assessment "
        "and a review of the safety plan."
    ),
    ScoreFlag.SUICIDALITY_ITEM_POSITIVE: (
        "The suicidality item scored above 0. Review risk and the safety plan, whatever the total."
    ),
    ScoreFlag.ITEMS_NOT_RECORDED: "Only the total was recorded, so individual items are unknown.",
    ScoreFlag.SUICIDALITY_ITEM_UNKNOWN: (
        "The suicidality item was not recorded, so this score says nothing about "
        "suicide risk. Ask about it directly."
    ),
}


@dataclass(frozen=True)
class QidsDomains:
    """The nine QIDS-SR16 domains (Rush et al. 2003), each 0-3."""

    sleep: int
    sad_mood: int
    appetite_weight: int
    concentration: int
    self_view: int
    suicidal_ideation: int
    general_interest: int
    energy: int
    psychomotor: int

    @property
    def total(self) -> int:
        return sum(self.as_tuple())

    def as_tuple(self) -> tuple[int, ...]:
        return (
            self.sleep,
            self.sad_mood,
            self.appetite_weight,
            self.concentration,
            self.self_view,
            self.suicidal_ideation,
            self.general_interest,
            self.energy,
            self.psychomotor,
        )


def qids_domains(items: Sequence[int]) -> QidsDomains:
    """Collapse 16 QIDS-SR16 items into 9 domains by the max-of-group rule.

    Sleep takes the worst of items 1-4, appetite/weight the worst of 6-9 and
    psychomotor the worst of 15-16, so that opposite symptoms (insomnia vs
    hypersomnia, weight loss vs gain) are not double counted. Items are 1-based
    in that description and 0-based in ``items``.
    """
    items = _checked_items(spec(Instrument.QIDS_SR16), items)
    return QidsDomains(
        sleep=max(items[0:4]),
        sad_mood=items[4],
        appetite_weight=max(items[5:9]),
        concentration=items[9],
        self_view=items[10],
        suicidal_ideation=items[11],
        general_interest=items[12],
        energy=items[13],
        psychomotor=max(items[14:16]),
    )


@dataclass(frozen=True)
class Score:
    """A scored administration.

    ``items`` is ``None`` when only a total was entered. ``band_index`` is the
    0-based position of ``severity`` in the instrument's severity bands.
    ``suicidality_item_score`` is ``None`` whenever that item is unknown or the
    instrument has none.
    """

    instrument: Instrument
    total: int
    max_total: int
    severity: str
    band_index: int
    band_count: int
    flags: frozenset[ScoreFlag]
    items: tuple[int, ...] | None = None
    domains: QidsDomains | None = None
    suicidality_item_score: int | None = None

    def has(self, flag: ScoreFlag) -> bool:
        return flag in self.flags

    @property
    def needs_risk_review(self) -> bool:
        """True when a suicidality item is positive: the alert that cannot be hidden."""
        return ScoreFlag.SUICIDALITY_ITEM_POSITIVE in self.flags

    @property
    def alert_flags(self) -> tuple[ScoreFlag, ...]:
        """The flags to raise as alerts, each finding once, most urgent first.

        The PHQ-9 text already says everything the generic suicidality text says, and a
        total-only instrument (MADRS, BDI-II) has no items to miss, so "items unknown" is no
        alert there (the flag stays on the score: it is still true).
        """
        shown = set(self.flags)
        if ScoreFlag.PHQ9_ITEM9_POSITIVE in shown:
            shown.discard(ScoreFlag.SUICIDALITY_ITEM_POSITIVE)
        if not _resolve(self.instrument).items_storable:
            shown.discard(ScoreFlag.ITEMS_NOT_RECORDED)
        return tuple(f for f in ScoreFlag if f in shown)

    @property
    def flag_messages(self) -> tuple[str, ...]:
        """Plain-language text for every alert, most urgent first (see :attr:`alert_flags`)."""
        return tuple(FLAG_TEXT[f] for f in self.alert_flags)


def _resolve(instrument: Instrument | str) -> InstrumentSpec:
    return spec(instrument)


def _whole(field: str, value: object) -> int:
    # bool is an Integral in Python; a checkbox value is never a valid score.
    if isinstance(value, bool) or not isinstance(value, Integral):
        raise MeasureInputError(field, f"must be a whole number, got {value!r}")
    return int(value)


def _checked_items(s: InstrumentSpec, items: object) -> tuple[int, ...]:
    if isinstance(items, str | bytes) or not isinstance(items, Sequence):
        raise MeasureInputError("items", "must be a list of item scores")
    if len(items) != s.item_count:
        raise MeasureInputError(
            "items", f"{s.display_name} has {s.item_count} items, got {len(items)}"
        )
    checked: list[int] = []
    for index, (value, allowed) in enumerate(zip(items, s.item_ranges, strict=True)):
        field = f"items[{index}]"
        if value is None:
            raise MeasureInputError(field, f"item {index + 1} is missing")
        v = _whole(field, value)
        if not allowed.minimum <= v <= allowed.maximum:
            raise MeasureInputError(
                field,
                f"must be {allowed.minimum} to {allowed.maximum}, got {v} (item {index + 1})",
            )
        checked.append(v)
    return tuple(checked)


def _checked_total(s: InstrumentSpec, total: object, field: str = "total") -> int:
    t = _whole(field, total)
    if not s.total_min <= t <= s.total_max:
        raise MeasureInputError(field, f"must be {s.total_min} to {s.total_max}, got {t}")
    return t


def checked_total(instrument: Instrument | str, total: object, field: str = "total") -> int:
    """Return ``total`` as an int if it is a valid total for ``instrument``; else raise.

    ``field`` lets callers that take several totals (baseline, current) name the
    one that is wrong.
    """
    return _checked_total(_resolve(instrument), total, field)


def _total_from_items(s: InstrumentSpec, items: tuple[int, ...]) -> int:
    if s.instrument is Instrument.QIDS_SR16:
        return qids_domains(items).total
    return sum(items)


def _validated(
    s: InstrumentSpec, items: Sequence[int] | None, total: int | None
) -> tuple[tuple[int, ...] | None, int]:
    name = s.display_name
    if not s.items_storable:
        if items is not None:
            raise MeasureInputError(
                "items", f"{name} is entered as a total only; item scores are not stored"
            )
        if total is None:
            raise MeasureInputError("total", f"{name} is entered as a total only; none given")
    elif items is None and total is None:
        raise MeasureInputError(
            "items", f"{name} needs the item scores or a total; neither was given"
        )

    checked_items = None if items is None else _checked_items(s, items)
    checked_total = None if total is None else _checked_total(s, total)
    if checked_items is None:
        if checked_total is None:  # unreachable after the checks above; keeps types exact
            raise MeasureInputError("total", f"{name} needs a total; none given")
        return None, checked_total
    from_items = _total_from_items(s, checked_items)
    if checked_total is not None and checked_total != from_items:
        raise MeasureInputError(
            "total", f"does not match the item scores: items give {from_items}, got {checked_total}"
        )
    return checked_items, from_items


def validate(
    instrument: Instrument | str,
    items: Sequence[int] | None = None,
    total: int | None = None,
) -> None:
    """Raise :class:`MeasureInputError` if the entry cannot be scored.

    Either ``items`` (for instruments whose items may be stored) or ``total`` is
    needed; if both are given they must agree. Error fields use 0-based indexes
    (``items[3]``) and the message names the 1-based item number a form shows.
    """
    _validated(_resolve(instrument), items, total)


def score(
    instrument: Instrument | str,
    items: Sequence[int] | None = None,
    total: int | None = None,
) -> Score:
    """Validate and score one administration. See :func:`validate` for the inputs."""
    s = _resolve(instrument)
    checked_items, checked_total = _validated(s, items, total)
    band_index, band = s.severity_for(checked_total)

    flags: set[ScoreFlag] = set()
    item_score: int | None = None
    if checked_items is None:
        flags.add(ScoreFlag.ITEMS_NOT_RECORDED)
        if s.suicidality_item is not None:
            flags.add(ScoreFlag.SUICIDALITY_ITEM_UNKNOWN)
    elif s.suicidality_item is not None:
        item_score = checked_items[s.suicidality_item - 1]
        if item_score > 0:
            flags.add(ScoreFlag.SUICIDALITY_ITEM_POSITIVE)
            if s.instrument is Instrument.PHQ9:
                flags.add(ScoreFlag.PHQ9_ITEM9_POSITIVE)

    domains = (
        qids_domains(checked_items)
        if checked_items is not None and s.instrument is Instrument.QIDS_SR16
        else None
    )
    return Score(
        instrument=s.instrument,
        total=checked_total,
        max_total=s.total_max,
        severity=band.label,
        band_index=band_index,
        band_count=len(s.severity_bands),
        flags=frozenset(flags),
        items=checked_items,
        domains=domains,
        suicidality_item_score=item_score,
    )
