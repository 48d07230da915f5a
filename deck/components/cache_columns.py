"""A KV cache as one column per token: the token's key and value, one cell per KV head.

Every column of every cache shares one scale (`unit`, the height of one head), so a
cache with more KV heads grows taller columns: the memory it costs, seen side by side.
A cache with more heads than `cap` cells stops there: its top slots hold a "⋮" and
the column's head count, so the cells stay readable at any model size.
"""

from __future__ import annotations

from collections.abc import Sequence

from manim import LEFT, RIGHT, Rectangle, VGroup

from deck import theme
from deck.components.roles import HEAD, tag
from deck.components.spec import sit_on
from deck.components.text import text

HEAD_GAP = 0.2  # the share of a head's height left as a gap to the next head
# the smallest scale whose cells keep the readable minimum (gaps 3 px at 1080p)
MIN_UNIT = theme.HEAD_CELL_MIN / (1 - HEAD_GAP)
CAP_SLOTS = 3  # a capped column gives its top slots to "⋮" and its count
BAR_GAP = 0.05  # between a token's key bar and value bar
COLUMN_GAP = 0.16  # between neighbouring tokens' columns
LABEL_GAP = 0.15  # between the columns' bottom and the tokens' names
FILL_OPACITY = 0.9


def drawn_cells(n_heads: int, cap: int) -> int:
    """How many of `n_heads` cells a column of at most `cap` slots draws."""
    return n_heads if n_heads <= cap else cap - CAP_SLOTS


def _bar(n_heads: int, unit: float, width: float, color: str, cap: int) -> VGroup:
    """Cells stacked upwards from y = 0, one per head up to the cap."""
    height = unit * (1 - HEAD_GAP)
    bar = VGroup()
    for i in range(drawn_cells(n_heads, cap)):
        cell = Rectangle(
            width=width, height=height, stroke_width=0, fill_color=color, fill_opacity=FILL_OPACITY
        )
        bar.add(tag(cell.move_to([0, i * unit + height / 2, 0]), HEAD))
    return bar


def token_column(n_kv_heads: int, unit: float, width: float, cap: int) -> VGroup:
    """One token's key (left) and value (right) bars, bottoms at y = 0, centred on x = 0;
    over a capped column, "⋮" and its head count."""
    bar_width = (width - BAR_GAP) / 2
    key = _bar(n_kv_heads, unit, bar_width, theme.K, cap).shift(LEFT * (bar_width + BAR_GAP) / 2)
    value = _bar(n_kv_heads, unit, bar_width, theme.V, cap)
    column = VGroup(key, value.shift(RIGHT * (bar_width + BAR_GAP) / 2))
    if n_kv_heads > cap:
        more = text(f"⋮ {n_kv_heads}", theme.SIZE.caption, theme.MUTED)
        top = drawn_cells(n_kv_heads, cap) * unit
        column.add(more.move_to([0, top + CAP_SLOTS * unit / 2, 0]))
    return column


class CacheColumns(VGroup):
    """A column for each of `tokens`, `pitch` apart from x = `left`, standing on `floor`,
    each token's name under its column; at most `cap` slots of `unit` tall (default: no
    cap). `columns[i]` and `labels[i]` belong to token i."""

    def __init__(
        self,
        tokens: Sequence[str],
        n_kv_heads: int,
        unit: float,
        pitch: float,
        left: float,
        floor: float,
        cap: int | None = None,
    ):
        cap = n_kv_heads if cap is None else cap
        self.columns, self.labels = VGroup(), VGroup()
        for i, token in enumerate(tokens):
            x = left + (i + 0.5) * pitch
            self.columns.add(
                token_column(n_kv_heads, unit, pitch - COLUMN_GAP, cap).shift([x, floor, 0])
            )
            name = text(token, theme.SIZE.caption, theme.TEXT).move_to([x, 0, 0])
            self.labels.add(name)
        for name in self.labels:  # one baseline for every name, just under the columns
            sit_on(name, floor - LABEL_GAP - max(n.height for n in self.labels))
        super().__init__(self.columns, self.labels)
