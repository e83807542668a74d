"""Patient JSON export and import: lossless round trips and all-or-nothing refusal of bad files."""

from __future__ import annotations

import copy
import json
from collections.abc import Callable
from typing import Any

import pytest
from _core_helpers import row_counts

from trdplanner.context import AppContext
from trdplanner.core.db import Database
from trdplanner.core.demo import create_demo
from trdplanner.core.errors import InputError
from trdplanner.core.services.notes import verify
from trdplanner.core.services.patients import PatientService
from trdplanner.core.services.summary import SummaryService
from trdplanner.core.services.transfer import TransferService


def _all_ids(ctx: AppContext) -> list[int]:
    return [s.id for s in ctx.patients.summaries(status=None)]


def test_demo_patients_export_import_export_identically(ctx: AppContext, second_db_url: str) -> None:
    create_demo(ctx)
    second = Database.open(second_db_url)
    try:
        assert PatientService(second).summaries(status=None) == []
        transfer2 = TransferService(second)
        for pid in _all_ids(ctx):
            first_text = ctx.transfer.export_json(pid)
            new_id = transfer2.import_json(first_text)
            assert transfer2.export_json(new_id) == first_text

            # Signed notes arrive signed, locked and still verifiable; the clinical picture is the same.
            record = transfer2.export_record(new_id)
            signed = [s.note for s in record.sessions if s.note and s.note.status == "signed"]
            assert signed and all(verify(n) for n in signed)
            before = ctx.summary.for_patient(pid)
            after = SummaryService(second, ctx.settings).for_patient(new_id)
            assert (after.trd.status, after.thase_rush.stage, after.maudsley.total) == (
                before.trd.status,
                before.thase_rush.stage,
                before.maudsley.total,
            )
        assert len(PatientService(second).summaries(status=None)) == len(_all_ids(ctx))
    finally:
        second.close()


def test_export_is_documented_json_with_a_format_tag(demo_exports: dict[str, str]) -> None:
    data = json.loads(demo_exports["DEMO-01"])
    assert data["format"] == "trdplanner.patient"
    assert data["format_version"] == 1
    assert set(data) == {"format", "format_version", "app_version", "profile", "clinician", "trials", "measures",
                         "plans", "sessions", "courses"}  # fmt: skip
    assert "id" not in data["profile"]  # database ids never leave the database


@pytest.mark.postgres
def test_sqlite_export_imports_into_postgresql_identically(demo_exports: dict[str, str], pg_url: str) -> None:
    """demo_exports were made on SQLite; moving a practice to a server must not change a byte."""
    pg = Database.open(pg_url)
    try:
        transfer = TransferService(pg)
        for text in demo_exports.values():
            assert transfer.export_json(transfer.import_json(text)) == text
    finally:
        pg.close()


# --------------------------------------------------------------------------- refusals

Mutation = Callable[[dict[str, Any]], None]


def _index(data: dict[str, Any], where: str, pred: Callable[[dict[str, Any]], bool]) -> int:
    return next(i for i, x in enumerate(data[where]) if pred(x))


def _set(path: str, value: Any) -> Mutation:
    """A mutation setting data[a][b][c] = value for path "a.b.c" (digits index lists)."""

    def apply(data: dict[str, Any]) -> None:
        *parents, last = path.split(".")
        target: Any = data
        for part in parents:
            target = target[int(part)] if part.isdigit() else target[part]
        if last.isdigit():
            target[int(last)] = value
        else:
            target[last] = value

    return apply


def _drop(path: str) -> Mutation:
    def apply(data: dict[str, Any]) -> None:
        *parents, last = path.split(".")
        target: Any = data
        for part in parents:
            target = target[int(part)] if part.isdigit() else target[part]
        del target[last]

    return apply


def _tamper_note(data: dict[str, Any]) -> None:
    i = _index(data, "sessions", lambda s: s["note"] and s["note"]["status"] == "signed")
    data["sessions"][i]["note"]["sections"][0]["text"] += " (edited later)"


