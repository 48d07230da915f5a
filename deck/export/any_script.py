"""The speaker's notes in any script on the PDFs' pages.

reportlab draws a run of text in one font, and neither reorders right-to-left text nor
joins Arabic letters by itself (its bidi needs rlbidi, which is not on PyPI; its shaping
does not reorder). So each run goes to the first of the handout's fonts that has its
glyphs (DejaVu Sans: Latin, Greek, Cyrillic, Arabic, Hebrew; WenQuanYi Micro Hei:
Chinese, Japanese, Korean), and a right-to-left paragraph is laid out here: its Arabic
letters joined (arabic-reshaper, into the presentation forms DejaVu Sans has), wrapped
in reading order, each line reordered for display (python-bidi) and set from the right.
"""

from __future__ import annotations

import re
import unicodedata
from typing import TYPE_CHECKING
from xml.sax.saxutils import escape

import arabic_reshaper
from bidi import get_display
from reportlab.pdfbase import pdfmetrics
from reportlab.platypus import Flowable, Paragraph

from deck.export.pacing import unspaced
from deck.export.pdf_base import FALLBACK

if TYPE_CHECKING:
    from reportlab.lib.styles import ParagraphStyle

# Its marks (harakat: the shadda, the short vowels) kept, not deleted as by default.
RESHAPER = arabic_reshaper.ArabicReshaper(configuration={"delete_harakat": False})
RIGHT_TO_LEFT = frozenset({"R", "AL"})  # Unicode's bidirectional classes of Hebrew, Arabic
STRONG = RIGHT_TO_LEFT | {"L"}
# A run of right-to-left words inside a left-to-right paragraph (an Arabic term in English):
# letters of the right-to-left blocks, with the spaces and marks between them.
RTL_CHARS = "\u0590-\u08ff\ufb1d-\ufdff\ufe70-\ufefc"
RTL_RUN = re.compile(f"[{RTL_CHARS}]+(?:[\\s\u064b-\u065f]+[{RTL_CHARS}]+)*")


def _has_glyph(font: str, char: str) -> bool:
    return ord(char) in pdfmetrics.getFont(font).face.charToGlyph


def font_of(char: str, base: str) -> str:
    """`base` where it has `char` (and for spaces), else the fallback."""
    if char.isspace() or _has_glyph(base, char) or not _has_glyph(FALLBACK, char):
        return base
    return FALLBACK


def runs(text: str, base: str) -> list[tuple[str, str]]:
    """(font, text) for each stretch of `text` that one font draws."""
    found: list[tuple[str, str]] = []
    for char in text:
        font = font_of(char, base)
        if found and found[-1][0] == font:
            found[-1] = (font, found[-1][1] + char)
        else:
            found.append((font, char))
    return found


def width(text: str, base: str, size: float) -> float:
    return sum(pdfmetrics.stringWidth(part, font, size) for font, part in runs(text, base))


def markup(text: str, base: str) -> str:
    """`text` as paragraph markup, each run the base font lacks in the fallback."""
    return "".join(
        escape(part) if font == base else f'<font name="{font}">{escape(part)}</font>'
        for font, part in runs(text, base)
    )


def right_to_left(paragraph: str) -> bool:
    """Whether `paragraph` reads from the right: its first strong letter is Hebrew or Arabic
    (Unicode's rule for a paragraph's direction, P2)."""
    for char in paragraph:
        direction = unicodedata.bidirectional(char)
        if direction in STRONG:
            return direction in RIGHT_TO_LEFT
    return False


def _visual(run: str) -> str:
    return get_display(RESHAPER.reshape(run), base_dir="R")


def left_to_right_markup(paragraph: str, base: str) -> str:
    """A left-to-right paragraph's markup, a right-to-left term inside it shown as read
    (joined and reversed; a term broken across two lines keeps its words' order per line)."""
    return markup(RTL_RUN.sub(lambda m: _visual(m[0]), paragraph), base)


def has_ideographs(text: str) -> bool:
    """Whether `text` holds a script written without spaces (Chinese, Japanese), which
    wraps between its letters (Korean wraps at its spaces)."""
    return any(map(unspaced, text))


class RightToLeftParagraph(Flowable):
    """A right-to-left paragraph in `style`'s font, size, leading and indents, wrapped in
    reading order and set flush right, each line shown as read."""

    def __init__(self, text: str, style: ParagraphStyle):
        super().__init__()
        self.style = style
        self.words = RESHAPER.reshape(text).split()
        self.spaceAfter = style.spaceAfter
        self.lines: list[str] = []

    def _width(self, text: str) -> float:
        return width(text, self.style.fontName, self.style.fontSize)

    def wrap(self, available_width: float, available_height: float) -> tuple[float, float]:
        room = available_width - self.style.leftIndent - self.style.rightIndent
        lines: list[list[str]] = []
        for word in self.words:
            if lines and self._width(" ".join([*lines[-1], word])) <= room:
                lines[-1].append(word)
            else:
                lines.append([word])
        self.lines = [get_display(" ".join(line), base_dir="R") for line in lines]
        self.width = available_width
        self.height = len(self.lines) * self.style.leading
        return self.width, self.height

    def draw(self) -> None:
        style, canvas = self.style, self.canv
        canvas.setFillColor(style.textColor)
        right = self.width - style.rightIndent
        for index, line in enumerate(self.lines):
            x = right - self._width(line)
            baseline = self.height - index * style.leading - style.fontSize
            for font, part in runs(line, style.fontName):
                canvas.setFont(font, style.fontSize)
                canvas.drawString(x, baseline, part)
                x += pdfmetrics.stringWidth(part, font, style.fontSize)


def paragraph(text: str, style: ParagraphStyle) -> Flowable:
    """One paragraph of notes in whatever script it is written."""
    if right_to_left(text):
        return RightToLeftParagraph(text, style)
    if has_ideographs(text):
        style = type(style)(f"{style.name}-wrapped", parent=style, wordWrap="CJK")
    return Paragraph(left_to_right_markup(text, style.fontName), style)
