"""Every input checked at the door (issue 19): each hostile input below is refused with one line
naming the file or field, and nothing is written; or it is accepted and then works.

These are the attacker's cases written out by hand; tests/safety/test_fuzz.py generates many
more of each kind.
"""

from __future__ import annotations

import datetime as dt
import io
import json
import os
import struct
import threading
import zlib
from pathlib import Path
from typing import Any

import pytest
import yaml
from _safety_helpers import Run
from reportlab.pdfgen import canvas
from sqlalchemy import func, select

from trdplanner.catalog import RenderError, TemplateError, load_catalog, load_template_text, sandbox, template_to_dict
from trdplanner.catalog.summaries import check_summary_budget, worst_case_values
from trdplanner.clinical import Instrument, score
from trdplanner.context import AppContext
from trdplanner.core import crypto
from trdplanner.core.errors import InputError
from trdplanner.core.intake import check_secret_file, parse_json, read_bounded
from trdplanner.core.models import Base
from trdplanner.core.records import InstanceRec, PatientProfile
from trdplanner.export import ReadbackError, read_form
from trdplanner.paths import templates_dir

TODAY = dt.date.today()
CATALOG = load_catalog(templates_dir())  # once: loading every template is slow on a busy machine


def one_line_error(err: str) -> bool:
    """What the CLI printed is one ``error: ...`` line, and never the catch-all "unexpected"."""
    return err.count("\n") == 1 and err.startswith("error: ") and "unexpected" not in err


def counts(ctx: AppContext) -> dict[str, int]:
    with ctx.db.reading() as s:
        return {t.name: int(s.scalar(select(func.count()).select_from(t)) or 0) for t in Base.metadata.sorted_tables}


@pytest.fixture
def patient_file(ctx: AppContext) -> dict[str, Any]:
    """A real exported patient file (one session with a filled worksheet, one PHQ-9) to tamper with."""
    catalog = CATALOG
    pid = ctx.patients.create(PatientProfile(code="DOOR-1", full_name="Dora Door", date_of_birth=dt.date(1980, 5, 1)))
    session = ctx.sessions.create(pid, date=TODAY - dt.timedelta(days=7))
    record = catalog.get("cbt-thought-record-7")
    ctx.sessions.add_instance(
        session.id, InstanceRec(record.id, record.version, template_to_dict(record), {"situation": "At work"})
    )
    ctx.measures.add(pid, "phq9", items=[1, 1, 1, 1, 1, 1, 1, 1, 0], taken_on=TODAY - dt.timedelta(days=7))
    data = json.loads(ctx.transfer.export_json(pid))
    data["profile"]["code"] = "DOOR-2"  # importable as a new patient
    return data


def refused(ctx: AppContext, text: str, *fragments: str) -> str:
    before = counts(ctx)
    with pytest.raises(InputError) as err:
        ctx.transfer.import_json(text)
    message = str(err.value)
    assert "\n" not in message and all(f in message for f in fragments), message
    assert counts(ctx) == before  # nothing half-written
    return message


# ------------------------------------------------------------------------------ dates


@pytest.mark.parametrize(
    ("where", "value", "field"),
    [
        (("sessions", 0, "date"), "9999-12-31", "sessions[0].date"),
        (("sessions", 0, "date"), "0001-01-01", "sessions[0].date"),
        (("sessions", 0, "date"), (TODAY + dt.timedelta(days=400)).isoformat(), "sessions[0].date"),
        (("measures", 0, "taken_on"), "1899-12-31", "measures[0].taken_on"),
        (("profile", "date_of_birth"), (TODAY + dt.timedelta(days=1)).isoformat(), "date_of_birth"),
        (("profile", "date_of_birth"), "0001-01-01", "date_of_birth"),
    ],
)
def test_implausible_dates_are_refused_by_name(
    ctx: AppContext, patient_file: dict[str, Any], where: tuple[Any, ...], value: str, field: str
) -> None:
    holder: Any = patient_file
    for step in where[:-1]:
        holder = holder[step]
    holder[where[-1]] = value
    refused(ctx, json.dumps(patient_file), field)


