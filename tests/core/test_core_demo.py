"""The demo practice: its patients are staged exactly as a clinician would stage them by hand.

Rules applied below (clinical reference §3, app defaults):
- A dosed trial is adequate at dose >= minimum effective dose for >= 4 weeks with good
  adherence. Its outcome is the recorded one; if none is recorded, it comes from the
  scores (<25% improvement = non-response, 25-49% partial, >=50% response). Only
  non-response counts as a failure (partial response does not, by default).
- TRD = at least 2 adequate failed antidepressant trials (monotherapy, switch or
  combination) in the current episode. Augmentation, ECT, rTMS and esketamine never
  count toward the 2.
- Thase-Rush: I = one failure; II = failures in 2 classes; III = II without the TCA, plus
  a failed TCA; IV = III without the MAOI, plus a failed MAOI; V = IV plus failed
  bilateral ECT.
- Maudsley: duration <=12 months 1, 13-24 months 2, >24 months 3; severity mild 2,
  moderate 3, severe 4, severe with psychosis 5; failed antidepressants 1-2 -> 1,
  3-4 -> 2; augmentation used +1; ECT used +1. Mild 3-6, moderate 7-10, severe 11-15.
  Not scored at all when no antidepressant trial has failed.

Hand computation from the trial lists in trdplanner/core/demo.py:

DEMO-01 Maya Okafor. Episode 5 months, moderate. Sertraline (SSRI) 100 >= 50 mg for 6 weeks,
  still running, no outcome recorded (only a baseline score): adequate, not a failure.
  -> 0 failures: not TRD, stage 0, Maudsley not applicable.
DEMO-02 Jonas Weber. Current episode 2: 10 months, moderate. Escitalopram (SSRI) 20 >= 10 for
  8 weeks, non-response: failure 1. Venlafaxine (SNRI) 75 >= 75 but only 2 weeks (stopped for
  intolerance): not adequate. -> 1 failure: not TRD, stage I.
  Maudsley 1 (10 months) + 3 (moderate) + 1 (1 failure) + 0 + 0 = 5, mild.
DEMO-03 Priya Raman. 14 months, moderate. Sertraline (SSRI) 150 >= 50, 10 weeks, non-response:
  failure 1. Duloxetine (SNRI) 60 >= 60, 12 weeks, non-response: failure 2.
  -> 2 failures: TRD; SSRI + SNRI = stage II.
  Maudsley 2 (14 months) + 3 (moderate) + 1 (2 failures) + 0 + 0 = 6, mild.
DEMO-04 Tomás Álvarez. 30 months, severe, no psychosis. Fluoxetine (SSRI) 40 >= 20, 12 weeks,
  non-response: 1. Venlafaxine (SNRI) 225 >= 75, 14 weeks, non-response: 2. Aripiprazole
  augmentation (adequate, failed, but not an antidepressant trial). Nortriptyline (TCA)
  100 >= 75, 10 weeks, non-response: 3. Esketamine: adequacy not judged, never counts.
  -> 3 failures: TRD; SSRI + SNRI reach II without the TCA, plus the failed TCA = stage III.
  Maudsley 3 (30 months) + 4 (severe) + 2 (3 failures) + 1 (augmentation) + 0 = 10, moderate.
DEMO-05 Eleanor Marsh. 40 months, severe with psychotic features. Citalopram (SSRI) 40 >= 20,
  10 weeks, non-response: 1. Duloxetine (SNRI) 120 >= 60, 12 weeks, non-response: 2. Lithium
  augmentation, partial response (not a failure, but augmentation was used). Clomipramine (TCA)
  150 >= 100, 16 weeks, non-response: 3. Phenelzine (MAOI) 60 >= 45, 20 weeks, non-response: 4.
  Bilateral ECT judged adequate, non-response.
  -> 4 failures: TRD; SSRI + SNRI -> II, + TCA -> III, + MAOI -> IV, + bilateral ECT = stage V.
  Maudsley 3 (40 months) + 5 (severe, psychotic) + 2 (4 failures) + 1 (augmentation) + 1 (ECT)
  = 12, severe.
DEMO-06 Sam Whitfield. 20 months, severe. Paroxetine (SSRI) 30 >= 20, 8 weeks, non-response: 1.
  Bupropion (NDRI) 300 >= 150, 12 weeks, no outcome recorded; scores 21 -> 19 is 10%
  improvement (< 25%) = non-response: 2. iTBS course 20 -> 17 (15%) fails but is not an
  antidepressant trial. -> 2 failures: TRD; SSRI + NDRI, no TCA = stage II.
  Maudsley 2 (20 months) + 4 (severe) + 1 (2 failures) + 0 + 0 = 7, moderate.
DEMO-07 Aiko Tanaka (archived). Escitalopram (SSRI) 10 >= 10, 30 weeks, response: not a
  failure. -> 0 failures: not TRD, stage 0, Maudsley not applicable.
"""

from __future__ import annotations

import datetime as dt
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import NamedTuple

