"""Query heads wired to the key and value heads they read: MHA, GQA or MQA (the GQA paper's
Figure 2). Query head h reads KV head h // group, group = query heads ÷ KV heads.

With more heads than fit, a row draws whole groups and summarises the rest; MQA's one
group draws its first heads, an ellipsis and its last head, all wired to the one KV head.
"""

from __future__ import annotations

from manim import DOWN, Line, Square, VGroup

from deck import theme
from deck.components.heads import HEAD_PITCH_CELLS, HeadRow, plan_row, row_extras
from deck.components.roles import DECOR, HEAD, tag

MAX_CELL = 0.24  # a query head's cell stops growing here (few heads), so the rows stay low
# Below this a fan of many links to one KV head fills in as a grey wedge: a row with more
# heads than fit at this size is capped instead (a line every 30 px or more at 1080p).
MIN_CELL = 0.18
SHARED_SCALE = 1.6  # a KV head read by several query heads is drawn this much larger
LINK_STROKE = 1.5
LINK_OPACITY = 0.8
FILL_OPACITY = 0.9
SUMMARY_SIZE = theme.SIZE.label


def _cell(size: float, color: str) -> Square:
    return Square(size, stroke_width=0, fill_color=color, fill_opacity=FILL_OPACITY)


def cell_size(n_heads: int, width: float) -> float:
    """The query heads' cell: every head fitted to `width`, within the readable range."""
    return min(max(width / (n_heads * HEAD_PITCH_CELLS), MIN_CELL), MAX_CELL)


def query_row(n_heads: int, n_kv_heads: int, width: float, slots: int | None = None) -> HeadRow:
    """Which query heads a band draws (no gaps between groups: the wiring shows them)."""
    return plan_row(
        n_heads,
        n_heads // n_kv_heads,
        width,
        cell_size(n_heads, width),
        SUMMARY_SIZE,
        group_gap=0.0,
        slots=slots,
    )


class Sharing(VGroup):
    """`n_heads` query heads in a row, fitted to `width`; `row_gap` below them, each KV head
    as a key cell over a value cell, centred under the query heads that read it; a line
    from each query head to its key head. Parts: `queries`, `keys`, `values`, `links` (of
    the drawn heads: `row.heads` are their indices) and `extras` (ellipsis, summary).
    `slots` caps the row to end where another band's does."""

    def __init__(
        self, n_heads: int, n_kv_heads: int, width: float, row_gap: float, slots: int | None = None
    ):
        group = n_heads // n_kv_heads
        cell = cell_size(n_heads, width)
        self.row = row = query_row(n_heads, n_kv_heads, width, slots)
        self.queries = VGroup(
            *(tag(_cell(cell, theme.Q), HEAD).move_to([(x + 0.5) * cell, 0, 0]) for x in row.xs)
        )
        # a KV head of its own is as wide as the query head above it; a shared one is larger
        kv_size = cell if group == 1 else SHARED_SCALE * cell
        self.kv_heads = sorted({h // group for h in row.heads})
        self.keys, self.values, pairs = VGroup(), VGroup(), VGroup()
        for g in self.kv_heads:
            readers = [q for h, q in zip(row.heads, self.queries, strict=True) if h // group == g]
            centre = (readers[0].get_x() + readers[-1].get_x()) / 2
            key = _cell(kv_size, theme.K).move_to([centre, -row_gap, 0])
            self.keys.add(key)
            value = _cell(kv_size, theme.V).next_to(key, DOWN, buff=0)
            self.values.add(value)
            pairs.add(tag(VGroup(key, value), HEAD))  # one KV head: its key over its value
        self.links = VGroup(
            *(
                tag(
                    Line(
                        self.keys[self.kv_heads.index(h // group)].get_top(), q.get_bottom()
                    ).set_stroke(theme.LINE, LINK_STROKE, LINK_OPACITY),
                    DECOR,
                )
                for h, q in zip(row.heads, self.queries, strict=True)
            )
        )
        # the ellipsis in its slot of the query row; the summary right of the last head
        self.extras = row_extras(row, cell, 0, theme.Q, SUMMARY_SIZE)
        super().__init__(self.links, self.queries, pairs, self.extras)
