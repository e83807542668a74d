"""Each printable document, put together from the services that hold its records.

The application layer between the services (core/) and the PDF layouts (export/): the command
line and the GUI both call these, so "the note for session 12" is one definition. Each function
takes a :class:`DocumentSources`: the composition root (``trdplanner.context.AppContext``)
is one, and a test can pass any object with these services. Records come from the services
(which own the database sessions); nothing here opens a session itself. Every function returns
an unrendered document: call ``render()`` for the bytes and :func:`~trdplanner.export.files.save_pdf` to write them.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any, Protocol

from trdplanner.catalog import Catalog, NoteFormats, RenderError, Template, answered_fields, prefill
from trdplanner.catalog.compare import Difference, differences
from trdplanner.core.errors import InputError, NotFoundError
from trdplanner.core.records import InstanceRec
from trdplanner.core.services.bundles import BundleService
from trdplanner.core.services.courses import CourseService
from trdplanner.core.services.documents import SAFETY_PLAN_TEMPLATE, DocumentService, clean_values
from trdplanner.core.services.form_measures import FormMeasure
from trdplanner.core.services.groups import GroupService
from trdplanner.core.services.patients import PatientService
from trdplanner.core.services.sessions import SessionService
from trdplanner.core.services.summary import SummaryService
from trdplanner.core.services.templating import draft_sections, prefilled_values, snapshot_template
from trdplanner.core.views import SessionBundle, TimelineData
from trdplanner.core.vocab import InstanceRole, SessionStatus
from trdplanner.export.base import PdfOptions
from trdplanner.export.batches import HomeworkDocument, HomeworkItem, NotesDocument
from trdplanner.export.group_prints import AttendanceSheetDocument, GroupHomeworkDocument, GroupPlanDocument
from trdplanner.export.identity import bundle_identity, prefill_identity
from trdplanner.export.note import NoteContent, NoteDocument
from trdplanner.export.prep import PrepDocument
from trdplanner.export.prescriber import PrescriberLetterDocument
from trdplanner.export.readback import ReadbackError, read_form, values_for
from trdplanner.export.report import ReportDocument
from trdplanner.export.safety_plan import SafetyPlanDocument
from trdplanner.export.timeline import TimelineDocument
from trdplanner.export.worksheet import WorksheetDocument
from trdplanner.settings import Settings


class DocumentSources(Protocol):
    """The services a document is put together from (read-only: nothing here replaces them)."""

    @property
    def settings(self) -> Settings: ...
    @property
    def catalog(self) -> Catalog: ...
    @property
    def note_formats(self) -> NoteFormats: ...
    @property
    def bundles(self) -> BundleService: ...
    @property
    def patients(self) -> PatientService: ...
    @property
    def sessions(self) -> SessionService: ...
    @property
    def documents(self) -> DocumentService: ...
    @property
    def summary(self) -> SummaryService: ...
    @property
    def courses(self) -> CourseService: ...
    @property
    def groups(self) -> GroupService: ...


def _blank(value: Any) -> bool:
    if isinstance(value, list):
        return all(_blank(v) for v in value)
    if isinstance(value, dict):
        return all(_blank(v) for v in value.values())
    return value is None or value == ""


def _options(ctx: DocumentSources, options: PdfOptions | None) -> PdfOptions:
    return options or PdfOptions.from_settings(ctx.settings)


def catalog_template(ctx: DocumentSources, template_id: str) -> Template:
    template = ctx.catalog.find(template_id)
    if template is None:
        raise InputError("template", f"no template '{template_id}' in the catalog")
    return template


def session_values(ctx: DocumentSources, template: Template, bundle: SessionBundle) -> dict[str, Any]:
    """Prefilled values, overlaid with what the session already holds for this template."""
    values = prefilled_values(template, bundle, ctx.settings)
    for inst in bundle.session.instances:
        if inst.template_id == template.id and inst.template_version == template.version:
            values.update({k: v for k, v in inst.values.items() if not _blank(v)})
    return values


def worksheet_document(
    ctx: DocumentSources,
    template: Template,
    *,
    patient_id: int | None = None,
    session_id: int | None = None,
    fillable: bool = False,
    options: PdfOptions | None = None,
) -> WorksheetDocument:
    """Blank without a patient or session; prefilled for a session, or for a patient alone."""
    if session_id is not None:
        bundle = ctx.bundles.for_session(session_id)
        if patient_id is not None and patient_id != bundle.profile.id:
            raise InputError("patient", f"session {session_id} belongs to another patient")
        values = session_values(ctx, template, bundle)
        identity = bundle_identity(bundle, ctx.settings)
        return WorksheetDocument(
            template, values, identity, fillable=fillable, session_id=session_id, options=_options(ctx, options)
        )
    if patient_id is not None:
        context = ctx.documents.patient_prefill(patient_id)
        return WorksheetDocument(
            template,
            prefill(template, context),
            prefill_identity(context),
            fillable=fillable,
            options=_options(ctx, options),
        )
    return WorksheetDocument(template, fillable=fillable, options=_options(ctx, options))


def instance_document(
    ctx: DocumentSources, session_id: int, instance_id: int, options: PdfOptions | None = None
) -> WorksheetDocument:
    """A filled instance as a record, with the definition it was filled with."""
    bundle = ctx.bundles.for_session(session_id)
    inst = next((i for i in bundle.session.instances if i.id == instance_id), None)
    if inst is None:
        raise NotFoundError("template instance", instance_id)
    template = snapshot_template(inst.template_snapshot) or catalog_template(ctx, inst.template_id)
    return WorksheetDocument(
        template,
        inst.values,
        bundle_identity(bundle, ctx.settings),
        compact=True,
        options=_options(ctx, options),
    )


def note_content(ctx: DocumentSources, bundle: SessionBundle, fmt: str = "soap") -> NoteContent:
    """The stored note, or a draft rendered from note format ``fmt`` when there is none."""
    if bundle.session.note is not None:
        return NoteContent(bundle, bundle.session.note)
    if fmt not in ctx.note_formats:
        known = ", ".join(f.id for f in ctx.note_formats.formats)
        raise InputError("format", f"unknown note format '{fmt}' (expected one of {known})")
    try:
        sections = draft_sections(ctx.note_formats.get(fmt), bundle, ctx.settings)
    except RenderError as exc:
        raise InputError("format", str(exc)) from None
    return NoteContent(bundle, None, tuple(sections), fmt)


def note_document(
    ctx: DocumentSources, session_id: int, fmt: str = "soap", options: PdfOptions | None = None
) -> NoteDocument:
    content = note_content(ctx, ctx.bundles.for_session(session_id), fmt)
    return NoteDocument(content, ctx.settings, _options(ctx, options))


def notes_document(
    ctx: DocumentSources,
    patient_id: int,
    start: dt.date | None = None,
    end: dt.date | None = None,
    options: PdfOptions | None = None,
) -> NotesDocument:
    data = ctx.documents.patient_sessions(patient_id, start, end)
    if not any(b.session.note is not None for b in data.bundles):
        raise InputError("patient", f"{data.profile.code} has no notes in that period")
    return NotesDocument(data, ctx.settings, _options(ctx, options))


def report_document(
    ctx: DocumentSources,
    patient_id: int,
    start: dt.date | None = None,
    end: dt.date | None = None,
    options: PdfOptions | None = None,
    *,
    full_notes: bool = False,
) -> ReportDocument:
    """The progress report: each held session's assessment and plan, or the full notes."""
    data = ctx.documents.patient_sessions(patient_id, start, end)
    return ReportDocument(data, ctx.settings, _options(ctx, options), full_notes=full_notes)


