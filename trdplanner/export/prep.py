"""The pre-session sheet: one page to read in the five minutes before a session.

Last session's plan and homework, the score trend, risk flags (a positive item 9 in bold),
objectives due for review and today's agenda. Long text is shortened here, with a visible
"(continues in the app)", because this sheet must stay on one page; as a last resort the
whole page is scaled down rather than spilling over.
"""

from __future__ import annotations

import datetime as dt

from reportlab.lib.units import mm
from reportlab.platypus import Flowable, KeepInFrame, Paragraph, Spacer

from trdplanner.clinical import Instrument
from trdplanner.core.records import ObjectiveRec, SessionRec
from trdplanner.core.risk_findings import FindingKind, Urgency
from trdplanner.core.views import ScoredMeasure, SessionBundle
from trdplanner.core.vocab import OPEN_OBJECTIVE, SessionStatus
from trdplanner.export.base import MARGIN_BOTTOM, MARGIN_TOP, DocInfo, PdfDocument, PdfOptions
from trdplanner.export.charts import ChartSpec, Series, score_chart
from trdplanner.export.flowables import TickBox
from trdplanner.export.identity import patient_doc_info, patient_label, session_about, session_label
from trdplanner.export.layout import grid
from trdplanner.export.report import CHARTED
from trdplanner.export.scores import flag_labels
from trdplanner.export.styles import GAP, RULE, TINT, WRITING_LINE
from trdplanner.export.text import markup
from trdplanner.settings import Settings

REVIEW_WINDOW = dt.timedelta(days=7)
_MORE = " … (continues in the app)"


def shorten(text: str, limit: int) -> str:
    text = " ".join(text.split()) if len(text) > limit else text
    return text if len(text) <= limit else text[: limit - len(_MORE)].rstrip() + _MORE


def _plan_text(session: SessionRec) -> str:
    """The "what happens next" section of a note: the one named plan, else the last one."""
    note = session.note
    if note is None or not note.sections:
        return ""
    chosen = next((s for s in note.sections if s.id == "plan"), note.sections[-1])
    return chosen.text.strip()


def objectives_due(bundle: SessionBundle) -> list[ObjectiveRec]:
    """Objectives not yet met whose review date falls within a week of this session (or is past)."""
    if bundle.plan is None:
        return []
    limit = bundle.session.date + REVIEW_WINDOW
    return [
        o
        for problem in bundle.plan.problems
        for goal in problem.goals
        for o in goal.objectives
        if o.review_date is not None and o.review_date <= limit and o.status in OPEN_OBJECTIVE
    ]