def _tamper_signer(data: dict[str, Any]) -> None:
    i = _index(data, "sessions", lambda s: s["note"] and s["note"]["status"] == "signed")
    data["sessions"][i]["note"]["signer_name"] = "Someone Else"


def _addendum_on_draft(data: dict[str, Any]) -> None:
    i = _index(data, "sessions", lambda s: s["note"] and s["note"]["status"] == "draft")
    data["sessions"][i]["note"]["addenda"] = [
        {"text": "x", "signer_name": "Dr. X", "signed_at": "2025-01-01T10:00:00+00:00", "fingerprint": "0" * 64}
    ]


def _phq9(data: dict[str, Any]) -> int:
    return _index(data, "measures", lambda m: m["instrument"] == "phq9" and m["items"])


def _madrs(data: dict[str, Any]) -> int:
    return _index(data, "measures", lambda m: m["instrument"] == "madrs")


def _on_measure(pick: Callable[[dict[str, Any]], int], key: str, value: Any) -> Mutation:
    def apply(data: dict[str, Any]) -> None:
        data["measures"][pick(data)][key] = value

    return apply


def _short_items(data: dict[str, Any]) -> None:
    data["measures"][_phq9(data)]["items"].pop()


def _item_out_of_range(data: dict[str, Any]) -> None:
    data["measures"][_phq9(data)]["items"][0] = 4


def _item_not_a_number(data: dict[str, Any]) -> None:
    data["measures"][_phq9(data)]["items"][2] = "two"


def _total_mismatch(data: dict[str, Any]) -> None:
    data["measures"][_phq9(data)]["total"] += 1


def _duplicate_session_numbers(data: dict[str, Any]) -> None:
    data["sessions"][1]["number"] = data["sessions"][0]["number"]


# (mutation, field the error must name). Every file starts as a valid export of DEMO-04
# (Tomás Álvarez: trials, PHQ-9 and MADRS measures, signed and draft notes) given a new code,
# so only the mutation can make it fail.
BAD_FILES: list[tuple[str, Mutation, str]] = [
    ("wrong format tag", _set("format", "someone.elses.format"), "format"),
    ("missing format tag", _drop("format"), "format"),
    ("newer format version", _set("format_version", 2), "format_version"),
    ("unknown top-level field", _set("notes_to_self", "x"), "notes_to_self"),
    ("unknown profile field", _set("profile.nickname", "Tom"), "profile.nickname"),
    ("unknown nested field", _set("trials.0.colour", "blue"), "trials[0].colour"),
    ("missing required field", _drop("profile.full_name"), "profile.full_name"),
    ("blank name", _set("profile.full_name", "  "), "profile.full_name"),
    ("bad date", _set("profile.date_of_birth", "1975-02-30"), "profile.date_of_birth"),
    ("date in another layout", _set("profile.date_of_birth", "22/01/1975"), "profile.date_of_birth"),
    ("date as a number", _set("trials.0.start", 20240101), "trials[0].start"),
    (
        "date-time without offset",
        _set("sessions.0.note.signed_at", "2025-01-01T17:30:00"),
        "sessions[0].note.signed_at",
    ),
    ("text where a number belongs", _set("trials.0.dose", "forty"), "trials[0].dose"),
    ("true where a number belongs", _set("trials.0.baseline_score", True), "trials[0].baseline_score"),
    ("fraction where a whole number belongs", _set("trials.0.baseline_score", 12.5), "trials[0].baseline_score"),
    ("number where text belongs", _set("profile.full_name", 42), "profile.full_name"),
    ("object where a list belongs", _set("trials", {}), "trials"),
    ("null where a list belongs", _set("measures", None), "measures"),
    ("unknown vocabulary", _set("profile.risk_level", "extreme"), "profile.risk_level"),
    ("unknown trial kind", _set("trials.0.kind", "homeopathy"), "trials[0].kind"),
    ("zero minimum effective dose", _set("trials.0.min_effective_dose", 0), "trials[0].min_effective_dose"),
    ("trial in a missing episode", _set("trials.0.episode_number", 9), "trials[0].episode_number"),
    ("wrong item count", _short_items, "measures[0].items"),
    ("item out of range", _item_out_of_range, "measures[0].items[0]"),
    ("item not a number", _item_not_a_number, "measures[0].items[2]"),
    ("total not matching items", _total_mismatch, "measures[0].total"),
    ("items for a total-only instrument", _on_measure(_madrs, "items", [1] * 10), "measures[{madrs}].items"),
    ("total out of range", _on_measure(_madrs, "total", 61), "measures[{madrs}].total"),
    ("unknown instrument", _on_measure(_phq9, "instrument", "phq10"), "measures[0].instrument"),
    ("measure in the future", _on_measure(_phq9, "taken_on", "2999-01-01"), "measures[0].taken_on"),
    ("measure in a missing session", _on_measure(_phq9, "session_number", 99), "measures[0].session_number"),
    ("duplicate session numbers", _duplicate_session_numbers, "sessions"),
    ("tampered signed note", _tamper_note, "sessions[{signed}].note.fingerprint"),
    ("tampered signer", _tamper_signer, "sessions[{signed}].note.fingerprint"),
    ("addendum on a draft", _addendum_on_draft, "sessions[{draft}].note.addenda"),
    ("unknown course kind", _set("courses.0.kind", "psilocybin"), "courses[0].kind"),
    ("course without its trial", _set("courses.0.trial_index", 99), "courses[0].trial_index"),
    ("course owning a trial of another kind", _set("courses.0.trial_index", 0), "courses[0].trial_index"),
    ("sedation off the scale", _set("courses.0.sessions.0.sedation", 7), "courses[0].sessions[0].sedation"),
    ("ECT field on an esketamine session", _set("courses.0.sessions.1.placement", "bilateral"),
     "courses[0].sessions[1].placement"),
]


