"""An attention-weight heatmap: rows are queries, columns are keys, with a colour legend."""

from __future__ import annotations

import numpy as np
from manim import DOWN, LEFT, PI, RIGHT, UP, Line, Rectangle, Square, VGroup
from manim.utils.color import ManimColor, interpolate_color

from deck import theme
from deck.components.roles import BOX, DECOR, tag
from deck.components.text import text
from deck.content.head_room import (
    CELL_FILL,
    HEAD_GAP,
    KEY_LABEL_ROOM,
    MIN_PITCH,
    ROW_GAP,
    TITLE_ROOM,
    heads_layout,
)

CELL = 0.67  # seven rows and their labels fit under a slide title (5.7 units)
CELL_GAP = 0.06
LABEL_GAP = 0.14
LEGEND_WIDTH = 0.28
# A masked cell is no weight at all, not a small one: the slide's own background with a
# diagonal hatch, outside the ramp (whose 0 is a visible cell). HATCH_LINES lines across
# a cell, thin enough to read as a texture rather than as a colour; the legend's swatch
# has the same spacing.
HATCH_LINES = 5
HATCH_STEP = 2 * CELL / (HATCH_LINES + 1)  # between lines, along a side
MASK_SWATCH = 0.45
HATCH_STROKE = 1.5
MASK_KEY_GAP = 0.14  # between the legend's hatched swatch and its words


def heat_color(weight: float) -> ManimColor:
    """Piecewise-linear colour ramp over `theme.HEAT_STOPS` for a weight in [0, 1]."""
    stops = [ManimColor(c) for c in theme.HEAT_STOPS]
    x = float(np.clip(weight, 0, 1)) * (len(stops) - 1)
    i = min(int(x), len(stops) - 2)
    return interpolate_color(stops[i], stops[i + 1], x - i)


def more_weight() -> str:
    """How a heavier cell looks in this theme's ramp, as a caption says it."""
    low, high = theme.HEAT_STOPS[0], theme.HEAT_STOPS[-1]
    return "brighter" if theme.luminance(high) > theme.luminance(low) else "darker"


def ink_for(weight: float) -> str:
    """The ink, dark or light, that stands out most on the cell of `weight`."""
    return theme.ink_on(heat_color(weight).to_hex())


class Heatmap(VGroup):
    """`cells[i][j]` is query i attending to key j; labels name the tokens."""

    def __init__(self, tokens: tuple[str, ...], weights: np.ndarray):
        n = len(tokens)
        pitch = CELL + CELL_GAP
        self.weights = weights
        self.cells = [
            [
                tag(
                    Square(
                        CELL, stroke_width=0, fill_color=heat_color(weights[i, j]), fill_opacity=1
                    ).move_to([j * pitch, -i * pitch, 0]),
                    DECOR,
                )
                for j in range(n)
            ]
            for i in range(n)
        ]
        grid = VGroup(*(c for row in self.cells for c in row))
        self.row_labels = VGroup(
            *(
                text(tok, theme.SIZE.caption, theme.MUTED).next_to(
                    self.cells[i][0], LEFT, buff=LABEL_GAP
                )
                for i, tok in enumerate(tokens)
            )
        )
        self.col_labels = VGroup(
            *(
                text(tok, theme.SIZE.caption, theme.MUTED).next_to(
                    self.cells[0][j], UP, buff=LABEL_GAP
                )
                for j, tok in enumerate(tokens)
            )
        )
        # one shared baseline for the column labels ("The" and "<bos>" differ in height)
        for lab in self.col_labels:
            lab.align_to(self.col_labels, DOWN)
        self.keys_title = text("keys →", theme.SIZE.caption, theme.K)
        # in the corner above the row labels, on the column labels' line: no extra row
        self.keys_title.next_to(self.col_labels, LEFT, buff=LABEL_GAP).align_to(
            self.col_labels, DOWN
        )
        self.queries_title = text("queries →", theme.SIZE.caption, theme.Q).rotate(-PI / 2)
        self.queries_title.next_to(self.row_labels, LEFT, buff=LABEL_GAP).align_to(grid, UP)
        self.grid = grid
        super().__init__(
            grid, self.row_labels, self.col_labels, self.keys_title, self.queries_title
        )

    def cell(self, i: int, j: int) -> Square:
        return self.cells[i][j]

    def value_label(self, i: int, j: int) -> VGroup:
        w = float(self.weights[i, j])
        return text(f"{w:.2f}", theme.SIZE.caption, ink_for(w)).move_to(self.cells[i][j])

    def masked_cells(self, color: str) -> VGroup:
        """An overlay on every cell with j > i, the keys a causal query may not see: each
        drawn as "no weight" (`hatched`), hiding the cell's colour."""
        n = len(self.cells)
        return VGroup(
            *(
                hatched(CELL, color).move_to(self.cells[i][j])
                for i in range(n)
                for j in range(i + 1, n)
            )
        )