import pytest
from _core_helpers import row_counts

from trdplanner.clinical import ScoreFlag
from trdplanner.context import AppContext
from trdplanner.core.demo import create_demo, demo_patients

# DEMO-07's episode began 12 months ago. months_ago() pins the day to the 28th at most, so on
# the 29th-31st of a month the onset is 12 months and a few days back: "more than 12 months".
DEMO_07_DURATION = 1 if dt.date.today().day <= 28 else 2


class Staging(NamedTuple):
    trd: str
    failed: int
    thase_rush: int
    maudsley: int | None
    category: str | None
    # Maudsley points: duration, severity, antidepressants, augmentation, ECT
    points: tuple[int | None, int | None, int | None, int, int]


BY_HAND = {
    "DEMO-01": Staging("not_trd", 0, 0, None, None, (1, 3, None, 0, 0)),
    "DEMO-02": Staging("not_trd", 1, 1, 5, "mild", (1, 3, 1, 0, 0)),
    "DEMO-03": Staging("trd", 2, 2, 6, "mild", (2, 3, 1, 0, 0)),
    "DEMO-04": Staging("trd", 3, 3, 10, "moderate", (3, 4, 2, 1, 0)),
    "DEMO-05": Staging("trd", 4, 5, 12, "severe", (3, 5, 2, 1, 1)),
    "DEMO-06": Staging("trd", 2, 2, 7, "moderate", (2, 4, 1, 0, 0)),
    "DEMO-07": Staging("not_trd", 0, 0, None, None, (DEMO_07_DURATION, 2, None, 0, 0)),
}


@pytest.fixture
def demo_ctx(data_dir: Path) -> Iterator[AppContext]:
    """An empty practice on the per-test data dir."""
    ctx = AppContext.open(str(data_dir))
    yield ctx
    ctx.close()


@pytest.fixture
def copied_demo_ctx(data_dir: Path, demo_sqlite: Path) -> Iterator[AppContext]:
    """The per-test data dir holding a copy of a practice where the demo was already created."""
    shutil.copyfile(demo_sqlite, data_dir / "trdplanner.sqlite3")
    ctx = AppContext.open(str(data_dir))
    yield ctx
    ctx.close()


def test_demo_stages_every_patient_as_computed_by_hand(demo_ctx: AppContext) -> None:
    added, present = create_demo(demo_ctx)
    assert (added, present) == (len(BY_HAND), 0)
    everyone = demo_ctx.patients.summaries(status=None)
    assert len(everyone) >= 6
    assert sorted(s.code for s in everyone) == sorted(BY_HAND)

    for row in everyone:
        summary = demo_ctx.summary.for_patient(row.id)
        msm = summary.maudsley
        got = Staging(
            str(summary.trd.status),
            summary.trd.adequate_failed_trials,
            summary.thase_rush.stage,
            msm.total,
            str(msm.category) if msm.category else None,
            (msm.duration_points, msm.severity_points, msm.antidepressant_points, msm.augmentation_points,
             msm.ect_points),
        )  # fmt: skip
        assert got == BY_HAND[row.code], row.code


def test_demo_module_expectations_agree_with_the_hand_computation() -> None:
    for p in demo_patients(dt.date.today()):
        hand = BY_HAND[p.profile.code]
        assert (p.expected_trd, p.expected_thase_rush, p.expected_maudsley) == (
            hand.trd,
            hand.thase_rush,
            hand.maudsley,
        ), p.profile.code


def test_demo_is_safe_to_run_twice(copied_demo_ctx: AppContext) -> None:
    before = row_counts(copied_demo_ctx.db)
    assert create_demo(copied_demo_ctx) == (0, len(BY_HAND))
    assert row_counts(copied_demo_ctx.db) == before


def test_demo_shows_what_a_clinician_needs_to_see(copied_demo_ctx: AppContext) -> None:
    demo_ctx = copied_demo_ctx
    active = {s.code for s in demo_ctx.patients.summaries()}
    assert "DEMO-07" not in active  # archived
    assert len(active) == len(BY_HAND) - 1

    # Sam's latest PHQ-9 has item 9 above 0: flagged, and the alert is open.
    sam = demo_ctx.patients.id_for_code("DEMO-06")
    assert sam is not None
    summary = demo_ctx.summary.for_patient(sam)
    latest_phq9 = summary.latest_by_instrument()["phq9"]
    assert latest_phq9.record.items is not None and latest_phq9.record.items[8] > 0
    assert ScoreFlag.PHQ9_ITEM9_POSITIVE in latest_phq9.score.flags
    assert summary.risk_flag and latest_phq9 in summary.open_alerts

    # Every demo patient has sessions with signed notes and one unsigned draft.
    for row in demo_ctx.patients.summaries(status=None):
        sessions = demo_ctx.sessions.list(row.id)
        statuses = [s.note.status for s in sessions if s.note]
        assert statuses.count("draft") == 1 and statuses.count("signed") >= 1, row.code