@pytest.fixture
def demo_file(ctx: AppContext, demo_exports: dict[str, str]) -> dict[str, Any]:
    """The database holds DEMO-04; the file is its export under a new code."""
    ctx.transfer.import_json(demo_exports["DEMO-04"])
    data = json.loads(demo_exports["DEMO-04"])
    data["profile"]["code"] = "IMPORTED-1"
    # The field names below assume the first measure is an itemized PHQ-9.
    assert data["measures"][0]["instrument"] == "phq9" and data["measures"][0]["items"]
    return data


def test_valid_base_file_imports(ctx: AppContext, demo_file: dict[str, Any]) -> None:
    """Guards the refusal test: its starting file is fine, so each failure is the mutation's doing."""
    pid = ctx.transfer.import_json(json.dumps(demo_file))
    assert ctx.patients.get(pid).code == "IMPORTED-1"


def test_each_bad_file_is_refused_naming_the_field_and_nothing_is_written(
    ctx: AppContext, demo_file: dict[str, Any]
) -> None:
    places = {
        "madrs": _madrs(demo_file),
        "signed": _index(demo_file, "sessions", lambda s: s["note"] and s["note"]["status"] == "signed"),
        "draft": _index(demo_file, "sessions", lambda s: s["note"] and s["note"]["status"] == "draft"),
    }
    before = row_counts(ctx.db)
    for label, mutate, field in BAD_FILES:
        data = copy.deepcopy(demo_file)
        mutate(data)
        with pytest.raises(InputError) as err:
            ctx.transfer.import_json(json.dumps(data))
        assert err.value.field == field.format(**places), label
        assert str(err.value).startswith(f"{err.value.field}: "), label
        assert row_counts(ctx.db) == before, label
    assert ctx.patients.id_for_code("IMPORTED-1") is None


@pytest.mark.parametrize(
    "text",
    [
        '{"format": "trdplanner.patient", "format_version": 1,',  # cut short
        "not json at all",
        "",
        '["a list", "not an object"]',
        "null",
    ],
)
def test_malformed_json_is_refused_as_a_file_problem(ctx: AppContext, demo_exports: dict[str, str], text: str) -> None:
    ctx.transfer.import_json(demo_exports["DEMO-01"])
    before = row_counts(ctx.db)
    with pytest.raises(InputError) as err:
        ctx.transfer.import_json(text)
    assert err.value.field == "file"
    assert row_counts(ctx.db) == before


