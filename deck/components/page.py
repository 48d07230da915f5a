"""Parts of a content slide: its title (and a subtitle) in the grid's one title place, a
source line at the bottom left, and a group whose parts keep their names (for animating
them in turn)."""

from __future__ import annotations

from manim import DOWN, LEFT, Group, Mobject, Text, VGroup, VMobject

from deck import theme
from deck.components.spec import sit_on
from deck.components.text import text

SLIDE_TITLE = "slide-title"  # the `kind` of a slide's title, for the layout tests


def slide_title(title: str, subtitle: str = "") -> VGroup:
    """The slide's title (and a muted subtitle under it) on the grid's title baselines, at
    the content's left edge: the same place and size on every slide."""
    heading = text(title, theme.SIZE.heading, theme.TITLE)
    heading.kind = SLIDE_TITLE
    rows = [
        sit_on(heading.move_to([theme.CONTENT_LEFT, 0, 0], aligned_edge=LEFT), theme.TITLE_BASELINE)
    ]
    if subtitle:
        below = text(subtitle, theme.SIZE.body, theme.MUTED)
        rows.append(
            sit_on(
                below.move_to([theme.CONTENT_LEFT, 0, 0], aligned_edge=LEFT),
                theme.SUBTITLE_BASELINE,
            )
        )
    return VGroup(*rows)


def body_top(titles: VGroup) -> float:
    """Where the slide's body starts under `titles` (with or without a subtitle)."""
    return theme.BODY_TOP_SUBTITLED if len(titles) > 1 else theme.BODY_TOP


def source_line(source: str) -> Text:
    """Where the slide's published figures come from, bottom left in the smallest size."""
    line = text(source, theme.SIZE.caption, theme.MUTED)
    return line.move_to([theme.CONTENT_LEFT, theme.CONTENT_BOTTOM, 0], aligned_edge=DOWN + LEFT)


def named_group(**parts: Mobject) -> Group:
    """The parts as one group, in order, each also reachable by its name: `group.titles`
    (a VGroup unless a part is a picture, which a VGroup cannot hold)."""
    vector = all(isinstance(part, VMobject) for part in parts.values())
    group = VGroup(*parts.values()) if vector else Group(*parts.values())
    for name, part in parts.items():
        setattr(group, name, part)
    return group
