"""Outlines that point at part of a slide: a diagram node, a formula's part, a cell.

An outline keeps `theme.HIGHLIGHT_GAP` clear between its stroke and its target's glyphs,
whatever its stroke width; it remembers its target (`outline.target`) so that the layout
tests can measure that gap on every slide."""

from __future__ import annotations

from manim import DOWN, UP, Mobject, SurroundingRectangle, VGroup, VMobject

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


def clearance(box: VMobject) -> float:
    """The least clear space between an outline's stroke and the glyphs it frames (on
    its closed sides: a `bracket` has no stroke on its open one)."""
    return min(side_clearances(box).values())


def side_clearances(box: VMobject) -> dict[str, float]:
    """Clear space on each side of an outline that has a stroke there."""
    glyphs, inner = box.glyphs, getattr(box, "stroke_half", 0.0)
    sides = {
        "left": glyphs.get_left()[0] - box.get_left()[0] - inner,
        "right": box.get_right()[0] - glyphs.get_right()[0] - inner,
        "bottom": glyphs.get_bottom()[1] - box.get_bottom()[1] - inner,
        "top": box.get_top()[1] - glyphs.get_top()[1] - inner,
    }
    sides.pop(getattr(box, "open_side", ""), None)
    return sides


def bracket(
    target: Mobject,
    open_toward,
    color: str | None = None,
    *,
    stroke: float = theme.STROKE_HIGHLIGHT,
    role: str = DECOR,
) -> VMobject:
    """An outline open on one side (`open_toward` UP or DOWN), its two arms ending level
    with the target's edge there: for a fraction's numerator (open toward the bar below
    it) or denominator (open above), which sit closer to the bar than an outline's gap,
    so that a closed outline's edge would lie on the bar."""
    color = theme.HIGHLIGHT if color is None else color
    buff = theme.HIGHLIGHT_GAP + stroke * theme.STROKE_UNIT / 2
    left, right = target.get_left()[0] - buff, target.get_right()[0] + buff
    if open_toward is DOWN:
        end, far, side = target.get_bottom()[1], target.get_top()[1] + buff, "bottom"
    elif open_toward is UP:
        end, far, side = target.get_top()[1], target.get_bottom()[1] - buff, "top"
    else:
        raise ValueError("a bracket opens toward UP or DOWN")
    shape = VMobject(stroke_color=color, stroke_width=stroke, fill_opacity=0)
    shape.set_points_as_corners([[left, end, 0], [left, far, 0], [right, far, 0], [right, end, 0]])
    shape.glyphs, shape.open_side = target, side
    shape.stroke_half = stroke * theme.STROKE_UNIT / 2
    return tag(shape, role)


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
