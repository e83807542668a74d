"""Small drawn building blocks: ruled writing space, free boxes, tick boxes and rating scales."""

from __future__ import annotations

from itertools import pairwise

from reportlab.lib.units import mm
from reportlab.platypus import Flowable

from trdplanner.export.fonts import BOLD, REGULAR, string_width
from trdplanner.export.styles import INK, LINE_PITCH, MUTED, RULE, WRITING_LINE


class WritingLines(Flowable):
    """``count`` ruled lines to write on, full width. Splits across pages like text would."""

    def __init__(self, count: int, pitch: float = LINE_PITCH) -> None:
        super().__init__()
        self.count = max(1, count)
        self.pitch = pitch

    def wrap(self, available_width: float, available_height: float) -> tuple[float, float]:
        self.width = available_width
        return available_width, self.count * self.pitch

    def split(self, available_width: float, available_height: float) -> list[Flowable]:
        fit = int(available_height // self.pitch)
        if fit < 1 or fit >= self.count:
            return []
        return [WritingLines(fit, self.pitch), WritingLines(self.count - fit, self.pitch)]

    def draw(self) -> None:
        canv = self.canv
        canv.setStrokeColor(WRITING_LINE)
        canv.setLineWidth(0.5)
        for i in range(self.count):
            y = i * self.pitch + 0.2 * mm
            canv.line(0, y, self.width, y)


class FreeBox(Flowable):
    """An outlined empty box of a fixed height (``print: {height_mm: N}``)."""

    def __init__(self, height: float) -> None:
        super().__init__()
        self.box_height = height

    def wrap(self, available_width: float, available_height: float) -> tuple[float, float]:
        self.width = available_width
        return available_width, self.box_height

    def draw(self) -> None:
        self.canv.setStrokeColor(RULE)
        self.canv.setLineWidth(0.6)
        self.canv.roundRect(0, 0, self.width, self.box_height, 1.5 * mm, stroke=1, fill=0)


class TickBox(Flowable):
    """A square (or round, for one-of choices) mark box, ticked or empty."""

    # 4.2 mm: big enough to tick with a pen without hitting the next box (forms use 4-5 mm).
    def __init__(self, ticked: bool = False, size: float = 4.2 * mm, round_: bool = False) -> None:
        super().__init__()
        self.ticked = ticked
        self.size = size
        self.round = round_

    def wrap(self, available_width: float, available_height: float) -> tuple[float, float]:
        return self.size, self.size

    def draw(self) -> None:
        canv, s = self.canv, self.size
        canv.setStrokeColor(INK)
        canv.setLineWidth(0.7)
        if self.round:
            canv.circle(s / 2, s / 2, s / 2, stroke=1, fill=0)
            if self.ticked:
                canv.setFillColor(INK)
                canv.circle(s / 2, s / 2, s / 4, stroke=0, fill=1)
            return
        canv.rect(0, 0, s, s, stroke=1, fill=0)
        if self.ticked:
            canv.setLineWidth(1.1)
            canv.line(s * 0.18, s * 0.18, s * 0.82, s * 0.82)
            canv.line(s * 0.18, s * 0.82, s * 0.82, s * 0.18)


def _number_text(value: int | float) -> str:
    return f"{value:g}"


class RatingScale(Flowable):
    """A row of numbered boxes to circle, with the anchor words under their numbers.

    The chosen value, if any, is drawn as a solid black box with a white number: clear on a
    black-and-white printout without relying on colour.
    """

    def __init__(
        self,
        values: list[int],
        anchors: dict[int, str],
        chosen: int | None = None,
        box: float = 7 * mm,
        font_size: float = 10,
        anchor_size: float = 9,
    ) -> None:
        super().__init__()
        self.values = values
        self.anchors = anchors
        self.chosen = chosen
        self.box = box
        self.font_size = font_size
        self.anchor_size = anchor_size

    @staticmethod
    def anchors_fit(values: list[int], anchors: dict[int, str], width: float, size: float, box: float = 7 * mm) -> bool:
        """Whether the anchor words fit under their boxes without running into each other."""
        pitch = min(box * 1.6, width / max(1, len(values)))
        spans: list[tuple[float, float]] = []
        last = len(values) - 1
        for i, value in enumerate(values):
            label = anchors.get(value)
            if not label:
                continue
            w = string_width(label, REGULAR, size)
            centre = i * pitch + pitch / 2
            if i == 0:
                spans.append((centre - box / 2, centre - box / 2 + w))
            elif i == last:
                spans.append((centre + box / 2 - w, centre + box / 2))
            else:
                spans.append((centre - w / 2, centre + w / 2))
        spans.sort()
        gap = 2.0
        return all(a[1] + gap <= b[0] for a, b in pairwise(spans)) and all(
            s[0] >= -0.5 and s[1] <= width + 0.5 for s in spans
        )

    def _pitch(self, width: float) -> float:
        return min(self.box * 1.6, width / max(1, len(self.values)))

    def wrap(self, available_width: float, available_height: float) -> tuple[float, float]:
        self.width = available_width
        anchor_rows = 1 if self.anchors else 0
        return available_width, self.box + anchor_rows * (self.anchor_size + 3)

    def draw(self) -> None:
        canv = self.canv
        pitch = self._pitch(self.width)
        box = min(self.box, pitch * 0.85)
        top = self.anchor_size + 3 if self.anchors else 0
        canv.setLineWidth(0.7)
        for i, value in enumerate(self.values):
            x = i * pitch + (pitch - box) / 2
            chosen = value == self.chosen
            canv.setStrokeColor(INK)
            canv.setFillColor(INK)
            canv.roundRect(x, top, box, box, 1 * mm, stroke=1, fill=1 if chosen else 0)
            canv.setFillColor((1, 1, 1) if chosen else INK)
            canv.setFont(BOLD if chosen else REGULAR, self.font_size)
            canv.drawCentredString(x + box / 2, top + box / 2 - self.font_size * 0.35, _number_text(value))
        canv.setFillColor(MUTED)
        canv.setFont(REGULAR, self.anchor_size)
        last = len(self.values) - 1
        for i, value in enumerate(self.values):
            label = self.anchors.get(value)
            if not label:
                continue
            centre = i * pitch + pitch / 2
            if i == 0:
                canv.drawString(centre - box / 2, 0, label)
            elif i == last:
                canv.drawRightString(centre + box / 2, 0, label)
            else:
                canv.drawCentredString(centre, 0, label)


class Whole(Flowable):
    """A flowable that moves to the next page whole rather than split (a week's table).

    Only a block taller than a whole page splits, as it must; anything before it that is
    kept with it (its label) moves along, see ``base.KeepWithNext``.
    """

    def __init__(self, content: Flowable) -> None:
        super().__init__()
        self.content = content

    def wrap(self, available_width: float, available_height: float) -> tuple[float, float]:
        self.width, self.height = self.content.wrap(available_width, available_height)
        return self.width, self.height

    def split(self, available_width: float, available_height: float) -> list[Flowable]:
        frame = getattr(self, "_frame", None)
        if frame is not None and self.height > frame._height:
            return list(self.content.split(available_width, available_height))
        return []

    def draw(self) -> None:
        self.content.drawOn(self.canv, 0, 0)
