"""Progress-note formats (SOAP, DAP, BIRP, GIRP, PIRP): loading, checking and rendering.

Each section's Jinja text writes the starting text of that section from the note context (see
``docs/template-format.md``). Two helpers keep the clinically sensitive wording in one tested
place instead of five YAML files: the ``measure_line``/``measure_status`` filters and the
``risk_line`` context value. Whatever a format's text says, :func:`render_note` makes sure a
positive PHQ-9 item 9 is stated in the format's risk section.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from trdplanner.catalog import sandbox
from trdplanner.catalog.catalog import BrokenFile
from trdplanner.catalog.errors import RenderError, TemplateError
from trdplanner.catalog.limits import MAX_TEXT_LENGTH
from trdplanner.catalog.loader import iter_yaml_files, load_yaml_file
from trdplanner.catalog.model import NoteFormat, NoteSection
from trdplanner.catalog.reader import MappingReader, check_pattern

# The note context, name -> keys (for mappings) or item keys (for lists).
NOTE_CONTEXT_MAPPINGS: dict[str, tuple[str, ...]] = {
    "patient": ("display_name", "print_code", "pronouns"),
    "clinician": ("name", "credentials"),
    "session": ("date", "number", "format", "modality", "modality_label", "agenda", "status", "status_label", "held"),
    # Who the session was with besides the patient: a group (its name, how they attended) and
    # people present who are not patients ("Mother, Jane Doe; Partner, Sam").
    "present": ("group_name", "group_attendance", "others"),
    "risk": (
        "item9_positive",
        "item9_score",
        "safety_plan_reviewed",
        "summary",
        "summary_updated",
        "findings",
        "open_alerts",
        "review_required",
        "standing",
    ),
}
NOTE_CONTEXT_LISTS: dict[str, tuple[str, ...]] = {
    "measures": (
        "instrument",
        "name",
        "date",
        "total",
        "max_total",
        "severity",
        "baseline_total",
        "baseline_date",
        "change",
        "percent_change",
        "response",
        "remission",
        "reliable_improvement",
        "reliable_deterioration",
        "flags",
    ),
    "interventions": (),
    "templates_completed": ("title", "summary"),
    "forms_unfilled": ("title", "state"),
    "homework_reviewed": ("title", "status", "notes", "assigned_session", "worksheet"),
    "homework_due": ("title", "assigned_session", "assigned_date"),
    "homework_assigned": ("title", "instructions"),
    "objectives": ("text", "status", "target"),
    "medications": ("name", "dose", "schedule", "adherence"),
}
# Added by render_note itself, so formats share one wording of the risk statement.
COMPUTED_NAMES = ("risk_line",)

# The canonical formats, in the order the app offers them.
STANDARD_FORMATS = ("soap", "dap", "birp", "girp", "pirp")

# Present in every risk line for a positive suicidality item or an open alert; how render_note
# checks that a format's text did not drop it.
ITEM9_POSITIVE_MARK = "A structured risk review is required"

_FORMAT_ID = re.compile(r"[a-z][a-z0-9-]*")
_SECTION_ID = re.compile(r"[a-z][a-z0-9_]*")


def _number(value: Any) -> str:
    if isinstance(value, float):
        return f"{value:.10g}"
    return str(value)


def _signed(value: Any) -> str:
    if isinstance(value, int | float) and not isinstance(value, bool):
        return f"{value:+.10g}" if isinstance(value, float) else f"{value:+d}"
    return str(value)


def measure_status(measure: Mapping[str, Any]) -> str:
    """Response, remission and reliable change for one measure, each stated explicitly."""
    if measure.get("baseline_total") is None:
        return "baseline measurement (no change to report yet)"
    parts = [
        f"response: {'yes' if measure.get('response') else 'no'}",
        f"remission: {'yes' if measure.get('remission') else 'no'}",
    ]
    if measure.get("reliable_improvement"):
        parts.append("reliable improvement")
    elif measure.get("reliable_deterioration"):
        parts.append("RELIABLE DETERIORATION")
    else:
        parts.append("no reliable change")
    return "; ".join(parts)


def measure_line(measure: Mapping[str, Any]) -> str:
    """One measure as a note line: score, severity, date, change since baseline, status, flags."""
    try:
        name, total, max_total = measure["name"], measure["total"], measure["max_total"]
    except KeyError as exc:
        raise ValueError(f"a measure needs {exc.args[0]!r}") from None
    text = f"{name} {_number(total)}/{_number(max_total)}"
    if measure.get("severity"):
        text += f" ({measure['severity']})"
    if measure.get("date"):
        text += f" on {measure['date']}"
    if measure.get("baseline_total") is not None:
        text += f"; baseline {_number(measure['baseline_total'])}"
        if measure.get("baseline_date"):
            text += f" on {measure['baseline_date']}"
        if measure.get("change") is not None:
            text += f", change {_signed(measure['change'])}"
            if measure.get("percent_change") is not None:
                text += f" ({float(measure['percent_change']):+.0f}%)"
    text += f"; {measure_status(measure)}"
    flags = [str(f) for f in measure.get("flags") or ()]
    if flags:
        text += f"; {'; '.join(flags)}"
    return text


def item9_positive(risk: Mapping[str, Any]) -> bool:
    """Positive if flagged or if the score is above 0 (either is enough: err on the safe side)."""
    score = risk.get("item9_score")
    scored = isinstance(score, int | float) and not isinstance(score, bool) and score > 0
    return bool(risk.get("item9_positive")) or scored


def risk_positive(risk: Mapping[str, Any]) -> bool:
    """A positive suicidality item this session, or an open alert: the note needs a risk review."""
    return item9_positive(risk) or bool(risk.get("findings")) or bool(risk.get("review_required"))


def risk_line(risk: Mapping[str, Any]) -> str:
    """The risk statement every note carries, built only from what was recorded.

    A positive suicidality item (or an alert nobody has acknowledged) is always named in words
    and always says that a structured risk review is required. Text from the patient's profile is
    quoted with the day it was last updated, never as today's assessment.
    """
    score = risk.get("item9_score")
    plan = (
        "Safety plan marked as reviewed this session."
        if risk.get("safety_plan_reviewed")
        else "Safety plan not marked as reviewed this session."
    )
    findings = [str(f) for f in risk.get("findings") or ()]
    if item9_positive(risk) and not any(f.startswith("PHQ-9 item 9") for f in findings):
        shown = f" scored {_number(score)} of 3" if score is not None else " answered above 0"
        findings.insert(0, f"PHQ-9 item 9 (thoughts of death or self-harm){shown}")
    alerts = [str(a) for a in risk.get("open_alerts") or ()]
    if findings or alerts or risk.get("review_required"):
        parts = []
        if findings:
            parts.append(f"RISK: {'; '.join(findings)} this session.")
        if alerts:
            parts.append(f"{'RISK: ' if not findings else ''}{'; '.join(a[0].upper() + a[1:] for a in alerts)}.")
        if risk.get("note_signed"):
            # Printed beside a signed note: the findings stand, the note's own text is the review.
            need = "These findings come from the scores on record; the signed note above is the clinician's record."
        else:
            need = f"{ITEM9_POSITIVE_MARK} before this note is signed."
        text = f"{' '.join(parts)} {need} {plan}".strip()
    elif score is None:
        text = (
            f"Risk: PHQ-9 item 9 not recorded this session; ask directly about thoughts of death or self-harm. {plan}"
        )
    else:
        text = f"Risk: PHQ-9 item 9 (thoughts of death or self-harm) answered 'not at all' this session. {plan}"
    # A flag raised by an earlier score and not yet cleared (core/risk_findings.py) is said even
    # when nothing this session is positive: a score that does not answer the item never clears it.
    standing = [str(x) for x in risk.get("standing") or ()]
    if standing:
        text += " Still flagged from an earlier score: " + " ".join(standing)
    if risk.get("summary"):
        updated = risk.get("summary_updated")
        when = f"last updated {updated}" if updated else "date of last update not recorded"
        text += f" Risk summary on file, {when} (not an assessment made this session): {risk['summary']}"
    return text


_FILTERS = {"measure_line": measure_line, "measure_status": measure_status}
_ENV = sandbox.make_environment(_FILTERS)


@dataclass(frozen=True)
class NoteFormats:
    """The loaded note formats (standard ones first) and any files that failed."""

    formats: tuple[NoteFormat, ...]
    broken: tuple[BrokenFile, ...] = ()

    def get(self, format_id: str) -> NoteFormat:
        for fmt in self.formats:
            if fmt.id == format_id:
                return fmt
        raise KeyError(f"unknown note format '{format_id}'")

    def __contains__(self, format_id: object) -> bool:
        return any(f.id == format_id for f in self.formats)


def parse_note_format(data: object, source: str = "") -> NoteFormat:
    """Validate parsed YAML for one note format; raises :class:`TemplateError` with the path."""
    try:
        return _parse_note_format(data, source)
    except TemplateError as exc:
        raise exc.in_file(source) from None


def _parse_note_format(data: object, source: str) -> NoteFormat:
    top = MappingReader(data, "")
    top.check_keys(("id", "title", "description", "sections"))
    format_id = check_pattern(top.need("id"), "id", _FORMAT_ID, "lowercase letters, digits and hyphens", 40)
    title = top.label("title")
    description = top.text("description")
    sections: list[NoteSection] = []
    seen: dict[str, str] = {}
    for path, item in top.items("sections", non_empty_reason="a note needs at least one section"):
        sec = MappingReader(item, path)
        sec.check_keys(("id", "title", "prompt", "template", "risk"))
        section_id = check_pattern(sec.need("id"), sec.at("id"), _SECTION_ID, "snake_case (lowercase, digits, _)", 40)
        if section_id in seen:
            raise TemplateError(sec.at("id"), f"duplicate id '{section_id}' (also {seen[section_id]})")
        seen[section_id] = path
        template = sec.text("template", max_length=MAX_TEXT_LENGTH)
        _check_section_template(template, sec.at("template"))
        sections.append(
            NoteSection(
                id=section_id,
                title=sec.label("title"),
                prompt=sec.text("prompt"),
                template=template,
                risk=sec.boolean("risk", False),
            )
        )
    risk_sections = [s.id for s in sections if s.risk]
    if len(risk_sections) != 1:
        raise TemplateError(
            "sections",
            f"exactly one section needs 'risk: true' (where the risk assessment goes), found {len(risk_sections)}",
        )
    return NoteFormat(id=format_id, title=title, description=description, sections=tuple(sections), source=source)


def _check_section_template(text: str, path: str) -> None:
    tree = sandbox.syntax_tree(_ENV, text, path)
    known: dict[str, tuple[str, ...] | None] = dict(NOTE_CONTEXT_MAPPINGS)
    known.update(dict.fromkeys(NOTE_CONTEXT_LISTS))
    known.update(dict.fromkeys(COMPUTED_NAMES))
    items = {name: keys for name, keys in NOTE_CONTEXT_LISTS.items() if keys}
    sandbox.check_names(_ENV, tree, path, known, items)


def load_note_formats(directory: Path) -> NoteFormats:
    """Load ``<directory>/*.yaml`` (recursively); a broken file is listed, never fatal."""
    loaded: dict[str, NoteFormat] = {}
    broken: list[BrokenFile] = []
    for path in iter_yaml_files(directory):
        shown = f"{directory.name}/{path.relative_to(directory).as_posix()}"
        try:
            fmt = parse_note_format(load_yaml_file(path, shown), shown)
            if path.stem != fmt.id:
                raise TemplateError("id", f"'{fmt.id}' does not match the file name '{path.name}'", shown)
            if fmt.id in loaded:
                raise TemplateError("id", f"'{fmt.id}' is already used by {loaded[fmt.id].source}", shown)
        except TemplateError as exc:
            broken.append(BrokenFile(path, exc))
            continue
        loaded[fmt.id] = fmt
    order = {fid: i for i, fid in enumerate(STANDARD_FORMATS)}
    ranked = sorted(loaded.values(), key=lambda f: (order.get(f.id, len(order)), f.id))
    return NoteFormats(tuple(ranked), tuple(broken))


def render_note(fmt: NoteFormat, context: Mapping[str, Any]) -> list[tuple[str, str, str]]:
    """``(section id, title, starting text)`` for each section, in order.

    Rendered in the sandbox with StrictUndefined: a context missing a documented key raises
    :class:`RenderError` naming the format and section.
    """
    risk = context.get("risk")
    if not isinstance(risk, Mapping):
        raise RenderError(f"note {fmt.id}", "the context needs a 'risk' mapping")
    full = {**context, "risk_line": risk_line(risk)}
    sections = []
    for section in fmt.sections:
        text = sandbox.render(_ENV, section.template, full, f"note {fmt.id}: {section.id}")
        text = re.sub(r"\n{3,}", "\n\n", text).strip()
        if section.risk and risk_positive(risk) and ITEM9_POSITIVE_MARK not in text:
            # A format that forgot the risk line must not hide a positive item 9.
            text = f"{risk_line(risk)}\n{text}".strip()
        sections.append((section.id, section.title, text))
    return sections


def example_note_context() -> dict[str, Any]:
    """A complete, entirely fictional note context (for tests, previews and format authors)."""
    return {
        "patient": {
            "display_name": "Sample Client (fictional)",
            "print_code": "EX-0001",
            "pronouns": "they/them",
        },
        "clinician": {"name": "Example Clinician (fictional)", "credentials": "PsyD"},
        "session": {
            "date": "2031-03-04",
            "number": 7,
            "format": "in person",
            "modality": "cbt",
            "modality_label": "CBT",
            "agenda": [
                "Mood check and measures",
                "Homework review",
                "Thought record",
                "New homework",
            ],
            "status": "completed",
            "status_label": "held",
            "held": True,
        },
        "measures": [
            {
                "instrument": "phq9",
                "name": "PHQ-9",
                "date": "2031-03-04",
                "total": 12,
                "max_total": 27,
                "severity": "moderate",
                "baseline_total": 19,
                "baseline_date": "2031-01-14",
                "change": -7,
                "percent_change": -36.8,
                "response": False,
                "remission": False,
                "reliable_improvement": True,
                "reliable_deterioration": False,
                "flags": ["PHQ-9 item 9 (thoughts of death or self-harm) answered 'some days' (1 of 3)"],
            },
            {
                "instrument": "gad7",
                "name": "GAD-7",
                "date": "2031-03-04",
                "total": 6,
                "max_total": 21,
                "severity": "mild",
                "baseline_total": None,
                "baseline_date": None,
                "change": None,
                "percent_change": None,
                "response": False,
                "remission": False,
                "reliable_improvement": False,
                "reliable_deterioration": False,
                "flags": [],
            },
        ],
        "risk": {
            "item9_positive": True,
            "item9_score": 1,
            "safety_plan_reviewed": True,
            "summary": "Fictional example: passive thoughts on some days, no intent or plan.",
            "summary_updated": "2031-02-11",
            "findings": ["PHQ-9 item 9 (thoughts of death or self-harm) answered 'some days' (1 of 3)"],
            "open_alerts": [],
            "review_required": True,
            "standing": [],
        },
        "interventions": [
            "Review of the seven-column thought record",
            "Cognitive restructuring of the hot thought",
            "Activity scheduling for the coming week",
        ],
        "templates_completed": [
            {
                "title": "Seven-column thought record",
                "summary": 'Hot thought "I always let people down" re-rated from 90% to 55%.',
            }
        ],
        "forms_unfilled": [{"title": "Sleep diary", "state": "assigned as homework, not filled in yet"}],
        "homework_reviewed": [
            {
                "title": "Activity and mood log",
                "status": "completed",
                "notes": "5 of 7 days.",
                "assigned_session": 6,
                "worksheet": "",
            },
            {
                "title": "Three-column thought record",
                "status": "partial",
                "notes": "",
                "assigned_session": 6,
                "worksheet": "",
            },
        ],
        "homework_due": [{"title": "Values card sort", "assigned_session": 5, "assigned_date": "2031-02-18"}],
        "homework_assigned": [{"title": "Activity schedule", "instructions": "Plan two mastery activities."}],
        "present": {"group_name": "", "group_attendance": "", "others": "Partner, Sam (fictional)"},
        "medications": [{"name": "Sertraline", "dose": "150 mg", "schedule": "mornings", "adherence": "good"}],
        "objectives": [
            {
                "text": "PHQ-9 below 10 within 12 weeks",
                "status": "partially met",
                "target": "2031-04-08",
            },
            {
                "text": "Three scheduled mastery or pleasure activities a week",
                "status": "not yet met",
                "target": "2031-03-25",
            },
        ],
    }
