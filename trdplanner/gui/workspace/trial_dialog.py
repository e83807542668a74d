"""Add or edit one treatment trial, seeing live whether it counts as adequate and why."""

from __future__ import annotations

import datetime as dt
from dataclasses import replace

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QComboBox,
    QCompleter,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QVBoxLayout,
    QWidget,
)

from trdplanner.catalog.drugs import builtin_drug_table
from trdplanner.clinical import (
    Adherence,
    ClinicalInputError,
    Drug,
    DrugTable,
    Outcome,
    StopReason,
    TrdSettings,
    TrialKind,
    assess_trial,
    trd_status,
)
from trdplanner.clinical.trd import TrdStatusKind
from trdplanner.clinical.trial_facts import DOSED_KINDS
from trdplanner.core.errors import InputError
from trdplanner.core.records import EpisodeRec, TrialRec
from trdplanner.core.services.summary import trial_facts
from trdplanner.gui.dates import DateField, first_unreadable
from trdplanner.gui.forms.errors import ErrorLabel, show_field_error
from trdplanner.gui.forms.record_fields import NumberField, add_row, combo
from trdplanner.gui.workspace.base import Banner, esc

DOSED = DOSED_KINDS  # clinical/trial_facts.py: the trials judged by dose and duration
KIND_LABELS: dict[str, str] = {
    TrialKind.ANTIDEPRESSANT_MONOTHERAPY: "Antidepressant (monotherapy)",
    TrialKind.SWITCH: "Antidepressant switch",
    TrialKind.COMBINATION: "Antidepressant combination",
    TrialKind.AUGMENTATION: "Augmentation",
    TrialKind.ESKETAMINE: "Esketamine",
    TrialKind.IV_KETAMINE: "IV ketamine",
    TrialKind.ECT: "ECT course",
    TrialKind.RTMS_ITBS: "rTMS / iTBS course",
    TrialKind.VNS: "VNS",
    TrialKind.PSYCHOTHERAPY: "Psychotherapy",
}
TRI_STATE = [("Not recorded", ""), ("Yes", "yes"), ("No", "no")]


def _tri(value: bool | None) -> str:
    return "" if value is None else ("yes" if value else "no")


def _from_tri(value: str) -> bool | None:
    return None if value == "" else value == "yes"