def hatched(size: float, color: str) -> VGroup:
    """A square of the slide's background crossed by diagonal lines in `color`."""
    ground = Square(size, stroke_width=0, fill_color=theme.BACKGROUND, fill_opacity=1)
    lines = VGroup()
    # lines x + y = c across the square [-s/2, s/2]², at even steps of c, clipped to it
    half, n = size / 2, max(1, round(2 * size / HATCH_STEP) - 1)
    for k in range(1, n + 1):
        c = -size + 2 * size * k / (n + 1)
        x0, x1 = max(-half, c - half), min(half, c + half)
        lines.add(Line([x0, c - x0, 0], [x1, c - x1, 0], stroke_width=HATCH_STROKE, color=color))
    return tag(VGroup(ground, lines), DECOR)


def mask_key(color: str) -> VGroup:
    """The legend's entry for the mask: a hatched swatch, "masked: weight 0"."""
    swatch = hatched(MASK_SWATCH, color)
    words = text("masked: weight 0", theme.SIZE.caption, theme.MUTED)
    words.next_to(swatch, RIGHT, buff=MASK_KEY_GAP)
    return VGroup(swatch, words)


def legend(height: float) -> VGroup:
    """A vertical colour bar from 0 (bottom) to 1 (top) with tick labels."""
    steps = 48
    bar = VGroup(
        *(
            Rectangle(
                width=LEGEND_WIDTH,
                height=height / steps,
                stroke_width=0,
                fill_color=heat_color((k + 0.5) / steps),
                fill_opacity=1,
            ).move_to([0, (k + 0.5) * height / steps, 0])
            for k in range(steps)
        )
    )
    frame = tag(
        Rectangle(
            width=LEGEND_WIDTH, height=height, stroke_width=1, stroke_color=theme.LINE
        ).move_to(bar),
        BOX,
    )
    tag(bar, DECOR)
    ticks = VGroup(
        *(
            text(f"{v:.1f}", theme.SIZE.caption, theme.MUTED).next_to(
                [LEGEND_WIDTH / 2, v * height, 0], RIGHT, buff=0.12
            )
            for v in (0.0, 0.5, 1.0)
        )
    )
    title = text("weight", theme.SIZE.caption, theme.MUTED).next_to(frame, UP, buff=0.3)
    title.align_to(frame, LEFT)
    return VGroup(bar, frame, ticks, title)


# ── real heads side by side ────────────────────────────────────────────
class HeadMaps(VGroup):
    """One small heatmap per query head over the same tokens (rows queries, columns keys),
    titled with the head's index; query labels left of each row's first map, key labels
    (rotated) above every map."""

    def __init__(
        self,
        labels: tuple[str, ...],
        weights: np.ndarray,
        heads: tuple[int, ...],
        width: float,
        height: float,
    ):
        n = len(labels)
        _, per_row, size = heads_layout(len(heads), width, height)
        pitch = size / n
        if pitch < MIN_PITCH:
            raise ValueError(f"{n} tokens do not fit {len(heads)} maps at a pitch of {MIN_PITCH}")
        self.maps: list[VGroup] = []
        self.titles = VGroup()
        self.key_labels = VGroup()
        self.query_labels = VGroup()
        for index, head in enumerate(heads):
            row, col = divmod(index, per_row)
            left = col * (size + HEAD_GAP)
            top = -row * (size + KEY_LABEL_ROOM + TITLE_ROOM + ROW_GAP)
            cells = VGroup(
                *(
                    tag(
                        Square(
                            pitch * CELL_FILL,
                            stroke_width=0,
                            fill_color=heat_color(weights[index, i, j]),
                            fill_opacity=1,
                        ).move_to([left + (j + 0.5) * pitch, top - (i + 0.5) * pitch, 0]),
                        DECOR,
                    )
                    for i in range(n)
                    for j in range(n)
                )
            )
            self.maps.append(cells)
            title = text(f"query head {head}", theme.SIZE.caption, theme.Q)
            self.titles.add(title.next_to(cells, DOWN, buff=LABEL_GAP))
            for j, token in enumerate(labels):
                lab = text(token, theme.SIZE.caption, theme.MUTED).rotate(PI / 2)
                lab.next_to(cells[j], UP, buff=LABEL_GAP)
                self.key_labels.add(lab)
            if col == 0:
                for i, token in enumerate(labels):
                    lab = text(token, theme.SIZE.caption, theme.MUTED)
                    self.query_labels.add(lab.next_to(cells[i * n], LEFT, buff=LABEL_GAP))
        self.grid = VGroup(*self.maps)
        super().__init__(self.grid, self.titles, self.key_labels, self.query_labels)
