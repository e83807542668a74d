"""Every document type for the demo practice: it opens, and it says what it should."""

from __future__ import annotations

import dataclasses
import datetime as dt

import pytest

from tests.export._pdf_helpers import body_text, bold_text, contains, page_texts, reader
from trdplanner import assemble
from trdplanner.context import AppContext
from trdplanner.core.demo import DEMO_SIGNING_PASSWORD as PW
from trdplanner.core.records import HomeworkRec, NoteSectionRec, PatientProfile
from trdplanner.export import PdfOptions
from trdplanner.export.note import NoteContent, NoteDocument
from trdplanner.export.report import SUMMARY_SECTIONS


def _session_ids(ctx: AppContext, code: str) -> list[int]:
    pid = ctx.patients.id_for_code(code)
    assert pid is not None
    return [s.id for s in ctx.sessions.list(pid) if s.id is not None]


def _patient(ctx: AppContext, code: str) -> int:
    pid = ctx.patients.id_for_code(code)
    assert pid is not None
    return pid


def test_signed_note_prints_sections_signature_and_fingerprint(demo_reader: AppContext, options: PdfOptions) -> None:
    session_id = _session_ids(demo_reader, "DEMO-05")[-2]
    doc = assemble.note_document(demo_reader, session_id, options=options)
    note = doc.content.note
    assert note is not None and note.status == "signed"
    text = body_text(doc.render())
    for section in note.sections:
        assert contains(text, section.title) and contains(text, section.text)
    assert contains(text, note.signer_name)
    assert contains(text, note.fingerprint)
    assert contains(text, note.key_fingerprint)
    assert contains(text, "Signature verified")
    assert "DRAFT" not in text
    assert contains(text, "Measures this session") and contains(text, "Risk")


def test_unsigned_note_is_marked_draft_on_every_page(demo_reader: AppContext, options: PdfOptions) -> None:
    session_id = _session_ids(demo_reader, "DEMO-05")[-1]
    data = assemble.note_document(demo_reader, session_id, options=options).render()
    assert all("DRAFT" in page for page in page_texts(data))
    assert contains(body_text(data), "DRAFT: not signed")


def test_a_changed_signed_note_is_flagged_loudly(demo_reader: AppContext, options: PdfOptions) -> None:
    session_id = _session_ids(demo_reader, "DEMO-02")[0]
    doc = assemble.note_document(demo_reader, session_id, options=options)
    note = doc.content.note
    assert note is not None
    tampered = dataclasses.replace(
        note, sections=[NoteSectionRec(s.id, s.title, s.text + " (edited later)") for s in note.sections]
    )
    data = NoteDocument(NoteContent(doc.content.bundle, tampered), demo_reader.settings, options).render()
    text = body_text(data)
    assert contains(text, "SIGNATURE CHECK FAILED")
    assert contains(text, "SIGNATURE DOES NOT VERIFY")
    assert "SIGNATURECHECKFAILED" in bold_text(data)


def test_addenda_follow_the_note_with_their_own_signature(demo_ctx: AppContext, options: PdfOptions) -> None:
    session_id = _session_ids(demo_ctx, "DEMO-03")[2]
    clinician = demo_ctx.practice.default_clinician()
    assert clinician is not None and clinician.id is not None
    note = demo_ctx.notes.add_addendum(
        session_id,
        clinician.id,
        "Late entry: phoned the prescriber about side effects.",
        kind="late_entry",
        password=PW,
    )
    text = body_text(assemble.note_document(demo_ctx, session_id, options=options).render())
    addendum = note.addenda[0]
    assert text.index("Addenda") > text.index("Electronically signed")
    assert contains(text, addendum.text) and contains(text, addendum.fingerprint)
    assert contains(text, "Signature verified")


def test_a_session_without_a_note_prints_a_draft_from_the_format(demo_ctx: AppContext, options: PdfOptions) -> None:
    pid = _patient(demo_ctx, "DEMO-01")
    session = demo_ctx.sessions.create(pid, date=dt.date(2026, 3, 9), modality="cbt")
    assert session.id is not None
    data = assemble.note_document(demo_ctx, session.id, "dap", options=options).render()
    text = body_text(data)
    fmt = demo_ctx.note_formats.get("dap")
    for section in fmt.sections:
        assert contains(text, section.title)
    assert contains(text, "DRAFT: not signed")


