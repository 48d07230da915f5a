"""Outlines that point at part of a slide: a diagram node, a formula's part, a cell.

An outline keeps `theme.HIGHLIGHT_GAP` clear between its stroke and its target's glyphs,
whatever its stroke width; it remembers its target (`outline.target`) so that the layout
tests can measure that gap on every slide."""

from __future__ import annotations

from manim import Mobject, SurroundingRectangle, VGroup

from deck import theme
from deck.components.roles import DECOR, tag


def outline(
    target: Mobject,
    color: str | None = None,
    *,
    gap: float = theme.HIGHLIGHT_GAP,
    stroke: float = theme.STROKE_HIGHLIGHT,
    role: str = DECOR,
    glyphs: Mobject | None = None,
    corner_radius: float = 0.0,
) -> SurroundingRectangle:
    """`color` defaults to the active palette's HIGHLIGHT; `gap` is the clear space between
    the stroke's inner edge and the target. A shape without glyphs of its own (a heatmap's
    cell) may be hugged closer, `gap` below the theme's, as long as its `glyphs` (the
    number on the cell) keep `theme.HIGHLIGHT_GAP` clear. Rounded corners
    (`corner_radius`) keep the outlines of diagonal neighbours apart."""
    color = theme.HIGHLIGHT if color is None else color
    buff = gap + stroke * theme.STROKE_UNIT / 2
    box = SurroundingRectangle(
        target, color=color, buff=buff, stroke_width=stroke, corner_radius=corner_radius
    )
    box.glyphs = target if glyphs is None else glyphs
    box.stroke_half = stroke * theme.STROKE_UNIT / 2
    if clearance(box) < theme.HIGHLIGHT_GAP - 1e-6:
        raise ValueError(f"an outline leaves {clearance(box):.3f} clear, under theme.HIGHLIGHT_GAP")
    return tag(box, role)


def clearance(box: SurroundingRectangle) -> float:
    """The least clear space between an outline's stroke and the glyphs it frames."""
    glyphs = box.glyphs
    inner = box.stroke_half
    return min(
        glyphs.get_left()[0] - box.get_left()[0] - inner,
        box.get_right()[0] - glyphs.get_right()[0] - inner,
        glyphs.get_bottom()[1] - box.get_bottom()[1] - inner,
        box.get_top()[1] - glyphs.get_top()[1] - inner,
    )


def outlines(targets, color: str | None = None, **options) -> VGroup:
    """One outline per target, as one group (for one animation)."""
    return VGroup(*(outline(t, color, **options) for t in targets))


def hug(
    target: Mobject, color: str | None = None, *, gap: float, stroke: float = theme.STROKE_HIGHLIGHT
):
    """An outline close around a shape without glyphs (a cache column, a cell), where a
    full `theme.HIGHLIGHT_GAP` would run into its neighbours."""
    color = theme.HIGHLIGHT if color is None else color
    box = SurroundingRectangle(target, color=color, buff=gap + stroke * theme.STROKE_UNIT / 2)
    return tag(box.set_stroke(width=stroke), DECOR)
