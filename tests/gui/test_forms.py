"""Forms generated from template definitions: every field type, tables, errors at the field."""
# ruff: noqa: F811  (pytest fixtures imported from sessions_support)

from __future__ import annotations

from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot
from sessions_support import ctx, dialogs, say_yes  # noqa: F401

from trdplanner.catalog import FieldType, blank_values, validate_instance
from trdplanner.context import AppContext
from trdplanner.core.services.templating import snapshot_template
from trdplanner.gui.forms import TableEditor, TemplateForm
from trdplanner.gui.forms.fields import (
    ButtonRating,
    ButtonRow,
    ChecklistEditor,
    ComboEditor,
    CompactChecklist,
    DateEditor,
    LongTextEditor,
    NumberEditor,
    ShortTextEditor,
    SpinRating,
    TimeEditor,
)

EXPECTED = {
    FieldType.SHORT_TEXT: ShortTextEditor,
    FieldType.LONG_TEXT: LongTextEditor,
    FieldType.NUMBER: NumberEditor,
    FieldType.DATE: DateEditor,
    FieldType.TIME: TimeEditor,
    FieldType.CHOICE: ComboEditor,
    FieldType.CHECKLIST: ChecklistEditor,
    FieldType.YES_NO: ButtonRow,
    FieldType.TABLE: TableEditor,
}


def test_every_catalog_template_builds_a_form_that_round_trips(qtbot: QtBot, ctx: AppContext) -> None:
    seen: set[FieldType] = set()
    for template in ctx.catalog:
        form = TemplateForm(template)
        qtbot.addWidget(form)
        for fid, box in form.boxes.items():
            field = template.field(fid)
            assert field is not None
            seen.add(field.type)
            seen.update(c.type for c in field.columns)
            if field.type is FieldType.RATING:
                assert isinstance(box.editor, ButtonRating | SpinRating)
            else:
                assert isinstance(box.editor, EXPECTED[field.type]), (template.id, fid)
            proxy = box.editor.focusProxy()
            assert box.editor.toolTip() or (proxy is not None and proxy.toolTip()), (template.id, fid)
        assert form.validate(partial=True) == blank_values(template)
    assert seen >= set(EXPECTED) | {FieldType.RATING}


def test_demo_instances_show_their_stored_values(qtbot: QtBot, ctx: AppContext) -> None:
    for summary in ctx.patients.summaries(""):
        for session in ctx.sessions.list(summary.id):
            for inst in session.instances:
                template = snapshot_template(inst.template_snapshot)
                assert template is not None
                form = TemplateForm(template)
                qtbot.addWidget(form)
                form.set_values(inst.values)
                assert form.validate(partial=True) == validate_instance(template, inst.values, partial=True)


def test_thought_record_is_filled_by_keyboard_and_checked(qtbot: QtBot, ctx: AppContext) -> None:
    template = ctx.catalog.get("cbt-thought-record-7")
    form = TemplateForm(template)
    qtbot.addWidget(form)
    form.resize(900, 800)
    form.show()
    assert form.validate(partial=False) is None
    errors = form.error_texts()
    assert errors["situation"] == "This needs an answer."
    assert "last_balanced_thought" not in errors and "date" not in errors

    situation = form.editor("situation")
    assert isinstance(situation, LongTextEditor)
    qtbot.keyClicks(situation.edit, "Team meeting, my idea ignored")
    situation.edit.undo()
    assert situation.value() is None
    situation.edit.redo()
    assert situation.value() == "Team meeting, my idea ignored"

    moods = form.editor("moods")
    assert isinstance(moods, TableEditor) and len(moods.rows) == 1
    qtbot.keyClicks(moods.rows[0]["mood"].edit, "Sad")  # type: ignore[attr-defined]
    moods.rows[0]["intensity"].set_value(80)
    qtbot.mouseClick(moods.add_button, Qt.MouseButton.LeftButton)
    assert len(moods.rows) == 2
    moods.rows[1]["mood"].set_value("Ashamed")
    moods.rows[1]["intensity"].set_value(60)

    for fid, text in (
        ("automatic_thoughts", "They think I'm useless."),
        ("hot_thought", "I'm useless."),
        ("evidence_for", "Nobody replied."),
        ("evidence_against", "Two people thanked me last week."),
        ("balanced_thought", "One meeting does not define me."),
    ):
        form.editor(fid).set_value(text)
    for fid, value in (("hot_thought_belief", 90), ("balanced_belief", 60)):
        rating = form.editor(fid)
        assert isinstance(rating, SpinRating)  # 0-100 in fives: a spin box
        rating.set_value(value)
    distortions = form.editor("distortions")
    assert isinstance(distortions, ChecklistEditor)
    distortions.boxes["labeling"].click()
    distortions.boxes["mind_reading"].click()

    date = form.editor("date")
    qtbot.keyClicks(date.edit, "2026-02-30")  # type: ignore[attr-defined]
    assert form.validate(partial=True) is None
    assert "not a real date" in form.error_texts()["date"]
    date.set_value("2026-02-28")
    values = form.validate(partial=False)
    assert values is not None and form.error_texts() == {}
    assert values["moods"] == [{"mood": "Sad", "intensity": 80}, {"mood": "Ashamed", "intensity": 60}]
    assert values["distortions"] == ["mind_reading", "labeling"]  # the template's order
    assert values["hot_thought_belief"] == 90


