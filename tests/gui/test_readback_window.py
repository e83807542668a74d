"""The Forms page reads a filled fillable worksheet like ``worksheet read``: the unfilled copy is
refused, stored answers that would change are listed and kept unless the user says replace, and a
PHQ-9 records its measure with the alert."""
# ruff: noqa: F811  (pytest fixtures imported from sessions_support)

from __future__ import annotations

from pathlib import Path

import pytest
from pytestqt.qtbot import QtBot
from sessions_support import Dialogs, ctx, dialogs, say_yes  # noqa: F401

from tests.export._pdf_helpers import fill
from trdplanner import assemble
from trdplanner.context import AppContext
from trdplanner.gui.sessions.forms_page import FormsPage

PHQ9 = "general-phq9-form"


def _answers(item9: int, item5: int = 1) -> dict:
    return {**{f"item{i}": 1 for i in range(1, 10)}, "item5": item5, "item9": item9}


def test_reading_back_in_the_window_asks_before_changing_and_refuses_the_blank_copy(
    qtbot: QtBot, ctx: AppContext, dialogs: Dialogs, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    pid = ctx.patients.id_for_code("DEMO-02")
    assert pid is not None
    session = ctx.sessions.create(pid, date=ctx.sessions.list(pid)[-1].date, modality="cbt")
    assert session.id is not None
    template = ctx.catalog.get(PHQ9)
    printed = assemble.worksheet_document(ctx, template, session_id=session.id, fillable=True).render()
    blank, first, second = tmp_path / "blank.pdf", tmp_path / "first.pdf", tmp_path / "second.pdf"
    blank.write_bytes(printed)
    first.write_bytes(fill(printed, template, _answers(item9=2)))
    second.write_bytes(fill(printed, template, _answers(item9=2, item5=3)))
    page = FormsPage(ctx)
    qtbot.addWidget(page)
    page.show()
    page.set_session(ctx.sessions.get(session.id))

    assert not page.read_filled_pdf(str(blank))
    assert any("has no answered field" in text for _, text, _ in dialogs.shown)
    assert ctx.sessions.get(session.id).instances == []

    assert page.read_filled_pdf(str(first))
    assert [m.items for m in ctx.measures.list(pid)][-1] == [1, 1, 1, 1, 1, 1, 1, 1, 2]
    assert "ALERT" in page.state.text()
    count = len(ctx.measures.list(pid))

    asked: list[str] = []
    monkeypatch.setattr(
        "trdplanner.gui.sessions.forms_page.confirm", lambda _p, _t, question, _a: asked.append(question) or False
    )
    assert not page.read_filled_pdf(str(second))
    assert asked and "'1/3 (some days)' would become '3/3 (almost every day)'" in asked[0]
    assert ctx.sessions.get(session.id).instances[0].values["item5"] == 1  # kept

    say_yes(monkeypatch, "trdplanner.gui.sessions.forms_page")
    assert page.read_filled_pdf(str(second))
    assert ctx.sessions.get(session.id).instances[0].values["item5"] == 3
    measures = ctx.measures.list(pid)
    assert len(measures) == count and measures[-1].items == [1, 1, 1, 1, 3, 1, 1, 1, 2]  # updated, not added


def test_a_phq9_filled_on_screen_records_the_measure_once(
    qtbot: QtBot, ctx: AppContext, dialogs: Dialogs, tmp_path: Path
) -> None:
    pid = ctx.patients.id_for_code("DEMO-01")
    assert pid is not None
    session = ctx.sessions.create(pid, date=ctx.sessions.list(pid)[-1].date, modality="cbt")
    assert session.id is not None
    page = FormsPage(ctx)
    qtbot.addWidget(page)
    page.show()
    page.set_session(ctx.sessions.get(session.id))
    before = len(ctx.measures.list(pid))
    assert page.add(ctx.catalog.get(PHQ9), homework=False) is not None
    assert page.form is not None
    page.form.set_values(_answers(item9=2))
    page._edited()
    assert page.flush()
    assert "PHQ-9 recorded" in page.state.text() and "ALERT" in page.state.text()
    page._edited()
    assert page.flush()  # saved again with the same answers
    measures = ctx.measures.list(pid)
    assert len(measures) == before + 1 and measures[-1].items == [1, 1, 1, 1, 1, 1, 1, 1, 2]
    assert next(r for r in ctx.patients.summaries() if r.id == pid).risk_flag
    assert dialogs.shown == []


def test_a_password_protected_filled_worksheet_asks_for_its_password(
    qtbot: QtBot, ctx: AppContext, dialogs: Dialogs, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    import pikepdf

    pid = ctx.patients.id_for_code("DEMO-02")
    assert pid is not None
    session = ctx.sessions.create(pid, date=ctx.sessions.list(pid)[-1].date, modality="cbt")
    assert session.id is not None
    template = ctx.catalog.get(PHQ9)
    printed = assemble.worksheet_document(ctx, template, session_id=session.id, fillable=True).render()
    plain, locked = tmp_path / "plain.pdf", tmp_path / "locked.pdf"
    plain.write_bytes(fill(printed, template, _answers(item9=1)))
    with pikepdf.open(plain) as pdf:
        pdf.save(locked, encryption=pikepdf.Encryption(user="client-pw", owner="owner-pw", R=6))
    page = FormsPage(ctx)
    qtbot.addWidget(page)
    page.show()
    page.set_session(ctx.sessions.get(session.id))
    prompts: list[str] = []

    def answer(value: str, ok: bool):  # stands in for QInputDialog.getText
        return lambda _parent, _title, label, *_a, **_k: (prompts.append(label), (value, ok))[1]

    monkeypatch.setattr("trdplanner.gui.sessions.forms_page.QInputDialog.getText", answer("", False))
    assert not page.read_filled_pdf(str(locked))  # cancelled: nothing read
    assert prompts and "password-protected" in prompts[0]
    assert ctx.sessions.get(session.id).instances == []

    monkeypatch.setattr("trdplanner.gui.sessions.forms_page.QInputDialog.getText", answer("wrong", True))
    assert not page.read_filled_pdf(str(locked))
    assert any("does not open with that password" in text for _, text, _ in dialogs.shown)
    assert ctx.sessions.get(session.id).instances == []

    monkeypatch.setattr("trdplanner.gui.sessions.forms_page.QInputDialog.getText", answer("client-pw", True))
    assert page.read_filled_pdf(str(locked))
    assert [m.items for m in ctx.measures.list(pid)][-1] == [1, 1, 1, 1, 1, 1, 1, 1, 1]
