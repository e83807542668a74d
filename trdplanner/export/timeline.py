"""The treatment timeline: one A4 landscape page with every treatment and score on one time axis.

Rows from the top: PHQ-9 and QIDS-SR16 totals (a positive suicidality item drawn as a black
triangle with "!"), medication and other ledger trials as bars, interventional courses as a
light bar with a tick per session, and psychotherapy sessions as ticks, one row per modality.
Drawn in greys and shapes so it reads the same from a black-and-white printer.
"""

from __future__ import annotations

import datetime as dt
from itertools import groupby

from reportlab.lib.colors import Color, black, white
from reportlab.lib.units import mm
from reportlab.platypus import Flowable, Paragraph

from trdplanner.catalog.model import Modality
from trdplanner.clinical import TrialKind, spec
from trdplanner.clinical.courses import CourseKind
from trdplanner.core.records import CourseRec, SessionRec, TrialRec
from trdplanner.core.views import TimelineData
from trdplanner.core.vocab import SessionStatus
from trdplanner.export.base import LANDSCAPE, MARGIN_BOTTOM, MARGIN_TOP, DocInfo, PdfDocument, PdfOptions
from trdplanner.export.fonts import BOLD, REGULAR, string_width
from trdplanner.export.identity import patient_doc_info
from trdplanner.export.styles import INK, MUTED, RULE, TINT, TINT_DARK
from trdplanner.export.text import markup
from trdplanner.settings import Settings

LABEL_W = 48 * mm
NOTE_W = 26 * mm  # room right of the last day for "no response", "12 sessions, non response"
ROW_H = 6 * mm
SCORE_MAX = 27  # PHQ-9 and QIDS-SR16 both run 0-27
FAILED = Color(0.35, 0.35, 0.35)
ONGOING = Color(0.6, 0.6, 0.6)


def _fit(text: str, font: str, size: float, width: float) -> str:
    """The text, cut with an ellipsis so it fits the width."""
    if string_width(text, font, size) <= width:
        return text
    while text and string_width(text + "…", font, size) > width:
        text = text[:-1]
    return text + "…"


def _trial_label(t: TrialRec) -> str:
    agent = t.agent or TrialKind(t.kind).display_name
    return f"{agent} {t.dose:g} {t.dose_unit}".strip() if t.dose is not None else agent


def _modality_label(value: str) -> str:
    try:
        return f"Therapy: {Modality(value).label}"
    except ValueError:
        return f"Therapy: {value or 'unspecified'}"


Row = tuple[str, str, TrialRec | CourseRec | list[SessionRec]]


def timeline_rows(data: TimelineData) -> list[Row]:
    """(section, label, item) for each row under the scores, top to bottom (the page and the screen)."""
    rows: list[Row] = []
    for t in sorted(data.trials, key=lambda t: (t.start or data.as_of)):
        rows.append(("Medication and other trials", _trial_label(t), t))
    for c in data.courses:
        rows.append(("Interventional courses", CourseKind(c.kind).label, c))
    by_modality = sorted(data.sessions, key=lambda x: x.modality)
    for modality, group in groupby(by_modality, key=lambda x: x.modality):
        rows.append(("Psychotherapy", _modality_label(modality), list(group)))
    return rows


OUTCOME_WORDS = {"non_response": "no response", "partial_response": "partial response", "response": "response"}