def test_notes_batch_marks_only_the_draft_pages(demo_reader: AppContext, options: PdfOptions) -> None:
    doc = assemble.notes_document(demo_reader, _patient(demo_reader, "DEMO-04"), options=options)
    pages = page_texts(doc.render())
    assert len(doc.contents) == 8
    assert len(pages) >= 8
    drafts = [p for p in pages if "DRAFT" in p]
    assert drafts and len(drafts) < len(pages)
    assert "DRAFT" in pages[-1] and "DRAFT" not in pages[0]
    for content in doc.contents:
        assert any(f"session {content.bundle.session.number}" in p for p in pages)


def test_notes_batch_keeps_to_the_period(demo_reader: AppContext, options: PdfOptions) -> None:
    pid = _patient(demo_reader, "DEMO-04")
    sessions = demo_reader.sessions.list(pid)
    start, end = sessions[2].date, sessions[4].date
    doc = assemble.notes_document(demo_reader, pid, start, end, options=options)
    assert [c.bundle.session.number for c in doc.contents] == [3, 4, 5]


def test_progress_report_has_every_part(demo_reader: AppContext, options: PdfOptions) -> None:
    pid = _patient(demo_reader, "DEMO-05")
    doc = assemble.report_document(demo_reader, pid, options=options)
    data = doc.render()
    text = body_text(data)
    summary = doc.data.summary
    for wanted in ("Progress report", "Summary", "PHQ-9 over time", "Treatment resistance", "Sessions"):
        assert contains(text, wanted)
    assert contains(text, "remission") and contains(text, "response: half of baseline")
    for trial in summary.trials:
        assert contains(text, trial.agent or "ECT")
    assert contains(text, f"Thase-Rush stage {summary.thase_rush.roman}")
    assert contains(text, "Maudsley Staging Method")
    assert doc.data.plan is not None
    for problem in doc.data.plan.problems:
        for goal in problem.goals:
            for objective in goal.objectives:
                assert contains(text, objective.text)
    held = [b for b in doc.data.bundles if b.session.status == "completed"]
    assert 0 < len(held) < len(doc.data.bundles)  # the demo's planned session is not counted as held
    assert contains(text, f"SESSIONS HELD IN PERIOD {len(held)}") or contains(text, str(len(held)))
    hidden = []
    for b in held:
        assert contains(text, b.session.date.isoformat())
        assert b.session.note is not None
        for section in b.session.note.sections:
            if section.id in SUMMARY_SECTIONS:
                assert contains(text, section.text)
            elif section.text.strip():
                hidden.append(section.text)
    assert hidden and not all(contains(text, h) for h in hidden)  # by default, assessment and plan only
    full = body_text(assemble.report_document(demo_reader, pid, options=options, full_notes=True).render())
    for b in held:
        assert b.session.note is not None
        for section in b.session.note.sections:
            assert contains(full, section.text)


def test_progress_report_charts_mark_treatments(demo_reader: AppContext, options: PdfOptions) -> None:
    # DEMO-05's trials include an ECT course inside the period: it is named on a chart lane.
    pid = _patient(demo_reader, "DEMO-05")
    doc = assemble.report_document(demo_reader, pid, options=options)
    pages = page_texts(doc.render())
    assert "ECT" in pages[0] + pages[1]


def test_progress_report_period(demo_reader: AppContext, options: PdfOptions) -> None:
    pid = _patient(demo_reader, "DEMO-02")
    sessions = demo_reader.sessions.list(pid)
    doc = assemble.report_document(demo_reader, pid, sessions[5].date, sessions[6].date, options=options)
    assert [b.session.number for b in doc.data.bundles] == [6, 7]
    text = body_text(doc.render())
    assert contains(text, f"{sessions[5].date.isoformat()} to {sessions[6].date.isoformat()}")


