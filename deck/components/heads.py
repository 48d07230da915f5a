"""Rows of heads that stay readable at any model size, and the query heads grouped under
the KV head they share (what repeat_kv broadcasts).

A row draws every head while each keeps at least its minimum cell; past that it draws
whole groups from the first and summarises the rest ("… 16 groups of 8"), or, when not
even one group fits, the group's first heads, an ellipsis and its last head.
"""

from __future__ import annotations

from dataclasses import dataclass

from manim import DOWN, LEFT, UP, Line, Rectangle, Square, VGroup

from deck import theme
from deck.components.roles import HEAD, LINE, tag
from deck.components.text import text
from deck.content.model import Model

HEAD_PITCH_CELLS = 1.25  # centre-to-centre distance of neighbouring heads, in cell widths
GROUP_GAP_CELLS = 0.8  # extra gap between groups, in cell widths
SUMMARY_GAP = 0.15  # between a row's last head and its summary
ELLIPSIS = "…"
MIN_CAPPED = 3  # a capped group still shows two of its first heads and its last
ELLIPSIS_SLOTS = 2  # the heads' pitches an ellipsis inside a row takes: room for "…"


def summary(n: int, group: int) -> str:
    """What a capped row of `n` heads in groups of `group` stands for."""
    groups = n // group
    if groups == 1:
        return f"all {n} heads"
    if group == 1:
        return f"{ELLIPSIS} {n} heads"
    return f"{ELLIPSIS} {groups} groups of {group}"


@dataclass(frozen=True)
class HeadRow:
    """Which of `n` heads (runs of `group`) a row draws: `heads`, each at `xs` (the left
    edge, in cell widths from the row's left); `ellipses` centred on each skipped run;
    `summary` names the whole row when it is capped ("" when every head is drawn)."""

    n: int
    group: int
    heads: tuple[int, ...]
    xs: tuple[float, ...]
    ellipses: tuple[float, ...]
    summary: str

    @property
    def capped(self) -> bool:
        return len(self.heads) < self.n

    @property
    def slots(self) -> int:
        """Drawn heads and ellipses: what another row must draw to end at the same x."""
        return len(self.heads) + ELLIPSIS_SLOTS * len(self.ellipses)

    @property
    def span(self) -> float:
        """From the first head's left edge to the last one's right edge, in cell widths."""
        return self.xs[-1] + 1


