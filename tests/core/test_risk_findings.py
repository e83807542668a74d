"""The one answer to "is the patient at risk now?" (core/risk_findings.py).

Cases from the clinical reference, section 2 ("Item-9 rule"): any item 9 above 0 raises an
alert and asks for a risk assessment and a safety-plan review whatever the total; QIDS-SR16
item 12 (and the other suicidality items) count the same; and the project rule that a positive
item is never hidden, downgraded or cleared by a later score that does not answer it.
"""

from __future__ import annotations

import datetime as dt

from trdplanner.clinical import score
from trdplanner.core.records import MeasureRec, PatientProfile
from trdplanner.core.risk_findings import (
    FindingKind,
    RiskFinding,
    Urgency,
    risk_findings,
    risk_now,
    safety_plan_first,
)
from trdplanner.core.services.summary import summarize
from trdplanner.core.views import ScoredMeasure
from trdplanner.settings import Settings

D1, D2, D3 = dt.date(2026, 10, 2), dt.date(2026, 10, 16), dt.date(2026, 10, 30)
ACK = dt.datetime(2026, 10, 2, 15, 0, tzinfo=dt.UTC)
PROFILE = PatientProfile(code="RF-01", full_name="Synthetic Person")


def _m(instrument: str, day: dt.date, items: list[int] | None = None, total: int | None = None,
       acknowledged: bool = True) -> ScoredMeasure:
    rec = MeasureRec(instrument, day, total if total is not None else sum(items or []), items,
                     alert_acknowledged_by="Dr. Example (fictional)" if acknowledged else "",
                     alert_acknowledged_at=ACK if acknowledged else None)
    return ScoredMeasure(rec, score(instrument, items=items, total=total), None)


def _phq9(day: dt.date, item9: int, acknowledged: bool = True) -> ScoredMeasure:
    return _m("phq9", day, [0, 0, 0, 0, 0, 0, 0, 0, item9], acknowledged=acknowledged)


def _kinds(found: list[RiskFinding]) -> list[FindingKind]:
    return [f.kind for f in found]


def _one(found: list[RiskFinding], kind: FindingKind) -> RiskFinding:
    [f] = [f for f in found if f.kind is kind]
    return f


def test_item_9_above_0_raises_the_flag_whatever_the_total() -> None:
    found = risk_findings(PROFILE, [_phq9(D1, 1, acknowledged=False)])
    # Total 1 is "minimal", yet the item alone raises the alert and the flag.
    assert _kinds(found)[:2] == [FindingKind.OPEN_ALERT, FindingKind.FLAG_RAISED]
    alert = _one(found, FindingKind.OPEN_ALERT)
    assert alert.urgency is Urgency.DANGER and alert.needs_safety_plan
    assert "not yet acknowledged by a clinician (1): PHQ-9 of 2026-10-02" in alert.text
    assert "review the safety plan" in alert.text
    raised = _one(found, FindingKind.FLAG_RAISED)
    assert ("PHQ-9 item 9 (thoughts of death or self-harm) answered 'some days' (1 of 3) on 2026-10-02"
            in raised.text)
    assert raised.short == "PHQ-9 item 9 positive on 2026-10-02"


def test_acknowledging_the_alert_does_not_lower_the_flag() -> None:
    found = risk_findings(PROFILE, [_phq9(D1, 2)])
    assert FindingKind.OPEN_ALERT not in _kinds(found)
    raised = _one(found, FindingKind.FLAG_RAISED)
    assert "acknowledged by Dr. Example (fictional) on 2026-10-02" in raised.text
    assert "'most days (more than half)' (2 of 3)" in raised.text


def test_a_later_total_only_phq9_does_not_clear_item_9() -> None:
    later = _m("phq9", D2, total=4)  # entered as a total: item 9 unknown
    found = risk_findings(PROFILE, [_phq9(D1, 1), later])
    raised = _one(found, FindingKind.FLAG_RAISED)
    assert raised.taken_on == D1 and "on 2026-10-02" in raised.text
    assert "a score without that item does not clear it" in raised.text
    missing = _one(found, FindingKind.ITEM_NOT_RECORDED)
    assert missing.text == ("PHQ-9 item 9 (thoughts of death or self-harm) not recorded on the latest PHQ-9 "
                            "(2026-10-16) (it does not clear the earlier positive answer): ask directly.")
    assert FindingKind.NO_FLAG not in _kinds(found)


def test_later_scores_without_the_item_never_clear_it() -> None:
    # MADRS and BDI-II entered as totals, and a GAD-7 (no suicidality item at all).
    for later in (_m("madrs", D2, total=8), _m("bdi2", D2, total=5), _m("gad7", D2, [0] * 7)):
        found = risk_findings(PROFILE, [_phq9(D1, 1), later])
        assert _one(found, FindingKind.FLAG_RAISED).taken_on == D1, later.record.instrument
        assert risk_now([_phq9(D1, 1), later]).raised


