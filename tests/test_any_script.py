"""Notes in any script on the PDFs' pages: the right font for each run, right-to-left
paragraphs set from the right and read back in order, and the pacing of unspaced scripts."""

from __future__ import annotations

import io
import unicodedata

import pypdf
import pytest
from reportlab.lib.pagesizes import A4
from reportlab.pdfbase import pdfmetrics
from reportlab.platypus import SimpleDocTemplate

from deck.export import any_script, handout, pdf
from deck.export.pacing import words
from deck.export.pdf_base import FALLBACK, FONT, register_fonts
from deck.talk.file import NOTES_FONTS, notes_text_problem

ARABIC = "في الانتباه المجمّع تتشارك رؤوس الاستعلام رؤوس المفاتيح والقيم فيصغر التخزين المؤقت"
HEBREW = "בקשב מקובץ ראשי שאילתה חולקים ראשי מפתח וערך"
CHINESE = "分组查询注意力让多个查询头共享一个键值头"
JAPANESE = "グループ化されたクエリ注意"
KOREAN = "그룹 쿼리 어텐션"


@pytest.fixture(autouse=True, scope="module")
def fonts():
    register_fonts()


def glyphs(font: str) -> dict:
    return pdfmetrics.getFont(font).face.charToGlyph


@pytest.mark.parametrize("text", [CHINESE, JAPANESE, KOREAN, f"GQA: {CHINESE} (Llama)"])
def test_every_run_is_in_a_font_that_has_its_letters(text):
    for font, part in any_script.runs(text, FONT):
        assert all(c.isspace() or ord(c) in glyphs(font) for c in part), (font, part)
    assert {f for f, _ in any_script.runs(text, FONT)} >= {FALLBACK}
    assert "".join(part for _, part in any_script.runs(text, FONT)) == text


def test_latin_greek_cyrillic_arabic_and_hebrew_stay_in_the_base_font():
    text = f"Ω Здесь {ARABIC} {HEBREW} Tiếng Việt"
    assert [f for f, _ in any_script.runs(text, FONT)] == [FONT]


@pytest.mark.parametrize(
    ("text", "rtl"),
    [(ARABIC, True), (HEBREW, True), ("24 " + HEBREW, True), ("GQA " + ARABIC, False)],
)
def test_a_paragraph_reads_from_the_side_of_its_first_letter(text, rtl):
    assert any_script.right_to_left(text) is rtl


def test_a_right_to_left_paragraph_wraps_inside_its_room_and_keeps_its_words():
    style = handout.NOTES
    paragraph = any_script.paragraph(" ".join([ARABIC] * 4), style)
    assert isinstance(paragraph, any_script.RightToLeftParagraph)
    available = A4[0] - 2 * handout.MARGIN
    _, height = paragraph.wrap(available, A4[1])
    room = available - style.leftIndent - style.rightIndent
    assert len(paragraph.lines) > 1 and height == len(paragraph.lines) * style.leading
    assert all(any_script.width(line, FONT, style.fontSize) <= room for line in paragraph.lines)
    # each line shown as read: its words from the right are the paragraph's, in order
    read = [w[::-1] for line in paragraph.lines for w in reversed(line.split())]
    assert read == paragraph.words
    # joined: the Arabic letters in the presentation forms DejaVu Sans draws, none missing
    shown = "".join(paragraph.lines)
    assert any(0xFE70 <= ord(c) <= 0xFEFC for c in shown)
    assert all(c.isspace() or ord(c) in glyphs(FONT) for c in shown)


def test_the_handout_and_the_pdf_can_be_searched_in_every_script():
    notes = f"{CHINESE}。{JAPANESE}。\n\n{KOREAN}.\n\n{ARABIC}.\n\n{HEBREW}."
    buffer = io.BytesIO()
    SimpleDocTemplate(buffer, pagesize=A4).build(handout.paragraphs(notes, handout.NOTES))
    read = unicodedata.normalize("NFKC", pypdf.PdfReader(buffer).pages[0].extract_text())
    for word in (CHINESE, JAPANESE, KOREAN, *ARABIC.split()[:3], *HEBREW.split()[:3]):
        assert word in read, word
    from reportlab.pdfgen.canvas import Canvas

    slides = io.BytesIO()
    canvas = Canvas(slides, pagesize=(960, 540))
    pdf.searchable_notes(canvas, notes, 960, 540)
    canvas.showPage()
    canvas.save()
    read = pypdf.PdfReader(slides).pages[0].extract_text()
    for sentence in (CHINESE, JAPANESE, KOREAN, ARABIC, HEBREW):  # in reading order
        assert sentence in read, sentence


@pytest.mark.parametrize("text", [CHINESE, JAPANESE, KOREAN, ARABIC, HEBREW])
def test_notes_in_these_scripts_are_accepted(text):
    assert notes_text_problem(text) is None


def test_a_character_no_handout_font_has_is_refused_naming_them():
    problem = notes_text_problem("GQA \U0001f642")
    assert "U+1F642" in problem and all(f in problem for f in NOTES_FONTS)


def test_unspaced_scripts_are_paced_by_their_characters():
    assert words(CHINESE) == -(-len(CHINESE) // 2)
    assert words(JAPANESE) == -(-len(JAPANESE) // 2)
    assert words(KOREAN) == 3 and words("the KV cache") == 3
    assert words(f"GQA {CHINESE}") == 1 + -(-len(CHINESE) // 2)
