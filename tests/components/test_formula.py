"""Typst formulas: rules become filled shapes, sizes compare with Text, parts found by colour."""

from __future__ import annotations

import pytest
from manim import Text

from deck import theme
from deck.components.formula import REGION_COLOURS, Formula, typeset


def test_fraction_and_radical_rules_are_filled_not_stroked():
    svg = typeset("(Q K^top) / sqrt(d_k)", 40).read_text()
    assert "stroke=" not in svg  # manim would not scale a stroked hairline
    assert svg.count("<path") > 5


def test_size_matches_text_of_the_same_font_size():
    formula, text = Formula("x", 48), Text("x", font=theme.FONT, font_size=48)
    assert formula.font_size == pytest.approx(48)
    # an x-height glyph in either font: same order of size (within 35 %)
    assert formula.height == pytest.approx(text.height, rel=0.35)


def test_parts_are_found_by_their_role_colour():
    f = Formula('#q[$Q$] #k[$K$]^#r1[$top$] + #v[$V$]', 40)
    assert len(f.part(theme.Q)) == 1 and len(f.part(theme.K)) == 1
    assert len(f.part(theme.V)) == 1 and len(f.part(REGION_COLOURS["r1"])) == 1


def test_below_minimum_size_is_refused():
    with pytest.raises(ValueError, match="minimum"):
        Formula("x", theme.MIN_FONT_SIZE - 1)
