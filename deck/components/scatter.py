"""A labelled scatter plot: two axes with ticks, one dot per point, its name and values beside it.

Drawn for few points (a paper's figure of four models), so every point is labelled directly
instead of through a legend; a label that would leave the plot on the right goes under
its dot, flush right (or, without room there, left of it).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

from manim import DOWN, LEFT, ORIGIN, RIGHT, UP, Dot, VGroup

from deck import theme
from deck.components.diagram import connector
from deck.components.roles import DECOR, tag
from deck.components.text import stack, text

DOT_RADIUS = 0.1
TICK_LENGTH = 0.12
TICK_LABEL_GAP = 0.1
LABEL_GAP = 0.18  # between a dot and its label
LABEL_LINE_GAP = 0.05
TITLE_GAP = 0.2  # between an axis's tick labels and its title


@dataclass(frozen=True)
class Point:
    name: str  # the label's first line
    detail: str  # its second line, e.g. the values
    x: float
    y: float
    color: str


def ticks(low: float, high: float, step: float) -> list[float]:
    """The multiples of `step` from `low` to `high` (both on the grid)."""
    count = round((high - low) / step)
    return [round(low + i * step, 10) for i in range(count + 1)]


def padded_range(values: Sequence[float], step: float, *, from_zero: bool) -> tuple[float, float]:
    """An axis range on the `step` grid around `values`, with at least half a step of room
    beyond the extremes (so no dot sits on an axis); from 0 when `from_zero`."""
    low = 0.0 if from_zero else math.floor((min(values) - step / 2) / step) * step
    high = math.ceil((max(values) + step / 2) / step) * step
    return low, high


def tick_text(value: float) -> str:
    return f"{value:g}"


class Scatter(VGroup):
    """`points` on axes with ticks every `x_step` and `y_step`, the whole figure (axis
    titles and tick labels included) `width` wide and `height` tall, the axes' corner at
    the origin.

    `.axes` (lines and ticks), `.tick_labels`, `.titles`, `.dots` and `.labels` are the
    parts; `.dot(name)` and `.label(name)` find one point's.
    """

    def __init__(
        self,
        points: Sequence[Point],
        *,
        width: float,
        height: float,
        x_step: float,
        y_step: float,
        x_title: str,
        y_title: str,
    ):
        self.x_range = padded_range([p.x for p in points], x_step, from_zero=True)
        self.y_range = padded_range([p.y for p in points], y_step, from_zero=False)
        x_ticks, y_ticks = ticks(*self.x_range, x_step), ticks(*self.y_range, y_step)

        def tick_label(value: float):
            return text(tick_text(value), theme.SIZE.caption, theme.MUTED)

        x_labels = [tick_label(v) for v in x_ticks]
        y_labels = [tick_label(v) for v in y_ticks]
        x_title_mob = text(x_title, theme.SIZE.label, theme.MUTED)
        y_title_mob = text(y_title, theme.SIZE.label, theme.MUTED)
        # the axes get what the titles and tick labels leave of the figure
        left_room = TICK_LENGTH + TICK_LABEL_GAP + max(m.width for m in y_labels)
        below = TICK_LENGTH + TICK_LABEL_GAP + max(m.height for m in x_labels)
        below += TITLE_GAP + x_title_mob.height
        above = TITLE_GAP + y_title_mob.height
        self.width_units = width - left_room
        self.height_units = height - above - below

        self.axes = VGroup(
            connector(ORIGIN, RIGHT * self.width_units), connector(ORIGIN, UP * self.height_units)
        )
        self.tick_labels = VGroup()
        for value, label in zip(x_ticks, x_labels, strict=True):
            at = self.to_frame(value, self.y_range[0])
            self.axes.add(connector(at, at + DOWN * TICK_LENGTH))
            self.tick_labels.add(label.next_to(at + DOWN * TICK_LENGTH, DOWN, TICK_LABEL_GAP))
        for value, label in zip(y_ticks, y_labels, strict=True):
            at = self.to_frame(self.x_range[0], value)
            self.axes.add(connector(at, at + LEFT * TICK_LENGTH))
            self.tick_labels.add(label.next_to(at + LEFT * TICK_LENGTH, LEFT, TICK_LABEL_GAP))
        x_title_mob.next_to(self.tick_labels, DOWN, TITLE_GAP).align_to(self.axes[0], RIGHT)
        y_title_mob.next_to(self.axes[1], UP, TITLE_GAP).align_to(self.tick_labels, LEFT)
        self.titles = VGroup(x_title_mob, y_title_mob)
        self.names = [p.name for p in points]
        self.dots = VGroup()
        self.labels = VGroup()
        for p in points:
            dot = tag(Dot(self.to_frame(p.x, p.y), radius=DOT_RADIUS, color=p.color), DECOR)
            label = stack(
                text(p.name, theme.SIZE.label, p.color),
                text(p.detail, theme.SIZE.caption, theme.MUTED),
                buff=LABEL_LINE_GAP,
            )
            label.next_to(dot, RIGHT, LABEL_GAP)
            if label.get_right()[0] > self.width_units:
                # under its dot, flush with its right edge: beside it on the left, the
                # label would run up to its neighbours' (and to their outlines)
                label.next_to(dot, DOWN, LABEL_GAP).align_to(dot, RIGHT)
                if label.get_bottom()[1] < 0:  # no room above the x axis
                    label.next_to(dot, LEFT, LABEL_GAP)
                for line in label:
                    line.align_to(label, RIGHT)
            self.dots.add(dot)
            self.labels.add(label)
        super().__init__(self.axes, self.tick_labels, self.titles, self.dots, self.labels)

    def to_frame(self, x: float, y: float):
        """Where the data point (x, y) falls, with the axes' corner at the origin (as
        built: for laying the figure out, not after it has moved)."""
        (x0, x1), (y0, y1) = self.x_range, self.y_range
        return (
            RIGHT * (x - x0) / (x1 - x0) * self.width_units
            + UP * (y - y0) / (y1 - y0) * self.height_units
        )

    def dot(self, name: str) -> Dot:
        return self.dots[self.names.index(name)]

    def label(self, name: str) -> VGroup:
        return self.labels[self.names.index(name)]
