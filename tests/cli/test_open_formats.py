"""FHIR export and import, the calendar, and the demo's hint, through the real command line."""

from __future__ import annotations

import datetime as dt
import json
import os
import shlex
import subprocess
import sys
from pathlib import Path

import pytest
from _cli_helpers import Run, row_counts
from fhir.resources.R4B.bundle import Bundle
from icalendar import Calendar

from trdplanner.context import AppContext

REPO = Path(__file__).resolve().parents[2]


def _qr(items: list[int], code: str | None = None, authored: str = "2026-02-03") -> dict[str, object]:
    answers = ["LA6568-5", "LA6569-3", "LA6570-1", "LA6571-9"]
    links = ["44250-9", "44255-8", "44259-0", "44254-1", "44251-7", "44258-2", "44252-5", "44253-3", "44260-8"]
    data: dict[str, object] = {
        "resourceType": "QuestionnaireResponse",
        "questionnaire": "http://loinc.org/q/44249-1",
        "status": "completed",
        "authored": authored,
        "item": [
            {"linkId": link, "answer": [{"valueCoding": {"system": "http://loinc.org", "code": answers[v]}}]}
            for link, v in zip(links, items, strict=True)
        ],
    }
    if code:
        data["subject"] = {"identifier": {"system": "urn:trdplanner:print-code", "value": code}}
    return data


# --------------------------------------------------------------------------- FHIR


def test_fhir_export_of_each_demo_patient_validates_and_is_audited(run: Run, demo_dir: Path, tmp_path: Path) -> None:
    listed = json.loads(run("patient", "list", "--all", "--json").out)
    assert len(listed) >= 7
    for row in listed:
        out = tmp_path / f"{row['code']}.json"
        result = run("patient", "export", row["code"], "--format", "fhir", "-o", str(out))
        assert result.code == 0, result.err
        bundle = Bundle.model_validate_json(out.read_text(encoding="utf-8"))
        patient = next(e.resource for e in bundle.entry if e.resource.__resource_type__ == "Patient")
        assert patient.identifier[0].value == row["code"]
        assert row["full_name"] not in out.read_text(encoding="utf-8")
    ctx = AppContext.open(str(demo_dir))
    try:
        exports = ctx.audit.list(None, action="patient.export")
    finally:
        ctx.close()
    assert len(exports) == len(listed)
    assert all(e.detail == {"format": "fhir", "identified": False} for e in exports)


def test_identity_is_only_for_fhir(run: Run, demo_dir: Path) -> None:
    result = run("patient", "export", "DEMO-01", "--include-identity")
    assert result.code == 2 and "only applies to --format fhir" in result.err and not result.out
    shown = run("patient", "export", "DEMO-01", "--format", "fhir", "--include-identity")
    assert shown.code == 0 and "Maya Okafor" in shown.out


def test_importing_a_phq9_response_records_it_with_the_item_9_alert(run: Run, demo_dir: Path, tmp_path: Path) -> None:
    path = tmp_path / "qr.json"
    path.write_text(json.dumps(_qr([1, 1, 1, 1, 0, 0, 0, 0, 2], code="DEMO-01")), encoding="utf-8")
    before = json.loads(run("patient", "show", "DEMO-01", "--json").out)["measures"]
    result = run("measure", "import", "DEMO-01", str(path))
    assert result.code == 0, result.err
    assert "Recorded PHQ-9" in result.out and "6/27" in result.out
    assert "ALERT: PHQ-9 item 9" in result.out
    after = json.loads(run("patient", "show", "DEMO-01", "--json").out)
    (new,) = [m for m in after["measures"] if m["id"] not in {b["id"] for b in before}]
    assert new["items"] == [1, 1, 1, 1, 0, 0, 0, 0, 2] and new["date"] == "2026-02-03"
    assert "phq9_item9_positive" in new["flags"] and new["alert_acknowledged_at"] is None
    assert after["risk_flag"] is True


def test_a_response_about_another_patient_or_a_broken_one_writes_nothing(
    run: Run, demo_dir: Path, tmp_path: Path
) -> None:
    counts = row_counts(demo_dir)
    wrong_total = _qr([0] * 9)
    wrong_total["item"] = [*wrong_total["item"], {"linkId": "44261-6", "answer": [{"valueInteger": 5}]}]  # type: ignore[list-item]
    cases = {
        "other.json": json.dumps(_qr([0] * 9, code="DEMO-02")),
        "total.json": json.dumps(wrong_total),
        "future.json": json.dumps(_qr([0] * 9, authored=(dt.date.today() + dt.timedelta(days=30)).isoformat())),
        "junk.json": "{not json",
    }
    for name, text in cases.items():
        path = tmp_path / name
        path.write_text(text, encoding="utf-8")
        result = run("measure", "import", "DEMO-01", str(path))
        assert result.code == 2, (name, result.out)
        assert result.err.startswith("error: ") and result.err.count("\n") == 1, result.err
    assert "about patient DEMO-02, not DEMO-01" in run("measure", "import", "DEMO-01", str(tmp_path / "other.json")).err
    assert row_counts(demo_dir) == counts


def test_the_app_prints_the_schema_of_its_own_file(run: Run) -> None:
    # An installed app has no docs/ folder; the schema comes with it all the same.
    result = run("patient", "schema")
    assert result.code == 0, result.err
    assert result.out == (REPO / "docs" / "patient.schema.json").read_text(encoding="utf-8")


