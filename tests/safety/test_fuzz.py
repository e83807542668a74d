"""Hostile input, generated: patient import, template loading, instance validation, filled PDFs
read back, and every PDF renderer.

Each import path must either accept the input or refuse it with ONE line naming the problem,
and a refusal writes nothing. Each renderer must print whatever text it is given, intact.

``TRDPLANNER_FUZZ_EXAMPLES`` (default 1000) scales the run; with the default, the tests
below generate 1000 template files, 1000 sets of instance values, 500 patient files, 250
filled-PDF files and 25 records per PDF renderer (9 renderers), then for the door (issue 19)
100 extreme dates, 250 instance bombs, 125 render bombs, 200 deeply nested files, 200 files
with a repeated key and 50 unbounded or odd streams: 3,900 cases in all.
"""

from __future__ import annotations

import contextlib
import copy
import dataclasses
import datetime as dt
import json
import os
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import func, select

from tests.export._pdf_helpers import body_text, contains, has_all_characters, right_to_left
from trdplanner import assemble
from trdplanner.catalog import (
    Catalog,
    InstanceError,
    Template,
    TemplateError,
    load_catalog,
    load_template_text,
    template_to_dict,
    validate_instance,
)
from trdplanner.catalog.loader import parse_yaml
from trdplanner.context import AppContext
from trdplanner.core.db import Database
from trdplanner.core.demo import DEMO_SIGNING_PASSWORD as PW
from trdplanner.core.errors import InputError
from trdplanner.core.models import Base
from trdplanner.core.records import ClinicianRec, HomeworkRec, InstanceRec, NoteSectionRec, PatientProfile, PracticeRec
from trdplanner.export import PdfOptions, ReadbackError, WorksheetDocument, read_form, values_for
from trdplanner.paths import templates_dir

FUZZ = int(os.environ.get("TRDPLANNER_FUZZ_EXAMPLES", "1000"))
PER_RENDERER = max(5, FUZZ // 40)
OPTIONS = PdfOptions(created_at=dt.datetime(2026, 3, 2, 9, 30, tzinfo=dt.UTC))


CASES: dict[str, int] = {}  # examples actually run, per test (printed with -s; summed in the README)


def count(name: str) -> None:
    CASES[name] = CASES.get(name, 0) + 1


def fuzz_settings(examples: int) -> settings:
    return settings(
        max_examples=examples,
        deadline=None,
        derandomize=False,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture, HealthCheck.data_too_large,
                               HealthCheck.filter_too_much],
    )


# ------------------------------------------------------------------------------ strategies

HOSTILE_PIECES = [
    "{{ 7*7 }}", "{% for x in y %}", "}}", "<b>bold</b>", "<script>x</script>", "&amp;", "&", "<", ">",
    "\u202eRTL override", "\u05e9\u05dc\u05d5\u05dd", "\u0645\u0631\u062d\u0628\u0627", "e\u0301\u0302",
    "\u200b", "${HOME}", "%s %d", "\\n", "'\"", "NULL", "\U0001f600", "Zoë Ñúñez", "日本語", "../../etc/passwd",
    "C:\\Windows\\system32", "\t", "--", "; DROP TABLE patient;", "\ufeff", "ﬁ", "Ⅻ", "x" * 120,
]
_PRINTABLE = st.characters(blacklist_categories=("Cc", "Cs", "Co", "Cn"))
hostile_text = (
    st.lists(st.one_of(st.sampled_from(HOSTILE_PIECES), st.text(_PRINTABLE, max_size=12)), min_size=1, max_size=5)
    .map("".join)
    .filter(lambda s: s.strip() != "")
)
# Any text at all, control characters and NUL included.
raw_text = st.text(max_size=300)
junk = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(-(2**70), 2**70)
    | st.floats(allow_nan=True, allow_infinity=True)
    | hostile_text
    | raw_text
    | st.sampled_from(["", " ", "0", "-1", "1e309", "2026-02-30", "9999-99-99", "true", "null", "[]", "{}"]),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=12), inner, max_size=4),
    max_leaves=12,
)


