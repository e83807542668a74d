"""The drug table (resources/drugs/antidepressants.yaml): shipped content and validation on load."""

from __future__ import annotations

from pathlib import Path

import pytest

from trdplanner.catalog.drugs import builtin_drug_table, load_drug_table_file, load_drug_table_text
from trdplanner.catalog.errors import TemplateError
from trdplanner.clinical import DrugRole
from trdplanner.paths import resources_dir

MINIMAL = """
version: 1
sources:
  a: {short: Source A, full: Source A in full}
  b: {short: Source B, full: Source B in full}
classes:
  - name: SSRI
    aliases: [selective serotonin reuptake inhibitor]
drugs:
  - name: sertraline
    brands: [Zoloft]
    class: SSRI
    role: antidepressant
    route: oral
    min_dose: {value: 50, unit: mg/day, sources: [a, b]}
"""


def test_shipped_table_loads_and_covers_the_ledgers_agents() -> None:
    table = builtin_drug_table()
    for name in ("sertraline", "citalopram", "venlafaxine", "amitriptyline", "phenelzine", "bupropion",
                 "mirtazapine", "lithium", "aripiprazole", "liothyronine", "esketamine"):
        assert table.lookup(name) is not None, name
    assert {d.role for d in table.drugs} == {DrugRole.ANTIDEPRESSANT, DrugRole.AUGMENTATION}
    for tca in ("amitriptyline", "imipramine", "nortriptyline"):
        assert table.lookup(tca).drug_class == "TCA"  # type: ignore[union-attr]


def test_every_shipped_dose_names_its_source_and_confirmed_ones_have_two() -> None:
    for drug in builtin_drug_table().drugs:
        src = drug.dose_source
        if drug.min_dose is not None:
            assert src.references, drug.name
        if src.verified:
            assert len(src.references) >= 2, drug.name
        else:
            assert src.note, drug.name


def test_ssri_doses_match_the_two_sources() -> None:
    """20 mg citalopram/fluoxetine/paroxetine, 10 mg escitalopram, 50 mg sertraline (NHS Scotland; UpToDate)."""
    table = builtin_drug_table()
    expected = {"citalopram": 20, "fluoxetine": 20, "paroxetine": 20, "escitalopram": 10, "sertraline": 50}
    for name, dose in expected.items():
        drug = table.lookup(name)
        assert drug is not None and drug.min_dose == dose and drug.dose_source.verified


def test_lookup_by_brand_case_and_formulation() -> None:
    table = builtin_drug_table()
    assert table.lookup("ZOLOFT").name == "sertraline"  # type: ignore[union-attr]
    assert table.lookup("Venlafaxine XL 150 mg").name == "venlafaxine"  # type: ignore[union-attr]
    assert table.lookup("Spravato nasal spray").name == "esketamine"  # type: ignore[union-attr]
    assert table.lookup("not a drug") is None
    assert table.canonical_class("SSRIs") == "SSRI"
    assert table.canonical_class("tricyclic antidepressant") == "TCA"
    assert table.canonical_class("unknown") is None


def test_minimal_table_loads() -> None:
    table = load_drug_table_text(MINIMAL, "drugs.yaml")
    assert table.lookup("zoloft").min_dose_text == "50 mg/day (Source A; Source B)"  # type: ignore[union-attr]


@pytest.mark.parametrize(
    ("old", "new", "where", "problem"),
    [
        ("sources: [a, b]}", "sources: [a]}", "drugs[0].min_dose.unverified",
         "a dose not confirmed by a second source must be marked 'unverified: true'"),
        ("sources: [a, b]}", "sources: [a], unverified: true}", "drugs[0].min_dose.note",
         "an unverified or missing dose needs a note"),
        ("sources: [a, b]}", "sources: [a, c]}", "drugs[0].min_dose.sources[1]", "unknown source 'c'"),
        ("class: SSRI", "class: SSRIs", "drugs[0].class", "unknown class 'SSRIs'"),
        ("role: antidepressant", "role: cure", "drugs[0].role", "unknown role 'cure'"),
        ("route: oral", "route: osmosis", "drugs[0].route", "unknown route 'osmosis'"),
        ("value: 50", "value: -5", "drugs[0].min_dose.value", "must be more than 0"),
        ("brands: [Zoloft]", "brands: [sertraline]", "drugs[0].brands[0]", "'sertraline' already names sertraline"),
        ("    route: oral", "    route: oral\n    colour: blue", "drugs[0].colour", "unknown key"),
    ],
)
def test_errors_name_the_file_and_the_field(old: str, new: str, where: str, problem: str) -> None:
    text = MINIMAL.replace(old, new, 1)
    assert text != MINIMAL
    with pytest.raises(TemplateError) as info:
        load_drug_table_text(text, "resources/drugs/antidepressants.yaml")
    err = info.value
    assert err.file == "resources/drugs/antidepressants.yaml"
    assert err.path == where
    assert problem in err.problem
    assert str(err).startswith(f"resources/drugs/antidepressants.yaml: {where}: ")


def test_broken_yaml_and_oversized_files_are_refused_with_the_file_named(tmp_path: Path) -> None:
    bad = tmp_path / "drugs.yaml"
    bad.write_text("drugs: [unclosed", encoding="utf-8")
    with pytest.raises(TemplateError) as info:
        load_drug_table_file(bad, "drugs.yaml")
    assert str(info.value).startswith("drugs.yaml: YAML error")
    big = tmp_path / "big.yaml"
    big.write_bytes(b"#" * (3 * 1024 * 1024))
    with pytest.raises(TemplateError, match="file too large"):
        load_drug_table_file(big, "big.yaml")


def test_shipped_file_is_where_the_loader_looks() -> None:
    assert (resources_dir() / "drugs" / "antidepressants.yaml").is_file()