def test_a_session_booked_within_a_year_imports_and_prints(ctx: AppContext, patient_file: dict[str, Any]) -> None:
    """The edge that is allowed works everywhere after: report and prep render (the year-10000 case failed)."""
    from trdplanner import assemble

    patient_file["sessions"][0]["date"] = (TODAY + dt.timedelta(days=360)).isoformat()
    pid = ctx.transfer.import_json(json.dumps(patient_file))
    session_id = ctx.sessions.list(pid)[0].id
    assert assemble.report_document(ctx, pid).render().startswith(b"%PDF")
    assert assemble.prep_document(ctx, session_id).render().startswith(b"%PDF")


def test_the_app_refuses_the_same_dates_as_the_import(ctx: AppContext) -> None:
    pid = ctx.patients.create(PatientProfile(code="DOOR-3", full_name="Dee"))
    with pytest.raises(InputError, match=r"session\.date"):
        ctx.sessions.create(pid, date=dt.date(9999, 12, 31))
    with pytest.raises(InputError, match="date_of_birth"):
        ctx.patients.create(PatientProfile(code="DOOR-4", full_name="Dee", date_of_birth=TODAY + dt.timedelta(days=2)))


# ------------------------------------------------------------------------------ template instances


def test_instances_in_a_patient_file_are_validated_against_their_snapshot(
    ctx: AppContext, patient_file: dict[str, Any]
) -> None:
    instance = patient_file["sessions"][0]["instances"][0]
    table_template = next(t for t in CATALOG.templates if any(
        f.type.value == "table" for f in t.input_fields))
    table_id = next(f.id for f in table_template.input_fields if f.type.value == "table")

    wrong_type = json.loads(json.dumps(patient_file))
    wrong_type["sessions"][0]["instances"][0]["values"] = {"situation": 12}
    refused(ctx, json.dumps(wrong_type), "sessions[0].instances[0].values.situation")

    bomb = json.loads(json.dumps(patient_file))
    bomb["sessions"][0]["instances"][0] = {
        **instance, "template_id": table_template.id, "template_version": table_template.version,
        "template_snapshot": template_to_dict(table_template), "values": {table_id: [{}] * 100_000},
    }
    refused(ctx, json.dumps(bomb), f"sessions[0].instances[0].values.{table_id}")

    broken = json.loads(json.dumps(patient_file))
    broken["sessions"][0]["instances"][0]["template_snapshot"]["fields"] = "not a list"
    refused(ctx, json.dumps(broken), "sessions[0].instances[0].template_snapshot")

    mislabelled = json.loads(json.dumps(patient_file))
    mislabelled["sessions"][0]["instances"][0]["template_version"] = 99
    refused(ctx, json.dumps(mislabelled), "sessions[0].instances[0].template_id")


NESTED_LOOPS = "{% for a in range(99999) %}{% for b in range(99999) %}.{% endfor %}{% endfor %}"
TWO_WAY_MACRO = "{% macro f(n) %}{% if n %}{{ f(n-1) }}{{ f(n-1) }}{% endif %}{% endmacro %}{{ f(60) }}"


def test_a_snapshot_whose_summary_would_hang_the_note_is_refused(
    ctx: AppContext, patient_file: dict[str, Any]
) -> None:
    for bomb in (NESTED_LOOPS, TWO_WAY_MACRO):
        data = json.loads(json.dumps(patient_file))
        data["sessions"][0]["instances"][0]["template_snapshot"]["note_summary"] = bomb
        refused(ctx, json.dumps(data), "note_summary", "stopped")


# ------------------------------------------------------------------------------ render budget


@pytest.mark.parametrize(
    "source",
    [
        NESTED_LOOPS,
        TWO_WAY_MACRO,
        "{% for a in range(99999) %}{{ range(99999)|join }}{% endfor %}",
        "{{ '%0999999999d' % 1 }}",
        "{{ '{:>999999999}'.format(1) }}",
        "{{ '%0999999999d'|format(1) }}",
        "{{ 'x'.center(999999999) }}",
        "{{ 'x'|center(999999999) }}",
        "{{ [1]|batch(999999999, 0)|list }}",
        "{{ ('x' * 10000)|replace('x', 'y' * 10000) }}",
        "{% for x in [1] recursive %}{{ loop([1, 1]) }}{% endfor %}",
    ],
)
def test_rendering_has_a_budget(source: str) -> None:
    env = sandbox.make_environment()
    with pytest.raises(RenderError) as err:
        sandbox.render(env, source, {}, "summary")
    assert str(err.value).startswith("summary: ") and "\n" not in str(err.value)


