"""Text in the deck's one font, at sizes from the theme's scale only."""

from __future__ import annotations

from manim import DOWN, LEFT, NORMAL, UP, Text, VGroup

from deck import theme
from deck.components.roles import TEXT, tag
from deck.content.wrap import wrap

CENTRED_LINE_GAP = 0.12  # between the wrapped lines of one centred text


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


def centred(
    content: str, size: int = theme.SIZE.body, color: str | None = None, width: float | None = None
) -> VGroup:
    """`content` in centred lines no wider than `width` (default: the content area), for
    the talk's own words (a title or a name of any length)."""
    width = theme.CONTENT_RIGHT - theme.CONTENT_LEFT if width is None else width
    rows = [text(line, size, color) for line in wrap(content, size, width)]
    return stack(*rows, buff=CENTRED_LINE_GAP, align=UP * 0)
