"""The PowerPoint export: one slide per video, auto-playing, with the speaker notes.

Written with python-pptx directly rather than through manim-slides' converter, which
gives every movie its video's first frame as poster (the previous slide's picture, since
each slide starts where the last ended) and keeps python-pptx's template metadata
(a 4:3 slide size, its author, 2013 dates).
"""

from __future__ import annotations

import io
import re
import zipfile
from fractions import Fraction
from pathlib import Path
from typing import TYPE_CHECKING

import pptx
from PIL import Image
from pptx.util import Emu

from deck.compat.pptx import autoplay_movie
from deck.export.writer import APPLICATION, ExportOptions

if TYPE_CHECKING:
    from manim_slides.config import PresentationConfig

    from deck.export.pictures import Pictures

# Each movie's poster: the slide's own picture (its last frame).
PICTURES = ("poster-frame",)

# A slide is 1280 px of 1/96 in wide (13.33 in, PowerPoint's widescreen width); its height
# follows the videos' aspect ratio, read as the nearest simple ratio (854×480, manim's low
# quality, is 16:9 rounded to even pixels), so a 16:9 deck gets PowerPoint's 16:9 size.
SLIDE_WIDTH_PX = 1280
EMU_PER_PX = 9525  # 914400 EMU per inch / 96 px per inch
ASPECT_DENOMINATOR = 20  # ratios like 16:9, 4:3, 16:10
BLANK_LAYOUT = 6  # python-pptx's default template: "Blank"
WIDESCREEN = (12_192_000, 6_858_000)  # EMU; PowerPoint calls this size "Widescreen"
APP_XML = "docProps/app.xml"
# The picture a file manager shows for the document: the title slide, not the template's
# blank white 4:3 one. 256 px wide, as PowerPoint writes its own.
THUMBNAIL = "docProps/thumbnail.jpeg"
THUMBNAIL_WIDTH = 256
THUMBNAIL_QUALITY = 85
PRESENTATION_XML = "ppt/presentation.xml"


def slide_size(resolution: tuple[int, int]) -> tuple[int, int]:
    """The slide's width and height in EMU for videos of `resolution` pixels."""
    aspect = Fraction(*resolution).limit_denominator(ASPECT_DENOMINATOR)
    width = SLIDE_WIDTH_PX * EMU_PER_PX
    return width, round(width / aspect)


def write(
    configs: list[PresentationConfig], dest: Path, options: ExportOptions, pictures: Pictures
) -> None:
    deck = pptx.Presentation()
    width, height = slide_size(configs[0].resolution)
    deck.slide_width, deck.slide_height = Emu(width), Emu(height)
    set_properties(deck.core_properties, options)
    layout = deck.slide_layouts[BLANK_LAYOUT]
    slides = [s for c in configs for s in c.slides]
    for config in slides:
        slide = deck.slides.add_slide(layout)
        movie = slide.shapes.add_movie(
            str(config.file),
            0,
            0,
            width,
            height,
            poster_frame_image=str(pictures.path(config.file, "poster-frame")),
            mime_type="video/mp4",
        )
        autoplay_movie(movie, loop=config.loop)
        if config.notes:
            slide.notes_slide.notes_text_frame.text = config.notes
    buffer = io.BytesIO()
    deck.save(buffer)
    noted = sum(1 for s in slides if s.notes)
    thumbnail = thumbnail_of(pictures.path(slides[0].file, "poster-frame"))
    package = described(buffer.getvalue(), len(slides), noted, (width, height), thumbnail)
    dest.write_bytes(package)


def thumbnail_of(picture: Path) -> bytes:
    """The document's thumbnail: `picture` scaled to THUMBNAIL_WIDTH, as a JPEG."""
    with Image.open(picture) as image:
        height = round(image.height * THUMBNAIL_WIDTH / image.width)
        small = image.convert("RGB").resize((THUMBNAIL_WIDTH, height), Image.Resampling.LANCZOS)
    out = io.BytesIO()
    small.save(out, "JPEG", quality=THUMBNAIL_QUALITY)
    return out.getvalue()


def set_properties(core, options: ExportOptions) -> None:
    """The document's title, author and dates from the talk, none of the template's."""
    core.title = options.title
    core.author = options.author
    core.last_modified_by = options.author
    core.subject = options.subject
    core.comments = ""  # the template says "generated using python-pptx"
    core.keywords = ""
    core.category = ""
    core.revision = 1
    # naive UTC: python-pptx writes the value as given, with a Z
    core.created = core.modified = options.timestamp.replace(tzinfo=None)


def described(
    package: bytes, slides: int, noted: int, size: tuple[int, int], thumbnail: bytes
) -> bytes:
    """The package with what python-pptx's 4:3 template says about itself corrected: the
    slide size's type (`<p:sldSz type="screen4x3">`) dropped, docProps/app.xml describing
    this deck ("On-screen Show (4:3)", no slides and "Microsoft Macintosh PowerPoint" in
    the template), and the deck's own thumbnail instead of the template's blank one."""
    fields = {
        "Application": APPLICATION,
        "PresentationFormat": "Widescreen" if size == WIDESCREEN else "Custom",
        "Slides": str(slides),
        "Notes": str(noted),
        "MMClips": str(slides),
        "Words": "0",
        "TotalTime": "0",
    }
    source = zipfile.ZipFile(io.BytesIO(package))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for item in source.infolist():
            data = source.read(item)
            if item.filename == APP_XML:
                text = data.decode("utf-8")
                for name, value in fields.items():
                    text = re.sub(rf"<{name}>[^<]*</{name}>", f"<{name}>{value}</{name}>", text)
                data = text.encode("utf-8")
            elif item.filename == PRESENTATION_XML:
                data = re.sub(rb'(<p:sldSz [^>]*?) type="[^"]*"', rb"\1", data)
            elif item.filename == THUMBNAIL:
                data = thumbnail
            target.writestr(item, data)
    return out.getvalue()
