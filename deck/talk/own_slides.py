"""The speaker's own slides, `[[slide]]` tables in the talk file:

    [[slide]]
    after = "evidence.models_table"      # a slide the talk shows, or a section: after its last
    title = "Our results"
    image = "results.png"                # PNG, JPEG or SVG, relative to the talk file
    source = "Our lab, 2026"             # optional: where the picture comes from
    notes = "Our {m.n_kv_heads} KV heads …"

    [[slide]]
    after = "closing.takeaways"
    title = "What we do next"
    points = ["Train with 4 KV heads", "Measure at 32k tokens"]   # up to six short lines

Each is checked here, when the file is read, against what its slide can hold (the title on
one line, each point on at most two, an image that opens and decodes), so that the slide
drawn from it (deck/components/own_slide.py) always fits its grid; nothing here imports
manim.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, replace
from pathlib import Path
from xml.etree import ElementTree

from deck import theme
from deck.system.characters import refusal

IMAGE_SUFFIXES = (".png", ".jpg", ".jpeg", ".svg")
MAX_POINTS = 6
# The points' sizes, largest first: the first at which they fit the content area is used
# (larger than a card's text: the points are the whole slide).
POINT_SIZES = (theme.SIZE.subheading, theme.SIZE.body)
POINT_LINES = 2  # a point may wrap once
LINE_PITCH_EM = 1.25  # between the baselines of one point's lines
POINT_GAP_EM = 0.6  # added to the pitch between two points
SOURCE_ROOM = 0.5  # units kept clear above the source line's baseline
BULLET = "•"
MAX_IMAGE_BYTES = 32 * 1024 * 1024
# Pixels decoded for a raster image: a 4K frame shows at most 3840 × 2160 of them, and a
# larger picture is scaled down to that when it is drawn (PIL's own bomb limit is 89 M).
MAX_IMAGE_PIXELS = 64_000_000
# What manim's SVGMobject (through svgelements) leaves out of an SVG, and the way round it.
UNDRAWN_SVG = {
    "text": "convert its text to paths (Inkscape: Path ▸ Object to Path) or use a PNG",
    "image": "an embedded picture is not drawn: use the picture itself (PNG or JPEG)",
}
# The longest an own slide's lines may be, in characters: a bound on what is read before
# their widths are measured (a title fits one line, a point two: `fit_problem`).
MAX_CHARS = {"title": 200, "point": 300, "source": 200}
KEYS = ("after", "title", "image", "points", "source", "notes")


@dataclass(frozen=True)
class OwnSlide:
    """One of the speaker's slides: where it goes and what it shows."""

    number: int  # 1-based, in the talk file's order; its name is `own.<number>`
    after: str  # "section.beat": the slide it follows
    title: str
    points: tuple[str, ...] = ()
    image: Path | None = None  # absolute
    image_digest: str = ""  # the image file's contents, so that an edit re-renders the slide
    source: str = ""
    notes: str = ""
    # title, points, source and notes are templates with the model's fields (as `[notes]`)
    # until the talk's model fills them in (deck/talk/file.py, `fill_own_slides`)
    filled: bool = False

    @property
    def name(self) -> str:
        return f"own.{self.number}"


def point_width(size: int) -> float:
    """How wide a point's lines may be: the content area less the bullet's column."""
    return theme.CONTENT_WIDTH - bullet_indent(size)


def bullet_indent(size: int) -> float:
    return text_width(f"{BULLET}  ", size)


def text_width(content: str, size: float) -> float:
    from deck.content.wrap import text_width  # PIL: not before the deck is set up

    return text_width(content, size)


def wrap(paragraph: str, size: float, width: float) -> list[str]:
    from deck.content.wrap import wrap

    return wrap(paragraph, size, width)


def body_room(with_source: bool) -> float:
    """The height an own slide's body has: from under the title to the content's bottom,
    less the source line's room."""
    return theme.BODY_TOP - theme.CONTENT_BOTTOM - (SOURCE_ROOM if with_source else 0.0)


def points_height(lines: list[list[str]], size: int) -> float:
    """The height of points wrapped into `lines`, from the first line's tallest glyphs
    to the last one's descenders."""
    count = sum(len(point) for point in lines)
    ems = theme.ASCENT_EM + theme.DESCENT_EM + (count - 1) * LINE_PITCH_EM
    return (ems + (len(lines) - 1) * POINT_GAP_EM) * theme.em(size)


def points_layout(points: tuple[str, ...], with_source: bool) -> tuple[int, list[list[str]]] | None:
    """The largest of `POINT_SIZES` at which every point wraps into at most `POINT_LINES`
    lines and all of them fit the body's height, with the lines; None if none does."""
    for size in POINT_SIZES:
        lines = [wrap(point, size, point_width(size)) for point in points]
        if all(len(p) <= POINT_LINES for p in lines) and points_height(lines, size) <= body_room(
            with_source
        ):
            return size, lines
    return None


