"""Groups of horizontal bars on one logarithmic axis: for quantities that differ by orders
of magnitude (FLOPs per byte of a decoding step and of a prefill), where a factor reads as
a length. Each group has a name and a line under it on the left, a bar per series with the
series' name before it and its value after it; the axis runs along the bottom, labelled at
every power of ten.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

from manim import DOWN, LEFT, RIGHT, Line, VGroup

from deck import theme
from deck.components.bars import filled_bar
from deck.components.roles import LINE, tag
from deck.components.text import stack, text

BAR_HEIGHT = 0.28
BAR_PITCH = 0.38  # from one bar of a group to the next
GROUP_PITCH = 1.0  # from one group's first bar to the next group's
NAME_GAP = 0.2  # between a series' name and its bar, and a bar and its value
TICK = 0.1  # the axis's tick marks
AXIS_GAP = 0.35  # between the last bar and the axis
TICK_LABEL_GAP = 0.1
TITLE_GAP = 0.15
TICK_LABEL_ROOM = 0.2  # the least space between two tick labels


@dataclass(frozen=True)
class LogBar:
    series: str  # "MHA"
    color: str
    value: float  # > 0
    label: str  # as written after the bar


@dataclass(frozen=True)
class BarGroup:
    name: str
    note: str  # a muted line under the name
    bars: tuple[LogBar, ...]


def decades(low: float, high: float) -> tuple[float, float]:
    """The powers of ten around [low, high], one decade below `low` so that a bar of
    exactly a power of ten still has a length."""
    return 10 ** (math.floor(math.log10(low)) - 1), 10 ** math.ceil(math.log10(high))


def tick_label(value: float) -> str:
    return f"{value:,.0f}" if value >= 1 else f"{value:g}"


class LogBars(VGroup):
    """`groups` from the top at `top`; names from x = `left`, bars from x = `axis_left` (or
    further right, if the names need the room) to at most `axis_right` (the axis's end),
    the axis titled `title`.

    Parts: `names` (a name and note per group), `rows` (per group, per bar: series name,
    bar, value), `axis` (line, ticks, tick labels, title)."""

    def __init__(
        self,
        groups: Sequence[BarGroup],
        title: str,
        *,
        left: float,
        axis_left: float,
        axis_right: float,
        top: float,
    ):
        values = [b.value for g in groups for b in g.bars]
        low, high = decades(min(values), max(values))
        self.names = VGroup(
            *(
                stack(
                    text(group.name, theme.SIZE.body, theme.TITLE),
                    text(group.note, theme.SIZE.label, theme.MUTED),
                    buff=0.08,
                )
                for group in groups
            )
        )
        series_width = max(text(b.series, theme.SIZE.label).width for g in groups for b in g.bars)
        # the bars start right of the widest name and series name
        axis_left = max(axis_left, left + self.names.width + 2 * NAME_GAP + series_width)

        def x_of(value: float) -> float:
            share = math.log10(value / low) / math.log10(high / low)
            return axis_left + share * (axis_right - axis_left)

        self.rows = VGroup()
        for index, group in enumerate(groups):
            first = top - BAR_HEIGHT / 2 - index * GROUP_PITCH
            row = VGroup()
            for k, b in enumerate(group.bars):
                y = first - k * BAR_PITCH
                bar = filled_bar(x_of(b.value) - axis_left, BAR_HEIGHT, b.color)
                bar.move_to([axis_left, y, 0], aligned_edge=LEFT)
                series = text(b.series, theme.SIZE.label, b.color)
                series.move_to([axis_left - NAME_GAP, y, 0], aligned_edge=RIGHT)
                value = text(b.label, theme.SIZE.label, theme.TEXT)
                value.move_to([bar.get_right()[0] + NAME_GAP, y, 0], aligned_edge=LEFT)
                row.add(VGroup(series, bar, value))
            self.rows.add(row)
            self.names[index].move_to([left, row.get_y(), 0], aligned_edge=LEFT)
        axis_y = self.rows.get_bottom()[1] - AXIS_GAP
        line = tag(
            Line([axis_left, axis_y, 0], [axis_right, axis_y, 0], color=theme.LINE), LINE
        ).set_stroke(width=theme.STROKE)
        ticks, labels = VGroup(), VGroup()
        for e in range(round(math.log10(low)), round(math.log10(high)) + 1):
            x = x_of(10.0**e)
            ticks.add(tag(Line([x, axis_y, 0], [x, axis_y - TICK, 0], color=theme.LINE), LINE))
            label = text(tick_label(10.0**e), theme.SIZE.caption, theme.MUTED)
            label.next_to([x, axis_y - TICK, 0], DOWN, buff=TICK_LABEL_GAP)
            # on a short axis of many decades, a label that would touch the last is left out
            if not labels or label.get_left()[0] - labels[-1].get_right()[0] >= TICK_LABEL_ROOM:
                labels.add(label)
        heading = text(title, theme.SIZE.label, theme.MUTED)
        heading.next_to(labels, DOWN, buff=TITLE_GAP).align_to([axis_left, 0, 0], LEFT)
        self.axis = VGroup(line, ticks, labels, heading)
        self.axis.line, self.axis.labels = line, labels
        super().__init__(self.names, self.rows, self.axis)
