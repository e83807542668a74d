"""Start an interventional course, record one of its sessions, or end it.

The dialogs only collect what the course service (core/services/courses.py) takes and hand it to
a ``save`` callable the tab gives them; the service checks it. When it refuses, its InputError
names the field, and the message is shown at that field while the dialog stays open, so nothing
typed is lost and nothing is written.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLineEdit,
    QVBoxLayout,
    QWidget,
)

from trdplanner.clinical import Outcome, StopReason
from trdplanner.clinical.courses import DISSOCIATION_SCALE, SEDATION_SCALE, CourseKind, ElectrodePlacement
from trdplanner.core.errors import InputError
from trdplanner.core.records import CourseRec, CourseSessionRec
from trdplanner.gui.dates import DateField, first_unreadable
from trdplanner.gui.dialogs import show_error
from trdplanner.gui.forms.errors import ErrorLabel, show_field_error
from trdplanner.gui.forms.record_fields import NumberField, add_row, combo
from trdplanner.gui.workspace.base import Banner, esc

OUTCOME_LABELS: dict[str, str] = {
    Outcome.RESPONSE: "Response",
    Outcome.PARTIAL_RESPONSE: "Partial response",
    Outcome.NON_RESPONSE: "No response",
    Outcome.NOT_ASSESSABLE: "Cannot be judged",
}
STOP_LABELS: dict[str, str] = {
    StopReason.INEFFICACY: "Not helping enough",
    StopReason.INTOLERANCE: "Side effects",
    StopReason.NON_ADHERENCE: "Sessions missed",
    StopReason.OTHER: "Other reason",
}


def _scale(points: tuple[str, ...]) -> list[tuple[str, str]]:
    # "0 awake and alert" is stored as 0: the label's leading number is the point on the scale.
    return [("Not recorded", "")] + [(label, label.split(" ", 1)[0]) for label in points]


class _ServiceDialog(QDialog):
    """A form whose fields are registered by the service's field names, saved through ``save``."""

    def __init__(self, title: str, save: Callable[[Any], Any], parent: QWidget | None) -> None:
        super().__init__(parent)
        self.setWindowTitle(title)
        self.setMinimumWidth(460)
        self._save = save
        self.saved: Any = None
        self.inputs: dict[str, QWidget] = {}
        self.errors: dict[str, ErrorLabel] = {}
        self.form = QFormLayout()
        self.form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.ExpandingFieldsGrow)
        self.problem = Banner("danger")  # an error the service could not pin on a field here
        self.problem.hide()
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Cancel)
        self.buttons.button(QDialogButtonBox.StandardButton.Cancel).setToolTip("Close without saving (Esc)")
        self.buttons.accepted.connect(self._accept)
        self.buttons.rejected.connect(self.reject)
        self.box = QVBoxLayout(self)
        self.box.addWidget(self.problem)
        self.box.addLayout(self.form)
        self.box.addWidget(self.buttons)

    def _row(self, label: str, name: str, widget: QWidget, tip: str = "") -> Any:
        """Add a row for the service field ``name``, in Tab order."""
        if tip:
            widget.setToolTip(tip)
        self.inputs[name] = widget
        self.errors[name] = ErrorLabel()
        add_row(self.form, label, widget, self.errors[name])
        return widget

    def _line(self, label: str, name: str, tip: str, text: str = "") -> QLineEdit:
        return self._row(label, name, QLineEdit(text), tip)

    def set_row_visible(self, name: str, visible: bool) -> None:
        row = self.inputs[name].parentWidget()  # the field with its error line, as the form holds it
        if row is not None:
            self.form.setRowVisible(row, visible)

    def show_error(self, field: str, message: str) -> None:
        """The message at the field (a service field name, with or without its "session." prefix)."""
        name = field.rsplit(".", 1)[-1]
        known = name in self.inputs and self.inputs[name].isVisibleTo(self)
        for key, label in self.errors.items():
            on = known and key == name
            show_field_error(self.inputs[key], label, message if on else "")
        self.problem.setVisible(bool(message) and not known)
        if message and not known:
            self.problem.text.setText(f"<b>Not saved.</b> {esc(field.replace('_', ' '))}: {esc(message)}")
        if known:
            self.inputs[name].setFocus()

    def record(self) -> Any:
        raise NotImplementedError

    def _accept(self) -> None:
        if first_unreadable(self) is not None:
            return
        try:
            self.saved = self._save(self.record())
        except InputError as exc:
            self.show_error(exc.field, exc.problem[:1].upper() + exc.problem[1:] + ".")
            return
        except Exception as exc:  # a read-only folder, a lost connection: said in words, the form stays
            show_error(self, "Could not save", exc)
            return
        self.accept()


