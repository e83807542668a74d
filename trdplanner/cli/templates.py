"""``trdplanner templates ...``: list the catalog and validate a template file."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import TYPE_CHECKING, Any

from trdplanner.catalog.errors import TemplateError
from trdplanner.catalog.model import Kind, Modality
from trdplanner.cli import output

if TYPE_CHECKING:  # the composition root loads the database layer; only the handlers need it
    from trdplanner.context import AppContext

KIND_LABELS = {
    Kind.EXERCISE: "exercise",
    Kind.HOMEWORK: "homework",
    Kind.HANDOUT: "handout",
    Kind.STRUCTURE: "structure",
    Kind.MEASURE: "measure",
}


def register(commands: Any) -> None:
    templates = commands.add_parser("templates", help="list session templates or check a template file")
    sub = templates.add_subparsers(dest="templates_command", metavar="ACTION", required=True)

    ls = sub.add_parser("list", help="list every template in the catalog")
    ls.add_argument("--json", action="store_true", help="print JSON")
    ls.add_argument("--modality", choices=[m.value for m in Modality], help="only this modality")
    ls.add_argument("--kind", choices=[k.value for k in Kind], help="only this kind")
    ls.set_defaults(handler=list_templates)

    check = sub.add_parser("validate", help="check a template file; exits non-zero with the problem if invalid")
    check.add_argument("file", type=Path)
    check.set_defaults(handler=validate_template)


def list_templates(ctx: AppContext, args: argparse.Namespace) -> int:
    catalog = ctx.catalog
    chosen = catalog.filter(modality=args.modality, kind=args.kind)
    if args.json:
        output.emit_json(
            {
                "templates": [
                    {
                        "id": t.id,
                        "modality": t.modality.value,
                        "kind": t.kind.value,
                        "title": t.title,
                        "version": t.version,
                        "minutes": t.minutes,
                        "user": catalog.is_user_template(t.id),
                    }
                    for t in chosen
                ],
                "broken": [{"file": str(b.path), "error": b.message} for b in catalog.broken],
            }
        )
        return 0
    rows = [
        [
            t.id,
            t.modality.value,
            t.kind.value,
            f"v{t.version}",
            t.title + (" (yours)" if catalog.is_user_template(t.id) else ""),
        ]
        for t in chosen
    ]
    print(output.table(rows, ["ID", "Modality", "Kind", "Ver", "Title"]))
    print(f"\n{len(rows)} templates.")
    for broken in catalog.broken:
        print(f"Not loaded: {broken.message}")
    return 0


def validate_template(ctx: AppContext, args: argparse.Namespace) -> int:
    from trdplanner.catalog.catalog import cross_template_problems
    from trdplanner.catalog.loader import load_template_file
    from trdplanner.catalog.summaries import check_summary_budget

    path: Path = args.file
    if not path.is_file():
        output.error(f"{path}: no such file")
        return 2
    try:
        template = load_template_file(path)
        check_summary_budget(template)  # rendered against a full worksheet: proves it stays inside the budget
    except TemplateError as exc:
        if not exc.file:
            exc = exc.in_file(str(path))
        output.error(str(exc))
        return 1
    catalog = ctx.catalog
    existing = catalog.find(template.id)
    same_file = existing is not None and Path(existing.source).resolve() == path.resolve()
    if existing is not None and not same_file and not catalog.is_user_template(template.id):
        output.error(f"{path}: id: '{template.id}' is already used by a built-in template; choose another id")
        return 1
    others = {t.id: t for t in catalog.templates if t.id != template.id}
    problems = cross_template_problems({**others, template.id: template})
    if template.id in problems:
        output.error(f"{path}: {problems[template.id]}")
        return 1
    print(
        f"{path}: valid ({template.id} v{template.version}, {template.modality.value} {template.kind.value}, "
        f"{len(template.input_fields)} input fields)"
    )
    return 0
