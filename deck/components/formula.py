"""Math typeset by typst (no TeX): typst → SVG in memory → manim VMobject.

`#q[...]`, `#k[...]`, `#v[...]` colour parts like the diagram's Q, K and V, so a
formula's parts can be found again by colour (`Formula.part`).
"""

from __future__ import annotations

import hashlib
import re
import tempfile
from pathlib import Path

import typst
from manim import SVGMobject, VGroup
from manim.utils.color import ManimColor

from deck import theme
from deck.components.roles import TEXT, tag

_ROLE_COLOURS = {"q": theme.Q, "k": theme.K, "v": theme.V, "hl": theme.HIGHLIGHT}


def _near(color: str, step: int) -> str:
    """A colour one blue-step away from `color`: looks the same, but is findable by `part`."""
    rgb = int(color[1:], 16)
    return f"#{(rgb & 0xFFFF00) | ((rgb & 0xFF) - step):06X}"


# Invisible markers for regions of a formula (e.g. "#r1[...]"), in the default text colour.
REGION_COLOURS = {f"r{n}": _near(theme.TEXT, n) for n in range(1, 5)}
_ROLE_COLOURS.update(REGION_COLOURS)
_PREAMBLE = "\n".join(
    [
        "#set page(width: auto, height: auto, margin: 0pt, fill: none)",
        '#set text(size: {size}pt, fill: rgb("{color}"))',
        *(f'#let {name}(x) = text(fill: rgb("{c}"), x)' for name, c in _ROLE_COLOURS.items()),
    ]
)
# typst draws fraction bars and radical overbars as stroked lines; manim does not
# scale stroke widths with the mobject, so they are rewritten as filled rectangles.
_RULE = re.compile(
    r'<path fill="none" stroke="(?P<c>[^"]+)" stroke-width="(?P<w>[\d.]+)"[^>]*?'
    r'transform="translate\((?P<x>[-\d.]+) (?P<y>[-\d.]+)\)" d="M 0 0h (?P<len>[-\d.]+)"\s*/>'
)
_CACHE = Path(tempfile.gettempdir()) / "gqa-deck-typst"
PT_PER_UNIT = 72  # manim's font_size f is an em of f/72 units; typst sizes are in pt


def _rules_to_rects(svg: str) -> str:
    def rect(m: re.Match) -> str:
        w, length = float(m["w"]), float(m["len"])
        return (
            f'<path fill="{m["c"]}" transform="translate({m["x"]} {m["y"]})" '
            f'd="M 0 {-w / 2} h {length} v {w} h {-length} Z"/>'
        )

    return _RULE.sub(rect, svg)


def typeset(body: str, size: int, color: str = theme.TEXT) -> Path:
    """Compile display math `body` (typst math syntax) to an SVG file, cached by content."""
    source = _PREAMBLE.format(size=size, color=color) + f"\n$ {body} $\n"
    digest = hashlib.sha256(source.encode()).hexdigest()[:20]
    path = _CACHE / f"{digest}.svg"
    if not path.exists():
        svg = typst.compile(source.encode(), format="svg").decode()
        _CACHE.mkdir(parents=True, exist_ok=True)
        tmp = path.with_suffix(f".{digest}.tmp")
        tmp.write_text(_rules_to_rects(svg))
        tmp.replace(path)
    return path


class Formula(VGroup):
    """A typeset formula whose `font_size` is comparable with `Text`'s."""

    def __init__(self, body: str, size: int = theme.SIZE.body, color: str = theme.TEXT):
        if size < theme.MIN_FONT_SIZE:
            raise ValueError(f"font size {size} is below the minimum {theme.MIN_FONT_SIZE}")
        svg = SVGMobject(str(typeset(body, size, color)), height=None, stroke_width=0)
        super().__init__(*svg.submobjects)
        self.scale(1 / PT_PER_UNIT, about_point=svg.get_center())
        self.source = body
        self._size = size
        self._height0 = self.height
        tag(self, TEXT)

    @property
    def font_size(self) -> float:
        """The size it was typeset at, times any later scaling."""
        return self._size * self.height / self._height0

    def part(self, color: str) -> VGroup:
        """The glyphs drawn in `color` (e.g. `theme.Q`)."""
        want = ManimColor(color).to_hex().lower()
        return VGroup(*(g for g in self if g.get_fill_color().to_hex().lower() == want))