def _layout(heads: list[int], group: int, pitch: float, group_gap: float):
    xs, ellipses, x = [], [], 0.0
    for i, h in enumerate(heads):
        if i:
            prev = heads[i - 1]
            if h > prev + 1:  # a skipped run inside the group: slots for the ellipsis
                ellipses.append(x + (1 + (ELLIPSIS_SLOTS + 1) * pitch) / 2)
                x += ELLIPSIS_SLOTS * pitch
            x += pitch + (group_gap if h // group != prev // group else 0.0)
        xs.append(x)
    return tuple(xs), tuple(ellipses)


def _run_span(k: int, group: int, pitch: float, group_gap: float) -> float:
    """Cell widths taken by the first `k` heads in runs of `group`."""
    return (k - 1) * pitch + ((k - 1) // group) * group_gap + 1


def plan_row(
    n: int,
    group: int,
    width: float,
    cell: float,
    summary_size: int = theme.SIZE.caption,
    *,
    pitch: float = HEAD_PITCH_CELLS,
    group_gap: float = GROUP_GAP_CELLS,
    slots: int | None = None,
) -> HeadRow:
    """The heads of `n` (runs of `group`) that fit `width` at `cell` wide, leaving room
    for the summary at `summary_size` when they do not all fit; `slots` caps the drawn
    heads and ellipses (to line a row up with another one's)."""
    if slots is None and _run_span(n, group, pitch, group_gap) * cell <= width + 1e-9:
        return _full(n, group, pitch, group_gap)
    said = summary(n, group)
    room = (width - text(said, summary_size).width - SUMMARY_GAP) / cell
    whole = 0
    while whole < n // group and _run_span((whole + 1) * group, group, pitch, group_gap) <= room:
        whole += 1
    if slots is not None:
        whole = min(whole, slots // group)
    if whole * group >= n:
        return _full(n, group, pitch, group_gap)
    if whole:
        heads = list(range(whole * group))
    else:  # one group does not fit: its first heads, an ellipsis, its last head
        fit = int((room - 1) // pitch) + 1 - ELLIPSIS_SLOTS  # heads beside the ellipsis
        capped = min(fit, group - 1) if slots is None else slots - ELLIPSIS_SLOTS
        shown = max(MIN_CAPPED, capped)
        heads = [*range(shown - 1), group - 1]
    xs, ellipses = _layout(heads, group, pitch, group_gap)
    return HeadRow(n, group, tuple(heads), xs, ellipses, said)


def _full(n: int, group: int, pitch: float, group_gap: float) -> HeadRow:
    xs, _ = _layout(list(range(n)), group, pitch, group_gap)
    return HeadRow(n, group, tuple(range(n)), xs, (), "")


def head_cell(n: int, group: int, width: float) -> float:
    """The cell width at which `n` heads in runs of `group` span `width`."""
    return width / _run_span(n, group, HEAD_PITCH_CELLS, GROUP_GAP_CELLS)


def readable_cell(fitted: float) -> float:
    """`fitted` when every head is readable at it, else the (larger) cell of a capped row."""
    return fitted if fitted >= theme.HEAD_CELL_MIN else theme.HEAD_CELL_CAPPED


def ellipsis_mark(color: str, size: int = theme.SIZE.caption):
    return text(ELLIPSIS, size, color)


def row_extras(row: HeadRow, cell: float, y: float, color: str, size: int) -> VGroup:
    """The row's ellipses (centred in their slots) and its summary, right of its last head."""
    extras = VGroup()
    for x in row.ellipses:
        extras.add(ellipsis_mark(color, size).move_to([x * cell, y, 0]))
    if row.summary:
        said = text(row.summary, size, theme.MUTED)
        extras.add(said.move_to([row.span * cell + SUMMARY_GAP, y, 0], aligned_edge=LEFT))
    return extras


def head_strip(
    n: int, group: int, color: str, width: float, cell: float, height: float | None = None
) -> VGroup:
    """`n` heads in runs of `group`, `cell` wide (and `height` tall, default square),
    within `width`: capped with an ellipsis and a summary when they do not all fit.
    The strip's parts: `cells` (one per drawn head) and `extras`; centred on the origin."""
    row = plan_row(n, group, width, cell)
    height = cell if height is None else height
    strip = VGroup()
    strip.cells = VGroup(
        *(
            tag(
                Rectangle(
                    width=cell, height=height, stroke_width=0, fill_color=color, fill_opacity=0.9
                ).move_to([(x + 0.5) * cell, 0, 0]),
                HEAD,
            )
            for x in row.xs
        )
    )
    strip.extras = row_extras(row, cell, 0, color, theme.SIZE.caption)
    strip.row = row
    strip.add(strip.cells, strip.extras)
    return strip.move_to([0, 0, 0])


class HeadGroups(VGroup):
    """Row of query heads (grouped), row of KV heads below, a link per query head; the
    rows capped (whole groups, then a summary) when the model has more heads than fit."""

    def __init__(self, m: Model, width: float, row_gap: float = 0.9):
        cell = readable_cell(head_cell(m.n_heads, m.group_size, width))
        self.row = plan_row(m.n_heads, m.group_size, width, cell)
        self.q_cells = VGroup(
            *(
                tag(
                    Square(cell, stroke_width=0, fill_color=theme.Q, fill_opacity=0.9).move_to(
                        [(x + 0.5) * cell, 0, 0]
                    ),
                    HEAD,
                )
                for x in self.row.xs
            )
        )
        drawn_groups = sorted({m.kv_head_of(h) for h in self.row.heads})
        self.kv_cells = VGroup()
        for g in drawn_groups:
            members = [
                q for h, q in zip(self.row.heads, self.q_cells, strict=True) if m.kv_head_of(h) == g
            ]
            centre = (members[0].get_x() + members[-1].get_x()) / 2
            sq = Square(cell * 1.6, stroke_width=0, fill_color=theme.REPEAT, fill_opacity=0.9)
            self.kv_cells.add(tag(sq.move_to([centre, -row_gap, 0]), HEAD))
        self.links = VGroup(
            *(
                tag(
                    Line(
                        self.kv_cells[drawn_groups.index(m.kv_head_of(h))].get_top(),
                        q.get_bottom(),
                        stroke_width=1.5,
                        color=theme.REPEAT,
                    ),
                    LINE,
                )
                for h, q in zip(self.row.heads, self.q_cells, strict=True)
            )
        )
        self.extras = row_extras(self.row, cell, 0, theme.Q, theme.SIZE.caption)
        self.q_label = text(f"{m.n_heads} query heads", theme.SIZE.caption, theme.Q)
        kv_heads = "KV head" if m.n_kv_heads == 1 else "KV heads"
        drawn = len(self.kv_cells)  # a capped row draws the KV heads of its whole groups
        counted = f"{m.n_kv_heads}" if drawn == m.n_kv_heads else f"{drawn} of {m.n_kv_heads}"
        self.kv_label = text(f"{counted} {kv_heads}", theme.SIZE.caption, theme.REPEAT)
        self.q_label.next_to(self.q_cells, UP, buff=0.12).align_to(self.q_cells, LEFT)
        self.kv_label.next_to(self.kv_cells, DOWN, buff=0.12).align_to(self.q_cells, LEFT)
        super().__init__(
            self.q_label, self.q_cells, self.links, self.kv_cells, self.extras, self.kv_label
        )


GRID_ROW_PITCH_CELLS = 1.4  # centre-to-centre distance of a grid's rows, in cell heights
GRID_MAX_ROWS = 8  # a grid of more groups draws GRID_MAX_ROWS - 1 and a line for the rest


def grid_rows(groups: int) -> int:
    """The rows a grid of `groups` draws: every group, or the first ones and a summary line."""
    return groups if groups <= GRID_MAX_ROWS else GRID_MAX_ROWS


def grid_cell(groups: int, per_row: int, width: float, height: float, largest: float) -> float:
    """The cell of a grid of `groups` rows of `per_row` heads in `width` × `height`: as
    large as both allow, at most `largest`, never under the readable minimum."""
    across = readable_cell(head_cell(per_row, per_row, width))
    down = height / (grid_rows(groups) * GRID_ROW_PITCH_CELLS)
    return max(min(across, down, largest), theme.HEAD_CELL_MIN)


def grid_summary(groups: int, per_row: int) -> str:
    """The last line of a grid with more groups than rows."""
    return f"⋮ {groups} heads" if per_row == 1 else f"⋮ {groups} groups of {per_row}"


def head_grid(groups: int, per_row: int, color: str, width: float, cell: float) -> VGroup:
    """One row per group of `per_row` heads, top down, each row a `head_strip` (capped in
    `width`); more groups than GRID_MAX_ROWS: the first rows and "⋮ N groups of k". The
    grid's `rows[i]` is group i's strip (its `cells`), `.summary` the last line or None;
    row i of every grid with the same `groups` and `cell` lies at the same height."""
    grid = VGroup()
    grid.rows = VGroup()
    drawn = groups if groups <= GRID_MAX_ROWS else GRID_MAX_ROWS - 1
    pitch = cell * GRID_ROW_PITCH_CELLS
    for i in range(drawn):
        strip = head_strip(per_row, per_row, color, width, cell)
        grid.rows.add(strip.shift(DOWN * (i * pitch + strip.cells.get_y())))  # cells on row i
    grid.add(grid.rows)
    grid.summary = None
    if drawn < groups:
        grid.summary = text(grid_summary(groups, per_row), theme.SIZE.caption, theme.MUTED)
        grid.add(grid.summary.move_to([0, -drawn * pitch, 0]))
    return grid
