"""A card beside the diagram that explains the highlighted part."""

from __future__ import annotations

from manim import DOWN, LEFT, UP, RoundedRectangle, VGroup

from deck import theme
from deck.components.roles import BOX, tag
from deck.components.spec import lines as block
from deck.components.text import text
from deck.content.wrap import wrap

PAD = 0.3


def card(title: str, paragraphs: list[str], color: str, width: float, *extra: VGroup) -> VGroup:
    """Title, body and optional figures, left-aligned in a panel `width` wide; each
    paragraph of the body is wrapped to the panel (a figure wider than the panel widens
    it: the layout tests then catch the overflow)."""
    heading = text(title, theme.SIZE.body, color)
    body = VGroup(heading)
    wrapped = tuple(tuple(wrap(p, theme.SIZE.detail, width - 2 * PAD)) for p in paragraphs)
    lines = [ln for p in wrapped for ln in p]
    if lines:
        body.add(block(lines, theme.SIZE.detail).next_to(heading, DOWN, buff=0.22))
        body[1].align_to(heading, LEFT)
    content = VGroup(body, *extra).arrange(DOWN, buff=theme.GAP_LARGE * 0.6, aligned_edge=LEFT)
    panel = tag(
        RoundedRectangle(
            width=max(width, content.width + 2 * PAD),
            height=content.height + 2 * PAD,
            corner_radius=theme.CORNER,
            stroke_color=color,
            stroke_width=theme.STROKE,
            fill_color=theme.PANEL,
            fill_opacity=1,
        ),
        BOX,
    )
    panel.paragraphs = ((title,), *wrapped)  # for the layout tests: words and orphans
    content.move_to(panel).align_to(panel, LEFT).shift(PAD * -LEFT)
    group = VGroup(panel, content)
    group.panel, group.content = panel, content
    return group


def place_in_column(mob: VGroup, left: float, right: float, top: float) -> VGroup:
    """Centre `mob` horizontally in [left, right] with its top at `top`."""
    return mob.move_to([(left + right) / 2, top - mob.height / 2, 0]).align_to([0, top, 0], UP)
