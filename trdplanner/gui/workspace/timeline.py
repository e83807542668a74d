"""The Timeline tab: the printed timeline's rows and scores, drawn for the screen.

It is given a function that returns the timeline data for a patient (``assemble.timeline_data``
bound to the services), so it reads no database and needs no composition root. The rows come
from the same function as the printed page (``export.timeline.timeline_rows``).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from itertools import groupby

from PySide6.QtCore import QPointF, QRectF, Qt
from PySide6.QtGui import QColor, QPainter, QPainterPath, QPaintEvent, QPen, QPolygonF, QShowEvent
from PySide6.QtWidgets import QHBoxLayout, QLabel, QPushButton, QVBoxLayout, QWidget

from trdplanner.core.records import CourseRec, TrialRec
from trdplanner.core.views import TimelineData
from trdplanner.core.vocab import SessionStatus
from trdplanner.export.timeline import OUTCOME_WORDS, SCORE_MAX, timeline_rows
from trdplanner.gui.dialogs import show_error
from trdplanner.gui.patient_tab import PatientTabWidget, TabKey
from trdplanner.gui.preview import PdfPreviewDialog, PrintRecorder
from trdplanner.gui.theme import colour

LABEL_W = 170
NOTE_W = 110
ROW_H = 20
SECTION_H = 18
AXIS_H = 18


class TimelineView(QWidget):
    """Scores on top; trials, courses and therapy sessions as rows below, one shared time axis."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.data: TimelineData | None = None
        self.setMinimumSize(600, 320)
        self.setToolTip("Trials as bars, courses with a tick per session, therapy sessions by modality (faint: "
                        "planned); a triangle with ! marks a score with a positive suicidality item")

    def show_data(self, data: TimelineData | None) -> None:
        self.data = data
        self.update()

    def _x(self, day: dt.date) -> float:
        assert self.data is not None
        first = self.data.start - dt.timedelta(days=7)
        last = self.data.end + dt.timedelta(days=7)
        span = max((last - first).days, 1)
        return LABEL_W + (self.width() - LABEL_W - NOTE_W) * (day - first).days / span

    def paintEvent(self, event: QPaintEvent) -> None:
        p = QPainter(self)
        p.setRenderHint(QPainter.RenderHint.Antialiasing)
        ink = self.palette().color(self.foregroundRole())
        muted = colour("muted")
        if self.data is None:
            p.setPen(muted)
            p.drawText(self.rect(), Qt.AlignmentFlag.AlignCenter, "No patient open.")
            return
        rows = timeline_rows(self.data)
        sections = len({r[0] for r in rows})
        rows_h = min(ROW_H * len(rows) + SECTION_H * sections, int(self.height() * 0.6))
        row_h = (rows_h - SECTION_H * sections) / max(len(rows), 1)
        score_h = self.height() - rows_h - AXIS_H - 8
        self._grid(p, score_h, muted, ink)
        self._scores(p, 4, score_h - 4, ink, muted)
        y: float = score_h + AXIS_H
        section = ""
        for sec, label, item in rows:
            if sec != section:
                section = sec
                font = p.font()
                font.setBold(True)
                p.setFont(font)
                p.setPen(ink)
                p.drawText(QRectF(0, y, LABEL_W * 2, SECTION_H), Qt.AlignmentFlag.AlignVCenter, sec)
                font.setBold(False)
                p.setFont(font)
                y += SECTION_H
            mid = y + row_h / 2
            p.setPen(ink)
            text = p.fontMetrics().elidedText(label, Qt.TextElideMode.ElideRight, LABEL_W - 12)
            p.drawText(QRectF(8, y, LABEL_W - 10, row_h), Qt.AlignmentFlag.AlignVCenter, text)
            if isinstance(item, TrialRec):
                self._bar(p, item.start, item.stop, mid, row_h, colour("accent"), ink,
                          OUTCOME_WORDS.get(item.outcome, "ongoing" if item.stop is None else ""), ticks=[])
            elif isinstance(item, CourseRec):
                note = f"{len(item.sessions)} sessions" + (f", {item.outcome.replace('_', ' ')}" if item.outcome
                                                          else "")
                self._bar(p, item.start, item.stop, mid, row_h, colour("accent_bg"), ink, note,
                          ticks=[x.given_on for x in item.sessions])
            else:
                for x in item:
                    pen = QPen(ink if x.status == SessionStatus.COMPLETED else muted, 2)
                    p.setPen(pen)
                    px = self._x(x.date)
                    p.drawLine(QPointF(px, mid - row_h * 0.35), QPointF(px, mid + row_h * 0.35))
            y += row_h

    def _grid(self, p: QPainter, score_h: float, muted: QColor, ink: QColor) -> None:
        assert self.data is not None
        first, last = self.data.start - dt.timedelta(days=7), self.data.end + dt.timedelta(days=7)
        months = (last.year - first.year) * 12 + last.month - first.month + 1
        step = 1 if months <= 12 else 3 if months <= 40 else 6
        day = dt.date(first.year, first.month, 1)
        labelled = False
        p.setPen(QPen(colour("card_border"), 1))
        while day <= last:
            if day >= first and (day.month - 1) % step == 0:
                x = self._x(day)
                p.setPen(QPen(colour("card_border"), 1))
                p.drawLine(QPointF(x, 0), QPointF(x, self.height()))
                p.setPen(muted)
                text = day.strftime("%b %Y") if (day.month == 1 or not labelled) else day.strftime("%b")
                p.drawText(QRectF(x - 40, score_h, 80, AXIS_H), Qt.AlignmentFlag.AlignCenter, text)
                labelled = True
            day = dt.date(day.year + (day.month == 12), day.month % 12 + 1, 1)
        x = self._x(self.data.as_of)
        p.setPen(QPen(ink, 1, Qt.PenStyle.DashLine))
        p.drawLine(QPointF(x, 0), QPointF(x, self.height()))

    def _scores(self, p: QPainter, top: float, height: float, ink: QColor, muted: QColor) -> None:
        assert self.data is not None

        def y(total: int) -> float:
            return top + height - height * total / SCORE_MAX

        p.setPen(ink)
        p.drawText(QRectF(0, top, LABEL_W, 18), Qt.AlignmentFlag.AlignLeft, "PHQ-9 ●  QIDS-SR16 ■")
        p.setPen(muted)
        p.drawText(QRectF(0, top + 18, LABEL_W, 18), Qt.AlignmentFlag.AlignLeft, "▲! suicidality item positive")
        for tick in (0, 10, 20):
            p.drawText(QRectF(LABEL_W - 34, y(tick) - 8, 28, 16), Qt.AlignmentFlag.AlignRight, str(tick))
        accent, danger = colour("accent"), colour("danger")
        for instrument, group in groupby(sorted(self.data.scores, key=lambda m: str(m.record.instrument)),
                                         key=lambda m: str(m.record.instrument)):
            points = sorted(group, key=lambda m: m.record.taken_on)
            qids = instrument == "qids_sr16"
            path = QPainterPath()
            for i, m in enumerate(points):
                pt = QPointF(self._x(m.record.taken_on), y(m.score.total))
                path.moveTo(pt) if i == 0 else path.lineTo(pt)
            p.setPen(QPen(accent, 2, Qt.PenStyle.DashLine if qids else Qt.PenStyle.SolidLine))
            p.drawPath(path)
            for m in points:
                px, py = self._x(m.record.taken_on), y(m.score.total)
                p.setPen(Qt.PenStyle.NoPen)
                if m.needs_alert:
                    p.setBrush(danger)
                    p.drawPolygon(QPolygonF([QPointF(px - 6, py + 4), QPointF(px + 6, py + 4), QPointF(px, py - 7)]))
                    p.setPen(danger)
                    p.drawText(QRectF(px - 6, py - 24, 12, 16), Qt.AlignmentFlag.AlignCenter, "!")
                else:
                    p.setBrush(accent)
                    if qids:
                        p.drawRect(QRectF(px - 3.5, py - 3.5, 7, 7))
                    else:
                        p.drawEllipse(QPointF(px, py), 3.5, 3.5)
        p.setBrush(Qt.BrushStyle.NoBrush)

    def _bar(self, p: QPainter, start: dt.date | None, stop: dt.date | None, mid: float, row_h: float,
             fill: QColor, ink: QColor, note: str, ticks: list[dt.date]) -> None:
        assert self.data is not None
        if start is None:
            p.setPen(colour("muted"))
            p.drawText(QRectF(LABEL_W + 4, mid - row_h / 2, 200, row_h), Qt.AlignmentFlag.AlignVCenter,
                       "dates not recorded")
            return
        x0, x1 = self._x(start), self._x(stop or self.data.as_of)
        h = row_h * 0.6
        p.setPen(QPen(ink, 1))
        p.setBrush(fill)
        p.drawRect(QRectF(x0, mid - h / 2, max(x1 - x0, 2), h))
        p.setBrush(Qt.BrushStyle.NoBrush)
        p.setPen(QPen(ink, 1.5))
        for day in ticks:
            px = self._x(day)
            p.drawLine(QPointF(px, mid - h / 2 - 2), QPointF(px, mid + h / 2 + 2))
        end = max([x1, *[self._x(d) for d in ticks]])
        if note:
            p.setPen(ink)
            p.drawText(QRectF(end + 4, mid - row_h / 2, max(NOTE_W, self.width() - end - 4), row_h),
                       Qt.AlignmentFlag.AlignVCenter, note)


