"""Formulas through manim's MathTypst: why rules are filled, why fractions are not boxed,
sizes that compare with Text, parts found by label and by their fraction bar."""

from __future__ import annotations

import tempfile

import numpy as np
import pytest
from manim import MathTypst, Text, tempconfig

from deck import theme
from deck.components.formula import RULE_ASPECT, Formula

FRACTION = "(Q K^top) / sqrt(d_k)"


@pytest.fixture(autouse=True)
def private_media():
    with tempconfig({"media_dir": tempfile.mkdtemp(), "verbosity": "ERROR"}):
        yield


def stroked(mob) -> list:
    return [p for p in mob.family_members_with_points() if p.get_stroke_width() > 0]


def test_manims_rules_are_strokes_that_depend_on_the_render_resolution():
    """Why `rules_to_fills` exists: MathTypst draws fraction bars and radical overbars as
    strokes whose width it computes from `config.pixel_width` at construction, so the
    same formula is drawn with other bars at 480p than at 1080p."""
    widths = []
    for pixel_width, pixel_height in ((854, 480), (1920, 1080)):
        with tempconfig({"pixel_width": pixel_width, "pixel_height": pixel_height}):
            widths.append(sorted(p.get_stroke_width() for p in stroked(MathTypst(FRACTION))))
    assert len(widths[0]) == 2  # the fraction bar and the radical's overbar
    assert widths[0] != pytest.approx(widths[1]), "re-check rules_to_fills: manim changed"


def test_deck_formulas_have_filled_rules_that_scale_with_them():
    f = Formula(FRACTION, 40)
    assert stroked(f) == []
    rules = [g for g in f if g.height < RULE_ASPECT * g.width]
    assert len(rules) == 2
    before = [r.height for r in rules]
    f.scale(2)
    assert [r.height for r in rules] == pytest.approx([2 * h for h in before])


def test_manims_group_helper_adds_a_space_and_shrinks_display_math():
    """Why `GROUP_HELPER` replaces MathTypst's: a group is followed by a text space, and
    a display-style body comes out at inline size."""
    assert MathTypst("{{ a : x }}b").width > 1.2 * MathTypst("a b").width
    assert MathTypst("{{ display(x/y) : f }}").height < 0.7 * MathTypst("display(x/y)").height


def test_deck_groups_keep_the_formulas_layout():
    assert Formula("{{ a : x }}b", 40).width == pytest.approx(Formula("a b", 40).width)
    plain = Formula("display(x/y)", 40)
    assert Formula("{{ display(x/y) : f }}", 40).height == pytest.approx(plain.height)


def test_a_box_inside_a_fraction_moves_its_parts():
    """Why numerators and denominators are not labelled with `{{ }}`: the label's box
    lays the denominator out on its own, and the fraction comes out another height."""
    plain = Formula(f"display({FRACTION})", 40)
    boxed = Formula("display((Q K^top) / {{ sqrt(d_k) : den }})", 40)
    assert boxed.height != pytest.approx(plain.height, rel=0.02)


def test_size_matches_text_of_the_same_font_size():
    formula, text = Formula('"Attention"', 44), Text("Attention", font=theme.FONT, font_size=44)
    assert formula.font_size == pytest.approx(44)
    # upright text in two fonts at one size: the same height within 10 %
    assert formula.height == pytest.approx(text.height, rel=0.1)
    formula.scale(0.5)
    assert formula.font_size == pytest.approx(22)


def test_role_colours_and_labelled_parts():
    f = Formula("{{ #q[$Q$] #k[$K$] : qk }} + {{ #v[$V$] : v }}", 40)
    colours = [g.get_fill_color().to_hex().upper() for g in f.select("qk")]
    assert colours == [theme.Q.upper(), theme.K.upper()]
    assert [g.get_fill_color().to_hex().upper() for g in f.select("v")] == [theme.V.upper()]


def test_fraction_parts_split_at_the_bar():
    f = Formula(f'{{{{ display("softmax"({FRACTION})) : sm }}}}', 40)
    numerator, denominator = f.fraction_parts("sm")
    assert len(numerator) == 3  # Q, K, ⊤
    assert len(denominator) == 4  # √, its overbar, d, k
    bar_y = np.mean([numerator.get_bottom()[1], denominator.get_top()[1]])
    assert numerator.get_bottom()[1] > bar_y > denominator.get_top()[1]
    with pytest.raises(ValueError, match="no fraction"):
        Formula("{{ x + y : plain }}", 40).fraction_parts("plain")


def test_below_minimum_size_is_refused():
    with pytest.raises(ValueError, match="minimum"):
        Formula("x", theme.MIN_FONT_SIZE - 1)
