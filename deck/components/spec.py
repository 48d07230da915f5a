"""Tables with aligned columns and text rows sharing a baseline."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from manim import LEFT, RIGHT, Text, VGroup

from deck import theme
from deck.components.text import text

ROW_PITCH_EM = 1.6  # row pitch in ems of the text size
COLUMN_GAP = 0.5


def baseline(mob: Text) -> float:
    """The y of a text's baseline: the median glyph bottom (descenders are the minority)."""
    bottoms = [g.get_bottom()[1] for g in mob.submobjects if g.has_points()]
    return float(np.median(bottoms)) if bottoms else float(mob.get_bottom()[1])


def sit_on(mob: Text, y: float) -> Text:
    return mob.shift([0, y - baseline(mob), 0])


def lines(
    rows: Sequence[str], size: int, color: str | None = None, pitch_em: float = ROW_PITCH_EM
) -> VGroup:
    """Left-aligned lines of text at an even baseline pitch (glyph heights don't matter)."""
    pitch = pitch_em * theme.em(size)
    block = VGroup(*(text(row, size, color) for row in rows))
    for i, line in enumerate(block):
        sit_on(line.move_to([0, 0, 0], aligned_edge=LEFT), -i * pitch)
    return block


def fit_width(mob, width: float):
    """`mob` shrunk to `width` when wider (a config's long model name), never enlarged."""
    return mob.scale_to_fit_width(width) if mob.width > width else mob


def table(
    rows: Sequence[Sequence[str]],
    size: int = theme.SIZE.label,
    colors: Sequence[str] | None = None,
    align_right: Sequence[bool] = (),
    gap: float = COLUMN_GAP,
) -> VGroup:
    """Rows of cells, `gap` between columns; column c is drawn in `colors[c]` (the last
    colour repeats; default: MUTED labels, then TEXT).

    Empty cells are skipped, columns are as wide as their widest cell, and each row's
    cells share one baseline. `table.rows` lists the rows as VGroups.
    """
    colors = (theme.MUTED, theme.TEXT) if colors is None else colors
    n_cols = max(len(r) for r in rows)
    cells = [
        [
            text(cell, size, colors[min(c, len(colors) - 1)]) if cell else None
            for c, cell in enumerate(row)
        ]
        for row in rows
    ]
    widths = [
        max((r[c].width for r in cells if c < len(r) and r[c] is not None), default=0)
        for c in range(n_cols)
    ]
    lefts = np.concatenate([[0], np.cumsum(np.array(widths) + gap)])[:n_cols]
    pitch = ROW_PITCH_EM * theme.em(size)
    result = VGroup()
    for i, row in enumerate(cells):
        group = VGroup()
        for c, cell in enumerate(row):
            if cell is None:
                continue
            right = c < len(align_right) and align_right[c]
            anchor = [lefts[c] + (widths[c] if right else 0), 0, 0]
            cell.move_to(anchor, aligned_edge=RIGHT if right else LEFT)
            group.add(sit_on(cell, -i * pitch))
        result.add(group)
    result.rows = list(result)
    return result