class TimelineTab(PatientTabWidget):
    """The tab around the view (a ``PatientTab``): a title line, a print button and the lazily loaded timeline."""

    key = TabKey.TIMELINE
    title = TabKey.TIMELINE.label
    # It reads when told the patient while shown, and again on every show; the view scales to its space.

    def __init__(self, source: Callable[[int], TimelineData], make_pdf: Callable[[int], bytes] | None = None,
                 parent: QWidget | None = None, *, print_log: PrintRecorder | None = None) -> None:
        super().__init__(parent)
        self.source = source
        self.print_log = print_log
        self.patient_id: int | None = None
        self.view = TimelineView()
        self.caption = QLabel()
        self.caption.setProperty("role", "muted")
        top = QHBoxLayout()
        top.addWidget(self.caption, 1)
        self.print_button = QPushButton("Print timeline…")
        self.print_button.setToolTip("Save the timeline as one A4 landscape PDF page")
        self.make_pdf = make_pdf
        self.print_button.clicked.connect(self.print_current)
        top.addWidget(self.print_button)
        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addWidget(self.view, 1)
        # Only once it has a parent: showing a parentless button opens it as a window of its own.
        self.print_button.setVisible(make_pdf is not None)

    def print_current(self) -> PdfPreviewDialog | None:
        """The printed page in the preview, where it can be saved or printed (File ▸ Print calls this too)."""
        make_pdf, pid = self.make_pdf, self.patient_id
        if make_pdf is None or pid is None:
            return None
        dialog = PdfPreviewDialog("Treatment timeline", self)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.preview.print_log = self.print_log  # a print or a saved copy is audited like any other
        dialog.preview.load(lambda: make_pdf(pid), "treatment-timeline.pdf", "the timeline")
        dialog.show()
        return dialog

    def set_patient(self, patient_id: int | None) -> None:
        self.patient_id = patient_id
        if self.isVisible():
            self.refresh()

    def refresh(self) -> None:
        if self.patient_id is None:
            self.view.show_data(None)
            self.caption.setText("")
            return
        try:
            data = self.source(self.patient_id)
        except Exception as exc:
            self.view.show_data(None)
            show_error(self, "Could not show the timeline", exc)
            return
        counts = ", ".join(f"{n} {word}{'' if n == 1 else 's'}" for n, word in (
            (len(data.trials), "trial"), (len(data.courses), "course"), (len(data.sessions), "therapy session"),
            (len(data.scores), "PHQ-9/QIDS-SR16 score")))
        self.caption.setText(f"{data.start.isoformat()} to {data.as_of.isoformat()}: {counts}")
        self.view.show_data(data)

    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        self.refresh()  # read again each time: another tab may have added a score or a session

    def invalidate(self) -> None:
        if self.isVisible():
            self.refresh()

    def can_print(self) -> bool:
        return self.make_pdf is not None
