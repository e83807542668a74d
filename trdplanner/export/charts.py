"""Score-over-time charts drawn with reportlab graphics (vector, so they print sharply).

One chart per instrument: severity bands shaded in greys that darken with severity, the
remission cut-off and the response threshold (half the baseline) as labelled dashed lines,
the scores as a line with points, and the treatment trials on lanes above the plot with
dotted guides where each starts and stops. Everything reads in black and white.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field

from reportlab.graphics.shapes import Circle, Drawing, Line, PolyLine, Rect, String
from reportlab.lib.colors import Color, white
from reportlab.lib.units import mm

from trdplanner.clinical import Instrument, remission_criterion, spec
from trdplanner.clinical.change import ChangeSettings
from trdplanner.core.records import TrialRec
from trdplanner.export.fonts import BOLD, REGULAR, string_width
from trdplanner.export.text import printable

_INK = Color(0, 0, 0)
_GUIDE = Color(0.45, 0.45, 0.45)
_BAND_GREYS = (1.0, 0.95, 0.9, 0.85, 0.8, 0.75)
_LANE_H = 4.6 * mm
_MAX_LANES = 8

# Short names for trial kinds on the lanes (the agent is used when there is one).
_KIND_SHORT = {
    "ect": "ECT",
    "rtms_itbs": "rTMS/iTBS",
    "esketamine": "Esketamine",
    "iv_ketamine": "IV ketamine",
    "vns": "VNS",
    "psychotherapy": "Psychotherapy",
}
# Device and drug-free treatments get black lanes, medication trials grey ones.
_PROCEDURES = frozenset({"ect", "rtms_itbs", "vns"})


@dataclass(frozen=True)
class Series:
    instrument: Instrument
    points: list[tuple[dt.date, int]]
    baseline: int | None = None  # the first score on file, which change is measured against


@dataclass(frozen=True)
class ChartSpec:
    width: float
    height: float
    start: dt.date
    end: dt.date
    trials: list[TrialRec] = field(default_factory=list)
    change_settings: ChangeSettings = field(default_factory=ChangeSettings)
    compact: bool = False  # the pre-session sheet's small version: no lanes, fewer labels


def trial_label(trial: TrialRec) -> str:
    name = _KIND_SHORT.get(trial.kind) if trial.kind in _PROCEDURES or not trial.agent else None
    return name or trial.agent or trial.kind.replace("_", " ")


def _visible_trials(trials: list[TrialRec], start: dt.date, end: dt.date) -> list[TrialRec]:
    out = [t for t in trials if t.start is not None and t.start <= end and (t.stop is None or t.stop >= start)]
    return sorted(out, key=lambda t: (t.start or start, trial_label(t)))


def _ticks(start: dt.date, end: dt.date) -> list[tuple[dt.date, str]]:
    days = (end - start).days
    if days <= 70:
        step = 7 if days > 21 else 1 if days <= 10 else 3
        out, d = [], start
        while d <= end:
            out.append((d, d.strftime("%d %b")))
            d += dt.timedelta(days=step)
        return out
    months = days // 30
    every = 1 if months <= 8 else 2 if months <= 16 else 3 if months <= 30 else 6 if months <= 60 else 12
    out = []
    y, m = start.year, start.month
    while True:
        m += 1
        if m > 12:
            y, m = y + 1, 1
        d = dt.date(y, m, 1)
        if d > end:
            break
        if (m - 1) % every == 0:
            out.append((d, d.strftime("%b %Y") if m == 1 or not out else d.strftime("%b")))
    return out


def score_chart(series: Series, chart: ChartSpec) -> Drawing:
    s = spec(series.instrument)
    trials = [] if chart.compact else _visible_trials(chart.trials, chart.start, chart.end)[:_MAX_LANES]
    start, end = chart.start, chart.end
    if end <= start:
        start, end = start - dt.timedelta(days=7), end + dt.timedelta(days=7)
    d = Drawing(chart.width, chart.height)
    left = 8 * mm
    right_labels = 0 if chart.compact else 24 * mm
    bottom = 6 * mm
    lanes_h = len(trials) * _LANE_H + (2 * mm if trials else 0)
    top_pad = 2 * mm
    px0, px1 = left, chart.width - right_labels - 1 * mm
    py0, py1 = bottom, chart.height - lanes_h - top_pad
    y_max = float(s.total_max)
    span = max(1, (end - start).days)

    def x_of(day: dt.date) -> float:
        return px0 + (px1 - px0) * (day - start).days / span

    def y_of(value: float) -> float:
        return py0 + (py1 - py0) * max(0.0, min(y_max, value)) / y_max

    size = 6.0 if chart.compact else 6.5
    # Severity bands, from the bottom edge of each band to the top of the next.
    for index, band in enumerate(s.severity_bands):
        lo = y_of(max(0.0, band.low - 0.5))
        hi = y_of(min(y_max, band.high + 0.5))
        grey = _BAND_GREYS[min(index, len(_BAND_GREYS) - 1)]
        d.add(Rect(px0, lo, px1 - px0, hi - lo, fillColor=Color(grey, grey, grey), strokeColor=None))
        if not chart.compact:
            d.add(String(px1 + 1.5 * mm, (lo + hi) / 2 - 2.2, band.label, fontName=REGULAR, fontSize=size))
    d.add(Rect(px0, py0, px1 - px0, py1 - py0, fillColor=None, strokeColor=_GUIDE, strokeWidth=0.5))
    # Y axis: a tick every 5 points.
    for value in range(0, int(y_max) + 1, 5 if y_max <= 30 else 10):
        y = y_of(value)
        d.add(Line(px0 - 1 * mm, y, px0, y, strokeColor=_GUIDE, strokeWidth=0.5))
        d.add(String(px0 - 1.5 * mm, y - 2, str(value), fontName=REGULAR, fontSize=size, textAnchor="end"))
    # X axis.
    for day, label in _ticks(start, end):
        x = x_of(day)
        d.add(Line(x, py0 - 1 * mm, x, py0, strokeColor=_GUIDE, strokeWidth=0.5))
        d.add(String(x, py0 - 3.6 * mm, label, fontName=REGULAR, fontSize=size, textAnchor="middle"))
    _thresholds(d, series, chart, px0, px1, y_of, size)
    _lanes(d, trials, start, end, x_of, px0, px1, py0, py1, size)
    _points(d, series, start, end, x_of, y_of, compact=chart.compact)
    return d


def _thresholds(
    d: Drawing,
    series: Series,
    chart: ChartSpec,
    px0: float,
    px1: float,
    y_of: Callable[[float], float],
    size: float,
) -> None:
    remission = remission_criterion(series.instrument, chart.change_settings)
    y = y_of(remission.threshold + 0.5)
    d.add(Line(px0, y, px1, y, strokeColor=_INK, strokeWidth=0.9, strokeDashArray=[4, 2]))
    if not chart.compact:
        text = "remission" + ("" if remission.verified else " (convention)")
        d.add(String(px0 + 1.5 * mm, y + 1.2, text, fontName=BOLD, fontSize=size - 0.5))
    if series.baseline:
        half = series.baseline / 2
        y = y_of(half)
        d.add(Line(px0, y, px1, y, strokeColor=_INK, strokeWidth=0.7, strokeDashArray=[1, 2]))
        if not chart.compact:
            text = f"response: half of baseline {series.baseline} ({half:g})"
            d.add(String(px0 + 1.5 * mm, y + 1.2, text, fontName=REGULAR, fontSize=size - 0.5))


def _lanes(
    d: Drawing,
    trials: list[TrialRec],
    start: dt.date,
    end: dt.date,
    x_of: Callable[[dt.date], float],
    px0: float,
    px1: float,
    py0: float,
    py1: float,
    size: float,
) -> None:
    bar_h = _LANE_H - 1.1 * mm
    for lane, trial in enumerate(trials):
        assert trial.start is not None
        # The earliest trial on the top lane, so the lanes read downwards in time order.
        y = py1 + 2 * mm + (len(trials) - 1 - lane) * _LANE_H
        a = x_of(max(trial.start, start))
        b = x_of(min(trial.stop or end, end))
        procedure = trial.kind in _PROCEDURES
        fill = _INK if procedure else Color(0.62, 0.62, 0.62)
        d.add(Rect(a, y, max(1.2, b - a), bar_h, fillColor=fill, strokeColor=None))
        label = printable(trial_label(trial))
        width = string_width(label, REGULAR, size)
        base = y + (bar_h - size * 0.72) / 2
        if b - a > width + 3 * mm:  # inside the bar, in white on black or black on grey
            colour = white if procedure else _INK
            d.add(String(a + 1.2 * mm, base, label, fontName=REGULAR, fontSize=size, fillColor=colour))
        elif b + width + 2 * mm < px1 + 24 * mm:
            d.add(String(b + 1 * mm, base, label, fontName=REGULAR, fontSize=size))
        else:
            d.add(String(a - 1 * mm, base, label, fontName=REGULAR, fontSize=size, textAnchor="end"))
        for day in (trial.start, trial.stop):
            if day is not None and start <= day <= end:
                x = x_of(day)
                d.add(Line(x, py0, x, py1, strokeColor=_GUIDE, strokeWidth=0.5, strokeDashArray=[1, 1.5]))


def _points(
    d: Drawing,
    series: Series,
    start: dt.date,
    end: dt.date,
    x_of: Callable[[dt.date], float],
    y_of: Callable[[float], float],
    *,
    compact: bool,
) -> None:
    shown = [(day, total) for day, total in series.points if start <= day <= end]
    coords = [(x_of(day), y_of(total)) for day, total in shown]
    if len(coords) > 1:
        flat = [v for xy in coords for v in xy]
        d.add(PolyLine(flat, strokeColor=_INK, strokeWidth=1.2))
    label_points = not compact and len(coords) <= 24
    for (x, y), (_, total) in zip(coords, shown, strict=True):
        d.add(Circle(x, y, 1.7 if not compact else 1.3, fillColor=_INK, strokeColor=white, strokeWidth=0.5))
        if label_points:
            # A point on the left edge gets its label to the right, clear of the axis numbers.
            anchor = "start" if x - x_of(start) < 2 * mm else "middle"
            d.add(String(x, y + 2.6 * mm - 2, str(total), fontName=BOLD, fontSize=6.5, textAnchor=anchor))
