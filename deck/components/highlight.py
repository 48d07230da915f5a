"""Outlines that point at part of a slide: a diagram node, a formula's part, a cell."""

from __future__ import annotations

from manim import Mobject, SurroundingRectangle, VGroup

from deck import theme
from deck.components.roles import DECOR, tag


def outline(
    target: Mobject,
    color: str | None = None,
    *,
    buff: float = theme.HIGHLIGHT_BUFF,
    stroke: float = theme.STROKE_HIGHLIGHT,
    role: str = DECOR,
) -> SurroundingRectangle:
    """`color` defaults to the active palette's HIGHLIGHT."""
    color = theme.HIGHLIGHT if color is None else color
    box = SurroundingRectangle(target, color=color, buff=buff, stroke_width=stroke)
    return tag(box, role)


def outlines(targets, color: str | None = None, **options) -> VGroup:
    """One outline per target, as one group (for one animation)."""
    return VGroup(*(outline(t, color, **options) for t in targets))
