"""Lines on log–log axes: a frame with gridlines and tick labels, curves, levels, end labels.

Log on both axes because the quantities it was made for (KV-cache bytes against context
length) span several orders of magnitude, and because a factor then reads as a distance:
a line that grows in proportion to x has slope one, multiplying it (by a head count, a
batch) moves it up by a fixed step, and a line that stops growing shows as a bend.

The chart is built at its place on the slide (`Plot`) and never moved: every curve,
level and label is placed through `LogChart.point`, so they can be built one beat at a
time and swapped (a transform from one curve to another moves its segments).

A curve is one tagged LINE per segment, so the layout tests check text against each
short segment's box rather than the box of the whole diagonal curve.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from manim import DOWN, LEFT, RIGHT, UP, CapStyleType, DashedLine, Dot, Line, VGroup

from deck import theme
from deck.components.roles import DECOR, LINE, tag
from deck.components.text import text

CURVE_STROKE = 6.0  # the data lines: bold enough to follow from the back of the room
LEVEL_STROKE = 3.5  # a reference level, drawn dashed
LEVEL_DASH = 0.12
LEVEL_LABEL_GAP = 0.1  # between a level's line and its name
GRID_STROKE = 1.0
GRID_OPACITY = 0.35  # gridlines stay behind the data
TICK_GAP = 0.15  # between the plot's edge and its tick labels
TITLE_GAP = 0.2  # between the tick labels and an axis title
END_GAP = 0.2  # between the plot's right edge and the end labels
END_LABEL_SPACING = 1.25  # minimum distance between end labels, in their text heights
MARKER_RADIUS = 0.09


@dataclass(frozen=True)
class Axis:
    low: float  # data value at the axis's start (> 0)
    high: float  # data value at its end
    ticks: tuple[tuple[float, str], ...]  # (value, label) pairs
    title: str


@dataclass(frozen=True)
class Plot:
    """Where the plotting area sits on the slide, in frame units."""

    left: float
    bottom: float
    width: float
    height: float

    @property
    def right(self) -> float:
        return self.left + self.width

    @property
    def top(self) -> float:
        return self.bottom + self.height


@dataclass(frozen=True)
class EndLabel:
    content: str
    color: str
    y: float  # the data value the label stands for, at the right edge


def _fraction(axis: Axis, value: float) -> float:
    return (math.log2(value) - math.log2(axis.low)) / (math.log2(axis.high) - math.log2(axis.low))


def powers_of_two(low: float, high: float, step: int) -> list[int]:
    """Powers of two within [low, high], every `step`-th exponent, counting down from the
    largest (so the top of the range always carries a tick)."""
    top = math.floor(math.log2(high))
    return [2**e for e in range(top, math.ceil(math.log2(low)) - 1, -step)][::-1]


class LogChart(VGroup):
    """The frame: gridlines at the ticks, tick labels, the two axis titles.

    `grid` (untagged: gridlines may pass behind labels), `x_labels`, `y_labels`,
    `x_title` and `y_title` are its parts.
    """

    def __init__(self, x: Axis, y: Axis, plot: Plot, color: str | None = None):
        ink = theme.MUTED if color is None else color
        self.x_axis, self.y_axis, self.plot = x, y, plot
        self.grid = VGroup()
        self.x_labels, self.y_labels = VGroup(), VGroup()
        for value, label in x.ticks:
            bottom, top = self.point(value, y.low), self.point(value, y.high)
            self.grid.add(self._gridline(bottom, top))
            self.x_labels.add(text(label, theme.SIZE.caption, ink).next_to(bottom, DOWN, TICK_GAP))
        for value, label in y.ticks:
            left, right = self.point(x.low, value), self.point(x.high, value)
            self.grid.add(self._gridline(left, right))
            self.y_labels.add(text(label, theme.SIZE.caption, ink).next_to(left, LEFT, TICK_GAP))
        axes = VGroup(
            tag(Line(self.point(x.low, y.low), self.point(x.high, y.low)), LINE),
            tag(Line(self.point(x.low, y.low), self.point(x.low, y.high)), LINE),
        ).set_stroke(ink, theme.STROKE)
        self.x_title = text(x.title, theme.SIZE.label, ink)
        self.x_title.next_to(self.x_labels, DOWN, TITLE_GAP).set_x(plot.left + plot.width / 2)
        self.y_title = text(y.title, theme.SIZE.label, ink)
        self.y_title.next_to([plot.left, plot.top, 0], UP, TITLE_GAP)
        self.y_title.align_to(self.y_labels, LEFT)
        super().__init__(self.grid, axes, self.x_labels, self.y_labels, self.x_title, self.y_title)

    def _gridline(self, start: np.ndarray, end: np.ndarray) -> Line:
        return Line(start, end, stroke_width=GRID_STROKE, color=theme.LINE).set_stroke(
            opacity=GRID_OPACITY
        )

    def point(self, x: float, y: float) -> np.ndarray:
        p = self.plot
        return np.array(
            [
                p.left + p.width * _fraction(self.x_axis, x),
                p.bottom + p.height * _fraction(self.y_axis, y),
                0.0,
            ]
        )

    def curve(self, points: Sequence[tuple[float, float]], color: str) -> VGroup:
        """The line through `points` (data, x increasing): one tagged segment per pair."""
        ends = [self.point(x, y) for x, y in points]
        segments = VGroup(*(tag(Line(a, b), LINE) for a, b in itertools.pairwise(ends))).set_stroke(
            color, CURVE_STROKE
        )
        for segment in segments:
            segment.set_cap_style(CapStyleType.ROUND)  # no notch where a curve bends
        return segments

    def level(self, y: float, color: str, label: str) -> VGroup:
        """A dashed horizontal line across the plot at the data value `y`, named at its
        left end, above the line where the plot has room for the name, else below it
        (a curve that starts at the left rises from the bottom, away from the name)."""
        start, end = self.point(self.x_axis.low, y), self.point(self.x_axis.high, y)
        line = DashedLine(start, end, dash_length=LEVEL_DASH, stroke_width=LEVEL_STROKE)
        name = text(label, theme.SIZE.detail, color)
        room = self.plot.top - start[1] > name.height + 2 * LEVEL_LABEL_GAP
        name.next_to(start, UP if room else DOWN, LEVEL_LABEL_GAP, aligned_edge=LEFT)
        name.shift(RIGHT * LEVEL_LABEL_GAP)
        return VGroup(tag(line.set_color(color), LINE), name)

    def marker(self, x: float, y: float, color: str) -> Dot:
        return tag(Dot(self.point(x, y), radius=MARKER_RADIUS, color=color), DECOR)

    def end_labels(self, labels: Sequence[EndLabel], size: int) -> VGroup:
        """Labels right of the plot, each at its value's height, pushed apart just enough
        not to touch and kept between the plot's bottom and top."""
        made = [text(lb.content, size, lb.color) for lb in labels]
        wanted = [self.point(self.x_axis.high, lb.y)[1] for lb in labels]
        spacing = END_LABEL_SPACING * max(m.height for m in made)
        heights = spread(wanted, spacing, self.plot.bottom, self.plot.top)
        for mob, y in zip(made, heights, strict=True):
            mob.move_to([self.plot.right + END_GAP, y, 0], aligned_edge=LEFT)
        return VGroup(*made)


def spread(wanted: Sequence[float], spacing: float, low: float, high: float) -> list[float]:
    """Heights as close to `wanted` as possible, at least `spacing` apart, within
    [low, high] (when there is room for them all)."""
    order = sorted(range(len(wanted)), key=lambda i: wanted[i])
    placed: list[float] = []
    for i in order:  # upwards from the lowest, each clear of the one below
        y = max(wanted[i], low + spacing / 2)
        placed.append(y if not placed else max(y, placed[-1] + spacing))
    overshoot = placed[-1] - (high - spacing / 2) if placed else 0
    if overshoot > 0:  # then downwards from the top
        placed[-1] -= overshoot
        for k in range(len(placed) - 2, -1, -1):
            placed[k] = min(placed[k], placed[k + 1] - spacing)
    result = [0.0] * len(wanted)
    for rank, i in enumerate(order):
        result[i] = placed[rank]
    return result
