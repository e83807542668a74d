"""File ▸ Preferences: printing, clinical thresholds (with their sources), autosave.

Thresholds the clinical reference could not confirm carry an "unverified" tag and
their source in the tooltip, straight from ``trdplanner.clinical.setting_notes``.
"""

from __future__ import annotations

from dataclasses import replace

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from trdplanner.clinical import SettingNote, setting_notes
from trdplanner.gui.theme import hex_colour
from trdplanner.settings import PageSize, PrintIdentity, Settings, SettingsError

# Settings field -> the clinical settings field it feeds (they share names except adequacy weeks).
CLINICAL_NAME = {"adequacy_weeks": "min_weeks"}


def clinical_notes(s: Settings) -> dict[str, SettingNote]:
    notes = {n.name: n for n in (*setting_notes(s.trd_settings()), *setting_notes(s.change_settings()),
                                 *setting_notes(s.course_settings()))}
    return {name: notes[CLINICAL_NAME.get(name, name)] for name in
            ("adequacy_weeks", "partial_response_counts_as_failure", "partial_adherence_is_adequate",
             "intolerance_stop_counts_as_failure", "phq9_reliable_change", "gad7_remission_max",
             "madrs_remission_max", "bdi2_remission_max", "ect_min_treatments", "tms_min_sessions")}


