"""Issue 14 on the command line: distinct agents and baselines in ``patient show --json``; the real change
printed by ``measure add --json``."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from _cli_helpers import Run, json_out


def test_patient_show_json_gives_distinct_agents_and_names_baselines(run: Run, demo_dir: Path) -> None:
    trd = json_out(run, "patient", "show", "DEMO-04", "--json")["trd"]
    assert trd["distinct_failed_agents"] == len(trd["failed_agents"]) == trd["adequate_failed_trials"]
    assert trd["failed_agents"] == ["fluoxetine", "venlafaxine", "nortriptyline"]
    assert trd["unrecognised_agents"] == []
    assert trd["thase_rush_failed_classes"] == ["SSRI", "SNRI", "TCA"]
    for t in trd["trials"]:
        assert {"agent_identified_as", "agent_recognised", "drug_class", "merged_into", "conflict"} <= set(t)
    shown = json_out(run, "patient", "show", "DEMO-04", "--json")
    compared = [m for m in shown["measures"] if m["change_from_baseline"] is not None]
    assert compared
    for m in shown["measures"]:
        assert m["baseline"]["label"]  # every score says what it is measured from (or that it is the baseline)
    for m in compared:
        assert m["change_from_baseline"]["explanation"].startswith("Baseline: ")
        assert m["baseline"]["total"] == m["change_from_baseline"]["baseline_total"]
    assert shown["risk"]["explanation"]
    # The same findings the overview and the prints show: DEMO-04 has alerts nobody acknowledged,
    # and its latest MADRS (a total) does not answer the suicidality item.
    findings = shown["risk"]["findings"]
    assert findings[0]["kind"] == "open_alert" and findings[0]["urgency"] == "danger"
    assert any(f["kind"] == "item_not_recorded" and "MADRS item 10" in f["text"] for f in findings)


def test_measure_add_json_prints_the_real_change(run: Run, demo_dir: Path) -> None:
    today = dt.date.today().isoformat()
    added = json_out(run, "measure", "add", "DEMO-04", "phq9", "--items", "1,1,1,0,1,0,1,0,0", "--date", today,
                     "--json")
    change = added["change_from_baseline"]
    assert change is not None  # it used to print null for every measure
    assert change["baseline_total"] == added["baseline"]["total"]
    assert change["delta"] == added["total"] - change["baseline_total"]
    assert added["baseline"]["kind"] in {"treatment", "episode"}
    text = run("measure", "add", "DEMO-04", "phq9", "--total", "5", "--date", today)
    assert text.code == 0
    assert "Baseline: " in text.out
