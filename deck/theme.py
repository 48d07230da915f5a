"""The deck's look: colours by role (a dark and a light palette), one font family, a type
scale and spacing.

Colours are read as `theme.TEXT`, `theme.Q`, … at the moment of use, from the active
palette: a scene makes its talk's palette active while its own code runs
(deck/scenes/base.py), and `with theme.use("light"):` does so around builders called
outside a scene. Never bind a colour at import time (`from deck.theme import TEXT`, or a
default argument `color=theme.TEXT`): it would keep the palette active at that moment.
Only this module spells out colours (tests/test_theme.py checks).

Units are manim's: the frame is 8 units tall, so at 1080p one unit is 135 px.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from contextvars import ContextVar
from dataclasses import dataclass, fields


# ── colours by role ──────────────────────────────────────────────────────
@dataclass(frozen=True)
class Palette:
    """The deck's colours by role. Every theme fills in the same roles.

    Colour is kept for meaning: the roles in `MEANING` (Q, K, V; MHA, GQA, MQA; the
    weights) each have a hue of their own that no other role uses. Structure (titles,
    the attention and output blocks, RoPE, highlights, the mask) is drawn in the
    neutrals, so a hue always names one of those seven things. tests/test_theme.py holds
    both palettes to WCAG AA (text and lines at least 4.5:1 against what they sit on),
    dimmed text to 3:1, and keeps every two meaning colours apart, also for deuteranopia
    and protanopia.
    """

    name: str
    BACKGROUND: str
    TEXT: str
    MUTED: str  # secondary text
    # Text set back (already explained): one neutral, at least 3:1 against the slide but
    # well below the text's contrast. Recolouring, not opacity: a role colour at
    # partial opacity falls under 3:1 long before it looks set back.
    DIMMED: str
    LINE: str  # connectors
    PANEL: str  # card fill
    Q: str  # queries
    K: str  # keys
    V: str  # values
    MHA: str  # multi-head attention: as many KV heads as query heads
    GQA: str  # grouped-query attention: this model's KV heads
    MQA: str  # multi-query attention: one KV head
    WEIGHTS: str  # the model's parameters (its size in memory)
    REPEAT: str  # repeat_kv: the shared K/V broadcast, GQA's own mechanism
    ATTENTION: str  # scaled dot-product attention
    OUTPUT: str  # output projection
    ROPE: str  # rotary position embedding
    MASK: str  # causal mask: no weight, drawn as a hatch, not a colour of the weights' ramp
    HIGHLIGHT: str  # outlines that point at something
    TITLE: str
    # Sequential ramp for attention weights 0 → 1, perceptually ordered (lightness runs
    # one way), so 0.05 never looks like 0.40; 0 stays close to the background but is
    # told apart from it (a zero cell is a cell, a masked one is not).
    HEAT_STOPS: tuple[str, ...]
    # Ink for numbers on heatmap cells, dark and light: pure black and white, because a
    # ramp passes through every luminance, and only those two keep at least 4.58:1 at
    # the luminance where they are equally far (`ink_on`).
    HEAT_INK: tuple[str, str]


# The roles whose hue means something; no two share a slide unless they are far apart.
MEANING = ("Q", "K", "V", "MHA", "GQA", "MQA", "WEIGHTS")

# Each role in both themes, side by side: (dark, light).
# The light theme is for projectors in bright rooms: a dark slide's black rises to the
# room's light and its text washes out; dark text on a near-white page keeps its
# contrast. Its role colours are deep enough for 4.5:1 on the card fill too.
# The seven meaning hues were chosen (from the deck's earlier ones) so that every two are
# at least 24 apart in CAM02-UCS and 14 apart under simulated deuteranopia and
# protanopia, in both themes: for red-green dichromats they differ in lightness and on
# the blue-yellow axis, which they still see. In the light theme Q (ochre) and K (deep
# red) differ in lightness by 15, not only in hue.
_TEXT = ("#ECEEF2", "#1A1D24")
_MUTED = ("#A3A9B5", "#4A5160")
_GQA = ("#0FB9B9", "#166F90")
_BY_ROLE: dict[str, tuple[object, object]] = {
    "BACKGROUND": ("#101218", "#F7F7F3"),
    "TEXT": _TEXT,
    "MUTED": _MUTED,
    "DIMMED": ("#646A76", "#80868F"),
    "LINE": ("#7C8494", "#636B79"),
    "PANEL": ("#1A1E27", "#EBEDF0"),
    "Q": ("#FFC839", "#8E5F00"),
    "K": ("#FF7A35", "#851700"),
    "V": ("#75D488", "#037651"),
    "MHA": ("#B47BE8", "#6619A2"),
    "GQA": _GQA,
    "MQA": ("#9BC0FF", "#3C42FF"),
    "WEIGHTS": ("#E9719E", "#890159"),
    # repeat_kv is how GQA shares its KV heads: it is drawn as GQA
    "REPEAT": _GQA,
    # structure, in the neutrals: the hues are kept for the seven meanings above
    "ATTENTION": _TEXT,
    "OUTPUT": _TEXT,
    "ROPE": _TEXT,
    "MASK": _MUTED,
    "HIGHLIGHT": _TEXT,
    "TITLE": _TEXT,
    "HEAT_STOPS": (
        ("#2C3160", "#46348F", "#8C2981", "#DE4968", "#FE9F6D", "#FCFDBF"),  # dark → bright
        ("#D0C9BB", "#E9B35F", "#EE8D4F", "#C8434C", "#7D1F6A", "#2D1048"),  # bright → dark
    ),
    "HEAT_INK": (("#000000", "#FFFFFF"), ("#000000", "#FFFFFF")),
}
DARK = Palette("dark", **{role: dark for role, (dark, _) in _BY_ROLE.items()})
LIGHT = Palette("light", **{role: light for role, (_, light) in _BY_ROLE.items()})

PALETTES = {p.name: p for p in (DARK, LIGHT)}
THEMES = tuple(PALETTES)
COLOUR_ROLES = frozenset(f.name for f in fields(Palette)) - {"name"}

# The palette `theme.TEXT` etc. read from: set by a scene for its own code (from its
# talk's theme), or by `use` around builders called outside a scene.
_active: ContextVar[Palette] = ContextVar("palette", default=DARK)


def palette(name: str | None = None) -> Palette:
    """The palette called `name`, or the active one."""
    if name is None:
        return _active.get()
    try:
        return PALETTES[name]
    except KeyError:
        raise ValueError(f"unknown theme {name!r}; choose from: {', '.join(THEMES)}") from None


@contextlib.contextmanager
def use(name: str) -> Iterator[Palette]:
    """Resolve `theme.<ROLE>` from the palette `name` inside the block."""
    token = _active.set(palette(name))
    try:
        yield _active.get()
    finally:
        _active.reset(token)


def __getattr__(name: str) -> object:
    # PEP 562: `theme.Q` is looked up at each access, in the active palette, so the
    # builders need no palette argument and a default argument can never freeze one.
    if name in COLOUR_ROLES:
        return getattr(_active.get(), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def luminance(colour: str) -> float:
    """WCAG 2.x relative luminance of an sRGB colour `#RRGGBB`."""
    channels = (int(colour[i : i + 2], 16) / 255 for i in (1, 3, 5))
    r, g, b = (c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4 for c in channels)
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def contrast(a: str, b: str) -> float:
    """WCAG 2.x contrast ratio of two colours, from 1 to 21."""
    lighter, darker = sorted((luminance(a), luminance(b)), reverse=True)
    return (lighter + 0.05) / (darker + 0.05)


def ink_on(colour: str) -> str:
    """The heatmap ink, dark or light, that contrasts more with `colour`."""
    return max(_active.get().HEAT_INK, key=lambda ink: contrast(ink, colour))


# ── type ─────────────────────────────────────────────────────────────────
FONT = "Inter"  # Debian's fonts-inter; the set-up installs it, doctor checks it

# manim's font_size f sets an em of f/72 units, i.e. 1.875·f px at 1080p.
# Slide text is conventionally never below 18 pt on a 7.5 in (540 pt) tall slide:
# 3.3 % of the height, 36 px at 1080p. MIN_FONT_SIZE = 20 gives a 37.5 px em
# (cap height ≈ 27 px), the smallest text on any slide; at 480p it is still 17 px.
MIN_FONT_SIZE = 20


def em(size: float) -> float:
    """The em, in frame units, of text at manim font size `size`."""
    return size / 72


@dataclass(frozen=True)
class TypeScale:
    title: int = 64
    heading: int = 44
    subheading: int = 32
    body: int = 28
    label: int = 24
    detail: int = 22  # node labels and card lines: two lines must fit a diagram node
    caption: int = MIN_FONT_SIZE


SIZE = TypeScale()

# ── spacing ──────────────────────────────────────────────────────────────
MARGIN = 0.3  # nothing comes closer than this to the frame's edge
GAP = 0.25  # between related items
GAP_LARGE = 0.6  # between groups
STROKE = 2.5  # box outlines and connectors
STROKE_HIGHLIGHT = 5.0
CORNER = 0.08
HEADER_Y = 3.55  # baseline band of the persistent section title and counter
HEADER_INSET = MARGIN + 0.1  # the section title and counter, from the frame's sides
CONTENT_TOP = 3.05  # slide content stays below this line
FRAME_HALF_WIDTH, FRAME_HALF_HEIGHT = 16 / 9 * 4, 4.0
CONTENT_LEFT, CONTENT_RIGHT = -FRAME_HALF_WIDTH + MARGIN, FRAME_HALF_WIDTH - MARGIN
CONTENT_BOTTOM = -FRAME_HALF_HEIGHT + MARGIN

# A drawn head or cache cell never gets smaller than this (13.5 px at 1080p, 135 px per
# unit; under 12 px a row of them reads as a dotted line): a drawing with more heads
# than fit draws some of them and summarises the rest.
HEAD_CELL_MIN = 0.1
HEAD_CELL_CAPPED = 0.15  # a capped drawing's heads: it draws fewer, so it draws them larger

# ── motion ───────────────────────────────────────────────────────────────
RUN = 0.8  # default animation time (s)
RUN_FAST = 0.4
RUN_WRITE = 1.1  # writing a title or a formula
RUN_ROWS = 1.2  # rows of a table or a chart coming in one after another
RUN_BUILD = 2.0  # building a whole figure: the diagram, the heatmap
LAG = 0.08  # lag ratio for many small items (cells, rows of cells)
LAG_PARTS = 0.3  # lag ratio for a few large parts (diagram rows, chart bars)
NUDGE = 0.2  # how far things drift as they fade in or out
HIGHLIGHT_BUFF = 0.08  # gap between a highlight outline and what it surrounds