# --------------------------------------------------------------------------- calendar


def _events(path: Path) -> list[object]:
    cal = Calendar.from_ical(path.read_bytes())
    return list(cal.walk("VEVENT"))


def test_calendar_has_every_planned_session_by_print_code_only(run: Run, demo_dir: Path, tmp_path: Path) -> None:
    out = tmp_path / "planned.ics"
    result = run("calendar", "-o", str(out))
    assert result.code == 0, result.err
    events = _events(out)
    patients = json.loads(run("patient", "list", "--json").out)  # active patients only, as the calendar
    expected = set()
    for p in patients:
        for s in json.loads(run("patient", "show", p["code"], "--json").out)["sessions"]:
            if s["status"] == "planned":
                expected.add((p["code"], s["number"], s["date"]))
    assert len(events) == len(expected) >= 6
    found = set()
    for ev in events:
        summary = str(ev["SUMMARY"])  # type: ignore[index]
        number, code = summary.removeprefix("Session ").split(" · ")
        start = ev["DTSTART"].dt  # type: ignore[index]
        assert isinstance(start, dt.date) and not isinstance(start, dt.datetime)  # all-day: no time is recorded
        assert ev["DTEND"].dt == start + dt.timedelta(days=1)  # type: ignore[index]
        found.add((code, int(number), start.isoformat()))
    assert found == expected
    # No names, no diagnosis, no modality: a synced phone calendar shows print codes only.
    text = out.read_bytes().decode("utf-8")
    everyone = json.loads(run("patient", "list", "--all", "--json").out)
    for p in everyone:
        for private in (p["full_name"], p["preferred_name"], p["primary_diagnosis"]):
            assert not private or private not in text, private
    for word in ("CBT", "cbt", "DBT", "dbt", "depress", "risk", "PHQ"):
        assert word not in text, word
    # The same sessions get the same UIDs next time, so a re-import updates instead of duplicating.
    again = tmp_path / "again.ics"
    assert run("calendar", "-o", str(again)).code == 0
    assert [str(e["UID"]) for e in _events(again)] == [str(e["UID"]) for e in events]  # type: ignore[index]
    assert len({str(e["UID"]) for e in events}) == len(events)  # type: ignore[index]


def test_calendar_for_one_patient_and_from_a_date(run: Run, demo_dir: Path, tmp_path: Path) -> None:
    archived = next(p for p in json.loads(run("patient", "list", "--all", "--json").out) if p["status"] == "archived")
    out = tmp_path / "one.ics"
    assert run("calendar", archived["code"], "-o", str(out)).code == 0
    events = _events(out)
    assert len(events) == 1 and archived["code"] in str(events[0]["SUMMARY"])  # type: ignore[index]
    later = tmp_path / "later.ics"
    tomorrow = (dt.date.today() + dt.timedelta(days=1)).isoformat()
    result = run("calendar", "--from", tomorrow, "-o", str(later))
    assert result.code == 0 and "Wrote 0 planned sessions" in result.out
    assert _events(later) == [] and Calendar.from_ical(later.read_bytes())["VERSION"] == "2.0"
    assert run("calendar", "--from", "next week").code == 2
    assert run("calendar", "NO-SUCH").code == 2


# --------------------------------------------------------------------------- the demo's hint


def test_demo_hint_is_a_command_that_works_as_printed(tmp_path: Path) -> None:
    data = tmp_path / "demo data"  # a space, to prove the quoting
    env = {k: v for k, v in os.environ.items() if not k.startswith("TRDPLANNER_") and k != "PYTHONPATH"}
    env["PYTHONPATH"] = str(REPO)
    made = subprocess.run(
        [sys.executable, "-m", "trdplanner", "--data-dir", str(data), "demo", "--no-encryption"],
        env=env, capture_output=True, text=True, timeout=300, check=False,
    )  # fmt: skip
    assert made.returncode == 0, made.stderr
    lines = made.stdout.splitlines()
    command = lines[lines.index("All demo people are invented. Try:") + 1].strip()
    assert "--data-dir" in command and command.split()[0] != "trdplanner"
    # Run it as a person would paste it: another folder, a shell without the project's variables.
    bare = {k: v for k, v in env.items() if k != "PYTHONPATH"}
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    shown = subprocess.run(
        ["/bin/sh", "-c", command], cwd=elsewhere, env=bare, capture_output=True, text=True, timeout=120, check=False
    )
    assert shown.returncode == 0, (command, shown.stderr)
    assert "DEMO-01" in shown.stdout and "Maya Okafor" in shown.stdout
    assert shlex.split(command)[-2:] == ["patient", "list"]


def test_demo_hint_in_the_packaged_app_names_the_app_itself(
    run: Run, data_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(sys, "frozen", True, raising=False)
    monkeypatch.setattr(sys, "executable", "/opt/trdplanner/trdplanner")
    result = run("demo", "--no-encryption")
    assert result.code == 0, result.err
    command = result.out.splitlines()[2].strip()
    expected = ["/opt/trdplanner/trdplanner", "--data-dir", str(data_dir.resolve()), "patient", "list"]
    assert shlex.split(command) == expected