class TimelineChart(Flowable):
    """The drawing itself; its height is what the page has left."""

    def __init__(self, data: TimelineData, width: float, height: float) -> None:
        super().__init__()
        self.data = data
        self.width = width
        self.height = height
        self.first = data.start - dt.timedelta(days=7)
        self.last = data.end + dt.timedelta(days=7)

    def wrap(self, available_width: float, available_height: float) -> tuple[float, float]:
        return self.width, self.height

    # ------------------------------------------------------------------ geometry

    def _x(self, day: dt.date) -> float:
        span = max((self.last - self.first).days, 1)
        return LABEL_W + (self.width - LABEL_W - NOTE_W) * (day - self.first).days / span

    def _rows(self) -> list[Row]:
        return timeline_rows(self.data)

    # ------------------------------------------------------------------ drawing

    def draw(self) -> None:
        c = self.canv
        rows = self._rows()
        axis_h = 7 * mm
        sections = len({r[0] for r in rows})
        rows_h = min(ROW_H * len(rows) + 5 * mm * sections, self.height * 0.55)
        row_h = (rows_h - 5 * mm * sections) / max(len(rows), 1)
        score_h = self.height - rows_h - axis_h - 4 * mm
        score_top = self.height
        score_bottom = score_top - score_h
        self._axis(score_bottom - axis_h, score_top)
        self._scores(score_bottom, score_h)
        y = score_bottom - axis_h - 2 * mm
        section = ""
        for sec, label, item in rows:
            if sec != section:
                section = sec
                c.setFont(BOLD, 7.5)
                c.setFillColor(INK)
                c.drawString(0, y - 3.5 * mm, section)
                c.setStrokeColor(RULE)
                c.setLineWidth(0.4)
                c.line(0, y - 4.5 * mm, self.width, y - 4.5 * mm)
                y -= 5 * mm
            mid = y - row_h / 2
            c.setFont(REGULAR, 7)
            c.setFillColor(INK)
            c.drawString(2 * mm, mid - 2.3, _fit(label, REGULAR, 7, LABEL_W - 4 * mm))
            if isinstance(item, TrialRec):
                self._trial_bar(item, mid, row_h)
            elif isinstance(item, CourseRec):
                self._course(item, mid, row_h)
            else:
                self._session_ticks(item, mid, row_h)
            y -= row_h

    def _axis(self, bottom: float, top: float) -> None:
        """Month gridlines across the chart, labelled with the year at January (and at the start)."""
        c = self.canv
        months = (self.last.year - self.first.year) * 12 + self.last.month - self.first.month + 1
        step = 1 if months <= 18 else 3 if months <= 48 else 6
        day = dt.date(self.first.year, self.first.month, 1)
        first_label = True
        while day <= self.last:
            if day >= self.first and (day.month - 1) % step == 0:
                x = self._x(day)
                c.setStrokeColor(TINT_DARK)
                c.setLineWidth(0.3)
                c.line(x, 0, x, top)
                c.setFont(REGULAR, 6.5)
                c.setFillColor(MUTED)
                text = day.strftime("%b %Y") if (day.month == 1 or first_label) else day.strftime("%b")
                c.drawCentredString(x, bottom + 2.5 * mm, text)
                first_label = False
            day = dt.date(day.year + (day.month == 12), day.month % 12 + 1, 1)
        # Today, so "ongoing" reads against it.
        x = self._x(self.data.as_of)
        c.setStrokeColor(INK)
        c.setDash(2, 2)
        c.line(x, 0, x, top)
        c.setDash()
        c.setFont(BOLD, 6.5)
        c.setFillColor(INK)
        c.drawCentredString(x, bottom + 0.2 * mm, "today")

    def _scores(self, bottom: float, height: float) -> None:
        c = self.canv

        def y(total: int) -> float:
            return bottom + height * total / SCORE_MAX

        c.setFont(BOLD, 7.5)
        c.setFillColor(INK)
        c.drawString(0, bottom + height - 3 * mm, "PHQ-9 / QIDS-SR16")
        c.setFont(REGULAR, 6.5)
        c.setFillColor(MUTED)
        c.drawString(0, bottom + height - 6.5 * mm, "● PHQ-9   ■ QIDS-SR16")
        c.drawString(0, bottom + height - 10 * mm, "▲! suicidality item positive")
        for tick in (0, 5, 10, 15, 20, 25):
            c.setStrokeColor(TINT_DARK if tick else RULE)
            c.setLineWidth(0.3)
            c.line(LABEL_W, y(tick), self.width, y(tick))
            c.drawRightString(LABEL_W - 1.5 * mm, y(tick) - 2, str(tick))
        for instrument, group in groupby(sorted(self.data.scores, key=lambda m: str(m.record.instrument)),
                                         key=lambda m: str(m.record.instrument)):
            points = sorted(group, key=lambda m: m.record.taken_on)
            qids = instrument == "qids_sr16"
            c.setStrokeColor(INK)
            c.setLineWidth(0.9)
            if qids:
                c.setDash(3, 2)
            path = c.beginPath()
            for i, m in enumerate(points):
                px, py = self._x(m.record.taken_on), y(m.score.total)
                (path.moveTo if i == 0 else path.lineTo)(px, py)
            c.drawPath(path, stroke=1, fill=0)
            c.setDash()
            for m in points:
                px, py = self._x(m.record.taken_on), y(m.score.total)
                c.setFillColor(white if not m.needs_alert else black)
                if m.needs_alert:
                    self._alert(px, py)
                elif qids:
                    c.setFillColor(INK)
                    c.rect(px - 1.3, py - 1.3, 2.6, 2.6, stroke=0, fill=1)
                else:
                    c.setFillColor(INK)
                    c.circle(px, py, 1.4, stroke=0, fill=1)
                c.setFont(REGULAR, 6)
                c.setFillColor(MUTED)
                c.drawCentredString(px, py + (4.5 * mm if m.needs_alert else 2 * mm), str(m.score.total))
        name = ", ".join(spec(i).display_name for i in sorted({str(m.record.instrument) for m in self.data.scores}))
        if not name:
            c.setFont(REGULAR, 7)
            c.setFillColor(MUTED)
            c.drawCentredString((LABEL_W + self.width) / 2, bottom + height / 2, "No PHQ-9 or QIDS-SR16 on file.")

    def _alert(self, x: float, y: float) -> None:
        c = self.canv
        c.setFillColor(black)
        path = c.beginPath()
        path.moveTo(x - 2.4, y - 1.6)
        path.lineTo(x + 2.4, y - 1.6)
        path.lineTo(x, y + 2.6)
        path.close()
        c.drawPath(path, stroke=0, fill=1)
        c.setFont(BOLD, 7)
        c.drawCentredString(x, y + 3.2, "!")

    def _trial_bar(self, t: TrialRec, mid: float, row_h: float) -> None:
        start, stop, outcome = t.start, t.stop, t.outcome
        if start is None:
            self.canv.setFont(REGULAR, 6.5)
            self.canv.setFillColor(MUTED)
            self.canv.drawString(LABEL_W + 1 * mm, mid - 2, "dates not recorded")
            return
        x0, x1 = self._x(start), self._x(stop or self.data.as_of)
        fill = FAILED if outcome == "non_response" else ONGOING if stop is None else TINT_DARK
        h = min(row_h * 0.6, 3.2 * mm)
        c = self.canv
        c.setFillColor(fill)
        c.setStrokeColor(INK)
        c.setLineWidth(0.4)
        c.rect(x0, mid - h / 2, max(x1 - x0, 1.5), h, stroke=1, fill=1)
        note = OUTCOME_WORDS.get(outcome, "ongoing" if stop is None else "")
        if note:
            c.setFont(REGULAR, 6)
            c.setFillColor(INK)
            c.drawString(x1 + 1 * mm, mid - 2, note)

    def _course(self, course: CourseRec, mid: float, row_h: float) -> None:
        c = self.canv
        x0, x1 = self._x(course.start), self._x(course.stop or self.data.as_of)
        h = min(row_h * 0.6, 3.2 * mm)
        c.setFillColor(TINT)
        c.setStrokeColor(RULE)
        c.setLineWidth(0.4)
        c.rect(x0, mid - h / 2, max(x1 - x0, 1.5), h, stroke=1, fill=1)
        c.setStrokeColor(INK)
        c.setLineWidth(0.8)
        sessions = course.sessions
        for x in sessions:
            px = self._x(x.given_on)
            c.line(px, mid - h / 2 - 0.6, px, mid + h / 2 + 0.6)
        outcome = course.outcome.replace("_", " ")
        c.setFont(REGULAR, 6)
        c.setFillColor(INK)
        c.drawString(max(x1, self._x(sessions[-1].given_on) if sessions else x1) + 1 * mm, mid - 2,
                     f"{len(sessions)} sessions" + (f", {outcome}" if outcome else ""))

    def _session_ticks(self, sessions: list[SessionRec], mid: float, row_h: float) -> None:
        c = self.canv
        h = min(row_h * 0.7, 3.6 * mm)
        for x in sessions:
            px = self._x(x.date)
            c.setLineWidth(0.9)
            c.setStrokeColor(INK if x.status == SessionStatus.COMPLETED else RULE)
            c.line(px, mid - h / 2, px, mid + h / 2)


class TimelineDocument(PdfDocument):
    first_template = LANDSCAPE

    def __init__(self, data: TimelineData, settings: Settings, options: PdfOptions | None = None) -> None:
        super().__init__(options)
        self.data = data
        self.settings = settings

    def info(self) -> DocInfo:
        d = self.data
        return patient_doc_info("Treatment timeline", d.as_of.isoformat(), d.profile, d.clinician, self.settings)

    def story(self) -> list[Flowable]:
        s, d = self.styles, self.data
        width = self.body_width()
        height = self._paper(LANDSCAPE)[1] - MARGIN_TOP - MARGIN_BOTTOM
        title = Paragraph("Treatment timeline", s.title)
        sub = Paragraph(markup(f"{d.start.isoformat()} to {d.as_of.isoformat()} · medication trials, interventional "
                               "courses (a tick per session), psychotherapy sessions by modality (grey: planned) "
                               "and PHQ-9/QIDS-SR16 scores"), s.subtitle)
        used = sum(p.wrap(width, height)[1] + p.getSpaceAfter() for p in (title, sub))
        return [title, sub, TimelineChart(d, width, height - used - 2 * mm)]