def _text(w: QWidget) -> str:
    return w.text().strip() if isinstance(w, QLineEdit) else ""


class AddCourseDialog(_ServiceDialog):
    """Start a course: it becomes a trial in the ledger, kept in step by the service."""

    def __init__(self, save: Callable[[CourseRec], Any], parent: QWidget | None = None,
                 today: dt.date | None = None) -> None:
        super().__init__("Add course", save, parent)
        self.kind = self._row("Treatment", "kind", combo([(k.label, str(k)) for k in CourseKind], ""),
                              "Which interventional treatment the course is")
        self.start = self._row("First session", "start", DateField(tip="The day the course started"))
        self.start.set_value(today or dt.date.today())
        self.provider = self._line("Given by", "provider", "Who gives the treatment (clinic or clinician)")
        self.protocol = self._line("Protocol", "protocol", "rTMS / iTBS protocol, e.g. iTBS 600 pulses")
        self.target = self._line("Target", "target", "Where the coil is placed, e.g. left DLPFC")
        self.planned = self._row("Sessions planned", "planned_sessions", NumberField(maximum=1000),
                                 "How many sessions the course is planned to have (the N in 'session n of N')")
        self.notes = self._line("Notes", "notes", "Anything else about the course")
        self.kind.currentIndexChanged.connect(self._kind_changed)
        self._kind_changed()
        self.kind.setFocus()

    def _kind_changed(self) -> None:
        tms = CourseKind(self.kind.currentData()) is CourseKind.TMS
        for name in ("protocol", "target", "planned_sessions"):  # the service takes these for TMS only
            self.set_row_visible(name, tms)
        self.adjustSize()

    def record(self) -> CourseRec:
        tms = CourseKind(self.kind.currentData()) is CourseKind.TMS
        start = self.start.value()
        if start is None:
            raise InputError("start", "is required: the day the course started")
        planned = self.planned.value()
        return CourseRec(
            kind=str(self.kind.currentData()), start=start, provider=_text(self.provider),
            protocol=_text(self.protocol) if tms else "", target=_text(self.target) if tms else "",
            planned_sessions=int(planned) if tms and planned is not None else None, notes=_text(self.notes),
        )


class CourseSessionDialog(_ServiceDialog):
    """Record one session of a course, with the observations its kind has."""

    def __init__(self, course: CourseRec, save: Callable[[CourseSessionRec], Any], parent: QWidget | None = None,
                 today: dt.date | None = None) -> None:
        kind = CourseKind(course.kind)
        self.course_kind = kind
        super().__init__(f"Record {kind.label} session", save, parent)
        given = [s.number for s in course.sessions]
        following = max(given, default=0) + 1
        of = f" of {course.planned_sessions} planned" if course.planned_sessions else ""
        self.heading = Banner("ok")
        self.heading.text.setText(f"<b>{esc(kind.label)}</b>, started {course.start.isoformat()}: "
                                  f"{len(given)} session{'' if len(given) == 1 else 's'} recorded{of}.")
        self.box.insertWidget(0, self.heading)
        word = "Treatment number" if kind is CourseKind.ECT else "Session number"
        self.number = self._row(word, "number", NumberField(maximum=100000),
                                "Which session of the course this is; filled with the next one")
        self.number.set_value(following)
        self.given_on = self._row("Given on", "given_on", DateField(tip="The day of the session"))
        day = today or dt.date.today()
        # An ended course takes only sessions up to its last day (the service refuses later ones).
        self.given_on.set_value(min(day, course.stop) if course.stop else day)
        if kind.is_dosing:
            unit = "mg" if kind is CourseKind.ESKETAMINE else "mg/kg"
            self._row(f"Dose ({unit})", "dose", NumberField(decimals=2, maximum=100000),
                      f"The dose given, in {unit}")
            if kind is CourseKind.IV_KETAMINE:
                self._row("Infusion (minutes)", "infusion_minutes", NumberField(maximum=100000),
                          "How long the infusion ran")
            for label, name, tip in (
                    ("Blood pressure before", "bp_before", "Before dosing, systolic/diastolic, like 128/82"),
                    ("Blood pressure after", "bp_after", "Before going home, like 134/84")):
                self._line(label, name, tip).setMaximumWidth(110)
            self._row("Observed (minutes)", "observed_minutes", NumberField(maximum=100000),
                      "Minutes the patient was watched before going home")
            self._row("Sedation", "sedation", combo(_scale(SEDATION_SCALE), ""),
                      "The deepest sedation seen, on our 0-4 scale")
            self._row("Dissociation", "dissociation", combo(_scale(DISSOCIATION_SCALE), ""),
                      "The strongest dissociation seen, on our 0-4 scale")
        if kind is CourseKind.TMS:
            self._row("Motor threshold (%)", "motor_threshold_percent", NumberField(maximum=100000),
                      "Stimulation strength as a percentage of the resting motor threshold")
            self._row("Pulses", "pulses", NumberField(maximum=1_000_000), "Pulses given in the session")
        if kind is CourseKind.ECT:
            last = next((s.placement for s in reversed(course.sessions) if s.placement), "")
            self._row("Electrode placement", "placement",
                      combo([("Choose…", "")] + [(p.label, str(p)) for p in ElectrodePlacement], "", last),
                      "Where the electrodes were placed; bilateral ECT is what Thase-Rush stage V asks for")
            self._row("Seizure (seconds)", "seizure_seconds", NumberField(maximum=100000),
                      "How long the seizure lasted")
            self._line("Effects on memory or thinking", "cognitive_effects",
                       "Cognitive side effects noticed, in words")
        self._line("Adverse events", "adverse_events", "Anything that went wrong or needed attention")
        if kind.is_dosing:
            self._line("Went home by", "travel_home", "How the patient got home (no driving on a dosing day)")
        self._line("Notes", "notes", "Anything else about the session")
        self.given_on.setFocus()

    def _value(self, name: str) -> Any:
        w = self.inputs.get(name)
        if w is None:
            return "" if name in _TEXT_FIELDS else None
        if isinstance(w, NumberField):
            return w.value()
        if isinstance(w, QLineEdit):
            return w.text().strip()
        data = w.currentData() if isinstance(w, QComboBox) else ""
        if name in ("sedation", "dissociation"):
            return int(data) if data else None
        return str(data)

    def record(self) -> CourseSessionRec:
        given_on = self.given_on.value()
        if given_on is None:
            raise InputError("given_on", "is required: the day of the session")
        number = self.number.value()
        values = {name: self._value(name) for name in _SESSION_FIELDS}
        return CourseSessionRec(number=int(number) if number is not None else 0, given_on=given_on, **values)


