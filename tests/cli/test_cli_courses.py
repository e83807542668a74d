"""``trdplanner course ...`` and the ``courses`` in ``patient show --json``."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from _cli_helpers import Run, assert_one_line_error, json_out, row_counts


def test_patient_show_json_lists_courses_with_sessions_adequacy_and_outcome(run: Run, demo_dir: Path) -> None:
    shown = json_out(run, "patient", "show", "DEMO-05", "--json")
    (ect,) = shown["courses"]
    assert (ect["kind"], ect["adequate"], ect["outcome"], len(ect["sessions"])) == ("ect", True, "non_response", 12)
    assert shown["trd"]["thase_rush_stage"] == 5 and shown["trd"]["maudsley_points"]["ect"] == 1
    (esk,) = json_out(run, "patient", "show", "DEMO-04", "--json")["courses"]
    assert esk["kind"] == "esketamine" and esk["adequate"] is None and esk["sessions"][0]["sedation"] == 2


def test_course_add_and_session_add_for_each_kind(run: Run, demo_dir: Path) -> None:
    start = (dt.date.today() - dt.timedelta(days=3)).isoformat()
    day = (dt.date.today() - dt.timedelta(days=1)).isoformat()
    options = {
        "esketamine": ["--dose", "56", "--bp-before", "128/82", "--bp-after", "136/86", "--observed-minutes", "120",
                       "--sedation", "1", "--dissociation", "2", "--travel-home", "taxi with a friend"],
        "iv_ketamine": ["--dose", "0.5", "--infusion-minutes", "40", "--sedation", "1"],
        "tms": ["--motor-threshold", "120", "--pulses", "600"],
        "ect": ["--placement", "right_unilateral", "--seizure-seconds", "32", "--cognitive-effects", "none"],
    }
    for kind, extra in options.items():
        course = json_out(run, "course", "add", "DEMO-01", "--kind", kind, "--start", start, "--json")
        assert course["kind"] == kind and course["sessions"] == []
        session = json_out(run, "course", "session", "add", str(course["id"]), "--date", day, *extra, "--json")
        assert session["number"] == 1
    shown = json_out(run, "patient", "show", "DEMO-01", "--json")
    assert sorted(c["kind"] for c in shown["courses"]) == sorted(options)
    kinds = {t["kind"] for t in shown["trd"]["trials"]}
    assert {"esketamine", "iv_ketamine", "rtms_itbs", "ect"} <= kinds  # each course is a trial in the ledger


def test_bad_course_input_is_one_line_naming_the_field_and_writes_nothing(
    run: Run, demo_dir: Path
) -> None:
    before = row_counts(demo_dir)
    assert_one_line_error(run("course", "add", "DEMO-01", "--kind", "psilocybin", "--start", "2026-01-01"),
                          "course.kind")
    assert_one_line_error(run("course", "add", "DEMO-01", "--kind", "tms", "--start", "2026-01-01",
                              "--planned-sessions", "many"), "planned-sessions")
    assert_one_line_error(run("course", "session", "add", "1", "--sedation", "9"), "session.sedation")
    assert_one_line_error(run("course", "session", "add", "1", "--placement", "bilateral"), "session.placement")
    assert row_counts(demo_dir) == before


def test_timeline_command_writes_the_pdf(run: Run, demo_dir: Path, tmp_path: Path) -> None:
    target = tmp_path / "timeline.pdf"
    result = run("timeline", "DEMO-05", "-o", str(target))
    assert result.code == 0, result.err
    assert target.read_bytes().startswith(b"%PDF") and "DEMO-05" in result.out
    assert_one_line_error(run("timeline", "NOBODY", "-o", str(tmp_path / "x.pdf")), "NOBODY")
