"""Loading and validating the drug table (``resources/drugs/antidepressants.yaml``).

The table is data, like templates: every problem raises :class:`TemplateError` naming the
file and the field (``drugs[3].min_dose.sources[0]``). The rules enforced here are the ones
that keep the table honest:

* every dose names at least one source, each a key of ``sources``;
* a dose confirmed by fewer than two sources must say ``unverified: true`` with a ``note``;
* every drug's class is one of ``classes``; names and brands are unique across the table.

The result is a plain :class:`~trdplanner.clinical.drugs.DrugTable` the clinical rules take.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from trdplanner.catalog.errors import TemplateError
from trdplanner.catalog.reader import MappingReader, check_list, check_number, check_text
from trdplanner.catalog.yamlfile import load_yaml_file, parse_yaml
from trdplanner.clinical.drugs import DoseSource, Drug, DrugRole, DrugTable, fold

DRUG_TABLE_FILE = "drugs/antidepressants.yaml"
TOP_KEYS = ("version", "sources", "classes", "drugs")
DRUG_KEYS = ("name", "brands", "class", "role", "route", "min_dose")
DOSE_KEYS = ("value", "unit", "sources", "unverified", "note")
CLASS_KEYS = ("name", "aliases")
ROUTES = ("oral", "transdermal", "intranasal", "intravenous", "intramuscular", "sublingual")
MIN_CONFIRMING_SOURCES = 2
MAX_DOSE = 10_000


def _sources(r: MappingReader) -> dict[str, tuple[str, str]]:
    """Source key -> (short citation used in explanations, full reference)."""
    data = MappingReader(r.need("sources"), r.at("sources"))
    out: dict[str, tuple[str, str]] = {}
    for key in data.data:
        entry = MappingReader(data.get(key), data.at(key))
        entry.check_keys(("short", "full"))
        out[key] = (entry.label("short"), entry.text("full", max_length=500))
    if not out:
        raise TemplateError(r.at("sources"), "must list at least one source")
    return out


def _classes(r: MappingReader) -> tuple[list[str], dict[str, str]]:
    names: list[str] = []
    aliases: dict[str, str] = {}
    for path, item in r.items("classes", non_empty_reason="must list the canonical classes"):
        c = MappingReader(item, path)
        c.check_keys(CLASS_KEYS)
        name = c.label("name")
        if name.casefold() in (n.casefold() for n in names):
            raise TemplateError(c.at("name"), f"class {name!r} is listed twice")
        names.append(name)
        if c.has("aliases"):
            for i, alias in enumerate(check_list(c.get("aliases"), c.at("aliases"))):
                text = check_text(alias, f"{c.at('aliases')}[{i}]", max_length=100, single_line=True)
                key = " ".join(text.split()).casefold()
                if key in aliases and aliases[key] != name:
                    raise TemplateError(f"{c.at('aliases')}[{i}]", f"{text!r} is already an alias of {aliases[key]}")
                aliases[key] = name
    for alias, target in list(aliases.items()):
        if alias in (n.casefold() for n in names) and target.casefold() != alias:
            raise TemplateError("classes", f"alias {alias!r} is also the name of another class")
    return names, aliases


def _dose(r: MappingReader, sources: dict[str, tuple[str, str]]) -> tuple[float | None, str, DoseSource]:
    d = MappingReader(r.need("min_dose"), r.at("min_dose"))
    d.check_keys(DOSE_KEYS)
    value: float | None = None
    if d.has("value"):
        number = check_number(d.get("value"), d.at("value"))
        if not 0 < number <= MAX_DOSE:
            raise TemplateError(d.at("value"), f"must be more than 0 and at most {MAX_DOSE}, got {number}")
        value = float(number)
    unit = d.text("unit", max_length=20, single_line=True)
    keys: list[str] = []
    raw = d.get("sources") if d.has("sources") else []
    for i, key in enumerate(check_list(raw, d.at("sources"))):
        path = f"{d.at('sources')}[{i}]"
        if not isinstance(key, str) or key not in sources:
            raise TemplateError(path, f"unknown source {key!r} (expected one of {', '.join(sources)})")
        if key in keys:
            raise TemplateError(path, f"source {key!r} is listed twice")
        keys.append(key)
    unverified = d.boolean("unverified", False)
    note = d.optional_text("note", max_length=500) or ""
    if value is not None and not keys:
        raise TemplateError(d.at("sources"), "a dose must name its source")
    if len(keys) < MIN_CONFIRMING_SOURCES and not unverified:
        raise TemplateError(
            d.at("unverified"),
            f"only {len(keys)} source{'' if len(keys) == 1 else 's'}: a dose not confirmed by a second "
            "source must be marked 'unverified: true'",
        )
    if (unverified or value is None) and not note:
        raise TemplateError(d.at("note"), "an unverified or missing dose needs a note saying why")
    short = "; ".join(sources[k][0] for k in keys) or "no source"
    full = tuple(sources[k][1] for k in keys)
    verified = not unverified and value is not None
    return value, unit, DoseSource(source=short, verified=verified, note=note, references=full)


def _drug(path: str, item: object, sources: dict[str, tuple[str, str]], classes: list[str]) -> Drug:
    r = MappingReader(item, path)
    r.check_keys(DRUG_KEYS)
    name = r.label("name")
    drug_class = r.label("class")
    if drug_class not in classes:
        raise TemplateError(r.at("class"), f"unknown class {drug_class!r} (expected one of {', '.join(classes)})")
    role = r.enum("role", DrugRole, "role")
    route = r.label("route")
    if route not in ROUTES:
        raise TemplateError(r.at("route"), f"unknown route {route!r} (expected one of {', '.join(ROUTES)})")
    brands: list[str] = []
    if r.has("brands"):
        for i, brand in enumerate(check_list(r.get("brands"), r.at("brands"))):
            brands.append(check_text(brand, f"{r.at('brands')}[{i}]", max_length=100, single_line=True))
    value, unit, source = _dose(r, sources)
    return Drug(
        name=name,
        drug_class=drug_class,
        role=role,
        route=route,
        min_dose=value,
        dose_unit=unit,
        dose_source=source,
        brands=tuple(brands),
    )


def drug_table_from_data(data: object, file: str = "") -> DrugTable:
    """Validate parsed data and build the table. Raises TemplateError naming ``file`` and the field."""
    try:
        r = MappingReader(data, "")
        r.check_keys(TOP_KEYS)
        version = r.integer("version", lo=1, hi=1)
        del version
        sources = _sources(r)
        classes, aliases = _classes(r)
        drugs: list[Drug] = []
        seen: dict[str, str] = {}
        for path, item in r.items("drugs", non_empty_reason="must list at least one drug"):
            drug = _drug(path, item, sources, classes)
            for i, n in enumerate((drug.name, *drug.brands)):
                key = fold(n)
                where = f"{path}.name" if i == 0 else f"{path}.brands[{i - 1}]"
                if not key:
                    raise TemplateError(where, f"{n!r} is only a formulation or dose, not a name")
                if key in seen:
                    raise TemplateError(where, f"{n!r} already names {seen[key]}")
                seen[key] = drug.name
            drugs.append(drug)
        return DrugTable.from_drugs(drugs, classes, aliases, source_file=file)
    except TemplateError as exc:
        raise exc.in_file(file) from None


def load_drug_table_text(text: str, file: str = "<text>") -> DrugTable:
    try:
        data = parse_yaml(text)
    except TemplateError as exc:
        raise exc.in_file(file) from None
    return drug_table_from_data(data, file)


def load_drug_table_file(path: Path, display: str | None = None) -> DrugTable:
    shown = display or str(path)
    return drug_table_from_data(load_yaml_file(path, shown), shown)


@lru_cache(maxsize=1)
def builtin_drug_table() -> DrugTable:
    """The shipped table, loaded once per process."""
    from trdplanner.paths import resources_dir

    return load_drug_table_file(resources_dir() / DRUG_TABLE_FILE, f"resources/{DRUG_TABLE_FILE}")