class TrialDialog(QDialog):
    def __init__(self, trial: TrialRec | None, others: list[TrialRec], episodes: list[EpisodeRec],
                 current: EpisodeRec | None, settings: TrdSettings, parent: QWidget | None = None,
                 drugs: DrugTable | None = None) -> None:
        super().__init__(parent)
        self._drugs = drugs or builtin_drug_table()
        self.setWindowTitle("Edit trial" if trial and trial.id else "Add trial")
        self._trial = trial or TrialRec(kind=TrialKind.ANTIDEPRESSANT_MONOTHERAPY,
                                        episode_number=current.number if current else None)
        self._others = [t for t in others if trial is None or t.id != trial.id]
        self._current = current
        self._settings = settings
        self.errors: dict[str, ErrorLabel] = {}
        self.inputs: dict[str, QWidget] = {}
        t = self._trial

        self.kind = self._reg("kind", combo([(KIND_LABELS[k], str(k)) for k in TrialKind],
                                            "What kind of treatment this trial was", t.kind))
        self.agent = self._reg("agent", self._line(
            "Drug or treatment, e.g. sertraline: generic and brand names complete from the drug table, "
            "which fills the class and minimum effective dose", t.agent))
        completer = QCompleter(list(self._drugs.completions()), self.agent)
        completer.setCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)
        completer.setFilterMode(Qt.MatchFlag.MatchContains)
        self.agent.setCompleter(completer)
        self.drug_class = QComboBox()
        self.drug_class.setEditable(True)
        self.drug_class.addItems(["", *self._drugs.classes])
        self.drug_class.setCurrentText(t.drug_class)
        self.drug_class.setToolTip("Drug class (SSRI, SNRI, TCA …): Thase-Rush staging counts distinct classes")
        self._reg("drug_class", self.drug_class)
        episode_options = [("Not linked (taken as current)", "")] + [
            (f"Episode {e.number}" + (" (current)" if current and e.number == current.number else ""), str(e.number))
            for e in episodes]
        self.episode = self._reg("episode_number", combo(
            episode_options, "Only trials in the current episode count toward TRD",
            str(t.episode_number) if t.episode_number else ""))
        self.dose = self._reg("dose", NumberField(decimals=2, tip="Dose reached", maximum=100000))
        self.dose.set_value(t.dose)
        self.dose_unit = self._reg("dose_unit", self._line("Unit of both doses, e.g. mg/day", t.dose_unit))
        self.dose_unit.setMaximumWidth(110)
        self.min_dose = self._reg("min_effective_dose", NumberField(
            decimals=2, tip="Minimum effective dose for this drug (from the prescriber or a guideline)",
            maximum=100000))
        self.min_dose.set_value(t.min_effective_dose)
        self.min_reason = self._reg("min_dose_reason", self._line(
            "Why this minimum differs from the drug table's (kept with the trial)", t.min_dose_reason))
        self.table_note = QLabel("")
        self.table_note.setTextFormat(Qt.TextFormat.PlainText)
        self.table_note.setWordWrap(True)
        self.table_note.setObjectName("muted")
        self.table_note.setToolTip("What the drug table says about this agent, with its source")
        self.start = self._reg("start", DateField(tip="When the trial started"))
        self.start.set_value(t.start)
        self.stop = self._reg("stop", DateField(tip="When it stopped; leave empty while ongoing"))
        self.stop.set_value(t.stop)
        self.weeks = self._reg("weeks_at_adequate_dose", NumberField(
            decimals=1, maximum=520, tip="Weeks at or above the minimum effective dose. Wins over the dates; "
                                         "record it when the dose was titrated slowly"))
        self.weeks.set_value(t.weeks_at_adequate_dose)
        self.adherence = self._reg("adherence", combo([(a.value.capitalize(), str(a)) for a in Adherence],
                                                      "How reliably the treatment was taken", t.adherence))
        self.instrument = self._reg("score_instrument", combo(
            [("None", ""), ("PHQ-9", "phq9"), ("QIDS-SR16", "qids_sr16"), ("HAM-D17", "hamd17"), ("MADRS", "madrs"),
             ("BDI-II", "bdi2")], "The measure the baseline and end scores come from", t.score_instrument))
        self.baseline = self._reg("baseline_score", NumberField(tip="Score at the start of the trial", maximum=63))
        self.baseline.set_value(t.baseline_score)
        self.end = self._reg("end_score", NumberField(tip="Score at the end (or now, if ongoing)", maximum=63))
        self.end.set_value(t.end_score)
        self.outcome = self._reg("outcome", combo(
            [("Work out from the scores", "")] + [(o.value.replace("_", " ").capitalize(), str(o)) for o in Outcome],
            "Outcome; left to the scores unless you record it", t.outcome))
        self.stop_reason = self._reg("stop_reason", combo(
            [("Not recorded", "")] + [(r.value.replace("_", " ").capitalize(), str(r)) for r in StopReason],
            "Why the trial stopped: stopping early for intolerance is not a failure", t.stop_reason))
        self.judged = self._reg("clinician_judged_adequate", combo(
            TRI_STATE, "For treatments with no dose rule: did the clinician judge the course adequate?",
            _tri(t.clinician_judged_adequate)))
        self.bilateral = self._reg("ect_bilateral", combo(
            [("Not recorded", ""), ("Bilateral", "yes"), ("Unilateral", "no")], "ECT electrode placement",
            _tri(t.ect_bilateral)))
        self.treatments = self._reg("treatments_count", NumberField(tip="Number of treatments or sessions",
                                                                    maximum=1000))
        self.treatments.set_value(t.treatments_count)
        self.side_effects = self._reg("side_effects", self._line("Side effects noticed", t.side_effects))
        self.prescriber = self._reg("prescriber", self._line("Who prescribed or delivered it", t.prescriber))
        self.notes = QPlainTextEdit(t.notes)
        self.notes.setTabChangesFocus(True)
        self.notes.setFixedHeight(60)
        self.notes.setToolTip("Anything else about this trial")
        self._reg("notes", self.notes)

        def form(rows: list[tuple[str, str]]) -> QFormLayout:
            f = QFormLayout()
            f.setLabelAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
            for label, name in rows:
                add_row(f, label, self.inputs[name], self.errors[name])
            return f

        self.form_what = form([("Kind", "kind"), ("Drug or treatment", "agent"), ("Class", "drug_class"),
                               ("Episode", "episode_number"), ("Prescriber", "prescriber")])
        self.form_dose = form([("Dose", "dose"), ("Minimum effective", "min_effective_dose"),
                               ("Why different", "min_dose_reason"), ("Unit", "dose_unit"),
                               ("Adherence", "adherence")])
        self.form_dose.addRow(self.table_note)
        self.form_time = form([("Start", "start"), ("Stop", "stop"), ("Weeks at dose", "weeks_at_adequate_dose"),
                               ("Stop reason", "stop_reason")])
        self.form_outcome = form([("Measure", "score_instrument"), ("Baseline score", "baseline_score"),
                                  ("End score", "end_score"), ("Outcome", "outcome")])
        self.form_course = form([("Judged adequate", "clinician_judged_adequate"), ("ECT placement", "ect_bilateral"),
                                 ("Treatments", "treatments_count")])
        self.form_other = form([("Side effects", "side_effects"), ("Notes", "notes")])
        self.dose_box = QGroupBox("Dose")
        self.dose_box.setLayout(self.form_dose)
        self.course_box = QGroupBox("Course")
        self.course_box.setLayout(self.form_course)

        def box(title: str, layout: QFormLayout) -> QGroupBox:
            g = QGroupBox(title)
            g.setLayout(layout)
            return g

        left = QVBoxLayout()
        left.addWidget(box("Treatment", self.form_what))
        left.addWidget(self.dose_box)
        left.addWidget(self.course_box)
        right = QVBoxLayout()
        right.addWidget(box("Timing", self.form_time))
        right.addWidget(box("Outcome", self.form_outcome))
        right.addWidget(box("Other", self.form_other))
        columns = QHBoxLayout()
        columns.addLayout(left, 1)
        columns.addLayout(right, 1)

        self.verdict = Banner("warning")
        self.verdict.setToolTip("Worked out live from what you enter, with the current TRD settings")
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Cancel)
        self.buttons.button(QDialogButtonBox.StandardButton.Save).setToolTip("Save this trial")
        self.buttons.button(QDialogButtonBox.StandardButton.Cancel).setToolTip("Close without saving")
        self.buttons.accepted.connect(self._accept)
        self.buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(self.verdict)
        layout.addLayout(columns)
        layout.addWidget(self.buttons)

        for w in self.inputs.values():
            for sig in ("currentIndexChanged", "textChanged", "dateChanged", "editTextChanged"):
                if hasattr(w, sig):
                    getattr(w, sig).connect(self.update_verdict)
        self._kind_changed()
        self.kind.currentIndexChanged.connect(self._kind_changed)
        self.agent.editingFinished.connect(self.fill_from_table)
        completer.activated.connect(lambda _text: self.fill_from_table())
        self.min_dose.textChanged.connect(self._reason_visibility)
        self.agent.textChanged.connect(self._reason_visibility)
        self._reason_visibility()
        self.update_verdict()
        self.agent.setFocus()

    # ---------------------------------------------------------------- drug table

    def table_drug(self) -> Drug | None:
        return self._drugs.lookup(self.agent.text())

    def fill_from_table(self) -> None:
        """Class and minimum effective dose from the table; a minimum already entered is kept (and needs a reason)."""
        drug = self.table_drug()
        if drug is None:
            self._reason_visibility()
            return
        self.drug_class.setCurrentText(drug.drug_class)
        if self.min_dose.value() is None and drug.min_dose is not None:
            self.min_dose.set_value(drug.min_dose)
            self.dose_unit.setText(drug.dose_unit)
        elif not self.dose_unit.text().strip():
            self.dose_unit.setText(drug.dose_unit)
        self._reason_visibility()
        self.update_verdict()

    def _overrides_table(self) -> bool:
        drug = self.table_drug()
        value = self.min_dose.value()
        return drug is not None and drug.min_dose is not None and value is not None and value != drug.min_dose

    def _reason_visibility(self, *_args: object) -> None:
        drug = self.table_drug()
        if drug is None:
            text = self.agent.text().strip()
            self.table_note.setText(
                f"'{text}' is not in the drug table: enter the class and minimum dose yourself."
                if text and TrialKind(self.kind.currentData()) in DOSED else "")
        else:
            source = drug.dose_source
            note = f" {source.note}" if source.note else ""
            self.table_note.setText(f"Drug table: {drug.name}, {drug.drug_class}, minimum {drug.min_dose_text}.{note}")
        row = self.min_reason.parentWidget()  # the field with its error line, as the form holds it
        if row is not None:
            self.form_dose.setRowVisible(row, self._overrides_table())

    def _line(self, tip: str, text: str) -> QLineEdit:
        w = QLineEdit(text)
        w.setToolTip(tip)
        return w

    def _reg(self, name: str, w):
        self.inputs[name] = w
        self.errors[name] = ErrorLabel()
        return w

    def _kind_changed(self) -> None:
        kind = TrialKind(self.kind.currentData())
        self.dose_box.setVisible(kind in DOSED)
        self.course_box.setVisible(kind not in DOSED)
        self.bilateral.setEnabled(kind is TrialKind.ECT)

    # ---------------------------------------------------------------- record

    def trial(self) -> TrialRec:
        ep = self.episode.currentData()
        return replace(
            self._trial,
            kind=str(self.kind.currentData()), agent=self.agent.text().strip(),
            drug_class=self.drug_class.currentText().strip(), episode_number=int(ep) if ep else None,
            dose=self.dose.value(), dose_unit=self.dose_unit.text().strip() or "mg/day",
            min_effective_dose=self.min_dose.value(),
            min_dose_reason=self.min_reason.text().strip() if self._overrides_table() else "",
            start=self.start.value(), stop=self.stop.value(),
            weeks_at_adequate_dose=self.weeks.value(), adherence=str(self.adherence.currentData()),
            score_instrument=str(self.instrument.currentData()), baseline_score=self.baseline.value(),
            end_score=self.end.value(), outcome=str(self.outcome.currentData()),
            stop_reason=str(self.stop_reason.currentData()), side_effects=self.side_effects.text().strip(),
            prescriber=self.prescriber.text().strip(), ect_bilateral=_from_tri(self.bilateral.currentData()),
            treatments_count=self.treatments.value(),
            clinician_judged_adequate=_from_tri(self.judged.currentData()), notes=self.notes.toPlainText(),
        )

    def _show_error(self, field: str, message: str) -> None:
        for name, label in self.errors.items():
            on = name == field
            show_field_error(self.inputs[name], label, message if on else "")

    def update_verdict(self, *_args: object) -> bool:
        """Assess the trial as entered; True when it is valid enough to save."""
        t = self.trial()
        today = dt.date.today()
        try:
            facts = trial_facts([t], self._current)
            assess_trial(facts[0], self._settings, as_of=today, drugs=self._drugs)  # raises on bad input
            overall = trd_status(trial_facts([*self._others, t], self._current), self._settings, as_of=today,
                                 drugs=self._drugs)
            # Judged with the other trials: a dose step of the same drug, or a drug that already failed,
            # is not another failure, and the verdict must say so.
            verdict = overall.assessments[-1]
        except ClinicalInputError as exc:
            self._show_error(exc.field, exc.message[0].upper() + exc.message[1:] + ".")
            self.verdict.set_level("danger")
            self.verdict.text.setText("<b>Cannot assess this trial yet.</b> Correct the highlighted field.")
            return False
        self._show_error("", "")
        if verdict.merged_into is not None:
            level, head = "ok", "Dose step of one trial"
        elif verdict.counts_toward_trd:
            level, head = "danger", "Counts as an adequate failed trial toward TRD"
        elif verdict.adequate:
            level, head = "ok", "Adequate trial" + (" — not a failure" if not verdict.failed else "")
        else:
            level, head = "warning", "Not counted as an adequate trial"
        if verdict.missing:
            head += f" (missing: {', '.join(verdict.missing)})"
        trd_line = {TrdStatusKind.TRD: "meets the TRD definition",
                    TrdStatusKind.NOT_TRD: "does not meet the TRD definition",
                    TrdStatusKind.INSUFFICIENT_DATA: "cannot be decided yet",
                    TrdStatusKind.NOT_APPLICABLE: "is outside the TRD definition"}[overall.status]
        n = overall.adequate_failed_trials
        self.verdict.set_level(level)
        self.verdict.text.setText(
            f"<b>{esc(head)}</b><br>{esc(verdict.reason)}<br>"
            f"<span>With this trial the episode {trd_line} "
            f"({n} distinct antidepressant{'' if n == 1 else 's'} with an adequate failed trial).</span>")
        return True

    def _accept(self) -> None:
        if first_unreadable(self) is not None:
            return
        if not self.update_verdict():
            return
        t = self.trial()
        if t.kind in DOSED and not t.agent:
            self._show_error("agent", "Name the drug, so the ledger is readable.")
            return
        if self._overrides_table() and not t.min_dose_reason:
            drug = self.table_drug()
            assert drug is not None
            self._show_error("min_dose_reason", f"Say why the minimum differs from the drug table's "
                                                f"{drug.min_dose:g} {drug.dose_unit}; the reason is kept.")
            return
        self.result_trial = t
        self.accept()

    def show_input_error(self, exc: InputError) -> None:
        self._show_error(exc.field.split(".")[-1], exc.problem[0].upper() + exc.problem[1:] + ".")
