"""The command line starts fast: what each command loads, and the lazy command table it relies on.

Speed itself is measured in benchmarks/bench_startup.py (no timed assertions here). These tests pin
the cause: --version and --help load no database, PDF, template or Qt library, and `patient list`
loads neither the PDF, template nor Qt stack, nor Alembic when the schema is current.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from trdplanner import cli

REPO = Path(__file__).resolve().parents[2]
HEAVY = ("sqlalchemy", "reportlab", "jinja2", "PySide6", "alembic", "cryptography", "pikepdf")

# Runs the real entry point in a fresh interpreter, then reports which heavy libraries it imported.
_PROBE = """
import json, sys
from trdplanner.__main__ import main
try:
    code = main(sys.argv[1:])
except SystemExit as exc:
    code = exc.code
print(json.dumps({"code": code, "loaded": [m for m in HEAVY if m in sys.modules]}), file=sys.stderr)
""".replace("HEAVY", repr(HEAVY))


def _loaded(*argv: str, data_dir: Path) -> tuple[int, set[str]]:
    env = dict(os.environ, PYTHONPATH=os.pathsep.join([str(REPO), *filter(None, [os.environ.get("PYTHONPATH")])]),
               TRDPLANNER_DATA_DIR=str(data_dir))
    done = subprocess.run([sys.executable, "-c", _PROBE, *argv], env=env, capture_output=True, text=True,
                          timeout=120, check=False)
    report = json.loads(done.stderr.strip().splitlines()[-1])
    return int(report["code"] or 0), set(report["loaded"])


@pytest.mark.parametrize("argv", [["--version"], ["--help"], ["bogus-command"]])
def test_version_help_and_usage_errors_load_no_heavy_library(argv: list[str], data_dir: Path) -> None:
    code, loaded = _loaded(*argv, data_dir=data_dir)
    assert code == (2 if argv == ["bogus-command"] else 0)
    assert loaded == set(), f"{argv} imported {sorted(loaded)}"


def test_patient_list_loads_no_pdf_template_qt_or_migration_code(demo_dir: Path) -> None:
    code, loaded = _loaded("patient", "list", data_dir=demo_dir)
    assert code == 0
    assert "sqlalchemy" in loaded  # it did open the database: the probe sees real imports
    assert loaded & {"reportlab", "jinja2", "PySide6", "alembic"} == set(), sorted(loaded)


def _subcommands(parser: argparse.ArgumentParser) -> argparse._SubParsersAction:  # type: ignore[type-arg]
    return next(a for a in parser._actions if isinstance(a, argparse._SubParsersAction))


def test_command_table_matches_what_the_modules_register() -> None:
    """A command added to a module but not to COMMANDS (or with another help line) fails here."""
    full = _subcommands(cli.build_parser())
    registered = {a.dest: a.help for a in full._choices_actions}
    assert registered == {name: help_text for name, _modules, help_text in cli.COMMANDS}
    assert len(cli.COMMANDS) == len(registered)  # no name twice


@pytest.mark.parametrize("name", [name for name, _modules, _help in cli.COMMANDS])
def test_each_command_parses_exactly_as_with_every_module_loaded(name: str) -> None:
    lazy = _subcommands(cli.build_parser(name)).choices[name]
    full = _subcommands(cli.build_parser()).choices[name]
    assert lazy.format_help() == full.format_help()
    assert lazy.get_default("handler") is full.get_default("handler")


@pytest.mark.parametrize(("argv", "expected"), [
    (["--data-dir", "patient", "note"], "note"),
    (["--data-dir=x", "--verbose", "patient", "list"], "patient"),
    (["--db", "sqlite://", "--passphrase-file", "f", "report", "1"], "report"),
    (["--version"], None),
])
def test_the_command_word_is_found_past_global_options(argv: list[str], expected: str | None) -> None:
    assert cli.chosen_command(argv) == expected


def test_schema_head_read_without_alembic_is_alembic_s_head() -> None:
    from alembic.script import ScriptDirectory

    from trdplanner.core.db import MIGRATIONS_DIR, head_revision

    assert head_revision() == ScriptDirectory(str(MIGRATIONS_DIR)).get_current_head()


def test_the_catalog_s_lazy_names_never_share_a_name_with_one_of_its_modules() -> None:
    """Importing a submodule sets the package attribute of its name: a function named like a module
    would then be shadowed by the module for everyone after (prefill once was)."""
    import pkgutil

    import trdplanner.catalog as catalog

    modules = {m.name for m in pkgutil.iter_modules(catalog.__path__)}
    assert set(catalog._HOME) & modules == set()
    assert set(catalog._HOME) == set(catalog.__all__)
    for name in catalog.__all__:  # each one resolves to the thing, not a module
        assert not isinstance(getattr(catalog, name), type(catalog)), name


def test_the_global_options_that_take_a_value_are_the_parser_s_own() -> None:
    """chosen_command skips these with their values: a new global option with a value must join them."""
    parser = cli.build_parser(None)
    with_value = {o for a in parser._actions if a.option_strings and a.nargs != 0
                  for o in a.option_strings}
    assert with_value == cli._GLOBAL_WITH_VALUE
