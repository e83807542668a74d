"""End to end through the widgets: plan a CBT session with a thought record, fill it, print
the homework to a file, write a SOAP note, sign it, add an addendum, preview the progress report."""
# ruff: noqa: F811  (pytest fixtures imported from sessions_support)

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtPrintSupport import QPrinter
from PySide6.QtWidgets import QDialog
from pytestqt.qtbot import QtBot
from sessions_support import TODAY, ctx, dialogs, pdf_pages, say_yes  # noqa: F401

from trdplanner.context import AppContext
from trdplanner.core.records import PatientProfile
from trdplanner.core.services.notes import verify
from trdplanner.gui.forms import TableEditor
from trdplanner.gui.preview import PdfPreview
from trdplanner.gui.sessions import SessionsTab
from trdplanner.gui.sessions.picker import TemplatePicker
from trdplanner.gui.sessions.tab import NewSessionDialog


class PrintToFile:
    """Stands in for the system print dialog: the user picks 'Print to file'."""

    def __init__(self, path: Path) -> None:
        self.path = path

    def __call__(self, printer: QPrinter) -> PrintToFile:
        printer.setOutputFormat(QPrinter.OutputFormat.PdfFormat)
        printer.setOutputFileName(str(self.path))
        printer.setResolution(150)
        return self

    def setWindowTitle(self, _title: str) -> None:
        pass

    def exec(self) -> int:
        return QDialog.DialogCode.Accepted.value


def _wait_loaded(qtbot: QtBot, preview: PdfPreview) -> None:
    qtbot.waitUntil(lambda: preview.page_count() > 0, timeout=20000)


