"""The PDF export: one page per slide, its last frame, with the talk's title and author.

Written with reportlab, which embeds each slide's JPEG (pictures.py) as it is: a page
costs no decoding or encoding once its slide's picture exists. Under each picture lies
its speaker notes as invisible text (PDF text render mode 3), so that a reader's search
finds a slide by what is said on it and the text can be copied; each page is in the
document's outline under its number and the notes' first sentence.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from bidi import get_display
from reportlab.lib.utils import ImageReader
from reportlab.pdfgen.canvas import Canvas

from deck.export import any_script
from deck.export.pdf_base import FONT, binary_streams, register_fonts
from deck.export.writer import ExportOptions

if TYPE_CHECKING:
    from manim_slides.config import PresentationConfig

    from deck.export.pictures import Pictures

# The last frame: what the slide shows once its animation has played.
PICTURES = ("page",)
# Pixels per inch of the page: a 1920-pixel frame is a 19.2 in page (PDF viewers fit it to
# the window; printers to the paper), as manim-slides' own PDF export sizes its pages.
RESOLUTION = 100.0
POINTS_PER_INCH = 72
INVISIBLE = 3  # PDF text render mode: neither filled nor stroked, but searchable
TEXT_SIZE = 12  # points; the text is not seen, its size only spaces the lines
OUTLINE_CHARS = 80  # an outline entry: the notes' first sentence, cut to this


def write(
    configs: list[PresentationConfig], dest: Path, options: ExportOptions, pictures: Pictures
) -> None:
    binary_streams()
    register_fonts()
    info = options.document_info()
    document = Canvas(str(dest), pageCompression=1)
    document.setTitle(info["title"])  # without one, viewers show the (temporary) file's name
    document.setAuthor(info["author"])
    document.setSubject(info["subject"])
    document.setCreator(info["creator"])
    document.setProducer(info["producer"])
    document.setDateFormatter(lambda *now: options.pdf_date)
    for number, slide in enumerate((s for c in configs for s in c.slides), start=1):
        page = pictures.path(slide.file, "page")
        pixels_wide, pixels_high = ImageReader(str(page)).getSize()  # reads the header only
        width, height = (px * POINTS_PER_INCH / RESOLUTION for px in (pixels_wide, pixels_high))
        document.setPageSize((width, height))
        document.drawImage(str(page), 0, 0, width, height)  # a .jpg file: embedded as it is
        searchable_notes(document, slide.notes, width, height)
        key = f"slide-{number}"
        document.bookmarkPage(key)
        document.addOutlineEntry(outline_entry(number, slide.notes), key, level=0)
        document.showPage()
    document.save()


def outline_entry(number: int, notes: str) -> str:
    first = notes.split(". ", 1)[0].strip().rstrip(".") if notes else ""
    if len(first) > OUTLINE_CHARS:
        first = first[: OUTLINE_CHARS - 1].rsplit(" ", 1)[0] + "…"
    return f"{number}. {first}" if first else f"{number}."


def searchable_notes(document: Canvas, notes: str, width: float, height: float) -> None:
    """`notes` as invisible text over the page, wrapped to its width, in reading order
    (what a search types), each run in a font that has its glyphs."""
    if not notes:
        return
    text = document.beginText(TEXT_SIZE, height - 2 * TEXT_SIZE)
    text.setTextRenderMode(INVISIBLE)
    lines = []
    for paragraph in notes.split("\n\n"):
        line = ""
        for word in paragraph.split():
            candidate = f"{line} {word}".strip()
            if line and any_script.width(candidate, FONT, TEXT_SIZE) > width - 2 * TEXT_SIZE:
                lines.append(line)
                line = word
            else:
                line = candidate
        lines.append(line)
    for line in lines:  # as a reader shows it: PDF readers read right-to-left text back
        for font, part in any_script.runs(get_display(line), FONT):  # from its order on the page
            text.setFont(font, TEXT_SIZE)
            text.textOut(part)
        text.textLine("")
    document.drawText(text)
