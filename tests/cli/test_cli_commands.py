"""The command line, called in-process: what a therapist (or a script) sees and gets back."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any

import pytest
from _cli_helpers import Run, assert_one_line_error, json_out, row_counts

from trdplanner import __version__

TODAY = dt.date.today()
PHQ9_NINES = ",".join(["1"] * 9)
DEMO_ACTIVE = ["DEMO-01", "DEMO-02", "DEMO-03", "DEMO-04", "DEMO-05", "DEMO-06"]


def demo_id(run: Run, code: str) -> int:
    (row,) = [r for r in json_out(run, "patient", "list", "--all", "--json") if r["code"] == code]
    return int(row["id"])


# --------------------------------------------------------------------------- help and version


def test_help_lists_the_subcommands(run: Run) -> None:
    result = run("--help")
    assert result.code == 0
    for command in ("demo", "patient", "measure", "gui"):
        assert command in result.out
    for option in ("--data-dir", "--db", "--version"):
        assert option in result.out

    result = run("patient", "--help")
    assert result.code == 0
    for action in ("list", "show", "import", "export"):
        assert action in result.out

    result = run("measure", "add", "--help")
    assert result.code == 0
    for option in ("--items", "--total", "--date", "phq9", "madrs"):
        assert option in result.out


def test_version(run: Run) -> None:
    result = run("--version")
    assert result.code == 0
    assert result.out.strip() == f"TRD Planner {__version__}"


# --------------------------------------------------------------------------- demo, list, show


def test_demo_then_patient_list_shows_the_demo_patients(run: Run, data_dir: Path) -> None:
    result = run("demo")
    assert result.code == 0 and result.err == ""
    assert "7 synthetic patients added" in result.out

    listing = run("patient", "list")
    assert listing.code == 0
    for code in DEMO_ACTIVE:
        assert code in listing.out
    assert "Maya Okafor" in listing.out and "Tomás Álvarez" in listing.out
    assert "DEMO-07" not in listing.out  # archived patients need --all
    assert "DEMO-07" in run("patient", "list", "--all").out

    again = run("demo")
    assert again.code == 0 and "nothing added" in again.out
    assert len(json_out(run, "patient", "list", "--all", "--json")) == 7


def test_patient_list_json_gives_ids_and_filters(run: Run, demo_dir: Path) -> None:
    rows = json_out(run, "patient", "list", "--json")
    assert sorted(r["code"] for r in rows) == DEMO_ACTIVE
    ids = [r["id"] for r in rows]
    assert all(isinstance(i, int) for i in ids) and len(set(ids)) == len(ids)

    found = json_out(run, "patient", "list", "--json", "--search", "alvarez")
    assert [r["code"] for r in found] == ["DEMO-04"]
    assert json_out(run, "patient", "list", "--json", "--search", "nobody-by-this-name") == []
    assert "No patients" in run("patient", "list", "--search", "nobody-by-this-name").out


def test_patient_show_json_has_the_clinical_picture(run: Run, demo_dir: Path) -> None:
    pid = demo_id(run, "DEMO-05")
    shown = json_out(run, "patient", "show", str(pid), "--json")

    assert shown["id"] == pid
    assert shown["profile"]["code"] == "DEMO-05"
    trd = shown["trd"]
    # Eleanor Marsh: see tests/core/test_core_demo.py for the hand computation.
    assert (trd["status"], trd["adequate_failed_trials"], trd["thase_rush_stage"]) == ("trd", 4, 5)
    assert (trd["maudsley_score"], trd["maudsley_category"]) == (12, "severe")

    assert shown["measures"], "the demo patient has measures"
    for m in shown["measures"]:
        assert {"instrument", "date", "items", "total", "severity", "flags"} <= set(m)
        dt.date.fromisoformat(m["date"])
        assert isinstance(m["total"], int) and isinstance(m["flags"], list)
        assert m["items"] is None or isinstance(m["items"], list)
    phq9 = [m for m in shown["measures"] if m["instrument"] == "phq9"]
    assert all(sum(m["items"]) == m["total"] for m in phq9)
    assert any("phq9_item9_positive" in m["flags"] for m in phq9)
    bdi = [m for m in shown["measures"] if m["instrument"] == "bdi2"]
    assert bdi and bdi[0]["items"] is None and "items_not_recorded" in bdi[0]["flags"]

    assert len(shown["sessions"]) == 8
    assert all(isinstance(s["id"], int) for s in shown["sessions"])

    # By print code: the same patient, the same answer.
    assert json_out(run, "patient", "show", "DEMO-05", "--json") == shown


def test_patient_show_text(run: Run, demo_dir: Path) -> None:
    result = run("patient", "show", "DEMO-03")
    assert result.code == 0 and result.err == ""
    assert "Priya Raman (DEMO-03)" in result.out
    assert "TRD status: TRD" in result.out
    assert "Thase-Rush stage: II" in result.out
    assert "Maudsley Staging Method: 6" in result.out


def test_not_trd_patient_shows_no_maudsley_score(run: Run, demo_dir: Path) -> None:
    trd = json_out(run, "patient", "show", "DEMO-01", "--json")["trd"]
    assert (trd["status"], trd["adequate_failed_trials"], trd["thase_rush_stage"]) == ("not_trd", 0, 0)
    assert trd["maudsley_score"] is None and trd["maudsley_category"] is None


# --------------------------------------------------------------------------- export and import


def test_export_to_file_then_import_into_another_data_dir(run: Run, demo_dir: Path, tmp_path: Path) -> None:
    target = tmp_path / "out" / "demo-04.json"
    target.parent.mkdir()
    result = run("patient", "export", "DEMO-04", "-o", str(target))
    assert result.code == 0 and result.err == ""
    assert target.exists()
    original = target.read_text(encoding="utf-8")
    assert json.loads(original)["profile"]["full_name"] == "Tomás Álvarez"
    assert run("patient", "export", "DEMO-04").out == original  # stdout is the same document

    other = tmp_path / "other-practice"
    imported = run("--data-dir", str(other), "patient", "import", str(target))
    assert imported.code == 0, imported.err
    assert imported.out.startswith("Imported patient ")
    rows = json_out(run, "--data-dir", str(other), "patient", "list", "--json")
    assert [r["code"] for r in rows] == ["DEMO-04"]
    assert run("--data-dir", str(other), "patient", "export", "DEMO-04").out == original

    # The staging travels with the record.
    moved = json_out(run, "--data-dir", str(other), "patient", "show", "DEMO-04", "--json")["trd"]
    assert (moved["status"], moved["thase_rush_stage"], moved["maudsley_score"]) == ("trd", 3, 10)


# --------------------------------------------------------------------------- measures


def test_measure_add_with_items(run: Run, demo_dir: Path) -> None:
    before = len(json_out(run, "patient", "show", "DEMO-01", "--json")["measures"])
    result = run("measure", "add", "DEMO-01", "phq9", "--items", "2,2,2,2,2,2,1,1,0")
    assert result.code == 0 and result.err == ""
    assert "14/27" in result.out and "Moderate" in result.out
    assert "ALERT" not in result.out

    measures = json_out(run, "patient", "show", "DEMO-01", "--json")["measures"]
    assert len(measures) == before + 1
    latest = measures[-1]
    assert (latest["instrument"], latest["date"], latest["items"], latest["total"]) == (
        "phq9",
        TODAY.isoformat(),
        [2, 2, 2, 2, 2, 2, 1, 1, 0],
        14,
    )


def test_measure_add_item_9_raises_an_alert(run: Run, demo_dir: Path) -> None:
    result = run("measure", "add", "DEMO-01", "PHQ-9", "--items", "0,0,0,0,0,0,0,0,1", "--json")
    assert result.code == 0
    scored = json.loads(result.out)
    assert scored["total"] == 1 and "phq9_item9_positive" in scored["flags"]
    assert scored["alert_acknowledged_by"] is None

    text = run("measure", "add", "DEMO-01", "phq9", "--items", "0,0,0,0,0,0,0,0,2")
    assert "ALERT:" in text.out and "item 9" in text.out


def test_measure_add_total_and_date(run: Run, demo_dir: Path) -> None:
    result = run("measure", "add", "DEMO-04", "madrs", "--total", "31", "--date", "2025-06-02", "--json")
    assert result.code == 0, result.err
    scored = json.loads(result.out)
    assert (scored["instrument"], scored["total"], scored["items"], scored["date"]) == ("madrs", 31, None, "2025-06-02")
    assert scored["severity"] == "Moderate"

    shown = json_out(run, "patient", "show", "DEMO-04", "--json")["measures"]
    assert any(m["instrument"] == "madrs" and m["date"] == "2025-06-02" and m["total"] == 31 for m in shown)


def test_phq9_total_alone_is_allowed_but_flagged(run: Run, demo_dir: Path) -> None:
    """A total alone is accepted for an itemized instrument, and says item 9 is unknown."""
    result = run("measure", "add", "DEMO-01", "phq9", "--total", "12", "--json")
    assert result.code == 0, result.err
    scored = json.loads(result.out)
    assert scored["items"] is None and scored["total"] == 12
    assert {"items_not_recorded", "suicidality_item_unknown"} <= set(scored["flags"])
    assert "phq9_item9_positive" not in scored["flags"]


# --------------------------------------------------------------------------- refusals

FUTURE = (TODAY + dt.timedelta(days=30)).isoformat()

# (arguments, words the single error line must contain). Each runs against the demo practice.
REFUSALS: list[tuple[list[str], list[str]]] = [
    (["patient", "show", "9999"], ["patient", "9999"]),
    (["patient", "show", "NO-SUCH-CODE"], ["patient", "NO-SUCH-CODE"]),
    (["patient", "show", "99999999999999999999"], ["patient"]),  # larger than any database integer
    (["patient", "export", "NO-SUCH-CODE"], ["patient"]),
    (["measure", "add", "9999", "phq9", "--items", PHQ9_NINES], ["patient", "9999"]),
    (["measure", "add", "NO-SUCH-CODE", "phq9", "--items", PHQ9_NINES], ["patient"]),
    (["measure", "add", "DEMO-03", "phq9", "--items", "1,1,1"], ["items", "9 items"]),
    (["measure", "add", "DEMO-03", "phq9", "--items", "1,1,1,1,1,1,1,1,4"], ["items[8]", "0 to 3"]),
    (["measure", "add", "DEMO-03", "phq9", "--items", "1,1,x,1,1,1,1,1,1"], ["items[2]", "whole number"]),
    (["measure", "add", "DEMO-03", "phq9", "--items", "1,1,1.5,1,1,1,1,1,1"], ["items[2]"]),
    (["measure", "add", "DEMO-03", "phq9", "--items", ""], ["items"]),
    (["measure", "add", "DEMO-03", "madrs", "--items", ",".join(["1"] * 10)], ["items", "total only"]),
    (["measure", "add", "DEMO-03", "bdi2", "--items", ",".join(["1"] * 21)], ["items", "total only"]),
    (["measure", "add", "DEMO-03", "phq10", "--total", "3"], ["instrument", "phq10"]),
    (["measure", "add", "DEMO-03", "phq9", "--total", "abc"], ["total", "whole number"]),
    (["measure", "add", "DEMO-03", "phq9", "--total", "28"], ["total", "0 to 27"]),
    (["measure", "add", "DEMO-03", "phq9", "--total", "-1"], ["total"]),
    (["measure", "add", "DEMO-03", "phq9", "--total", "3", "--date", "2025-13-01"], ["date", "YYYY-MM-DD"]),
    (["measure", "add", "DEMO-03", "phq9", "--total", "3", "--date", "31/01/2025"], ["date"]),
    (["measure", "add", "DEMO-03", "phq9", "--total", "3", "--date", FUTURE], ["taken_on", "future"]),
    (["measure", "add", "DEMO-03", "phq9", "--items", PHQ9_NINES, "--total", "9"], ["--total", "--items"]),
    (["measure", "add", "DEMO-03", "phq9"], ["--items", "--total"]),
    (["measure", "add"], ["PATIENT"]),
    (["frobnicate"], ["frobnicate"]),
    (["patient", "list", "--colour"], ["--colour"]),
]


@pytest.mark.parametrize(("argv", "mentions"), REFUSALS, ids=[" ".join(a) or "(none)" for a, _ in REFUSALS])
def test_every_refusal_is_one_line_naming_the_field_and_writes_nothing(
    run: Run, demo_dir: Path, argv: list[str], mentions: list[str]
) -> None:
    before = row_counts(demo_dir)
    exported_before = run("patient", "export", "DEMO-03").out

    result = run(*argv)

    assert_one_line_error(result, *mentions)
    assert result.out == ""
    assert row_counts(demo_dir) == before
    assert run("patient", "export", "DEMO-03").out == exported_before


def _valid_export(run: Run) -> dict[str, Any]:
    data = json.loads(run("patient", "export", "DEMO-02").out)
    data["profile"]["code"] = "NEW-1"
    return data


@pytest.mark.parametrize(
    ("make", "mentions"),
    [
        ("missing", ["file", "not found"]),
        ("directory", ["file"]),
        ("malformed", ["file", "not valid JSON"]),
        ("not-utf8", ["file", "UTF-8"]),
        ("wrong-format", ["format"]),
        ("wrong-types", ["profile.full_name", "text"]),
        ("bad-items", ["measures[0].items"]),
        ("tampered-note", ["note.fingerprint"]),
        ("duplicate-code", ["code", "DEMO-02"]),
    ],
)
def test_import_refusals_are_one_line_and_write_nothing(
    run: Run, demo_dir: Path, tmp_path: Path, make: str, mentions: list[str]
) -> None:
    path = tmp_path / "patient.json"
    data = _valid_export(run)
    if make == "missing":
        path = tmp_path / "nowhere" / "missing.json"
    elif make == "directory":
        path = tmp_path
    elif make == "malformed":
        path.write_text(json.dumps(data)[:-20], encoding="utf-8")
    elif make == "not-utf8":
        path.write_bytes(json.dumps(data).encode("utf-8").replace(b"Jonas", b"J\xf6nas"))
    else:
        if make == "wrong-format":
            data["format"] = "another.app"
        elif make == "wrong-types":
            data["profile"]["full_name"] = ["Jonas", "Weber"]
        elif make == "bad-items":
            data["measures"][0]["items"] = [1, 2, 3]
        elif make == "tampered-note":
            note = next(s["note"] for s in data["sessions"] if s["note"] and s["note"]["status"] == "signed")
            note["sections"][1]["text"] = "Rewritten after signing."
        elif make == "duplicate-code":
            data["profile"]["code"] = "DEMO-02"
        path.write_text(json.dumps(data), encoding="utf-8")
    before = row_counts(demo_dir)

    result = run("patient", "import", str(path))

    assert_one_line_error(result, *mentions)
    assert row_counts(demo_dir) == before
    assert "NEW-1" not in run("patient", "list", "--all").out


def test_export_to_an_unwritable_place_is_one_line(run: Run, demo_dir: Path, tmp_path: Path) -> None:
    target = tmp_path / "no-such-folder" / "x.json"
    result = run("patient", "export", "DEMO-03", "-o", str(target))
    assert_one_line_error(result, "output")
    assert not target.exists()


# --------------------------------------------------------------------------- where the data lives


def test_data_dir_from_environment_is_used(run: Run, data_dir: Path) -> None:
    assert run("patient", "list").code == 0
    assert (data_dir / "trdplanner.sqlite3").exists()
    assert (data_dir / "logs").is_dir()


def _export(run: Run, code: str, folder: Path) -> Path:
    path = folder / f"{code}.json"
    assert run("patient", "export", code, "-o", str(path)).code == 0
    return path


def test_data_dir_option_wins_over_environment(run: Run, demo_dir: Path, tmp_path: Path) -> None:
    exported = _export(run, "DEMO-02", tmp_path)
    chosen = tmp_path / "chosen" / "nested"

    result = run("--data-dir", str(chosen), "patient", "import", str(exported))

    assert result.code == 0, result.err
    assert (chosen / "trdplanner.sqlite3").exists()
    assert [r["code"] for r in json_out(run, "--data-dir", str(chosen), "patient", "list", "--json")] == ["DEMO-02"]
    # The environment's data dir (the demo practice) is untouched.
    assert len(json_out(run, "patient", "list", "--json")) == len(DEMO_ACTIVE)


def test_db_option_and_environment_choose_the_database(
    run: Run, demo_dir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    exported = _export(run, "DEMO-02", tmp_path)
    custom = tmp_path / "elsewhere" / "practice.db"
    url = f"sqlite:///{custom}"

    assert run("--db", url, "patient", "import", str(exported)).code == 0

    assert custom.exists()
    assert not (tmp_path / "elsewhere" / "trdplanner.sqlite3").exists()
    assert [r["code"] for r in json_out(run, "--db", url, "patient", "list", "--json")] == ["DEMO-02"]
    assert len(json_out(run, "patient", "list", "--json")) == len(DEMO_ACTIVE)  # the data dir's own file

    monkeypatch.setenv("TRDPLANNER_DB", url)
    assert [r["code"] for r in json_out(run, "patient", "list", "--json")] == ["DEMO-02"]


@pytest.mark.parametrize(
    "url",
    ["not a database url", "nosuchdialect://host/db", "postgresql+psycopg://nobody@127.0.0.1:1/trd"],
)
def test_unusable_db_url_is_a_one_line_error(run: Run, data_dir: Path, url: str) -> None:
    result = run("--db", url, "patient", "list")
    assert_one_line_error(result, "database")
    assert result.code == 3
    assert not (data_dir / "trdplanner.sqlite3").exists()


def test_database_file_with_foreign_tables_is_a_one_line_error(run: Run, data_dir: Path) -> None:
    import sqlite3

    path = data_dir / "someone-elses.db"
    con = sqlite3.connect(path)
    con.execute("CREATE TABLE ledger (id INTEGER)")
    con.commit()
    con.close()
    result = run("--db", f"sqlite:///{path}", "patient", "list")
    assert_one_line_error(result, "database", "did not create")


@pytest.mark.postgres
def test_db_option_reaches_postgresql(run: Run, data_dir: Path, pg_url: str) -> None:
    assert run("--db", pg_url, "demo").code == 0
    assert not (data_dir / "trdplanner.sqlite3").exists()
    rows = json_out(run, "--db", pg_url, "patient", "list", "--all", "--json")
    assert len(rows) == 7
    trd = json_out(run, "--db", pg_url, "patient", "show", "DEMO-04", "--json")["trd"]
    assert (trd["status"], trd["thase_rush_stage"], trd["maudsley_score"]) == ("trd", 3, 10)
    result = run("--db", pg_url, "measure", "add", "DEMO-04", "phq9", "--items", "1,1,1")
    assert_one_line_error(result, "items")
    assert row_counts(data_dir, pg_url)["measure"] == sum(
        len(json_out(run, "--db", pg_url, "patient", "show", r["code"], "--json")["measures"]) for r in rows
    )
