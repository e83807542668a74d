"""Measure forms are measures: a filled PHQ-9, GAD-7 or QIDS-SR16 form records its score.

Whenever a session's instance of a measure template is added or its values are saved (on
screen, or read back from a fillable PDF), :func:`record_form_measure` runs in the same
transaction: with every item answered it records the measure through the same path as
``measure add`` (validated, scored, flagged, audited, the alert raised on the patient list),
attached to that session and linked to the instance, so saving or reading the same form
again records it once. Changed answers update that one measure; an answer that would lower
a positive suicidality item is refused, because a risk finding never disappears by an edit.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from trdplanner.catalog import Kind, Template, TemplateError, template_from_dict
from trdplanner.clinical import MeasureInputError, spec, suicidality_item_name
from trdplanner.clinical import score as score_measure
from trdplanner.core.errors import InputError
from trdplanner.core.models import Measure, TemplateInstance, TherapySession
from trdplanner.core.records import MeasureRec
from trdplanner.core.services.measures import add_measure_in


@dataclass(frozen=True)
class FormMeasure:
    """What a measure form's answers did to the record.

    ``status``: "recorded" (a new measure), "updated" (the form's measure now holds changed
    answers), "unchanged" (already recorded with these answers), or "incomplete" (not every
    item answered, so nothing was recorded). ``measure_id`` is the linked measure, if any.
    """

    status: str
    instrument: str
    answered: int
    items: int
    measure_id: int | None = None
    suicidality_positive: bool = False

    @property
    def instrument_name(self) -> str:
        return spec(self.instrument).display_name

    def message(self, title: str) -> str:
        name = spec(self.instrument).display_name
        if self.status == "incomplete":
            text = (
                f"{title}: {self.answered} of {self.items} items answered, so no {name} score was recorded "
                "(record it with every item answered)."
            )
            if self.suicidality_positive:
                text += f" {suicidality_item_name(self.instrument)} was answered above 0: review risk today."
            return text
        verb = {"recorded": "Recorded", "updated": "Updated", "unchanged": "Already recorded:"}[self.status]
        text = f"{verb} the {name} from '{title}' (measure {self.measure_id})."
        if self.suicidality_positive:
            text += (
                f" ALERT: {suicidality_item_name(self.instrument)} answered above 0: a same-day risk review is needed."
            )
        return text


def measure_template(snapshot: dict[str, Any]) -> Template | None:
    """The instance's definition when it is a measure form with an instrument, else None."""
    try:
        template = template_from_dict(snapshot)
    except TemplateError:
        return None
    if template.kind is not Kind.MEASURE or template.instrument is None:
        return None
    return template


def form_items(template: Template, values: dict[str, Any]) -> tuple[list[int | None], int]:
    """The item answers in instrument order (``item1``..``itemN``; None when unanswered), and N."""
    assert template.instrument is not None
    count = spec(template.instrument).item_count
    items: list[int | None] = []
    for n in range(1, count + 1):
        value = values.get(f"item{n}")
        items.append(value if isinstance(value, int) and not isinstance(value, bool) else None)
    return items, count


def _suicidality(instrument: str, items: list[int | None]) -> int | None:
    number = spec(instrument).suicidality_item
    return items[number - 1] if number is not None and number <= len(items) else None


def record_form_measure(s: Session, instance: TemplateInstance) -> FormMeasure | None:
    """Record, update or leave the measure of a measure-form instance (see the module text)."""
    template = measure_template(dict(instance.template_snapshot))
    if template is None or template.instrument is None:
        return None
    instrument = template.instrument.value
    items, count = form_items(template, dict(instance.values))
    answered = sum(1 for v in items if v is not None)
    item_score = _suicidality(instrument, items)
    positive = item_score is not None and item_score > 0
    existing = s.scalar(select(Measure).where(Measure.instance_id == instance.id)) if instance.id else None
    if answered < count:
        # A measure already recorded from this form stays: clearing boxes never deletes a score.
        return FormMeasure("incomplete", instrument, answered, count, existing.id if existing else None, positive)
    complete = [int(v) for v in items if v is not None]
    session = s.get(TherapySession, instance.session_id)
    assert session is not None
    if existing is None:
        rec = MeasureRec(
            instrument=instrument,
            taken_on=session.date,
            total=0,
            items=complete,
            notes=f"From the form '{template.title}' filled in session {session.number}.",
        )
        measure_id = add_measure_in(s, session.patient_id, rec, session_id=session.id, field="form")
        row = s.get(Measure, measure_id)
        assert row is not None
        row.instance_id = instance.id
        return FormMeasure("recorded", instrument, answered, count, measure_id, positive)
    if list(existing.items or []) == complete:
        return FormMeasure("unchanged", instrument, answered, count, existing.id, positive)
    before = _suicidality(instrument, list(existing.items or []))
    if before is not None and before > 0 and (item_score or 0) < before:
        number = spec(instrument).suicidality_item
        raise InputError(
            f"values.item{number}",
            f"{suicidality_item_name(instrument)} was recorded as {before} from this form; a positive answer is not "
            "lowered by editing the form. Keep the recorded answer and write what changed in the note.",
        )
    try:
        result = score_measure(instrument, items=complete)
    except MeasureInputError as exc:
        raise InputError(f"form.{exc.field}", exc.message) from exc
    existing.items = complete
    existing.total = result.total
    if (item_score or 0) > (before or 0) and existing.alert_acknowledged_at is not None:
        # A worse answer than the one acknowledged is a new finding: the alert opens again.
        existing.alert_acknowledged_by = ""
        existing.alert_acknowledged_at = None
    return FormMeasure("updated", instrument, answered, count, existing.id, positive)


__all__ = ["FormMeasure", "record_form_measure"]