class PreferencesDialog(QDialog):
    def __init__(self, settings: Settings, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Preferences")
        self._settings = settings
        self.notes = clinical_notes(settings)

        self.page_size = QComboBox()
        for p in PageSize:
            self.page_size.addItem(p.value, p)
        self.page_size.setCurrentIndex(self.page_size.findData(settings.page_size))
        self.page_size.setToolTip("Paper size for every printout and PDF")
        self.identity = QComboBox()
        for value, label in ((PrintIdentity.CODE, "Print code only (most private)"),
                             (PrintIdentity.INITIALS, "Initials and print code"),
                             (PrintIdentity.NAME, "Full name")):
            self.identity.addItem(label, value)
        self.identity.setCurrentIndex(self.identity.findData(settings.print_identity))
        self.identity.setToolTip("How the patient is named on printed pages and PDFs")
        self.pdf_name = QCheckBox("Put the patient's name in PDF file properties")
        self.pdf_name.setChecked(settings.pdf_name_in_metadata)
        self.pdf_name.setToolTip("Off by default: file properties travel with the PDF wherever it is sent")
        printing = QGroupBox("Printing")
        pf = QFormLayout(printing)
        pf.addRow("Page size", self.page_size)
        pf.addRow("Identify patients by", self.identity)
        pf.addRow("", self.pdf_name)

        self.weeks = self._spin(4, 6, settings.adequacy_weeks, " weeks")
        self.partial_failure = QCheckBox("Count a partial response (25–49% better) as a failed trial")
        self.partial_failure.setChecked(settings.partial_response_counts_as_failure)
        self.partial_adherence = QCheckBox("Treat partial adherence as adequate")
        self.partial_adherence.setChecked(settings.partial_adherence_is_adequate)
        self.intolerance = QCheckBox("Count an adequate trial stopped for intolerance as a failed trial")
        self.intolerance.setChecked(settings.intolerance_stop_counts_as_failure)
        self.reliable = QComboBox()
        for v in (5, 6):
            self.reliable.addItem(f"{v} points", v)
        self.reliable.setCurrentIndex(self.reliable.findData(settings.phq9_reliable_change))
        self.gad7 = self._spin(0, 21, settings.gad7_remission_max, " or less")
        self.madrs = self._spin(0, 60, settings.madrs_remission_max, " or less")
        self.bdi2 = self._spin(0, 63, settings.bdi2_remission_max, " or less")
        self.ect_min = self._spin(1, 30, settings.ect_min_treatments, " treatments")
        self.tms_min = self._spin(1, 60, settings.tms_min_sessions, " sessions")
        clinical = QGroupBox("Clinical thresholds")
        cf = QFormLayout(clinical)
        cf.setLabelAlignment(Qt.AlignmentFlag.AlignRight)
        self._row(cf, "Adequate trial needs", self.weeks, "adequacy_weeks")
        self._row(cf, "", self.partial_failure, "partial_response_counts_as_failure")
        self._row(cf, "", self.partial_adherence, "partial_adherence_is_adequate")
        self._row(cf, "", self.intolerance, "intolerance_stop_counts_as_failure")
        self._row(cf, "PHQ-9 reliable change", self.reliable, "phq9_reliable_change")
        self._row(cf, "GAD-7 remission", self.gad7, "gad7_remission_max")
        self._row(cf, "MADRS remission", self.madrs, "madrs_remission_max")
        self._row(cf, "BDI-II remission", self.bdi2, "bdi2_remission_max")
        self._row(cf, "Adequate ECT course", self.ect_min, "ect_min_treatments")
        self._row(cf, "Adequate TMS course", self.tms_min, "tms_min_sessions")
        legend = QLabel(f"<span style='color:{hex_colour('warning')}'><b>unverified</b></span>: the clinical "
                        "reference could not confirm this cut-off in a second source. Hover over a setting to "
                        "see where its value comes from.")
        legend.setWordWrap(True)
        legend.setProperty("role", "muted")
        cf.addRow(legend)

        self.autosave = self._spin(1, 60, settings.autosave_seconds, " seconds")
        self.autosave.setToolTip("How often drafts (notes, filled forms) are saved while you type")
        self.lock = self._spin(1, 240, settings.lock_after_minutes, " minutes")
        self.lock.setToolTip("Lock the app after this long without use")
        self.backups = self._spin(1, 100, settings.backups_to_keep, "")
        self.backups.setToolTip("How many database backups to keep in the data folder")
        general = QGroupBox("Working")
        gf = QFormLayout(general)
        gf.addRow("Autosave every", self.autosave)
        gf.addRow("Lock after", self.lock)
        gf.addRow("Backups to keep", self.backups)

        self.error = QLabel()
        self.error.setProperty("role", "fieldError")
        self.error.setWordWrap(True)
        self.error.hide()
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Cancel
                                   | QDialogButtonBox.StandardButton.RestoreDefaults)
        buttons.button(QDialogButtonBox.StandardButton.Save).setToolTip("Save and apply the preferences")
        buttons.button(QDialogButtonBox.StandardButton.Cancel).setToolTip("Close without changing anything")
        defaults = buttons.button(QDialogButtonBox.StandardButton.RestoreDefaults)
        defaults.setToolTip("Put every preference back to its default (saved only when you press Save)")
        defaults.clicked.connect(self._defaults)
        buttons.accepted.connect(self._accept)
        buttons.rejected.connect(self.reject)
        columns = QHBoxLayout()
        left = QVBoxLayout()
        left.addWidget(printing)
        left.addWidget(general)
        left.addStretch(1)
        columns.addLayout(left)
        columns.addWidget(clinical, 1)
        layout = QVBoxLayout(self)
        layout.addLayout(columns)
        layout.addWidget(self.error)
        layout.addWidget(buttons)

    def _spin(self, lo: int, hi: int, value: int, suffix: str) -> QSpinBox:
        s = QSpinBox()
        s.setRange(lo, hi)
        s.setValue(value)
        s.setSuffix(suffix)
        s.setMaximumWidth(150)
        return s

    def _row(self, form: QFormLayout, label: str, widget: QWidget, name: str) -> None:
        note = self.notes[name]
        tip = f"Source: {note.source}" + (f"\n{note.note}" if note.note else "")
        widget.setToolTip(tip)
        row = QHBoxLayout()
        row.addWidget(widget)
        tag = QLabel(f"<span style='color:{hex_colour('warning' if not note.verified else 'ok')}'>"
                     f"{'unverified' if not note.verified else 'verified'}</span>")
        tag.setToolTip(tip)
        tag.setObjectName(f"tag_{name}")
        row.addWidget(tag)
        row.addStretch(1)
        box = QWidget()
        box.setLayout(row)
        row.setContentsMargins(0, 0, 0, 0)
        form.addRow(label, box)

    def _fill(self, s: Settings) -> None:
        self.page_size.setCurrentIndex(self.page_size.findData(s.page_size))
        self.identity.setCurrentIndex(self.identity.findData(s.print_identity))
        self.pdf_name.setChecked(s.pdf_name_in_metadata)
        self.weeks.setValue(s.adequacy_weeks)
        self.partial_failure.setChecked(s.partial_response_counts_as_failure)
        self.partial_adherence.setChecked(s.partial_adherence_is_adequate)
        self.intolerance.setChecked(s.intolerance_stop_counts_as_failure)
        self.reliable.setCurrentIndex(self.reliable.findData(s.phq9_reliable_change))
        self.gad7.setValue(s.gad7_remission_max)
        self.madrs.setValue(s.madrs_remission_max)
        self.bdi2.setValue(s.bdi2_remission_max)
        self.ect_min.setValue(s.ect_min_treatments)
        self.tms_min.setValue(s.tms_min_sessions)
        self.autosave.setValue(s.autosave_seconds)
        self.lock.setValue(s.lock_after_minutes)
        self.backups.setValue(s.backups_to_keep)

    def _defaults(self) -> None:
        self._fill(Settings())

    def settings(self) -> Settings:
        return replace(
            self._settings,
            page_size=self.page_size.currentData(), print_identity=self.identity.currentData(),
            pdf_name_in_metadata=self.pdf_name.isChecked(), adequacy_weeks=self.weeks.value(),
            partial_response_counts_as_failure=self.partial_failure.isChecked(),
            partial_adherence_is_adequate=self.partial_adherence.isChecked(),
            intolerance_stop_counts_as_failure=self.intolerance.isChecked(),
            phq9_reliable_change=int(self.reliable.currentData()), gad7_remission_max=self.gad7.value(),
            madrs_remission_max=self.madrs.value(), bdi2_remission_max=self.bdi2.value(),
            ect_min_treatments=self.ect_min.value(), tms_min_sessions=self.tms_min.value(),
            autosave_seconds=self.autosave.value(), lock_after_minutes=self.lock.value(),
            backups_to_keep=self.backups.value(),
        )

    def _accept(self) -> None:
        try:
            self.settings().validate()
        except SettingsError as exc:
            self.error.setText(f"{exc}. Correct it and save again.")
            self.error.show()
            return
        self.accept()
