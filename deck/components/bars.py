"""Horizontal bars with a label column on the left and values at the bars' ends."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from manim import LEFT, RIGHT, Rectangle, VGroup

from deck import theme
from deck.components.roles import DECOR, tag
from deck.components.spec import sit_on
from deck.components.text import text

BAR_HEIGHT = 0.5
ROW_PITCH = 1.35
GAP = 0.3
BAR_OPACITY = 0.85


@dataclass(frozen=True)
class Bar:
    name: str
    note: str
    value: float
    value_text: str
    color: str


def filled_bar(width: float, height: float, color: str, opacity: float = BAR_OPACITY) -> Rectangle:
    """One bar: a filled rectangle without outline."""
    bar = Rectangle(
        width=width, height=height, stroke_width=0, fill_color=color, fill_opacity=opacity
    )
    return tag(bar, DECOR)


def bar_chart(bars: Sequence[Bar], bar_width: float) -> VGroup:
    """Bars scaled to the largest value; `chart.rows[i]` = (name, note, bar, value)."""
    names = [text(b.name, theme.SIZE.body, b.color) for b in bars]
    notes = [text(b.note, theme.SIZE.detail, theme.MUTED) for b in bars]
    label_w = max(max(n.width for n in names), max(n.width for n in notes))
    top = max(b.value for b in bars)
    chart = VGroup()
    for i, (b, name, note) in enumerate(zip(bars, names, notes, strict=True)):
        y = -i * ROW_PITCH
        width = max(bar_width * b.value / top, 0.04)  # a tiny value still shows as a sliver
        bar = filled_bar(width, BAR_HEIGHT, b.color)
        bar.move_to([label_w + GAP, 0, 0], aligned_edge=LEFT)
        sit_on(name.move_to([0, 0, 0], aligned_edge=LEFT), y + 0.04)
        sit_on(note.move_to([0, 0, 0], aligned_edge=LEFT), y - 0.4)
        bar.set_y(y)
        value = text(b.value_text, theme.SIZE.body).next_to(bar, RIGHT, buff=GAP)
        chart.add(VGroup(name, note, bar, value))
    chart.rows = list(chart)
    return chart


COMPACT_PITCH = 0.6  # rows of a compact chart: one line each
COMPACT_BAR_HEIGHT = 0.36
TAIL_GAP = 0.2  # between a bar's value and its note


def compact_bar_chart(bars: Sequence[Bar], width: float) -> VGroup:
    """One line per bar: its name, the bar, its value and a muted note after it, all
    within `width`; the bars share one scale, the largest that lets every row fit (a long
    note after a short bar is fine). `chart.rows[i]` = (name, bar, value, note)."""
    size = theme.SIZE.label
    names = [text(b.name, size, b.color) for b in bars]
    values = [text(b.value_text, size) for b in bars]
    notes = [text(b.note, theme.SIZE.detail, theme.MUTED) for b in bars]
    label_w = max(n.width for n in names) + GAP
    tails = [GAP + v.width + TAIL_GAP + n.width for v, n in zip(values, notes, strict=True)]
    scale = min((width - label_w - t) / b.value for b, t in zip(bars, tails, strict=True))
    chart = VGroup()
    for i, (b, name, value, note) in enumerate(zip(bars, names, values, notes, strict=True)):
        y = -i * COMPACT_PITCH
        bar = filled_bar(max(scale * b.value, 0.04), COMPACT_BAR_HEIGHT, b.color)
        bar.move_to([label_w, y, 0], aligned_edge=LEFT)
        name.move_to([0, y, 0], aligned_edge=LEFT)
        value.next_to(bar, RIGHT, buff=GAP)
        note.next_to(value, RIGHT, buff=TAIL_GAP)
        for t in (name, value, note):  # one baseline per row, whatever the glyphs
            sit_on(t, y - theme.em(size) / 4)
        chart.add(VGroup(name, bar, value, note))
    chart.rows = list(chart)
    return chart
