"""Measure forms are measures: a PHQ-9, GAD-7 or QIDS-SR16 form filled in a session records the
measure (scored, flagged, audited, attached to the session) once, however often it is saved."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import text

from trdplanner.catalog import template_to_dict
from trdplanner.context import AppContext
from trdplanner.core.errors import InputError
from trdplanner.core.records import InstanceRec, PatientProfile

DAY = dt.date(2026, 10, 6)


@pytest.fixture
def ctx(data_dir: Path, ready_db_url: str) -> Iterator[AppContext]:
    """On SQLite, and on PostgreSQL when one is configured."""
    context = AppContext.open(str(data_dir), ready_db_url)
    yield context
    context.close()


def _setup(ctx: AppContext) -> tuple[int, int]:
    pid = ctx.patients.create(PatientProfile(code="F-0001", full_name="Form Test"))
    sid = ctx.sessions.create(pid, date=DAY, modality="cbt").id
    assert sid is not None
    return pid, sid


def _items(n: int, last: int = 0, value: int = 1) -> dict[str, Any]:
    answers = {f"item{i}": value for i in range(1, n + 1)}
    answers[f"item{n}"] = last
    return answers


def _add(ctx: AppContext, sid: int, template_id: str, values: dict[str, Any]) -> int:
    template = ctx.catalog.get(template_id)
    rec = InstanceRec(template.id, template.version, template_to_dict(template), values)
    return ctx.sessions.add_instance(sid, rec)


def test_a_filled_phq9_form_records_the_measure_with_its_alert(ctx: AppContext) -> None:
    pid, sid = _setup(ctx)
    values = {**_items(9), "item9": 2}
    _add(ctx, sid, "general-phq9-form", values)
    measures = ctx.measures.list(pid)
    assert len(measures) == 1
    m = measures[0]
    assert (m.instrument, m.items, m.total, m.taken_on, m.session_number) == ("phq9", [1] * 8 + [2], 10, DAY, 1)
    row = ctx.patients.summaries()[0]
    assert row.risk_flag and row.open_alerts == 1  # the patient list shows the alert
    assert ctx.audit.list(20, action="measure.create")
    assert ctx.notes.review_reasons(sid)  # and the note needs a risk review


def test_saving_the_same_form_again_records_it_once(ctx: AppContext) -> None:
    pid, sid = _setup(ctx)
    iid = _add(ctx, sid, "general-gad7-form", _items(7))
    for _ in range(3):
        _, measure = ctx.sessions.save_instance_values(iid, _items(7))
        assert measure is not None and measure.status == "unchanged"
    assert len(ctx.measures.list(pid)) == 1
    _, measure = ctx.sessions.save_instance_values(iid, _items(7, last=3))
    assert measure is not None and measure.status == "updated"
    measures = ctx.measures.list(pid)
    assert len(measures) == 1 and measures[0].items == [1] * 6 + [3]


def test_an_incomplete_form_records_nothing_and_clearing_keeps_the_score(ctx: AppContext) -> None:
    pid, sid = _setup(ctx)
    partial = {f"item{i}": 1 for i in range(1, 9)}
    iid = _add(ctx, sid, "general-phq9-form", partial)
    assert ctx.measures.list(pid) == []
    _, measure = ctx.sessions.save_instance_values(iid, _items(9))
    assert measure is not None and measure.status == "recorded"
    _, measure = ctx.sessions.save_instance_values(iid, partial)
    assert measure is not None and measure.status == "incomplete"
    assert len(ctx.measures.list(pid)) == 1  # boxes cleared on the form never delete a recorded score


def test_editing_the_form_never_lowers_a_positive_suicidality_item(ctx: AppContext) -> None:
    pid, sid = _setup(ctx)
    iid = _add(ctx, sid, "general-qids-sr16-form", {**_items(16), "item12": 2})
    with pytest.raises(InputError) as caught:
        ctx.sessions.save_instance_values(iid, {**_items(16), "item12": 0})
    assert caught.value.field == "values.item12"
    assert ctx.measures.list(pid)[0].items[11] == 2
    stored = ctx.sessions.get(sid).instances[0].values
    assert stored["item12"] == 2  # the form's save was refused as a whole


def test_removing_the_form_keeps_the_measure(ctx: AppContext) -> None:
    pid, sid = _setup(ctx)
    iid = _add(ctx, sid, "general-phq9-form", _items(9))
    ctx.sessions.remove_instance(iid)
    assert len(ctx.measures.list(pid)) == 1


def test_a_measure_cannot_be_linked_to_a_missing_form_behind_the_apps_back(ctx: AppContext) -> None:
    """Raw SQL that points a measure at a form that does not exist is refused by the database."""
    _pid, sid = _setup(ctx)
    _add(ctx, sid, "general-phq9-form", _items(9))
    with pytest.raises(Exception, match=r"(?i)foreign key"), ctx.db.engine.begin() as conn:
        conn.execute(text("UPDATE measure SET instance_id = 999999"))
