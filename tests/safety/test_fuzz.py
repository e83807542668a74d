"""Hostile input, generated: patient import, template loading, instance validation, filled PDFs
read back, and every PDF renderer.

Each import path must either accept the input or refuse it with ONE line naming the problem,
and a refusal writes nothing. Each renderer must print whatever text it is given, intact.

``TRDPLANNER_FUZZ_EXAMPLES`` (default 1000) scales the run; with the default, the tests
below generate 1000 template files, 1000 sets of instance values, 500 patient files, 250
filled-PDF files and 25 records per PDF renderer (9 renderers): 2,975 cases in all.
"""

from __future__ import annotations

import contextlib
import copy
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

from tests.export._pdf_helpers import body_text, contains, has_all_characters
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
from trdplanner.export import PdfOptions, ReadbackError, WorksheetDocument, assemble, read_form, values_for
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


def _names_known_clinician(data: Any, path: tuple[Any, ...], known: set[tuple[str, str]]) -> bool:
    if "clinician" not in path or path[-1] in ("name", "licence_number"):
        return False
    holder = data
    for step in path[: path.index("clinician") + 1]:
        holder = holder[step]
    return isinstance(holder, dict) and (holder.get("name"), holder.get("licence_number")) in known


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
    second = ctx.sessions.create(pid, date=dt.date(2026, 1, 12), clinician_id=clinician)
    return {"patient": pid, "first": first.id, "second": second.id, "instance": instance}


def intact(text: str, value: str) -> bool:
    """Left-to-right text reads back in order; right-to-left runs are drawn in visual order, so
    mixed-direction text is compared character by character (as tests/export does)."""
    ltr = not any("\u0590" <= ch <= "\u08ff" or "\ufb1d" <= ch <= "\ufeff" for ch in value)
    return contains(text, value) if ltr else has_all_characters(text, value)


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


def test_zz_report_the_number_of_cases() -> None:
    """Runs last in this module: prints how many generated cases ran (``pytest -s`` shows it)."""
    total = sum(CASES.values())
    print(f"\nfuzz cases run: {total} " + ", ".join(f"{k}: {v}" for k, v in sorted(CASES.items())))
