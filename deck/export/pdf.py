"""The PDF export: one page per slide, its last frame, with the talk's title and author.

Written with reportlab, which embeds each slide's JPEG (pictures.py) as it is: a page
costs no decoding or encoding once its slide's picture exists.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from reportlab import rl_config
from reportlab.lib.utils import ImageReader
from reportlab.pdfgen.canvas import Canvas

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


def binary_streams() -> None:
    """Have reportlab write streams as they are. By default it writes them as ASCII85
    text, a quarter larger and encoded in pure Python without its optional accelerator
    (35 ms per 480p picture, most of the PDF's time); every PDF reader takes binary."""
    rl_config.useA85 = 0


def write(
    configs: list[PresentationConfig], dest: Path, options: ExportOptions, pictures: Pictures
) -> None:
    binary_streams()
    info = options.document_info()
    document = Canvas(str(dest), pageCompression=1)
    document.setTitle(info["title"])  # without one, viewers show the (temporary) file's name
    document.setAuthor(info["author"])
    document.setSubject(info["subject"])
    document.setCreator(info["creator"])
    document.setProducer(info["producer"])
    document.setDateFormatter(lambda *now: options.pdf_date)
    for slide in (s for c in configs for s in c.slides):
        page = pictures.path(slide.file, "page")
        pixels_wide, pixels_high = ImageReader(str(page)).getSize()  # reads the header only
        width, height = (px * POINTS_PER_INCH / RESOLUTION for px in (pixels_wide, pixels_high))
        document.setPageSize((width, height))
        document.drawImage(str(page), 0, 0, width, height)  # a .jpg file: embedded as it is
        document.showPage()
    document.save()
