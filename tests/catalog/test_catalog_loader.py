"""Loading the catalog from disk: built-ins, user folders, broken files, shadowing, limits."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from _catalog_helpers import (
    NOTES_DIR,
    TEMPLATES_DIR,
    base_template,
    follow_up,
    thought_record_7,
    write_yaml,
)

from trdplanner.catalog import (
    Catalog,
    Kind,
    Modality,
    load_catalog,
    load_note_formats,
    load_template_file,
)
from trdplanner.catalog.limits import MAX_FILE_BYTES


@pytest.fixture
def builtin(tmp_path: Path) -> Path:
    root = tmp_path / "templates"
    write_yaml(root / "cbt" / "cbt-test.yaml", base_template())
    write_yaml(root / "cbt" / "cbt-record-seven.yaml", thought_record_7())
    write_yaml(
        root / "cbt" / "cbt-structure.yaml",
        base_template(
            id="cbt-structure",
            kind="structure",
            title="CBT session",
            fields=[],
            agenda=[{"title": "Mood check", "minutes": 5, "description": "Measures and mood."}],
        ),
    )
    write_yaml(root / "notes" / "soap.yaml", {"id": "soap"})  # not a session template
    return root


def test_every_repository_template_validates() -> None:
    """Picks up every engineer's files as they land: all must load, none may be broken."""
    catalog = load_catalog(TEMPLATES_DIR, None)
    assert [b.message for b in catalog.broken] == []
    on_disk = {p.stem for p in TEMPLATES_DIR.rglob("*.yaml") if p.relative_to(TEMPLATES_DIR).parts[0] != "notes"}
    assert {t.id for t in catalog.templates} == on_disk
    formats = load_note_formats(NOTES_DIR)
    assert [b.message for b in formats.broken] == []
    assert [f.id for f in formats.formats] == ["soap", "dap", "birp", "girp", "pirp"]


def test_builtins_load_sorted_and_filterable(builtin: Path) -> None:
    catalog = load_catalog(builtin, None)
    assert catalog.broken == ()
    assert [t.id for t in catalog.templates] == ["cbt-test", "cbt-record-seven", "cbt-structure"]
    assert catalog.get("cbt-test").title == "Test template"
    assert "cbt-test" in catalog and len(catalog) == 3
    assert [t.id for t in catalog.filter(kind=Kind.HOMEWORK)] == ["cbt-record-seven"]
    assert catalog.filter(modality="dbt") == ()
    structure = catalog.structure_for(Modality.CBT)
    assert structure is not None and structure.agenda[0].title == "Mood check"
    assert catalog.structure_for("act") is None
    with pytest.raises(KeyError, match="unknown template 'nope'"):
        catalog.get("nope")


def test_user_template_appears_beside_builtins_and_broken_one_is_listed(builtin: Path, tmp_path: Path) -> None:
    user = tmp_path / "data" / "templates"
    write_yaml(user / "mine" / "anything.yaml", base_template(id="cbt-my-own", title="My own"))
    (user / "bad.yaml").write_text("id: cbt-bad\nversion: 1\nmodality: cbt\nkind: [\n")
    write_yaml(user / "typo.yaml", base_template(id="cbt-typo", titel="x"))
    catalog = load_catalog(builtin, user)
    assert "cbt-my-own" in catalog and "cbt-test" in catalog
    assert catalog.is_user_template("cbt-my-own") and not catalog.is_user_template("cbt-test")
    broken = {b.path.name: b for b in catalog.broken}
    assert set(broken) == {"bad.yaml", "typo.yaml"}
    assert all(b.user for b in broken.values())
    assert broken["typo.yaml"].message == (f"{user / 'typo.yaml'}: titel: unknown key (did you mean 'title'?)")
    assert "YAML error at line 5" in broken["bad.yaml"].message


def test_user_template_cannot_shadow_a_builtin(builtin: Path, tmp_path: Path) -> None:
    user = tmp_path / "user"
    write_yaml(user / "copy.yaml", base_template(title="Shadow"))
    catalog = load_catalog(builtin, user)
    assert catalog.get("cbt-test").title == "Test template"
    [entry] = catalog.broken
    assert entry.message == f"{user / 'copy.yaml'}: id 'cbt-test' is already used by a built-in template"


def test_duplicate_user_ids_are_broken(builtin: Path, tmp_path: Path) -> None:
    user = tmp_path / "user"
    write_yaml(user / "a.yaml", base_template(id="cbt-mine", title="First"))
    write_yaml(user / "b.yaml", base_template(id="cbt-mine", title="Second"))
    catalog = load_catalog(builtin, user)
    assert catalog.get("cbt-mine").title == "First"
    [entry] = catalog.broken
    assert entry.message == f"{user / 'b.yaml'}: id 'cbt-mine' is already used by {user / 'a.yaml'}"


def test_builtin_file_name_and_folder_must_match(tmp_path: Path) -> None:
    root = tmp_path / "templates"
    write_yaml(root / "cbt" / "other-name.yaml", base_template())
    write_yaml(root / "dbt" / "cbt-moved.yaml", base_template(id="cbt-moved"))
    messages = sorted(b.message for b in load_catalog(root).broken)
    assert messages == [
        "templates/cbt/other-name.yaml: id: 'cbt-test' does not match the file name 'other-name.yaml'",
        "templates/dbt/cbt-moved.yaml: modality: 'cbt' does not match the folder 'dbt'",
    ]


