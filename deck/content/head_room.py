"""Room for a KV group's query heads side by side on one slide: plain arithmetic, without
manim, so that a text can be refused for its length before anything is drawn
(deck/content/realattention.py) by the same rule the slide is laid out with
(deck/components/heatmap.py, `HeadMaps`)."""

from __future__ import annotations

from deck import theme

HEADS_PER_ROW = 4  # a group's query heads, at most this many to a row
HEAD_GAP = 0.35  # between two heads' maps
ROW_GAP = 0.3  # between two rows of maps
MIN_PITCH = 0.34  # a cell no narrower than a caption's line: its rotated key label fits
CELL_FILL = 0.9  # of the pitch; the rest is the gap that keeps cells apart
ROW_LABEL_ROOM = 1.3  # the query labels' column left of the first map of each row
LEGEND_ROOM = 1.0  # the colour bar and its ticks right of the maps
TITLE_ROOM = 0.45  # a map's "query head h" line under it
KEY_LABEL_ROOM = 1.25  # the rotated key labels above each map (8 characters at most)


def heads_layout(n_heads: int, width: float, height: float) -> tuple[int, int, float]:
    """Rows, heads per row and the largest cell pitch per token for `n_heads` maps in
    width × height: returns the pitch for one token (divide by the token count)."""
    per_row = min(n_heads, HEADS_PER_ROW)
    rows = -(-n_heads // per_row)
    map_width = (width - ROW_LABEL_ROOM - LEGEND_ROOM - (per_row - 1) * HEAD_GAP) / per_row
    map_height = (height - rows * (KEY_LABEL_ROOM + TITLE_ROOM) - (rows - 1) * ROW_GAP) / rows
    return rows, per_row, min(map_width, map_height)


def max_tokens(n_heads: int, width: float, height: float) -> int:
    """How many tokens the heads' maps can show with cells of at least `MIN_PITCH`."""
    return int(heads_layout(n_heads, width, height)[2] // MIN_PITCH)


# what the maps get on the attention-weights slide: the content area under one line of text
SLIDE_WIDTH = theme.CONTENT_RIGHT - theme.CONTENT_LEFT
HEADLINE_ROOM = 0.6  # "Real weights of …" above the maps
SLIDE_HEIGHT = theme.CONTENT_TOP - HEADLINE_ROOM - theme.CONTENT_BOTTOM


def slide_max_tokens(n_heads: int) -> int:
    return max_tokens(n_heads, SLIDE_WIDTH, SLIDE_HEIGHT)
