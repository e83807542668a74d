"""The structured risk review inside the note editor.

Shown when a suicidality item is positive in the session or an alert is still open (the rule
lives in the note service). Each part is its own box, so signing can name what is missing;
the note's text for this section is written from the parts (``clinical.review_text``).
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QCheckBox, QComboBox, QFormLayout, QLabel, QLineEdit, QVBoxLayout, QWidget

from trdplanner.clinical import RiskFormulation, SafetyPlanAction, review_text
from trdplanner.clinical.risk import ACTION_TEXT_PARTS, FORMULATION_PART, REVIEW_TEXT_PARTS, SAFETY_PLAN_PART
from trdplanner.gui.forms.fields import PlainText, hint_label


class RiskReviewBox(QWidget):
    """Edits one note's risk review. ``changed`` fires on every edit (the editor autosaves)."""

    changed = Signal()

    def __init__(self, section_id: str, title: str, reasons: list[str], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.section_id = section_id
        self.title = title
        self.reasons = list(reasons)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 4, 0, 8)
        layout.setSpacing(3)
        self.label = QLabel(title)
        self.label.setProperty("role", "fieldlabel")
        layout.addWidget(self.label)
        why = "; ".join(self.reasons) if self.reasons else "added by the clinician"
        self.why = hint_label(
            f"Required before signing because: {why}. Answer every part in your own words; "
            "the note's text is written from these answers."
        )
        self.why.setProperty("role", "warning")
        layout.addWidget(self.why)
        form = QFormLayout()
        form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        self.texts: dict[str, PlainText | QLineEdit] = {}
        for part in REVIEW_TEXT_PARTS:
            edit = PlainText(2)
            edit.setToolTip(part.hint)
            edit.setAccessibleName(part.label)
            edit.setPlaceholderText(part.hint)
            edit.textChanged.connect(self.changed)
            self.texts[part.key] = edit
            form.addRow(part.label, edit)
        self.formulation = QComboBox()
        self.formulation.addItem("Choose…", "")
        for f in RiskFormulation:
            self.formulation.addItem(f.label, f.value)
        self.formulation.setToolTip(FORMULATION_PART.hint)
        self.formulation.setAccessibleName(FORMULATION_PART.label)
        self.formulation.currentIndexChanged.connect(self.changed)
        form.addRow(FORMULATION_PART.label, self.formulation)
        self.safety_plan = QComboBox()
        self.safety_plan.addItem("Choose…", "")
        for a in SafetyPlanAction:
            self.safety_plan.addItem(a.label, a.value)
        self.safety_plan.setToolTip(SAFETY_PLAN_PART.hint)
        self.safety_plan.setAccessibleName(SAFETY_PLAN_PART.label)
        self.safety_plan.currentIndexChanged.connect(self.changed)
        form.addRow(SAFETY_PLAN_PART.label, self.safety_plan)
        for part in ACTION_TEXT_PARTS:
            line = QLineEdit()
            line.setToolTip(part.hint)
            line.setPlaceholderText(part.hint)
            line.setAccessibleName(part.label)
            line.textChanged.connect(self.changed)
            self.texts[part.key] = line
            form.addRow(part.label, line)
        self.acknowledge = QCheckBox("Acknowledge the open alerts when I sign (records my name and the time)")
        self.acknowledge.toggled.connect(self.changed)
        form.addRow("", self.acknowledge)
        layout.addLayout(form)

    # ------------------------------------------------------------------ values

    def fields(self) -> dict[str, Any]:
        out: dict[str, Any] = {}
        for key, edit in self.texts.items():
            out[key] = edit.toPlainText() if isinstance(edit, PlainText) else edit.text()
        out["formulation"] = str(self.formulation.currentData() or "")
        out["safety_plan"] = str(self.safety_plan.currentData() or "")
        out["acknowledge_alerts"] = self.acknowledge.isChecked()
        return out

    def set_fields(self, fields: dict[str, Any] | None) -> None:
        fields = fields or {}
        for key, edit in self.texts.items():
            value = str(fields.get(key) or "")
            if isinstance(edit, PlainText):
                edit.setPlainText(value)
            else:
                edit.setText(value)
        self.formulation.setCurrentIndex(max(0, self.formulation.findData(fields.get("formulation") or "")))
        self.safety_plan.setCurrentIndex(max(0, self.safety_plan.findData(fields.get("safety_plan") or "")))
        self.acknowledge.setChecked(bool(fields.get("acknowledge_alerts")))

    def text(self) -> str:
        return review_text(self.fields(), self.reasons)

    def set_read_only(self, on: bool) -> None:
        for edit in self.texts.values():
            edit.setReadOnly(on)
        self.formulation.setEnabled(not on)
        self.safety_plan.setEnabled(not on)
        self.acknowledge.setEnabled(not on)