def test_cross_template_references(builtin: Path, tmp_path: Path) -> None:
    user = tmp_path / "user"
    write_yaml(user / "follow.yaml", follow_up())
    dangling = base_template(
        id="cbt-dangling",
        fields=[
            {
                "id": "x",
                "type": "long_text",
                "label": "X",
                "prefill": {"source": "previous", "template": "cbt-gone", "field": "y"},
            }
        ],
    )
    write_yaml(user / "dangling.yaml", dangling)
    wrong_type = base_template(
        id="cbt-wrong-type",
        fields=[
            {
                "id": "x",
                "type": "yes_no",
                "label": "X",
                "prefill": {"source": "previous", "template": "cbt-record-seven", "field": "hot_thought"},
            }
        ],
    )
    write_yaml(user / "wrong.yaml", wrong_type)
    depends = base_template(
        id="cbt-depends",
        fields=[
            {
                "id": "x",
                "type": "long_text",
                "label": "X",
                "prefill": {"source": "text", "text": "{{ previous['cbt-dangling'].x }}"},
            }
        ],
    )
    write_yaml(user / "depends.yaml", depends)
    catalog = load_catalog(builtin, user)
    assert "cbt-record-follow-up" in catalog
    messages = sorted(b.message.removeprefix(str(user) + "/") for b in catalog.broken)
    assert messages == [
        "dangling.yaml: fields[0].prefill.template: unknown template 'cbt-gone'",
        "depends.yaml: fields[0].prefill.text: unknown template 'cbt-dangling'",
        "wrong.yaml: fields[0].prefill.field: cbt-record-seven's 'hot_thought' is a short_text "
        "field; it cannot fill a yes_no field",
    ]


def test_text_binding_field_is_checked_against_the_other_template(builtin: Path, tmp_path: Path) -> None:
    user = tmp_path / "user"
    write_yaml(
        user / "x.yaml",
        base_template(
            id="cbt-x",
            fields=[
                {
                    "id": "x",
                    "type": "long_text",
                    "label": "X",
                    "prefill": {"source": "text", "text": "{{ previous['cbt-record-seven'].hot_thougt }}"},
                }
            ],
        ),
    )
    [entry] = load_catalog(builtin, user).broken
    assert entry.message.endswith("x.yaml: fields[0].prefill.text: 'hot_thougt' is not a field of cbt-record-seven")


def test_oversized_and_non_utf8_files_are_broken_not_fatal(builtin: Path, tmp_path: Path) -> None:
    user = tmp_path / "user"
    user.mkdir()
    (user / "huge.yaml").write_bytes(b"#" * (MAX_FILE_BYTES + 1))
    (user / "latin1.yaml").write_bytes("title: caf\xe9\n".encode("latin-1"))
    catalog = load_catalog(builtin, user)
    messages = sorted(b.message for b in catalog.broken)
    assert messages == [
        f"{user / 'huge.yaml'}: file too large (more than 1024 KB)",
        f"{user / 'latin1.yaml'}: not UTF-8 text (bad byte at offset 10)",
    ]
    assert len(catalog) == 3


@pytest.mark.skipif(not hasattr(os, "symlink"), reason="needs symlinks")
def test_symlinks_outside_the_folder_are_ignored(builtin: Path, tmp_path: Path) -> None:
    outside = tmp_path / "elsewhere"
    write_yaml(outside / "cbt-outside.yaml", base_template(id="cbt-outside"))
    user = tmp_path / "user"
    write_yaml(user / "cbt-inside.yaml", base_template(id="cbt-inside"))
    (user / "link-file.yaml").symlink_to(outside / "cbt-outside.yaml")
    (user / "link-dir").symlink_to(outside, target_is_directory=True)
    (user / "alias.yaml").symlink_to(user / "cbt-inside.yaml")  # inside: same file, loaded once
    (user / "loop").symlink_to(user, target_is_directory=True)
    catalog = load_catalog(builtin, user)
    assert "cbt-inside" in catalog and "cbt-outside" not in catalog
    assert catalog.broken == ()


def test_hidden_and_non_yaml_files_are_skipped(builtin: Path, tmp_path: Path) -> None:
    user = tmp_path / "user"
    user.mkdir()
    (user / ".cbt-test.yaml.swp").write_text("garbage")
    (user / ".git").mkdir()
    (user / ".git" / "x.yaml").write_text("garbage: [")
    (user / "notes.txt").write_text("not a template")
    catalog = load_catalog(builtin, user)
    assert catalog.broken == () and len(catalog) == 3


def test_missing_folders_give_an_empty_catalog(tmp_path: Path) -> None:
    catalog = load_catalog(tmp_path / "none", tmp_path / "neither")
    assert isinstance(catalog, Catalog) and len(catalog) == 0 and catalog.broken == ()


def test_load_template_file_names_the_file(tmp_path: Path) -> None:
    path = write_yaml(tmp_path / "t.yaml", base_template(minutes=0))
    with pytest.raises(ValueError, match=r"t\.yaml: minutes: must be at least 1, got 0"):
        load_template_file(path)