def test_ordinary_templates_render_inside_the_budget() -> None:
    env = sandbox.make_environment()
    text = sandbox.render(env, "{% for a in range(3) %}{{ loop.index }}/{{ loop.length }}{{ '%3d' % a }}{% endfor %}"
                          "{{ 'a-b'|replace('-', '+') }}{{ '{:>4}'.format('x') }}", {}, "ok")
    assert text == "1/3  02/3  13/3  2a+b   x"
    for template in CATALOG.templates:  # every shipped summary, on a full worksheet
        check_summary_budget(template)


def test_templates_validate_renders_the_summary_against_a_full_worksheet(run: Run, tmp_path: Path) -> None:
    base = yaml.safe_load((templates_dir() / "cbt" / "cbt-thought-record-3.yaml").read_text(encoding="utf-8"))
    base["id"] = "cbt-loopy-record"
    base["note_summary"] = NESTED_LOOPS
    path = tmp_path / "cbt-loopy-record.yaml"
    path.write_text(yaml.safe_dump(base, allow_unicode=True), encoding="utf-8")
    result = run("templates", "validate", str(path))
    assert result.code == 1 and one_line_error(result.err) and "note_summary" in result.err, result.err
    # And in a user's template folder it is listed as broken rather than loaded.
    catalog = load_catalog(templates_dir(), tmp_path)
    assert catalog.find("cbt-loopy-record") is None
    assert any("note_summary" in str(b.message) for b in catalog.broken)


def test_the_worst_case_instance_is_valid_and_full() -> None:
    from trdplanner.catalog import validate_instance

    diary = CATALOG.get("dbt-diary-card")
    values = worst_case_values(diary)
    assert validate_instance(diary, values, partial=True) == values
    table = next(f for f in diary.input_fields if f.type.value == "table")
    assert len(values[table.key]) == (len(table.fixed_rows) or table.max_rows or 500)


# ------------------------------------------------------------------------------ strict JSON, nesting


def test_duplicate_keys_are_refused(ctx: AppContext, patient_file: dict[str, Any]) -> None:
    text = json.dumps(patient_file)
    twice = text.replace('"full_name": "Dora Door"', '"full_name": "Dora Door", "full_name": "Someone Else"')
    assert twice != text
    refused(ctx, twice, "'full_name' appears twice")


def test_deep_nesting_is_refused_in_words(ctx: AppContext) -> None:
    refused(ctx, "[" * 200_000 + "]" * 200_000, "nested more than")
    refused(ctx, '{"a":' * 100 + "1" + "}" * 100, "nested more than")
    with pytest.raises(InputError, match="nested more than 64"):
        parse_json("[" * 65 + "]" * 65)
    assert parse_json("[" * 64 + "]" * 64) is not None


# ------------------------------------------------------------------------------ unbounded streams


def test_the_bounded_reader_never_trusts_the_reported_size(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="device or a pipe"):
        read_bounded(Path("/dev/zero"), 1024)
    fifo = tmp_path / "pipe.json"
    os.mkfifo(fifo)
    outcome: dict[str, Any] = {}

    def read() -> None:
        try:
            read_bounded(fifo, 1024)
        except InputError as exc:
            outcome["error"] = str(exc)

    reader = threading.Thread(target=read, daemon=True)
    reader.start()
    reader.join(10)  # a blocking open would hang here forever
    assert not reader.is_alive() and "device or a pipe" in outcome["error"]
    big = tmp_path / "big.json"
    big.write_bytes(b" " * 2049)
    with pytest.raises(InputError, match="too large"):
        read_bounded(big, 2048)
    assert read_bounded(Path("/proc/self/status"), 1 << 20)  # size 0 reported, content read anyway


