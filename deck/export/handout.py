"""The handout: each slide's last frame with its speaker notes beneath, then the references.

For printing and for the audience, so it is a light page whatever the slides' theme: the
frames sit in a thin border, the notes are real text (selectable, searchable; PIL writes
PDFs of pictures only, so the pages are laid out with reportlab's Platypus), two slides to
an A4 page where they fit.
"""

from __future__ import annotations

import re
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING
from xml.sax.saxutils import escape

from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.lib.utils import ImageReader
from reportlab.platypus import (
    Flowable,
    KeepTogether,
    ListFlowable,
    ListItem,
    PageBreak,
    Paragraph,
    SimpleDocTemplate,
    Spacer,
)

from deck.export import any_script
from deck.export.pdf_base import BOLD, FONT, binary_streams, register_fonts
from deck.export.writer import ExportOptions
from deck.format import day
from deck.theme import LIGHT

if TYPE_CHECKING:
    from manim_slides.config import PresentationConfig
    from reportlab.pdfgen.canvas import Canvas

    from deck.export.pictures import Pictures

ARXIV = re.compile(r"arXiv:(\d{4}\.\d{4,5}(?:v\d+)?)")
MARGIN = 18 * mm
FRAME_WIDTH = 140 * mm  # two slides with their notes fit on one A4 page
FRAME_BORDER = 0.75  # points
# A printed page is light whatever the slides' theme: the light palette's ink.
INK, MUTED, RULE = (colors.HexColor(c) for c in (LIGHT.TEXT, LIGHT.MUTED, LIGHT.LINE))
LINK = LIGHT.TITLE  # the light theme's title blue: 4.5:1 on white paper (tests/test_theme.py)
PICTURES = ("still",)  # each slide's last frame, as a JPEG the PDF embeds as it is
SLIDE_GAP = 6 * mm
# caption and notes line up with the centred frame
INDENT = (A4[0] - 2 * MARGIN - FRAME_WIDTH) / 2

TITLE = ParagraphStyle("title", fontName=BOLD, fontSize=20, leading=24, textColor=INK)
BYLINE = ParagraphStyle("byline", fontName=FONT, fontSize=10, leading=13, textColor=MUTED)
CAPTION = ParagraphStyle(
    "caption", fontName=BOLD, fontSize=9, leading=12, textColor=MUTED, leftIndent=INDENT
)
NOTES = ParagraphStyle(
    "notes",
    fontName=FONT,
    fontSize=9.5,
    leading=13,
    textColor=INK,
    leftIndent=INDENT,
    rightIndent=INDENT,
    spaceAfter=3,
)
REFERENCE = ParagraphStyle("reference", parent=NOTES, leftIndent=0, rightIndent=0)
HEADING = ParagraphStyle("heading", fontName=BOLD, fontSize=14, leading=18, textColor=INK)
FOOTER_SIZE = 8


class FramedImage(Flowable):
    """A slide's picture at a fixed width, in a thin border (dark slides on white paper)."""

    def __init__(self, picture: Path, width: float):
        super().__init__()
        self.hAlign = "CENTER"
        self.picture = str(picture)  # a .jpg file name: reportlab embeds its bytes
        pixels_wide, pixels_high = ImageReader(self.picture).getSize()
        self.width, self.height = width, width * pixels_high / pixels_wide

    def wrap(self, available_width: float, available_height: float) -> tuple[float, float]:
        return self.width, self.height

    def draw(self) -> None:
        self.canv.drawImage(self.picture, 0, 0, self.width, self.height)
        self.canv.setStrokeColor(RULE)
        self.canv.setLineWidth(FRAME_BORDER)
        self.canv.rect(0, 0, self.width, self.height, stroke=1, fill=0)


def paragraphs(text: str, style: ParagraphStyle) -> list[Flowable]:
    """The notes' paragraphs (blank lines apart), each in the script it is written in."""
    return [
        any_script.paragraph(" ".join(p.split()), style) for p in text.split("\n\n") if p.strip()
    ]


def byline(options: ExportOptions) -> str:
    parts = [options.subject, options.author, day(options.day)]  # as the slides write it
    return "  ·  ".join(p for p in parts if p)


def slide_block(number: int, total: int, picture: Path, notes: str) -> KeepTogether:
    return KeepTogether(
        [
            Paragraph(f"Slide {number} of {total}", CAPTION),
            Spacer(0, 1.5 * mm),
            FramedImage(picture, FRAME_WIDTH),
            Spacer(0, 3 * mm),
            *paragraphs(notes or "(no notes)", NOTES),
            Spacer(0, SLIDE_GAP),
        ]
    )


def linked(citation: str) -> str:
    """`citation` as paragraph markup, its arXiv identifiers links to their abstract pages."""
    return ARXIV.sub(
        lambda m: f'<a href="https://arxiv.org/abs/{m[1]}" color="{LINK}">arXiv:{m[1]}</a>',
        escape(citation),
    )


def references_page(references: tuple[str, ...]) -> list[Flowable]:
    items = [ListItem(Paragraph(linked(r), REFERENCE), leftIndent=8 * mm) for r in references]
    return [
        PageBreak(),
        Paragraph("References", HEADING),
        Spacer(0, 4 * mm),
        ListFlowable(items, bulletType="1", bulletFontName=FONT, bulletFontSize=9.5),
    ]


def decorate(canvas: Canvas, document: SimpleDocTemplate, *, options: ExportOptions) -> None:
    """Every page: the talk's date as the document's dates, the footer."""
    canvas.setDateFormatter(lambda *now: options.pdf_date)
    canvas.saveState()
    canvas.setFont(FONT, FOOTER_SIZE)
    canvas.setFillColor(MUTED)
    canvas.drawString(MARGIN, MARGIN / 2, options.title)
    canvas.drawRightString(A4[0] - MARGIN, MARGIN / 2, f"{document.page}")
    canvas.restoreState()


def write(
    configs: list[PresentationConfig], dest: Path, options: ExportOptions, pictures: Pictures
) -> None:
    binary_streams()
    register_fonts()
    slides = [s for c in configs for s in c.slides]
    story: list[Flowable] = [Paragraph(escape(options.title), TITLE), Spacer(0, 1.5 * mm)]
    if line := byline(options):
        story.append(Paragraph(escape(line), BYLINE))
    story.append(Spacer(0, 7 * mm))
    for number, slide in enumerate(slides, start=1):
        still = pictures.path(slide.file, "still")
        story.append(slide_block(number, len(slides), still, slide.notes))
    if options.references:
        story += references_page(options.references)
    document = SimpleDocTemplate(
        str(dest),
        pagesize=A4,
        leftMargin=MARGIN,
        rightMargin=MARGIN,
        topMargin=MARGIN,
        bottomMargin=MARGIN,
        **options.document_info(),
    )
    page = partial(decorate, options=options)
    document.build(story, onFirstPage=page, onLaterPages=page)
