"""Score-over-time chart: severity bands behind the line, treatment events as dashed markers.

Usable by any part of the GUI: give it plain points and events, it draws them with the
instrument's published bands. Positive suicidality items are drawn as red points.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from PySide6.QtCharts import (
    QAreaSeries,
    QChart,
    QChartView,
    QDateTimeAxis,
    QLineSeries,
    QScatterSeries,
    QValueAxis,
)
from PySide6.QtCore import QDate, QDateTime, QMargins, QPointF, Qt, QTime
from PySide6.QtGui import QBrush, QColor, QFont, QPainter, QPalette, QPen
from PySide6.QtWidgets import QGraphicsSimpleTextItem, QToolTip, QWidget

from trdplanner.clinical import spec
from trdplanner.gui.theme import colour, is_dark

# Green to red, one per band, light and subtle so the line stays readable.
_BAND_LIGHT = ("#e3f1e6", "#eef5dc", "#fbf1d5", "#fbe4d2", "#f8d9d6")
_BAND_DARK = ("#1f3526", "#2c3520", "#3d3620", "#43301f", "#46241f")


@dataclass(frozen=True)
class ScorePoint:
    taken_on: dt.date
    total: int
    alert: bool = False


@dataclass(frozen=True)
class ChartEvent:
    on: dt.date
    label: str


def _qdt(d: dt.date, hour: int = 0) -> QDateTime:
    return QDateTime(QDate(d.year, d.month, d.day), QTime(hour, 0))


def _ms(d: dt.date) -> float:
    return float(_qdt(d, 12).toMSecsSinceEpoch())


def _band_colours(n: int) -> list[str]:
    palette = _BAND_DARK if is_dark() else _BAND_LIGHT
    if n <= len(palette):
        picks = [round(i * (len(palette) - 1) / max(n - 1, 1)) for i in range(n)]
        return [palette[i] for i in picks]
    return list(palette) + [palette[-1]] * (n - len(palette))


class ScoreChart(QChartView):
    def __init__(self, parent: QWidget | None = None) -> None:
        # One chart for the view's life; series and axes are swapped, never the chart (safer with PySide).
        self._chart = QChart()
        super().__init__(self._chart, parent)
        self.setRenderHint(QPainter.RenderHint.Antialiasing)
        self.setToolTip("Scores over time. Shaded bands are the severity bands; dashed lines mark treatment "
                        "starts and stops; red points had a positive suicidality item")
        self.setMinimumHeight(220)
        self._labels: list[tuple[QGraphicsSimpleTextItem, float, float]] = []
        self._chart.setMargins(QMargins(4, 4, 4, 4))
        self._chart.setBackgroundRoundness(0)
        self._chart.legend().setVisible(False)
        self._chart.plotAreaChanged.connect(lambda _r: self._place_labels())

    def show_scores(self, instrument: str, points: list[ScorePoint], events: list[ChartEvent],
                    today: dt.date | None = None) -> None:
        s = spec(instrument)
        chart = self._chart
        chart.removeAllSeries()
        for axis in chart.axes():
            chart.removeAxis(axis)
            axis.deleteLater()
        for item, _x, _y in self._labels:
            if item.scene() is not None:
                item.scene().removeItem(item)
        self._labels = []
        self._keep: list[QLineSeries] = []
        pal = self.palette()
        text = pal.color(QPalette.ColorRole.Text)
        chart.setBackgroundBrush(QBrush(pal.color(QPalette.ColorRole.Base)))
        today = today or dt.date.today()
        if points:
            first = min(p.taken_on for p in points)
            last = max(max(p.taken_on for p in points), today)
        else:
            first, last = today - dt.timedelta(days=90), today
        pad = max(dt.timedelta(days=7), (last - first) / 20)
        x0, x1 = first - pad, last + pad
        for e in events:
            if e.on < x0:
                x0 = e.on - pad
        x_axis = QDateTimeAxis()
        x_axis.setFormat("MMM yyyy" if (x1 - x0).days > 150 else "d MMM")
        x_axis.setRange(_qdt(x0), _qdt(x1))
        x_axis.setTickCount(6)
        y_axis = QValueAxis()
        y_axis.setRange(0, s.total_max)
        y_axis.setLabelFormat("%d")
        y_axis.setTickType(QValueAxis.TickType.TicksDynamic)
        y_axis.setTickAnchor(0)
        y_axis.setTickInterval(5 if s.total_max <= 30 else 10)
        for axis in (x_axis, y_axis):
            axis.setLabelsColor(text)
            axis.setGridLineColor(pal.color(QPalette.ColorRole.Mid))
            axis.setLinePenColor(pal.color(QPalette.ColorRole.Mid))
            f = QFont(self.font())
            f.setPointSizeF(f.pointSizeF() * 0.9)
            axis.setLabelsFont(f)
        chart.addAxis(x_axis, Qt.AlignmentFlag.AlignBottom)
        chart.addAxis(y_axis, Qt.AlignmentFlag.AlignLeft)

        for band, fill in zip(s.severity_bands, _band_colours(len(s.severity_bands)), strict=True):
            upper, lower = QLineSeries(), QLineSeries()
            hi = min(band.high + 0.5, s.total_max)
            lo = max(band.low - 0.5, 0)
            for x in (_ms(x0), _ms(x1)):
                upper.append(x, hi)
                lower.append(x, lo)
            area = QAreaSeries(upper, lower)
            self._keep += [upper, lower]  # the area series does not own its boundary lines
            area.setName(band.label)
            area.setBrush(QBrush(QColor(fill)))
            area.setPen(QPen(Qt.PenStyle.NoPen))
            chart.addSeries(area)
            area.attachAxis(x_axis)
            area.attachAxis(y_axis)
            self._add_label(chart, band.label, _ms(x0), (lo + hi) / 2, muted=True, left=True)

        event_pen = QPen(colour("muted"))
        event_pen.setStyle(Qt.PenStyle.DashLine)
        event_pen.setWidthF(1.2)
        for i, e in enumerate(events):
            line = QLineSeries()
            line.append(_ms(e.on), 0)
            line.append(_ms(e.on), s.total_max)
            line.setPen(event_pen)
            chart.addSeries(line)
            line.attachAxis(x_axis)
            line.attachAxis(y_axis)
            self._add_label(chart, e.label, _ms(e.on), s.total_max * (0.96 - 0.07 * (i % 3)))

        line = QLineSeries()
        pen = QPen(colour("accent"))
        pen.setWidthF(2.4)
        line.setPen(pen)
        dots, alerts = QScatterSeries(), QScatterSeries()
        for series, c in ((dots, colour("accent")), (alerts, colour("danger"))):
            series.setMarkerSize(9 if series is dots else 12)
            series.setColor(c)
            series.setBorderColor(pal.color(QPalette.ColorRole.Base))
        for p in sorted(points, key=lambda p: p.taken_on):
            line.append(_ms(p.taken_on), p.total)
            (alerts if p.alert else dots).append(_ms(p.taken_on), p.total)
        for drawn in (line, dots, alerts):
            chart.addSeries(drawn)
            drawn.attachAxis(x_axis)
            drawn.attachAxis(y_axis)
        dots.hovered.connect(self._hover)
        alerts.hovered.connect(self._hover)
        self._instrument = s.display_name
        self._place_labels()

    def _add_label(self, chart: QChart, text: str, x: float, y: float, *, muted: bool = False,
                   left: bool = False) -> None:
        item = QGraphicsSimpleTextItem(text, chart)
        f = QFont(self.font())
        f.setPointSizeF(f.pointSizeF() * 0.85)
        item.setFont(f)
        item.setBrush(QBrush(colour("muted") if muted else self.palette().color(QPalette.ColorRole.Text)))
        item.setZValue(10)
        item.setData(0, left)
        self._labels.append((item, x, y))

    def _place_labels(self) -> None:
        chart = self.chart()
        series = chart.series()
        if not series:
            return
        ref = series[0]
        for item, x, y in self._labels:
            pos = chart.mapToPosition(QPointF(x, y), ref)
            rect = item.boundingRect()
            if item.data(0):
                item.setPos(pos.x() + 4, pos.y() - rect.height() / 2)
            else:
                item.setPos(pos.x() + 3, pos.y() - rect.height() / 2)

    def _hover(self, point: QPointF, state: bool) -> None:
        if not state:
            QToolTip.hideText()
            return
        when = QDateTime.fromMSecsSinceEpoch(int(point.x())).date().toString("yyyy-MM-dd")
        QToolTip.showText(self.cursor().pos(), f"{self._instrument} {int(point.y())} on {when}", self)