def title_problem(title: str) -> str | None:
    if not title.strip():
        return "must not be empty"
    if "\n" in title:
        return "must be one line"
    width = text_width(title.strip(), theme.SIZE.heading)
    if width > theme.CONTENT_WIDTH:
        fit = int(len(title) * theme.CONTENT_WIDTH / width)
        return f"is too long for one line at the title's size (about {fit} characters fit)"
    return refusal(title, theme.FONT)


def source_problem(source: str) -> str | None:
    width = text_width(source, theme.SIZE.caption)
    if width > theme.CONTENT_WIDTH:
        return "is longer than one line at the source line's size; shorten it"
    return refusal(source, theme.FONT)


def point_problem(point: str) -> str | None:
    size = POINT_SIZES[-1]
    lines = wrap(point, size, point_width(size))
    if len(lines) > POINT_LINES or any(
        text_width(line, size) > point_width(size) for line in lines
    ):
        return f"needs {len(lines)} lines even at the smallest size; at most {POINT_LINES} fit"
    return refusal(point, theme.FONT)


def image_problem(path: Path) -> str | None:
    """Why the picture at `path` cannot be drawn (a clause), or None."""
    if path.suffix.lower() not in IMAGE_SUFFIXES:
        return f"must be a PNG, JPEG or SVG file (.png, .jpg, .jpeg, .svg), got {path.name!r}"
    if not path.is_file():
        return "no such file" if not path.exists() else "is not a file"
    try:
        size = path.stat().st_size
        if size > MAX_IMAGE_BYTES:
            return f"is {size // 2**20} MiB; at most {MAX_IMAGE_BYTES // 2**20} MiB"
        if path.suffix.lower() == ".svg":
            return _svg_problem(path)
        return _raster_problem(path)
    except OSError as err:
        return f"cannot be read ({err.strerror or err})"


def _raster_problem(path: Path) -> str | None:
    from PIL import Image, UnidentifiedImageError

    try:
        with Image.open(path) as image:
            width, height = image.size
            if width * height > MAX_IMAGE_PIXELS:
                return f"is {width} × {height} pixels; at most {MAX_IMAGE_PIXELS // 10**6} million"
            if image.format not in ("PNG", "JPEG"):
                return f"is a {image.format} image, not a PNG or JPEG"
            image.load()  # decodes every pixel: a truncated file fails here, not at render
    except (UnidentifiedImageError, SyntaxError, ValueError):
        return "is not a PNG or JPEG image that can be decoded"
    except OSError as err:
        return f"cannot be decoded ({err})"
    if not width or not height:
        return "has no pixels"
    return None


def _svg_problem(path: Path) -> str | None:
    try:
        root = ElementTree.parse(path).getroot()
    except ElementTree.ParseError as err:
        return f"is not well-formed SVG ({err})"
    if root.tag.rsplit("}", 1)[-1] != "svg":
        return "is XML but not SVG (its root element is not <svg>)"
    for element in root.iter():
        tag = str(element.tag).rsplit("}", 1)[-1]
        if tag in UNDRAWN_SVG:
            return f"has <{tag}> elements, which manim draws as nothing; {UNDRAWN_SVG[tag]}"
    import svgelements  # what manim's SVGMobject reads it with

    try:
        drawn = svgelements.SVG.parse(str(path))
        box = drawn.bbox()
    except Exception as err:  # svgelements raises many kinds on malformed geometry
        return f"cannot be drawn ({type(err).__name__}: {err})"
    if box is None or box[2] - box[0] <= 0 or box[3] - box[1] <= 0:
        return "draws nothing (no shape with an area)"
    return None


def filled(slide: OwnSlide, model) -> OwnSlide:
    """`slide` with the model's fields ({m.n_kv_heads}) filled in (checked by the caller);
    a slide already filled in is returned as it is."""
    if slide.filled:
        return slide
    return replace(
        slide,
        title=slide.title.format(m=model),
        points=tuple(p.format(m=model) for p in slide.points),
        source=slide.source.format(m=model),
        notes=slide.notes.format(m=model),
        filled=True,
    )


def fit_problem(slide: OwnSlide) -> str | None:
    """Why a filled-in slide's lines do not fit it ("key: clause"), or None."""
    problem = title_problem(slide.title)
    if problem is not None:
        return f"title: {problem}"
    for index, point in enumerate(slide.points, 1):
        problem = point_problem(point)
        if problem is not None:
            return f"point {index}: {problem}"
    if slide.points and points_layout(slide.points, bool(slide.source)) is None:
        size = POINT_SIZES[-1]
        lines = sum(len(wrap(p, size, point_width(size))) for p in slide.points)
        return (
            f"points: {len(slide.points)} points in {lines} lines need more height than the "
            "slide has; shorten some to one line, or use fewer"
        )
    if slide.source:
        problem = source_problem(slide.source)
        if problem is not None:
            return f"source: {problem}"
    return None


def own_identity(own: OwnSlide) -> list:
    """What an own slide's frames depend on, as plain data (its picture by digest)."""
    return [own.name, own.after, own.title, [*own.points], own.image_digest, own.source, own.notes]


def file_digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()
