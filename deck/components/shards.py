"""KV heads dealt onto GPUs under tensor parallelism: one box per GPU, holding a chip per
KV head it caches (numbered, so that a head copied onto several GPUs shows as the same
number twice)."""

from __future__ import annotations

from manim import DOWN, LEFT, RIGHT, UP, RoundedRectangle, VGroup

from deck import theme
from deck.components.roles import BOX, tag
from deck.components.text import text

CHIP = 0.4  # a KV head's square: wide enough for a two-digit number at the smallest size
CHIP_GAP = 0.07
CHIPS_PER_ROW = 2  # a GPU box holds its chips two abreast
MAX_CHIPS = 4  # more heads per GPU are written as a count instead of drawn
BOX_PAD = 0.12
LABEL_GAP = 0.1  # between a GPU's name and its chips
CHIP_FILL_OPACITY = 0.25


def chip(label: str, color: str) -> VGroup:
    """One KV head: a small tinted square with its number."""
    square = tag(
        RoundedRectangle(
            width=CHIP,
            height=CHIP,
            corner_radius=theme.CORNER / 2,
            stroke_color=color,
            stroke_width=theme.STROKE,
            fill_color=color,
            fill_opacity=CHIP_FILL_OPACITY,
        ),
        BOX,
    )
    number = text(label, theme.SIZE.caption).move_to(square)
    return VGroup(square, number)


def held_heads(n_kv_heads: int, gpus: int) -> list[list[int]]:
    """The KV heads each GPU caches: a contiguous share of them, or, with fewer heads
    than GPUs, one head copied onto gpus / n_kv_heads neighbouring GPUs."""
    if n_kv_heads >= gpus:
        share = n_kv_heads // gpus
        return [list(range(g * share, (g + 1) * share)) for g in range(gpus)]
    return [[g * n_kv_heads // gpus] for g in range(gpus)]


def gpu_box(name: str, heads: list[int], color: str, width: float) -> VGroup:
    """A GPU: its name at the top, its KV heads' chips (or their count) under it."""
    label = text(name, theme.SIZE.caption, theme.MUTED)
    if len(heads) <= MAX_CHIPS:
        chips = VGroup(*(chip(str(h), color) for h in heads))
        chips.arrange_in_grid(cols=min(len(heads), CHIPS_PER_ROW), buff=CHIP_GAP)
    else:
        chips = VGroup(text(f"{len(heads)} heads", theme.SIZE.caption, color))
    inner = VGroup(label, chips).arrange(DOWN, buff=LABEL_GAP)
    frame = tag(
        RoundedRectangle(
            width=width,
            height=inner.height + 2 * BOX_PAD,
            corner_radius=theme.CORNER,
            stroke_color=theme.LINE,
            stroke_width=theme.STROKE,
            fill_color=theme.PANEL,
            fill_opacity=1,
        ),
        BOX,
    )
    inner.move_to(frame)
    group = VGroup(frame, inner)
    group.frame, group.chips = frame, chips
    return group


def gpu_row(n_kv_heads: int, gpus: int, color: str, width: float, gap: float) -> VGroup:
    """`gpus` GPU boxes side by side in `width`, each with the KV heads it caches; the
    boxes share the tallest one's height."""
    box_width = (width - (gpus - 1) * gap) / gpus
    boxes = [
        gpu_box(f"GPU {g + 1}", heads, color, box_width)
        for g, heads in enumerate(held_heads(n_kv_heads, gpus))
    ]
    height = max(b.frame.height for b in boxes)
    for b in boxes:
        b.frame.stretch_to_fit_height(height)
        b[1].move_to(b.frame).align_to(b.frame, UP).shift(DOWN * BOX_PAD)
    row = VGroup(*boxes).arrange(RIGHT, buff=gap, aligned_edge=UP)
    row.boxes = boxes
    return row


def sharded(
    name: str,
    figure: tuple[str, ...],
    n_kv_heads: int,
    gpus: int,
    color: str,
    *,
    label_width: float,
    width: float,
    gap: float,
) -> VGroup:
    """A row of the picture: the variant's name and its figure's lines in a label column,
    then its GPUs; `row.label`, `row.gpus`."""
    label = VGroup(
        text(name, theme.SIZE.subheading, color),
        *(text(line, theme.SIZE.label) for line in figure),
    ).arrange(DOWN, buff=LABEL_GAP, aligned_edge=LEFT)
    gpus_row = gpu_row(n_kv_heads, gpus, color, width - label_width, gap)
    gpus_row.move_to([label_width, 0, 0], aligned_edge=LEFT)
    label.move_to([0, gpus_row.get_y(), 0], aligned_edge=LEFT)
    row = VGroup(label, gpus_row)
    row.label, row.gpus = label, gpus_row
    return row
