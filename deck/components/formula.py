"""Math typeset by typst through manim's `MathTypst` (no TeX), sized like the deck's `Text`.

`#q[$Q$]`, `#k[$K$]`, `#v[$V$]` colour symbols like the diagram's Q, K and V. Parts of a
formula are labelled with manim's `{{ body : label }}` groups and found with
`select(label)`. A group is a typst box, which lays its body out as a separate inline
formula: around a whole term that is harmless, but a box inside a fraction or a script
moves the bar and the scripts (tests/components/test_formula.py), so a fraction's
numerator and denominator are found with `fraction_parts` instead of being boxed.
"""

from __future__ import annotations

from xml.etree import ElementTree as ET

from manim import MathTypst, VGroup

from deck import theme
from deck.compat.typst import rules_to_fills
from deck.components.roles import TEXT, tag

# MathTypst's font_size f gives an em of 0.75·f/72 units (typst's pt read as px when the
# SVG is imported); `Text`'s gives f/72. Formulas are sized in `Text`'s units.
TYPST_PER_TEXT_SIZE = 4 / 3

RULE_ASPECT = 0.1  # a glyph at most this tall for its width is a rule


# MathTypst's own group helper, `[#box(body) #label(lbl)]`, sets a text space after every
# group and lays a `display(...)` body out at inline size; this one, defined after it in
# the preamble, does neither (tests/components/test_formula.py measures both).
GROUP_HELPER = "#let manimgrp(lbl, body) = [#box($body$)#label(lbl)]"


def _preamble() -> str:
    roles = {"q": theme.Q, "k": theme.K, "v": theme.V}
    colours = [f'#let {name}(x) = text(fill: rgb("{c}"), x)' for name, c in roles.items()]
    return "\n".join([GROUP_HELPER, *colours])


class Formula(MathTypst):
    """Display math in typst syntax; `font_size` means what it means for `Text`."""

    def __init__(self, body: str, size: int = theme.SIZE.body, color: str | None = None):
        if size < theme.MIN_FONT_SIZE:
            raise ValueError(f"font size {size} is below the minimum {theme.MIN_FONT_SIZE}")
        color = theme.TEXT if color is None else color
        super().__init__(body, font_size=size, color=color, typst_preamble=_preamble())
        self.source = body  # what the layout records show for it
        tag(self, TEXT)

    def fraction_parts(self, label: str) -> tuple[VGroup, VGroup]:
        """The numerator and denominator of the fraction in the part `label`: the glyphs
        above and below its bar (the widest rule), within the bar's width."""
        glyphs = list(self.select(label))
        rules = [g for g in glyphs if g.height < RULE_ASPECT * g.width]
        if not rules:
            raise ValueError(f"the part {label!r} of {self.source!r} holds no fraction")
        bar = max(rules, key=lambda g: g.width)
        left, right, y = bar.get_left()[0], bar.get_right()[0], bar.get_y()
        under = [g for g in glyphs if g is not bar and left <= g.get_x() <= right]
        return (
            VGroup(*(g for g in under if g.get_y() > y)),
            VGroup(*(g for g in under if g.get_y() < y)),
        )

    def modify_xml_tree(self, element_tree: ET.ElementTree) -> ET.ElementTree:
        return rules_to_fills(super().modify_xml_tree(element_tree))

    @property
    def font_size(self) -> float:
        return MathTypst.font_size.fget(self) / TYPST_PER_TEXT_SIZE

    @font_size.setter
    def font_size(self, value: float) -> None:
        if value <= 0:
            raise ValueError("font_size must be greater than 0")
        if self.height > 0:
            self.scale(value / self.font_size)
