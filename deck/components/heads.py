"""Query heads grouped under the KV head they share (what repeat_kv broadcasts)."""

from __future__ import annotations

from manim import DOWN, LEFT, UP, Line, Rectangle, Square, VGroup

from deck import theme
from deck.components.roles import DECOR, tag
from deck.components.text import text
from deck.content.model import Model

HEAD_PITCH_CELLS = 1.25  # centre-to-centre distance of neighbouring heads, in cell widths
GROUP_GAP_CELLS = 0.8  # extra gap between groups, in cell widths


def head_cell(n: int, group: int, width: float) -> float:
    """The cell width at which `n` heads in runs of `group` span `width`."""
    n_gaps = (n - 1) // group
    return width / (n * HEAD_PITCH_CELLS + n_gaps * GROUP_GAP_CELLS)


def head_x(h: int, group: int, cell: float) -> float:
    """The x of head `h` (from the first head's), gaps between groups included."""
    return (h * HEAD_PITCH_CELLS + (h // group) * GROUP_GAP_CELLS) * cell


def head_strip(n: int, group: int, color: str, width: float, height: float) -> VGroup:
    """`n` heads in runs of `group`, fitted to `width`, at most `height` tall, centred."""
    cell = head_cell(n, group, width)
    strip = VGroup()
    for h in range(n):
        x = head_x(h, group, cell)
        head = Rectangle(
            width=cell, height=min(cell, height), stroke_width=0, fill_color=color, fill_opacity=0.9
        )
        strip.add(tag(head.move_to([x, 0, 0]), DECOR))
    return strip.move_to([0, 0, 0])


class HeadGroups(VGroup):
    """Row of query heads (grouped), row of KV heads below, a link per query head."""

    def __init__(self, m: Model, width: float, row_gap: float = 0.9):
        cell = head_cell(m.n_heads, m.group_size, width)
        self.q_cells = VGroup()
        for h in range(m.n_heads):
            x = head_x(h, m.group_size, cell)
            sq = Square(cell, stroke_width=0, fill_color=theme.Q, fill_opacity=0.9)
            self.q_cells.add(tag(sq.move_to([x, 0, 0]), DECOR))
        self.kv_cells = VGroup()
        for g in range(m.n_kv_heads):
            members = self.q_cells[g * m.group_size : (g + 1) * m.group_size]
            sq = Square(cell * 1.6, stroke_width=0, fill_color=theme.REPEAT, fill_opacity=0.9)
            self.kv_cells.add(tag(sq.move_to([members.get_x(), -row_gap, 0]), DECOR))
        self.links = VGroup(
            *(
                tag(
                    Line(
                        self.kv_cells[m.kv_head_of(h)].get_top(),
                        q.get_bottom(),
                        stroke_width=1.5,
                        color=theme.REPEAT,
                    ),
                    DECOR,
                )
                for h, q in enumerate(self.q_cells)
            )
        )
        self.q_label = text(f"{m.n_heads} query heads", theme.SIZE.caption, theme.Q)
        self.kv_label = text(f"{m.n_kv_heads} KV heads", theme.SIZE.caption, theme.REPEAT)
        self.q_label.next_to(self.q_cells, UP, buff=0.12).align_to(self.q_cells, LEFT)
        self.kv_label.next_to(self.kv_cells, DOWN, buff=0.12).align_to(self.q_cells, LEFT)
        super().__init__(self.q_label, self.q_cells, self.links, self.kv_cells, self.kv_label)
