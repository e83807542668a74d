"""Group-practice pieces of the window: the stale-save dialog, File > Practice, the co-sign
filter and the login prompt's trigger. Driven through the real dialogs (offscreen)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from PySide6.QtWidgets import QMessageBox
from pytestqt.qtbot import QtBot

from tests.gui.conftest import when_dialog
from tests.signing_helpers import sign_note as _sign
from trdplanner.context import AppContext
from trdplanner.core.records import ClinicianRec, NoteSectionRec, PatientProfile
from trdplanner.gui.login import needs_login
from trdplanner.gui.main_window import MainWindow
from trdplanner.gui.patient_model import PatientFilter
from trdplanner.gui.patient_tab import TabKey
from trdplanner.gui.practice_dialog import ClinicianDialog, PracticeDialog


def _click(text: str):  # type: ignore[no-untyped-def]
    def act(box: QMessageBox) -> None:
        assert box.windowTitle() == "Changed by someone else"
        assert "Dr. Other" in box.text() and "phone" in box.informativeText()
        next(b for b in box.buttons() if b.text() == text).click()

    return act


def _open_profile(qtbot: QtBot, window: MainWindow, ctx: AppContext) -> int:
    pid = ctx.patients.create(PatientProfile("G-001", "Synthetic Person"))
    window.reload_patients(select=pid)
    window.open_patient(pid)
    window.workspace.show_tab(TabKey.PROFILE)
    return pid


def test_a_stale_profile_save_offers_reload_or_keep_mine(
    qtbot: QtBot, window: MainWindow, ctx: AppContext, data_dir: Path
) -> None:
    pid = _open_profile(qtbot, window, ctx)
    other = AppContext.open(str(data_dir / "other"), ctx.db_url, encrypt_new=False)
    other.db.acting_clinician = "Dr. Other"
    theirs = other.patients.get(pid)
    theirs.phone = "555-0199"
    other.patients.update(theirs)
    tab = window.workspace.profile
    # Keep mine: saved on top of theirs.
    tab.pronouns.setText("they/them")
    when_dialog(QMessageBox, _click("Keep mine"))
    assert tab.save_current()
    saved = ctx.patients.get(pid)
    assert saved.pronouns == "they/them" and saved.phone == ""  # mine, whole, over theirs
    # Reload theirs: the form shows their version and nothing of mine is written.
    theirs = other.patients.get(pid)
    theirs.phone = "555-0142"
    other.patients.update(theirs)
    tab.pronouns.setText("she/her")
    when_dialog(QMessageBox, _click("Reload theirs"))
    assert not tab.save_current()
    assert ctx.patients.get(pid).pronouns == "they/them"
    assert tab.inputs["phone"].text() == "555-0142"  # type: ignore[attr-defined]
    other.close()


def test_practice_dialog_edits_the_solo_practice_and_adds_a_clinician(qtbot: QtBot, ctx: AppContext) -> None:
    dialog = PracticeDialog(ctx)
    qtbot.addWidget(dialog)
    assert dialog.admin and dialog.table.rowCount() == 1
    dialog.phone.setText("555-0123")
    dialog._save_details()
    assert (ctx.practice.practice() or dialog._practice).phone == "555-0123"  # type: ignore[union-attr]
    add = ClinicianDialog(ctx, None, dialog)
    qtbot.addWidget(add)
    add.login.setText("blake")
    add.name.setText("Blake Okafor")
    add.credentials.setText("LCSW")
    add.supervisor.setCurrentIndex(1)  # Dr. Test Clinician
    add._save()
    assert add.result() == 1
    dialog._fill()
    assert dialog.table.rowCount() == 2
    blake = ctx.practice.by_login("blake")
    assert blake.credentials == "LCSW" and blake.supervisor_id == ctx.practice.clinicians()[0].id
    bad = ClinicianDialog(ctx, None, dialog)
    qtbot.addWidget(bad)
    bad.login.setText("Not A Login")
    bad.name.setText("X")
    bad._save()
    assert "login" in bad.error.text() and len(ctx.practice.clinicians()) == 2


def test_the_cosign_filter_keeps_patients_waiting_for_my_cosignature(data_dir: Path, ctx: AppContext) -> None:
    sup = ctx.practice.clinicians()[0]
    trainee = ctx.practice.add_clinician(ClinicianRec("Blake Okafor", supervisor_id=sup.id))
    assert trainee.id is not None and sup.id is not None
    waiting = ctx.patients.create(PatientProfile("G-010", "Synthetic Waiting"))
    ctx.patients.create(PatientProfile("G-011", "Synthetic Other"))
    session = ctx.sessions.create(waiting, date=dt.date(2026, 1, 5))
    assert session.id is not None
    ctx.notes.save_draft(session.id, "soap", [NoteSectionRec("subjective", "Subjective", "Synthetic.")])
    _sign(ctx, session.id, trainee.id)
    fresh = AppContext.open(str(data_dir), ctx.db_url, encrypt_new=False)
    assert fresh.patients.cosigner_id == sup.id
    rows = fresh.patients.summaries()
    f = PatientFilter(cosign_only=True, status=None)
    assert [r.code for r in rows if f.accepts(r, [])] == ["G-010"]
    fresh.close()


def test_the_login_dialog_is_asked_for_only_when_the_server_wants_a_password() -> None:
    assert needs_login(RuntimeError("database: cannot be opened (fe_sendauth: no password supplied)"))
    assert needs_login(RuntimeError('FATAL:  password authentication failed for user "blake"'))
    assert not needs_login(RuntimeError("could not connect to server: Connection refused"))


def _choose(text: str, what: str):  # type: ignore[no-untyped-def]
    def act(box: QMessageBox) -> None:
        assert box.windowTitle() == "Changed by someone else"
        assert what in box.text() and "Dr. Other" in box.text()
        next(b for b in box.buttons() if b.text() == text).click()

    return act


def test_a_stale_session_and_plan_save_offer_reload_or_keep_mine(
    qtbot: QtBot, ctx: AppContext, data_dir: Path
) -> None:
    import dataclasses

    from trdplanner.core.records import PlanRec
    from trdplanner.gui.sessions.plan_page import PlanPage
    from trdplanner.gui.workspace.plan import PlanTab

    pid = ctx.patients.create(PatientProfile("G-002", "Synthetic Person"))
    session = ctx.sessions.create(pid, date=dt.date(2026, 11, 2))
    assert session.id is not None
    other = AppContext.open(str(data_dir / "other"), ctx.db_url, encrypt_new=False)
    other.db.acting_clinician = "Dr. Other"
    page = PlanPage(ctx)
    qtbot.addWidget(page)
    page.set_session(ctx.sessions.get(session.id))
    # Someone else changes the session; my edit then meets their version.
    other.sessions.update(dataclasses.replace(other.sessions.get(session.id), duration_minutes=30))
    page.duration.setValue(75)
    page.dirty = True
    when_dialog(QMessageBox, _choose("Keep mine", "This session"))
    assert page.flush()
    assert ctx.sessions.get(session.id).duration_minutes == 75
    other.sessions.update(dataclasses.replace(other.sessions.get(session.id), duration_minutes=45))
    page.duration.setValue(90)
    page.dirty = True
    when_dialog(QMessageBox, _choose("Reload theirs", "This session"))
    assert page.flush()
    assert ctx.sessions.get(session.id).duration_minutes == 45  # theirs kept, mine dropped
    assert page.duration.value() == 45

    ctx.plans.save(pid, PlanRec(created_on=dt.date(2026, 11, 2), client_participation="Agreed together."))
    tab = PlanTab(ctx)
    qtbot.addWidget(tab)
    tab.patient_id = pid
    tab.load(pid)
    theirs = other.plans.current(pid)
    assert theirs is not None
    theirs.client_participation = "Changed by the other clinician."
    other.plans.save(pid, theirs)
    assert tab.plan is not None
    tab.plan.client_participation = "Mine."
    when_dialog(QMessageBox, _choose("Keep mine", "This treatment plan"))
    assert tab.save_current()
    current = ctx.plans.current(pid)
    assert current is not None and current.client_participation == "Mine."
    other.close()
