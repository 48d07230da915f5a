"""Mean-pooling an MHA checkpoint's K (or V) heads into GQA's (Ainslie et al. 2023, Figure 1):
a row of heads in groups, a tree from each group to its mean, the row of pooled heads.

The heads are any mobjects of one size: weight grids (`weight_grid`) for a worked example
small enough to show its numbers as shades, plain cells for a real model's head counts
(capped like every row of heads, `deck.components.heads`, when they are too many to read).
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from manim import LEFT, RIGHT, UP, Mobject, Rectangle, Square, VGroup

from deck import theme
from deck.components.diagram import connector
from deck.components.heads import HeadRow, plan_row, row_extras
from deck.components.roles import DECOR, HEAD, tag
from deck.components.text import stack, text

CELL_FILL = 0.85  # a weight's square fills this share of its cell's pitch
MIN_OPACITY = 0.1  # the smallest weight still shows as a faint square
FRAME_STROKE = 1.5
TREE_DROP = 0.22  # from the heads' bottoms down to the bar that joins a group
LABEL_GAP = 0.3  # between the row labels and the heads
LABEL_LINE_GAP = 0.06
# a capped row draws at most this many heads (two groups of 8): the card beside it keeps
# its room, and a few trees say "each group to its mean" as well as many would
CAPPED_SLOTS = 16
MIN_ROW_GAP = 1.6  # heads to pooled heads: room for the three row labels one above the other
CELL_GAP = 0.25  # between plain cells, in cell widths
CELL_GROUP_GAP = 1.0  # between groups of plain cells, in cell widths: groups stand apart


def weight_grid(weights: np.ndarray, color: str, cell: float, low: float, high: float) -> VGroup:
    """One head's weights [rows, cols] as squares whose opacity grows from `low` to `high`
    (one scale for every grid drawn beside it, so pooled heads compare with their sources),
    inside a thin frame."""
    w = np.asarray(weights, dtype=float)
    if w.ndim != 2:
        raise ValueError(f"a weight grid needs a 2-d array, got shape {w.shape}")
    span = high - low if high > low else 1.0
    rows, cols = w.shape
    grid = VGroup()
    for r in range(rows):
        for c in range(cols):
            share = float(np.clip((w[r, c] - low) / span, 0.0, 1.0))
            square = Square(
                cell * CELL_FILL,
                stroke_width=0,
                fill_color=color,
                fill_opacity=MIN_OPACITY + (1 - MIN_OPACITY) * share,
            )
            grid.add(tag(square.move_to([c * cell, -r * cell, 0]), DECOR))
    frame = Rectangle(
        width=cols * cell, height=rows * cell, stroke_color=color, stroke_width=FRAME_STROKE
    )
    frame.move_to(grid)
    return VGroup(tag(frame, DECOR), grid)


def head_cells(n: int, color: str, cell: float) -> list[Square]:
    """`n` plain heads, one filled square each."""
    return [
        tag(Square(cell, stroke_width=0, fill_color=color, fill_opacity=0.9), HEAD)
        for _ in range(n)
    ]


def row_label(name: str, detail: str, color: str) -> VGroup:
    """A row's name and, under it, a muted detail (e.g. its head count), right-aligned."""
    rows = [text(name, theme.SIZE.label, color)]
    if detail:
        rows.append(text(detail, theme.SIZE.caption, theme.MUTED))
    return stack(*rows, buff=LABEL_LINE_GAP, align=RIGHT)


