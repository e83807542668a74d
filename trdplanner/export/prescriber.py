"""A letter to the prescriber: TRD status and staging, the measure trend, current treatment and
risk, for one patient over a period, with no psychotherapy note content.

Built from the same records as the progress report (it reuses its sections for the identity
block, the score charts and table, and treatment resistance); what it leaves out is the point:
no note text, no worksheet answers, only the number and kind of sessions held.
"""

from __future__ import annotations

from reportlab.lib.units import mm
from reportlab.platypus import Flowable, Paragraph, Spacer

from trdplanner.clinical import Instrument, flag_phrases
from trdplanner.export.base import DocInfo
from trdplanner.export.identity import patient_doc_info
from trdplanner.export.layout import data_table
from trdplanner.export.report import ReportDocument, risk_paragraphs
from trdplanner.export.scores import change_text
from trdplanner.export.styles import GAP
from trdplanner.export.text import markup


class PrescriberLetterDocument(ReportDocument):
    def info(self) -> DocInfo:
        about = f"{self.start.isoformat()} to {self.end.isoformat()}"
        data = self.data
        return patient_doc_info("Letter to the prescriber", about, data.profile, data.clinician, self.settings)

    def story(self) -> list[Flowable]:
        s, w = self.styles, self.body_width()
        prescribers = [m.name for m in self.data.profile.care_team if m.role == "prescriber" and m.name]
        to = f"To {markup(', '.join(prescribers))}" if prescribers else "To the prescriber"
        story: list[Flowable] = [
            Paragraph("Letter to the prescriber", s.title),
            Paragraph(
                f"{self.start.isoformat()} to {self.end.isoformat()} · prepared {self.today.isoformat()}", s.subtitle
            ),
            self._identity(w),
            Spacer(1, GAP),
            Paragraph(
                f"{to}: a summary of treatment resistance, outcome measures, current treatment and risk. "
                "It contains no psychotherapy note content.",
                s.body,
            ),
            Spacer(1, GAP),
        ]
        story += self._resistance(w)
        story += self._trend(w)
        story += self._charts(w)
        story += self._treatment(w)
        story += self._risk(w)
        story += self._closing()
        return story

    def _trend(self, w: float) -> list[Flowable]:
        s = self.styles
        out: list[Flowable] = [Spacer(1, GAP), Paragraph("Measure trend", s.heading)]
        latest: dict[str, object] = {}
        for m in self._measures():
            latest[m.record.instrument] = m
        if not latest:
            return [*out, Paragraph("No scores were recorded in this period.", s.body)]
        rows = []
        for instrument in latest:
            every = [m for m in self._measures() if m.record.instrument == instrument]
            first, last = every[0], every[-1]
            rows.append(
                [
                    Instrument(instrument).display_name,
                    f"{first.score.total} on {first.record.taken_on.isoformat()}",
                    f"{last.score.total} ({markup(last.score.severity)}) on {last.record.taken_on.isoformat()}",
                    str(len(every)),
                    change_text(last),
                ]
            )
        widths = [w * f for f in (0.14, 0.2, 0.3, 0.1, 0.26)]
        header = ["Measure", "First in period", "Latest", "Scores", "Change from first on file"]
        return [*out, data_table(s, header, rows, widths)]

    def _treatment(self, w: float) -> list[Flowable]:
        s, p = self.styles, self.data.profile
        out: list[Flowable] = [Spacer(1, GAP), Paragraph("Current treatment", s.heading)]
        if p.medications:
            rows = [
                [
                    markup(m.name),
                    markup(m.dose),
                    markup(m.schedule),
                    markup(m.adherence.replace("_", " ")),
                    markup(m.prescriber),
                ]
                for m in p.medications
            ]
            widths = [w * f for f in (0.24, 0.14, 0.2, 0.16, 0.26)]
            header = ["Medication", "Dose", "Schedule", "Adherence on file", "Prescriber"]
            out.append(data_table(s, header, rows, widths))
        else:
            out.append(Paragraph("No current medication on file.", s.body))
        ongoing = [t for t in self.data.summary.trials if t.stop is None and t.start is not None]
        for t in ongoing:
            dose = f" {t.dose:g} {t.dose_unit}" if t.dose is not None else ""
            out.append(
                Paragraph(
                    f"Ongoing trial: {markup(t.agent or t.kind.replace('_', ' '))}{markup(dose)}, "
                    f"since {t.start.isoformat() if t.start else 'unknown'}.",
                    s.body,
                )
            )
        held = self.held
        modalities = sorted({b.session.modality.upper() for b in held if b.session.modality})
        kinds = f" ({', '.join(modalities)})" if modalities else ""
        out.append(Paragraph(f"Psychotherapy: {len(held)} session(s) held in this period{markup(kinds)}.", s.body))
        return out

    def _risk(self, w: float) -> list[Flowable]:
        s, summary = self.styles, self.data.summary
        out: list[Flowable] = [Spacer(1, GAP), Paragraph("Risk", s.heading)]
        findings = [
            f"{'; '.join(flag_phrases(m.score))} on {m.record.taken_on.isoformat()}"
            for m in self._measures()
            if m.needs_alert
        ]
        if findings:
            out.append(Paragraph("<b>Suicidality item above 0 in this period:</b>", s.body))
            out += [Paragraph(f"<b>{markup(f)}</b>", s.body) for f in findings]
        else:
            out.append(Paragraph("No suicidality item above 0 was recorded in this period.", s.body))
        out.append(Paragraph("Risk now", s.subheading))
        out += risk_paragraphs(summary.risk_findings, s.body)
        return out

    def _closing(self) -> list[Flowable]:
        s = self.styles
        clinician = self.data.clinician.display if self.data.clinician else ""
        out: list[Flowable] = [Spacer(1, 8 * mm), Paragraph("With kind regards,", s.body), Spacer(1, 10 * mm)]
        if clinician:
            out.append(Paragraph(markup(clinician), s.body))
        if self.data.practice and self.data.practice.name:
            out.append(Paragraph(markup(self.data.practice.name), s.small))
        return out


__all__ = ["PrescriberLetterDocument"]
