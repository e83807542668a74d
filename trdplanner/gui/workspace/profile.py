"""The Profile tab: every field of the patient profile, validated at the field as you type."""

from __future__ import annotations

import re
from dataclasses import replace
from typing import Any

from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import (
    QFormLayout,
    QGridLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QScrollArea,
    QVBoxLayout,
    QWidget,
)

from trdplanner.core.errors import InputError, StaleError
from trdplanner.core.records import (
    CareTeamRec,
    ComorbidityRec,
    EpisodeRec,
    FactorRec,
    MedicationRec,
    PatientProfile,
)
from trdplanner.core.validate import check_profile
from trdplanner.core.vocab import FACTORS, Adherence, CareRole, FactorGroup, PatientStatus, RiskLevel, Severity
from trdplanner.gui.dates import DateField, first_unreadable
from trdplanner.gui.dialogs import show_error
from trdplanner.gui.forms.errors import ErrorLabel, show_field_error
from trdplanner.gui.forms.record_fields import add_row, combo, set_combo
from trdplanner.gui.forms.record_table import Column, RecordTable, RowError
from trdplanner.gui.patient_tab import TabKey
from trdplanner.gui.reflow import Place, Reflow
from trdplanner.gui.stale import ask_stale, differences
from trdplanner.gui.theme import icon
from trdplanner.gui.workspace.base import WorkspaceTab

EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
_LIST = re.compile(r"^(\w+)\[(\d+)\]")

FACTOR_OPTIONS = [(f"{g.label}: {label}", f"{g}:{key}") for g in FactorGroup for key, label in FACTORS[g].items()]


def _factor_make(v: dict[str, Any]) -> FactorRec:
    group, _, factor = str(v.get("factor") or ":").partition(":")
    return FactorRec(group=FactorGroup(group), factor=factor, details=v.get("details", ""))


class _FactorRow:
    """Factors are shown as one combo of 'Group: factor'; this adapts the record for the table."""

    def __init__(self, rec: FactorRec) -> None:
        self.factor = f"{rec.group}:{rec.factor}"
        self.details = rec.details