def node_paths(node: Any, prefix: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    out = [prefix]
    if isinstance(node, dict):
        for k, v in node.items():
            out += node_paths(v, (*prefix, k))
    elif isinstance(node, list):
        for i, v in enumerate(node):
            out += node_paths(v, (*prefix, i))
    return out


def get_at(node: Any, path: tuple[Any, ...]) -> Any:
    for p in path:
        node = node[p]
    return node


@st.composite
def mutated(
    draw: st.DrawFn, base: Any, protect: frozenset[str] = frozenset()
) -> tuple[Any, list[tuple[tuple[Any, ...], str]]]:
    """``base`` with 1-3 random mutations: a value replaced, a key removed or added, a list blown up.

    Returns the new tree and where the mutations put hostile text (to look for in the output).
    """
    data = copy.deepcopy(base)
    inserted: list[tuple[tuple[Any, ...], str]] = []
    for _ in range(draw(st.integers(1, 3))):
        paths = [p for p in node_paths(data) if p and not (set(map(str, p)) & protect)]
        if not paths:
            break
        path = draw(st.sampled_from(paths))
        parent = get_at(data, path[:-1])
        key = path[-1]
        op = draw(st.sampled_from(["replace", "replace", "text", "delete", "add", "grow", "nest"]))
        if op == "replace":
            parent[key] = draw(junk)
        elif op == "text":
            value = draw(hostile_text)
            parent[key] = value
            inserted.append((path, value))
        elif op == "delete":
            del parent[key]
        elif op == "add" and isinstance(parent, dict):
            parent[draw(st.text(min_size=1, max_size=12))] = draw(junk)
        elif op == "grow" and isinstance(parent[key], list):
            parent[key] = parent[key] * draw(st.integers(2, 700))
        elif op == "nest":
            value = parent[key]
            for _ in range(draw(st.integers(1, 60))):
                value = [value]
            parent[key] = value
    return data, inserted


def one_line(message: str) -> bool:
    """The message is usable as the CLI's one line: not empty, and the CLI folds any line breaks
    (a key copied from a hostile file may carry one) into spaces (see trdplanner.cli.output.error)."""
    from trdplanner.cli import output

    folded = " ".join(message.split())
    captured = __import__("io").StringIO()
    with __import__("contextlib").redirect_stderr(captured):
        output.error(message)
    return bool(folded) and captured.getvalue() == f"error: {folded}\n"


# ------------------------------------------------------------------------------ template loading


def _builtin_templates() -> list[Any]:
    root = templates_dir()
    out = []
    for path in sorted(root.rglob("*.yaml")):
        if "notes" in path.relative_to(root).parts:
            continue
        out.append(parse_yaml(path.read_text(encoding="utf-8")))
    return out


BUILTIN = _builtin_templates()


@fuzz_settings(FUZZ * 3 // 4)
@given(st.sampled_from(BUILTIN).flatmap(lambda t: mutated(t)))
def test_mutated_templates_load_or_are_refused_in_one_line(case: tuple[Any, list[Any]]) -> None:
    count("template files (mutated)")
    data, _inserted = case
    try:
        text = yaml.safe_dump(data, allow_unicode=True, sort_keys=False)
    except (yaml.YAMLError, RecursionError):
        return  # not representable as YAML at all: nothing to load
    try:
        template = load_template_text(text, "fuzz.yaml")
    except TemplateError as exc:
        assert one_line(str(exc)), str(exc)
        assert str(exc).startswith("fuzz.yaml")
        return
    assert isinstance(template, Template)
    # Anything it kept is kept exactly: the snapshot round-trips.
    again = template_to_dict(template)
    assert template_to_dict(load_template_text(yaml.safe_dump(again, allow_unicode=True), "again.yaml")) == again


@fuzz_settings(FUZZ // 4)
@given(st.one_of(raw_text, st.binary(max_size=400).map(lambda b: b.decode("latin-1"))))
def test_any_text_as_a_template_loads_or_is_refused_in_one_line(text: str) -> None:
    count("template files (any text)")
    try:
        load_template_text(text, "fuzz.yaml")
    except TemplateError as exc:
        assert one_line(str(exc)), str(exc)


def test_a_template_with_a_million_rows_is_refused_quickly(tmp_path: Path, catalog: Catalog) -> None:
    import time

    from trdplanner.catalog import load_template_file

    base = copy.deepcopy(next(t for t in BUILTIN if t.get("id") == "dbt-diary-card"))
    table = next(f for f in base["fields"] if f.get("type") == "table")
    table["max_rows"] = 1_000_000
    with pytest.raises(TemplateError) as err:
        load_template_text(yaml.safe_dump(base), "million.yaml")
    assert one_line(str(err.value)) and "max_rows" in str(err.value)

    # A file that lists a million rows is refused by its size before it is parsed.
    table.pop("max_rows")
    head = yaml.safe_dump(base, allow_unicode=True)
    path = tmp_path / "million.yaml"
    path.write_text(head + "extra_rows:\n" + "- a row\n" * 1_000_000, encoding="utf-8")
    started = time.monotonic()
    with pytest.raises(TemplateError) as err:
        load_template_file(path)
    assert one_line(str(err.value)) and "too large" in str(err.value)
    assert time.monotonic() - started < 2
    table["fixed_rows"] = [f"row {i}" for i in range(600)]  # under the file size limit, over the row limit
    with pytest.raises(TemplateError) as err:
        load_template_text(yaml.safe_dump(base, allow_unicode=True), "rows.yaml")
    assert one_line(str(err.value))

    # Filled values with a million rows are refused too.
    diary = catalog.get("dbt-diary-card")
    table_id = next(f.id for f in diary.input_fields if f.type.value == "table")
    with pytest.raises(InstanceError) as ierr:
        validate_instance(diary, {table_id: [{}] * 1_000_000}, partial=True)
    assert "rows" in str(ierr.value.problems[0].message)

    bomb = "a: &a [" + ",".join(["x"] * 50) + "]\n" + "".join(
        f"{c}: &{c} [" + ",".join([f"*{p}"] * 50) + "]\n" for p, c in zip("abcdefg", "bcdefgh", strict=True)
    )
    with pytest.raises(TemplateError, match="too large"):
        load_template_text(bomb, "bomb.yaml")


def test_user_template_links_cannot_reach_outside_their_folder(tmp_path: Path) -> None:
    outside = tmp_path / "outside"
    outside.mkdir()
    shutil.copy(templates_dir() / "cbt" / "cbt-thought-record-3.yaml", outside / "stolen.yaml")
    user = tmp_path / "user-templates"
    user.mkdir()
    (user / "escape.yaml").symlink_to(outside / "stolen.yaml")
    (user / "folder").symlink_to(outside, target_is_directory=True)
    catalog = load_catalog(templates_dir(), user)
    assert not catalog._user_ids  # neither link was followed
    assert not any(str(outside) in str(getattr(t, "source", "")) for t in catalog.templates)
    assert not any("stolen" in str(t.source) or "escape" in str(t.source) for t in catalog.templates)
    assert not any("stolen" in str(b.path) or "escape" in str(b.path) for b in catalog.broken)


# ------------------------------------------------------------------------------ instance validation


@pytest.fixture(scope="module")
def catalog() -> Catalog:
    return load_catalog(templates_dir())


@st.composite
def instance_values(draw: st.DrawFn, catalog: Catalog) -> tuple[Template, dict[str, Any]]:
    template = draw(st.sampled_from(sorted(catalog.templates, key=lambda t: t.id)))
    ids = [f.id for f in template.input_fields]
    keys = draw(st.lists(st.sampled_from(ids) if ids else st.text(max_size=8), max_size=len(ids) + 2))
    values: dict[str, Any] = {k: draw(junk) for k in keys}
    if draw(st.booleans()):
        values[draw(st.text(max_size=12))] = draw(junk)
    if ids and draw(st.integers(0, 20)) == 0:
        values[ids[0]] = [{"x": "y"}] * 1_000_000  # a million rows
    return template, values


def test_instance_values_are_accepted_or_refused_cleanly(catalog: Catalog) -> None:
    @fuzz_settings(FUZZ)
    @given(instance_values(catalog), st.booleans())
    def run(case: tuple[Template, dict[str, Any]], partial: bool) -> None:
        count("instance values")
        template, values = case
        try:
            cleaned = validate_instance(template, values, partial=partial)
        except InstanceError as exc:
            assert exc.problems and all(one_line(f"{p.path}: {p.message}") for p in exc.problems)
            return
        assert set(cleaned) <= {f.id for f in template.input_fields}
        json.dumps(cleaned)  # storable

    run()


# ------------------------------------------------------------------------------ patient import


@pytest.fixture(scope="module")
def import_db(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Database, str]]:
    from trdplanner.core.demo import create_demo

    folder = tmp_path_factory.mktemp("fuzz-import")
    source = AppContext.open(str(folder / "source"), encrypt_new=False)
    try:
        create_demo(source)
        exported = [source.transfer.export_json(s.id) for s in source.patients.summaries(status=None)[:3]]
    finally:
        source.close()
    db = Database.open(f"sqlite:///{folder / 'target.sqlite3'}")
    yield db, json.dumps(exported)
    db.close()


def _counts(db: Database) -> dict[str, int]:
    with db.reading() as s:
        return {t.name: int(s.scalar(select(func.count()).select_from(t)) or 0) for t in Base.metadata.sorted_tables}


def _clinician_keys(db: Database) -> set[tuple[str, str]]:
    from trdplanner.core.models import Clinician

    with db.reading() as s:
        return {(c.name, c.licence_number) for c in s.scalars(select(Clinician))}


def _clinicians_in(data: Any) -> list[tuple[Any, Any]]:
    """Every clinician a file names, as (name, licence), in file order."""
    found: list[tuple[Any, Any]] = []

    def walk(node: Any) -> None:
        if isinstance(node, dict):
            for key, value in node.items():
                if key == "clinician" and isinstance(value, dict):
                    found.append((value.get("name"), value.get("licence_number")))
                walk(value)
        elif isinstance(node, list):
            for item in node:
                walk(item)

    walk(data)
    return found


def _names_known_clinician(data: Any, path: tuple[Any, ...], known: set[tuple[str, str]]) -> bool:
    if "clinician" not in path or path[-1] in ("name", "licence_number"):
        return False
    holder = data
    for step in path[: path.index("clinician") + 1]:
        holder = holder[step]
    if not isinstance(holder, dict):
        return False
    key = (holder.get("name"), holder.get("licence_number"))
    # Known to the practice, or named more than once in the file: the import links every mention to
    # one clinician record, so a mutated detail on a later mention does not rewrite it.
    return key in known or _clinicians_in(data).count(key) > 1


def test_patient_files_import_whole_or_not_at_all(import_db: tuple[Database, str]) -> None:
    from trdplanner.core.services.transfer import TransferService

    db, bases = import_db
    files = [json.loads(b) for b in json.loads(bases)]
    transfer = TransferService(db)
    seen = {"n": 0}
    protect = frozenset({"format", "format_version", "app_version", "fingerprint"})

    @fuzz_settings(FUZZ // 2)
    @given(st.sampled_from(files).flatmap(lambda f: mutated(f, protect)), st.booleans())
    def run(case: tuple[Any, list[tuple[tuple[Any, ...], str]]], as_text_garbage: bool) -> None:
        count("patient files")
        data, inserted = case
        seen["n"] += 1
        if isinstance(data, dict) and isinstance(data.get("profile"), dict):
            data["profile"]["code"] = f"FZ-{seen['n']}"  # a code not yet taken, so a clean file can succeed
        text = json.dumps(data, ensure_ascii=False, allow_nan=True)
        if as_text_garbage and seen["n"] % 7 == 0:
            text = text[: len(text) // 2]  # cut short
        before = _counts(db)
        known_clinicians = _clinician_keys(db)
        try:
            pid = transfer.import_json(text)
        except InputError as exc:
            assert one_line(str(exc)), str(exc)
            assert _counts(db) == before  # nothing half-written
            return
        exported = json.loads(transfer.export_json(pid))
        for path, value in inserted:  # hostile text the file carried, where it still stands, comes back intact
            try:
                if get_at(data, path) != value:
                    continue  # a later mutation replaced it
                stored = get_at(exported, path)
            except (KeyError, IndexError, TypeError):
                continue  # not a place the export has (a key the import ignores)
            if _names_known_clinician(data, path, known_clinicians):
                # A file naming a clinician the practice already has (same name and licence) is linked
                # to that record; the file does not rewrite the practice's clinician details.
                continue
            assert stored == value, (path, value, stored)

    run()


def test_a_50_mb_note_is_refused_cleanly(tmp_path: Path) -> None:
    ctx = AppContext.open(str(tmp_path / "data"), encrypt_new=False)
    try:
        pid = ctx.patients.create(PatientProfile(code="BIG-1", full_name="Big Note"))
        session = ctx.sessions.create(pid, date=dt.date(2026, 1, 5))
        before = _counts(ctx.db)
        huge = "x" * (50 * 1024 * 1024)
        with pytest.raises(InputError) as err:
            ctx.notes.save_draft(session.id, "soap", [NoteSectionRec("subjective", "Subjective", huge)])
        assert one_line(str(err.value)) and "longer" in str(err.value)
        assert _counts(ctx.db) == before
        exported = json.loads(ctx.transfer.export_json(pid))
        exported["profile"]["code"] = "BIG-2"
        exported["sessions"][0]["note"] = {"format": "soap", "status": "draft",
                                           "sections": [{"id": "s", "title": "S", "text": huge}]}
        with pytest.raises(InputError) as err:
            ctx.transfer.import_json(json.dumps(exported))
        assert one_line(str(err.value))
        assert _counts(ctx.db)["patient"] == before["patient"]
    finally:
        ctx.close()


# ------------------------------------------------------------------------------ filled PDFs read back


@pytest.fixture(scope="module")
def fillable_pdf(catalog: Catalog) -> bytes:
    return WorksheetDocument(catalog.get("cbt-thought-record-3"), fillable=True, session_id=1, options=OPTIONS).render()


def test_filled_pdfs_are_read_or_refused_cleanly(fillable_pdf: bytes, catalog: Catalog) -> None:
    template = catalog.get("cbt-thought-record-3")

    @fuzz_settings(FUZZ // 4)
    @given(st.data())
    def run(data: st.DataObject) -> None:
        count("filled PDFs")
        raw = bytearray(fillable_pdf)
        for _ in range(data.draw(st.integers(0, 6))):
            at = data.draw(st.integers(0, len(raw) - 1))
            raw[at : at + data.draw(st.integers(1, 64))] = data.draw(st.binary(min_size=0, max_size=64))
        if data.draw(st.booleans()):
            raw = raw[: data.draw(st.integers(0, len(raw)))]
        try:
            form = read_form(bytes(raw))
        except ReadbackError as exc:
            assert one_line(str(exc)), str(exc)
            return
        if form.manifest.template_id == template.id:
            with contextlib.suppress(InstanceError):  # refused answers are fine; a crash is not
                validate_instance(template, values_for(template, form), partial=True)

    run()


# ------------------------------------------------------------------------------ every PDF renderer


@pytest.fixture(scope="module")
def practice(tmp_path_factory: pytest.TempPathFactory, catalog: Catalog) -> Iterator[AppContext]:
    ctx = AppContext.open(str(tmp_path_factory.mktemp("fuzz-pdf")), encrypt_new=False)
    ctx.practice.save_practice(PracticeRec(name="Fuzz practice"))
    ctx.practice.add_clinician(ClinicianRec("Dr. Fuzz", "PhD"))
    yield ctx
    ctx.close()


_counter = {"n": 0}


def _patient_with(ctx: AppContext, catalog: Catalog, texts: list[str]) -> dict[str, int]:
    """A patient whose records carry ``texts`` in the places each document prints."""
    _counter["n"] += 1
    name, note, homework, worksheet = texts
    clinician = ctx.practice.clinicians()[0].id
    assert clinician is not None
    pid = ctx.patients.create(PatientProfile(code=f"FZ-{_counter['n']}", full_name=name[:200] or "x",
                                             primary_diagnosis=note[:300]))
    first = ctx.sessions.create(pid, date=dt.date(2026, 1, 5), agenda=[worksheet], clinician_id=clinician)
    ctx.notes.save_draft(first.id, "soap", [NoteSectionRec("plan", "Plan", note)])
    if ctx.signing.active_key(clinician) is None:
        ctx.signing.create_key(clinician, PW)
    ctx.notes.sign(first.id, clinician, password=PW)
    ctx.sessions.add_homework(first.id, HomeworkRec(title=homework[:300]))
    record = catalog.get("cbt-thought-record-7")
    instance = ctx.sessions.add_instance(
        first.id, InstanceRec(record.id, record.version, template_to_dict(record), {"situation": worksheet})
    )
    plan = catalog.get("general-safety-plan")
    first_text_field = next(f.id for f in plan.input_fields if f.type.value in ("long_text", "short_text"))
    ctx.sessions.add_instance(
        first.id, InstanceRec(plan.id, plan.version, template_to_dict(plan), {first_text_field: worksheet[:200]})
    )
    ctx.measures.add(pid, "phq9", items=[1, 2, 1, 0, 1, 2, 1, 0, 1], taken_on=dt.date(2026, 1, 5), session_id=first.id)
    # Held, so the pre-session sheet of the next session shows it as the last session (planned ones never count).
    ctx.sessions.update(dataclasses.replace(ctx.sessions.get(first.id), status="completed"))
    second = ctx.sessions.create(pid, date=dt.date(2026, 1, 12), clinician_id=clinician)
    return {"patient": pid, "first": first.id, "second": second.id, "instance": instance}


def intact(text: str, value: str) -> bool:
    """Left-to-right text reads back in order; right-to-left runs are drawn in visual order, so
    mixed-direction text is compared character by character (as tests/export does)."""
    return has_all_characters(text, value) if right_to_left(value) else contains(text, value)


RENDERERS = ["note", "notes", "report", "prep", "homework", "worksheet", "worksheet-fillable", "safety-plan", "blank"]


@pytest.mark.parametrize("renderer", RENDERERS)
def test_every_renderer_prints_hostile_text_intact(renderer: str, practice: AppContext, catalog: Catalog) -> None:
    @fuzz_settings(PER_RENDERER)
    @given(st.lists(hostile_text.filter(lambda s: len(s) <= 150), min_size=4, max_size=4))
    def run(texts: list[str]) -> None:
        count(f"renderer {renderer}")
        ids = _patient_with(practice, catalog, texts)
        _name, note, homework, worksheet = texts
        expect: list[str] = []
        if renderer == "note":
            doc: Any = assemble.note_document(practice, ids["first"], options=OPTIONS)
            expect = [note]
        elif renderer == "notes":
            doc = assemble.notes_document(practice, ids["patient"], options=OPTIONS)
            expect = [note]
        elif renderer == "report":
            doc = assemble.report_document(practice, ids["patient"], options=OPTIONS)
            expect = [note]
        elif renderer == "prep":
            doc = assemble.prep_document(practice, ids["second"], options=OPTIONS)
            expect = [homework[:60]] if len(homework) <= 60 else []
        elif renderer == "homework":
            doc = assemble.homework_document(practice, ids["first"], options=OPTIONS)
            expect = [homework[:300]]
        elif renderer == "worksheet":
            doc = assemble.instance_document(practice, ids["first"], ids["instance"], OPTIONS)
            expect = [worksheet]
        elif renderer == "worksheet-fillable":
            template = catalog.get("cbt-thought-record-7")
            doc = assemble.worksheet_document(practice, template, session_id=ids["first"], fillable=True,
                                              options=OPTIONS)
        elif renderer == "safety-plan":
            doc = assemble.safety_plan_document(practice, ids["patient"], options=OPTIONS)
            expect = [worksheet[:200]]
        else:
            label = " ".join(worksheet.split())[:200] or "x"
            source = yaml.safe_dump({"id": "fuzz-blank", "version": 1, "title": label, "modality": "general",
                                     "kind": "worksheet", "purpose": note[:2000] or "x", "fields": [
                                         {"id": "answer", "type": "long_text", "label": label}]},
                                    allow_unicode=True)
            try:
                template = load_template_text(source, "fuzz-blank.yaml")
            except TemplateError as exc:
                assert one_line(str(exc))
                return
            doc = WorksheetDocument(template, options=OPTIONS)
            expect = [label]
        data = doc.render()
        assert data.startswith(b"%PDF") and b"%%EOF" in data[-64:]
        text = body_text(data)
        for value in expect:
            assert intact(text, value), (renderer, value)

    run()


# ------------------------------------------------------------------------------ issue 19: the door

# Dates from year 1 to 9999, weighted to the edges of what is plausible.
EDGE_DATES = st.one_of(
    st.dates(dt.date(1, 1, 1), dt.date(9999, 12, 31)),
    st.dates(dt.date(1899, 12, 1), dt.date(1900, 1, 31)),
    st.integers(-400, 400).map(lambda d: dt.date.today() + dt.timedelta(days=d)),
    st.sampled_from([dt.date(1, 1, 1), dt.date(9999, 12, 31), dt.date(2100, 12, 31), dt.date(2101, 1, 1)]),
)
# Where a date sits in a patient file, and which rule it must meet.
DATE_PLACES = [
    (("profile", "date_of_birth"), "birth"),
    (("sessions", 0, "date"), "event"),
    (("measures", 0, "taken_on"), "taken"),
    (("trials", 0, "start"), "event"),
    (("plans", 0, "created_on"), "event"),
    (("plans", 0, "review_date"), "planned"),
]


def plausible(kind: str, day: dt.date) -> bool:
    today = dt.date.today()
    if kind == "birth":
        return dt.date(1900, 1, 1) <= day <= today
    if kind == "planned":
        return dt.date(1900, 1, 1) <= day <= dt.date(2100, 12, 31)
    if kind == "taken":  # a score cannot be taken ahead (a day's grace for time zones)
        return dt.date(1900, 1, 1) <= day <= today + dt.timedelta(days=1)
    return dt.date(1900, 1, 1) <= day <= today + dt.timedelta(days=366)


def test_extreme_dates_are_refused_or_plausible(import_db: tuple[Database, str]) -> None:
    from trdplanner.core.services.transfer import TransferService

    db, bases = import_db
    files = [f for f in (json.loads(b) for b in json.loads(bases)) if f["sessions"] and f["measures"]
             and f["trials"] and f["plans"]]
    assert files, "the demo gives a patient with every kind of dated record"
    transfer = TransferService(db)
    seen = {"n": 0}

    @fuzz_settings(FUZZ // 10)
    @given(st.sampled_from(files), st.sampled_from(DATE_PLACES), EDGE_DATES)
    def run(base: dict[str, Any], place: tuple[tuple[Any, ...], str], day: dt.date) -> None:
        count("extreme dates")
        seen["n"] += 1
        data = copy.deepcopy(base)
        data["profile"]["code"] = f"DT-{seen['n']}"
        path, kind = place
        get_at(data, path[:-1])[path[-1]] = day.isoformat()
        if kind == "event" and path[0] == "trials":
            data["trials"][0]["stop"] = None  # keep stop >= start out of the way
        field = "profile.date_of_birth" if path[0] == "profile" else f"{path[0]}[0].{path[2]}"
        before = _counts(db)
        try:
            transfer.import_json(json.dumps(data))
        except InputError as exc:
            assert one_line(str(exc)), str(exc)
            assert _counts(db) == before
            # An implausible date is refused by name; a plausible one never is.
            assert str(exc).startswith(field) != plausible(kind, day), (str(exc), day)
            return
        assert plausible(kind, day), (path, day)  # accepted only inside the range for its meaning

    run()


@st.composite
def instance_bombs(draw: st.DrawFn, catalog: Catalog) -> InstanceRec:
    """A filled template as a hostile patient file carries it: huge tables, wrong types, a broken snapshot."""
    template = draw(st.sampled_from(sorted(catalog.templates, key=lambda t: t.id)))
    snapshot = template_to_dict(template)
    ids = [f.id for f in template.input_fields] or ["x"]
    kind = draw(st.sampled_from(["rows", "types", "snapshot", "version", "nested"]))
    values: dict[str, Any] = {}
    if kind == "rows":
        values[draw(st.sampled_from(ids))] = [{"x": "y"}] * draw(st.sampled_from([501, 5_000, 100_000]))
    elif kind == "types":
        values = {k: draw(junk) for k in draw(st.lists(st.sampled_from(ids), min_size=1, max_size=4))}
    elif kind == "snapshot":
        snapshot, _ = draw(mutated(snapshot))
    elif kind == "nested":
        value: Any = "deep"
        for _ in range(draw(st.integers(1, 30))):
            value = [value]
        values[draw(st.sampled_from(ids))] = value
    version = template.version + (draw(st.integers(1, 5)) if kind == "version" else 0)
    return InstanceRec(template.id, version, snapshot, values)


def test_instance_bombs_are_refused_by_path(catalog: Catalog) -> None:
    from trdplanner.core.services.transfer import check_instance_snapshot

    @fuzz_settings(FUZZ // 4)
    @given(instance_bombs(catalog))
    def run(instance: InstanceRec) -> None:
        count("instance bombs")
        try:
            check_instance_snapshot(instance, "sessions[0].instances[0]")
        except InputError as exc:
            assert one_line(str(exc)) and str(exc).startswith("sessions[0].instances[0]."), str(exc)
            return
        # Accepted: then it renders and validates everywhere the app shows it.
        from trdplanner.catalog import instance_lines, summarize_instance, template_from_dict

        template = template_from_dict(instance.template_snapshot)
        summarize_instance(template, instance.values)
        instance_lines(template, instance.values)

    run()


_LOOP = "{% for v{n} in range({size}) %}{body}{% endfor %}"
RENDER_PIECES = st.sampled_from([
    "{{ '%0{w}d' % 1 }}", "{{ '{{:>{w}}}'.format(1) }}", "{{ 'x'.center({w}) }}", "{{ 'x'|center({w}) }}",
    "{{ [1]|batch({w}, 0)|list|length }}", "{{ ('x' * 100)|replace('x', 'y' * {w}) }}", "{{ range({w})|join }}",
    "{{ 'x' * {w} }}", "{{ 7 ** {w} }}", ".",
])


@st.composite
def render_bombs(draw: st.DrawFn) -> str:
    """Jinja text a hostile template could carry: nested loops, self-calling macros, huge widths."""
    width = draw(st.sampled_from([1, 10, 9_999, 10_001, 99_999, 999_999_999]))
    body = draw(RENDER_PIECES).replace("{w}", str(width))
    for n in range(draw(st.integers(0, 4))):
        size = draw(st.sampled_from([1, 3, 50, 300, 99_999]))
        body = _LOOP.replace("{n}", str(n)).replace("{size}", str(size)).replace("{body}", body)
    if draw(st.booleans()):
        calls = "{{ f(n-1) }}" * draw(st.integers(1, 3))
        body = ("{% macro f(n) %}{% if n > 0 %}" + calls + "{% endif %}" + body[:200] + "{% endmacro %}"
                + "{{ f(" + str(draw(st.sampled_from([2, 8, 12, 40]))) + ") }}")
    return body


def test_render_bombs_end_in_a_clear_error_or_bounded_text() -> None:
    from trdplanner.catalog import RenderError
    from trdplanner.catalog import sandbox as jinja_sandbox
    from trdplanner.catalog.limits import MAX_RENDERED_LENGTH

    env = jinja_sandbox.make_environment()

    @fuzz_settings(FUZZ // 8)
    @given(render_bombs())
    def run(source: str) -> None:
        count("render bombs")
        try:
            text = jinja_sandbox.render(env, source, {}, "fuzz: note_summary")
        except RenderError as exc:
            assert one_line(str(exc)) and str(exc).startswith("fuzz: note_summary: "), str(exc)
            return
        assert len(text) <= MAX_RENDERED_LENGTH

    run()


@st.composite
def deep_json(draw: st.DrawFn) -> tuple[str, int]:
    """JSON text nested ``depth`` levels, by lists or objects, with the nest anywhere in the file."""
    depth = draw(st.one_of(st.integers(1, 80), st.integers(60, 70), st.sampled_from([1_000, 100_000, 200_000])))
    opener, closer = draw(st.sampled_from([("[", "]"), ('{"a":', "}"), ('[{"b":', "}]")]))
    levels = depth if opener != '[{"b":' else depth // 2
    text = opener * levels + "0" + closer * levels
    actual = levels * (2 if opener == '[{"b":' else 1)
    return text, actual


def test_deep_nesting_is_refused_in_words() -> None:
    from trdplanner.core.intake import MAX_JSON_DEPTH, parse_json
    from trdplanner.core.services.transfer import record_from_json
    from trdplanner.export.formfields import Manifest

    @fuzz_settings(FUZZ // 5)
    @given(deep_json(), st.sampled_from(["json", "patient", "manifest", "yaml"]))
    def run(case: tuple[str, int], reader: str) -> None:
        count("deep nesting")
        text, depth = case
        try:
            if reader == "json":
                parse_json(text)
            elif reader == "patient":
                record_from_json('{"format": "trdplanner.patient", "format_version": 1, "profile": ' + text + "}")
            elif reader == "manifest":
                Manifest.from_json('{"kind": "trdplanner-worksheet", "format": 1, "kept": ' + text + "}")
            else:  # the YAML reader is slow on huge nests; its own limit is 40 levels
                parse_yaml(text if depth <= 2_000 else text[:1_000] + text[-1_000:])
        except (InputError, ValueError, TemplateError) as exc:
            assert one_line(str(exc)), str(exc)
            assert "Recursion" not in str(exc)
            return
        assert depth <= MAX_JSON_DEPTH or reader == "yaml"

    run()


def _dumps_with_duplicate(node: Any, target: tuple[Any, ...], key: str, extra: Any) -> str:
    """``node`` as JSON with ``key`` written a second time in the object at ``target``."""
    if isinstance(node, dict):
        pairs = []
        for k, v in node.items():
            inner = target[1:] if target[:1] == (k,) else (None,)
            pairs.append(f"{json.dumps(k)}: {_dumps_with_duplicate(v, inner, key, extra)}")
        if target == ():
            pairs.append(f"{json.dumps(key)}: {json.dumps(extra)}")
        return "{" + ", ".join(pairs) + "}"
    if isinstance(node, list):
        items = [_dumps_with_duplicate(v, target[1:] if target[:1] == (i,) else (None,), key, extra)
                 for i, v in enumerate(node)]
        return "[" + ", ".join(items) + "]"
    return json.dumps(node)


def test_duplicate_keys_are_refused_wherever_they_are(import_db: tuple[Database, str]) -> None:
    from trdplanner.core.services.transfer import record_from_json

    _db, bases = import_db
    files = [json.loads(b) for b in json.loads(bases)]

    @fuzz_settings(FUZZ // 5)
    @given(st.sampled_from(files).flatmap(
        lambda f: st.tuples(st.just(f), st.sampled_from([p for p in node_paths(f) if isinstance(get_at(f, p), dict)
                                                         and get_at(f, p)]))), st.data())
    def run(case: tuple[dict[str, Any], tuple[Any, ...]], data: st.DataObject) -> None:
        count("duplicate keys")
        base, path = case
        key = data.draw(st.sampled_from(sorted(get_at(base, path))))
        text = _dumps_with_duplicate(base, path, key, data.draw(junk.filter(lambda v: v == v)))
        with pytest.raises(InputError) as err:
            record_from_json(text)
        assert one_line(str(err.value)) and "appears twice" in str(err.value), str(err.value)

    run()


def test_unbounded_and_odd_streams_are_read_within_bounds(tmp_path: Path) -> None:
    from trdplanner.core.intake import read_bounded

    fifo = tmp_path / "fifo"
    os.mkfifo(fifo)

    @fuzz_settings(max(10, FUZZ // 20))
    @given(st.sampled_from(["/dev/zero", "/dev/urandom", "/dev/null", "fifo", "folder", "missing", "proc", "sized"]),
           st.integers(0, 4096), st.integers(-2, 2))
    def run(source: str, limit: int, delta: int) -> None:
        count("unbounded streams")
        path = {"fifo": fifo, "folder": tmp_path, "missing": tmp_path / "none", "proc": Path("/proc/self/status"),
                "sized": tmp_path / "sized"}.get(source, Path(source))
        if source == "sized":
            path.write_bytes(b"x" * max(0, limit + delta))
        try:
            data = read_bounded(path, limit)
        except InputError as exc:
            assert one_line(str(exc)) and str(exc).startswith("file: "), str(exc)
            assert source not in ("sized",) or limit + delta > limit
            return
        assert len(data) <= limit
        assert source in ("sized", "proc")

    run()


def test_zz_report_the_number_of_cases() -> None:
    """Runs last in this module: prints how many generated cases ran (``pytest -s`` shows it)."""
    total = sum(CASES.values())
    print(f"\nfuzz cases run: {total} " + ", ".join(f"{k}: {v}" for k, v in sorted(CASES.items())))