def prescriber_letter(
    ctx: DocumentSources,
    patient_id: int,
    start: dt.date | None = None,
    end: dt.date | None = None,
    options: PdfOptions | None = None,
) -> PrescriberLetterDocument:
    """TRD status and staging, measure trend, current treatment and risk; no note content."""
    data = ctx.documents.patient_sessions(patient_id, start, end)
    return PrescriberLetterDocument(data, ctx.settings, _options(ctx, options))


TIMELINE_INSTRUMENTS = ("phq9", "qids_sr16")


def timeline_data(ctx: DocumentSources, patient_id: int, as_of: dt.date | None = None) -> TimelineData:
    """Trials, psychotherapy sessions, courses and PHQ-9/QIDS-SR16 scores of one patient, for one axis."""
    summary = ctx.summary.for_patient(patient_id, as_of)
    courses = ctx.courses.list(patient_id)
    owned = {c.trial_id for c in courses}
    shown = (SessionStatus.COMPLETED, SessionStatus.PLANNED)
    sessions = [x for x in ctx.sessions.list(patient_id) if x.status in shown]
    return TimelineData(
        profile=summary.profile,
        clinician=None,  # the page is about treatments, not signed by anyone
        trials=[t for t in summary.trials if t.id not in owned],
        sessions=sessions,
        courses=courses,
        scores=[m for m in summary.measures if str(m.record.instrument) in TIMELINE_INSTRUMENTS],
        as_of=summary.as_of,
    )