def test_plan_fill_print_note_sign_addendum_report(
    qtbot: QtBot, ctx: AppContext, dialogs, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    say_yes(monkeypatch, "trdplanner.gui.notes.editor")
    # The signing-password dialog, answered with the demo clinician's password (README).
    from trdplanner.core.demo import DEMO_SIGNING_PASSWORD

    asked_for_password: list[str] = []
    monkeypatch.setattr("trdplanner.gui.notes.signing_dialog._ask",
                        lambda _parent, title, label: asked_for_password.append(title) or DEMO_SIGNING_PASSWORD)
    pid = ctx.patients.id_for_code("DEMO-01")
    assert pid is not None
    tab = SessionsTab(ctx)
    qtbot.addWidget(tab)
    tab.resize(1400, 900)
    tab.show()
    tab.set_patient(pid)
    assert tab.table.rowCount() == 8

    # New session: the dialog is answered "CBT, next week".
    def new_dialog() -> NewSessionDialog:
        dialog = NewSessionDialog("", tab)
        dialog.modality.setCurrentIndex(dialog.modality.findData("cbt"))
        dialog.date.set_value(dialog.date.value())
        monkeypatch.setattr(dialog, "exec", lambda: QDialog.DialogCode.Accepted.value)
        return dialog

    monkeypatch.setattr(tab, "make_new_session_dialog", new_dialog)
    qtbot.mouseClick(tab.new_button, Qt.MouseButton.LeftButton)
    assert tab.table.rowCount() == 9
    session = tab.current
    assert session is not None and session.modality == "cbt" and session.number == 9
    agenda = tab.plan.agenda_items()
    assert agenda[0] == "Mood check and measures (5 min)"
    assert "Review homework: Practise this week's skill daily" in agenda
    assert (
        agenda.index("Review homework: Practise this week's skill daily") == agenda.index("Homework review (8 min)") + 1
    )

    # Forms: add the seven-column thought record from the catalog, as homework.
    tab.pages.setCurrentWidget(tab.forms)

    def picker() -> TemplatePicker:
        p = TemplatePicker(ctx, "cbt", tab.forms)
        assert p.modality.currentData() == "cbt"
        assert all(t.modality == "cbt" for t in p.templates())
        qtbot.keyClicks(p.search, "seven")
        assert p.select("cbt-thought-record-7")
        _wait_loaded(qtbot, p.preview)  # the printed page shows before choosing
        assert p.as_homework()  # a homework worksheet defaults to homework
        monkeypatch.setattr(p, "exec", lambda: QDialog.DialogCode.Accepted.value)
        return p

    monkeypatch.setattr(tab.forms, "make_picker", picker)
    qtbot.mouseClick(tab.forms.add_button, Qt.MouseButton.LeftButton)
    assert tab.forms.list.count() == 1
    assert tab.forms.title.text() == "Seven-column thought record"
    form = tab.forms.form
    assert form is not None

    # Fill it in and check it.
    form.editor("situation").set_value("Team meeting; my idea was ignored")
    moods = form.editor("moods")
    assert isinstance(moods, TableEditor)
    moods.rows[0]["mood"].set_value("Sad")
    moods.rows[0]["intensity"].set_value(80)
    form.editor("automatic_thoughts").set_value("They think I'm useless.")
    form.editor("hot_thought").set_value("I'm useless.")
    form.editor("hot_thought_belief").set_value(90)
    form.editor("evidence_for").set_value("Nobody replied.")
    qtbot.mouseClick(tab.forms.check_button, Qt.MouseButton.LeftButton)
    assert tab.forms.state.text() == "Some answers are missing or out of range"
    assert form.error_texts()["balanced_thought"] == "This needs an answer."
    form.editor("evidence_against").set_value("Two colleagues thanked me last week.")
    form.editor("balanced_thought").set_value("One meeting does not define my work.")
    form.editor("balanced_belief").set_value(60)
    qtbot.mouseClick(tab.forms.check_button, Qt.MouseButton.LeftButton)
    assert tab.forms.state.text() == "Complete" and form.error_texts() == {}
    stored = ctx.sessions.get(session.id).instances[0]  # type: ignore[arg-type]
    assert stored.values["hot_thought"] == "I'm useless." and stored.role == "homework"

    # Print the homework: preview, then the system print dialog set to print to a file.
    tab.pages.setCurrentWidget(tab.plan)
    assert tab.plan.assigned.count() == 1 and tab.plan.checked_homework()
    qtbot.mouseClick(tab.plan.print_button, Qt.MouseButton.LeftButton)
    homework = tab._dialogs[-1]
    assert homework.windowTitle() == "Homework — session 9"
    _wait_loaded(qtbot, homework.preview)
    printed = tmp_path / "homework-printed.pdf"
    monkeypatch.setattr(homework.preview, "make_print_dialog", PrintToFile(printed))
    homework.preview.print_action.trigger()
    assert printed.exists()
    assert len(pdf_pages(printed.read_bytes())) == homework.preview.page_count()
    assert "Seven-column thought record" in "".join(pdf_pages(homework.preview.data))
    saved = tmp_path / "homework-saved"
    monkeypatch.setattr(homework.preview, "choose_save_path", lambda: str(saved))
    assert homework.preview.save_as() == saved.with_name("homework-saved.pdf")
    assert saved.with_name("homework-saved.pdf").read_bytes() == homework.preview.data
    homework.close()

    # Note: SOAP, prefilled from the session.
    tab.pages.setCurrentWidget(tab.note)
    editor = tab.note
    assert editor.current_format() == "soap"
    assert editor.status_badge.text() == "New draft"
    assert [b.title for b in editor.sections] == ["Subjective", "Objective", "Assessment", "Plan"]
    everything = "\n".join(b.text() for b in editor.sections)
    assert "Session 9" in everything and "Seven-column thought record" in everything
    subjective = editor.sections[0].edit
    subjective.moveCursor(subjective.textCursor().MoveOperation.End)
    qtbot.keyClicks(subjective, " Reports a hard week at work.")
    assert editor.state.text() == "Unsaved changes"
    qtbot.mouseClick(editor.sign_button, Qt.MouseButton.LeftButton)
    assert editor.status_badge.text() == "Signed"
    note = ctx.notes.for_session(session.id)  # type: ignore[arg-type]
    assert note is not None and note.status == "signed" and verify(note)
    assert "Reports a hard week at work." in note.sections[0].text
    assert note.key_fingerprint in editor.signature.text()
    assert "signature verified" in editor.signature.text()
    assert asked_for_password == ["Sign this note"]
    assert all(b.edit.isReadOnly() for b in editor.sections)
    assert not editor.sign_button.isEnabled()
    assert tab.table.item(0, 4).text() == "Signed"

    # Addendum on the signed note.
    qtbot.keyClicks(editor.addenda.entry, "Client called next day: slept better.")
    qtbot.mouseClick(editor.addenda.button, Qt.MouseButton.LeftButton)
    note = ctx.notes.for_session(session.id)  # type: ignore[arg-type]
    assert note is not None and [a.text for a in note.addenda] == ["Client called next day: slept better."]
    assert verify(note)
    assert "Client called next day: slept better." in editor.addenda.texts()

    # Progress report preview: the period and kind are chosen first.
    qtbot.mouseClick(tab.report_button, Qt.MouseButton.LeftButton)
    chooser = tab._dialogs[-1]
    assert chooser.windowTitle() == "Print a report"
    chooser.accept()
    report = tab._dialogs[-1]
    assert report.windowTitle() == "Progress report"
    _wait_loaded(qtbot, report.preview)
    assert report.preview.print_action.isEnabled() and report.preview.save_action.isEnabled()
    assert report.preview.page_count() >= 1
    report.close()
    assert dialogs.shown == []


def test_positive_item_9_puts_the_safety_plan_first(qtbot: QtBot, ctx: AppContext, dialogs) -> None:
    pid = ctx.patients.id_for_code("DEMO-01")
    assert pid is not None
    ctx.measures.add(pid, "phq9", items=[2, 2, 2, 2, 2, 1, 1, 1, 1], taken_on=TODAY)
    tab = SessionsTab(ctx)
    qtbot.addWidget(tab)
    tab.set_patient(pid)
    tab.create_session(TODAY + dt.timedelta(days=1), "cbt")
    agenda = tab.plan.agenda_items()
    assert agenda[0] == f"Safety plan review: PHQ-9 item 9 positive on {TODAY.isoformat()}"
    assert agenda[1] == "Mood check and measures (5 min)"


def test_empty_states_explain_what_to_do(qtbot: QtBot, ctx: AppContext, dialogs) -> None:
    tab = SessionsTab(ctx)
    qtbot.addWidget(tab)
    assert "Choose a patient" in tab.list_empty.text()
    assert not tab.new_button.isEnabled()
    pid = ctx.patients.create(PatientProfile(code="TEST-01", full_name="Test Person"))
    tab.set_patient(pid)
    assert "No sessions yet" in tab.list_empty.text()
