"""One patient, one answer: the overview, the new session's agenda, the pre-session sheet, the
progress report, the prescriber letter and the note's risk section all show the risk findings
of core/risk_findings.py, and none of them lets a later total-only score clear a positive item 9."""
# ruff: noqa: F811  (pytest fixtures imported from sessions_support)

from __future__ import annotations

import datetime as dt

from PySide6.QtGui import QTextDocument
from pytestqt.qtbot import QtBot
from sessions_support import TODAY, ctx, dialogs, pdf_pages  # noqa: F401

from trdplanner import assemble
from trdplanner.context import AppContext
from trdplanner.core.records import PatientProfile
from trdplanner.core.risk_findings import FindingKind, safety_plan_first
from trdplanner.gui.sessions import SessionsTab
from trdplanner.gui.workspace.overview import OverviewTab


def _flat(text: str) -> str:
    """Text without any whitespace, so a PDF's line breaks do not matter."""
    return "".join(text.split())


def _pdf(data: bytes) -> str:
    return _flat("\n".join(pdf_pages(data)))


def _plain(html: str) -> str:
    doc = QTextDocument()
    doc.setHtml(html)
    return _flat(doc.toPlainText())


def test_every_display_shows_the_same_findings(qtbot: QtBot, ctx: AppContext, dialogs) -> None:
    pid = ctx.patients.create(PatientProfile(
        code="RISK-01", full_name="Synthetic Risk Person", risk_level="moderate",
        risk_summary="Fictional: passive thoughts last month, no plan."))
    ctx.measures.add(pid, "phq9", items=[2, 2, 1, 1, 1, 1, 1, 1, 1], taken_on=TODAY - dt.timedelta(days=14))
    ctx.measures.add(pid, "phq9", total=6, taken_on=TODAY - dt.timedelta(days=7))  # item 9 not answered

    summary = ctx.summary.for_patient(pid)
    found = list(summary.risk_findings)
    kinds = [f.kind for f in found]
    assert kinds[:2] == [FindingKind.OPEN_ALERT, FindingKind.FLAG_RAISED]
    assert FindingKind.ITEM_NOT_RECORDED in kinds and FindingKind.NO_FLAG not in kinds
    flag = next(f for f in found if f.kind is FindingKind.FLAG_RAISED)
    assert flag.taken_on == TODAY - dt.timedelta(days=14)  # the later total-only PHQ-9 did not clear it

    overview = OverviewTab(ctx)
    qtbot.addWidget(overview)
    overview.show_summary(summary, None)
    shown = _plain(overview.risk_text.text())
    for f in found:
        assert _flat(f.text) in shown, f.kind
    assert overview.ack_button.isVisibleTo(overview)

    tab = SessionsTab(ctx)
    qtbot.addWidget(tab)
    tab.set_patient(pid)
    sid = tab.create_session(TODAY, "cbt")
    assert sid is not None
    bundle = ctx.bundles.for_session(sid)
    assert list(bundle.risk_findings) == found  # the session's day sees the same scores
    first = safety_plan_first(bundle.risk_findings)
    assert first is not None
    assert tab.plan.agenda_items()[0] == f"Safety plan review: {first.short}"
    assert first.short == f"PHQ-9 item 9 positive on {(TODAY - dt.timedelta(days=14)).isoformat()}"

    prep = _pdf(assemble.prep_document(ctx, sid).render())
    report = _pdf(assemble.report_document(ctx, pid).render())
    letter = _pdf(assemble.prescriber_letter(ctx, pid).render())
    for f in found:
        assert _flat(f.text) in prep, f.kind
        assert _flat(f.text) in report, f.kind
        assert _flat(f.text) in letter, f.kind

    # The note is about this session, whose own scores say nothing: its risk section still carries
    # the flag an earlier score raised, in the same words.
    note = _pdf(assemble.note_document(ctx, sid).render())
    assert _flat("Still flagged from an earlier score: " + flag.text) in note