def test_a_later_item_answered_0_clears_the_flag_and_says_so() -> None:
    found = risk_findings(PROFILE, [_phq9(D1, 1), _phq9(D2, 0)])
    assert FindingKind.FLAG_RAISED not in _kinds(found)
    assert _one(found, FindingKind.NO_FLAG).text == (
        "No risk flag: an earlier positive suicidality item was followed by a later PHQ-9 on 2026-10-16 "
        "recorded the suicidality item as 0.")
    assert _one(found, FindingKind.LATEST_ITEM).text == (
        "PHQ-9 item 9 (thoughts of death or self-harm) answered 'not at all' (0 of 3) on 2026-10-16.")
    assert safety_plan_first(found) is None


def test_an_alert_nobody_acknowledged_stays_whatever_came_later() -> None:
    found = risk_findings(PROFILE, [_phq9(D1, 1, acknowledged=False), _phq9(D2, 0)])
    assert _one(found, FindingKind.OPEN_ALERT).taken_on == D1
    assert FindingKind.NO_FLAG not in _kinds(found)
    first = safety_plan_first(found)
    assert first is not None and first.short == "PHQ-9 item 9 positive on 2026-10-02"


def test_only_a_review_on_or_after_the_positive_score_clears_it() -> None:
    measures = [_phq9(D2, 1)]
    assert FindingKind.FLAG_RAISED in _kinds(risk_findings(PROFILE, measures, reviews=[D1]))
    found = risk_findings(PROFILE, measures, reviews=[D2])
    assert "a completed risk review on 2026-10-16" in _one(found, FindingKind.NO_FLAG).text


def test_qids_item_12_and_hamd_item_3_count_like_item_9() -> None:
    qids = _m("qids_sr16", D1, [0] * 11 + [1] + [0] * 4)
    raised = _one(risk_findings(PROFILE, [qids]), FindingKind.FLAG_RAISED)
    assert "QIDS-SR16 item 12 (thoughts of death or suicide) scored 1 of 3 on 2026-10-02" in raised.text
    assert raised.short == "QIDS-SR16 item 12 positive on 2026-10-02"
    hamd = _m("hamd17", D1, [0, 0, 2] + [0] * 14)
    raised = _one(risk_findings(PROFILE, [hamd]), FindingKind.FLAG_RAISED)
    assert raised.short == "HAM-D17 item 3 positive on 2026-10-02"


def test_nothing_on_file_says_ask_directly() -> None:
    found = risk_findings(PROFILE, [])
    assert _kinds(found) == [FindingKind.NO_SUICIDALITY_SCORE, FindingKind.RISK_LEVEL, FindingKind.NO_FLAG]
    assert found[0].text == "No score on file asks about thoughts of death or self-harm: ask directly."
    assert _one(found, FindingKind.RISK_LEVEL).text == "Risk level on file: Not recorded."


def test_the_profile_risk_level_and_summary_are_findings_high_first() -> None:
    profile = PatientProfile(code="RF-02", full_name="Synthetic Person", risk_level="high",
                             risk_summary="Fictional: passive thoughts, no plan.",
                             risk_summary_updated=dt.date(2026, 9, 1))
    found = risk_findings(profile, [_phq9(D1, 0)])
    assert found[0].kind is FindingKind.RISK_LEVEL and found[0].urgency is Urgency.DANGER
    first = safety_plan_first(found)
    assert first is not None and first.short == "risk level on file is high"
    assert found[-1].text == "Risk summary on file, last updated 2026-09-01: Fictional: passive thoughts, no plan."


def test_urgent_findings_come_first() -> None:
    profile = PatientProfile(code="RF-03", full_name="Synthetic Person", risk_level="moderate")
    found = risk_findings(profile, [_phq9(D1, 1), _m("phq9", D2, total=3)])
    order = {Urgency.DANGER: 0, Urgency.WARNING: 1, Urgency.INFO: 2}
    assert [order[f.urgency] for f in found] == sorted(order[f.urgency] for f in found)
    assert found[0].kind is FindingKind.FLAG_RAISED


def test_a_session_day_leaves_out_later_scores_and_reviews() -> None:
    measures = [_phq9(D1, 0), _phq9(D3, 2)]
    assert FindingKind.FLAG_RAISED not in _kinds(risk_findings(PROFILE, measures, day=D2))
    assert FindingKind.FLAG_RAISED in _kinds(risk_findings(PROFILE, [_phq9(D1, 1)], reviews=[D3], day=D2))


def test_the_summary_carries_the_same_findings_and_flag() -> None:
    recs = [MeasureRec("phq9", D1, 1, [0, 0, 0, 0, 0, 0, 0, 0, 1]), MeasureRec("phq9", D2, 4)]
    summary = summarize(PROFILE, [], recs, Settings(), as_of=D3, reviews=[])
    assert list(summary.risk_findings) == risk_findings(PROFILE, summary.measures)
    assert summary.risk.raised and summary.risk_flag
    assert _one(list(summary.risk_findings), FindingKind.OPEN_ALERT).taken_on == D1
