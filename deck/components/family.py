"""Query heads wired to the key and value heads they read: MHA, GQA or MQA (the GQA paper's
Figure 2). Query head h reads KV head h // group, group = query heads ÷ KV heads."""

from __future__ import annotations

from manim import DOWN, Line, Square, VGroup

from deck import theme
from deck.components.heads import HEAD_PITCH_CELLS
from deck.components.roles import DECOR, tag

MAX_CELL = 0.24  # a query head's cell stops growing here (few heads), so the rows stay low
SHARED_SCALE = 1.6  # a KV head read by several query heads is drawn this much larger
LINK_STROKE = 1.5
LINK_OPACITY = 0.8
FILL_OPACITY = 0.9


def _cell(size: float, color: str) -> Square:
    return tag(Square(size, stroke_width=0, fill_color=color, fill_opacity=FILL_OPACITY), DECOR)


class Sharing(VGroup):
    """`n_heads` query heads in a row, fitted to `width`; `row_gap` below them, each KV head
    as a key cell over a value cell, centred under the query heads that read it; a line
    from each query head to its key head. Parts: `queries`, `keys`, `values`, `links`."""

    def __init__(self, n_heads: int, n_kv_heads: int, width: float, row_gap: float):
        group = n_heads // n_kv_heads
        cell = min(width / (n_heads * HEAD_PITCH_CELLS), MAX_CELL)
        pitch = cell * HEAD_PITCH_CELLS
        self.queries = VGroup(
            *(_cell(cell, theme.Q).move_to([h * pitch, 0, 0]) for h in range(n_heads))
        )
        # a KV head of its own is as wide as the query head above it; a shared one is larger
        kv_size = cell if group == 1 else SHARED_SCALE * cell
        self.keys, self.values = VGroup(), VGroup()
        for g in range(n_kv_heads):
            readers = self.queries[g * group : (g + 1) * group]
            key = _cell(kv_size, theme.K).move_to([readers.get_x(), -row_gap, 0])
            self.keys.add(key)
            self.values.add(_cell(kv_size, theme.V).next_to(key, DOWN, buff=0))
        self.links = VGroup(
            *(
                tag(
                    Line(self.keys[h // group].get_top(), q.get_bottom()).set_stroke(
                        theme.LINE, LINK_STROKE, LINK_OPACITY
                    ),
                    DECOR,
                )
                for h, q in enumerate(self.queries)
            )
        )
        super().__init__(self.links, self.queries, self.keys, self.values)
