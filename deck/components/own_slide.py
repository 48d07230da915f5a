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
from deck.components.wrap import wrap
from deck.talk.own_slides import BULLET, POINT_SIZE, OwnSlide, bullet_indent, point_width

LINE_PITCH_EM = 1.25  # the lines of one wrapped point
POINT_GAP_EM = 0.6  # added to the line pitch between two points
SOURCE_ROOM = 0.5  # kept clear above the source line's baseline for the picture
# A raster picture is drawn from at most this many pixels on its longer side: the frame
# of a 4K render is 3840 wide, and more pixels only cost memory and time to resample.
MAX_PICTURE_SIDE = 3840


def own_slide(slide: OwnSlide) -> Group:
    """The whole slide below the header: `group.titles`, `group.body` (and `group.source`)."""
    titles = slide_title(slide.title)
    top = body_top(titles)
    bottom = theme.CONTENT_BOTTOM + (SOURCE_ROOM if slide.source else 0.0)
    body = points(slide.points, top) if slide.points else picture(slide, top, bottom)
    parts = {"titles": titles, "body": body}
    if slide.source:
        parts["source"] = source_line(slide.source)
    return named_group(**parts)


def points(rows: tuple[str, ...], top: float) -> VGroup:
    """A bullet and its wrapped lines per point, from `top` down."""
    size = POINT_SIZE
    pitch = LINE_PITCH_EM * theme.em(size)
    baseline = top - theme.ASCENT_EM * theme.em(size)
    left = theme.CONTENT_LEFT
    found = []
    for row in rows:
        # the bullet's middle at half the capitals' height: beside the line, not on it
        bullet = text(BULLET, size, theme.MUTED).move_to([left, 0, 0], aligned_edge=LEFT)
        bullet.set_y(baseline + theme.CAP_EM / 2 * theme.em(size))
        lines = []
        for line in wrap(row, size, point_width()):
            shown = text(line, size).move_to([left + bullet_indent(), 0, 0], aligned_edge=LEFT)
            lines.append(sit_on(shown, baseline))
            baseline -= pitch
        baseline -= POINT_GAP_EM * theme.em(size)
        found.append(VGroup(bullet, *lines))
    return VGroup(*found)


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
