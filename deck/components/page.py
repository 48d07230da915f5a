"""Parts of a content slide: a title with a subtitle at the top left, a source line at the
bottom left, and a group whose parts keep their names (for animating them in turn)."""

from __future__ import annotations

from manim import DOWN, LEFT, UP, Mobject, Text, VGroup

from deck import theme
from deck.components.text import stack, text

TITLE_LINE_GAP = 0.15


def slide_title(title: str, subtitle: str = "") -> VGroup:
    """The slide's title (and a muted subtitle under it), top left of the content area."""
    rows = [text(title, theme.SIZE.heading, theme.TITLE)]
    if subtitle:
        rows.append(text(subtitle, theme.SIZE.body, theme.MUTED))
    titles = stack(*rows, buff=TITLE_LINE_GAP)
    return titles.move_to([theme.CONTENT_LEFT, theme.CONTENT_TOP, 0], aligned_edge=UP + LEFT)


def source_line(source: str) -> Text:
    """Where the slide's published figures come from, bottom left in the smallest size."""
    line = text(source, theme.SIZE.caption, theme.MUTED)
    return line.move_to([theme.CONTENT_LEFT, theme.CONTENT_BOTTOM, 0], aligned_edge=DOWN + LEFT)


def named_group(**parts: Mobject) -> VGroup:
    """The parts as one group, in order, each also reachable by its name: `group.titles`."""
    group = VGroup(*parts.values())
    for name, part in parts.items():
        setattr(group, name, part)
    return group
