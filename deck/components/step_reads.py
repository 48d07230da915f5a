"""What one decoding step reads, as stacked bars: the weights (read once for the whole
batch) and the KV cache (every sequence's), one bar per way of sharing K and V, with the
ratio of two bars written beside them.

A panel is drawn to its own scale (its longest bar fills the width), so that the share of
the cache in each bar, and so the ratio, reads at any batch; the values at the bars' ends
say the sizes.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from manim import DOWN, LEFT, RIGHT, UP, VGroup

from deck import theme
from deck.components.bars import filled_bar
from deck.components.spec import sit_on
from deck.components.text import text

BAR_HEIGHT = 0.34
ROW_PITCH = 0.52  # from one bar's middle to the next
NAME_GAP = 0.25  # between a bar's name and the bar
VALUE_GAP = 0.2  # between a bar's end and its value
HEADING_GAP = 0.18  # between a panel's heading and its first bar
MIN_SEGMENT = 0.04  # a part too small to see still shows as a sliver
SWATCH = 0.28  # the legend's colour squares
LEGEND_GAP = 0.15  # between a swatch and its words
LEGEND_SPACING = 0.6  # between the legend's entries
RATIO_GAP = 0.08  # between the ratio and what it compares


@dataclass(frozen=True)
class ReadBar:
    """One bar: what `name` reads, `weights` then `cache` bytes, labelled `value`."""

    name: str
    color: str  # its cache part, the colour of its way of sharing K and V
    weights: float
    cache: float
    value: str


def weights_color() -> str:
    """The weights' part of every bar: the same neutral grey in every variant's bar."""
    return theme.LINE


class ReadsPanel(VGroup):
    """A heading over one bar per `ReadBar`, the bars `bar_width` long at most, from x =
    `left`, the panel's top at `top`; `ratio` (large, in `ratio_color`) and `ratio_note`
    (under it) at the right edge `right`, level with the bars. Parts: `heading`, `rows`
    (name, weights part, cache part, value), `ratio`."""

    def __init__(
        self,
        heading: str,
        bars: Sequence[ReadBar],
        ratio: str,
        ratio_note: str,
        ratio_color: str,
        *,
        left: float,
        right: float,
        top: float,
        bar_width: float,
    ):
        self.heading = text(heading, theme.SIZE.body, theme.TITLE)
        self.heading.move_to([left, top, 0], aligned_edge=UP + LEFT)
        names = [text(b.name, theme.SIZE.label, b.color) for b in bars]
        name_width = max(n.width for n in names)
        bar_left = left + name_width + NAME_GAP
        longest = max(b.weights + b.cache for b in bars)
        first_y = self.heading.get_bottom()[1] - HEADING_GAP - BAR_HEIGHT / 2
        self.rows = VGroup()
        for i, (b, name) in enumerate(zip(bars, names, strict=True)):
            y = first_y - i * ROW_PITCH
            parts = []
            x = bar_left
            for size, color in ((b.weights, weights_color()), (b.cache, b.color)):
                width = max(bar_width * size / longest, MIN_SEGMENT)
                part = filled_bar(width, BAR_HEIGHT, color)
                parts.append(part.move_to([x, y, 0], aligned_edge=LEFT))
                x += width
            name.move_to([left, y, 0], aligned_edge=LEFT)
            value = text(b.value, theme.SIZE.label, theme.TEXT)
            value.move_to([x + VALUE_GAP, y, 0], aligned_edge=LEFT)
            self.rows.add(VGroup(name, *parts, value))
        big = text(ratio, theme.SIZE.heading, ratio_color)
        note = text(ratio_note, theme.SIZE.label, theme.MUTED)
        self.ratio = VGroup(big, note).arrange(DOWN, buff=RATIO_GAP, aligned_edge=RIGHT)
        self.ratio.move_to([right, self.rows.get_y(), 0], aligned_edge=RIGHT)
        super().__init__(self.heading, self.rows, self.ratio)

    @property
    def bars_right(self) -> float:
        """Where the longest bar's value ends (what must stay left of the ratio)."""
        return max(row[-1].get_right()[0] for row in self.rows)


def reads_legend(weights: str, cache: str, cache_colors: Sequence[str]) -> VGroup:
    """A grey swatch for the weights, then the caches' colours side by side."""
    entries = VGroup()
    for label, colors in ((weights, [weights_color()]), (cache, cache_colors)):
        swatches = VGroup(*(filled_bar(SWATCH, SWATCH, c) for c in colors)).arrange(RIGHT, buff=0)
        words = text(label, theme.SIZE.label, theme.MUTED)
        sit_on(words, 0)
        swatches.next_to(words, LEFT, buff=LEGEND_GAP).set_y(words.get_y())
        entries.add(VGroup(swatches, words))
    return entries.arrange(RIGHT, buff=LEGEND_SPACING)
