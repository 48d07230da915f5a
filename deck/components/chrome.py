"""The persistent header: section title on the left, slide counter on the right, on one
baseline at the top of the safe area (theme, "the grid")."""

from __future__ import annotations

from manim import LEFT, RIGHT, Text

from deck import theme
from deck.components.spec import sit_on
from deck.components.text import text


def _header_text(content: str, edge, x: float) -> Text:
    mob = text(content, theme.SIZE.caption, theme.MUTED)
    return sit_on(mob.move_to([x, 0, 0], aligned_edge=edge), theme.HEADER_BASELINE)


def section_title(title: str) -> Text:
    return _header_text(title, LEFT, theme.CONTENT_LEFT)


def slide_counter(number: int, total: int) -> Text:
    return _header_text(f"{number} / {total}", RIGHT, theme.CONTENT_RIGHT)