_TEXT_FIELDS = ("bp_before", "bp_after", "adverse_events", "travel_home", "placement", "cognitive_effects", "notes")
_SESSION_FIELDS = ("dose", "infusion_minutes", "bp_before", "bp_after", "observed_minutes", "sedation",
                   "dissociation", "adverse_events", "travel_home", "motor_threshold_percent", "pulses",
                   "placement", "seizure_seconds", "cognitive_effects", "notes")


class EndCourseDialog(_ServiceDialog):
    """End a course with its last day, how it went and why it stopped."""

    def __init__(self, course: CourseRec, save: Callable[[CourseRec], Any], parent: QWidget | None = None,
                 today: dt.date | None = None) -> None:
        self._course = course
        kind = CourseKind(course.kind)
        super().__init__(f"End {kind.label} course", save, parent)
        n = len(course.sessions)
        self.heading = Banner("ok")
        self.heading.text.setText(f"<b>{esc(kind.label)}</b>, started {course.start.isoformat()}, "
                                  f"{n} session{'' if n == 1 else 's'} recorded.")
        self.box.insertWidget(0, self.heading)
        last = max((s.given_on for s in course.sessions), default=None)
        self.stop = self._row("Last day", "stop", DateField(tip="The day the course ended"))
        self.stop.set_value(last or today or dt.date.today())
        self.outcome = self._row("Outcome", "outcome", combo(
            [("Choose…", "")] + [(OUTCOME_LABELS[o], str(o)) for o in Outcome], ""),
            "How the depression responded to the course")
        self.stop_reason = self._row("Why it stopped", "stop_reason", combo(
            [("Choose…", "")] + [(label, str(r)) for r, label in STOP_LABELS.items()], ""),
            "Stopping for side effects is not the same as the treatment failing")
        self.stop.setFocus()

    def record(self) -> CourseRec:
        stop = self.stop.value()
        if stop is None:
            raise InputError("stop", "is required: the last day of the course")
        if not self.outcome.currentData():
            raise InputError("outcome", "choose how the course went")
        if not self.stop_reason.currentData():
            raise InputError("stop_reason", "choose why the course stopped")
        return CourseRec(kind=self._course.kind, start=self._course.start, stop=stop,
                         outcome=str(self.outcome.currentData()), stop_reason=str(self.stop_reason.currentData()),
                         id=self._course.id)


__all__ = ["OUTCOME_LABELS", "STOP_LABELS", "AddCourseDialog", "CourseSessionDialog", "EndCourseDialog"]