class PrepDocument(PdfDocument):
    def __init__(self, bundle: SessionBundle, settings: Settings, options: PdfOptions | None = None) -> None:
        super().__init__(options)
        self.bundle = bundle
        self.settings = settings

    def info(self) -> DocInfo:
        b = self.bundle
        return patient_doc_info("Pre-session sheet", session_about(b.session), b.profile, b.clinician, self.settings)

    def story(self) -> list[Flowable]:
        s, b = self.styles, self.bundle
        width = self.body_width()
        # The last session that was held: a cancelled or missed one has no plan or homework to carry.
        held = [x for x in b.earlier if x.status == SessionStatus.COMPLETED]
        previous = held[-1] if held else None
        top = [
            Paragraph("Pre-session sheet", s.title),
            Paragraph(markup(f"{session_label(b.session)} · {b.session.date.isoformat()}"), s.subtitle),
            self._identity(width, previous),
            Spacer(1, GAP),
        ]
        col = (width - 6 * mm) / 2
        left = [*self._last_session(previous), Spacer(1, GAP), *self._dosing(), *self._risk()]
        right = [*self._trend(col), Spacer(1, GAP), *self._objectives()]
        columns = grid([[left, right]], [col + 6 * mm, col], [("RIGHTPADDING", (0, 0), (0, 0), 6 * mm)])
        body = [*top, columns, Spacer(1, GAP), *self._agenda(width)]
        height = self.options.paper[1] - MARGIN_TOP - MARGIN_BOTTOM
        return [KeepInFrame(width, height, body, mode="shrink")]

    def _identity(self, width: float, previous: SessionRec | None) -> Flowable:
        s, b = self.styles, self.bundle
        pairs = [
            ("Patient", patient_label(b.profile, self.settings)),
            ("Code", b.profile.code),
            ("Clinician", b.clinician.display if b.clinician else ""),
            ("Last session", previous.date.isoformat() if previous else "none"),
        ]
        if pairs[0][1] == b.profile.code:  # the privacy setting prints the code as the name already
            pairs = [pair for pair in pairs if pair[0] != "Code"]
        cells = [[Paragraph(k.upper(), s.help), Paragraph(markup(shorten(v, 80)), s.small)] for k, v in pairs if v]
        return grid(
            [cells],
            [width / len(cells)] * len(cells),
            [
                ("BACKGROUND", (0, 0), (-1, -1), TINT),
                ("LEFTPADDING", (0, 0), (-1, -1), 2.5 * mm),
                ("TOPPADDING", (0, 0), (-1, -1), 1.6 * mm),
                ("BOTTOMPADDING", (0, 0), (-1, -1), 1.6 * mm),
            ],
        )

    def _last_session(self, previous: SessionRec | None) -> list[Flowable]:
        s = self.styles
        out: list[Flowable] = [Paragraph("Last session", s.subheading)]
        if previous is None:
            return [*out, Paragraph("This is the first session on file.", s.body)]
        out.append(Paragraph(markup(f"{session_label(previous)}, {previous.date.isoformat()}"), s.help))
        plan = _plan_text(previous)
        out.append(Paragraph("<b>Plan from the note</b>", s.small))
        out.append(Paragraph(markup(shorten(plan, 600)) if plan else "No note, or its plan is empty.", s.small))
        out.append(Spacer(1, 1.5 * mm))
        out.append(Paragraph("<b>Homework set</b>", s.small))
        if not previous.homework:
            out.append(Paragraph("None.", s.small))
        for h in previous.homework[:6]:
            line = f"{h.title} ({h.status.replace('_', ' ')})"
            if h.instructions:
                line += f": {h.instructions}"
            out.append(Paragraph(f"☐ {markup(shorten(line, 200))}", s.small))
        if len(previous.homework) > 6:
            out.append(Paragraph(f"… and {len(previous.homework) - 6} more in the app", s.help))
        return out

    def _dosing(self) -> list[Flowable]:
        """The latest ketamine dose and what was observed, when there is one: the session may be its integration."""
        dosing = self.bundle.last_dosing
        if dosing is None:
            return []
        s = self.styles
        out: list[Flowable] = [Paragraph("Last dosing session", s.subheading),
                               Paragraph(markup(dosing.heading), s.help)]
        for label, value in dosing.observations:
            out.append(Paragraph(f"<b>{markup(label)}</b>: {markup(shorten(value, 160))}", s.small))
        return [*out, Spacer(1, GAP)]

    def _risk(self) -> list[Flowable]:
        """The session's risk findings (core/risk_findings.py) as they are, urgent ones in bold."""
        s, b = self.styles, self.bundle
        out: list[Flowable] = [Paragraph("Risk flags", s.subheading)]
        for f in b.risk_findings:
            text = markup(shorten(f.text, 300) if f.kind is FindingKind.RISK_SUMMARY else f.text)
            out.append(Paragraph(f"<b>{text}</b>" if f.urgency is Urgency.DANGER else text, s.small))
        return out

    def _trend(self, width: float) -> list[Flowable]:
        s, b = self.styles, self.bundle
        out: list[Flowable] = [Paragraph("Score trend", s.subheading)]
        measures = b.summary.measures
        charted = [i for i in CHARTED if any(m.record.instrument == i for m in measures)]
        if not charted:
            return [*out, Paragraph("No scores on file yet.", s.small)]
        instrument = max(charted, key=lambda i: sum(m.record.instrument == i for m in measures))
        series = [m for m in measures if m.record.instrument == instrument]
        start = series[0].record.taken_on
        end = max(b.session.date, series[-1].record.taken_on)
        chart = ChartSpec(width, 34 * mm, start, end, compact=True, change_settings=self.settings.change_settings())
        points = [(m.record.taken_on, m.score.total) for m in series]
        out += [
            Paragraph(f"{instrument.display_name}; dashed line: remission, dotted: response", s.help),
            score_chart(Series(instrument, points, series[0].score.total), chart),
        ]
        latest: dict[str, ScoredMeasure] = {}
        for m in measures:
            latest[m.record.instrument] = m
        for m in latest.values():
            name = Instrument(m.record.instrument).display_name
            change = f", {m.change.delta:+d} from baseline" if m.change else ""
            flags = flag_labels(m)
            flag_text = f" <b>{markup('; '.join(flags))}</b>" if m.needs_alert else ""
            out.append(
                Paragraph(
                    f"{name} {m.score.total}/{m.score.max_total} ({markup(m.score.severity)}) on "
                    f"{m.record.taken_on.isoformat()}{change}{flag_text}",
                    s.small,
                )
            )
        return out

    def _objectives(self) -> list[Flowable]:
        s = self.styles
        out: list[Flowable] = [Paragraph("Objectives due for review", s.subheading)]
        due = objectives_due(self.bundle)
        if not due:
            return [*out, Paragraph("None due this week.", s.small)]
        for o in due[:6]:
            when = o.review_date.isoformat() if o.review_date else ""
            status = o.status.replace("_", " ")
            text = f"☐ {markup(shorten(o.text, 160))} <font color='#555555'>(review {when}; {status})</font>"
            out.append(Paragraph(text, s.small))
        if len(due) > 6:
            out.append(Paragraph(f"… and {len(due) - 6} more in the app", s.help))
        return out

    def _agenda(self, width: float) -> list[Flowable]:
        s, b = self.styles, self.bundle
        out: list[Flowable] = [Paragraph("Agenda for today", s.subheading)]
        items = list(b.session.agenda[:12]) or ["(no agenda set: agree one at the start)"]
        rows = [[TickBox(), Paragraph(markup(shorten(item, 150)), s.body), ""] for item in items]
        for _ in range(max(0, 3 - len(b.session.agenda))):
            rows.append([TickBox(), "", ""])
        out.append(
            grid(
                rows,
                [7 * mm, width * 0.55, width * 0.45 - 7 * mm],
                [
                    ("LINEBELOW", (1, 0), (-1, -1), 0.5, WRITING_LINE),
                    ("TOPPADDING", (0, 0), (-1, -1), 2 * mm),
                    ("BOTTOMPADDING", (0, 0), (-1, -1), 1 * mm),
                    ("VALIGN", (0, 0), (-1, -1), "BOTTOM"),
                ],
            )
        )
        out.append(Spacer(1, GAP))
        out.append(Paragraph("Notes", s.subheading))
        out.append(grid([[""]] * 4, [width], [("LINEBELOW", (0, 0), (-1, -1), 0.5, RULE)], heights=[8 * mm] * 4))
        return out
