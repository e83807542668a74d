"""The synthetic demo patients, with the staging a clinician would compute by hand.

Every person here is invented. Dates are laid out relative to the day the demo is
created, so episode durations (and hence Maudsley duration points) stay stable.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from trdplanner.core.records import (
    CareTeamRec,
    ComorbidityRec,
    CourseRec,
    CourseSessionRec,
    EpisodeRec,
    FactorRec,
    MeasureRec,
    MedicationRec,
    PatientProfile,
    TrialRec,
)
from trdplanner.core.vocab import CareRole, FactorGroup, PatientStatus, RiskLevel


def months_ago(today: dt.date, months: int) -> dt.date:
    year, month = divmod(today.year * 12 + today.month - 1 - months, 12)
    return dt.date(year, month + 1, min(today.day, 28))


def weeks_ago(today: dt.date, weeks: float) -> dt.date:
    return today - dt.timedelta(days=round(weeks * 7))


def items_for(total: int, count: int, top: int, *, item9: int | None = None) -> list[int]:
    """A deterministic answer pattern adding up to ``total`` (item 9 pinned if asked)."""
    items = [0] * count
    remaining = total
    if item9 is not None:
        items[8] = item9
        remaining -= item9
    order = [i for i in range(count) if not (item9 is not None and i == 8)]
    while remaining > 0:
        for i in order:
            if remaining and items[i] < top:
                items[i] += 1
                remaining -= 1
    return items


@dataclass
class DemoPatient:
    """One synthetic patient plus the staging a clinician would compute by hand."""

    profile: PatientProfile
    trials: list[TrialRec]
    phq9: list[tuple[float, int, int]]  # (weeks ago, total, item 9)
    expected_trd: str
    expected_thase_rush: int
    expected_maudsley: int | None
    extra_measures: list[MeasureRec] = field(default_factory=list)
    modality: str = "cbt"
    courses: list[CourseRec] = field(default_factory=list)


def esketamine_course(today: dt.date, trial_index: int) -> CourseRec:
    """Twice weekly for four weeks, then weekly; the latest dose two days ago (so integration is due)."""
    days = [42, 39, 35, 32, 28, 25, 21, 14, 2]
    sessions = [
        CourseSessionRec(
            number=n,
            given_on=today - dt.timedelta(days=d),
            dose=56.0 if n <= 2 else 84.0,
            bp_before="128/82" if n % 2 else "124/80",
            bp_after="142/88" if n == 1 else "134/84",
            observed_minutes=120,
            sedation=2 if n <= 2 else 1,
            dissociation=3 if n == 1 else (2 if n <= 4 else 1),
            adverse_events="Nausea after the first dose." if n == 1 else "",
            travel_home="Driven home by partner",
        )
        for n, d in enumerate(days, start=1)
    ]
    return CourseRec(kind="esketamine", start=weeks_ago(today, 6), provider="Dr. Morgan Reyes (demo)",
                     sessions=sessions, trial_index=trial_index, notes="Observed 2 h after each dose.")


def ect_course(today: dt.date, trial_index: int) -> CourseRec:
    """Twelve bilateral treatments, three a week, that did not help: the stage V course."""
    start = weeks_ago(today, 60)
    sessions = [
        CourseSessionRec(
            number=n,
            given_on=start + dt.timedelta(days=(n - 1) // 3 * 7 + (n - 1) % 3 * 2),
            placement="bilateral",
            seizure_seconds=38 - n,
            cognitive_effects="Word-finding trouble for a day" if n >= 9 else "",
        )
        for n in range(1, 13)
    ]
    return CourseRec(kind="ect", start=start, stop=weeks_ago(today, 54), outcome="non_response",
                     stop_reason="inefficacy", provider="Riverside ECT suite (demo)", sessions=sessions,
                     trial_index=trial_index)


def _ssri(today: dt.date, agent: str, start_w: float, stop_w: float | None, **kw: object) -> TrialRec:
    base = dict(
        kind="antidepressant_monotherapy",
        agent=agent,
        episode_number=1,
        dose_unit="mg/day",
        start=weeks_ago(today, start_w),
        stop=weeks_ago(today, stop_w) if stop_w is not None else None,
        adherence="good",
        score_instrument="phq9",
        prescriber="Dr. Morgan Reyes (demo)",
    )
    base.update(kw)
    return TrialRec(**base)  # type: ignore[arg-type]


def demo_patients(today: dt.date) -> list[DemoPatient]:
    t = today
    return [
        DemoPatient(
            # First trial, still running: nothing has failed yet.
            profile=PatientProfile(
                code="DEMO-01",
                full_name="Maya Okafor",
                preferred_name="Maya",
                pronouns="she/her",
                date_of_birth=dt.date(1994, 3, 14),
                phone="555-0101",
                primary_diagnosis="Major depressive disorder, single episode, moderate",
                primary_diagnosis_icd10="F32.1",
                risk_level=RiskLevel.LOW,
                risk_summary="No current ideation; protective factors: partner, work.",
                episodes=[EpisodeRec(1, months_ago(t, 5), severity="moderate", psychotic_features=False)],
                factors=[FactorRec(FactorGroup.LIFESTYLE, "sleep", "Shift work since spring")],
                medications=[MedicationRec("Sertraline", "100 mg", "mornings", "good", "Dr. Morgan Reyes (demo)")],
                care_team=[CareTeamRec(CareRole.PRESCRIBER, "Dr. Morgan Reyes (demo)", "555-0190")],
            ),
            trials=[
                _ssri(t, "Sertraline", 6, None, drug_class="SSRI", dose=100, min_effective_dose=50, baseline_score=16)
            ],
            phq9=[(6, 16, 0), (4, 14, 0), (2, 12, 0), (0, 10, 0)],
            expected_trd="not_trd",
            expected_thase_rush=0,
            expected_maudsley=None,
        ),
        DemoPatient(
            # One adequate failure; the second trial stopped for side effects at week 2 does not count.
            # Maudsley: 10 months (1) + moderate (3) + 1 failure (1) = 5, mild.
            profile=PatientProfile(
                code="DEMO-02",
                full_name="Jonas Weber",
                preferred_name="Jonas",
                pronouns="he/him",
                date_of_birth=dt.date(1981, 11, 2),
                primary_diagnosis="Major depressive disorder, recurrent, moderate",
                primary_diagnosis_icd10="F33.1",
                risk_level=RiskLevel.LOW,
                episodes=[
                    EpisodeRec(1, months_ago(t, 30), months_ago(t, 20), "mild", psychotic_features=False),
                    EpisodeRec(2, months_ago(t, 10), severity="moderate", psychotic_features=False),
                ],
                comorbidities=[ComorbidityRec("Generalised anxiety disorder", "F41.1")],
                factors=[
                    FactorRec(FactorGroup.PSYCHOLOGICAL, "anxiety", "Long-standing worry"),
                    FactorRec(FactorGroup.BIOLOGICAL, "family_history", "Mother treated for depression"),
                ],
            ),
            trials=[
                _ssri(
                    t,
                    "Escitalopram",
                    30,
                    21,
                    drug_class="SSRI",
                    dose=20,
                    min_effective_dose=10,
                    weeks_at_adequate_dose=8,
                    outcome="non_response",
                    stop_reason="inefficacy",
                    baseline_score=17,
                    end_score=16,
                    episode_number=2,
                ),
                _ssri(
                    t,
                    "Venlafaxine XR",
                    20,
                    18,
                    kind="switch",
                    drug_class="SNRI",
                    dose=75,
                    min_effective_dose=75,
                    weeks_at_adequate_dose=2,
                    stop_reason="intolerance",
                    side_effects="Nausea, sweating",
                    outcome="not_assessable",
                    episode_number=2,
                ),
            ],
            phq9=[(30, 17, 0), (21, 16, 0), (12, 15, 0), (6, 13, 0), (2, 12, 0)],
            expected_trd="not_trd",
            expected_thase_rush=1,
            expected_maudsley=5,
            modality="ipt",
        ),
        DemoPatient(
            # Two adequate failures in two classes: TRD, Thase-Rush II.
            # Maudsley: 14 months (2) + moderate (3) + 2 failures (1) = 6, mild.
            profile=PatientProfile(
                code="DEMO-03",
                full_name="Priya Raman",
                preferred_name="Priya",
                pronouns="she/her",
                date_of_birth=dt.date(1988, 6, 30),
                primary_diagnosis="Major depressive disorder, recurrent, moderate",
                primary_diagnosis_icd10="F33.1",
                risk_level=RiskLevel.MODERATE,
                risk_summary="Passive thoughts of death in past month, no plan or intent.",
                episodes=[EpisodeRec(1, months_ago(t, 14), severity="moderate", psychotic_features=False)],
                factors=[
                    FactorRec(FactorGroup.BIOLOGICAL, "medical_condition", "Hypothyroidism, treated"),
                    FactorRec(FactorGroup.LIFESTYLE, "social_support", "Moved cities last year"),
                ],
                medications=[
                    MedicationRec("Duloxetine", "60 mg", "daily", "good"),
                    MedicationRec("Levothyroxine", "75 mcg", "daily", "good"),
                ],
            ),
            trials=[
                _ssri(
                    t,
                    "Sertraline",
                    52,
                    40,
                    drug_class="SSRI",
                    dose=150,
                    min_effective_dose=50,
                    weeks_at_adequate_dose=10,
                    outcome="non_response",
                    stop_reason="inefficacy",
                    baseline_score=18,
                    end_score=16,
                ),
                _ssri(
                    t,
                    "Duloxetine",
                    36,
                    None,
                    kind="switch",
                    drug_class="SNRI",
                    dose=60,
                    min_effective_dose=60,
                    weeks_at_adequate_dose=12,
                    outcome="non_response",
                    baseline_score=17,
                    end_score=15,
                ),
            ],
            phq9=[(52, 18, 0), (40, 16, 1), (36, 17, 1), (24, 16, 0), (12, 15, 0), (4, 15, 1), (1, 14, 0)],
            expected_trd="trd",
            expected_thase_rush=2,
            expected_maudsley=6,
            modality="act",
        ),
        DemoPatient(
            # SSRI, SNRI and TCA failures plus augmentation: Thase-Rush III.
            # Maudsley: 30 months (3) + severe (4) + 3 failures (2) + augmentation (1) = 10, moderate.
            profile=PatientProfile(
                code="DEMO-04",
                full_name="Tomás Álvarez",
                preferred_name="Tomás",
                pronouns="he/him",
                date_of_birth=dt.date(1975, 1, 22),
                primary_diagnosis="Major depressive disorder, recurrent, severe without psychotic features",
                primary_diagnosis_icd10="F33.2",
                risk_level=RiskLevel.MODERATE,
                risk_summary="History of one overdose (2019). Safety plan in place.",
                episodes=[EpisodeRec(1, months_ago(t, 30), severity="severe", psychotic_features=False)],
                factors=[
                    FactorRec(FactorGroup.PSYCHOLOGICAL, "trauma_history", "Childhood adversity"),
                    FactorRec(FactorGroup.LIFESTYLE, "substance_use", "Alcohol, reduced since 2023"),
                ],
                medications=[
                    MedicationRec("Nortriptyline", "100 mg", "nightly", "partial"),
                    MedicationRec("Esketamine nasal spray", "84 mg", "weekly, observed", "good"),
                ],
                care_team=[
                    CareTeamRec(CareRole.PRESCRIBER, "Dr. Morgan Reyes (demo)", "555-0190"),
                    CareTeamRec(CareRole.PRIMARY_CARE, "Riverside Family Clinic (demo)", "555-0150"),
                ],
            ),
            trials=[
                _ssri(
                    t,
                    "Fluoxetine",
                    120,
                    104,
                    drug_class="SSRI",
                    dose=40,
                    min_effective_dose=20,
                    weeks_at_adequate_dose=12,
                    outcome="non_response",
                    stop_reason="inefficacy",
                ),
                _ssri(
                    t,
                    "Venlafaxine XR",
                    100,
                    80,
                    kind="switch",
                    drug_class="SNRI",
                    dose=225,
                    min_effective_dose=75,
                    weeks_at_adequate_dose=14,
                    outcome="non_response",
                    stop_reason="inefficacy",
                ),
                _ssri(
                    t,
                    "Aripiprazole",
                    90,
                    80,
                    kind="augmentation",
                    drug_class="atypical antipsychotic",
                    dose=5,
                    min_effective_dose=2,
                    weeks_at_adequate_dose=8,
                    outcome="non_response",
                    stop_reason="inefficacy",
                ),
                _ssri(
                    t,
                    "Nortriptyline",
                    70,
                    None,
                    kind="switch",
                    drug_class="TCA",
                    dose=100,
                    min_effective_dose=75,
                    weeks_at_adequate_dose=10,
                    outcome="non_response",
                    baseline_score=22,
                    end_score=20,
                ),
                TrialRec(
                    kind="esketamine",
                    agent="Esketamine nasal spray",
                    episode_number=1,
                    start=weeks_ago(t, 6),
                    dose=84,
                    dose_unit="mg/session",
                    treatments_count=9,
                    prescriber="Dr. Morgan Reyes (demo)",
                    notes="Observed 2 h after each dose.",
                ),
            ],
            phq9=[(70, 22, 1), (50, 21, 1), (30, 20, 0), (12, 21, 1), (6, 20, 0), (3, 15, 0), (1, 12, 0)],
            expected_trd="trd",
            expected_thase_rush=3,
            expected_maudsley=10,
            extra_measures=[MeasureRec("madrs", weeks_ago(t, 6), 34), MeasureRec("madrs", weeks_ago(t, 1), 22)],
            modality="dbt",
            courses=[esketamine_course(t, 4)],
        ),
        DemoPatient(
            # SSRI, SNRI, TCA, MAOI and bilateral ECT all failed: Thase-Rush V.
            # Maudsley: 40 months (3) + severe with psychosis (5) + 4 failures (2)
            # + augmentation (1) + ECT (1) = 12, severe.
            profile=PatientProfile(
                code="DEMO-05",
                full_name="Eleanor Marsh",
                preferred_name="Nell",
                pronouns="she/her",
                date_of_birth=dt.date(1962, 9, 5),
                primary_diagnosis="Major depressive disorder, recurrent, severe with psychotic features",
                primary_diagnosis_icd10="F33.3",
                risk_level=RiskLevel.HIGH,
                risk_summary="Recurrent ideation; daughter holds medications. Reviewed weekly.",
                episodes=[EpisodeRec(1, months_ago(t, 40), severity="severe", psychotic_features=True)],
                factors=[
                    FactorRec(FactorGroup.BIOLOGICAL, "medical_condition", "Chronic back pain"),
                    FactorRec(FactorGroup.LIFESTYLE, "social_support", "Widowed 2021"),
                ],
                medications=[
                    MedicationRec("Phenelzine", "60 mg", "divided", "good"),
                    MedicationRec("Lithium", "800 mg", "nightly", "good"),
                ],
            ),
            trials=[
                _ssri(
                    t,
                    "Citalopram",
                    170,
                    156,
                    drug_class="SSRI",
                    dose=40,
                    min_effective_dose=20,
                    weeks_at_adequate_dose=10,
                    outcome="non_response",
                ),
                _ssri(
                    t,
                    "Duloxetine",
                    150,
                    136,
                    kind="switch",
                    drug_class="SNRI",
                    dose=120,
                    min_effective_dose=60,
                    weeks_at_adequate_dose=12,
                    outcome="non_response",
                ),
                _ssri(
                    t,
                    "Lithium",
                    140,
                    None,
                    kind="augmentation",
                    drug_class="lithium",
                    dose=800,
                    min_effective_dose=600,
                    weeks_at_adequate_dose=30,
                    outcome="partial_response",
                ),
                _ssri(
                    t,
                    "Clomipramine",
                    130,
                    110,
                    kind="switch",
                    drug_class="TCA",
                    dose=150,
                    min_effective_dose=100,
                    weeks_at_adequate_dose=16,
                    outcome="non_response",
                ),
                _ssri(
                    t,
                    "Phenelzine",
                    100,
                    None,
                    kind="switch",
                    drug_class="MAOI",
                    dose=60,
                    min_effective_dose=45,
                    weeks_at_adequate_dose=20,
                    outcome="non_response",
                ),
                TrialRec(
                    kind="ect",
                    agent="Bilateral ECT",
                    episode_number=1,
                    start=weeks_ago(t, 60),
                    stop=weeks_ago(t, 54),
                    ect_bilateral=True,
                    treatments_count=12,
                    clinician_judged_adequate=True,
                    outcome="non_response",
                    stop_reason="inefficacy",
                ),
            ],
            phq9=[(100, 24, 2), (60, 23, 1), (30, 22, 1), (8, 21, 1), (4, 20, 1), (1, 19, 1)],
            courses=[ect_course(t, 5)],
            expected_trd="trd",
            expected_thase_rush=5,
            expected_maudsley=12,
            extra_measures=[
                MeasureRec("hamd17", weeks_ago(t, 4), 28, [3, 2, 2, 2, 2, 1, 3, 2, 1, 2, 2, 1, 1, 1, 1, 2, 0]),
                MeasureRec("bdi2", weeks_ago(t, 4), 38),
            ],
            modality="cbt",
        ),
        DemoPatient(
            # Two failures (SSRI, NDRI) and an rTMS course; item 9 positive last week.
            # Maudsley: 20 months (2) + severe (4) + 2 failures (1) = 7, moderate.
            profile=PatientProfile(
                code="DEMO-06",
                full_name="Sam Whitfield",
                pronouns="they/them",
                date_of_birth=dt.date(1999, 4, 18),
                primary_diagnosis="Major depressive disorder, single episode, severe",
                primary_diagnosis_icd10="F32.2",
                risk_level=RiskLevel.HIGH,
                risk_summary="Item 9 positive last week; safety plan reviewed.",
                episodes=[EpisodeRec(1, months_ago(t, 20), severity="severe", psychotic_features=False)],
                factors=[
                    FactorRec(FactorGroup.PSYCHOLOGICAL, "personality_disorder", "Emotion dysregulation traits"),
                    FactorRec(FactorGroup.LIFESTYLE, "exercise", "Sedentary since job loss"),
                ],
                emergency_contact_name="Jordan Whitfield",
                emergency_contact_relation="sibling",
                emergency_contact_phone="555-0166",
            ),
            trials=[
                _ssri(
                    t,
                    "Paroxetine",
                    60,
                    50,
                    drug_class="SSRI",
                    dose=30,
                    min_effective_dose=20,
                    weeks_at_adequate_dose=8,
                    outcome="non_response",
                    stop_reason="inefficacy",
                ),
                _ssri(
                    t,
                    "Bupropion XL",
                    48,
                    30,
                    kind="switch",
                    drug_class="NDRI",
                    dose=300,
                    min_effective_dose=150,
                    weeks_at_adequate_dose=12,
                    baseline_score=21,
                    end_score=19,
                ),
                TrialRec(
                    kind="rtms_itbs",
                    agent="iTBS, left DLPFC",
                    episode_number=1,
                    start=weeks_ago(t, 10),
                    stop=weeks_ago(t, 4),
                    treatments_count=30,
                    clinician_judged_adequate=True,
                    baseline_score=20,
                    end_score=17,
                    score_instrument="phq9",
                ),
            ],
            phq9=[(60, 21, 1), (30, 19, 0), (10, 20, 1), (4, 17, 0), (1, 18, 2)],
            expected_trd="trd",
            expected_thase_rush=2,
            expected_maudsley=7,
            extra_measures=[MeasureRec("gad7", weeks_ago(t, 1), 13, [2, 2, 2, 2, 2, 2, 1])],
            modality="dbt",
        ),
        DemoPatient(
            # Archived: responded to the first adequate trial and finished therapy.
            profile=PatientProfile(
                code="DEMO-07",
                full_name="Aiko Tanaka",
                preferred_name="Aiko",
                pronouns="she/her",
                date_of_birth=dt.date(1990, 12, 1),
                status=PatientStatus.ARCHIVED,
                primary_diagnosis="Major depressive disorder, single episode, mild",
                primary_diagnosis_icd10="F32.0",
                risk_level=RiskLevel.LOW,
                episodes=[EpisodeRec(1, months_ago(t, 12), severity="mild", psychotic_features=False)],
            ),
            trials=[
                _ssri(
                    t,
                    "Escitalopram",
                    40,
                    None,
                    drug_class="SSRI",
                    dose=10,
                    min_effective_dose=10,
                    weeks_at_adequate_dose=30,
                    baseline_score=14,
                    end_score=4,
                    outcome="response",
                )
            ],
            phq9=[(40, 14, 0), (30, 9, 0), (20, 5, 0), (10, 4, 0)],
            expected_trd="not_trd",
            expected_thase_rush=0,
            expected_maudsley=None,
            modality="mbct",
        ),
    ]
