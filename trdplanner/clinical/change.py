"""Change between two totals: response, remission, reliable change, recovery.

Rules are those in the clinical reference §2 ("Response/remission sources",
"PHQ-9 reliable/meaningful change"). Cut-offs the reference marks [unverified]
are :class:`ChangeSettings` fields, and every result carries the provenance of
the criterion it used so the UI can say when a label rests on a convention.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from enum import StrEnum

from trdplanner.clinical.errors import SettingsError
from trdplanner.clinical.instruments import Instrument, as_instrument, spec
from trdplanner.clinical.provenance import Provenance, provenance_of, sourced
from trdplanner.clinical.scoring import checked_total

RESPONSE_DROP_PERCENT = 50
GAD7_RELIABLE_CHANGE = 4
PHQ9_RELIABLE_CHANGE_CHOICES = (5, 6)
PHQ9_CASENESS = 10
GAD7_CASENESS = 8

# Each instrument's response rule names the source that defines it for that instrument;
# STAR*D and HEDIS define response for the QIDS-SR and PHQ-9 only, so MADRS, BDI-II, HAM-D17
# and GAD-7 carry the convention, not a borrowed label.
_RESPONSE_PROVENANCE: dict[Instrument, Provenance] = {
    Instrument.PHQ9: Provenance(
        True, "≥50% drop from baseline: NCQA/HEDIS depression response (Psychiatr Serv 2020)"
    ),
    Instrument.QIDS_SR16: Provenance(True, "≥50% drop from baseline: STAR*D (Trivedi et al. 2006)"),
}
_CONVENTION_RESPONSE_PROVENANCE = Provenance(
    verified=True,
    source="≥50% drop from baseline, the usual convention for this instrument (clinical reference §2)",
    note="STAR*D and HEDIS do not define response on this instrument.",
)
_VERIFIED_REMISSION: dict[Instrument, tuple[int, Provenance]] = {
    # PHQ-9 remission is "below 5", i.e. 4 or less.
    Instrument.PHQ9: (4, Provenance(True, "PHQ-9 below 5: NCQA/HEDIS (Psychiatr Serv 2020)")),
    Instrument.QIDS_SR16: (5, Provenance(True, "QIDS-SR16 5 or less: STAR*D (Trivedi 2006)")),
    Instrument.HAMD17: (7, Provenance(True, "HAM-D17 7 or less: Frank et al. 1991 consensus")),
}
_GAD7_RELIABLE_PROVENANCE = Provenance(
    True, "GAD-7 change of 4 or more: NHS Talking Therapies (IAPT manual)"
)
_RECOVERY_PROVENANCE = Provenance(
    True,
    "NHS Talking Therapies recovery: from caseness (PHQ-9 ≥10 or GAD-7 ≥8) to below both cut-offs",
)


@dataclass(frozen=True)
class ChangeSettings:
    """Cut-offs the clinician may adjust. Each field's metadata records its source.

    Remission cut-offs are stored as the highest total that still counts as
    remission, so "GAD-7 below 5" is ``gad7_remission_max = 4``.
    """

    phq9_reliable_change: int = sourced(
        6,
        Provenance(
            verified=True,
            source="NHS Talking Therapies counts a PHQ-9 change of 6 or more",
            note="5 is also allowed: Löwe et al. 2004 put the individual minimal "
            "important difference at 5 points (2 standard errors of measurement).",
        ),
    )
    gad7_remission_max: int = sourced(
        4,
        Provenance(
            verified=False,
            source="GAD-7 below 5, by convention",
            note="Not confirmed as a standard remission cut-off.",
        ),
    )
    madrs_remission_max: int = sourced(
        10,
        Provenance(
            verified=False,
            source="MADRS 10 or less, the common convention",
            note="No single authority confirmed; Zimmerman et al. 2004 derived 9 or "
            "less (broad) or 4 or less (narrow).",
        ),
    )
    bdi2_remission_max: int = sourced(
        12,
        Provenance(
            verified=False,
            source="BDI-II 12 or less, one of two common conventions",
            note="13 or less is also used; neither was confirmed as the standard.",
        ),
    )

    def __post_init__(self) -> None:
        value = self.phq9_reliable_change
        if isinstance(value, bool) or value not in PHQ9_RELIABLE_CHANGE_CHOICES:
            raise SettingsError(
                "phq9_reliable_change", f"must be 5 or 6, got {self.phq9_reliable_change!r}"
            )
        for name, instrument in (
            ("gad7_remission_max", Instrument.GAD7),
            ("madrs_remission_max", Instrument.MADRS),
            ("bdi2_remission_max", Instrument.BDI2),
        ):
            value = getattr(self, name)
            top = spec(instrument).total_max
            if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= top:
                raise SettingsError(name, f"must be a whole number 0 to {top}, got {value!r}")


@dataclass(frozen=True)
class Criterion:
    """The rule a label was decided by, in words, with its provenance."""

    description: str
    threshold: int
    provenance: Provenance

    @property
    def verified(self) -> bool:
        return self.provenance.verified


def remission_criterion(
    instrument: Instrument | str, settings: ChangeSettings | None = None
) -> Criterion:
    """The remission rule for an instrument: a total at or below ``threshold``."""
    inst = as_instrument(instrument)
    settings = settings or ChangeSettings()
    if inst in _VERIFIED_REMISSION:
        threshold, prov = _VERIFIED_REMISSION[inst]
    else:
        field_name = {
            Instrument.GAD7: "gad7_remission_max",
            Instrument.MADRS: "madrs_remission_max",
            Instrument.BDI2: "bdi2_remission_max",
        }[inst]
        threshold = getattr(settings, field_name)
        prov = provenance_of(ChangeSettings, field_name)
    # PHQ-9 is published as "below 5"; keep that wording so it matches the source.
    wording = f"below {threshold + 1}" if inst is Instrument.PHQ9 else f"of {threshold} or less"
    return Criterion(
        description=f"{inst.display_name} total {wording}",
        threshold=threshold,
        provenance=prov,
    )


def response_criterion(instrument: Instrument | str) -> Criterion:
    """Response: total falls by at least half of the baseline."""
    inst = as_instrument(instrument)
    prov = _RESPONSE_PROVENANCE.get(inst, _CONVENTION_RESPONSE_PROVENANCE)
    return Criterion(
        description=f"{inst.display_name} total falls by 50% or more from baseline",
        threshold=RESPONSE_DROP_PERCENT,
        provenance=prov,
    )


def reliable_change_criterion(
    instrument: Instrument | str, settings: ChangeSettings | None = None
) -> Criterion | None:
    """Points of change that count as reliable, or ``None`` where none is defined."""
    inst = as_instrument(instrument)
    settings = settings or ChangeSettings()
    if inst is Instrument.PHQ9:
        points = settings.phq9_reliable_change
        prov = provenance_of(ChangeSettings, "phq9_reliable_change")
    elif inst is Instrument.GAD7:
        points, prov = GAD7_RELIABLE_CHANGE, _GAD7_RELIABLE_PROVENANCE
    else:
        return None
    return Criterion(
        description=f"{inst.display_name} change of {points} points or more",
        threshold=points,
        provenance=prov,
    )


@dataclass(frozen=True)
class Change:
    """Change from a baseline total to a current total on one instrument.

    ``delta`` is current minus baseline, so improvement is negative on every
    instrument here (higher is worse on all six). ``percent_change`` is signed
    the same way. ``None`` in a bool field means "not assessable" or "not
    defined for this instrument"; ``explanation`` says which.
    """

    instrument: Instrument
    baseline_total: int
    current_total: int
    delta: int
    percent_change: float | None
    response: bool | None
    response_criterion: Criterion
    remission: bool
    remission_criterion: Criterion
    reliable_improvement: bool | None
    reliable_deterioration: bool | None
    reliable_change_criterion: Criterion | None
    explanation: str


def change(
    instrument: Instrument | str,
    baseline_total: int,
    current_total: int,
    settings: ChangeSettings | None = None,
    *,
    baseline_label: str = "",
) -> Change:
    """Classify the change between two totals. Raises MeasureInputError on bad totals.

    ``baseline_label`` says which score is the baseline (see :func:`choose_baseline`); the
    explanation starts with it so a reader knows what the change is measured from.
    """
    inst = as_instrument(instrument)
    settings = settings or ChangeSettings()
    base = checked_total(inst, baseline_total, "baseline_total")
    cur = checked_total(inst, current_total, "current_total")
    delta = cur - base
    notes: list[str] = []
    if baseline_label:
        notes.append(f"Baseline: {baseline_label}.")

    resp_crit = response_criterion(inst)
    if base == 0:
        percent: float | None = None
        response: bool | None = None
        notes.append("Response not assessable: the baseline total is 0.")
    else:
        percent = delta / base * 100
        # Integer test so exactly 50% is a response with no float rounding.
        response = (base - cur) * 2 >= base
        notes.append(
            f"Response: {'yes' if response else 'no'} ({resp_crit.description}; "
            f"{resp_crit.provenance.source})."
        )

    rem_crit = remission_criterion(inst, settings)
    remission = cur <= rem_crit.threshold
    unverified = (
        ""
        if rem_crit.verified
        else f" This cut-off is a convention, not a confirmed standard [unverified]: {rem_crit.provenance.source}."
    )
    notes.append(f"Remission: {'yes' if remission else 'no'} ({rem_crit.description}).{unverified}")

    rel_crit = reliable_change_criterion(inst, settings)
    if rel_crit is None:
        improvement: bool | None = None
        deterioration: bool | None = None
        notes.append(f"Reliable change is not defined for {inst.display_name} here.")
    else:
        improvement = base - cur >= rel_crit.threshold
        deterioration = cur - base >= rel_crit.threshold
        if improvement:
            notes.append(f"Reliable improvement ({rel_crit.description}; {rel_crit.provenance.source}).")
        elif deterioration:
            notes.append(f"Reliable deterioration ({rel_crit.description}; {rel_crit.provenance.source}).")
        else:
            notes.append(f"No reliable change (needs a {rel_crit.description}).")

    return Change(
        instrument=inst,
        baseline_total=base,
        current_total=cur,
        delta=delta,
        percent_change=percent,
        response=response,
        response_criterion=resp_crit,
        remission=remission,
        remission_criterion=rem_crit,
        reliable_improvement=improvement,
        reliable_deterioration=deterioration,
        reliable_change_criterion=rel_crit,
        explanation=" ".join(notes),
    )


@dataclass(frozen=True)
class Recovery:
    """NHS Talking Therapies recovery, which needs a PHQ-9 and a GAD-7 at both times.

    ``recovered`` is ``None`` when the person was not at caseness at baseline,
    because recovery is only defined for people who started at caseness.
    """

    caseness_at_baseline: bool
    recovered: bool | None
    provenance: Provenance
    explanation: str


def iapt_recovery(
    phq9_baseline: int, phq9_current: int, gad7_baseline: int, gad7_current: int
) -> Recovery:
    """Recovery: caseness at baseline (PHQ-9 ≥10 or GAD-7 ≥8), below both now."""
    pb = checked_total(Instrument.PHQ9, phq9_baseline, "phq9_baseline")
    pc = checked_total(Instrument.PHQ9, phq9_current, "phq9_current")
    gb = checked_total(Instrument.GAD7, gad7_baseline, "gad7_baseline")
    gc = checked_total(Instrument.GAD7, gad7_current, "gad7_current")
    caseness = pb >= PHQ9_CASENESS or gb >= GAD7_CASENESS
    if not caseness:
        return Recovery(
            False,
            None,
            _RECOVERY_PROVENANCE,
            "Recovery not assessable: at baseline neither PHQ-9 (≥10) nor GAD-7 (≥8) "
            "was at caseness.",
        )
    recovered = pc < PHQ9_CASENESS and gc < GAD7_CASENESS
    text = (
        "Recovered: now below caseness on both PHQ-9 (<10) and GAD-7 (<8)."
        if recovered
        else "Not recovered: still at caseness on PHQ-9 (≥10) or GAD-7 (≥8)."
    )
    return Recovery(True, recovered, _RECOVERY_PROVENANCE, text)


# --------------------------------------------------------------------------- baselines


class BaselineKind(StrEnum):
    #: The last score before the treatment running on the score's date began.
    TREATMENT = "treatment"
    #: The first score of the episode the score belongs to.
    EPISODE = "episode"
    #: No episode onset is recorded, so the first score on file stands in.
    FIRST_ON_FILE = "first_on_file"
    #: This score is itself the baseline: nothing earlier in its episode.
    IS_BASELINE = "is_baseline"
    #: The score lies outside every recorded episode: shown, never compared.
    OUTSIDE_EPISODES = "outside_episodes"


@dataclass(frozen=True)
class ScorePoint:
    """One administration as the baseline rule sees it."""

    key: str
    taken_on: date
    total: int


@dataclass(frozen=True)
class EpisodeWindow:
    number: int
    onset: date | None
    ended: date | None = None


@dataclass(frozen=True)
class TreatmentWindow:
    name: str
    start: date
    stop: date | None = None


@dataclass(frozen=True)
class Baseline:
    """Which earlier score a change is measured from, and the words that name it."""

    kind: BaselineKind
    label: str
    point: ScorePoint | None = None
    episode: int | None = None

    @property
    def total(self) -> int | None:
        return self.point.total if self.point is not None else None


BASELINE_SOURCE = "STAR*D and NCQA/HEDIS measure change from the treatment's baseline"


def _episode_of(day: date, episodes: Sequence[EpisodeWindow]) -> EpisodeWindow | None:
    started = [e for e in episodes if e.onset is not None and e.onset <= day]
    if not started:
        return None
    ep = max(started, key=lambda e: (e.onset, e.number))
    if ep.ended is not None and day > ep.ended:
        return None
    return ep


def choose_baseline(
    instrument_name: str,
    history: Sequence[ScorePoint],
    index: int,
    episodes: Sequence[EpisodeWindow] = (),
    treatments: Sequence[TreatmentWindow] = (),
) -> Baseline:
    """The baseline for ``history[index]`` (one instrument's scores in date order).

    * Only scores in the same episode are candidates: an episode runs from its onset to its
      end (or on). Scores from an earlier episode are shown, never used as a baseline.
    * When a treatment was running on the score's date (the latest such start), the baseline
      is the last score on or before that treatment began, within the episode.
    * Otherwise it is the episode's first score. A score with nothing earlier in its episode is
      itself the baseline. Without any recorded episode onset, the first score on file stands
      in, and the label says so.
    """
    point = history[index]
    earlier = list(history[:index])
    dated = [e for e in episodes if e.onset is not None]
    if dated:
        ep = _episode_of(point.taken_on, dated)
        if ep is None:
            return Baseline(
                BaselineKind.OUTSIDE_EPISODES,
                "outside every recorded episode, so not compared with any other score",
            )
        assert ep.onset is not None
        candidates = [p for p in earlier if p.taken_on >= ep.onset]
        where = f"episode {ep.number} (onset {ep.onset.isoformat()})"
        episode_number: int | None = ep.number
        lower = ep.onset
    else:
        candidates = earlier
        where = "the record (no episode onset recorded)"
        episode_number = None
        lower = None
    running = [
        t
        for t in treatments
        if t.start <= point.taken_on
        and (t.stop is None or t.stop >= point.taken_on)
        and (lower is None or t.start >= lower)
    ]
    if running:
        treatment = max(running, key=lambda t: t.start)
        before = [p for p in candidates if p.taken_on <= treatment.start]
        if before:
            base = before[-1]
            return Baseline(
                BaselineKind.TREATMENT,
                f"treatment baseline: the last {instrument_name} before {treatment.name} began on "
                f"{treatment.start.isoformat()}, {base.total} on {base.taken_on.isoformat()}",
                base,
                episode_number,
            )
    if not candidates:
        return Baseline(
            BaselineKind.IS_BASELINE,
            f"this is the first {instrument_name} of {where}: it is the baseline",
            None,
            episode_number,
        )
    base = candidates[0]
    kind = BaselineKind.EPISODE if dated else BaselineKind.FIRST_ON_FILE
    return Baseline(
        kind,
        f"the first {instrument_name} of {where}, {base.total} on {base.taken_on.isoformat()}",
        base,
        episode_number,
    )