def test_pre_session_sheet_fits_one_page(demo_reader: AppContext, options: PdfOptions) -> None:
    session_id = _session_ids(demo_reader, "DEMO-06")[-1]
    doc = assemble.prep_document(demo_reader, session_id, options=options)
    data = doc.render()
    assert len(reader(data).pages) == 1
    text = body_text(data)
    for item in doc.bundle.session.agenda:
        assert contains(text, item)
    previous = doc.bundle.earlier[-1]
    assert contains(text, previous.homework[0].title)
    assert contains(text, "Score trend") and contains(text, "Objectives due for review")
    # DEMO-06's last PHQ-9 has item 9 positive: the flag is printed in bold, in the risk findings' words.
    bold = bold_text(data)
    assert "Riskflagraisedbyapositivesuicidalityitem:PHQ-9item9(thoughtsofdeathorself-harm)answered" in bold
    assert "Positivesuicidalityitemsnotyetacknowledgedbyaclinician(3)" in bold
    for finding in doc.bundle.risk_findings:
        assert contains(text, finding.text)


def test_pre_session_sheet_stays_on_one_page_with_long_text(demo_ctx: AppContext, options: PdfOptions) -> None:
    pid = _patient(demo_ctx, "DEMO-01")
    session = demo_ctx.sessions.create(
        pid, date=dt.date(2026, 3, 9), modality="cbt", agenda=[f"Agenda item {n} " + "x " * 80 for n in range(30)]
    )
    assert session.id is not None
    previous = demo_ctx.sessions.list(pid)[-2]
    assert previous.id is not None
    for n in range(12):
        demo_ctx.sessions.add_homework(previous.id, HomeworkRec(title=f"Task {n}", instructions="Do it. " * 200))
    data = assemble.prep_document(demo_ctx, session.id, options=options).render()
    assert len(reader(data).pages) == 1
    assert contains(body_text(data), "continues in the app")


def test_safety_plan_on_file(demo_reader: AppContext, options: PdfOptions) -> None:
    doc = assemble.safety_plan_document(demo_reader, _patient(demo_reader, "DEMO-06"), options=options)
    assert doc.plan.values is not None
    text = body_text(doc.render())
    for value in doc.plan.values.values():
        if isinstance(value, str) and value:
            assert contains(text, value)
    assert contains(text, "My safety plan")
    assert "No safety plan is on file" not in text


def test_safety_plan_fold_up_is_one_landscape_sheet(demo_reader: AppContext, options: PdfOptions) -> None:
    doc = assemble.safety_plan_document(demo_reader, _patient(demo_reader, "DEMO-06"), fold=True, options=options)
    pages = reader(doc.render()).pages
    assert len(pages) == 1
    assert float(pages[0].mediabox.width) > float(pages[0].mediabox.height)


def test_safety_plan_without_one_on_file_is_blank_and_says_so(demo_reader: AppContext, options: PdfOptions) -> None:
    doc = assemble.safety_plan_document(demo_reader, _patient(demo_reader, "DEMO-01"), options=options)
    assert doc.plan.values is None
    text = body_text(doc.render())
    assert contains(text, "No safety plan is on file for this patient yet")
    assert contains(text, "DEMO-01")


def test_homework_batch_holds_every_task(demo_ctx: AppContext, options: PdfOptions) -> None:
    session_id = _session_ids(demo_ctx, "DEMO-03")[-1]
    demo_ctx.sessions.add_homework(
        session_id,
        HomeworkRec(title="Thought record", template_id="cbt-thought-record-7", instructions="One entry by Friday."),
    )
    demo_ctx.sessions.add_homework(
        session_id, HomeworkRec(title="Sleep diary", template_id="general-sleep-diary", instructions="")
    )
    doc = assemble.homework_document(demo_ctx, session_id, options=options)
    data = doc.render()
    text = body_text(data)
    assert len(doc.items) == 3
    for item in doc.items:
        assert contains(text, item.template.title if item.template else item.title)
    assert contains(text, "One entry by Friday.")
    sizes = {(float(p.mediabox.width) > float(p.mediabox.height)) for p in reader(data).pages}
    assert sizes == {True, False}  # the sleep diary's wide table prints in landscape


