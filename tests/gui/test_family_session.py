# ruff: noqa: F811  (pytest fixtures imported from sessions_support)
"""A family session from the window: the relatives present are recorded on the session, and the
note says who attended."""

from __future__ import annotations

import datetime as dt

from pytestqt.qtbot import QtBot
from sessions_support import TODAY, ctx, dialogs  # noqa: F401

from trdplanner.context import AppContext
from trdplanner.core.services.templating import draft_sections
from trdplanner.core.vocab import SessionFormat
from trdplanner.gui.sessions import SessionsTab
from trdplanner.gui.sessions.plan_page import parse_present, present_text


def _tab(qtbot: QtBot, ctx: AppContext) -> tuple[SessionsTab, int]:
    pid = ctx.patients.id_for_code("DEMO-01")
    assert pid is not None
    tab = SessionsTab(ctx)
    qtbot.addWidget(tab)
    tab.set_patient(pid)
    tab.create_session(TODAY + dt.timedelta(days=1), "cbt")
    return tab, pid


def test_relatives_typed_on_the_plan_are_saved_and_named_in_the_note(qtbot: QtBot, ctx: AppContext, dialogs) -> None:
    tab, _pid = _tab(qtbot, ctx)
    page = tab.plan
    page.format.setCurrentIndex(page.format.findData(str(SessionFormat.FAMILY)))
    qtbot.keyClicks(page.present, "Mother: Ana Lopez; Partner: Sam Reyes")
    assert page.flush()
    assert page.session is not None and page.session.id is not None
    saved = ctx.sessions.get(page.session.id)
    assert [(p.relation, p.name) for p in saved.others_present] == [("Mother", "Ana Lopez"), ("Partner", "Sam Reyes")]
    assert saved.format == SessionFormat.FAMILY
    # The note drafted for the session says who attended (the note's content is the patient's).
    draft = draft_sections(ctx.note_formats.get("soap"), ctx.bundles.for_session(page.session.id), ctx.settings)
    text = " ".join(section_text for _id, _title, section_text in draft)
    assert "Also present (not patients):" in text and "Ana Lopez" in text and "Sam Reyes" in text


def test_an_entry_without_a_relationship_is_refused_in_words_and_nothing_is_saved(
    qtbot: QtBot, ctx: AppContext, dialogs
) -> None:
    tab, _pid = _tab(qtbot, ctx)
    page = tab.plan
    qtbot.keyClicks(page.present, "Ana Lopez")
    assert not page.flush()
    assert "relationship: name" in page.state.text()
    assert page.present.property("invalid") is True
    assert page.session is not None and page.session.id is not None
    assert ctx.sessions.get(page.session.id).others_present == []
    page.present.clear()
    page.dirty = False


def test_the_field_reads_and_writes_the_same_list() -> None:
    people = parse_present(" Mother : Ana Lopez ;; Partner: Sam\n Grandfather: Luis ")
    expected = [("Mother", "Ana Lopez"), ("Partner", "Sam"), ("Grandfather", "Luis")]
    assert [(p.relation, p.name) for p in people] == expected
    assert parse_present(present_text(people)) == people
    assert parse_present("") == []
