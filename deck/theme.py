"""The deck's look: colours by role, one font family, a type scale and spacing.

Units are manim's: the frame is 8 units tall, so at 1080p one unit is 135 px.
"""

from __future__ import annotations

from dataclasses import dataclass

# ── colours by role ──────────────────────────────────────────────────────
BACKGROUND = "#101218"
TEXT = "#ECEEF2"
MUTED = "#A3A9B5"  # secondary text; 7.9:1 contrast on BACKGROUND
LINE = "#7C8494"  # connectors
PANEL = "#1A1E27"  # card fill

Q = "#FFC857"  # queries
K = "#FF8A5B"  # keys
V = "#6BCB77"  # values
REPEAT = "#7FD8BE"  # repeat_kv: the shared K/V broadcast
ATTENTION = "#6FA8FF"  # scaled dot-product attention
OUTPUT = "#C792EA"  # output projection
ROPE = "#4DD0E1"  # rotary position embedding
MASK = "#FF5C6C"  # causal mask
HIGHLIGHT = "#4DD0E1"  # outlines that point at something
TITLE = "#8EC5FF"

# Sequential colour ramp for attention weights 0 → 1 (dark → bright, perceptually
# ordered, so 0.05 never looks like 0.40).
HEAT_STOPS = ("#1B1F3B", "#3B2F7F", "#8C2981", "#DE4968", "#FE9F6D", "#FCFDBF")

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
