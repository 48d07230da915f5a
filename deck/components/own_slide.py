"""A slide of the speaker's own (deck/talk/own_slides.py): its title in the grid's title
place, then either its points, a bullet each, or its picture scaled into the content
area without distortion, and its source line at the bottom left."""

from __future__ import annotations

import numpy as np
from manim import LEFT, UP, Group, ImageMobject, Mobject, SVGMobject, VGroup
from PIL import Image, ImageOps

from deck import theme
from deck.compat.manim import draw_pictures
from deck.components.page import body_top, named_group, slide_title, source_line
from deck.components.roles import PICTURE, tag
from deck.components.spec import sit_on
from deck.components.text import text
from deck.talk.own_slides import (
    BULLET,
    LINE_PITCH_EM,
    POINT_GAP_EM,
    SOURCE_ROOM,
    OwnSlide,
    bullet_indent,
    points_layout,
)

# A raster picture is drawn from at most this many pixels on its longer side: the frame
# of a 4K render is 3840 wide, and more pixels only cost memory and time to resample.
MAX_PICTURE_SIDE = 3840


def own_slide(slide: OwnSlide) -> Group:
    """The whole slide below the header: `group.titles`, `group.body` (and `group.source`)."""
    titles = slide_title(slide.title)
    top = body_top(titles)
    bottom = theme.CONTENT_BOTTOM + (SOURCE_ROOM if slide.source else 0.0)
    if slide.points:
        body = points(slide.points, top, bool(slide.source))
    else:
        body = picture(slide, top, bottom)
    parts = {"titles": titles, "body": body}
    if slide.source:
        parts["source"] = source_line(slide.source)
    return named_group(**parts)


def points(rows: tuple[str, ...], top: float, with_source: bool) -> VGroup:
    """A bullet and its wrapped lines per point, from `top` down, at the largest size at
    which they fit (deck/talk/own_slides.py checked that one does)."""
    found = points_layout(rows, with_source)
    if found is None:
        raise ValueError(f"the points {rows!r} do not fit a slide")
    size, wrapped = found
    pitch = LINE_PITCH_EM * theme.em(size)
    baseline = top - theme.ASCENT_EM * theme.em(size)
    left = theme.CONTENT_LEFT
    drawn = []
    for lines in wrapped:
        # the bullet's middle at half the capitals' height: beside the line, not on it
        bullet = text(BULLET, size, theme.MUTED).move_to([left, 0, 0], aligned_edge=LEFT)
        bullet.set_y(baseline + theme.CAP_EM / 2 * theme.em(size))
        shown = []
        for line in lines:
            row = text(line, size).move_to([left + bullet_indent(size), 0, 0], aligned_edge=LEFT)
            shown.append(sit_on(row, baseline))
            baseline -= pitch
        baseline -= POINT_GAP_EM * theme.em(size)
        drawn.append(VGroup(bullet, *shown))
    return VGroup(*drawn)


def picture(slide: OwnSlide, top: float, bottom: float) -> Mobject:
    """The slide's image, as large as the content area between `top` and `bottom` holds
    it at its own proportions, centred across the area and at its top."""
    if slide.image is None:
        raise ValueError(f"{slide.name} has no image")
    if slide.image.suffix.lower() == ".svg":
        drawn: Mobject = SVGMobject(str(slide.image))
    else:
        draw_pictures()
        drawn = ImageMobject(raster_pixels(slide.image))
    width, height = theme.CONTENT_WIDTH, top - bottom
    if drawn.width / drawn.height > width / height:
        drawn.scale_to_fit_width(width)
    else:
        drawn.scale_to_fit_height(height)
    drawn.move_to([(theme.CONTENT_LEFT + theme.CONTENT_RIGHT) / 2, top, 0], aligned_edge=UP)
    return tag(drawn, PICTURE)


def raster_pixels(path) -> np.ndarray:
    """The image's RGBA pixels, its longer side at most `MAX_PICTURE_SIDE`."""
    with Image.open(path) as opened:
        image = ImageOps.exif_transpose(opened).convert("RGBA")  # a phone's JPEG upright
        if max(image.size) > MAX_PICTURE_SIDE:
            image.thumbnail((MAX_PICTURE_SIDE, MAX_PICTURE_SIDE), Image.Resampling.LANCZOS)
        return np.array(image)