def test_dev_zero_as_a_patient_file_or_a_pdf_is_refused(run: Run, ctx: AppContext) -> None:
    pid = ctx.patients.create(PatientProfile(code="DOOR-5", full_name="Zero"))
    session = ctx.sessions.create(pid, date=TODAY)
    result = run("patient", "import", "/dev/zero")
    assert result.code == 2 and one_line_error(result.err) and "/dev/zero" in result.err
    result = run("worksheet", "read", "/dev/zero", "--session", str(session.id))
    assert result.code == 2 and one_line_error(result.err) and "/dev/zero" in result.err
    result = run("restore", "/dev/zero")
    assert result.code == 2 and one_line_error(result.err) and "device or a pipe" in result.err, result.err


def test_patient_file_problems_reach_the_command_line_in_one_line(
    run: Run, ctx: AppContext, patient_file: dict[str, Any], tmp_path: Path
) -> None:
    deep = tmp_path / "deep.json"
    deep.write_text("[" * 200_000 + "]" * 200_000, encoding="utf-8")
    future = tmp_path / "future.json"
    patient_file["sessions"][0]["date"] = "9999-12-31"
    future.write_text(json.dumps(patient_file), encoding="utf-8")
    for path, words in ((deep, "nested"), (future, "sessions[0].date")):
        result = run("patient", "import", str(path))
        assert result.code == 2 and one_line_error(result.err) and words in result.err, result.err


# ------------------------------------------------------------------------------ filled PDFs


def _pdf_with_manifest(value: str) -> bytes:
    out = io.BytesIO()
    c = canvas.Canvas(out)
    c.acroForm.textfield(name="trdplanner", value=value, x=10, y=10, width=100, height=20)
    c.showPage()
    c.save()
    return out.getvalue()


def _object_stream_bomb(size: int = 200_000_000) -> bytes:
    """A 200 KB PDF whose root object sits in a Flate stream that expands to 200 MB."""
    payload = zlib.compress(b"1 0 " + b" " * size, 9)
    out = bytearray(b"%PDF-1.5\n")
    stream_at = len(out)
    out += b"3 0 obj\n<< /Type /ObjStm /N 1 /First 4 /Filter /FlateDecode /Length %d >>\nstream\n" % len(payload)
    out += payload + b"\nendstream\nendobj\n"
    xref_at = len(out)
    rows = [(0, 0, 65535), (2, 3, 0), (0, 0, 0), (1, stream_at, 0), (1, xref_at, 0)]
    body = b"".join(bytes([t]) + struct.pack(">IH", a, b) for t, a, b in rows)
    out += b"4 0 obj\n<< /Type /XRef /Size 5 /W [1 4 2] /Root 1 0 R /Length %d >>\nstream\n" % len(body)
    out += body + b"\nendstream\nendobj\nstartxref\n%d\n%%%%EOF\n" % xref_at
    return bytes(out)


def test_hostile_pdfs_are_refused_in_words() -> None:
    deep = '{"kind": "trdplanner-worksheet", "format": 1, "kept": ' + "[" * 100_000 + "]" * 100_000 + "}"
    with pytest.raises(ReadbackError, match="nested more than"):
        read_form(_pdf_with_manifest(deep))
    twice = '{"kind": "trdplanner-worksheet", "kind": "other"}'
    with pytest.raises(ReadbackError, match="appears twice"):
        read_form(_pdf_with_manifest(twice))
    with pytest.raises(ReadbackError, match="expands to an impossible size"):
        read_form(_object_stream_bomb())


# ------------------------------------------------------------------------------ search


def test_search_is_bounded_and_no_match_says_so(run: Run, ctx: AppContext) -> None:
    ctx.patients.create(PatientProfile(code="DOOR-6", full_name="Sam Search"))
    result = run("patient", "list", "--search", "x" * 60_000)
    assert result.code == 2 and one_line_error(result.err) and "search" in result.err
    result = run("patient", "list", "--search", "nobody by this name")
    assert result.code == 0 and "No patients match 'nobody by this name'." in result.out
    assert "trdplanner demo" not in result.out
    with pytest.raises(InputError, match="search"):
        ctx.notes.search(1, "y" * 60_000)


