"""GQA in one picture: the query heads of one group, each with its own attention pattern,
all wired to the one KV head whose keys and values they share.

Each pattern is a small grid (rows: the tokens' queries, columns: the keys they read; a
heavier weight brighter in the dark theme, darker in the light); the KV head below holds
one key and one value per token. A group larger than a readable row of grids is drawn
with its first heads and a count of the rest.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from manim import DOWN, LEFT, RIGHT, UP, Line, RoundedRectangle, Square, VGroup

from deck import theme
from deck.components.heatmap import heat_color
from deck.components.roles import BOX, DECOR, LINE, tag
from deck.components.spec import sit_on
from deck.components.text import text

MAX_SHOWN = 4  # grids in one row, each still large enough to read its cells
CELL = 0.25  # a pattern's cell: 34 px at 1080p (at least 12 px, theme: 135 px per unit)
CELL_GAP = 0.03
GRID_GAP = 0.45  # between neighbouring grids' labels
LABEL_GAP = 0.14  # between a grid and its labels
MORE_GAP = 0.4  # between the last grid and the count of the others
WIRE_DROP = 0.45  # from the pattern names down to the KV head's box
KV_CELL = 0.3  # one token's key (and value) in the KV head
KV_CELL_GAP = 0.12
KV_PAD = 0.18  # inside the KV head's box
WIRE_STROKE = 2.0
KV_OPACITY = 0.9  # the key and value cells, as the family's diagram draws them


def pattern_grid(weights: np.ndarray) -> VGroup:
    """`weights` [n, n] as cells coloured by weight, query i's row i from the top."""
    n = len(weights)
    pitch = CELL + CELL_GAP
    cells = [
        tag(
            Square(CELL, stroke_width=0, fill_color=heat_color(weights[i, j]), fill_opacity=1),
            DECOR,
        ).move_to([j * pitch, -i * pitch, 0])
        for i in range(n)
        for j in range(n)
    ]
    return VGroup(*cells)


def kv_head(tokens: Sequence[str], title: str) -> VGroup:
    """The shared KV head: a key cell over a value cell for each token, its name under
    each column, in a box titled `title`. Parts: `box`, `title`, `keys`, `values`, `names`."""
    names = VGroup(*(text(tok, theme.SIZE.caption, theme.MUTED) for tok in tokens))
    # the columns as far apart as the widest token name needs
    pitch = max(KV_CELL, max(nm.width for nm in names)) + KV_CELL_GAP
    keys, values = VGroup(), VGroup()
    for j, name in enumerate(names):
        x = j * pitch
        keys.add(
            tag(Square(KV_CELL, stroke_width=0, fill_color=theme.K, fill_opacity=KV_OPACITY), DECOR)
        )
        keys[-1].move_to([x, 0, 0])
        values.add(
            tag(Square(KV_CELL, stroke_width=0, fill_color=theme.V, fill_opacity=KV_OPACITY), DECOR)
        )
        values[-1].next_to(keys[-1], DOWN, buff=0)
        name.move_to([x, 0, 0])
    for name in names:  # one baseline under the value cells
        sit_on(name, values.get_bottom()[1] - LABEL_GAP - max(nm.height for nm in names))
    heading = text(title, theme.SIZE.label, theme.TEXT)
    heading.next_to(keys, UP, buff=LABEL_GAP * 1.5)
    inner = VGroup(heading, keys, values, names)
    box = RoundedRectangle(
        width=inner.width + 2 * KV_PAD,
        height=inner.height + 2 * KV_PAD,
        corner_radius=theme.CORNER,
        stroke_color=theme.REPEAT,
        stroke_width=theme.STROKE,
        fill_color=theme.PANEL,
        fill_opacity=1,
    ).move_to(inner)
    group = VGroup(tag(box, BOX), inner)
    group.box, group.title, group.keys, group.values, group.names = (
        box,
        heading,
        keys,
        values,
        names,
    )
    return group


class GroupPatterns(VGroup):
    """The first `MAX_SHOWN` query heads of a group of `group_size`, each its grid of
    `weights[h]` with `head_names[h]` above and `patterns[h]` below, a wire from each to the
    shared KV head (`kv_title`) under them, and "+ k more query heads" when the group is
    larger. Centred on x = 0, the head labels' top at `top`.

    Parts: `grids`, `head_labels`, `pattern_labels`, `wires`, `kv`, `more` (maybe empty);
    `weights` is what the grids show."""

    def __init__(
        self,
        weights: np.ndarray,
        head_names: Sequence[str],
        patterns: Sequence[str],
        tokens: Sequence[str],
        kv_title: str,
        group_size: int,
        top: float,
    ):
        shown = min(group_size, MAX_SHOWN, len(weights))
        self.weights = np.asarray(weights)[:shown]
        self.grids = VGroup(*(pattern_grid(w) for w in self.weights))
        self.head_labels = VGroup(*(text(n, theme.SIZE.label, theme.Q) for n in head_names[:shown]))
        self.pattern_labels = VGroup(
            *(text(p, theme.SIZE.label, theme.MUTED) for p in patterns[:shown])
        )
        columns = VGroup(
            *(
                VGroup(label, grid, name).arrange(DOWN, buff=LABEL_GAP)
                for label, grid, name in zip(
                    self.head_labels, self.grids, self.pattern_labels, strict=True
                )
            )
        ).arrange(RIGHT, buff=GRID_GAP, aligned_edge=UP)
        for label in self.pattern_labels:  # one baseline, whatever the descenders
            label.align_to(self.pattern_labels, UP)
        hidden = group_size - shown
        self.more = VGroup()
        if hidden:
            heads = "head" if hidden == 1 else "heads"
            self.more.add(
                text(f"+ {hidden} more", theme.SIZE.label, theme.Q),
                text(f"query {heads}", theme.SIZE.label, theme.Q),
            )
            self.more.arrange(DOWN, buff=LABEL_GAP, aligned_edge=LEFT)
            self.more.next_to(columns, RIGHT, buff=MORE_GAP).set_y(self.grids.get_y())
        VGroup(columns, self.more).move_to([0, top, 0], aligned_edge=UP)
        self.kv = kv_head(tokens, kv_title)
        names_bottom = self.pattern_labels.get_bottom()[1]
        self.kv.move_to([0, names_bottom - WIRE_DROP, 0], aligned_edge=UP)
        box = self.kv.box
        spread = min(box.width * 0.8, self.grids.width) / 2
        ends = np.linspace(-spread, spread, shown) if shown > 1 else [0.0]
        self.wires = VGroup(
            *(
                tag(
                    Line(
                        [grid.get_x(), names_bottom - LABEL_GAP / 2, 0],
                        [box.get_x() + end, box.get_top()[1], 0],
                        stroke_width=WIRE_STROKE,
                        color=theme.REPEAT,
                    ),
                    LINE,
                )
                for grid, end in zip(self.grids, ends, strict=True)
            )
        )
        super().__init__(
            self.wires, self.grids, self.head_labels, self.pattern_labels, self.more, self.kv
        )
