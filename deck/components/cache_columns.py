"""A KV cache as one column per token: the token's key and value, one cell per KV head.

Every column of every cache shares one scale (`unit`, the height of one cell), so a
cache with more KV heads grows taller columns: the memory it costs, seen side by side.
When a model has more heads than cells fit, one cell stands for `per` KV heads in every
cache of the slide (`heads_per_cell`): the columns keep the caches' true proportion, and
the slide says what a cell is. A remainder smaller than a cell (one KV head against 128)
is drawn as that share of a cell, a sliver: the true size, not a readable head.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

from manim import LEFT, RIGHT, VGroup

from deck import theme
from deck.components.bars import filled_bar
from deck.components.roles import HEAD, tag
from deck.components.spec import sit_on
from deck.components.text import text

HEAD_GAP = 0.2  # the share of a head's height left as a gap to the next head
# the smallest scale whose cells keep the readable minimum (gaps 3 px at 1080p)
MIN_UNIT = theme.HEAD_CELL_MIN / (1 - HEAD_GAP)
SLIVER_MIN = 0.02  # a remainder's sliver stays visible: 2.7 px at 1080p
BAR_GAP = 0.05  # between a token's key bar and value bar
COLUMN_GAP = 0.16  # between neighbouring tokens' columns
LABEL_GAP = 0.15  # between the columns' bottom and the tokens' names
FILL_OPACITY = 0.9


def heads_per_cell(n_heads: int, height: float) -> int:
    """How many KV heads one cell stands for, so that a column of `n_heads` fits in
    `height` with cells of at least MIN_UNIT: 1, or the smallest power of two that fits
    (powers of two divide every usual head count, so cells stay whole)."""
    per = 1
    while math.ceil(n_heads / per) * MIN_UNIT > height + 1e-9:
        per *= 2
    return per


def cells_label(per: int) -> str:
    """What a cell stands for, as the slide says it."""
    return "one cell: one KV head" if per == 1 else f"one cell: {per} KV heads"


def _bar(n_heads: int, unit: float, width: float, color: str, per: int) -> VGroup:
    """Cells stacked upwards from y = 0, one per `per` heads; a remainder as a sliver."""
    height = unit * (1 - HEAD_GAP)
    whole, rest = divmod(n_heads, per)
    bar = VGroup()
    for i in range(whole):
        cell = filled_bar(width, height, color, FILL_OPACITY)
        bar.add(tag(cell.move_to([0, i * unit + height / 2, 0]), HEAD))
    if rest:  # a sliver keeps filled_bar's DECOR role: not a readable head
        share = max(height * rest / per, SLIVER_MIN)
        bar.add(
            filled_bar(width, share, color, FILL_OPACITY).move_to([0, whole * unit + share / 2, 0])
        )
    return bar


def token_column(n_kv_heads: int, unit: float, width: float, per: int = 1) -> VGroup:
    """One token's key (left) and value (right) bars, bottoms at y = 0, centred on x = 0."""
    bar_width = (width - BAR_GAP) / 2
    key = _bar(n_kv_heads, unit, bar_width, theme.K, per).shift(LEFT * (bar_width + BAR_GAP) / 2)
    value = _bar(n_kv_heads, unit, bar_width, theme.V, per)
    return VGroup(key, value.shift(RIGHT * (bar_width + BAR_GAP) / 2))


class CacheColumns(VGroup):
    """A column for each of `tokens`, `pitch` apart from x = `left`, standing on `floor`,
    each token's name under its column; a cell of `unit` tall for every `per` KV heads.
    `columns[i]` and `labels[i]` belong to token i."""

    def __init__(
        self,
        tokens: Sequence[str],
        n_kv_heads: int,
        unit: float,
        pitch: float,
        left: float,
        floor: float,
        per: int = 1,
    ):
        self.columns, self.labels = VGroup(), VGroup()
        for i, token in enumerate(tokens):
            x = left + (i + 0.5) * pitch
            self.columns.add(
                token_column(n_kv_heads, unit, pitch - COLUMN_GAP, per).shift([x, floor, 0])
            )
            name = text(token, theme.SIZE.caption, theme.TEXT).move_to([x, 0, 0])
            self.labels.add(name)
        for name in self.labels:  # one baseline for every name, just under the columns
            sit_on(name, floor - LABEL_GAP - max(n.height for n in self.labels))
        super().__init__(self.columns, self.labels)


LEGEND_SPACING = 0.3  # between the legend's entries; a swatch sits closer to its letter
SWATCH_GAP = 0.08


def cells_legend(per: int) -> VGroup:
    """A key cell and "K", a value cell and "V", and what one cell stands for, in a row."""
    size = theme.SIZE.caption
    entries = []
    for name, color in (("K", theme.K), ("V", theme.V)):
        letter = text(name, size, theme.TEXT)
        swatch = filled_bar(letter.height, letter.height, color, FILL_OPACITY)
        entries.append(VGroup(swatch, letter).arrange(RIGHT, buff=SWATCH_GAP))
    entries.append(text(cells_label(per), size, theme.MUTED))
    return VGroup(*entries).arrange(RIGHT, buff=LEGEND_SPACING)