def timeline_document(
    ctx: DocumentSources, patient_id: int, options: PdfOptions | None = None, as_of: dt.date | None = None
) -> TimelineDocument:
    return TimelineDocument(timeline_data(ctx, patient_id, as_of), ctx.settings, _options(ctx, options))


def prep_document(ctx: DocumentSources, session_id: int, options: PdfOptions | None = None) -> PrepDocument:
    return PrepDocument(ctx.bundles.for_session(session_id), ctx.settings, _options(ctx, options))


def safety_plan_document(
    ctx: DocumentSources, patient_id: int, *, fold: bool = False, options: PdfOptions | None = None
) -> SafetyPlanDocument:
    """The latest plan on file; without one, a blank plan prefilled with the patient's details."""
    plan = ctx.documents.safety_plan(patient_id)
    if plan.template is not None and plan.values is not None:
        template = plan.template
        # Fields the plan left blank but that have a binding (name, date, clinic phone) are
        # filled the way a new plan would be, as of the day it was written.
        values = {**prefill(template, plan.prefill), **{k: v for k, v in plan.values.items() if not _blank(v)}}
    else:
        template = catalog_template(ctx, SAFETY_PLAN_TEMPLATE)
        values = prefill(template, plan.prefill)
    return SafetyPlanDocument(plan, template, values, ctx.settings, fold=fold, options=_options(ctx, options))


def homework_items(
    ctx: DocumentSources, bundle: SessionBundle, homework_ids: list[int] | None = None
) -> list[HomeworkItem]:
    """The session's homework: each assigned task (with its worksheet, if it names a template),
    then any homework instances no task mentions. ``homework_ids`` picks tasks by id."""
    items: list[HomeworkItem] = []
    covered: set[str] = set()
    session = bundle.session
    instances = {i.template_id: i for i in session.instances if i.role == InstanceRole.HOMEWORK}
    for hw in session.homework:
        if homework_ids is not None and hw.id not in homework_ids:
            continue
        template = ctx.catalog.find(hw.template_id) if hw.template_id else None
        values: dict[str, Any] | None = None
        inst = instances.get(hw.template_id)
        if inst is not None:
            template = snapshot_template(inst.template_snapshot) or template
            values = dict(inst.values)
        elif template is not None:
            values = prefilled_values(template, bundle, ctx.settings)
        if template is not None:
            covered.add(template.id)
        items.append(HomeworkItem(hw.title, hw.instructions, template, values))
    if homework_ids is None:
        for template_id, inst in instances.items():
            template = snapshot_template(inst.template_snapshot)
            if template is not None and template_id not in covered:
                items.append(HomeworkItem(template.title, "", template, dict(inst.values)))
    return items


def homework_document(
    ctx: DocumentSources, session_id: int, homework_ids: list[int] | None = None, options: PdfOptions | None = None
) -> HomeworkDocument:
    bundle = ctx.bundles.for_session(session_id)
    items = homework_items(ctx, bundle, homework_ids)
    if not items:
        raise InputError("session", f"session {session_id} has no homework to print")
    return HomeworkDocument(bundle, items, ctx.settings, _options(ctx, options))


