"""A KV cache as one column per token: the token's key and value, one cell per KV head.

Every column of every cache shares one scale (`unit`, the height of one head), so a
cache with more KV heads grows taller columns: the memory it costs, seen side by side.
"""

from __future__ import annotations

from collections.abc import Sequence

from manim import LEFT, RIGHT, Rectangle, VGroup

from deck import theme
from deck.components.roles import DECOR, tag
from deck.components.spec import sit_on
from deck.components.text import text

MIN_HEAD_CELL = 0.09  # below this height per head the heads merge into one bar
HEAD_GAP = 0.2  # the share of a head's height left as a gap to the next head
BAR_GAP = 0.05  # between a token's key bar and value bar
COLUMN_GAP = 0.16  # between neighbouring tokens' columns
LABEL_GAP = 0.15  # between the columns' bottom and the tokens' names
FILL_OPACITY = 0.9


def _bar(n_heads: int, unit: float, width: float, color: str) -> VGroup:
    """`n_heads` cells stacked upwards from y = 0, or one bar when they would be too thin."""
    heights = [n_heads * unit] if unit < MIN_HEAD_CELL else [unit * (1 - HEAD_GAP)] * n_heads
    bar = VGroup()
    for i, height in enumerate(heights):
        cell = Rectangle(
            width=width, height=height, stroke_width=0, fill_color=color, fill_opacity=FILL_OPACITY
        )
        bar.add(tag(cell.move_to([0, i * unit + height / 2, 0]), DECOR))
    return bar


def token_column(n_kv_heads: int, unit: float, width: float) -> VGroup:
    """One token's key (left) and value (right) bars, bottoms at y = 0, centred on x = 0."""
    bar_width = (width - BAR_GAP) / 2
    key = _bar(n_kv_heads, unit, bar_width, theme.K).shift(LEFT * (bar_width + BAR_GAP) / 2)
    value = _bar(n_kv_heads, unit, bar_width, theme.V).shift(RIGHT * (bar_width + BAR_GAP) / 2)
    return VGroup(key, value)


class CacheColumns(VGroup):
    """A column for each of `tokens`, `pitch` apart from x = `left`, standing on `floor`,
    each token's name under its column. `columns[i]` and `labels[i]` belong to token i."""

    def __init__(
        self,
        tokens: Sequence[str],
        n_kv_heads: int,
        unit: float,
        pitch: float,
        left: float,
        floor: float,
    ):
        self.columns, self.labels = VGroup(), VGroup()
        for i, token in enumerate(tokens):
            x = left + (i + 0.5) * pitch
            self.columns.add(
                token_column(n_kv_heads, unit, pitch - COLUMN_GAP).shift([x, floor, 0])
            )
            name = text(token, theme.SIZE.caption, theme.TEXT).move_to([x, 0, 0])
            self.labels.add(name)
        for name in self.labels:  # one baseline for every name, just under the columns
            sit_on(name, floor - LABEL_GAP - max(n.height for n in self.labels))
        super().__init__(self.columns, self.labels)
