"""The progress report for one patient over a period.

Order: who and when; a summary; the score charts and a table of every score; treatment
resistance (TRD status, each trial's assessment, Thase-Rush and Maudsley with their
breakdowns); the treatment-plan objectives; the sessions held (planned, cancelled, late-cancelled
and no-show sessions are never counted as held); then each held session's assessment and plan
(the full notes with ``full_notes``).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.platypus import CondPageBreak, Flowable, HRFlowable, KeepTogether, Paragraph, Spacer

from trdplanner.clinical import Instrument
from trdplanner.core.risk_findings import RiskFinding, Urgency
from trdplanner.core.services.templating import SessionBundle, measures_of_session
from trdplanner.core.views import PatientSessions, ScoredMeasure
from trdplanner.core.vocab import NoteStatus, SessionStatus
from trdplanner.export.base import DocInfo, PdfDocument, PdfOptions
from trdplanner.export.charts import ChartSpec, Series, score_chart, trial_label
from trdplanner.export.identity import patient_doc_info, patient_label, session_label
from trdplanner.export.layout import data_table, grid, kept
from trdplanner.export.note import NoteContent, note_body, note_title
from trdplanner.export.scores import change_text, flag_labels
from trdplanner.export.styles import GAP, RULE, TINT
from trdplanner.export.text import markup
from trdplanner.settings import Settings

CHARTED = (Instrument.PHQ9, Instrument.GAD7, Instrument.QIDS_SR16)


def risk_paragraphs(findings: Sequence[RiskFinding], style: ParagraphStyle) -> list[Flowable]:
    """The risk findings (core/risk_findings.py) as they are, one paragraph each, urgent ones in bold."""
    out: list[Flowable] = []
    for f in findings:
        text = markup(f.text)
        out.append(Paragraph(f"<b>{text}</b>" if f.urgency is Urgency.DANGER else text, style))
    return out


def period_of(data: PatientSessions, today: dt.date) -> tuple[dt.date, dt.date]:
    """The period printed: as asked, else from the first session or score to the last one or today."""
    dates = [m.record.taken_on for m in data.summary.measures] + [s.date for s in data.sessions]
    start = data.start or (min(dates) if dates else today)
    end = data.end or max([today, *dates])
    return start, end


class ReportDocument(PdfDocument):
    def __init__(
        self,
        data: PatientSessions,
        settings: Settings,
        options: PdfOptions | None = None,
        today: dt.date | None = None,
        *,
        full_notes: bool = False,
    ) -> None:
        super().__init__(options)
        self.data = data
        self.settings = settings
        self.full_notes = full_notes
        created = self.options.created_at
        self.today = today or (created.date() if created else dt.date.today())
        self.start, self.end = period_of(data, self.today)

    def info(self) -> DocInfo:
        about = f"{self.start.isoformat()} to {self.end.isoformat()}"
        return patient_doc_info("Progress report", about, self.data.profile, self.data.clinician, self.settings)

    @property
    def held(self) -> list[SessionBundle]:
        """Sessions in the period that were held: the only ones counted or listed."""
        return [b for b in self.data.bundles if _held(b.session.status)]

    @property
    def not_held(self) -> list[SessionBundle]:
        return [b for b in self.data.bundles if _called_off(b.session.status)]

    def _measures(self) -> list[ScoredMeasure]:
        return [m for m in self.data.summary.measures if self.start <= m.record.taken_on <= self.end]

    def story(self) -> list[Flowable]:
        s, w = self.styles, self.body_width()
        story: list[Flowable] = [
            Paragraph("Progress report", s.title),
            Paragraph(
                f"{self.start.isoformat()} to {self.end.isoformat()} · prepared {self.today.isoformat()}", s.subtitle
            ),
            self._identity(w),
            Spacer(1, GAP),
        ]
        story += self._summary(w)
        story += self._charts(w)
        story += self._scores_table(w)
        story += self._resistance(w)
        story += self._objectives(w)
        story += self._timeline(w)
        story += self._notes(w)
        return story

    # ------------------------------------------------------------------ sections

    def _identity(self, w: float) -> Flowable:
        s, p = self.styles, self.data.profile
        diagnosis = p.primary_diagnosis + (f" ({p.primary_diagnosis_icd10})" if p.primary_diagnosis_icd10 else "")
        pairs = [
            ("Patient", patient_label(p, self.settings)),
            ("Code", p.code),
            ("Diagnosis", diagnosis),
            ("Clinician", self.data.clinician.display if self.data.clinician else ""),
            ("Practice", self.data.practice.name if self.data.practice else ""),
            ("Sessions held in period", str(len(self.held))),
        ]
        if pairs[0][1] == p.code:  # the privacy setting prints the code as the name already
            pairs = [pair for pair in pairs if pair[0] != "Code"]
        cells = [[Paragraph(k.upper(), s.help), Paragraph(markup(v or "not recorded"), s.small)] for k, v in pairs]
        rows: list[list[Any]] = [cells[i : i + 3] for i in range(0, len(cells), 3)]
        rows[-1] += [""] * (3 - len(rows[-1]))
        return grid(
            rows,
            [w / 3] * 3,
            [
                ("BACKGROUND", (0, 0), (-1, -1), TINT),
                ("LEFTPADDING", (0, 0), (-1, -1), 2.5 * mm),
                ("TOPPADDING", (0, 0), (-1, -1), 1.6 * mm),
                ("BOTTOMPADDING", (0, 0), (-1, -1), 1.6 * mm),
            ],
        )

    def _summary(self, w: float) -> list[Flowable]:
        s, summary = self.styles, self.data.summary
        out: list[Flowable] = [Paragraph("Summary", s.heading)]
        lines = [
            f"<b>TRD status:</b> {markup(summary.trd.explanation)}",
            f"<b>Thase-Rush stage:</b> {summary.thase_rush.roman}",
        ]
        msm = summary.maudsley
        if msm.total is not None:
            lines.append(f"<b>Maudsley Staging Method:</b> {msm.total} of 15 ({msm.category})")
        else:
            lines.append("<b>Maudsley Staging Method:</b> not scored")
        latest = self._measures()
        by_instrument: dict[str, ScoredMeasure] = {}
        for m in latest:
            by_instrument[m.record.instrument] = m
        for m in by_instrument.values():
            name = Instrument(m.record.instrument).display_name
            lines.append(
                f"<b>Latest {name}:</b> {m.score.total}/{m.score.max_total} ({markup(m.score.severity)}) on "
                f"{m.record.taken_on.isoformat()}; change from baseline: {change_text(m)}"
            )
        alerts = [m for m in latest if m.needs_alert]
        if alerts:
            named = ", ".join(
                f"{Instrument(m.record.instrument).display_name} {m.record.taken_on.isoformat()}" for m in alerts
            )
            lines.append(f"<b>Suicidality item positive in this period ({len(alerts)}): {named}.</b>")
        out += [Paragraph(line, s.body) for line in lines]
        out.append(Paragraph("<b>Risk now:</b>", s.body))
        out += risk_paragraphs(summary.risk_findings, s.body)
        return out

    def _charts(self, w: float) -> list[Flowable]:
        s, summary = self.styles, self.data.summary
        out: list[Flowable] = []
        for instrument in CHARTED:
            every = [m for m in summary.measures if m.record.instrument == instrument]
            points = [(m.record.taken_on, m.score.total) for m in every if self.start <= m.record.taken_on <= self.end]
            if not points:
                continue
            chart = ChartSpec(
                width=w,
                height=64 * mm,
                start=self.start,
                end=self.end,
                trials=summary.trials,
                change_settings=self.settings.change_settings(),
            )
            drawing = score_chart(Series(instrument, points, every[0].score.total), chart)
            title = Paragraph(f"{instrument.display_name} over time", s.subheading)
            out.append(KeepTogether([title, Spacer(1, 1.5 * mm), drawing, Spacer(1, 1 * mm)]))
        if out:
            legend = (
                "Shaded bands: severity, darker is more severe. Dashed line: remission cut-off. Dotted line: "
                "response threshold, half the first score on file. Bars above a chart: treatment trials (grey "
                "for medication, black for ECT, rTMS and VNS); dotted guides mark where each starts and stops."
            )
            out = [CondPageBreak(80 * mm), Paragraph("Scores over time", s.heading), *out]
            out.append(Paragraph(legend, s.help))
        return out

    def _scores_table(self, w: float) -> list[Flowable]:
        s = self.styles
        measures = self._measures()
        if not measures:
            return [Paragraph("Scores", s.heading), Paragraph("No scores were recorded in this period.", s.body)]
        rows = []
        for m in measures:
            flags = "; ".join(flag_labels(m))
            rows.append(
                [
                    m.record.taken_on.isoformat(),
                    Instrument(m.record.instrument).display_name,
                    f"{m.score.total}/{m.score.max_total}",
                    markup(m.score.severity),
                    change_text(m),
                    f"<b>{markup(flags)}</b>" if m.needs_alert else markup(flags),
                ]
            )
        widths = [w * f for f in (0.13, 0.12, 0.09, 0.17, 0.24, 0.25)]
        header = ["Date", "Measure", "Score", "Severity", "Change from baseline", "Flags"]
        return [Paragraph("Scores", s.heading), data_table(s, header, rows, widths)]

    def _resistance(self, w: float) -> list[Flowable]:
        s, summary = self.styles, self.data.summary
        out: list[Flowable] = [CondPageBreak(50 * mm), Paragraph("Treatment resistance", s.heading)]
        out.append(Paragraph(f"<b>TRD status.</b> {markup(summary.trd.explanation)}", s.body))
        if summary.trials:
            rows = []
            for trial, assessment in zip(summary.trials, summary.trd.assessments, strict=True):
                dates = f"{trial.start or '?'} to {trial.stop or 'ongoing'}"
                dose = f"{trial.dose:g} {trial.dose_unit}" if trial.dose is not None else ""
                counts = "yes" if assessment.counts_toward_trd else "no"
                rows.append(
                    [
                        markup(trial.agent or trial_label(trial)),
                        markup(trial.drug_class or trial.kind.replace("_", " ")),
                        dates,
                        markup(dose),
                        markup(assessment.reason),
                        counts,
                    ]
                )
            widths = [w * f for f in (0.14, 0.12, 0.17, 0.1, 0.37, 0.1)]
            header = ["Treatment", "Class", "Dates", "Dose", "Assessment", "Counts"]
            out.append(data_table(s, header, rows, widths))
        tr = summary.thase_rush
        out += [
            Spacer(1, GAP),
            Paragraph(f"<b>Thase-Rush stage {tr.roman}.</b> {markup(tr.explanation)}", s.body),
            Paragraph(markup(tr.limitations), s.help),
            Spacer(1, GAP),
        ]
        msm = summary.maudsley
        score = f"{msm.total} of 15, {msm.category}" if msm.total is not None else "not scored"
        out.append(Paragraph(f"<b>Maudsley Staging Method: {score}.</b> {markup(msm.explanation)}", s.body))
        parts = [
            ("Duration", msm.duration_points),
            ("Severity", msm.severity_points),
            ("Antidepressants", msm.antidepressant_points),
            ("Augmentation", msm.augmentation_points),
            ("ECT", msm.ect_points),
            ("Total", msm.total),
        ]
        cells = [["—" if v is None else str(v) for _, v in parts]]
        out.append(data_table(s, [k for k, _ in parts], cells, [w / len(parts)] * len(parts)))
        return out

    def _objectives(self, w: float) -> list[Flowable]:
        s, plan = self.styles, self.data.plan
        out: list[Flowable] = [CondPageBreak(40 * mm), Paragraph("Treatment plan objectives", s.heading)]
        if plan is None:
            return [*out, Paragraph("No active treatment plan on file.", s.body)]
        rows = []
        for problem in plan.problems:
            for goal in problem.goals:
                for o in goal.objectives:
                    target = ""
                    if o.target_instrument and o.target_comparator and o.target_value is not None:
                        name = Instrument(o.target_instrument).display_name
                        target = f"{name} {o.target_comparator} {o.target_value:g}"
                    if o.target_date:
                        target += f" by {o.target_date.isoformat()}"
                    rows.append(
                        [
                            [Paragraph(markup(o.text), s.cell), Paragraph(markup(goal.text), s.cell_help)],
                            markup(target.strip() or "not set"),
                            o.review_date.isoformat() if o.review_date else "",
                            markup(o.status.replace("_", " ")),
                        ]
                    )
        if not rows:
            return [*out, Paragraph("The active plan has no objectives yet.", s.body)]
        widths = [w * f for f in (0.5, 0.22, 0.13, 0.15)]
        return [*out, data_table(s, ["Objective (goal)", "Target", "Review", "Status"], rows, widths)]

    def _timeline(self, w: float) -> list[Flowable]:
        s = self.styles
        out: list[Flowable] = [CondPageBreak(40 * mm), Paragraph("Sessions held", s.heading)]
        missed = self.not_held
        if missed:
            counts: dict[str, int] = {}
            for b in missed:
                label = SessionStatus(b.session.status).label.lower()
                counts[label] = counts.get(label, 0) + 1
            named = ", ".join(f"{n} {label}" for label, n in counts.items())
            out.append(Paragraph(f"Not held in this period, and not counted: {markup(named)}.", s.body))
        if not self.held:
            return [*out, Paragraph("No sessions were held in this period.", s.body)]
        rows = []
        sessions = [b.session for b in self.data.bundles]
        for b in self.held:
            x = b.session
            note = "none" if x.note is None else NoteStatus(x.note.status).value
            # Scores entered in this session (or that day without a session), never by date alone.
            scores = [
                f"{Instrument(m.record.instrument).display_name} {m.score.total}"
                for m in measures_of_session(self.data.summary.measures, x, sessions)
            ]
            rows.append(
                [
                    str(x.number),
                    x.date.isoformat(),
                    markup(session_label(x).partition(", ")[2] or "not set"),
                    note,
                    markup(", ".join(scores)),
                ]
            )
        widths = [w * f for f in (0.07, 0.15, 0.24, 0.12, 0.42)]
        return [*out, data_table(s, ["#", "Date", "Modality", "Note", "Scores this session"], rows, widths)]

    def _notes(self, w: float) -> list[Flowable]:
        s = self.styles
        with_notes = [b for b in self.held if b.session.note is not None]
        if not with_notes:
            return []
        heading = "Session notes" if self.full_notes else "Session notes: assessment and plan"
        out: list[Flowable] = [CondPageBreak(60 * mm), Paragraph(heading, s.heading)]
        if not self.full_notes:
            out.append(
                Paragraph(
                    "Each note's assessment (or response), risk review and plan; the full notes stay in the record "
                    "(print them with the full-notes option).",
                    s.help,
                )
            )
        for b in with_notes:
            content = NoteContent(b, b.session.note)
            title = f"Session {b.session.number}, {b.session.date.isoformat()}: {note_title(content)}"
            rule = HRFlowable(width="100%", thickness=0.4, color=RULE, spaceBefore=1 * mm, spaceAfter=0)
            out += [CondPageBreak(45 * mm), *kept(rule), Paragraph(markup(title), s.subheading)]
            only = None if self.full_notes else SUMMARY_SECTIONS
            out += note_body(s, content, self.settings, w, brief=True, only=only)
            out.append(Spacer(1, 5 * mm))
        return out


# The sections a progress report quotes by default: the clinician's reading and what comes next.
SUMMARY_SECTIONS = frozenset({"assessment", "response", "risk_review", "plan"})


def _status(value: str) -> SessionStatus | None:
    try:
        return SessionStatus(value)
    except ValueError:
        return None


def _held(value: str) -> bool:
    status = _status(value)
    return status is not None and status.held


def _called_off(value: str) -> bool:
    status = _status(value)
    return status is not None and status.called_off


__all__ = ["ReportDocument", "period_of"]