def test_nan_and_infinity_are_refused(ctx: AppContext, demo_file: dict[str, Any]) -> None:
    before = row_counts(ctx.db)
    for bad in ("NaN", "Infinity", "-Infinity"):
        data = copy.deepcopy(demo_file)
        data["trials"][0]["dose"] = "__BAD__"
        text = json.dumps(data).replace('"__BAD__"', bad)
        with pytest.raises(InputError) as err:
            ctx.transfer.import_json(text)
        assert err.value.field == "trials[0].dose"
    assert row_counts(ctx.db) == before


def test_a_code_already_in_use_is_refused_and_nothing_is_written(ctx: AppContext, demo_exports: dict[str, str]) -> None:
    text = demo_exports["DEMO-03"]
    pid = ctx.transfer.import_json(text)
    before = row_counts(ctx.db)
    with pytest.raises(InputError) as err:
        ctx.transfer.import_json(text)
    assert err.value.field in ("code", "profile.code")
    assert "DEMO-03" in str(err.value)
    assert row_counts(ctx.db) == before
    assert ctx.transfer.export_json(pid) == text


@pytest.mark.parametrize(
    ("raw", "field"),
    [
        ('"full_name": "A\\u0000B"', "profile.full_name"),  # NUL: PostgreSQL cannot store it
        ('"full_name": "A\\ud800B"', "profile.full_name"),  # an unpaired surrogate is not text
        ('"full_name": "' + "N" * 201 + '"', "patient.full_name"),  # the column holds 200
        ('"full_name": "A", "episodes": [{"number": 3000000000}]', "profile.episodes[0].number"),
    ],
)
def test_values_a_database_cannot_hold_are_refused_the_same_everywhere(ctx: AppContext, raw: str, field: str) -> None:
    """SQLite would take these and PostgreSQL would fail with a driver error; both refuse them plainly."""
    text = '{"format": "trdplanner.patient", "format_version": 1, "profile": {"code": "X-1", ' + raw + "}}"
    before = row_counts(ctx.db)
    with pytest.raises(InputError) as err:
        ctx.transfer.import_json(text)
    assert err.value.field == field
    assert row_counts(ctx.db) == before


def test_free_form_instance_values_are_checked_too(ctx: AppContext, demo_exports: dict[str, str]) -> None:
    data = json.loads(demo_exports["DEMO-04"])
    data["profile"]["code"] = "X-2"
    session = next(i for i, s in enumerate(data["sessions"]) if s["instances"])
    data["sessions"][session]["instances"][0]["values"]["note"] = "before\u0000after"
    before = row_counts(ctx.db)
    with pytest.raises(InputError) as err:
        ctx.transfer.import_json(json.dumps(data))
    assert err.value.field == f"sessions[{session}].instances[0].values.note"
    assert row_counts(ctx.db) == before


def test_courses_travel_with_their_sessions_and_their_trial(demo_exports: dict[str, str]) -> None:
    """DEMO-05's failed bilateral ECT course and DEMO-04's esketamine course are in the file, linked."""
    ect_file, esk_file = json.loads(demo_exports["DEMO-05"]), json.loads(demo_exports["DEMO-04"])
    (ect,) = ect_file["courses"]
    assert ect["kind"] == "ect" and len(ect["sessions"]) == 12
    assert {x["placement"] for x in ect["sessions"]} == {"bilateral"}
    assert ect_file["trials"][ect["trial_index"]]["kind"] == "ect"
    assert "trial_id" not in ect and "id" not in ect["sessions"][0]  # database ids stay behind
    (esk,) = esk_file["courses"]
    assert esk["kind"] == "esketamine" and esk["sessions"][0]["dissociation"] == 3
    assert esk_file["trials"][esk["trial_index"]]["kind"] == "esketamine"
