"""Text in the deck's one font, at sizes from the theme's scale only."""

from __future__ import annotations

from manim import DOWN, LEFT, NORMAL, Text, VGroup

from deck import theme
from deck.components.roles import TEXT, tag


def text(
    content: str, size: int = theme.SIZE.body, color: str | None = None, weight: str = NORMAL
) -> Text:
    """`color` defaults to the active palette's TEXT."""
    if size < theme.MIN_FONT_SIZE:
        raise ValueError(f"font size {size} is below the minimum {theme.MIN_FONT_SIZE}")
    color = theme.TEXT if color is None else color
    return tag(Text(content, font=theme.FONT, font_size=size, color=color, weight=weight), TEXT)


def stack(*rows: Text | VGroup, buff: float = 0.14, align=LEFT) -> VGroup:
    """Rows one under the other, aligned on one edge (each row stays its own mobject)."""
    return VGroup(*rows).arrange(DOWN, buff=buff, aligned_edge=align)
