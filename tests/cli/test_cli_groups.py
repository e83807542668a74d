"""``trdplanner group ...``: a group started, members added, a meeting planned, attendance taken;
bad input refused in one line naming the field, with nothing written."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from _cli_helpers import Run, assert_one_line_error, json_out, row_counts

DAY = (dt.date.today() - dt.timedelta(days=7)).isoformat()


def _group(run: Run) -> dict:
    group = json_out(run, "group", "add", "Thursday skills", "--modality", "dbt",
                     "--facilitator", "Dr. Avery Lindqvist", "--json")
    for code in ("DEMO-01", "DEMO-02", "DEMO-03"):
        assert run("group", "member", "add", "Thursday skills", code, "--from", DAY).code == 0
    return group


def test_group_add_member_session_and_attendance(run: Run, demo_dir: Path) -> None:
    group = _group(run)
    assert group["modality"] == "dbt" and [f["name"] for f in group["facilitators"]] == [
        "Dr. Avery Lindqvist, PhD, Licensed Psychologist"]
    meeting = json_out(run, "group", "session", "add", "Thursday skills", "--date", DAY, "--json")
    assert meeting["number"] == 1 and meeting["theme"] == "Mindfulness: wise mind"
    before = json_out(run, "patient", "show", "DEMO-01", "--json")
    for code, status in (("DEMO-01", "attended"), ("DEMO-02", "late"), ("DEMO-03", "absent")):
        result = run("group", "attend", str(meeting["id"]), code, "--status", status)
        assert result.code == 0, result.err
    shown = json_out(run, "group", "show", str(group["id"]), "--json")
    assert sorted(m["code"] for m in shown["members"]) == ["DEMO-01", "DEMO-02", "DEMO-03"]
    (m,) = shown["meetings"]
    assert sorted(a["status"] for a in m["attendance"]) == ["absent", "attended", "late"]
    text = run("group", "show", "Thursday skills").out
    assert "2 present of 3 marked" in text and "DEMO-02" in text
    listed = run("group", "list")
    assert "Thursday skills" in listed.out and "3 members" in listed.out
    after = json_out(run, "patient", "show", "DEMO-01", "--json")
    assert len(after["sessions"]) == len(before["sessions"]) + 1


def test_bad_group_input_is_one_line_naming_the_field_and_writes_nothing(run: Run, demo_dir: Path) -> None:
    _group(run)
    meeting = json_out(run, "group", "session", "add", "Thursday skills", "--date", DAY, "--json")
    before = row_counts(demo_dir)
    assert_one_line_error(run("group", "add", "X", "--modality", "astrology", "--facilitator", "1"),
                          "group.modality")
    assert_one_line_error(run("group", "add", "X", "--modality", "dbt", "--facilitator", "Dr. Nobody"),
                          "facilitator")
    assert_one_line_error(run("group", "add", "Thursday skills", "--modality", "dbt", "--facilitator", "1"),
                          "group.name")
    assert_one_line_error(run("group", "session", "add", "Thursday skills", "--date", "31/12/2026"), "date")
    assert_one_line_error(run("group", "session", "add", "Thursday skills", "--date", DAY), "meeting.date")
    assert_one_line_error(run("group", "session", "add", "No such group", "--date", DAY), "group")
    assert_one_line_error(run("group", "attend", str(meeting["id"]), "DEMO-01", "--status", "asleep"),
                          "attendance.status")
    assert_one_line_error(run("group", "attend", "abc", "DEMO-01", "--status", "late"), "session")
    assert_one_line_error(run("group", "attend", "99999", "DEMO-01", "--status", "late"), "session")
    assert_one_line_error(run("group", "attend", str(meeting["id"]), "DEMO-05", "--status", "late"),
                          "attendance.patient")
    assert_one_line_error(run("group", "member", "add", "Thursday skills", "DEMO-01"), "member.patient")
    assert row_counts(demo_dir) == before


def test_group_print_writes_the_sheet_the_plan_and_the_homework_batch(run: Run, demo_dir: Path, tmp_path: Path) -> None:
    from pypdf import PdfReader

    _group(run)
    meeting = json_out(run, "group", "session", "add", "Thursday skills", "--date", DAY, "--json")
    assert run("group", "attend", str(meeting["id"]), "DEMO-01", "--status", "attended").code == 0
    for what, ref in (("attendance", str(meeting["id"])), ("plan", "Thursday skills"),
                      ("homework", str(meeting["id"]))):
        out = tmp_path / f"{what}.pdf"
        result = run("group", "print", what, ref, "-o", str(out))
        assert result.code == 0, result.err
        text = " ".join(p.extract_text() for p in PdfReader(out).pages)
        assert ("Thursday skills" in text) if what != "homework" else ("DEMO-01" in text and "DEMO-02" not in text)
    assert_one_line_error(run("group", "print", "homework", "99999", "-o", str(tmp_path / "x.pdf")), "session")