@pytest.mark.parametrize("code", ["DEMO-01", "DEMO-02", "DEMO-03", "DEMO-04", "DEMO-05", "DEMO-06", "DEMO-07"])
def test_every_demo_patient_prints(demo_reader: AppContext, code: str, options: PdfOptions) -> None:
    pid = _patient(demo_reader, code)
    sessions = _session_ids(demo_reader, code)
    for doc in (
        assemble.report_document(demo_reader, pid, options=options),
        assemble.prep_document(demo_reader, sessions[-1], options=options),
        assemble.note_document(demo_reader, sessions[0], options=options),
        assemble.safety_plan_document(demo_reader, pid, options=options),
        assemble.homework_document(demo_reader, sessions[-1], options=options),
    ):
        assert code in "".join(page_texts(doc.render()))


def test_a_new_patient_with_nothing_on_file_prints(demo_ctx: AppContext, options: PdfOptions) -> None:
    pid = demo_ctx.patients.create(PatientProfile(code="NEW-01", full_name="Noor Haddad"))
    session = demo_ctx.sessions.create(pid, date=dt.date(2026, 3, 9))
    assert session.id is not None
    report = body_text(assemble.report_document(demo_ctx, pid, options=options).render())
    assert contains(report, "No scores were recorded in this period")
    assert contains(report, "No active treatment plan on file")
    prep = assemble.prep_document(demo_ctx, session.id, options=options).render()
    assert contains(body_text(prep), "This is the first session on file")
    assert contains(body_text(prep), "No score on file asks about thoughts of death or self-harm: ask directly.")
    plan = body_text(assemble.safety_plan_document(demo_ctx, pid, options=options).render())
    assert contains(plan, "No safety plan is on file")
    note = body_text(assemble.note_document(demo_ctx, session.id, options=options).render())
    assert contains(note, "No measures were recorded for this session")


def test_a_filled_instance_prints_as_a_record(demo_reader: AppContext, options: PdfOptions) -> None:
    pid = _patient(demo_reader, "DEMO-06")
    session = next(s for s in demo_reader.sessions.list(pid) if s.instances)
    assert session.id is not None
    inst = session.instances[0]
    assert inst.id is not None
    doc = assemble.instance_document(demo_reader, session.id, inst.id, options=options)
    text = body_text(doc.render())
    assert contains(text, doc.template.title)
    for value in inst.values.values():
        if isinstance(value, str) and value.strip():
            assert contains(text, value)


def test_homework_can_be_picked_by_id(demo_ctx: AppContext, options: PdfOptions) -> None:
    session_id = _session_ids(demo_ctx, "DEMO-03")[-1]
    wanted = demo_ctx.sessions.add_homework(session_id, HomeworkRec(title="Values card", instructions="Carry it."))
    doc = assemble.homework_document(demo_ctx, session_id, [wanted], options=options)
    assert [item.title for item in doc.items] == ["Values card"]


def test_pre_session_sheet_shows_the_last_dosing_session_and_its_observations(
    demo_reader: AppContext, options: PdfOptions
) -> None:
    session_id = _session_ids(demo_reader, "DEMO-04")[-1]  # DEMO-04 had esketamine two days ago
    doc = assemble.prep_document(demo_reader, session_id, options=options)
    dosing = doc.bundle.last_dosing
    assert dosing is not None and dosing.session.number == 9
    data = doc.render()
    assert len(reader(data).pages) == 1
    text = body_text(data)
    assert contains(text, "Last dosing session") and contains(text, dosing.heading)
    for label, value in dosing.observations:
        assert contains(text, label) and contains(text, value)
    # A patient with no ketamine dose gets no such block.
    other = assemble.prep_document(demo_reader, _session_ids(demo_reader, "DEMO-06")[-1], options=options)
    assert other.bundle.last_dosing is None
    assert "Last dosing session" not in body_text(other.render())