class Pooling(VGroup):
    """`heads` in groups of `group`, each group joined by a tree to its mean in `pooled`.

    `labels` name the three rows on the left: the heads, the tree ("mean") and the
    pooled heads; `.heads`, `.tree` and `.pooled` are the parts, for animating in turn.
    With `row` (a capped row of heads) `heads` are its drawn heads and `pooled` the means
    of the groups they belong to; `.extras` holds its ellipsis and summary.
    """

    def __init__(
        self,
        heads: Sequence[Mobject],
        pooled: Sequence[Mobject],
        group: int,
        labels: Sequence[VGroup],
        *,
        gap: float,
        group_gap: float,
        row_gap: float,
        row: HeadRow | None = None,
    ):
        indices = row.heads if row is not None else tuple(range(len(heads)))
        if len(indices) != len(heads) or len({h // group for h in indices}) != len(pooled):
            raise ValueError(f"{len(heads)} heads do not make {len(pooled)} groups of {group}")
        self.heads = VGroup(*heads)
        x = 0.0
        for i, head in enumerate(heads):
            if row is not None:
                x = row.xs[i] * head.width
            elif i and i % group == 0:
                x += group_gap - gap
            head.move_to([x + head.width / 2, 0, 0], aligned_edge=UP)
            x += head.width + gap
        self.extras = VGroup()
        if row is not None:
            cell = heads[0].width
            self.extras = row_extras(row, cell, -cell / 2, theme.MUTED, theme.SIZE.caption)
        VGroup(self.heads, self.extras).shift(-self.heads.get_top())
        groups = sorted({h // group for h in indices})
        bar_y = self.heads.get_bottom()[1] - TREE_DROP
        self.pooled = VGroup(*pooled)
        self.tree = VGroup()
        for g, mean in zip(groups, pooled, strict=True):
            members = [head for h, head in zip(indices, heads, strict=True) if h // group == g]
            centre = (members[0].get_x() + members[-1].get_x()) / 2
            mean.move_to([centre, self.heads.get_bottom()[1] - row_gap, 0], aligned_edge=UP)
            if len(members) > 1:
                for head in members:
                    self.tree.add(connector(head.get_bottom(), [head.get_x(), bar_y, 0]))
                ends = ([members[0].get_x(), bar_y, 0], [members[-1].get_x(), bar_y, 0])
                self.tree.add(connector(*ends))
                self.tree.add(connector([centre, bar_y, 0], mean.get_top()))
            else:
                self.tree.add(connector(members[0].get_bottom(), mean.get_top()))
        top, middle, bottom = labels
        left = self.heads.get_left()[0] - LABEL_GAP
        top.move_to([left, self.heads.get_y(), 0], aligned_edge=RIGHT)
        middle.move_to([left, (bar_y + self.pooled.get_top()[1]) / 2, 0], aligned_edge=RIGHT)
        bottom.move_to([left, self.pooled.get_y(), 0], aligned_edge=RIGHT)
        self.labels = VGroup(top, middle, bottom)
        super().__init__(self.labels, self.heads, self.extras, self.tree, self.pooled)

    def place(self, left: float, top: float) -> Pooling:
        """Put the picture's top-left corner at (left, top)."""
        return self.move_to([left, top, 0], aligned_edge=UP + LEFT)


def pooling_of_cells(
    n_heads: int, n_groups: int, color: str, width: float, labels: Sequence[VGroup]
) -> Pooling:
    """A model's `n_heads` heads as cells pooled into `n_groups`, the heads fitted to
    `width` (the row labels come on top of it, on the left); when they would be smaller
    than the readable minimum, whole groups at the capped cell and a summary of the rest."""
    group = n_heads // n_groups
    pitch, group_gap = 1 + CELL_GAP, CELL_GROUP_GAP - CELL_GAP
    cell = width / (n_heads * pitch + (n_groups - 1) * group_gap)
    row = None
    if cell < theme.HEAD_CELL_MIN:
        cell = theme.HEAD_CELL_CAPPED
        row = plan_row(
            n_heads, group, width, cell, pitch=pitch, group_gap=group_gap, slots=CAPPED_SLOTS
        )
    drawn = len(row.heads) if row else n_heads
    means = len({h // group for h in row.heads}) if row else n_groups
    return Pooling(
        head_cells(drawn, color, cell),
        head_cells(means, color, cell),
        group,
        labels,
        gap=cell * CELL_GAP,
        group_gap=cell * CELL_GROUP_GAP,
        row_gap=MIN_ROW_GAP,
        row=row,
    )