# ------------------------------------------------------------------------------ secrets


def test_a_secret_file_others_can_read_is_refused_or_warned(run: Run, ctx: AppContext, tmp_path: Path) -> None:
    pid = ctx.patients.create(PatientProfile(code="DOOR-8", full_name="Pat Private"))
    secret = tmp_path / "pass.txt"
    secret.write_text("a file-borne passphrase\n", encoding="utf-8")
    secret.chmod(0o644)
    with pytest.raises(InputError, match="every user"):
        check_secret_file(secret)
    result = run("--passphrase-file", str(secret), "patient", "list")
    assert result.code == 2 and one_line_error(result.err) and "chmod 600" in result.err
    result = run("report", str(pid), "-o", str(tmp_path / "r.pdf"), "--password-file", str(secret))
    assert result.code == 2 and "password-file" in result.err and not (tmp_path / "r.pdf").exists()
    secret.chmod(0o640)
    assert "group" in (check_secret_file(secret) or "")
    secret.chmod(0o600)
    assert check_secret_file(secret) is None


def test_a_weak_new_passphrase_gets_the_windows_check(
    run: Run, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(crypto.PASSPHRASE_ENV, "password")
    fresh = tmp_path / "fresh"
    result = run("--data-dir", str(fresh), "patient", "list")
    assert result.code != 0 and one_line_error(result.err) and "too easy to guess" in result.err
    assert crypto.file_state(fresh / "trdplanner.sqlite3") == crypto.FileState.MISSING
    monkeypatch.setenv(crypto.PASSPHRASE_ENV, "Autumn2026")  # long enough, but weak: said, not refused
    result = run("--data-dir", str(fresh), "patient", "list")
    assert result.code == 0 and "warning: new passphrase: " in result.err and "stronger" in result.err
    result = run("--data-dir", str(fresh), "patient", "list")  # an existing database: no repeat
    assert result.code == 0 and "warning" not in result.err


# ------------------------------------------------------------------------------ each message once


def test_each_alert_is_printed_once(run: Run, ctx: AppContext) -> None:
    pid = ctx.patients.create(PatientProfile(code="DOOR-7", full_name="Ada Alert"))
    result = run("measure", "add", str(pid), "phq9", "--items", "1,1,1,1,1,1,1,1,2")
    assert result.code == 0 and result.out.count("ALERT") == 1 and "item 9" in result.out
    result = run("measure", "add", str(pid), "madrs", "--total", "31")
    assert result.code == 0
    assert "individual items are unknown" not in result.out and result.out.count("ALERT") == 1
    shown = run("patient", "show", str(pid)).out
    assert shown.count("PHQ-9 item 9") == 1
    assert "The suicidality item scored above 0" not in shown  # said once, by the PHQ-9 line
    assert "individual items are unknown" not in shown


def test_total_only_instruments_keep_the_fact_but_raise_no_items_alert() -> None:
    madrs = score(Instrument.MADRS, total=31)
    assert madrs.flags and all("individual items" not in m for m in madrs.flag_messages)
    assert any("suicidality item was not recorded" in m for m in madrs.flag_messages)
    phq = score(Instrument.PHQ9, total=12)
    assert any("individual items are unknown" in m for m in phq.flag_messages)


def test_yaml_templates_refuse_duplicate_keys_too() -> None:
    text = (templates_dir() / "cbt" / "cbt-thought-record-3.yaml").read_text(encoding="utf-8")
    with pytest.raises(TemplateError):
        load_template_text(text.replace("title:", "title: One\ntitle:", 1), "dup.yaml")


def test_a_hostile_settings_file_falls_back_to_the_defaults(tmp_path: Path) -> None:
    from trdplanner.settings import Settings, load_settings

    path = tmp_path / "settings.json"
    for text in ("[" * 200_000 + "]" * 200_000, '{"lock_after_minutes": 5, "lock_after_minutes": 7}'):
        path.write_text(text, encoding="utf-8")
        assert load_settings(path) == Settings()