def test_table_cell_errors_are_shown_at_the_cell(qtbot: QtBot, ctx: AppContext) -> None:
    template = ctx.catalog.get("dbt-diary-card")
    form = TemplateForm(template)
    qtbot.addWidget(form)
    emotions = form.editor("emotions")
    assert isinstance(emotions, TableEditor)
    assert [emotions._row_label(i) for i in range(len(emotions.rows))] == [
        "Mon",
        "Tue",
        "Wed",
        "Thu",
        "Fri",
        "Sat",
        "Sun",
    ]
    assert emotions.add_button.isHidden() and emotions.remove_button.isHidden()  # fixed rows
    emotions.rows[2]["sleep_hours"].set_value("30")
    assert form.validate(partial=True) is None
    message = form.error_texts()["emotions"]
    assert message.startswith("Row Wed, Hours slept: must be 0 to 24")
    cell = emotions.cell(2, "sleep_hours")
    assert cell is not None and cell.property("invalid") is True
    emotions.rows[2]["sleep_hours"].set_value("7.5")
    values = form.validate(partial=True)
    assert values is not None and values["emotions"][2]["sleep_hours"] == 7.5
    assert cell.property("invalid") is False


def test_small_ratings_and_yes_no_are_button_rows_that_clear(qtbot: QtBot, ctx: AppContext) -> None:
    template = next(t for t in ctx.catalog if any(f.type is FieldType.YES_NO for f in t.fields))
    form = TemplateForm(template)
    qtbot.addWidget(form)
    field = next(f for f in template.fields if f.type is FieldType.YES_NO)
    yes_no = form.editor(field.key)
    assert isinstance(yes_no, ButtonRow)
    yes, no = yes_no.button_for(True), yes_no.button_for(False)
    assert yes is not None and no is not None
    yes.click()
    assert yes_no.value() is True
    no.click()
    assert yes_no.value() is False and not yes.isChecked()
    no.click()  # clicking the chosen answer again clears it
    assert yes_no.value() is None


def test_removing_a_filled_row_asks_first(qtbot: QtBot, ctx: AppContext, monkeypatch) -> None:
    asked = say_yes(monkeypatch, "trdplanner.gui.forms.table")
    template = ctx.catalog.get("cbt-thought-record-7")
    form = TemplateForm(template)
    qtbot.addWidget(form)
    moods = form.editor("moods")
    assert isinstance(moods, TableEditor)
    moods.add_row()
    moods.rows[0]["mood"].set_value("Angry")
    moods.table.selectRow(0)
    moods._remove_clicked()
    assert asked and "Remove row 1" in asked[0]
    assert len(moods.rows) == 1
    moods.table.selectRow(0)
    moods._remove_clicked()  # blank: no question
    assert len(asked) == 1 and moods.rows == []
    for _ in range(5):
        moods._add_clicked()
    assert not moods.add_button.isEnabled()  # max_rows 5


def test_compact_checklist_in_a_cell(qtbot: QtBot, ctx: AppContext) -> None:
    template = next(t for t in ctx.catalog for f in t.fields if any(c.type is FieldType.CHECKLIST for c in f.columns))
    form = TemplateForm(template)
    qtbot.addWidget(form)
    table = next(
        b.editor
        for b in form.boxes.values()
        if isinstance(b.editor, TableEditor) and any(c.type is FieldType.CHECKLIST for c in b.editor.field.columns)
    )
    assert isinstance(table, TableEditor)
    column = next(c for c in table.field.columns if c.type is FieldType.CHECKLIST)
    cell = table.rows[0][column.id]
    assert isinstance(cell, CompactChecklist)
    first = column.options[0]
    cell.option_actions[first.id].trigger()
    assert cell.value() == [first.id] and first.label in cell.button.text()