class ProfileTab(WorkspaceTab):
    key = TabKey.PROFILE

    def can_save(self) -> bool:
        return True

    def __init__(self, ctx, parent: QWidget | None = None) -> None:
        super().__init__(ctx, parent)
        self._profile: PatientProfile | None = None
        self._dirty = False
        self._loading = False
        self.errors: dict[str, ErrorLabel] = {}
        self.inputs: dict[str, QWidget] = {}

        def line(name: str, tip: str, placeholder: str = "") -> QLineEdit:
            w = QLineEdit()
            w.setToolTip(tip)
            w.setPlaceholderText(placeholder)
            w.textEdited.connect(self._edited)
            self.inputs[name] = w
            return w

        self.code = line("code", "Print code: identifies the patient on printed pages (letters, digits, . _ -)",
                         "e.g. P-0042")
        self.full_name = line("full_name", "Full legal name")
        self.preferred_name = line("preferred_name", "The name the patient likes to be called")
        self.pronouns = line("pronouns", "Pronouns, e.g. she/her", "she/her, he/him, they/them")
        self.date_of_birth = DateField(tip="Date of birth")
        self.date_of_birth.dateChanged.connect(self._edited)
        self.inputs["date_of_birth"] = self.date_of_birth
        self.status = combo([(s.label, str(s)) for s in PatientStatus],
                            "Active patients appear in the default list; archived ones are kept but hidden")
        self.inputs["status"] = self.status
        self.phone = line("phone", "Phone number")
        self.email = line("email", "Email address", "name@example.org")
        self.address = line("address", "Postal address")
        self.ec_name = line("emergency_contact_name", "Emergency contact's name")
        self.ec_relation = line("emergency_contact_relation", "How the emergency contact is related to the patient",
                                "partner, parent, friend…")
        self.ec_phone = line("emergency_contact_phone", "Emergency contact's phone number")
        self.diagnosis = line("primary_diagnosis", "Primary diagnosis in words",
                              "Major depressive disorder, recurrent, severe")
        self.icd10 = line("primary_diagnosis_icd10", "ICD-10 code of the primary diagnosis, like F33.2", "F33.2")
        self.icd10.setMaximumWidth(120)
        self.risk_level = combo([(r.label, str(r)) for r in RiskLevel], "The clinician's current risk rating")
        self.inputs["risk_level"] = self.risk_level
        self.risk_summary = QPlainTextEdit()
        self.risk_summary.setToolTip("Risk formulation: history, current thoughts, protective factors, plan")
        self.risk_summary.setPlaceholderText("Risk history, current thoughts, protective factors…")
        self.risk_summary.setTabChangesFocus(True)
        self.risk_summary.setFixedHeight(88)
        self.risk_summary.textChanged.connect(self._edited)
        self.inputs["risk_summary"] = self.risk_summary
        for box in (self.status, self.risk_level):
            box.currentIndexChanged.connect(self._edited)

        self.comorbidities = RecordTable(
            [Column("description", "Condition", "The co-occurring condition"),
             Column("icd10", "ICD-10", "ICD-10 code, like F41.1", width=90)],
            "condition", lambda v: ComorbidityRec(**v), "Co-occurring conditions",
        )
        self.factors = RecordTable(
            [Column("factor", "Factor", "Biological, psychological or lifestyle factor", "combo", FACTOR_OPTIONS, 330),
             Column("details", "Details", "What the clinician knows about it")],
            "factor", _factor_make, "Contributing factors",
        )
        self.care_team = RecordTable(
            [Column("role", "Role", "Their role in the patient's care", "combo",
                    [(r.label, str(r)) for r in CareRole], 130),
             Column("name", "Name", "Name of the clinician or service", width=180),
             Column("contact", "Contact", "Phone, email or address")],
            "care team member", lambda v: CareTeamRec(**v), "The patient's care team",
        )
        self.medications = RecordTable(
            [Column("name", "Medication", "Current medication", width=150),
             Column("dose", "Dose", "Dose with unit, e.g. 150 mg", width=90),
             Column("schedule", "Schedule", "When it is taken, e.g. once daily", width=110),
             Column("adherence", "Adherence", "How reliably it is taken", "combo",
                    [(a.value.capitalize(), str(a)) for a in Adherence], 100),
             Column("prescriber", "Prescriber", "Who prescribes it", width=130),
             Column("started_on", "Started", "Date started", "date", width=96)],
            "medication", lambda v: MedicationRec(**v), "Current medications (the treatment history tab holds trials)",
        )
        self.episodes = RecordTable(
            [Column("number", "No.", "Episode number, 1 for the first", "int", width=48),
             Column("onset", "Onset", "When the episode began", "date", width=100),
             Column("ended", "Ended", "Blank while the episode is current", "date", width=100),
             Column("severity", "Baseline severity", "Severity at the start (used for Maudsley staging)", "combo",
                    [("Not recorded", "")] + [(s.label, str(s)) for s in Severity], 140),
             Column("psychotic_features", "Psychotic features",
                    "Psychotic features in this episode: Yes, No, or Not recorded (Maudsley staging of a "
                    "severe episode needs the answer)", "tri", width=120)],
            "episode", lambda v: EpisodeRec(**v),
            "Depressive episodes. TRD is judged within the current one: the latest that has not ended",
        )
        for t in (self.comorbidities, self.factors, self.care_team, self.medications, self.episodes):
            t.edited.connect(self._edited)

        for name in ("code", "full_name", "preferred_name", "pronouns", "date_of_birth", "status", "phone", "email",
                     "address", "emergency_contact_name", "emergency_contact_relation", "emergency_contact_phone",
                     "primary_diagnosis", "primary_diagnosis_icd10", "risk_level", "risk_summary"):
            self.errors[name] = ErrorLabel()

        def form(rows: list[tuple[str, str]]) -> QFormLayout:
            f = QFormLayout()
            f.setLabelAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
            f.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
            f.setHorizontalSpacing(10)
            f.setVerticalSpacing(6)
            for label, name in rows:
                add_row(f, label, self.inputs[name], self.errors[name])
            return f

        identity = self._group("Identity", form([
            ("Print code", "code"), ("Full name", "full_name"), ("Preferred name", "preferred_name"),
            ("Pronouns", "pronouns"), ("Date of birth", "date_of_birth"), ("Status", "status")]))
        contact = self._group("Contact", form([
            ("Phone", "phone"), ("Email", "email"), ("Address", "address"),
            ("Emergency contact", "emergency_contact_name"), ("Relation", "emergency_contact_relation"),
            ("Their phone", "emergency_contact_phone")]))
        clinical = self._group("Diagnosis and risk", form([
            ("Primary diagnosis", "primary_diagnosis"), ("ICD-10", "primary_diagnosis_icd10"),
            ("Risk level", "risk_level"), ("Risk summary", "risk_summary")]))

        def table_group(title: str, table: RecordTable) -> QGroupBox:
            g = QGroupBox(title)
            QVBoxLayout(g).addWidget(table)
            return g

        grid = QGridLayout()
        grid.setHorizontalSpacing(14)
        grid.setVerticalSpacing(12)
        places = [Place(identity, 0, 0), Place(contact, 0, 1), Place(clinical, 1, 0, 2),
                  Place(table_group("Episodes", self.episodes), 2, 0, 2),
                  Place(table_group("Co-occurring conditions", self.comorbidities), 3, 0),
                  Place(table_group("Care team", self.care_team), 3, 1),
                  Place(table_group("Contributing factors", self.factors), 4, 0, 2),
                  Place(table_group("Current medications", self.medications), 5, 0, 2)]
        grid.setColumnStretch(0, 1)
        grid.setColumnStretch(1, 1)

        page = QWidget()
        page_layout = QVBoxLayout(page)
        page_layout.setContentsMargins(16, 12, 16, 16)
        page_layout.addLayout(grid)
        page_layout.addStretch(1)
        scroll = QScrollArea()
        scroll.setFocusPolicy(Qt.FocusPolicy.NoFocus)  # Tab goes to the fields, not the frame
        scroll.setWidgetResizable(True)
        scroll.setWidget(page)
        scroll.setFrameShape(QScrollArea.Shape.NoFrame)
        self.reflow = Reflow(grid, scroll.viewport(), places, 800)  # one column on a small screen

        self.save_button = QPushButton(icon("save"), "Save profile")
        self.save_button.setToolTip("Save the profile (Ctrl+S)")
        self.save_button.clicked.connect(self.save_current)
        self.revert_button = QPushButton("Discard changes")
        self.revert_button.setToolTip("Go back to the profile as last saved")
        self.revert_button.clicked.connect(self.discard_changes)
        self.state = QLabel()
        self.state.setProperty("role", "muted")
        bar = QHBoxLayout()
        bar.setContentsMargins(16, 8, 16, 8)
        bar.addWidget(self.state, 1)
        bar.addWidget(self.revert_button)
        bar.addWidget(self.save_button)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(scroll, 1)
        layout.addLayout(bar)
        self._check_timer = QTimer(self, singleShot=True, interval=250)
        self._check_timer.timeout.connect(self.validate)
        self._set_dirty(False)

    @staticmethod
    def _group(title: str, layout: Any) -> QGroupBox:
        g = QGroupBox(title)
        g.setLayout(layout)
        return g

    # ---------------------------------------------------------------- load / read

    def load(self, patient_id: int) -> None:
        self.fill(self.ctx.patients.get(patient_id))

    def clear(self) -> None:
        self._profile = None
        self._set_dirty(False)

    def fill(self, p: PatientProfile) -> None:
        self._loading = True
        self._profile = p
        for name in ("code", "full_name", "preferred_name", "pronouns", "phone", "email", "address",
                     "emergency_contact_name", "emergency_contact_relation", "emergency_contact_phone",
                     "primary_diagnosis", "primary_diagnosis_icd10"):
            w = self.inputs[name]
            assert isinstance(w, QLineEdit)
            w.setText(getattr(p, name))
        self.date_of_birth.set_value(p.date_of_birth)
        set_combo(self.status, p.status)
        set_combo(self.risk_level, p.risk_level)
        self.risk_summary.setPlainText(p.risk_summary)
        self.comorbidities.set_records(p.comorbidities)
        self.factors.set_records([_FactorRow(f) for f in p.factors])
        self.care_team.set_records(p.care_team)
        self.medications.set_records(p.medications)
        self.episodes.set_records(p.episodes)
        self._loading = False
        self._show_errors({})
        self._set_dirty(False)

    def profile(self) -> PatientProfile:
        """The form as a profile record; RowError for a malformed cell in a list."""
        assert self._profile is not None

        def text(name: str) -> str:
            w = self.inputs[name]
            assert isinstance(w, QLineEdit)
            return w.text().strip()

        return replace(
            self._profile,
            code=text("code"), full_name=text("full_name"), preferred_name=text("preferred_name"),
            pronouns=text("pronouns"), date_of_birth=self.date_of_birth.value(),
            status=PatientStatus(self.status.currentData()), phone=text("phone"), email=text("email"),
            address=text("address"), emergency_contact_name=text("emergency_contact_name"),
            emergency_contact_relation=text("emergency_contact_relation"),
            emergency_contact_phone=text("emergency_contact_phone"),
            primary_diagnosis=text("primary_diagnosis"),
            primary_diagnosis_icd10=text("primary_diagnosis_icd10").upper(),
            risk_level=RiskLevel(self.risk_level.currentData()), risk_summary=self.risk_summary.toPlainText(),
            comorbidities=self.comorbidities.records(), factors=self.factors.records(),
            care_team=self.care_team.records(), medications=self.medications.records(),
            episodes=self.episodes.records(),
        )

    # ---------------------------------------------------------------- validation

    def validate(self) -> bool:
        """Check the form; show each problem under its field. True when it can be saved."""
        if self._profile is None:
            return False
        problems: dict[str, tuple[int | None, str]] = {}
        for name, table in self._tables().items():
            try:
                table.records()
            except RowError as exc:
                problems[name] = (exc.row, str(exc))
        if problems:
            self._show_errors(problems)
            return False
        p = self.profile()
        if p.email and not EMAIL.match(p.email):
            problems["email"] = (None, "This does not look like an email address (name@example.org).")
        try:
            check_profile(p)
        except InputError as exc:
            problems[_top(exc.field)] = (_row(exc.field), _message(exc))
        self._show_errors(problems)
        return not problems

    def _tables(self) -> dict[str, RecordTable]:
        return {"comorbidities": self.comorbidities, "factors": self.factors, "care_team": self.care_team,
                "medications": self.medications, "episodes": self.episodes}

    def _show_errors(self, problems: dict[str, tuple[int | None, str]]) -> None:
        for name, label in self.errors.items():
            msg = problems.get(name, (None, ""))[1]
            show_field_error(self.inputs[name], label, msg)
        for name, table in self._tables().items():
            row, msg = problems.get(name, (None, ""))
            table.show_row_error(row, msg)
        if problems:
            self.state.setText(f"{len(problems)} field{'s' if len(problems) > 1 else ''} to correct before saving")

    # ---------------------------------------------------------------- save

    def _edited(self, *_args: object) -> None:
        if self._loading or self._profile is None:
            return
        self._set_dirty(True)
        self._check_timer.start()

    def _set_dirty(self, dirty: bool) -> None:
        self._dirty = dirty
        self.save_button.setEnabled(dirty)
        self.revert_button.setEnabled(dirty)
        self.state.setText("Unsaved changes" if dirty else ("Saved" if self._profile else ""))
        self.dirty_changed.emit(dirty)

    def has_unsaved_changes(self) -> bool:
        return self._dirty

    def discard_changes(self) -> None:
        if self._profile is not None:
            self.fill(self._profile)

    def save_current(self) -> bool:
        if self._profile is None:
            return False
        if first_unreadable(self) is not None:
            return False
        if not self.validate():
            return False
        try:
            saved = self.ctx.patients.update(self.profile())
        except InputError as exc:
            self._show_errors({_top(exc.field): (_row(exc.field), _message(exc))})
            return False
        except StaleError as exc:
            return self._resolve_stale(exc)
        except Exception as exc:
            show_error(self, "Could not save the profile", exc)
            return False
        self.fill(saved)
        self.state.setText("Saved")
        self.notify_saved()
        return True


    def _resolve_stale(self, exc: StaleError) -> bool:
        """Someone else saved this profile since it was loaded: reload theirs, or keep mine on top."""
        mine = self.profile()
        assert mine.id is not None
        theirs = self.ctx.patients.get(mine.id)
        choice = ask_stale(self, exc, "This patient's profile", differences(mine, theirs))
        if choice == "reload":
            self.fill(theirs)
            self.state.setText("Reloaded their version")
            return False
        if choice == "keep":
            mine.version = theirs.version
            try:
                saved = self.ctx.patients.update(mine)
            except Exception as again:
                show_error(self, "Could not save the profile", again)
                return False
            self.fill(saved)
            self.state.setText("Saved (yours, over theirs)")
            self.notify_saved()
            return True
        return False


def _top(field: str) -> str:
    m = _LIST.match(field)
    return m.group(1) if m else field.split(".")[0]


def _row(field: str) -> int | None:
    m = _LIST.match(field)
    return int(m.group(2)) if m else None


def _message(exc: InputError) -> str:
    problem = exc.problem
    if _row(exc.field) is not None:
        sub = exc.field.split(".")[-1].replace("_", " ")
        return f"Row {(_row(exc.field) or 0) + 1}, {sub}: {problem}."
    return problem[0].upper() + problem[1:] + "."