def attendance_sheet_document(
    ctx: DocumentSources, meeting_id: int, options: PdfOptions | None = None
) -> AttendanceSheetDocument:
    """The facilitators' attendance sheet for one group meeting."""
    meeting = ctx.groups.get_meeting(meeting_id)
    return AttendanceSheetDocument(ctx.groups.get(meeting.group_id), meeting, _options(ctx, options))


def group_plan_document(ctx: DocumentSources, group_id: int, options: PdfOptions | None = None) -> GroupPlanDocument:
    """The group's course plan: every meeting's date, theme, agenda and homework."""
    return GroupPlanDocument(ctx.groups.get(group_id), _options(ctx, options))


def group_homework_document(
    ctx: DocumentSources, meeting_id: int, options: PdfOptions | None = None
) -> GroupHomeworkDocument:
    """Every attending member's homework from one meeting, each part prefilled from that member's
    own session (their identification only)."""
    meeting = ctx.groups.get_meeting(meeting_id)
    opts = _options(ctx, options)
    parts = []
    for a in meeting.attendance:
        if a.session_id is None:
            continue
        bundle = ctx.bundles.for_session(a.session_id)
        items = homework_items(ctx, bundle)
        if items:
            parts.append(HomeworkDocument(bundle, items, ctx.settings, opts))
    if not parts:
        raise InputError("meeting", f"nobody who attended meeting {meeting.number} has homework to print")
    return GroupHomeworkDocument(meeting.group_name, meeting, parts, opts)


@dataclass(frozen=True)
class ReadBack:
    """A filled fillable worksheet, checked against a session and compared with what is stored."""

    session_id: int
    template: Template
    instance_id: int | None  # the session's instance it updates (None: a new one)
    values: dict[str, Any]  # the file's answers, cleaned
    answered: int
    changes: list[Difference]  # stored answers the file would clear or change


def read_back(
    ctx: DocumentSources, session_id: int, data: bytes, name: str = "the file", password: str | None = None
) -> ReadBack:
    """Read a filled worksheet for ``session_id`` without storing anything.

    InputError (naming the file) when it is not ours, was printed for another session or
    patient, holds an invalid answer, or holds no answer at all (the unfilled copy, or a file
    whose fields another program renamed). Sizes are checked before anything is built. A
    password-protected file needs its ``password``."""
    try:
        form = read_form(data, password)
    except ReadbackError as exc:
        raise InputError("file", f"{name} {exc}") from None
    manifest = form.manifest
    code = ctx.patients.get(ctx.sessions.patient_of(session_id)).code
    if manifest.session_id is not None and manifest.session_id != session_id:
        raise InputError("session", f"{name} was printed for session {manifest.session_id}, not {session_id}")
    if manifest.patient_code and manifest.patient_code != code:
        raise InputError("session", f"{name} was printed for patient {manifest.patient_code}, not {code}")
    docs = ctx.documents
    template, instance_id = docs.worksheet_template(
        session_id, manifest.template_id, manifest.template_version, ctx.catalog
    )
    try:
        values = clean_values(template, values_for(template, form))
    except ReadbackError as exc:
        raise InputError("file", f"{name} {exc}") from None
    answered = answered_fields(template, values)
    if not answered:
        raise InputError(
            "file",
            f"{name} has no answered field: it looks like the unfilled copy, or another program renamed "
            "its fields. Nothing was changed",
        )
    changes = differences(template, docs.stored_values(instance_id), values)
    return ReadBack(session_id, template, instance_id, values, answered, changes)


def store_read_back(ctx: DocumentSources, found: ReadBack) -> tuple[InstanceRec, FormMeasure | None]:
    """Store what :func:`read_back` found (the caller has shown ``changes`` and been told yes)."""
    return ctx.documents.store_worksheet(found.session_id, found.template, found.values, found.instance_id)
